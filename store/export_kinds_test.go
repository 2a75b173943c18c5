package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ansinh"
)

// DamageKindsForTest moves one NCC bank account of the commune's counters to the
// wallets, leaving every other figure as it was: a drift of the split by kind alone.
func (s *Store) DamageKindsForTest(ctx context.Context, commune string) error {
	return s.addCounts(ctx, commune, ansinh.Counts{Bank: -1, Wallet: 1, NCCBank: -1, NCCWallet: 1})
}

// DamagePaidForTest makes a paid counter wrong as a bug or a hand edit would: two more
// paid in NCC, and a person in its NCC set who has no paid result.
func (s *Store) DamagePaidForTest(ctx context.Context, counter, stranger string) error {
	month, commune := cutKey(counter)
	if _, err := s.db.Collection(colPaidCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: month}},
		bson.D{{Key: "$inc", Value: paidFields(commune, ansinh.Counts{PaidThisMonth: 2, NCCPaid: 2})}}); err != nil {
		return err
	}
	_, err := s.db.Collection(colPaidPeople).UpdateOne(ctx, bson.D{{Key: "_id", Value: counter}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "ncc", Value: stranger}}}})
	return err
}

// UncountPaidForTest takes a person out of a paid counter's set and figures, as a
// crash after a result was recorded and before it was counted leaves it.
func (s *Store) UncountPaidForTest(ctx context.Context, counter, beneficiaryID string, g ansinh.Group) error {
	month, commune := cutKey(counter)
	if _, err := s.db.Collection(colPaidCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: month}},
		bson.D{{Key: "$inc", Value: paidFields(commune, ansinh.Counts{}.Sub(ansinh.Paid(g)))}}); err != nil {
		return err
	}
	_, err := s.db.Collection(colPaidPeople).UpdateOne(ctx, bson.D{{Key: "_id", Value: counter}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: paidSet(g), Value: beneficiaryID}}}})
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
	for _, col := range []string{colPaidCounters, colPaidPeople} {
		if _, err := s.db.Collection(col).DeleteMany(ctx, bson.D{}); err != nil {
			return err
		}
	}
	return nil
}

// InsertPaidCountersForTest stores a paid counter and its sets per month and commune,
// each with people paid (ids made up), as a year of payment files would leave them.
func (s *Store) InsertPaidCountersForTest(ctx context.Context, months, communes []string, people int) error {
	var counters, sets []any
	for _, m := range months {
		month := paidMonthDoc{ID: m, Communes: map[string]paidCounterDoc{}}
		counters = append(counters, month)
		for _, c := range communes {
			key := paidKey(m, c)
			month.Communes[c] = paidCounterDoc{Paid: int64(people), NCC: int64(people)}
			d := paidPeopleDoc{ID: key, Month: m, Commune: c}
			for i := range people {
				d.NCC = append(d.NCC, fmt.Sprintf("%s-%s-%06d-0123456789abcdef0123456789", m, c, i))
			}
			sets = append(sets, d)
		}
	}
	if _, err := s.db.Collection(colPaidCounters).InsertMany(ctx, counters); err != nil {
		return err
	}
	_, err := s.db.Collection(colPaidPeople).InsertMany(ctx, sets)
	return err
}
