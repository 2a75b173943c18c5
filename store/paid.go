package store

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// Paid through an account in a month: one small counter document per commune and
// payment month (_id "YYYY-MM:commune"), moved once per person by the payment result
// that says "paid". The document remembers the people it counts (moves), and the
// filter and the increment are one single-document update, so that a replayed file,
// or a retry after a crash, never counts a person twice.
const colPaidCounters = "paid_counters"

type paidCounterDoc struct {
	ID      string `bson:"_id"`
	Month   string `bson:"month"`
	Commune string `bson:"commune"`
	Paid    int64  `bson:"paid"`
	NCC     int64  `bson:"ncc"`
	BTXH    int64  `bson:"btxh"`
	HTXH    int64  `bson:"htxh"`
	// Moves are the people counted (beneficiary ids); read only by _id.
	Moves []string `bson:"moves,omitempty"`
}

func (d paidCounterDoc) counts() ansinh.Counts {
	return ansinh.Counts{PaidThisMonth: d.Paid, NCCPaid: d.NCC, BTXHPaid: d.BTXH, HTXHPaid: d.HTXH}
}

func paidInc(c ansinh.Counts) bson.D {
	return bson.D{{Key: "paid", Value: c.PaidThisMonth}, {Key: "ncc", Value: c.NCCPaid}, {Key: "btxh", Value: c.BTXHPaid},
		{Key: "htxh", Value: c.HTXHPaid}}
}

// paidKey is the counter a result moves: its month and the person's commune (the
// counter of those waiting for one when none).
func paidKey(month, commune string) string {
	if commune == "" {
		commune = ansinh.UnassignedKey
	}
	return month + ":" + commune
}

// CountPaid counts a paid result once in its commune's month. A returned one counts
// nobody but makes its month known (the coverage shows the latest month with results).
func (s *Store) CountPaid(ctx context.Context, p *ansinh.PaymentResult) error {
	key := paidKey(p.Month, p.Commune)
	onInsert := bson.D{{Key: "month", Value: p.Month}, {Key: "commune", Value: key[len(p.Month)+1:]}}
	if p.Result != ansinh.PaymentPaid {
		return s.upsertPaid(ctx, bson.D{{Key: "_id", Value: key}}, bson.D{{Key: "$setOnInsert", Value: onInsert}}, "")
	}
	group := ansinh.Group(p.Group)
	if group == "" {
		b, err := s.Beneficiary(ctx, p.BeneficiaryID)
		if err != nil {
			return err
		}
		group = b.Group
	}
	return s.addPaidOnce(ctx, key, onInsert, p.BeneficiaryID, group)
}

// addPaidOnce counts the person once in the counter key.
func (s *Store) addPaidOnce(ctx context.Context, key string, onInsert bson.D, beneficiaryID string, g ansinh.Group) error {
	filter := bson.D{{Key: "_id", Value: key}, {Key: "moves", Value: bson.D{{Key: "$ne", Value: beneficiaryID}}}}
	update := bson.D{{Key: "$inc", Value: paidInc(ansinh.Paid(g))}, {Key: "$push", Value: bson.D{{Key: "moves", Value: beneficiaryID}}},
		{Key: "$setOnInsert", Value: onInsert}}
	return s.upsertPaid(ctx, filter, update, beneficiaryID)
}

// upsertPaid runs an upsert of a paid counter. A duplicate key means the document
// exists: it holds the move already (done), or another writer created it between our
// filter and our insert, and the update matches now.
func (s *Store) upsertPaid(ctx context.Context, filter, update bson.D, move string) error {
	col := s.db.Collection(colPaidCounters)
	var err error
	for range 3 {
		_, err = col.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
		if move == "" {
			continue
		}
		n, cerr := col.CountDocuments(ctx, bson.D{filter[0], {Key: "moves", Value: move}})
		if cerr != nil {
			return s.fail("count paid", cerr)
		}
		if n > 0 {
			return nil
		}
	}
	if err != nil {
		return s.fail("count paid", err)
	}
	return nil
}

// PaidCounts are the communes' paid counts of a month (PaidThisMonth and per programme).
func (s *Store) PaidCounts(ctx context.Context, month string) (map[string]ansinh.Counts, error) {
	cur, err := s.db.Collection(colPaidCounters).Find(ctx, bson.D{{Key: "month", Value: month}},
		options.Find().SetProjection(bson.D{{Key: "moves", Value: 0}}))
	if err != nil {
		return nil, s.fail("read paid counts", err)
	}
	var docs []paidCounterDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("read paid counts", err)
	}
	out := make(map[string]ansinh.Counts, len(docs))
	for _, d := range docs {
		out[d.Commune] = d.counts()
	}
	return out, nil
}

