package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ansinh"
)

// sessionDoc is a bearer token or web session; _id is the SHA-256 of the token, so a
// copy of the store gives nobody a usable token.
type sessionDoc struct {
	TokenHash string    `bson:"_id"`
	Username  string    `bson:"username"`
	Kind      string    `bson:"kind"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// HashToken returns the stored form of a session token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession stores a new session for the token.
func (s *Store) CreateSession(ctx context.Context, token string, sess *ansinh.Session) error {
	_, err := s.db.Collection(colSessions).InsertOne(ctx, sessionDoc{
		TokenHash: HashToken(token), Username: sess.Username, Kind: sess.Kind,
		CreatedAt: sess.CreatedAt.UTC(), ExpiresAt: sess.ExpiresAt.UTC(),
	})
	if err != nil {
		return s.fail("create session", err)
	}
	return nil
}

// Session returns the unexpired session of the token; an unknown or expired token is
// not found.
func (s *Store) Session(ctx context.Context, token string, now time.Time) (*ansinh.Session, error) {
	var d sessionDoc
	if err := s.db.Collection(colSessions).FindOne(ctx, bson.D{{Key: "_id", Value: HashToken(token)}}).Decode(&d); err != nil {
		return nil, s.fail("find session", err)
	}
	if !now.Before(d.ExpiresAt) {
		return nil, &ansinh.Error{Code: ansinh.ENOTFOUND, Message: ansinh.MsgUnauthorized}
	}
	return &ansinh.Session{TokenHash: d.TokenHash, Username: d.Username, Kind: d.Kind, CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt}, nil
}

// DeleteSession ends the token's session; an unknown token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.db.Collection(colSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: HashToken(token)}}); err != nil {
		return s.fail("delete session", err)
	}
	return nil
}

// DeleteUserSessions ends every session of the user but the one of keepToken (none
// when empty), and returns how many ended.
func (s *Store) DeleteUserSessions(ctx context.Context, username, keepToken string) (int64, error) {
	filter := bson.D{{Key: "username", Value: username}}
	if keepToken != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: HashToken(keepToken)}}})
	}
	res, err := s.db.Collection(colSessions).DeleteMany(ctx, filter)
	if err != nil {
		return 0, s.fail("delete user sessions", err)
	}
	return res.DeletedCount, nil
}

// PurgeExpired deletes expired sessions, login failures, rate counters, claims and
// remembered G2P message ids: the TTL monitor's work, which the embedded server does
// not do. It returns how many documents went.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	for _, col := range []string{colSessions, colLoginFailures, colRate, colClaims, colG2PMessages, colAttempts} {
		res, err := s.db.Collection(col).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
		if err != nil {
			return n, s.fail("purge "+col, err)
		}
		n += res.DeletedCount
	}
	return n, nil
}
