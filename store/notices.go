package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// Notices to people (notify/): noticeDoc is the notice, stored once under its id, with
// the phone and parameters sealed; noticePendingDoc is the small queue of those still to
// send, leased like the outbox (see Claim); noticeAttemptDoc is one try, inserted under
// "<notice>:<try>:<step>" so that a replayed try records nothing twice.
type noticeDoc struct {
	ID            string    `bson:"_id"`
	BeneficiaryID string    `bson:"beneficiary_id"`
	Receipt       string    `bson:"receipt,omitempty"`
	Kind          string    `bson:"kind"`
	ZaloUser      string    `bson:"zalo_user,omitempty"`
	PhoneEnc      string    `bson:"phone_enc,omitempty"`
	ParamsEnc     string    `bson:"params_enc,omitempty"`
	Status        string    `bson:"status"` // OutboxPending, OutboxSent, OutboxFailed
	Created       time.Time `bson:"created"`
	DoneAt        time.Time `bson:"done_at,omitempty"`
}

type noticePendingDoc struct {
	ID         string    `bson:"_id"`
	NextAt     time.Time `bson:"next_at"`
	LeaseUntil time.Time `bson:"lease_until"`
	Attempts   int       `bson:"attempts"`
	Gen        int64     `bson:"gen"`
}

type noticeAttemptDoc struct {
	ID            string    `bson:"_id"`
	NoticeID      string    `bson:"notice"`
	BeneficiaryID string    `bson:"beneficiary_id"`
	Kind          string    `bson:"kind"`
	At            time.Time `bson:"at"`
	Channel       string    `bson:"channel"`
	Cost          string    `bson:"cost"`
	Result        string    `bson:"result"`
	Detail        string    `bson:"detail,omitempty"`
	Seq           int       `bson:"seq"`
}

const ctxNotice = "notice:"

// QueueNotice stores a notice to send from next; a notice already stored (the same id)
// is left as it is.
func (s *Store) QueueNotice(ctx context.Context, n *ansinh.Notice, next time.Time) error {
	params, err := json.Marshal(n.Params)
	if err != nil {
		return fmt.Errorf("store: queue notice: %w", err)
	}
	d := noticeDoc{ID: n.ID, BeneficiaryID: n.BeneficiaryID, Receipt: n.Receipt, Kind: n.Kind, ZaloUser: n.ZaloUser,
		ParamsEnc: s.vault.Seal(string(params), ctxNotice+n.ID), Status: OutboxPending, Created: n.Queued.UTC()}
	if n.Phone != "" {
		d.PhoneEnc = s.vault.Seal(n.Phone, ctxPhone)
	}
	_, err = s.db.Collection(colNotices).InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	if err != nil {
		return s.fail("queue notice", err)
	}
	if _, err := s.db.Collection(colNoticesPending).InsertOne(ctx, noticePendingDoc{ID: n.ID, NextAt: next.UTC()}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("queue notice", err)
	}
	return nil
}

