package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// G2P mapper clients. A client's record is keyed by its sender_id (g2p_clients); its
// bearer token by the token's hash (g2p_tokens), pointing at the sender. A token
// counts only while the client's record names the same hash, so a token whose client
// was never written (a crash between the two inserts) opens nothing. The tokens of
// the first mapper (api_clients, a name and no rights) are no longer read.
type g2pClientDoc struct {
	SenderID    string    `bson:"_id"`
	TokenHash   string    `bson:"token_hash"`
	Name        string    `bson:"name"`
	Units       []string  `bson:"units"`
	Details     bool      `bson:"details"`
	RateLimit   int       `bson:"rate_limit"`
	PublicKey   []byte    `bson:"public_key,omitempty"`
	CallbackURL string    `bson:"callback_url,omitempty"`
	Status      string    `bson:"status"`
	CreatedBy   string    `bson:"created_by"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedBy   string    `bson:"updated_by,omitempty"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

type g2pTokenDoc struct {
	TokenHash string    `bson:"_id"`
	SenderID  string    `bson:"sender_id"`
	CreatedAt time.Time `bson:"created_at"`
}

func (d *g2pClientDoc) client() *ansinh.APIClient {
	return &ansinh.APIClient{SenderID: d.SenderID, Name: d.Name, Units: d.Units, Details: d.Details, RateLimit: d.RateLimit,
		PublicKey: d.PublicKey, CallbackURL: d.CallbackURL, Status: d.Status, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt,
		UpdatedBy: d.UpdatedBy, UpdatedAt: d.UpdatedAt}
}

// CreateAPIClient stores a client with its token. A sender_id already registered is
// a conflict. The token goes first: alone it opens nothing (see above).
func (s *Store) CreateAPIClient(ctx context.Context, c *ansinh.APIClient, token string) error {
	hash := HashToken(token)
	now := c.CreatedAt.UTC()
	if _, err := s.db.Collection(colG2PTokens).InsertOne(ctx, g2pTokenDoc{TokenHash: hash, SenderID: c.SenderID, CreatedAt: now}); err != nil {
		return s.fail("create api client token", err)
	}
	if err := s.after("client token"); err != nil {
		return err
	}
	_, err := s.db.Collection(colG2PClients).InsertOne(ctx, g2pClientDoc{SenderID: c.SenderID, TokenHash: hash, Name: c.Name,
		Units: c.Units, Details: c.Details, RateLimit: c.RateLimit, PublicKey: c.PublicKey, CallbackURL: c.CallbackURL,
		Status: c.Status, CreatedBy: c.CreatedBy, CreatedAt: now, UpdatedAt: now})
	if mongo.IsDuplicateKeyError(err) {
		return &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgClientExists, Fields: map[string]string{"sender_id": ansinh.MsgClientExists}}
	}
	if err != nil {
		return s.fail("create api client", err)
	}
	return nil
}

// APIClientByToken returns the client holding token, whatever its state; not found
// for an unknown token.
func (s *Store) APIClientByToken(ctx context.Context, token string) (*ansinh.APIClient, error) {
	hash := HashToken(token)
	var t g2pTokenDoc
	if err := s.db.Collection(colG2PTokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&t); err != nil {
		return nil, s.fail("find api client token", err)
	}
	d, err := s.apiClientDoc(ctx, t.SenderID)
	if err != nil {
		return nil, err
	}
	if d.TokenHash != hash {
		return nil, &ansinh.Error{Code: ansinh.ENOTFOUND, Message: ansinh.MsgNotFound}
	}
	return d.client(), nil
}

// APIClient returns a client by its sender_id.
func (s *Store) APIClient(ctx context.Context, sender string) (*ansinh.APIClient, error) {
	d, err := s.apiClientDoc(ctx, sender)
	if err != nil {
		return nil, err
	}
	return d.client(), nil
}

