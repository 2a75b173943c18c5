package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ansinh"
)

// apiClientDoc is a system allowed to call the G2P mapper (a payment system); _id is
// the SHA-256 of its token, which is shown once.
type apiClientDoc struct {
	TokenHash string    `bson:"_id"`
	Name      string    `bson:"name"`
	CreatedBy string    `bson:"created_by"`
	CreatedAt time.Time `bson:"created_at"`
}

// CreateAPIClient stores a client under its token's hash.
func (s *Store) CreateAPIClient(ctx context.Context, token, name, by string, now time.Time) error {
	_, err := s.db.Collection(colAPIClients).InsertOne(ctx, apiClientDoc{TokenHash: HashToken(token), Name: name, CreatedBy: by, CreatedAt: now.UTC()})
	if err != nil {
		return s.fail("create api client", err)
	}
	return nil
}

// APIClient returns the name of the client holding token.
func (s *Store) APIClient(ctx context.Context, token string) (string, error) {
	var d apiClientDoc
	if err := s.db.Collection(colAPIClients).FindOne(ctx, bson.D{{Key: "_id", Value: HashToken(token)}}).Decode(&d); err != nil {
		return "", s.fail("find api client", err)
	}
	return d.Name, nil
}

// AccountHolderID returns the beneficiary currently paid into the account (bin,
// number), if one is.
func (s *Store) AccountHolderID(ctx context.Context, bin, number string) (string, error) {
	index := s.AccountIndex(bin, number)
	var ref accountRefDoc
	if err := s.db.Collection(colAccountRefs).FindOne(ctx, bson.D{{Key: "_id", Value: index}}).Decode(&ref); err != nil {
		return "", s.fail("find account", err)
	}
	for _, id := range ref.Users {
		b, err := s.beneficiaryDoc(ctx, id)
		if err == nil && b.Account != nil && b.Account.Index == index {
			return id, nil
		}
	}
	return "", &ansinh.Error{Code: ansinh.ENOTFOUND, Message: ansinh.MsgNotFound}
}
