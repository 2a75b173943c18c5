package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// qrTokenDoc is a personal QR code printed on one beneficiary's notice; revoking it
// inserts a revocation (_id the same token id) rather than updating it.
type qrTokenDoc struct {
	ID            string    `bson:"_id"`
	BeneficiaryID string    `bson:"beneficiary_id"`
	IssuedBy      string    `bson:"issued_by"`
	IssuedAt      time.Time `bson:"issued_at"`
	ExpiresAt     time.Time `bson:"expires_at"`
}

type revocationDoc struct {
	ID string    `bson:"_id"`
	By string    `bson:"by"`
	At time.Time `bson:"at"`
}

// CreateQRToken stores a personal code.
func (s *Store) CreateQRToken(ctx context.Context, id, beneficiaryID, by string, now, expires time.Time) error {
	_, err := s.db.Collection(colQRTokens).InsertOne(ctx, qrTokenDoc{ID: id, BeneficiaryID: beneficiaryID, IssuedBy: by,
		IssuedAt: now.UTC(), ExpiresAt: expires.UTC()})
	if err != nil {
		return s.fail("create qr token", err)
	}
	return nil
}

// LookupQRToken returns a personal code and whether it was revoked.
func (s *Store) LookupQRToken(ctx context.Context, id string) (*ansinh.QRToken, error) {
	var d qrTokenDoc
	if err := s.db.Collection(colQRTokens).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, s.fail("find qr token", err)
	}
	t := &ansinh.QRToken{ID: d.ID, BeneficiaryID: d.BeneficiaryID, ExpiresAt: d.ExpiresAt}
	err := s.db.Collection(colQRRevocations).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err()
	switch {
	case err == nil:
		t.Revoked = true
	case !errors.Is(err, mongo.ErrNoDocuments):
		return nil, s.fail("find qr revocation", err)
	}
	return t, nil
}

// RevokeQRToken revokes a personal code; revoking twice is not an error.
func (s *Store) RevokeQRToken(ctx context.Context, id, by string, at time.Time) error {
	_, err := s.db.Collection(colQRRevocations).InsertOne(ctx, revocationDoc{ID: id, By: by, At: at.UTC()})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("revoke qr token", err)
	}
	return nil
}

// lockDoc shuts a key (an identity being guessed) until a time.
type lockDoc struct {
	ID    string    `bson:"_id"`
	Until time.Time `bson:"until"`
}

// Lock shuts key until the given time.
func (s *Store) Lock(ctx context.Context, key string, until time.Time) error {
	_, err := s.db.Collection(colLocks).ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}}, lockDoc{ID: key, Until: until.UTC()},
		options.Replace().SetUpsert(true))
	if err != nil {
		return s.fail("lock", err)
	}
	return nil
}

// Locked reports whether key is shut at now.
func (s *Store) Locked(ctx context.Context, key string, now time.Time) (bool, error) {
	var d lockDoc
	err := s.db.Collection(colLocks).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("read lock", err)
	}
	return now.Before(d.Until), nil
}
