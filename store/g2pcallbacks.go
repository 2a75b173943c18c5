package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// Asynchronous mapper results to post back (g2p_callbacks), and the small queue of
// those not yet delivered (g2p_callbacks_pending), leased as the chat outbox is (see
// Claim). A result may hold account numbers and CCCDs, so its body is sealed.
type g2pCallbackDoc struct {
	ID       string    `bson:"_id"`
	Sender   string    `bson:"sender"`
	URL      string    `bson:"url"`
	BodyEnc  string    `bson:"body_enc"`
	Status   string    `bson:"status"` // CallbackPending, CallbackSent, CallbackFailed
	Attempts int       `bson:"attempts"`
	Error    string    `bson:"error,omitempty"`
	Created  time.Time `bson:"created"`
	SentAt   time.Time `bson:"sent_at,omitempty"`
	FailedAt time.Time `bson:"failed_at,omitempty"`
}

type g2pPendingDoc struct {
	ID         string    `bson:"_id"`
	NextAt     time.Time `bson:"next_at"`
	LeaseUntil time.Time `bson:"lease_until"`
	Attempts   int       `bson:"attempts"`
	Gen        int64     `bson:"gen"`
}

// A callback's states.
const (
	CallbackPending = "pending"
	CallbackSent    = "sent"
	CallbackFailed  = "failed"
)

const ctxCallback = "g2p_callback"

// EnqueueCallback stores a result to post to url. The result first, then its queue
// entry: a crash between leaves a pending result that RequeueCallbacks puts back.
func (s *Store) EnqueueCallback(ctx context.Context, id, sender, url string, body []byte, now time.Time) error {
	_, err := s.db.Collection(colG2PCallbacks).InsertOne(ctx, g2pCallbackDoc{ID: id, Sender: sender, URL: url,
		BodyEnc: s.vault.Seal(string(body), ctxCallback), Status: CallbackPending, Created: now.UTC()})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("enqueue callback", err)
	}
	if err := s.after("callback stored"); err != nil {
		return err
	}
	if _, err := s.db.Collection(colG2PCallbacksPending).InsertOne(ctx, g2pPendingDoc{ID: id, NextAt: now.UTC()}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("enqueue callback", err)
	}
	return nil
}

// LeaseCallbacks leases up to limit due results for lease, oldest first; two workers
// never hold the same one.
func (s *Store) LeaseCallbacks(ctx context.Context, now time.Time, lease time.Duration, limit int64) ([]ansinh.Callback, error) {
	cur, err := s.db.Collection(colG2PCallbacksPending).Find(ctx, bson.D{{Key: "next_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(limit))
	if err != nil {
		return nil, s.fail("lease callbacks", err)
	}
	var due []g2pPendingDoc
	if err := cur.All(ctx, &due); err != nil {
		return nil, s.fail("lease callbacks", err)
	}
	var out []ansinh.Callback
	for _, d := range due {
		if d.LeaseUntil.After(now) {
			continue
		}
		won, err := s.takeLease(ctx, colG2PCallbacksPending, "g2pcb", d.ID, d.Gen, now, "lease_until", now.Add(lease))
		if err != nil {
			return nil, err
		}
		if !won {
			continue
		}
		var m g2pCallbackDoc
		if err := s.db.Collection(colG2PCallbacks).FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&m); err != nil {
			return nil, s.fail("lease callbacks", err)
		}
		body, err := s.vault.Open(m.BodyEnc, ctxCallback)
		if err != nil {
			return nil, s.fail("open callback", err)
		}
		out = append(out, ansinh.Callback{ID: m.ID, Sender: m.Sender, URL: m.URL, Body: []byte(body), Attempts: d.Attempts, Created: m.Created})
	}
	return out, nil
}

// CallbackSent records a delivered result. The state first, then the queue entry.
func (s *Store) CallbackSent(ctx context.Context, id string, attempts int, now time.Time) error {
	_, err := s.db.Collection(colG2PCallbacks).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: CallbackSent}, {Key: "attempts", Value: attempts}, {Key: "sent_at", Value: now.UTC()}}}})
	if err != nil {
		return s.fail("callback sent", err)
	}
	if _, err := s.db.Collection(colG2PCallbacksPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return s.fail("callback sent", err)
	}
	return nil
}

// RetryCallback schedules another attempt at next.
func (s *Store) RetryCallback(ctx context.Context, id string, attempts int, next time.Time, reason string) error {
	_, err := s.db.Collection(colG2PCallbacksPending).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "next_at", Value: next.UTC()}, {Key: "lease_until", Value: time.Time{}}, {Key: "attempts", Value: attempts}}}})
	if err != nil {
		return s.fail("retry callback", err)
	}
	_, err = s.db.Collection(colG2PCallbacks).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "attempts", Value: attempts}, {Key: "error", Value: reason}}}})
	if err != nil {
		return s.fail("retry callback", err)
	}
	return nil
}

// FailCallback gives up on a result after attempts: its state says failed and why,
// and it leaves the queue (state first, so a crash between loses nothing).
func (s *Store) FailCallback(ctx context.Context, id string, attempts int, reason string, now time.Time) error {
	_, err := s.db.Collection(colG2PCallbacks).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: CallbackFailed}, {Key: "attempts", Value: attempts}, {Key: "error", Value: reason}, {Key: "failed_at", Value: now.UTC()}}}})
	if err != nil {
		return s.fail("fail callback", err)
	}
	if _, err := s.db.Collection(colG2PCallbacksPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return s.fail("fail callback", err)
	}
	return nil
}

// CallbackStatus returns a result's state, attempts and last error.
func (s *Store) CallbackStatus(ctx context.Context, id string) (status string, attempts int, reason string, err error) {
	var m g2pCallbackDoc
	if err := s.db.Collection(colG2PCallbacks).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&m); err != nil {
		return "", 0, "", s.fail("callback status", err)
	}
	return m.Status, m.Attempts, m.Error, nil
}

// RequeueCallbacks puts back in the queue the pending results whose queue entry a
// crash lost (the start-up sweep); it returns how many.
func (s *Store) RequeueCallbacks(ctx context.Context, now time.Time) (int, error) {
	cur, err := s.db.Collection(colG2PCallbacks).Find(ctx, bson.D{{Key: "status", Value: CallbackPending}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetLimit(10000))
	if err != nil {
		return 0, s.fail("requeue callbacks", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return 0, s.fail("requeue callbacks", err)
	}
	n := 0
	for _, d := range docs {
		_, err := s.db.Collection(colG2PCallbacksPending).InsertOne(ctx, g2pPendingDoc{ID: d.ID, NextAt: now.UTC()})
		switch {
		case err == nil:
			n++
		case mongo.IsDuplicateKeyError(err):
		default:
			return n, s.fail("requeue callbacks", err)
		}
	}
	return n, nil
}
