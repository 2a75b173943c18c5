package store

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// Paid through an account in a month, per commune. The people paid, one set per
// programme in a document per commune and month (paid_people, _id "YYYY-MM:commune"),
// grow by $addToSet, which a replayed file or a retry after a crash repeats
// harmlessly; the month's small counter document (paid_counters, _id "YYYY-MM", each
// commune's figures in it) that the coverage reads in one lookup is raised to the
// sets' sizes by $max, so that a writer that read the sets before another's addition
// never lowers it. Every update filters on _id alone, which the embedded store finds
// by its index.
const (
	colPaidCounters = "paid_counters"
	colPaidPeople   = "paid_people"
)

// paidMonthDoc is a month's paid counters, by commune.
type paidMonthDoc struct {
	ID       string                    `bson:"_id"` // YYYY-MM
	Communes map[string]paidCounterDoc `bson:"communes"`
}

// paidCounterDoc is one commune's figures of a month.
type paidCounterDoc struct {
	Paid int64 `bson:"paid"`
	NCC  int64 `bson:"ncc"`
	BTXH int64 `bson:"btxh"`
	HTXH int64 `bson:"htxh"`
}

func (d paidCounterDoc) counts() ansinh.Counts {
	return ansinh.Counts{PaidThisMonth: d.Paid, NCCPaid: d.NCC, BTXHPaid: d.BTXH, HTXHPaid: d.HTXH}
}

// paidPeopleDoc are the people counted in a paid counter, by programme (beneficiary
// ids; "other" for a person of no programme).
type paidPeopleDoc struct {
	ID      string   `bson:"_id"`
	Month   string   `bson:"month"`
	Commune string   `bson:"commune"`
	NCC     []string `bson:"ncc,omitempty"`
	BTXH    []string `bson:"btxh,omitempty"`
	HTXH    []string `bson:"htxh,omitempty"`
	Other   []string `bson:"other,omitempty"`
}

// people are the sets, with the programme of each.
func (d paidPeopleDoc) people() map[string]ansinh.Group {
	out := map[string]ansinh.Group{}
	for g, ids := range map[ansinh.Group][]string{ansinh.GroupNCC: d.NCC, ansinh.GroupBTXH: d.BTXH, ansinh.GroupHTXH: d.HTXH, "": d.Other} {
		for _, id := range ids {
			out[id] = g
		}
	}
	return out
}

// counts are the figures the sets make.
func (d paidPeopleDoc) counts() ansinh.Counts {
	var c ansinh.Counts
	for _, g := range d.people() {
		c = c.Add(ansinh.Paid(g))
	}
	return c
}

// paidSet is the field of a programme's set.
func paidSet(g ansinh.Group) string {
	switch g {
	case ansinh.GroupNCC, ansinh.GroupBTXH, ansinh.GroupHTXH:
		return strings.ToLower(string(g))
	}
	return "other"
}

// paidFields are a commune's figures as fields of its month's document.
func paidFields(commune string, c ansinh.Counts) bson.D {
	p := "communes." + commune + "."
	return bson.D{{Key: p + "paid", Value: c.PaidThisMonth}, {Key: p + "ncc", Value: c.NCCPaid}, {Key: p + "btxh", Value: c.BTXHPaid},
		{Key: p + "htxh", Value: c.HTXHPaid}}
}

// paidKey is the counter a result moves: its month and the person's commune (the
// counter of those waiting for one when none).
func paidKey(month, commune string) string {
	if commune == "" {
		commune = ansinh.UnassignedKey
	}
	return month + ":" + commune
}

func cutKey(key string) (month, commune string) {
	month, commune, _ = strings.Cut(key, ":")
	return month, commune
}

// CountPaid counts a paid result once in its commune's month. A returned one counts
// nobody but makes its month known (the coverage shows the latest month with results).
func (s *Store) CountPaid(ctx context.Context, p *ansinh.PaymentResult) error {
	key := paidKey(p.Month, p.Commune)
	if p.Result != ansinh.PaymentPaid {
		return s.syncPaid(ctx, key)
	}
	group := p.Group
	if group == "" {
		b, err := s.Beneficiary(ctx, p.BeneficiaryID)
		if err != nil {
			return err
		}
		group = b.Group
	}
	if err := s.addPaid(ctx, key, p.BeneficiaryID, group); err != nil {
		return err
	}
	return s.syncPaid(ctx, key)
}

// addPaid puts the person in the counter's set of their programme.
func (s *Store) addPaid(ctx context.Context, key, beneficiaryID string, g ansinh.Group) error {
	month, commune := cutKey(key)
	return s.upsertByID(ctx, colPaidPeople, key, bson.D{{Key: "$addToSet", Value: bson.D{{Key: paidSet(g), Value: beneficiaryID}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "month", Value: month}, {Key: "commune", Value: commune}}}})
}

