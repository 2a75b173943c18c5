package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"ansinh"
)

// Registrations are inserted, never updated: the receipt is the _id; what happens to a
// registration afterwards is an event document whose _id (receipt + kind) makes it
// unique, so two officers or instances racing on one decision conflict on the key.
// Each beneficiary's submissions are chained as "<beneficiary>:<n>" documents, found
// by _id lookups alone.
type registrationDoc struct {
	Receipt       string     `bson:"_id"`
	BeneficiaryID string     `bson:"beneficiary_id"`
	Commune       string     `bson:"commune"`
	Submitter     string     `bson:"submitter"`
	Proxy         *proxyDoc  `bson:"proxy,omitempty"`
	BankBIN       string     `bson:"bank_bin"`
	AccountEnc    string     `bson:"account_enc"`
	AccountLast4  string     `bson:"account_last4"`
	AccountIndex  string     `bson:"account_index"`
	AccountName   string     `bson:"account_name"`
	PhoneEnc      string     `bson:"phone_enc,omitempty"`
	Channel       string     `bson:"channel"`
	RegisteredBy  string     `bson:"registered_by,omitempty"`
	ProofSeen     string     `bson:"proof_seen,omitempty"`
	Consent       consentDoc `bson:"consent"`
	NotifyConsent bool       `bson:"notify_consent,omitempty"`
	VNeIDLinked   bool       `bson:"vneid_linked,omitempty"`
	SubmittedAt   time.Time  `bson:"submitted_at"`
	// Fingerprint is a keyed hash of what the request said: a repeat of its
	// idempotency key with other content is a conflict, not a replay.
	Fingerprint string `bson:"fingerprint,omitempty"`
	// ErasedAt is when the retention job erased the personal data of a rejected or
	// superseded submission (the account, holder, phone and proxy are gone).
	ErasedAt time.Time `bson:"erased_at,omitempty"`
}

type proxyDoc struct {
	Name         string `bson:"name"`
	CCCDEnc      string `bson:"cccd_enc"`
	CCCDIndex    string `bson:"cccd_index"`
	PhoneEnc     string `bson:"phone_enc"`
	Relationship string `bson:"relationship"`
}

type consentDoc struct {
	Version string    `bson:"version"`
	At      time.Time `bson:"at"`
}

// registrationEventDoc is a decision (_id "<receipt>:decision") or a supersession
// (_id "<receipt>:superseded").
type registrationEventDoc struct {
	ID            string    `bson:"_id"`
	Receipt       string    `bson:"receipt"`
	Kind          string    `bson:"kind"` // "decision" or "superseded"
	Status        string    `bson:"status"`
	Reason        string    `bson:"reason,omitempty"` // rejection reason code, or the superseding receipt
	Note          string    `bson:"note,omitempty"`
	Commune       string    `bson:"commune"`
	BeneficiaryID string    `bson:"beneficiary_id"`
	By            string    `bson:"by,omitempty"`
	At            time.Time `bson:"at"`
	// A decision's plan, written with it so that a retry or the sweep can finish it:
	// Applied is false until every step is done (absent on decisions older than the
	// plan: they were applied in one go); Previous is the account it replaces, Delta
	// the move of the counters it makes.
	Applied  *bool       `bson:"applied,omitempty"`
	Previous *accountDoc `bson:"previous,omitempty"`
	Delta    *counterDoc `bson:"delta,omitempty"`
}

// queueDoc is a pending submission; it leaves the queue when decided or superseded.
// The queue stays as small as the backlog, so listing it is cheap on any store.
type queueDoc struct {
	Receipt       string    `bson:"_id"`
	Commune       string    `bson:"commune"`
	BeneficiaryID string    `bson:"beneficiary_id"`
	Channel       string    `bson:"channel"`
	SubmittedAt   time.Time `bson:"submitted_at"`
	// Submissions: the person's submissions, this one included (absent before it was kept).
	Submissions int `bson:"submissions,omitempty"`
}

type chainDoc struct {
	ID      string    `bson:"_id"` // "<beneficiary>:<n>", n from 1
	Receipt string    `bson:"receipt"`
	At      time.Time `bson:"at"`
}

const (
	ctxPhone = "phone"
	// maxChain bounds the walk along one person's submissions.
	maxChain = 1000
)

