package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// loginFailureDoc is one failed login; one is inserted per failure and counted over a
// sliding window, so concurrent failures on several instances all count.
type loginFailureDoc struct {
	ID        bson.ObjectID `bson:"_id"`
	Key       string        `bson:"key"`
	At        time.Time     `bson:"at"`
	ExpiresAt time.Time     `bson:"expires_at"`
}

// AddLoginFailure records a failed login under each key (e.g. "user:x", "ip:y").
func (s *Store) AddLoginFailure(ctx context.Context, now time.Time, window time.Duration, keys ...string) error {
	docs := make([]any, 0, len(keys))
	for _, k := range keys {
		docs = append(docs, loginFailureDoc{ID: bson.NewObjectID(), Key: k, At: now.UTC(), ExpiresAt: now.Add(window).UTC()})
	}
	if _, err := s.db.Collection(colLoginFailures).InsertMany(ctx, docs); err != nil {
		return s.fail("add login failure", err)
	}
	return nil
}

// LoginFailures counts each key's failures after now-window.
func (s *Store) LoginFailures(ctx context.Context, now time.Time, window time.Duration, keys ...string) (map[string]int, error) {
	cur, err := s.db.Collection(colLoginFailures).Find(ctx, bson.D{
		{Key: "key", Value: bson.D{{Key: "$in", Value: keys}}},
		{Key: "at", Value: bson.D{{Key: "$gt", Value: now.Add(-window).UTC()}}},
	})
	if err != nil {
		return nil, s.fail("count login failures", err)
	}
	var docs []loginFailureDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("count login failures", err)
	}
	counts := make(map[string]int, len(keys))
	for _, d := range docs {
		counts[d.Key]++
	}
	return counts, nil
}