func (s *Store) apiClientDoc(ctx context.Context, sender string) (*g2pClientDoc, error) {
	var d g2pClientDoc
	if err := s.db.Collection(colG2PClients).FindOne(ctx, bson.D{{Key: "_id", Value: sender}}).Decode(&d); err != nil {
		return nil, s.fail("find api client", err)
	}
	return &d, nil
}

// APIClients lists every client by sender_id (a handful: no paging).
func (s *Store) APIClients(ctx context.Context) ([]*ansinh.APIClient, error) {
	cur, err := s.db.Collection(colG2PClients).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(10000))
	if err != nil {
		return nil, s.fail("list api clients", err)
	}
	var docs []g2pClientDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("list api clients", err)
	}
	out := make([]*ansinh.APIClient, 0, len(docs))
	for i := range docs {
		out = append(out, docs[i].client())
	}
	return out, nil
}

// SetAPIClientStatus pauses, resumes (active) or revokes a client and returns it as
// it was before. A revoked client stays revoked: conflict.
func (s *Store) SetAPIClientStatus(ctx context.Context, sender, status, by string, now time.Time) (*ansinh.APIClient, error) {
	d, err := s.apiClientDoc(ctx, sender)
	if err != nil {
		return nil, err
	}
	if d.Status == ansinh.ClientRevoked {
		return nil, ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgClientRevoked)
	}
	// The filter keeps a revocation that raced this change: a revoked client is never
	// set back.
	_, err = s.db.Collection(colG2PClients).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: sender}, {Key: "status", Value: bson.D{{Key: "$ne", Value: ansinh.ClientRevoked}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "updated_by", Value: by}, {Key: "updated_at", Value: now.UTC()}}}})
	if err != nil {
		return nil, s.fail("set api client status", err)
	}
	return d.client(), nil
}

// g2pMessageDoc remembers a message a client sent, so that a replay is refused: its
// _id is a hash of the sender and the message id (bounded, whatever they are).
type g2pMessageDoc struct {
	ID        string    `bson:"_id"`
	At        time.Time `bson:"at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func messageKey(sender, messageID string) string {
	sum := sha256.Sum256([]byte(sender + "\x00" + messageID))
	return hex.EncodeToString(sum[:])
}

// RememberMessage records that sender sent messageID, for keep; false when it was
// already recorded (a replay). The insert is the check, so two copies sent at once
// cannot both pass.
func (s *Store) RememberMessage(ctx context.Context, sender, messageID string, now time.Time, keep time.Duration) (bool, error) {
	_, err := s.db.Collection(colG2PMessages).InsertOne(ctx, g2pMessageDoc{ID: messageKey(sender, messageID), At: now.UTC(), ExpiresAt: now.Add(keep).UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("remember message", err)
	}
	return true, nil
}

// ForgetMessage drops a message id that was never answered (an internal failure after
// RememberMessage), so that the sender may send it again.
func (s *Store) ForgetMessage(ctx context.Context, sender, messageID string) error {
	if _, err := s.db.Collection(colG2PMessages).DeleteOne(ctx, bson.D{{Key: "_id", Value: messageKey(sender, messageID)}}); err != nil {
		return s.fail("forget message", err)
	}
	return nil
}

// CountClientRequest counts one request of sender in the minute of now and returns
// the minute's count so far. The counter is one small document per client and minute
// in the rate collection, purged with it.
func (s *Store) CountClientRequest(ctx context.Context, sender string, now time.Time) (int, error) {
	minute := now.UTC().Truncate(time.Minute)
	id := fmt.Sprintf("g2p:%s:%d", sender, minute.Unix())
	var d struct {
		N int `bson:"n"`
	}
	err := s.db.Collection(colRate).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}, {Key: "$set", Value: bson.D{{Key: "expires_at", Value: minute.Add(2 * time.Minute)}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&d)
	if err != nil {
		return 0, s.fail("count client request", err)
	}
	return d.N, nil
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