// LeaseNotices leases up to limit notices due at now, for lease.
func (s *Store) LeaseNotices(ctx context.Context, now time.Time, lease time.Duration, limit int64) ([]ansinh.Notice, error) {
	cur, err := s.db.Collection(colNoticesPending).Find(ctx, bson.D{{Key: "next_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}}).SetLimit(limit))
	if err != nil {
		return nil, s.fail("notices", err)
	}
	var due []noticePendingDoc
	if err := cur.All(ctx, &due); err != nil {
		return nil, s.fail("notices", err)
	}
	var out []ansinh.Notice
	for _, p := range due {
		if p.LeaseUntil.After(now) {
			continue
		}
		won, err := s.takeLease(ctx, colNoticesPending, "notice", p.ID, p.Gen, now, "lease_until", now.Add(lease))
		if err != nil {
			return nil, err
		}
		if !won {
			continue
		}
		var d noticeDoc
		if err := s.db.Collection(colNotices).FindOne(ctx, bson.D{{Key: "_id", Value: p.ID}}).Decode(&d); err != nil {
			return nil, s.fail("lease notice", err)
		}
		n := ansinh.Notice{ID: d.ID, BeneficiaryID: d.BeneficiaryID, Receipt: d.Receipt, Kind: d.Kind, ZaloUser: d.ZaloUser,
			Attempts: p.Attempts, Queued: d.Created}
		if d.PhoneEnc != "" {
			if n.Phone, err = s.vault.Open(d.PhoneEnc, ctxPhone); err != nil {
				return nil, s.fail("lease notice", err)
			}
		}
		if d.ParamsEnc != "" {
			params, err := s.vault.Open(d.ParamsEnc, ctxNotice+d.ID)
			if err != nil {
				return nil, s.fail("lease notice", err)
			}
			if err := json.Unmarshal([]byte(params), &n.Params); err != nil {
				return nil, s.fail("lease notice", err)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// NoticeLater gives a leased notice back, to be tried at next.
func (s *Store) NoticeLater(ctx context.Context, id string, attempts int, next time.Time) error {
	_, err := s.db.Collection(colNoticesPending).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "next_at", Value: next.UTC()}, {Key: "lease_until", Value: time.Time{}}, {Key: "attempts", Value: attempts}}}})
	if err != nil {
		return s.fail("notice later", err)
	}
	return nil
}

// NoticeDone ends a notice, sent or failed; its phone and parameters are dropped.
func (s *Store) NoticeDone(ctx context.Context, id, status string, now time.Time) error {
	_, err := s.db.Collection(colNotices).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "done_at", Value: now.UTC()}}},
		{Key: "$unset", Value: bson.D{{Key: "phone_enc", Value: ""}, {Key: "params_enc", Value: ""}}}})
	if err != nil {
		return s.fail("notice done", err)
	}
	if _, err := s.db.Collection(colNoticesPending).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return s.fail("notice done", err)
	}
	return nil
}

// NoticeStatus is a notice's state (OutboxPending, OutboxSent, OutboxFailed).
func (s *Store) NoticeStatus(ctx context.Context, id string) (string, error) {
	var d noticeDoc
	if err := s.db.Collection(colNotices).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return "", s.fail("notice status", err)
	}
	return d.Status, nil
}

// AddNoticeAttempt records one try under key (unique per try and step); a repeat is
// a no-op.
func (s *Store) AddNoticeAttempt(ctx context.Context, key string, a *ansinh.NoticeAttempt) error {
	_, err := s.db.Collection(colNoticeAttempts).InsertOne(ctx, noticeAttemptDoc{ID: key, NoticeID: a.NoticeID,
		BeneficiaryID: a.BeneficiaryID, Kind: a.Kind, At: a.At.UTC(), Channel: a.Channel, Cost: a.Cost, Result: a.Result, Detail: a.Detail, Seq: a.Seq})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("notice attempt", err)
	}
	return nil
}

// NoticeAttempts lists the tries of every notice to a person, oldest first.
func (s *Store) NoticeAttempts(ctx context.Context, beneficiaryID string) ([]ansinh.NoticeAttempt, error) {
	cur, err := s.db.Collection(colNoticeAttempts).Find(ctx, bson.D{{Key: "beneficiary_id", Value: beneficiaryID}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "seq", Value: 1}}).SetLimit(500))
	if err != nil {
		return nil, s.fail("notice attempts", err)
	}
	var docs []noticeAttemptDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("notice attempts", err)
	}
	out := make([]ansinh.NoticeAttempt, len(docs))
	for i, d := range docs {
		out[i] = ansinh.NoticeAttempt{NoticeID: d.NoticeID, BeneficiaryID: d.BeneficiaryID, Kind: d.Kind, At: d.At,
			Channel: d.Channel, Cost: d.Cost, Result: d.Result, Detail: d.Detail, Seq: d.Seq}
	}
	return out, nil
}

// RegistrationPhone is the phone number a submission gave, decrypted ("" when none or
// erased), for the notice of its decision.
func (s *Store) RegistrationPhone(ctx context.Context, receipt string) (string, error) {
	d, err := s.registrationDoc(ctx, receipt)
	if err != nil || d.PhoneEnc == "" || !d.ErasedAt.IsZero() {
		return "", err
	}
	p, err := s.vault.Open(d.PhoneEnc, ctxPhone)
	if err != nil {
		return "", s.fail("registration phone", err)
	}
	return p, nil
}
