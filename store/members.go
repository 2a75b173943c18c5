package store

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"ansinh"
)

// The members roster of a commune (m:<commune>, see rosters.go) has a line per person:
//
//	<id> <flags> <candidates> <name key>
//
// id is the record's _id (the CCCD's blind index); flags are four letters: the
// programme (B BTXH, H HTXH, N NCC), the account (- none, a own, p a proxy's), the
// eligibility (e eligible, n not), the identity check (u unchecked, m matched, x
// mismatch); candidates are the communes a waiting person chooses from, comma-separated
// ("-" for everyone else); the name key is the folded name the record keeps for search
// (NameKey). Lines are in name-key order, then by id: a commune's list is its roster in
// order.

var membersRoster = &rosterKind{name: rosterMembers, col: colRosters, truth: membersTruth, scan: scanMembers,
	less: func(a, b string) bool {
		ma, mb := parseMember(a), parseMember(b)
		return ma.name < mb.name || ma.name == mb.name && ma.id < mb.id
	}}

// memberProjection is what a line needs from a record.
var memberProjection = bson.D{{Key: "_id", Value: 1}, {Key: "commune", Value: 1}, {Key: "candidates", Value: 1},
	{Key: "name_key", Value: 1}, {Key: "group", Value: 1}, {Key: "eligible", Value: 1}, {Key: "account.proxy", Value: 1},
	{Key: "account.bin", Value: 1}, {Key: "identity.state", Value: 1}}

var groupLetters = map[string]byte{string(ansinh.GroupBTXH): 'B', string(ansinh.GroupHTXH): 'H', string(ansinh.GroupNCC): 'N'}

// memberEntry is the roster and the line of a record.
func memberEntry(d *beneficiaryDoc) rosterEntry {
	b := d.beneficiary()
	flags := []byte("?-eu")
	if g, ok := groupLetters[d.Group]; ok {
		flags[0] = g
	}
	if d.Account != nil {
		flags[1] = 'a'
		if d.Account.Proxy {
			flags[1] = 'p'
		}
	}
	if !d.Eligible {
		flags[2] = 'n'
	}
	switch d.Identity.State {
	case ansinh.IdentityMatched:
		flags[3] = 'm'
	case ansinh.IdentityMismatch:
		flags[3] = 'x'
	case ansinh.IdentityUnchecked, "":
	default:
		flags[3] = '?'
	}
	cands := "-"
	if b.Waiting() {
		cands = strings.Join(d.Candidates, ",")
	}
	return rosterEntry{unit: b.CountedIn(), line: d.ID + " " + string(flags) + " " + cands + " " + d.NameKey}
}

// member is a parsed line.
type member struct {
	id, name   string
	group      byte
	account    byte
	eligible   bool
	identity   byte
	candidates string // "-" or codes
}

func parseMember(line string) member {
	f := strings.SplitN(line, " ", 4)
	for len(f) < 4 {
		f = append(f, "")
	}
	m := member{id: f[0], candidates: f[2], name: f[3]}
	if len(f[1]) == 4 {
		m.group, m.account, m.eligible, m.identity = f[1][0], f[1][1], f[1][2] == 'e', f[1][3]
	}
	return m
}

func (m member) hasCandidate(communes map[string]bool) bool {
	for _, c := range strings.Split(m.candidates, ",") {
		if communes[c] {
			return true
		}
	}
	return false
}

var identityLetters = map[string]byte{ansinh.IdentityUnchecked: 'u', ansinh.IdentityMatched: 'm', ansinh.IdentityMismatch: 'x'}

func membersTruth(ctx context.Context, s *Store, keys []string) (map[string]rosterEntry, error) {
	out := map[string]rosterEntry{}
	err := s.rosterLookups(ctx, colBeneficiaries, keys, memberProjection, func(raw bson.Raw) error {
		var d beneficiaryDoc
		if err := bson.Unmarshal(raw, &d); err != nil {
			return err
		}
		out[d.ID] = memberEntry(&d)
		return nil
	})
	return out, err
}

