package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// counterDoc holds one commune's counts (_id the commune code). It is small and
// changes with every record it counts, by $inc, so readers never scan beneficiaries.
type counterDoc struct {
	ID              string `bson:"_id"`
	Beneficiaries   int64  `bson:"beneficiaries"`
	WithAccount     int64  `bson:"with_account"`
	Proxy           int64  `bson:"proxy"`
	NotEligible     int64  `bson:"not_eligible"`
	NCC             int64  `bson:"ncc"`
	NCCWithAccount  int64  `bson:"ncc_with_account"`
	BTXH            int64  `bson:"btxh"`
	BTXHWithAccount int64  `bson:"btxh_with_account"`
}

func (d counterDoc) counts() ansinh.Counts {
	return ansinh.Counts{Beneficiaries: d.Beneficiaries, WithAccount: d.WithAccount, Proxy: d.Proxy, NotEligible: d.NotEligible,
		NCC: d.NCC, NCCWithAccount: d.NCCWithAccount, BTXH: d.BTXH, BTXHWithAccount: d.BTXHWithAccount}
}

// addCounts moves one commune's counters by delta.
func (s *Store) addCounts(ctx context.Context, commune string, delta ansinh.Counts) error {
	if delta.IsZero() {
		return nil
	}
	inc := bson.D{
		{Key: "beneficiaries", Value: delta.Beneficiaries}, {Key: "with_account", Value: delta.WithAccount},
		{Key: "proxy", Value: delta.Proxy}, {Key: "not_eligible", Value: delta.NotEligible},
		{Key: "ncc", Value: delta.NCC}, {Key: "ncc_with_account", Value: delta.NCCWithAccount},
		{Key: "btxh", Value: delta.BTXH}, {Key: "btxh_with_account", Value: delta.BTXHWithAccount},
	}
	_, err := s.db.Collection(colCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: commune}},
		bson.D{{Key: "$inc", Value: inc}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return s.fail("count", err)
	}
	return nil
}

// moveCounts applies the change of one record from before to after (either may be nil).
func (s *Store) moveCounts(ctx context.Context, before, after *ansinh.Beneficiary) error {
	switch {
	case before != nil && after != nil && before.Commune == after.Commune:
		return s.addCounts(ctx, after.Commune, ansinh.Contribution(after).Sub(ansinh.Contribution(before)))
	case before != nil:
		if err := s.addCounts(ctx, before.Commune, ansinh.Counts{}.Sub(ansinh.Contribution(before))); err != nil {
			return err
		}
	}
	if after != nil && (before == nil || before.Commune != after.Commune) {
		return s.addCounts(ctx, after.Commune, ansinh.Contribution(after))
	}
	return nil
}

// Counts returns every commune's counts.
func (s *Store) Counts(ctx context.Context) (map[string]ansinh.Counts, error) {
	cur, err := s.db.Collection(colCounters).Find(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("read counts", err)
	}
	var docs []counterDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("read counts", err)
	}
	out := make(map[string]ansinh.Counts, len(docs))
	for _, d := range docs {
		out[d.ID] = d.counts()
	}
	return out, nil
}

// RecountAll recomputes every commune's counts from the records, one pass. It returns
// them without writing: see Reconcile.
func (s *Store) RecountAll(ctx context.Context) (map[string]ansinh.Counts, error) {
	cur, err := s.db.Collection(colBeneficiaries).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "commune", Value: 1}, {Key: "group", Value: 1}, {Key: "eligible", Value: 1}, {Key: "account.proxy", Value: 1},
		{Key: "account.bin", Value: 1}}).SetBatchSize(5000))
	if err != nil {
		return nil, s.fail("recount", err)
	}
	defer cur.Close(ctx)
	out := map[string]ansinh.Counts{}
	for cur.Next(ctx) {
		var d beneficiaryDoc
		if err := cur.Decode(&d); err != nil {
			return nil, s.fail("recount", err)
		}
		out[d.Commune] = out[d.Commune].Add(ansinh.Contribution(d.beneficiary()))
	}
	if err := cur.Err(); err != nil {
		return nil, s.fail("recount", err)
	}
	return out, nil
}

// Reconcile compares the counters with a recount and, with repair, corrects the
// communes that drifted (by the difference, so counts moved meanwhile are kept). It
// returns the drift of each commune that had any.
func (s *Store) Reconcile(ctx context.Context, repair bool) (map[string]ansinh.Counts, error) {
	stored, err := s.Counts(ctx)
	if err != nil {
		return nil, err
	}
	actual, err := s.RecountAll(ctx)
	if err != nil {
		return nil, err
	}
	drift := map[string]ansinh.Counts{}
	for _, m := range []map[string]ansinh.Counts{stored, actual} {
		for commune := range m {
			if d := actual[commune].Sub(stored[commune]); !d.IsZero() {
				drift[commune] = d
			}
		}
	}
	if repair {
		for commune, d := range drift {
			if err := s.addCounts(ctx, commune, d); err != nil {
				return drift, err
			}
		}
	}
	return drift, nil
}