// InsertRegistration stores a new submission, setting r.Fingerprint; a receipt
// already stored is ansinh.ErrDuplicate and changes nothing. The rest of a
// submission's life (chain, supersede, queue) is registration.Service's.
func (s *Store) InsertRegistration(ctx context.Context, r *ansinh.Registration) error {
	doc := s.registrationToDoc(r)
	r.Fingerprint = doc.Fingerprint
	return s.duplicateOr("create registration", s.insert(ctx, colRegistrations, doc))
}

// LinkSubmission links receipt at the end of the person's chain of submissions and
// returns the receipts before it; linking it again finds it in place.
func (s *Store) LinkSubmission(ctx context.Context, beneficiaryID, receipt string, at time.Time) ([]string, error) {
	return s.chainAppend(ctx, beneficiaryID, receipt, at)
}

// MarkSuperseded records that newer supersedes the pending submission old (once).
func (s *Store) MarkSuperseded(ctx context.Context, old string, newer *ansinh.Registration) error {
	ev := registrationEventDoc{ID: old + ":superseded", Receipt: old, Kind: "superseded", Status: ansinh.StatusSuperseded,
		Reason: newer.Receipt, Commune: newer.Commune, BeneficiaryID: newer.BeneficiaryID, At: newer.SubmittedAt.UTC()}
	if _, err := s.db.Collection(colRegistrationEvents).InsertOne(ctx, ev); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("supersede registration", err)
	}
	return s.syncDecided(ctx, ev.ID)
}

// QueueForReview puts a submission in its commune's review queue (once).
func (s *Store) QueueForReview(ctx context.Context, r *ansinh.Registration) error {
	if err := s.insert(ctx, colQueue, queueDoc{Receipt: r.Receipt, Commune: r.Commune,
		BeneficiaryID: r.BeneficiaryID, Channel: r.Channel, SubmittedAt: r.SubmittedAt.UTC(), Submissions: r.Submissions}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("queue registration", err)
	}
	// The submission's commune names its roster (the queue document was written with
	// it; a later move of the person rewrites the line where it goes).
	return s.rewriteOne(ctx, queueRoster, r.Receipt, reviewUnit(r.Commune))
}

// RemoveFromReview takes a submission out of the review queue and its commune's queue
// roster. The submission's own commune names the roster even when a repeat finds the
// queue entry gone already.
func (s *Store) RemoveFromReview(ctx context.Context, receipt string) error {
	var communes []string
	reg, err := s.registrationDoc(ctx, receipt)
	if err == nil {
		communes = append(communes, reg.Commune)
	} else if !isNotFound(err) {
		return err
	}
	var q queueDoc
	if err := s.rdb.Collection(colQueue).FindOne(ctx, bson.D{{Key: "_id", Value: receipt}}).Decode(&q); err == nil {
		communes = append(communes, q.Commune)
	} else if !errors.Is(err, mongo.ErrNoDocuments) {
		return s.fail("dequeue registration", err)
	}
	if _, err := s.db.Collection(colQueue).DeleteOne(ctx, bson.D{{Key: "_id", Value: receipt}}); err != nil {
		return s.fail("dequeue registration", err)
	}
	return s.rewriteOne(ctx, queueRoster, receipt, reviewUnits(communes)...)
}

// RegistrationStatus returns a submission's state: pending, superseded or its verdict.
func (s *Store) RegistrationStatus(ctx context.Context, receipt string) (string, error) {
	ev, err := s.registrationStatus(ctx, receipt)
	return ev.Status, err
}

// chainAppend links receipt at the end of the beneficiary's chain and returns the
// receipts before it.
func (s *Store) chainAppend(ctx context.Context, beneficiaryID, receipt string, at time.Time) ([]string, error) {
	var earlier []string
	col := s.rdb.Collection(colRegistrationChain)
	for n := 1; n <= maxChain; n++ {
		id := fmt.Sprintf("%s:%d", beneficiaryID, n)
		err := s.insert(ctx, colRegistrationChain, chainDoc{ID: id, Receipt: receipt, At: at.UTC()})
		if err == nil {
			return earlier, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, s.fail("chain registration", err)
		}
		var d chainDoc
		if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
			return nil, s.fail("chain registration", err)
		}
		if d.Receipt == receipt { // linked by an earlier, interrupted attempt
			return earlier, nil
		}
		earlier = append(earlier, d.Receipt)
	}
	return nil, fmt.Errorf("store: chain registration: more than %d submissions for one person", maxChain)
}

