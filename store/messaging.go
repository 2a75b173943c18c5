package store

import (
	"context"
	"encoding/json"
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
// event is a duplicate key and is not stored (nor answered) again. The body is what
// the person typed (a CCCD, an account or phone number): it is stored sealed only.
type eventDoc struct {
	ID         string    `bson:"_id"`
	User       string    `bson:"user"`
	BodyEnc    string    `bson:"body_enc,omitempty"`
	Body       string    `bson:"body,omitempty"` // builds before schema 10 stored it in clear; migration 10 seals it
	ReceivedAt time.Time `bson:"received_at"`
}

// Contexts of sealed chat data: each ciphertext is bound to its collection and its
// document, so that a value copied elsewhere does not open.
const (
	ctxEvent        = "chat_event:"
	ctxConversation = "conversation:"
	ctxOutbox       = "outbox:"
)

// body opens an event's body, sealed or (before migration 10) in clear.
func (s *Store) eventBody(d *eventDoc) ([]byte, error) {
	if d.BodyEnc == "" {
		return []byte(d.Body), nil
	}
	plain, err := s.vault.Open(d.BodyEnc, ctxEvent+d.ID)
	if err != nil {
		return nil, s.fail("open event", err)
	}
	return []byte(plain), nil
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
	_, err := s.db.Collection(colEvents).InsertOne(ctx, eventDoc{ID: key, User: user, BodyEnc: s.vault.Seal(string(body), ctxEvent+key),
		ReceivedAt: now.UTC()})
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
		body, err := s.eventBody(&ev)
		if err != nil {
			return nil, err
		}
		out = append(out, PendingEvent{Key: d.ID, User: d.User, Body: body, ReceivedAt: d.ReceivedAt})
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

// conversationDoc is one user's conversation state on one channel. What the person
// typed (CCCD, names, account and phone numbers) is sealed, as one JSON object; only
// the keys the unit migration moves stay in Data, in clear: the commune and the
// beneficiary's record id (a blind index). Documents of builds before schema 9 hold
// everything in Data; Conversation reads both, and migration 10 seals them.
type conversationDoc struct {
	ID      string            `bson:"_id"` // "<channel>:<user>"
	Step    string            `bson:"step"`
	Data    map[string]string `bson:"data"`
	Sealed  string            `bson:"sealed_enc,omitempty"`
	Updated time.Time         `bson:"updated"`
}

// conversationClear are the keys of a conversation's data kept in clear (see
// planConversations).
var conversationClear = map[string]bool{"commune": true, "beneficiary_id": true}

// Conversation returns a user's state; a new, empty one when there is none. A state
// that no longer opens (sealed with another data key) starts over: it only ever holds
// a conversation in progress.
func (s *Store) Conversation(ctx context.Context, id string) (step string, data map[string]string, updated time.Time, err error) {
	var d conversationDoc
	err = s.db.Collection(colConversations).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", map[string]string{}, time.Time{}, nil
	}
	if err != nil {
		return "", nil, time.Time{}, s.fail("conversation", err)
	}
	data, err = s.openConversation(&d)
	if err != nil {
		s.logger.Warn("store: a conversation's state does not open; it starts over", "err", err)
		return "", map[string]string{}, time.Time{}, nil
	}
	return d.Step, data, d.Updated, nil
}

func (s *Store) openConversation(d *conversationDoc) (map[string]string, error) {
	data := make(map[string]string, len(d.Data))
	for k, v := range d.Data {
		data[k] = v
	}
	if d.Sealed == "" {
		return data, nil
	}
	plain, err := s.vault.Open(d.Sealed, ctxConversation+d.ID)
	if err != nil {
		return nil, err
	}
	var sealed map[string]string
	if err := json.Unmarshal([]byte(plain), &sealed); err != nil {
		return nil, err
	}
	for k, v := range sealed {
		data[k] = v
	}
	return data, nil
}

// conversationToDoc splits a state into its clear keys and the sealed rest.
func (s *Store) conversationToDoc(id, step string, data map[string]string, updated time.Time) (conversationDoc, error) {
	d := conversationDoc{ID: id, Step: step, Data: map[string]string{}, Updated: updated.UTC()}
	rest := map[string]string{}
	for k, v := range data {
		if conversationClear[k] {
			d.Data[k] = v
		} else {
			rest[k] = v
		}
	}
	if len(rest) > 0 {
		b, err := json.Marshal(rest)
		if err != nil {
			return d, err
		}
		d.Sealed = s.vault.Seal(string(b), ctxConversation+id)
	}
	return d, nil
}

// SaveConversation stores a user's state.
func (s *Store) SaveConversation(ctx context.Context, id, step string, data map[string]string, updated time.Time) error {
	d, err := s.conversationToDoc(id, step, data, updated)
	if err != nil {
		return s.fail("save conversation", err)
	}
	_, err = s.db.Collection(colConversations).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return s.fail("save conversation", err)
	}
	return nil
}

