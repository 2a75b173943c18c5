package store

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// Exports read as they write: a commune at a time from its roster, its people fetched
// by _id a chunk at a time, so that memory stays flat and the first rows go out at
// once. On the embedded store an _id lookup costs about ten times what a record costs
// in a pass over the whole collection (0.6 ms against 60 µs, SPEC §7), so an export
// of more than a tenth of the store (a province's) makes one pass over the collection
// instead, in the order the records were stored.

// exportScanAbove is the fewest people an export reads in one pass rather than by _id.
var exportScanAbove int64 = 1000

// exportChunk is how many people an export fetches at a time.
const exportChunk = 200

// PaymentRow is ansinh.PaymentRow.
type PaymentRow = ansinh.PaymentRow

// CountIn sums the counters of communes ("" for the people waiting for one).
func (s *Store) CountIn(ctx context.Context, communes []string) (ansinh.Counts, error) {
	counts, err := s.Counts(ctx)
	if err != nil {
		return ansinh.Counts{}, err
	}
	var c ansinh.Counts
	for _, u := range memberUnits(communes) {
		c = c.Add(counts[u])
	}
	return c, nil
}

// memberUnits are the members rosters of communes: "" names the people waiting.
func memberUnits(communes []string) []string {
	units := make([]string, 0, len(communes))
	for _, c := range communes {
		u := reviewUnit(c)
		if !slices.Contains(units, u) {
			units = append(units, u)
		}
	}
	return units
}

// EachBeneficiary calls fn with every beneficiary of communes, numbers masked: commune
// by commune in their order, each in name order (a province's in one pass, in the
// order stored). An error from fn stops it.
func (s *Store) EachBeneficiary(ctx context.Context, communes []string, fn func(*ansinh.Beneficiary) error) error {
	err := s.walkExport(ctx, communes, nil, beneficiaryFields, func(d *beneficiaryDoc) error { return fn(d.beneficiary()) })
	if err != nil {
		return s.fail("export beneficiaries", err)
	}
	return nil
}

// EachPaymentRow calls fn with the verified account of every beneficiary of communes
// ("" for the people waiting for a commune), of the programme when one is given,
// numbers decrypted, commune by commune in code order and each in name order (a
// province's in one pass). Callers audit it.
func (s *Store) EachPaymentRow(ctx context.Context, communes []string, program ansinh.Group, fn func(PaymentRow) error) error {
	communes = slices.Clone(communes)
	slices.Sort(communes)
	keep := func(m member) bool {
		return m.account != '-' && (program == "" || m.group == groupLetters[string(program)])
	}
	err := s.walkExport(ctx, communes, keep, nil, func(d *beneficiaryDoc) error {
		if d.Account == nil || program != "" && d.Group != string(program) {
			return nil
		}
		cccd, err := s.vault.Open(d.CCCDEnc, ctxCCCD)
		if err != nil {
			return err
		}
		number, err := s.vault.Open(d.Account.NumberEnc, ctxAccount)
		if err != nil {
			return err
		}
		return fn(PaymentRow{Name: d.Name, CCCD: cccd, Commune: d.Commune, Group: d.Group, BankBIN: d.Account.BankBIN,
			AccountNumber: number, HolderName: d.Account.HolderName, Proxy: d.Account.Proxy, Amount: d.Amount})
	})
	if err != nil {
		return s.fail("payment list", err)
	}
	return nil
}

// walkExport reads the people of communes that keep accepts (nil: everyone), with
// the projection (nil: whole records), and calls fn with each.
func (s *Store) walkExport(ctx context.Context, communes []string, keep func(member) bool, projection bson.D, fn func(*beneficiaryDoc) error) error {
	units := memberUnits(communes)
	in := map[string]bool{}
	for _, u := range units {
		in[u] = true
	}
	if s.ferret {
		counts, err := s.Counts(ctx)
		if err != nil {
			return err
		}
		var scope, all int64
		for u, c := range counts {
			all += c.Beneficiaries
			if in[u] {
				scope += c.Beneficiaries
			}
		}
		if scope >= exportScanAbove && scope*10 > all {
			return s.scanExport(ctx, in, keep, projection, fn)
		}
	}
	for _, u := range units {
		d, err := s.roster(ctx, membersRoster, u)
		if err != nil {
			return err
		}
		var ids []string
		for _, l := range d.lines() {
			if m := parseMember(l); keep == nil || keep(m) {
				ids = append(ids, m.id)
			}
		}
		for i := 0; i < len(ids); i += exportChunk {
			err := s.eachBeneficiary(ctx, ids[i:min(i+exportChunk, len(ids))], projection, func(d *beneficiaryDoc) error {
				if d.beneficiary().CountedIn() != u { // a line that drifted: never someone of another commune
					return nil
				}
				return fn(d)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// scanExport is walkExport in one pass over the collection.
func (s *Store) scanExport(ctx context.Context, in map[string]bool, keep func(member) bool, projection bson.D, fn func(*beneficiaryDoc) error) error {
	opts := options.Find().SetBatchSize(exportChunk)
	if projection != nil {
		opts.SetProjection(projection)
	}
	cur, err := s.db.Collection(colBeneficiaries).Find(ctx, bson.D{}, opts)
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d beneficiaryDoc
		if err := cur.Decode(&d); err != nil {
			return err
		}
		if !in[d.beneficiary().CountedIn()] || keep != nil && !keep(parseMember(memberEntry(&d).line)) {
			continue
		}
		if err := fn(&d); err != nil {
			return err
		}
	}
	return cur.Err()
}
