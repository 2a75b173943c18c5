package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ansinh"
)

// DamageCountsForTest makes a commune's counters wrong, as a crash between two writes
// would.
func (s *Store) DamageCountsForTest(ctx context.Context, commune string) {
	_ = s.addCounts(ctx, commune, ansinh.Counts{Beneficiaries: 5, WithAccount: 2})
}

// FailAfterForTest makes multi-step writes fail after the named step (nil: never).
func (s *Store) FailAfterForTest(step string) {
	if step == "" {
		s.failAfter = nil
		return
	}
	s.failAfter = func(at string) error {
		if at == step {
			return errors.New("injected failure after " + step)
		}
		return nil
	}
}

// OpenDecisionsForTest counts the decisions still marked as being applied.
func (s *Store) OpenDecisionsForTest(ctx context.Context) int64 {
	n, _ := s.db.Collection(colDecisionsOpen).CountDocuments(ctx, bson.D{})
	return n
}

// CounterMovesForTest lists the moves a commune's counter still remembers.
func (s *Store) CounterMovesForTest(ctx context.Context, commune string) []string {
	var d struct {
		Moves []string `bson:"moves"`
	}
	_ = s.db.Collection(colCounters).FindOne(ctx, bson.D{{Key: "_id", Value: commune}}).Decode(&d)
	return d.Moves
}