// outboxDoc is a message to send, stored before any attempt; its state is updated as
// it goes. outboxPendingDoc is the small queue of those still to send, with a lease so
// that one sender at a time (across instances) holds each. The payload (the text: a
// summary repeats the account number to the person) is sealed, and dropped once sent.
type outboxDoc struct {
	ID         string `bson:"_id"`
	Channel    string `bson:"channel"`
	User       string `bson:"user"`
	PayloadEnc string `bson:"payload_enc,omitempty"`
	// Payload is the clear payload of builds before schema 10; migration 10 seals it.
	Payload  string    `bson:"payload,omitempty"`
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
	_, err := s.db.Collection(colOutbox).InsertOne(ctx, outboxDoc{ID: id, Channel: channel, User: user,
		PayloadEnc: s.vault.Seal(string(payload), ctxOutbox+id), Status: OutboxPending, Created: now.UTC()})
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
		payload := m.Payload
		if m.PayloadEnc != "" {
			if payload, err = s.vault.Open(m.PayloadEnc, ctxOutbox+m.ID); err != nil {
				// Unreadable: the sender gives it up as it gives up any unreadable payload.
				payload = ""
			}
		}
		out = append(out, OutMessage{ID: m.ID, Channel: m.Channel, User: m.User, Payload: []byte(payload), Attempts: d.Attempts, Queued: queued})
	}
	return out, nil
}

// Sent records a delivered message, and drops its text: it is of no more use here.
func (s *Store) Sent(ctx context.Context, id, remoteID string, now time.Time) error {
	if _, err := s.db.Collection(colOutboxPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return s.fail("sent", err)
	}
	_, err := s.db.Collection(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: OutboxSent}, {Key: "sent_at", Value: now.UTC()}, {Key: "remote_id", Value: remoteID}}},
		{Key: "$unset", Value: bson.D{{Key: "payload_enc", Value: ""}, {Key: "payload", Value: ""}}}})
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
			SetProjection(bson.D{{Key: "user", Value: 0}, {Key: "payload", Value: 0}, {Key: "payload_enc", Value: 0}}))
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

// sealChatInClear seals what builds before schema 9 kept in clear: conversations'
// state, events' bodies, the texts of messages still to send (a sent message's text is
// dropped). Each document is rewritten by _id; run again, it finds nothing left.
func (s *Store) sealChatInClear(ctx context.Context) error {
	cur, err := s.db.Collection(colConversations).Find(ctx, bson.D{})
	if err != nil {
		return s.fail("seal conversations", err)
	}
	var convs []conversationDoc
	if err := cur.All(ctx, &convs); err != nil {
		return s.fail("seal conversations", err)
	}
	for _, d := range convs {
		clear := true
		for k := range d.Data {
			clear = clear && conversationClear[k]
		}
		if clear {
			continue
		}
		data, err := s.openConversation(&d)
		if err != nil {
			return s.fail("seal conversations", err)
		}
		if err := s.SaveConversation(ctx, d.ID, d.Step, data, d.Updated); err != nil {
			return err
		}
		s.sealed++
	}
	// Events and messages may be many: only their ids are held, each document is read
	// and rewritten alone.
	exists := bson.D{{Key: "$exists", Value: true}}
	events, err := s.ids(ctx, colEvents, bson.D{{Key: "body", Value: exists}})
	if err != nil {
		return s.fail("seal events", err)
	}
	for _, id := range events {
		var d eventDoc
		if err := s.db.Collection(colEvents).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
			return s.fail("seal events", err)
		}
		if d.BodyEnc != "" && d.Body == "" {
			continue
		}
		_, err := s.db.Collection(colEvents).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{
			{Key: "$set", Value: bson.D{{Key: "body_enc", Value: s.vault.Seal(d.Body, ctxEvent+id)}}},
			{Key: "$unset", Value: bson.D{{Key: "body", Value: ""}}}})
		if err != nil {
			return s.fail("seal events", err)
		}
		s.sealed++
	}
	msgs, err := s.ids(ctx, colOutbox, bson.D{{Key: "payload", Value: exists}})
	if err != nil {
		return s.fail("seal outbox", err)
	}
	for _, id := range msgs {
		var d outboxDoc
		if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
			return s.fail("seal outbox", err)
		}
		update := bson.D{{Key: "$unset", Value: bson.D{{Key: "payload", Value: ""}}}}
		if d.Status != OutboxSent && d.PayloadEnc == "" {
			update = append(update, bson.E{Key: "$set", Value: bson.D{{Key: "payload_enc", Value: s.vault.Seal(d.Payload, ctxOutbox+id)}}})
		}
		if _, err := s.db.Collection(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update); err != nil {
			return s.fail("seal outbox", err)
		}
		s.sealed++
	}
	return nil
}

// ids lists the _id of the documents of col matching filter.
func (s *Store) ids(ctx context.Context, col string, filter bson.D) ([]string, error) {
	cur, err := s.db.Collection(col).Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	var out []string
	for cur.Next(ctx) {
		var d struct {
			ID string `bson:"_id"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		out = append(out, d.ID)
	}
	return out, cur.Err()
}