// RegistrationReceipts returns a beneficiary's receipts, oldest first, the one just
// submitted included (it waits for the person's submissions this process accepted).
func (s *Store) RegistrationReceipts(ctx context.Context, beneficiaryID string) ([]string, error) {
	s.settledPerson(ctx, beneficiaryID)
	var out []string
	for n := 1; n <= maxChain; n++ {
		var d chainDoc
		err := s.rdb.Collection(colRegistrationChain).FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s:%d", beneficiaryID, n)}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return out, nil
		}
		if err != nil {
			return nil, s.fail("registration chain", err)
		}
		out = append(out, d.Receipt)
	}
	return out, nil
}

func (s *Store) registrationToDoc(r *ansinh.Registration) registrationDoc {
	d := registrationDoc{
		Receipt: r.Receipt, BeneficiaryID: r.BeneficiaryID, Commune: r.Commune, Submitter: r.Submitter,
		BankBIN: r.BankBIN, AccountEnc: s.vault.Seal(r.AccountNumber, ctxAccount), AccountLast4: last4(r.AccountNumber),
		AccountIndex: s.AccountIndex(r.BankBIN, r.AccountNumber), AccountName: r.AccountName,
		Channel: r.Channel, RegisteredBy: r.RegisteredBy, ProofSeen: r.ProofSeen,
		Consent: consentDoc{Version: r.Consent.Version, At: r.Consent.At.UTC()}, SubmittedAt: r.SubmittedAt.UTC(),
		NotifyConsent: r.NotifyConsent, VNeIDLinked: r.VNeIDLinked,
	}
	if r.Phone != "" {
		d.PhoneEnc = s.vault.Seal(r.Phone, ctxPhone)
	}
	if p := r.Proxy; p != nil {
		d.Proxy = &proxyDoc{Name: p.Name, CCCDEnc: s.vault.Seal(p.CCCD, ctxCCCD), CCCDIndex: s.BeneficiaryID(p.CCCD),
			PhoneEnc: s.vault.Seal(p.Phone, ctxPhone), Relationship: p.Relationship}
	}
	d.Fingerprint = s.Fingerprint(r)
	return d
}

// Fingerprint is the keyed hash of what a submission says, which a repeat of its
// idempotency key must match.
func (s *Store) Fingerprint(r *ansinh.Registration) string {
	parts := []string{r.BeneficiaryID, r.Submitter, r.BankBIN, r.AccountNumber, r.AccountName, r.Phone, r.Channel, r.RegisteredBy, r.ProofSeen}
	if p := r.Proxy; p != nil {
		parts = append(parts, p.Name, p.CCCD, p.Phone, p.Relationship)
	}
	if r.NotifyConsent { // only when given: fingerprints of older submissions stay as they were
		parts = append(parts, "notify")
	}
	if r.VNeIDLinked {
		parts = append(parts, "vneid")
	}
	return s.vault.Index("request", strings.Join(parts, "\x1f"))
}

func last4(s string) string { return s[max(0, len(s)-4):] }

// registrationDoc reads a submission, or, while its steps are still to come, its
// accepted document.
func (s *Store) registrationDoc(ctx context.Context, receipt string) (*registrationDoc, error) {
	d, err := s.storedDoc(ctx, receipt)
	if !isNotFound(err) {
		return d, err
	}
	raw, err := s.rdb.Collection(colAccepted).FindOne(ctx, bson.D{{Key: "_id", Value: receipt}}).Raw()
	if err == nil {
		a, err := unpackAccepted(raw)
		if err != nil {
			return nil, s.fail("find registration", err)
		}
		if a.Doc.Commune == "" { // accepted while the identity was proven: the record's
			b, err := s.Beneficiary(ctx, a.Doc.BeneficiaryID)
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			if b != nil {
				a.Doc.Commune = b.Commune
			}
		}
		return &a.Doc, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, s.fail("find registration", err)
	}
	// Its steps may have stored it and dropped the accepted document between the two
	// reads (stored first, dropped last): once more.
	return s.storedDoc(ctx, receipt)
}

// storedDoc reads a submission past its acceptance.
func (s *Store) storedDoc(ctx context.Context, receipt string) (*registrationDoc, error) {
	var d registrationDoc
	if err := s.rdb.Collection(colRegistrations).FindOne(ctx, bson.D{{Key: "_id", Value: receipt}}).Decode(&d); err != nil {
		return nil, s.fail("find registration", err)
	}
	return &d, nil
}

