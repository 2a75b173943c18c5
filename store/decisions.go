package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"ansinh"
)

// A decision is one registration event (_id "<receipt>:decision"), inserted once: of
// two officers or instances deciding at once, exactly one insert succeeds. It carries
// its plan — the account it replaces, the move of the counters — and an applied
// marker, so that registration.Service can finish its steps after a crash. While a
// decision is not finished and told, an open marker (decisions_open, _id the receipt)
// names it for the sweep. Each function below is one write, safe to repeat; the order
// of the steps is registration.Service's.

// OpenDecision marks a decision about to be recorded on receipt.
func (s *Store) OpenDecision(ctx context.Context, receipt string, at time.Time) error {
	if _, err := s.db.Collection(colDecisionsOpen).InsertOne(ctx, bson.D{{Key: "_id", Value: receipt}, {Key: "at", Value: at.UTC()}}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("decide: open", err)
	}
	return nil
}

// OpenDecisions lists the open markers.
func (s *Store) OpenDecisions(ctx context.Context) ([]ansinh.OpenDecision, error) {
	cur, err := s.db.Collection(colDecisionsOpen).Find(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("open decisions", err)
	}
	var docs []struct {
		ID string    `bson:"_id"`
		At time.Time `bson:"at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("open decisions", err)
	}
	out := make([]ansinh.OpenDecision, len(docs))
	for i, d := range docs {
		out[i] = ansinh.OpenDecision{Receipt: d.ID, At: d.At}
	}
	return out, nil
}

// CloseDecision drops a decision's open marker.
func (s *Store) CloseDecision(ctx context.Context, receipt string) error {
	if _, err := s.db.Collection(colDecisionsOpen).DeleteOne(ctx, bson.D{{Key: "_id", Value: receipt}}); err != nil {
		return s.fail("decide: close", err)
	}
	return nil
}

// RecordDecision inserts d, not yet applied, with its move; a verification also keeps
// the account it replaces, read now. A decision already recorded on the receipt is
// ansinh.ErrDuplicate and changes nothing.
func (s *Store) RecordDecision(ctx context.Context, d *ansinh.Decision) error {
	applied := false
	ev := registrationEventDoc{ID: d.Receipt + ":decision", Receipt: d.Receipt, Kind: "decision", Status: d.Status,
		Reason: d.Reason, Note: d.Note, Commune: d.Commune, BeneficiaryID: d.BeneficiaryID, By: d.By, At: d.At.UTC(), Applied: &applied}
	if m := d.Move; m != nil {
		delta := toCounterDoc(m.Unit, m.Delta)
		ev.Delta = &delta
	}
	if d.Status == ansinh.StatusVerified {
		b, err := s.beneficiaryDoc(ctx, d.BeneficiaryID)
		if err != nil {
			return err
		}
		ev.Previous = b.Account
	}
	_, err := s.db.Collection(colRegistrationEvents).InsertOne(ctx, ev)
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("store: record decision: %w", ansinh.ErrDuplicate)
	}
	if err != nil {
		return s.fail("decide", err)
	}
	// The commune's decided roster says at once that the submission has ended, so that
	// the queue page, which reads it, never shows it pending while the decision's steps
	// run (or wait for the sweep after a crash). MarkDecisionApplied writes the line
	// again: a failure here costs nothing but that wait.
	if err := s.syncDecided(ctx, ev.ID); err != nil {
		s.logger.Warn("store: decided roster after a decision", "receipt", d.Receipt, "err", err)
	}
	return nil
}

// Decision returns the decision recorded on receipt (ENOTFOUND if none). Decisions
// older than the applied marker were applied in one go: Applied is true.
func (s *Store) Decision(ctx context.Context, receipt string) (*ansinh.Decision, error) {
	ev, err := s.decisionDoc(ctx, receipt)
	if err != nil {
		return nil, err
	}
	d := &ansinh.Decision{Receipt: ev.Receipt, Status: ev.Status, Reason: ev.Reason, Note: ev.Note, By: ev.By, At: ev.At,
		BeneficiaryID: ev.BeneficiaryID, Commune: ev.Commune, Applied: ev.Applied == nil || *ev.Applied}
	if ev.Delta != nil {
		d.Move = &ansinh.Move{Unit: ev.Delta.ID, Delta: ev.Delta.counts()}
	}
	return d, nil
}

func (s *Store) decisionDoc(ctx context.Context, receipt string) (*registrationEventDoc, error) {
	var ev registrationEventDoc
	err := s.db.Collection(colRegistrationEvents).FindOne(ctx, bson.D{{Key: "_id", Value: receipt + ":decision"}}).Decode(&ev)
	if err != nil {
		return nil, s.fail("decision", err)
	}
	return &ev, nil
}

// SetAccountFromSubmission makes the account of submission receipt the
// beneficiary's, verified at at, and returns its blind index.
func (s *Store) SetAccountFromSubmission(ctx context.Context, receipt, beneficiaryID string, at time.Time) (string, error) {
	reg, err := s.registrationDoc(ctx, receipt)
	if err != nil {
		return "", err
	}
	account := &accountDoc{BankBIN: reg.BankBIN, NumberEnc: reg.AccountEnc, Index: reg.AccountIndex, Last4: reg.AccountLast4,
		HolderName: reg.AccountName, Proxy: reg.Proxy != nil, Source: ansinh.SourceRegistration, VerifiedAt: at.UTC(),
		VNeID: reg.VNeIDLinked}
	return reg.AccountIndex, s.setFields(ctx, "verify: set account", beneficiaryID, bson.D{{Key: "account", Value: account}, {Key: "updated_at", Value: at}})
}

// SyncRoster rewrites the person's line in the roster of their commune from the
// record as it is now (after a verification changed their account).
func (s *Store) SyncRoster(ctx context.Context, beneficiaryID string) error {
	return s.syncMember(ctx, beneficiaryID)
}

// KeepReplacedAccount files the account that the verification of receipt replaced
// (kept with the decision) in the person's account history; nothing if it replaced none.
func (s *Store) KeepReplacedAccount(ctx context.Context, receipt string) error {
	ev, err := s.decisionDoc(ctx, receipt)
	if err != nil || ev.Previous == nil {
		return err
	}
	h := accountHistoryDoc{ID: receipt, BeneficiaryID: ev.BeneficiaryID, Previous: ev.Previous, ReplacedAt: ev.At}
	if _, err := s.db.Collection(colAccountHistory).InsertOne(ctx, h); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("verify: account history", err)
	}
	return nil
}

// AddCountsOnce moves a unit's counters by m.Delta once for the move id, however often
// it is called; ForgetMove drops the id once the move's owner no longer needs it.
func (s *Store) AddCountsOnce(ctx context.Context, m *ansinh.Move, id string) error {
	return s.addCountsOnce(ctx, m.Unit, m.Delta, id)
}

// ForgetMove drops the mark of move id from the unit's counters.
func (s *Store) ForgetMove(ctx context.Context, unit, id string) error {
	if _, err := s.db.Collection(colCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: unit}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "moves", Value: id}}}}); err != nil {
		return s.fail("decide: close", err)
	}
	return nil
}

// MarkDecisionApplied records that every step of the decision on receipt is done, and
// lists it among its commune's decided submissions (a step the sweep, too, always
// reaches).
func (s *Store) MarkDecisionApplied(ctx context.Context, receipt string) error {
	if _, err := s.db.Collection(colRegistrationEvents).UpdateOne(ctx, bson.D{{Key: "_id", Value: receipt + ":decision"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}}); err != nil {
		return s.fail("decide: applied", err)
	}
	return s.syncDecided(ctx, receipt+":decision")
}

// UnfinishedDecisions counts the open markers whose decision is recorded but not
// applied: a unit migration must not start while any is left.
func (s *Store) UnfinishedDecisions(ctx context.Context) (int, error) {
	open, err := s.OpenDecisions(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range open {
		ev, err := s.decisionDoc(ctx, o.Receipt)
		if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
			continue
		}
		if err != nil {
			return n, err
		}
		if ev.Applied != nil && !*ev.Applied {
			n++
		}
	}
	return n, nil
}