// syncPaid raises the counter to the sizes of its sets (never lowers it).
func (s *Store) syncPaid(ctx context.Context, key string) error {
	var d paidPeopleDoc
	err := s.db.Collection(colPaidPeople).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return s.fail("count paid", err)
	}
	month, commune := cutKey(key)
	return s.upsertByID(ctx, colPaidCounters, month, bson.D{{Key: "$max", Value: paidFields(commune, d.counts())}})
}

// upsertByID applies update to the document key, creating it if need be. A duplicate
// key means another writer created it between our filter and our insert: the update
// matches now.
func (s *Store) upsertByID(ctx context.Context, col, key string, update bson.D) error {
	var err error
	for range 3 {
		_, err = s.db.Collection(col).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}}, update, options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	if err != nil {
		return s.fail("count paid", err)
	}
	return nil
}

// PaidCounts are the communes' paid counts of a month (PaidThisMonth and per programme).
func (s *Store) PaidCounts(ctx context.Context, month string) (map[string]ansinh.Counts, error) {
	var d paidMonthDoc
	err := s.db.Collection(colPaidCounters).FindOne(ctx, bson.D{{Key: "_id", Value: month}}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, s.fail("read paid counts", err)
	}
	out := make(map[string]ansinh.Counts, len(d.Communes))
	for c, f := range d.Communes {
		out[c] = f.counts()
	}
	return out, nil
}

// LatestPaidMonth is the latest payment month with a result ("" when none), next
// month's at the latest (a file may come early; a month beyond is a typing error that
// must not take the dashboards' figure). paid_counters holds one small document a
// month, so reading it in order costs the same on every store: one command.
func (s *Store) LatestPaidMonth(ctx context.Context, now time.Time) (string, error) {
	local := now.In(ansinh.Vietnam)
	next := time.Date(local.Year(), local.Month()+1, 1, 0, 0, 0, 0, ansinh.Vietnam).Format("2006-01")
	var d paidMonthDoc
	err := s.db.Collection(colPaidCounters).FindOne(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lte", Value: next}}}},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}}).SetProjection(bson.D{{Key: "_id", Value: 1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	if err != nil {
		return "", s.fail("latest paid month", err)
	}
	return d.ID, nil
}

// paidTruth is, per paid counter, the people the payment results say were paid, with
// their programme (none for a commune's month whose results all came back).
func paidTruth(ctx context.Context, db *mongo.Database) (map[string]map[string]ansinh.Group, error) {
	cur, err := db.Collection(colPaymentResults).Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var docs []paymentResultDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := map[string]map[string]ansinh.Group{}
	for _, d := range docs {
		key := paidKey(d.Month, d.Commune)
		if out[key] == nil {
			out[key] = map[string]ansinh.Group{} // a month with results, if none paid
		}
		if d.Result != ansinh.PaymentPaid {
			continue
		}
		g := ansinh.Group(d.Group)
		if g == "" { // a result older than the programme on it
			var b beneficiaryDoc
			err := db.Collection(colBeneficiaries).FindOne(ctx, bson.D{{Key: "_id", Value: d.BeneficiaryID}},
				options.FindOne().SetProjection(bson.D{{Key: "group", Value: 1}})).Decode(&b)
			if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
				return nil, err
			}
			g = ansinh.Group(b.Group)
		}
		out[key][d.BeneficiaryID] = g
	}
	return out, nil
}

// PaidDrift is one paid counter that differs from the payment results: the people
// its sets lack, those they hold without a paid result, and how far its figures are
// from its sets'.
type PaidDrift struct {
	Counter string
	Missing []string
	Extra   []string
	Delta   ansinh.Counts
}