// registrationStatus derives the state from the events: a decision is final and wins;
// otherwise a newer submission supersedes; otherwise it is pending.
func (s *Store) registrationStatus(ctx context.Context, receipt string) (registrationEventDoc, error) {
	col := s.rdb.Collection(colRegistrationEvents)
	for _, kind := range []string{"decision", "superseded"} {
		var ev registrationEventDoc
		err := col.FindOne(ctx, bson.D{{Key: "_id", Value: receipt + ":" + kind}}).Decode(&ev)
		if err == nil {
			return ev, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return ev, s.fail("registration status", err)
		}
	}
	return registrationEventDoc{Receipt: receipt, Status: ansinh.StatusPending}, nil
}

// Registration returns a submission with its current status; numbers masked.
func (s *Store) Registration(ctx context.Context, receipt string) (*ansinh.Registration, error) {
	d, err := s.registrationDoc(ctx, receipt)
	if err != nil {
		return nil, err
	}
	return s.withStatus(ctx, d)
}

// withStatus is the submission d in its current state; numbers masked.
func (s *Store) withStatus(ctx context.Context, d *registrationDoc) (*ansinh.Registration, error) {
	ev, err := s.registrationStatus(ctx, d.Receipt)
	if err != nil {
		return nil, err
	}
	return registrationOf(d, ev), nil
}

// PendingRegistration is Registration for a submission its caller knows to be pending
// (the queue lists it, and its commune's decided roster has no line of it): the
// submission alone, without looking for the events that would have ended it.
func (s *Store) PendingRegistration(ctx context.Context, receipt string) (*ansinh.Registration, error) {
	d, err := s.registrationDoc(ctx, receipt)
	if err != nil {
		return nil, err
	}
	return registrationOf(d, registrationEventDoc{Receipt: receipt, Status: ansinh.StatusPending}), nil
}

// registrationOf is the submission d in the state of its latest event ev; numbers masked.
func registrationOf(d *registrationDoc, ev registrationEventDoc) *ansinh.Registration {
	r := &ansinh.Registration{
		Receipt: d.Receipt, BeneficiaryID: d.BeneficiaryID, Commune: d.Commune, Submitter: d.Submitter,
		BankBIN: d.BankBIN, AccountLast4: d.AccountLast4, AccountName: d.AccountName, Channel: d.Channel,
		Consent: ansinh.Consent{Version: d.Consent.Version, At: d.Consent.At}, SubmittedAt: d.SubmittedAt, NotifyConsent: d.NotifyConsent,
		VNeIDLinked: d.VNeIDLinked, Status: ev.Status, AccountIndex: d.AccountIndex, Fingerprint: d.Fingerprint, ErasedAt: d.ErasedAt,
	}
	if ev.Kind == "decision" {
		r.DecidedBy = ev.By
	}
	switch ev.Status {
	case ansinh.StatusSuperseded:
		r.SupersededBy = ev.Reason
	case ansinh.StatusRejected:
		r.Reason = (&ansinh.Decision{Reason: ev.Reason, Note: ev.Note}).ReasonText()
	}
	r.RegisteredBy, r.ProofSeen = d.RegisteredBy, d.ProofSeen
	if p := d.Proxy; p != nil {
		r.Proxy = &ansinh.Proxy{Name: p.Name, Relationship: p.Relationship}
	}
	return r
}

// RevealRegistration returns a submission with its numbers decrypted (callers audit).
func (s *Store) RevealRegistration(ctx context.Context, receipt string) (*ansinh.Registration, error) {
	r, err := s.Registration(ctx, receipt)
	if err != nil {
		return nil, err
	}
	d, err := s.registrationDoc(ctx, receipt)
	if err != nil {
		return nil, err
	}
	if err := s.reveal(d, r); err != nil {
		return nil, err
	}
	return r, nil
}

// reveal decrypts d's numbers into r.
func (s *Store) reveal(d *registrationDoc, r *ansinh.Registration) (err error) {
	if !d.ErasedAt.IsZero() {
		return nil // nothing left to reveal
	}
	if r.AccountNumber, err = s.vault.Open(d.AccountEnc, ctxAccount); err != nil {
		return s.fail("reveal registration", err)
	}
	if d.PhoneEnc != "" {
		if r.Phone, err = s.vault.Open(d.PhoneEnc, ctxPhone); err != nil {
			return s.fail("reveal registration", err)
		}
	}
	if d.Proxy != nil {
		if r.Proxy.CCCD, err = s.vault.Open(d.Proxy.CCCDEnc, ctxCCCD); err != nil {
			return s.fail("reveal registration", err)
		}
		if r.Proxy.Phone, err = s.vault.Open(d.Proxy.PhoneEnc, ctxPhone); err != nil {
			return s.fail("reveal registration", err)
		}
	}
	return nil
}
