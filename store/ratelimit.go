package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RateStore keeps the public endpoints' rate-limit counters in the store, so that
// every instance counts the same requests (Fiber's limiter.Storage).
type RateStore struct{ s *Store }

// RateStore returns the store-backed rate-limit storage.
func (s *Store) RateStore() *RateStore { return &RateStore{s: s} }

type rateDoc struct {
	ID        string    `bson:"_id"`
	Value     []byte    `bson:"value"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func (r *RateStore) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

// Get returns a key's value, nil when absent or expired.
func (r *RateStore) Get(key string) ([]byte, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	var d rateDoc
	err := r.s.db.Collection(colRate).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && !d.ExpiresAt.IsZero() && time.Now().After(d.ExpiresAt)) {
		return nil, nil
	}
	if err != nil {
		return nil, r.s.fail("rate get", err)
	}
	return d.Value, nil
}

// Set stores a key's value for exp (0: no expiry).
func (r *RateStore) Set(key string, val []byte, exp time.Duration) error {
	ctx, cancel := r.ctx()
	defer cancel()
	d := rateDoc{ID: key, Value: val}
	if exp > 0 {
		d.ExpiresAt = time.Now().Add(exp).UTC()
	}
	if _, err := r.s.db.Collection(colRate).ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}}, d, options.Replace().SetUpsert(true)); err != nil {
		return r.s.fail("rate set", err)
	}
	return nil
}

// Delete removes a key.
func (r *RateStore) Delete(key string) error {
	ctx, cancel := r.ctx()
	defer cancel()
	if _, err := r.s.db.Collection(colRate).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}}); err != nil {
		return r.s.fail("rate delete", err)
	}
	return nil
}

// Reset removes every key.
func (r *RateStore) Reset() error {
	ctx, cancel := r.ctx()
	defer cancel()
	if _, err := r.s.db.Collection(colRate).DeleteMany(ctx, bson.D{}); err != nil {
		return r.s.fail("rate reset", err)
	}
	return nil
}

// Close does nothing: the store closes with the service.
func (r *RateStore) Close() error { return nil }