// LatestPaidMonth is the latest payment month with a result ("" when none).
func (s *Store) LatestPaidMonth(ctx context.Context) (string, error) {
	var d paidCounterDoc
	err := s.db.Collection(colPaidCounters).FindOne(ctx, bson.D{},
		options.FindOne().SetSort(bson.D{{Key: "month", Value: -1}}).SetProjection(bson.D{{Key: "month", Value: 1}})).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return "", nil
	}
	if err != nil {
		return "", s.fail("latest paid month", err)
	}
	return d.Month, nil
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
			if err != nil && err != mongo.ErrNoDocuments {
				return nil, err
			}
			g = ansinh.Group(b.Group)
		}
		out[key][d.BeneficiaryID] = g
	}
	return out, nil
}

// PaidDrift is one paid counter that differs from the payment results: the people
// it lacks, those it counts without a paid result, and the difference of its figures
// from those of the people it holds.
type PaidDrift struct {
	Counter string
	Missing []string
	Extra   []string
	Delta   ansinh.Counts
}

// ReconcilePaid compares every paid counter with the payment results and, with
// repair, corrects it: a missing person is counted by the same once-only move as the
// result's own step (so a result being applied meanwhile is not counted twice); the
// people without a paid result and a drift of the figures are taken out in one update
// that matches only if the counter did not move since it was read (else it is left
// for the next run).
func (s *Store) ReconcilePaid(ctx context.Context, repair bool) ([]PaidDrift, error) {
	// The counters first, then the results: a result is recorded before it is
	// counted, so every person a counter read holds has their result in the later
	// reading, and nobody being counted meanwhile looks like a stray.
	cur, err := s.db.Collection(colPaidCounters).Find(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("reconcile paid", err)
	}
	var docs []paidCounterDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("reconcile paid", err)
	}
	truth, err := paidTruth(ctx, s.db)
	if err != nil {
		return nil, s.fail("reconcile paid", err)
	}
	stored := map[string]paidCounterDoc{}
	for _, d := range docs {
		stored[d.ID] = d
	}
	keys := make([]string, 0, len(truth)+len(stored))
	for k := range truth {
		keys = append(keys, k)
	}
	for k := range stored {
		if _, ok := truth[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []PaidDrift
	for _, key := range keys {
		d, want := stored[key], truth[key]
		dr := PaidDrift{Counter: key}
		var held ansinh.Counts
		for _, id := range d.Moves {
			if g, ok := want[id]; ok {
				held = held.Add(ansinh.Paid(g))
			} else {
				dr.Extra = append(dr.Extra, id)
			}
		}
		for id := range want {
			if !slices.Contains(d.Moves, id) {
				dr.Missing = append(dr.Missing, id)
			}
		}
		slices.Sort(dr.Missing)
		dr.Delta = held.Sub(d.counts())
		if len(dr.Missing) == 0 && len(dr.Extra) == 0 && dr.Delta.IsZero() {
			continue
		}
		out = append(out, dr)
		if !repair {
			continue
		}
		if len(dr.Extra) > 0 || !dr.Delta.IsZero() {
			filter := bson.D{{Key: "_id", Value: key}, {Key: "paid", Value: d.Paid}, {Key: "ncc", Value: d.NCC},
				{Key: "btxh", Value: d.BTXH}, {Key: "htxh", Value: d.HTXH}}
			update := bson.D{{Key: "$inc", Value: paidInc(dr.Delta)}}
			if len(dr.Extra) > 0 {
				update = append(update, bson.E{Key: "$pullAll", Value: bson.D{{Key: "moves", Value: dr.Extra}}})
			}
			if _, err := s.db.Collection(colPaidCounters).UpdateOne(ctx, filter, update); err != nil {
				return out, s.fail("reconcile paid", err)
			}
		}
		month, commune, _ := cutKey(key)
		for _, id := range dr.Missing {
			onInsert := bson.D{{Key: "month", Value: month}, {Key: "commune", Value: commune}}
			if err := s.addPaidOnce(ctx, key, onInsert, id, want[id]); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func cutKey(key string) (month, commune string, ok bool) {
	if len(key) < 8 || key[7] != ':' {
		return "", "", false
	}
	return key[:7], key[8:], true
}

// recountPaidInto fills the paid counters from the payment results. Only for a store
// nobody writes to (a migration at start-up).
func recountPaidInto(ctx context.Context, db *mongo.Database) error {
	truth, err := paidTruth(ctx, db)
	if err != nil {
		return err
	}
	col := db.Collection(colPaidCounters)
	if _, err := col.DeleteMany(ctx, bson.D{}); err != nil {
		return err
	}
	for key, people := range truth {
		month, commune, _ := cutKey(key)
		d := paidCounterDoc{ID: key, Month: month, Commune: commune}
		var c ansinh.Counts
		for id, g := range people {
			d.Moves = append(d.Moves, id)
			c = c.Add(ansinh.Paid(g))
		}
		slices.Sort(d.Moves)
		d.Paid, d.NCC, d.BTXH, d.HTXH = c.PaidThisMonth, c.NCCPaid, c.BTXHPaid, c.HTXHPaid
		if _, err := col.InsertOne(ctx, d); err != nil {
			return err
		}
	}
	return nil
}
