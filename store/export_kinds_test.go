package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ansinh"
)

// DamageKindsForTest moves one NCC bank account of the commune's counters to the
// wallets, leaving every other figure as it was: a drift of the split by kind alone.
func (s *Store) DamageKindsForTest(ctx context.Context, commune string) error {
	return s.addCounts(ctx, commune, ansinh.Counts{Bank: -1, Wallet: 1, NCCBank: -1, NCCWallet: 1})
}

// DamagePaidForTest makes a paid counter wrong as a bug or a hand edit would: one more
// paid in NCC, and a person counted who has no paid result.
func (s *Store) DamagePaidForTest(ctx context.Context, counter, stranger string) error {
	_, err := s.db.Collection(colPaidCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: counter}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "paid", Value: 2}, {Key: "ncc", Value: 2}}},
			{Key: "$push", Value: bson.D{{Key: "moves", Value: stranger}}}})
	return err
}

// UncountPaidForTest takes a person out of a paid counter's moves and figures, as a
// crash after a result was recorded and before it was counted leaves it.
func (s *Store) UncountPaidForTest(ctx context.Context, counter, beneficiaryID string, g ansinh.Group) error {
	_, err := s.db.Collection(colPaidCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: counter}},
		bson.D{{Key: "$inc", Value: paidInc(ansinh.Counts{}.Sub(ansinh.Paid(g)))},
			{Key: "$pull", Value: bson.D{{Key: "moves", Value: beneficiaryID}}}})
	return err
}

// ForgetKindsForTest makes the store look as before the split by kind: no kind figures
// in the counters, no paid counters.
func (s *Store) ForgetKindsForTest(ctx context.Context) error {
	unset := bson.D{}
	for _, f := range []string{"bank", "wallet", "vneid", "ncc_bank", "ncc_wallet", "ncc_vneid", "btxh_bank", "btxh_wallet",
		"btxh_vneid", "htxh_bank", "htxh_wallet", "htxh_vneid"} {
		unset = append(unset, bson.E{Key: f, Value: ""})
	}
	if _, err := s.db.Collection(colCounters).UpdateMany(ctx, bson.D{}, bson.D{{Key: "$unset", Value: unset}}); err != nil {
		return err
	}
	_, err := s.db.Collection(colPaidCounters).DeleteMany(ctx, bson.D{})
	return err
}
