package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Chat channels (Zalo, the web chat) keep everything in the store: the events as
// received, the conversations' state, the messages to send, the access token. Nothing
// lives in one instance's memory.

// claimDoc makes one caller the holder of something for a while: its _id names the
// thing and the time window, and only one insert of an _id succeeds. (A find-and-
// modify would not do: the embedded store runs it as a read, then a write.)
type claimDoc struct {
	ID        string    `bson:"_id"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// Claim takes thing for the window of length lease that holds now; false when
// another caller, on any instance, took it first.
func (s *Store) Claim(ctx context.Context, thing string, now time.Time, lease time.Duration) (bool, error) {
	window := now.UnixNano() / int64(lease)
	id := fmt.Sprintf("%s@%d", thing, window)
	_, err := s.db.Collection(colClaims).InsertOne(ctx, claimDoc{ID: id, ExpiresAt: time.Unix(0, (window+1)*int64(lease)).UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("claim", err)
	}
	return true, nil
}

// eventDoc is a received webhook event, _id its de-duplication key: a re-delivered
// event is a duplicate key and is not stored (nor answered) again.
type eventDoc struct {
	ID         string    `bson:"_id"`
	User       string    `bson:"user"`
	Body       string    `bson:"body"`
	ReceivedAt time.Time `bson:"received_at"`
}

// pendingEventDoc marks an event not yet processed; deleted once it is. The worker
// reads this small collection, so an event stored before a crash is processed after
// the restart.
type pendingEventDoc struct {
	ID         string    `bson:"_id"`
	User       string    `bson:"user"`
	ReceivedAt time.Time `bson:"received_at"`
	LeaseUntil time.Time `bson:"lease_until"`
}

// SaveEvent stores a received event; false when it was already stored.
func (s *Store) SaveEvent(ctx context.Context, key, user string, body []byte, now time.Time) (bool, error) {
	_, err := s.db.Collection(colEvents).InsertOne(ctx, eventDoc{ID: key, User: user, Body: string(body), ReceivedAt: now.UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("save event", err)
	}
	if _, err := s.db.Collection(colEventsPending).InsertOne(ctx, pendingEventDoc{ID: key, User: user, ReceivedAt: now.UTC()}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return false, s.fail("queue event", err)
	}
	return true, nil
}

// PendingEvent is an event waiting to be processed.
type PendingEvent struct {
	Key        string
	User       string
	Body       []byte
	ReceivedAt time.Time
}

// PendingEvents claims unprocessed events, oldest first, for lease: of two instances
// working at once, each event goes to one. An event whose worker died is claimed again
// when its lease ends.
func (s *Store) PendingEvents(ctx context.Context, now time.Time, lease time.Duration, limit int64) ([]PendingEvent, error) {
	cur, err := s.db.Collection(colEventsPending).Find(ctx, bson.D{{Key: "lease_until", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "received_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(limit))
	if err != nil {
		return nil, s.fail("pending events", err)
	}
	var docs []pendingEventDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("pending events", err)
	}
	out := make([]PendingEvent, 0, len(docs))
	for _, d := range docs {
		claimed, err := s.Claim(ctx, "event:"+d.ID+":"+d.LeaseUntil.Format(time.RFC3339Nano), now, lease)
		if err != nil {
			return nil, err
		}
		if !claimed {
			continue // another worker took it
		}
		if _, err := s.db.Collection(colEventsPending).UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "lease_until", Value: now.Add(lease).UTC()}}}}); err != nil {
			return nil, s.fail("claim event", err)
		}
		var ev eventDoc
		if err := s.db.Collection(colEvents).FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&ev); err != nil {
			return nil, s.fail("pending event", err)
		}
		out = append(out, PendingEvent{Key: d.ID, User: d.User, Body: []byte(ev.Body), ReceivedAt: d.ReceivedAt})
	}
	return out, nil
}

// RetryEvent gives an event back to the workers at `at`, after a failure.
func (s *Store) RetryEvent(ctx context.Context, key string, at time.Time) error {
	_, err := s.db.Collection(colEventsPending).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "lease_until", Value: at.UTC()}}}})
	if err != nil {
		return s.fail("retry event", err)
	}
	return nil
}

// EventDone marks an event processed.
func (s *Store) EventDone(ctx context.Context, key string) error {
	if _, err := s.db.Collection(colEventsPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}}); err != nil {
		return s.fail("event done", err)
	}
	return nil
}

// conversationDoc is one user's conversation state on one channel.
type conversationDoc struct {
	ID      string            `bson:"_id"` // "<channel>:<user>"
	Step    string            `bson:"step"`
	Data    map[string]string `bson:"data"`
	Updated time.Time         `bson:"updated"`
}

// Conversation returns a user's state; a new, empty one when there is none.
func (s *Store) Conversation(ctx context.Context, id string) (step string, data map[string]string, updated time.Time, err error) {
	var d conversationDoc
	err = s.db.Collection(colConversations).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", map[string]string{}, time.Time{}, nil
	}
	if err != nil {
		return "", nil, time.Time{}, s.fail("conversation", err)
	}
	if d.Data == nil {
		d.Data = map[string]string{}
	}
	return d.Step, d.Data, d.Updated, nil
}

// SaveConversation stores a user's state.
func (s *Store) SaveConversation(ctx context.Context, id, step string, data map[string]string, updated time.Time) error {
	_, err := s.db.Collection(colConversations).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
		conversationDoc{ID: id, Step: step, Data: data, Updated: updated.UTC()}, options.Replace().SetUpsert(true))
	if err != nil {
		return s.fail("save conversation", err)
	}
	return nil
}

// outboxDoc is a message to send, stored before any attempt; its state is updated as
// it goes. outboxPendingDoc is the small queue of those still to send, with a lease so
// that one sender at a time (across instances) holds each.
type outboxDoc struct {
	ID       string    `bson:"_id"`
	Channel  string    `bson:"channel"`
	User     string    `bson:"user"`
	Payload  string    `bson:"payload"`
	Status   string    `bson:"status"` // pending, sent, failed
	Attempts int       `bson:"attempts"`
	Error    string    `bson:"error,omitempty"`
	Created  time.Time `bson:"created"`
	SentAt   time.Time `bson:"sent_at,omitempty"`
	RemoteID string    `bson:"remote_id,omitempty"`
}

type outboxPendingDoc struct {
	ID         string    `bson:"_id"`
	NextAt     time.Time `bson:"next_at"`
	LeaseUntil time.Time `bson:"lease_until"`
	Attempts   int       `bson:"attempts"`
}

// Enqueue stores a message to send. The id orders messages (time first) and makes a
// retried enqueue of the same message a no-op when the caller derives it.
func (s *Store) Enqueue(ctx context.Context, id, channel, user string, payload []byte, now time.Time) error {
	_, err := s.db.Collection(colOutbox).InsertOne(ctx, outboxDoc{ID: id, Channel: channel, User: user, Payload: string(payload),
		Status: "pending", Created: now.UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	if err != nil {
		return s.fail("enqueue", err)
	}
	if _, err := s.db.Collection(colOutboxPending).InsertOne(ctx, outboxPendingDoc{ID: id, NextAt: now.UTC()}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("enqueue", err)
	}
	return nil
}

// OutMessage is a message leased for sending.
type OutMessage struct {
	ID       string
	Channel  string
	User     string
	Payload  []byte
	Attempts int
}

// LeaseOutbox claims up to limit due messages for lease, oldest first. A claim is one
// atomic update on a small document: two senders never hold the same message.
func (s *Store) LeaseOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int64) ([]OutMessage, error) {
	cur, err := s.db.Collection(colOutboxPending).Find(ctx, bson.D{{Key: "next_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(limit))
	if err != nil {
		return nil, s.fail("outbox", err)
	}
	var due []outboxPendingDoc
	if err := cur.All(ctx, &due); err != nil {
		return nil, s.fail("outbox", err)
	}
	var out []OutMessage
	for _, d := range due {
		if d.LeaseUntil.After(now) {
			continue
		}
		claimed, err := s.Claim(ctx, fmt.Sprintf("outbox:%s:%d", d.ID, d.Attempts), now, lease)
		if err != nil {
			return nil, err
		}
		if !claimed {
			continue // another sender took it
		}
		if _, err := s.db.Collection(colOutboxPending).UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "lease_until", Value: now.Add(lease).UTC()}}}}); err != nil {
			return nil, s.fail("lease outbox", err)
		}
		var m outboxDoc
		if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&m); err != nil {
			return nil, s.fail("lease outbox", err)
		}
		out = append(out, OutMessage{ID: m.ID, Channel: m.Channel, User: m.User, Payload: []byte(m.Payload), Attempts: d.Attempts})
	}
	return out, nil
}

// Sent records a delivered message.
func (s *Store) Sent(ctx context.Context, id, remoteID string, now time.Time) error {
	if _, err := s.db.Collection(colOutboxPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return s.fail("sent", err)
	}
	_, err := s.db.Collection(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: "sent"}, {Key: "sent_at", Value: now.UTC()}, {Key: "remote_id", Value: remoteID}}}})
	if err != nil {
		return s.fail("sent", err)
	}
	return nil
}

// Retry schedules another attempt.
func (s *Store) Retry(ctx context.Context, id string, attempts int, next time.Time, reason string) error {
	_, err := s.db.Collection(colOutboxPending).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "next_at", Value: next.UTC()}, {Key: "lease_until", Value: time.Time{}}, {Key: "attempts", Value: attempts}}}})
	if err != nil {
		return s.fail("retry", err)
	}
	_, err = s.db.Collection(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "attempts", Value: attempts}, {Key: "error", Value: reason}}}})
	if err != nil {
		return s.fail("retry", err)
	}
	return nil
}

// GiveUp records a message that will never be delivered, and why.
func (s *Store) GiveUp(ctx context.Context, id, reason string) error {
	if _, err := s.db.Collection(colOutboxPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return s.fail("give up", err)
	}
	_, err := s.db.Collection(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: "failed"}, {Key: "error", Value: reason}}}})
	if err != nil {
		return s.fail("give up", err)
	}
	return nil
}

// OutboxStatus returns a message's state (tests and operators).
func (s *Store) OutboxStatus(ctx context.Context, id string) (status string, attempts int, reason string, err error) {
	var m outboxDoc
	if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&m); err != nil {
		return "", 0, "", s.fail("outbox status", err)
	}
	return m.Status, m.Attempts, m.Error, nil
}

// tokenDoc is the OA's access/refresh pair; lock_until lets one refresher at a time
// (across instances) use the single-use refresh token.
type tokenDoc struct {
	ID        string    `bson:"_id"`
	Access    string    `bson:"access"`
	Refresh   string    `bson:"refresh"`
	ExpiresAt time.Time `bson:"expires_at"`
	LockUntil time.Time `bson:"lock_until"`
}

// Token returns the stored pair ("" when none).
func (s *Store) Token(ctx context.Context, name string) (access, refresh string, expires time.Time, err error) {
	var d tokenDoc
	err = s.db.Collection(colTokens).FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", "", time.Time{}, nil
	}
	if err != nil {
		return "", "", time.Time{}, s.fail("token", err)
	}
	return d.Access, d.Refresh, d.ExpiresAt, nil
}

// SeedToken stores a refresh token from configuration when none is stored yet.
func (s *Store) SeedToken(ctx context.Context, name, refresh string) error {
	_, err := s.db.Collection(colTokens).InsertOne(ctx, tokenDoc{ID: name, Refresh: refresh})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("seed token", err)
	}
	return nil
}

// LockToken takes the right to use one refresh token (it works once) for the current
// window of length lease; false when someone else, on any instance, holds it.
func (s *Store) LockToken(ctx context.Context, name, refresh string, now time.Time, lease time.Duration) (bool, error) {
	return s.Claim(ctx, "token:"+name+":"+HashToken(refresh), now, lease)
}

// SaveToken stores a new pair and releases the lock.
func (s *Store) SaveToken(ctx context.Context, name, access, refresh string, expires time.Time) error {
	_, err := s.db.Collection(colTokens).UpdateOne(ctx, bson.D{{Key: "_id", Value: name}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "access", Value: access}, {Key: "refresh", Value: refresh}, {Key: "expires_at", Value: expires.UTC()}, {Key: "lock_until", Value: time.Time{}}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil {
		return s.fail("save token", err)
	}
	return nil
}

// linkDoc remembers which chat user submitted a registration, to answer them there.
type linkDoc struct {
	Receipt string `bson:"_id"`
	Channel string `bson:"channel"`
	User    string `bson:"user"`
}

// LinkReceipt records the chat user behind a registration.
func (s *Store) LinkReceipt(ctx context.Context, receipt, channel, user string) error {
	_, err := s.db.Collection(colChatReceipts).InsertOne(ctx, linkDoc{Receipt: receipt, Channel: channel, User: user})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("link receipt", err)
	}
	return nil
}

// ReceiptUser returns the chat user behind a registration.
func (s *Store) ReceiptUser(ctx context.Context, receipt string) (channel, user string, err error) {
	var d linkDoc
	if err := s.db.Collection(colChatReceipts).FindOne(ctx, bson.D{{Key: "_id", Value: receipt}}).Decode(&d); err != nil {
		return "", "", s.fail("receipt user", err)
	}
	return d.Channel, d.User, nil
}