// ReconcilePaid compares every paid counter with the payment results and, with
// repair, corrects it: a missing person is added to the sets as the result's own step
// adds them (so a result being applied meanwhile is not counted twice), a person
// without a paid result is taken out, and figures that differ from the sets are set
// to them by an update that matches only if the counter did not move since it was
// read (else it is left for the next run).
func (s *Store) ReconcilePaid(ctx context.Context, repair bool) ([]PaidDrift, error) {
	// The sets and counters first, then the results: a result is recorded before it
	// is counted, so every person a set read holds has their result in the later
	// reading, and nobody being counted meanwhile looks like a stray.
	var sets []paidPeopleDoc
	var months []paidMonthDoc
	for col, out := range map[string]any{colPaidPeople: &sets, colPaidCounters: &months} {
		cur, err := s.db.Collection(col).Find(ctx, bson.D{})
		if err != nil {
			return nil, s.fail("reconcile paid", err)
		}
		if err := cur.All(ctx, out); err != nil {
			return nil, s.fail("reconcile paid", err)
		}
	}
	truth, err := paidTruth(ctx, s.db)
	if err != nil {
		return nil, s.fail("reconcile paid", err)
	}
	held := map[string]paidPeopleDoc{}
	for _, d := range sets {
		held[d.ID] = d
	}
	stored := map[string]paidCounterDoc{}
	for _, m := range months {
		for c, d := range m.Communes {
			stored[m.ID+":"+c] = d
		}
	}
	keys := map[string]bool{}
	for _, m := range []map[string]bool{keysOf(truth), keysOf(held), keysOf(stored)} {
		for k := range m {
			keys[k] = true
		}
	}
	var out []PaidDrift
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		want, have, counter := truth[key], held[key].people(), stored[key]
		dr := PaidDrift{Counter: key}
		right := map[string]ansinh.Group{} // the people the sets should hold
		for id, g := range have {
			if _, ok := want[id]; ok {
				right[id] = g
			} else {
				dr.Extra = append(dr.Extra, id)
			}
		}
		for id, g := range want {
			if _, ok := have[id]; !ok {
				dr.Missing = append(dr.Missing, id)
				right[id] = g
			}
		}
		slices.Sort(dr.Missing)
		slices.Sort(dr.Extra)
		var c ansinh.Counts
		for _, g := range right {
			c = c.Add(ansinh.Paid(g))
		}
		dr.Delta = c.Sub(counter.counts())
		if len(dr.Missing) == 0 && len(dr.Extra) == 0 && dr.Delta.IsZero() {
			continue
		}
		out = append(out, dr)
		if !repair {
			continue
		}
		for _, id := range dr.Missing {
			if err := s.addPaid(ctx, key, id, want[id]); err != nil {
				return out, err
			}
		}
		if len(dr.Extra) > 0 {
			pull := bson.D{}
			for _, set := range []string{"ncc", "btxh", "htxh", "other"} {
				pull = append(pull, bson.E{Key: set, Value: dr.Extra})
			}
			if _, err := s.db.Collection(colPaidPeople).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
				bson.D{{Key: "$pullAll", Value: pull}}); err != nil {
				return out, s.fail("reconcile paid", err)
			}
		}
		_, inStore := stored[key]
		if err := s.setPaidFromSets(ctx, key, counter, inStore); err != nil {
			return out, err
		}
	}
	return out, nil
}

// setPaidFromSets sets the counter to its sets' sizes, if it still holds what was read.
func (s *Store) setPaidFromSets(ctx context.Context, key string, read paidCounterDoc, exists bool) error {
	var d paidPeopleDoc
	err := s.db.Collection(colPaidPeople).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return s.fail("reconcile paid", err)
	}
	if !exists { // no counter yet: create it
		return s.syncPaid(ctx, key)
	}
	month, commune := cutKey(key)
	filter := append(bson.D{{Key: "_id", Value: month}}, paidFields(commune, read.counts())...)
	if _, err := s.db.Collection(colPaidCounters).UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: paidFields(commune, d.counts())}}); err != nil {
		return s.fail("reconcile paid", err)
	}
	return nil
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// recountPaidInto fills the paid counters and their sets from the payment results.
// Only for a store nobody writes to (a migration at start-up).
func recountPaidInto(ctx context.Context, db *mongo.Database) error {
	truth, err := paidTruth(ctx, db)
	if err != nil {
		return err
	}
	for _, col := range []string{colPaidCounters, colPaidPeople} {
		if _, err := db.Collection(col).DeleteMany(ctx, bson.D{}); err != nil {
			return err
		}
	}
	byMonth := map[string]*paidMonthDoc{}
	for key, people := range truth {
		month, commune := cutKey(key)
		d := paidPeopleDoc{ID: key, Month: month, Commune: commune}
		for _, id := range slices.Sorted(maps.Keys(people)) {
			switch people[id] {
			case ansinh.GroupNCC:
				d.NCC = append(d.NCC, id)
			case ansinh.GroupBTXH:
				d.BTXH = append(d.BTXH, id)
			case ansinh.GroupHTXH:
				d.HTXH = append(d.HTXH, id)
			default:
				d.Other = append(d.Other, id)
			}
		}
		c := d.counts()
		if _, err := db.Collection(colPaidPeople).InsertOne(ctx, d); err != nil {
			return err
		}
		if byMonth[month] == nil {
			byMonth[month] = &paidMonthDoc{ID: month, Communes: map[string]paidCounterDoc{}}
		}
		byMonth[month].Communes[commune] = paidCounterDoc{Paid: c.PaidThisMonth, NCC: c.NCCPaid, BTXH: c.BTXHPaid, HTXH: c.HTXHPaid}
	}
	for _, d := range byMonth {
		if _, err := db.Collection(colPaidCounters).InsertOne(ctx, d); err != nil {
			return err
		}
	}
	return nil
}