func scanMembers(ctx context.Context, db *mongo.Database, each func(string, rosterEntry)) error {
	cur, err := db.Collection(colBeneficiaries).Find(ctx, bson.D{}, options.Find().SetProjection(memberProjection).SetBatchSize(5000))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d beneficiaryDoc
		if err := cur.Decode(&d); err != nil {
			return err
		}
		each(d.ID, memberEntry(&d))
	}
	return cur.Err()
}

// syncMember rewrites the person's line in the roster they are in now and in those
// they may have left (units: where they were before the write).
func (s *Store) syncMember(ctx context.Context, id string, units ...string) error {
	var now beneficiaryDoc
	err := s.db.Collection(colBeneficiaries).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "commune", Value: 1}, {Key: "candidates", Value: 1}})).Decode(&now)
	if err == nil {
		units = append(units, now.beneficiary().CountedIn())
	} else if !isNotFound(err) {
		return s.fail("sync member", err)
	}
	return s.rewriteOne(ctx, membersRoster, id, units...)
}

// beneficiaryFields are the fields lists show: never the sealed numbers.
var beneficiaryFields = bson.D{{Key: "cccd_enc", Value: 0}, {Key: "account.number_enc", Value: 0}}

// Beneficiaries returns one page of matching records and the total. A commune's list
// is its roster, in name order; a list of several communes without a filter walks
// them in their order, each in name order, reading only the rosters the page falls in
// (the counters say how many each holds); a search or a filter over several communes
// reads each one's roster and orders the matches by name. The page's people are then
// read by _id, and each is checked again against the query, so that a roster that
// drifted never shows anyone outside it.
func (s *Store) Beneficiaries(ctx context.Context, q ansinh.BeneficiaryQuery) ([]*ansinh.Beneficiary, int64, error) {
	in := map[string]bool{}
	for _, c := range q.Communes {
		in[c] = true
	}
	match := func(d *beneficiaryDoc) bool {
		b := d.beneficiary()
		if q.Waiting {
			if !b.Waiting() || !slices.ContainsFunc(b.Candidates, func(c string) bool { return in[c] }) {
				return false
			}
		} else if !in[d.Commune] {
			return false
		}
		return (q.Name == "" || strings.Contains(d.NameKey, q.Name)) && (q.Identity == "" || d.Identity.State == q.Identity)
	}
	if q.CCCD != "" {
		d, err := s.beneficiaryDoc(ctx, s.BeneficiaryID(q.CCCD))
		if isNotFound(err) || err == nil && !match(d) {
			return []*ansinh.Beneficiary{}, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		if q.Skip > 0 {
			return []*ansinh.Beneficiary{}, 1, nil
		}
		return []*ansinh.Beneficiary{d.beneficiary()}, 1, nil
	}
	ids, total, err := s.memberPage(ctx, q, in)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*ansinh.Beneficiary, 0, len(ids))
	err = s.eachBeneficiary(ctx, ids, beneficiaryFields, func(d *beneficiaryDoc) error {
		if match(d) {
			out = append(out, d.beneficiary())
		}
		return nil
	})
	if err != nil {
		return nil, 0, s.fail("list beneficiaries", err)
	}
	return out, total, nil
}

