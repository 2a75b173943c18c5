package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// Chat channels (Zalo, the web chat) keep everything in the store: the events as
// received, the conversations' state, the messages to send, the access token. Nothing
// lives in one instance's memory.

// Leases. Events, outbox messages and the OA token are each held by one worker at a
// time, across instances. The embedded store has no transactions and runs a
// find-and-modify as a read then a write, so a lease cannot be one atomic update.
// Instead each item carries a lease generation, gen (missing in older documents:
// 0). A worker that finds an item free (its lease time passed, by the worker's own
// clock) inserts the claim "<thing>:<gen>" for the generation it read; only one
// insert of an _id succeeds, so of all who read that generation exactly one wins,
// whatever their clocks say. The winner then moves the item to gen+1 with its lease
// time, which is what the next claimer will read. Clocks only decide when a lease
// is over, never who holds it: a claim keyed on a time window let two workers whose
// clocks fell in different windows both win.

// claimDoc records that generation gen of a thing was taken; kept for claimKeep so
// that a worker holding a stale read of that generation still loses.
type claimDoc struct {
	ID        string    `bson:"_id"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// claimKeep is how long a claim outlives its lease before PurgeExpired removes it.
const claimKeep = 24 * time.Hour

// Claim takes generation gen of thing; false when another caller, on any instance,
// took that generation first.
func (s *Store) Claim(ctx context.Context, thing string, gen int64, now time.Time) (bool, error) {
	id := fmt.Sprintf("%s:%d", thing, gen)
	_, err := s.db.Collection(colClaims).InsertOne(ctx, claimDoc{ID: id, ExpiresAt: now.Add(claimKeep).UTC()})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("claim", err)
	}
	return true, nil
}

// takeLease claims generation gen of the document id in col and moves it on to
// gen+1 with leaseField set to until. False when someone else took that generation,
// or the document went since it was read.
func (s *Store) takeLease(ctx context.Context, col, thing, id string, gen int64, now time.Time, leaseField string, until time.Time) (bool, error) {
	won, err := s.Claim(ctx, thing+":"+id, gen, now)
	if err != nil || !won {
		return false, err
	}
	// $max, not $set: a worker whose read is older than claimKeep never moves gen back.
	res, err := s.db.Collection(col).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{
		{Key: "$max", Value: bson.D{{Key: "gen", Value: gen + 1}}},
		{Key: "$set", Value: bson.D{{Key: leaseField, Value: until.UTC()}}}})
	if err != nil {
		return false, s.fail("lease "+col, err)
	}
	return res.MatchedCount == 1, nil
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
	Gen        int64     `bson:"gen"` // lease generation: see Claim
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

// PendingEvent is ansinh.PendingEvent.
type PendingEvent = ansinh.PendingEvent

// PendingEvents leases unprocessed events, oldest first, for lease: of two instances
// working at once, each event goes to one. An event whose worker died is leased again
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
		won, err := s.takeLease(ctx, colEventsPending, "event", d.ID, d.Gen, now, "lease_until", now.Add(lease))
		if err != nil {
			return nil, err
		}
		if !won {
			continue // another worker took it
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
	Status   string    `bson:"status"` // OutboxPending, OutboxSent, OutboxFailed
	Attempts int       `bson:"attempts"`
	Error    string    `bson:"error,omitempty"`
	Created  time.Time `bson:"created"`
	SentAt   time.Time `bson:"sent_at,omitempty"`
	RemoteID string    `bson:"remote_id,omitempty"`
	// Queued is when it last entered the queue (Created, or an operator's retry): its
	// age counts from there. Missing in older documents: Created.
	Queued   time.Time `bson:"queued,omitempty"`
	FailedAt time.Time `bson:"failed_at,omitempty"`
	// Gen is the queue entry's lease generation when it failed, so that a retry goes
	// on from there and never meets an old claim.
	Gen int64 `bson:"gen,omitempty"`
}

// An outbox message's states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

type outboxPendingDoc struct {
	ID         string    `bson:"_id"`
	NextAt     time.Time `bson:"next_at"`
	LeaseUntil time.Time `bson:"lease_until"`
	Attempts   int       `bson:"attempts"`
	Gen        int64     `bson:"gen"` // lease generation: see Claim
}

// Enqueue stores a message to send. The id orders messages (time first) and makes a
// retried enqueue of the same message a no-op when the caller derives it.
func (s *Store) Enqueue(ctx context.Context, id, channel, user string, payload []byte, now time.Time) error {
	_, err := s.db.Collection(colOutbox).InsertOne(ctx, outboxDoc{ID: id, Channel: channel, User: user, Payload: string(payload),
		Status: OutboxPending, Created: now.UTC()})
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

// OutMessage is ansinh.OutMessage.
type OutMessage = ansinh.OutMessage

// LeaseOutbox leases up to limit due messages for lease, oldest first: two senders
// never hold the same message (see Claim).
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
		won, err := s.takeLease(ctx, colOutboxPending, "outbox", d.ID, d.Gen, now, "lease_until", now.Add(lease))
		if err != nil {
			return nil, err
		}
		if !won {
			continue // another sender took it
		}
		var m outboxDoc
		if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&m); err != nil {
			return nil, s.fail("lease outbox", err)
		}
		queued := m.Queued
		if queued.IsZero() {
			queued = m.Created
		}
		out = append(out, OutMessage{ID: m.ID, Channel: m.Channel, User: m.User, Payload: []byte(m.Payload), Attempts: d.Attempts, Queued: queued})
	}
	return out, nil
}

// Sent records a delivered message.
func (s *Store) Sent(ctx context.Context, id, remoteID string, now time.Time) error {
	if _, err := s.db.Collection(colOutboxPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return s.fail("sent", err)
	}
	_, err := s.db.Collection(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: OutboxSent}, {Key: "sent_at", Value: now.UTC()}, {Key: "remote_id", Value: remoteID}}}})
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

// GiveUp records a message that will not be delivered, after attempts, and why; it
// leaves the queue until an operator retries it (RetryFailed). The state is written
// before the queue entry goes, so that a crash between the two loses nothing.
func (s *Store) GiveUp(ctx context.Context, id string, attempts int, reason string, now time.Time) error {
	var p outboxPendingDoc
	err := s.db.Collection(colOutboxPending).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&p)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return s.fail("give up", err)
	}
	_, err = s.db.Collection(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: OutboxFailed}, {Key: "attempts", Value: attempts}, {Key: "error", Value: reason},
		{Key: "failed_at", Value: now.UTC()}, {Key: "gen", Value: p.Gen}}}})
	if err != nil {
		return s.fail("give up", err)
	}
	if _, err := s.db.Collection(colOutboxPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
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

// FailedMessage is ansinh.FailedMessage.
type FailedMessage = ansinh.FailedMessage

// FailedOutbox lists the messages given up on, oldest first, at most limit.
func (s *Store) FailedOutbox(ctx context.Context, limit int64) ([]FailedMessage, error) {
	cur, err := s.db.Collection(colOutbox).Find(ctx, bson.D{{Key: "status", Value: OutboxFailed}},
		options.Find().SetSort(bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(limit).
			SetProjection(bson.D{{Key: "user", Value: 0}, {Key: "payload", Value: 0}}))
	if err != nil {
		return nil, s.fail("failed outbox", err)
	}
	var docs []outboxDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("failed outbox", err)
	}
	out := make([]FailedMessage, 0, len(docs))
	for _, d := range docs {
		out = append(out, FailedMessage{ID: d.ID, Channel: d.Channel, Attempts: d.Attempts, Reason: d.Error, Created: d.Created, FailedAt: d.FailedAt})
	}
	return out, nil
}

// RetryFailed puts a failed message back in the queue, due now, with no attempts
// made and its age counted afresh. Not found: no such message; conflict: it has not
// failed. The queue entry comes first, so that a crash between the two loses nothing.
func (s *Store) RetryFailed(ctx context.Context, id string, now time.Time) (*FailedMessage, error) {
	var m outboxDoc
	if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&m); err != nil {
		return nil, s.fail("retry failed", err)
	}
	if m.Status != OutboxFailed {
		return nil, ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgConflict)
	}
	_, err := s.db.Collection(colOutboxPending).InsertOne(ctx, outboxPendingDoc{ID: id, NextAt: now.UTC(), Gen: m.Gen})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return nil, s.fail("retry failed", err)
	}
	_, err = s.db.Collection(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: OutboxPending}, {Key: "attempts", Value: 0}, {Key: "queued", Value: now.UTC()}}},
		{Key: "$unset", Value: bson.D{{Key: "error", Value: ""}, {Key: "failed_at", Value: ""}}}})
	if err != nil {
		return nil, s.fail("retry failed", err)
	}
	return &FailedMessage{ID: m.ID, Channel: m.Channel, Attempts: m.Attempts, Reason: m.Error, Created: m.Created, FailedAt: m.FailedAt}, nil
}

// tokenDoc is the OA's access/refresh pair; its lease (lock_until, gen) lets one
// refresher at a time (across instances) use the single-use refresh token.
type tokenDoc struct {
	ID        string    `bson:"_id"`
	Access    string    `bson:"access"`
	Refresh   string    `bson:"refresh"`
	ExpiresAt time.Time `bson:"expires_at"`
	LockUntil time.Time `bson:"lock_until"`
	Gen       int64     `bson:"gen"` // lease generation: see Claim
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

// LockToken takes, for lease, the right to use the stored refresh token (it works
// once) and returns it; false when someone else, on any instance, holds it.
func (s *Store) LockToken(ctx context.Context, name string, now time.Time, lease time.Duration) (refresh string, ok bool, err error) {
	var d tokenDoc
	if err := s.db.Collection(colTokens).FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&d); err != nil {
		return "", false, s.fail("lock token", err) // none stored: not found
	}
	if d.LockUntil.After(now) {
		return "", false, nil
	}
	won, err := s.takeLease(ctx, colTokens, "token", name, d.Gen, now, "lock_until", now.Add(lease))
	if err != nil || !won {
		return "", false, err
	}
	return d.Refresh, true, nil
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
