package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Live data (beneficiaries, registrations, the queue, counters, users, QR codes) holds
// unit codes of the store's unit set, recorded in one document of the schema
// collection with the history of the sets the store has been in. Documents that keep
// their codes when the store moves to another set (frozen reports, snapshots, import
// reports, audit events) are stamped with their own set.

const unitSetDocID = "unit_set"

type unitSetDoc struct {
	ID      string         `bson:"_id"`
	Set     string         `bson:"set"`
	Since   time.Time      `bson:"since"`
	History []unitSetSince `bson:"history"`
}

type unitSetSince struct {
	Set   string    `bson:"set"`
	Since time.Time `bson:"since"`
}

// StoredUnitSet returns the set the store's live data is in, and "" when the store has
// never recorded one (a store made before unit sets existed, or a new one).
func (s *Store) StoredUnitSet(ctx context.Context) (string, error) {
	var d unitSetDoc
	err := s.db.Collection(colSchema).FindOne(ctx, bson.D{{Key: "_id", Value: unitSetDocID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	if err != nil {
		return "", s.fail("read unit set", err)
	}
	return d.Set, nil
}

// RecordUnitSet records that the live data is now in set, keeping the history.
func (s *Store) RecordUnitSet(ctx context.Context, set string, now time.Time) error {
	_, err := s.db.Collection(colSchema).UpdateOne(ctx, bson.D{{Key: "_id", Value: unitSetDocID}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "set", Value: set}, {Key: "since", Value: now.UTC()}}},
		{Key: "$push", Value: bson.D{{Key: "history", Value: unitSetSince{Set: set, Since: now.UTC()}}}},
	}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return s.fail("record unit set", err)
	}
	return nil
}

// UnitSet is the set this store writes codes in.
func (s *Store) UnitSet() string { return s.unitSet }

// unitSetOf is the set to stamp beside a unit code; none when there is no code.
func (s *Store) unitSetOf(code string) string {
	if code == "" {
		return ""
	}
	return s.unitSet
}

// firstUnitSet is the set of documents stamped with none: the first set the store
// recorded, or the store's own when it never recorded one.
func (s *Store) firstUnitSet(ctx context.Context) (string, error) {
	var d unitSetDoc
	err := s.db.Collection(colSchema).FindOne(ctx, bson.D{{Key: "_id", Value: unitSetDocID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return s.unitSet, nil
	}
	if err != nil {
		return "", s.fail("read unit set", err)
	}
	if len(d.History) > 0 {
		return d.History[0].Set, nil
	}
	return d.Set, nil
}

// HoldsData reports whether the store holds anything written in a unit set's codes:
// staff users, beneficiaries, submissions or reports. A store without is new.
func (s *Store) HoldsData(ctx context.Context) (bool, error) {
	for _, name := range []string{colUsers, colBeneficiaries, colRegistrations, colReports, colImports, colSnapshots} {
		err := s.db.Collection(name).FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return false, s.fail("holds data", err)
		}
	}
	return false, nil
}