// memberPage finds, in the rosters, the ids of one page of q and the total.
func (s *Store) memberPage(ctx context.Context, q ansinh.BeneficiaryQuery, in map[string]bool) ([]string, int64, error) {
	units := q.Communes
	if q.Waiting {
		units = []string{ansinh.UnassignedKey}
	}
	end := q.Skip + q.Limit
	if q.Limit <= 0 {
		end = 1<<62 - 1
	}
	filtered := q.Name != "" || q.Identity != "" || q.Waiting
	if !filtered && len(units) > 1 {
		return s.walkMembers(ctx, units, q.Skip, end)
	}
	want := func(m member) bool {
		return (!q.Waiting || m.hasCandidate(in)) && (q.Name == "" || strings.Contains(m.name, q.Name)) &&
			(q.Identity == "" || m.identity == identityLetters[q.Identity])
	}
	lists, err := s.memberRosters(ctx, units)
	if err != nil {
		return nil, 0, err
	}
	var found []member
	for _, list := range lists {
		for _, m := range list {
			if want(m) {
				found = append(found, m)
			}
		}
	}
	if len(lists) > 1 {
		sort.Slice(found, func(i, j int) bool {
			return found[i].name < found[j].name || found[i].name == found[j].name && found[i].id < found[j].id
		})
	}
	var ids []string
	for i := q.Skip; i < min(end, int64(len(found))); i++ {
		ids = append(ids, found[i].id)
	}
	return ids, int64(len(found)), nil
}

// walkMembers is the page [skip, end) of the communes' people in commune order, each
// commune in name order, reading only the rosters it falls in.
func (s *Store) walkMembers(ctx context.Context, units []string, skip, end int64) ([]string, int64, error) {
	counts, err := s.Counts(ctx)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	var ids []string
	for _, u := range units {
		n := counts[u].Beneficiaries
		from, to := total, total+n
		total = to
		if to <= skip || from >= end || n == 0 {
			continue
		}
		d, err := s.roster(ctx, membersRoster, u)
		if err != nil {
			return nil, 0, err
		}
		lines := d.lines()
		for i := max(skip-from, 0); i < min(end-from, int64(len(lines))); i++ {
			ids = append(ids, lineKey(lines[i]))
		}
	}
	return ids, total, nil
}

// lookupWorkers is how many _id lookups a page has in flight on FerretDB. Even on its
// one connection the driver's work and the server's overlap: 400 lookups took 730 ms
// one after the other and 430 ms four at a time (measured on this machine, busy).
const lookupWorkers = 4

// eachBeneficiary reads the records of ids, in that order, with the projection.
func (s *Store) eachBeneficiary(ctx context.Context, ids []string, projection bson.D, fn func(*beneficiaryDoc) error) error {
	if s.ferret {
		docs := make([]*beneficiaryDoc, len(ids))
		opts := options.FindOne()
		if projection != nil {
			opts.SetProjection(projection)
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(lookupWorkers)
		for i, id := range ids {
			g.Go(func() error {
				var d beneficiaryDoc
				err := s.db.Collection(colBeneficiaries).FindOne(gctx, bson.D{{Key: "_id", Value: id}}, opts).Decode(&d)
				if errors.Is(err, mongo.ErrNoDocuments) {
					return nil
				}
				docs[i] = &d
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for _, d := range docs {
			if d != nil {
				if err := fn(d); err != nil {
					return err
				}
			}
		}
		return nil
	}
	// One query for the lot on MongoDB, whose answer comes in its own order.
	got := make(map[string]*beneficiaryDoc, len(ids))
	err := s.rosterLookups(ctx, colBeneficiaries, ids, projection, func(raw bson.Raw) error {
		var d beneficiaryDoc
		if err := bson.Unmarshal(raw, &d); err != nil {
			return err
		}
		got[d.ID] = &d
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if d := got[id]; d != nil {
			if err := fn(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// CountWaiting counts the people who wait for a commune with a candidate among communes.
func (s *Store) CountWaiting(ctx context.Context, communes []string) (int64, error) {
	d, err := s.roster(ctx, membersRoster, ansinh.UnassignedKey)
	if err != nil {
		return 0, err
	}
	in := map[string]bool{}
	for _, c := range communes {
		in[c] = true
	}
	var n int64
	for _, l := range d.lines() {
		if parseMember(l).hasCandidate(in) {
			n++
		}
	}
	return n, nil
}

func isNotFound(err error) bool {
	return err != nil && (ansinh.ErrorCode(err) == ansinh.ENOTFOUND || err == mongo.ErrNoDocuments)
}
