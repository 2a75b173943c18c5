package registration

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ansinh"
)

// A submission's life, and the only code that writes it: Record stores a submission,
// supersedes the person's pending ones and queues it; Decide records a verdict and
// applies it. The store gives single writes, each safe to repeat and keyed by _id (no
// transactions, SPEC §7); the order of the steps below is what keeps the invariants:
//
//   - the review queue holds exactly the pending submissions;
//   - a person's account is the one of their latest verified submission;
//   - every counter move is made once (AddCountsOnce, under the decision's receipt),
//     and the person's line in their commune's roster follows (SyncRoster);
//   - a step left undone by a crash is finished by a retry or by the sweep
//     (FinishDecisions), never by hand.

// Lifecycle is what the lifecycle needs from the data layer.
type Lifecycle interface {
	AccountIndex(bin, number string) string
	InsertRegistration(ctx context.Context, r *ansinh.Registration) error
	LinkSubmission(ctx context.Context, beneficiaryID, receipt string, at time.Time) ([]string, error)
	RegistrationStatus(ctx context.Context, receipt string) (string, error)
	MarkSuperseded(ctx context.Context, old string, newer *ansinh.Registration) error
	QueueForReview(ctx context.Context, r *ansinh.Registration) error
	RemoveFromReview(ctx context.Context, receipt string) error
	AddAccountSubmission(ctx context.Context, index, receipt string) error
	AddAccountUser(ctx context.Context, index, beneficiaryID string) error

	OpenDecision(ctx context.Context, receipt string, at time.Time) error
	RecordDecision(ctx context.Context, d *ansinh.Decision) error
	Decision(ctx context.Context, receipt string) (*ansinh.Decision, error)
	SetAccountFromSubmission(ctx context.Context, receipt, beneficiaryID string, at time.Time) (index string, err error)
	KeepReplacedAccount(ctx context.Context, receipt string) error
	AddCountsOnce(ctx context.Context, m *ansinh.Move, id string) error
	SyncRoster(ctx context.Context, beneficiaryID string) error
	ForgetMove(ctx context.Context, unit, id string) error
	MarkDecisionApplied(ctx context.Context, receipt string) error
	OpenDecisions(ctx context.Context) ([]ansinh.OpenDecision, error)
	CloseDecision(ctx context.Context, receipt string) error
}

// Record stores a built submission, without the checks of who submits it (Submit and
// its kin make them; imports, migrations and tests call it directly). A receipt
// already stored for the same person is a repeat of the same submission (the receipt
// comes from its idempotency key): with the same content nothing new is stored and
// replay is true, and what an interrupted first attempt left undone is finished while
// it is still pending; with other content it is ansinh.ErrIdempotencyReused and
// nothing is stored. A repeat of a submission already decided or superseded changes
// nothing: it never goes back into the queue. A receipt of another person is
// ansinh.ErrReceiptTaken.
//
// Submissions accepted before it go through their steps first (Settle), so that a
// person's submissions are chained in the order they came.
func (s *Service) Record(ctx context.Context, r *ansinh.Registration) (replay bool, err error) {
	if err := s.Settle(ctx); err != nil {
		return false, err
	}
	return s.record(ctx, r)
}

// record is Record's steps.
func (s *Service) record(ctx context.Context, r *ansinh.Registration) (replay bool, err error) {
	err = s.store.InsertRegistration(ctx, r)
	if errors.Is(err, ansinh.ErrDuplicate) {
		had, err := s.store.Registration(ctx, r.Receipt)
		if err != nil {
			return false, err
		}
		if ended, err := repeatOf(had, r, r.Fingerprint); err != nil {
			return false, fmt.Errorf("registration: record: %w", err)
		} else if ended {
			return true, nil
		}
		// The first attempt's commune and time stand; the steps below finish it.
		r.Commune, r.SubmittedAt = had.Commune, had.SubmittedAt
		replay = true
	} else if err != nil {
		return false, err
	}
	return replay, s.follow(ctx, r)
}

// repeatOf judges r, whose receipt had holds already (fingerprint is what r says):
// another person's is ansinh.ErrReceiptTaken, other content ansinh.ErrIdempotencyReused;
// otherwise r is a repeat of had, ended (decided or superseded, so nothing to do) or
// still pending.
func repeatOf(had, r *ansinh.Registration, fingerprint string) (ended bool, err error) {
	switch {
	case had.BeneficiaryID != r.BeneficiaryID:
		return false, ansinh.ErrReceiptTaken
	case had.Fingerprint != "" && had.Fingerprint != fingerprint:
		return false, ansinh.ErrIdempotencyReused
	}
	return had.Status != ansinh.StatusPending, nil
}

// follow is what follows a submission's insert: it is linked at the end of the
// person's chain, supersedes their pending ones, and is queued for review.
func (s *Service) follow(ctx context.Context, r *ansinh.Registration) error {
	earlier, err := s.store.LinkSubmission(ctx, r.BeneficiaryID, r.Receipt, r.SubmittedAt)
	if err != nil {
		return err
	}
	r.Submissions = len(earlier) + 1
	for _, old := range earlier {
		st, err := s.store.RegistrationStatus(ctx, old)
		if err != nil {
			return err
		}
		if st != ansinh.StatusPending {
			continue
		}
		// Superseded first, then out of the queue: a crash between leaves a superseded
		// submission queued, which the next repeat or the queue's own status check drops.
		if err := s.store.MarkSuperseded(ctx, old, r); err != nil {
			return err
		}
		if err := s.store.RemoveFromReview(ctx, old); err != nil {
			return err
		}
	}
	if err := s.store.AddAccountSubmission(ctx, s.store.AccountIndex(r.BankBIN, r.AccountNumber), r.Receipt); err != nil {
		return err
	}
	return s.store.QueueForReview(ctx, r)
}

// Decide records an officer's decision on a submission, audits it and tells the person.
// Only an officer whose role decides may; not the officer who typed the registration
// in, where a second officer is required; and only on a pending submission, or again
// by the same officer with the same verdict — a retry after a lost answer or a crash,
// which finishes the decision's steps and is not told twice.
func (s *Service) Decide(ctx context.Context, officer *ansinh.User, ip string, r *ansinh.Registration, d *ansinh.Decision) error {
	if !officer.Role.Can(ansinh.ActDecide) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	if s.SecondOfficer && r.RegisteredBy == officer.Username {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgSecondOfficer)
	}
	if r.Status != ansinh.StatusPending && (r.Status != d.Status || r.DecidedBy != officer.Username) {
		return &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgDecided}
	}
	again, err := s.RecordDecision(ctx, r, d)
	if err != nil {
		return err
	}
	action := ansinh.ActionVerify
	if d.Status == ansinh.StatusRejected {
		action = ansinh.ActionReject
	}
	detail := map[string]any{"receipt": r.Receipt, "reason": d.Reason}
	if again {
		detail["again"] = true // a retry: the decision stands as first recorded, now applied
	}
	if err := s.store.Audit(ctx, &ansinh.AuditEvent{At: s.now(), Actor: officer.Username, Role: officer.Role, Action: action,
		Target: "beneficiary:" + r.BeneficiaryID, Unit: r.Commune, IP: ip, Detail: detail}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	// A retry tells again: the first attempt may have stopped before its notice, and a
	// notice is keyed by its receipt, so a repeat is not sent twice. Until told, the
	// decision stays open for the sweep.
	s.tell(ctx, r, d)
	return s.store.CloseDecision(ctx, r.Receipt)
}

// RecordDecision records a verdict on a pending submission and applies it, without
// the officer's checks, audit or notice (Decide makes them). The decision is one
// inserted document keyed by the receipt: of two officers (or instances) deciding at
// once exactly one succeeds, and the other gets a conflict. It carries its plan — the
// account it replaces, the move of the counters — so that its steps can be finished
// by a retry or by FinishDecisions after a crash. The same officer deciding again the
// same way finishes it and is answered again=true; anyone else, or another verdict,
// is a conflict. The open marker stays until the person is told (CloseDecision).
func (s *Service) RecordDecision(ctx context.Context, r *ansinh.Registration, d *ansinh.Decision) (again bool, err error) {
	// A submission is decided only once through the steps that follow its acceptance:
	// this process's are waited for; another instance's (MongoDB, or a second process on
	// one store) are not, and the officer is asked to try again in a moment.
	if err := s.Settle(ctx); err != nil {
		return false, err
	}
	if storing, err := s.store.StillAccepted(ctx, r.Receipt); err != nil {
		return false, err
	} else if storing {
		return false, &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgStillStoring}
	}
	st, err := s.store.RegistrationStatus(ctx, r.Receipt)
	if err != nil {
		return false, err
	}
	if st == ansinh.StatusSuperseded {
		return false, &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgDecided}
	}
	d.Receipt, d.BeneficiaryID, d.Commune, d.Applied, d.Move = r.Receipt, r.BeneficiaryID, r.Commune, false, nil
	if d.Status == ansinh.StatusVerified {
		if d.Move, err = s.verificationMove(ctx, r); err != nil {
			return false, err
		}
	}
	// The open marker first: a crash after it and before the decision leaves a marker
	// that the sweep drops; the other way round would leave a decision nobody finishes.
	if err := s.store.OpenDecision(ctx, r.Receipt, d.At); err != nil {
		return false, err
	}
	if err := s.after("open"); err != nil {
		return false, err
	}
	err = s.store.RecordDecision(ctx, d)
	if err == nil {
		err = s.after("claim")
	}
	if errors.Is(err, ansinh.ErrDuplicate) {
		had, err := s.store.Decision(ctx, r.Receipt)
		if err != nil {
			return false, err
		}
		// Whoever comes second helps finish the first decision; only its own decider's
		// retry of the same verdict is answered as done.
		if err := s.apply(ctx, had); err != nil {
			return false, err
		}
		if had.Status != d.Status || had.By != d.By {
			return false, &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgDecided}
		}
		return true, nil
	} else if err != nil {
		return false, err
	}
	return false, s.apply(ctx, d)
}

// verificationMove is how verifying r moves the person's counters.
func (s *Service) verificationMove(ctx context.Context, r *ansinh.Registration) (*ansinh.Move, error) {
	before, err := s.store.Beneficiary(ctx, r.BeneficiaryID)
	if err != nil {
		return nil, err
	}
	after := *before
	after.Account = &ansinh.Account{BankBIN: r.BankBIN, Proxy: r.Proxy != nil, Source: ansinh.SourceRegistration, VNeID: r.VNeIDLinked}
	return &ansinh.Move{Unit: before.CountedIn(), Delta: ansinh.Contribution(&after).Sub(ansinh.Contribution(before))}, nil
}

// apply does a recorded decision's steps; each is safe to repeat, and the applied
// marker comes last.
func (s *Service) apply(ctx context.Context, d *ansinh.Decision) error {
	move := "decision:" + d.Receipt
	if d.Applied {
		return s.forget(ctx, d, move)
	}
	if err := s.store.RemoveFromReview(ctx, d.Receipt); err != nil {
		return err
	}
	if d.Status == ansinh.StatusVerified {
		if err := s.after("dequeue"); err != nil {
			return err
		}
		index, err := s.store.SetAccountFromSubmission(ctx, d.Receipt, d.BeneficiaryID, d.At)
		if err != nil {
			return err
		}
		if err := s.after("account"); err != nil {
			return err
		}
		if err := s.store.KeepReplacedAccount(ctx, d.Receipt); err != nil {
			return err
		}
		if err := s.after("history"); err != nil {
			return err
		}
		if d.Move != nil && !d.Move.Delta.IsZero() {
			if err := s.store.AddCountsOnce(ctx, d.Move, move); err != nil {
				return err
			}
		}
		if err := s.after("count"); err != nil {
			return err
		}
		// The commune's roster line after the counters: a reconcile meeting the decision
		// half-applied sees a counter still to move for as short a time as before.
		if err := s.store.SyncRoster(ctx, d.BeneficiaryID); err != nil {
			return err
		}
		if err := s.after("roster"); err != nil {
			return err
		}
		if err := s.store.AddAccountUser(ctx, index, d.BeneficiaryID); err != nil {
			return err
		}
	}
	if err := s.after("ref"); err != nil {
		return err
	}
	if err := s.store.MarkDecisionApplied(ctx, d.Receipt); err != nil {
		return err
	}
	if err := s.after("applied"); err != nil {
		return err
	}
	return s.forget(ctx, d, move)
}

// forget drops the decision's mark on the counters, needed only until it is applied.
func (s *Service) forget(ctx context.Context, d *ansinh.Decision, move string) error {
	if d.Move == nil || d.Move.Delta.IsZero() {
		return nil
	}
	return s.store.ForgetMove(ctx, d.Move.Unit, move)
}

func (s *Service) after(step string) error {
	if s.failAfter != nil {
		return s.failAfter(step)
	}
	return nil
}

func (s *Service) tell(ctx context.Context, r *ansinh.Registration, d *ansinh.Decision) {
	if s.Notifier == nil {
		return
	}
	if err := s.Notifier.Decided(ctx, r, d); err != nil && s.Log != nil {
		s.Log.Warn("notify decision", "receipt_prefix", r.Receipt[:3], "err", err)
	}
}

// FinishDecisions runs the steps of the submissions accepted and left unfinished
// (FinishAccepted), then applies every decision still open (left half-done by a crash or a
// time-out, or not yet told), tells its person and closes it; it drops the markers,
// opened before abandoned, of decisions never recorded (a decider still running
// records and applies its own). It returns how many decisions it finished.
func (s *Service) FinishDecisions(ctx context.Context, abandoned time.Time) (int, error) {
	return s.finish(ctx, abandoned, true)
}

// ApplyOpenDecisions finishes the accepted submissions, applies every decision left
// half-done and leaves them open, for
// the sweep of a running service to tell their people (a unit migration runs it first).
func (s *Service) ApplyOpenDecisions(ctx context.Context) error {
	_, err := s.finish(ctx, time.Time{}, false)
	return err
}

func (s *Service) finish(ctx context.Context, abandoned time.Time, tell bool) (int, error) {
	// Submissions accepted and left before their steps first: a decision is only ever
	// on a submission through them.
	before := time.Now()
	if !abandoned.IsZero() { // the running service's sweep: leave another instance its own
		before = abandoned
	}
	if _, err := s.FinishAccepted(ctx, before); err != nil {
		return 0, err
	}
	open, err := s.store.OpenDecisions(ctx)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, o := range open {
		d, err := s.store.Decision(ctx, o.Receipt)
		if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
			if o.At.Before(abandoned) {
				if err := s.store.CloseDecision(ctx, o.Receipt); err != nil {
					return done, err
				}
			}
			continue
		}
		if err != nil {
			return done, err
		}
		if err := s.apply(ctx, d); err != nil {
			return done, err
		}
		if !tell {
			continue
		}
		r, err := s.store.Registration(ctx, d.Receipt)
		if err != nil {
			return done, err
		}
		s.tell(ctx, r, d)
		if err := s.store.CloseDecision(ctx, d.Receipt); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// FailStepForTest calls f after every step (of decisions and accepted submissions
// alike) and fails the step with what it returns; nil: never.
func (s *Service) FailStepForTest(f func(step string) error) { s.failAfter = f }

// FailAfterForTest makes decisions fail after the named step ("" never): open, claim,
// dequeue, account, history, count, roster, ref, applied; and the steps of accepted
// submissions after accepted:insert, accepted:link, accepted:queue, accepted:audit.
func (s *Service) FailAfterForTest(step string) {
	if step == "" {
		s.failAfter = nil
		return
	}
	s.failAfter = func(at string) error {
		if at == step {
			return errors.New("injected failure after " + step)
		}
		return nil
	}
}

// SubmitImported turns an account that a beneficiary list names for b, who already has
// another, into a pending submission (channel import) for the commune to verify like any
// other: a list never switches where a person is paid. The receipt derives from the
// person and the account, so the same list imported again adds nothing.
func (s *Service) SubmitImported(ctx context.Context, b *ansinh.Beneficiary, a *ansinh.Account, actor *ansinh.User, file string) (string, error) {
	if b.Commune == "" {
		return "", ansinh.Errorf(ansinh.EINVALID, ansinh.MsgImportAccountWaitsForCommune)
	}
	now := s.now()
	r := &ansinh.Registration{
		Receipt: s.receipt(b.ID, "import\x00"+a.BankBIN+"\x00"+a.Number), BeneficiaryID: b.ID, Commune: b.Commune,
		Submitter: ansinh.SubmitterSelf, BankBIN: a.BankBIN, AccountNumber: a.Number, AccountName: a.HolderName,
		Channel: ansinh.ChannelImport, RegisteredBy: actor.Username, ProofSeen: ansinh.ProofImportList(file),
		Consent: ansinh.Consent{Version: ansinh.ConsentImport, At: now}, SubmittedAt: now,
	}
	if a.Proxy {
		r.Submitter = ansinh.SubmitterProxy
	}
	replay, err := s.Record(ctx, r)
	if err != nil || replay {
		return r.Receipt, err
	}
	return r.Receipt, s.store.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: actor.Username, Role: actor.Role, Action: ansinh.ActionSubmit,
		Target: "beneficiary:" + b.ID, Unit: b.Commune, Detail: map[string]any{"receipt": r.Receipt, "channel": r.Channel, "file": file}})
}

// Withdrawals is what a withdrawal of consent needs from the data layer.
type Withdrawals interface {
	WithdrawConsent(ctx context.Context, beneficiaryID, request, by string, now time.Time) (pending []string, err error)
}

// WithdrawConsent carries out a person's withdrawal of consent to be paid into an
// account (request id): the store stops using the verified account, and every pending
// submission is closed as rejected with the reason, through the decision's usual steps.
// It returns the submissions it closed; a repeat finishes what an interrupted one left.
func (s *Service) WithdrawConsent(ctx context.Context, st Withdrawals, beneficiaryID, request, by string, now time.Time) ([]string, error) {
	pending, err := st.WithdrawConsent(ctx, beneficiaryID, request, by, now)
	if err != nil {
		return nil, err
	}
	var closed []string
	for _, receipt := range pending {
		r, err := s.store.Registration(ctx, receipt)
		if err != nil {
			return closed, err
		}
		d := &ansinh.Decision{Receipt: receipt, Status: ansinh.StatusRejected, Reason: "other", Note: ansinh.MsgConsentWithdrawnNote, By: by, At: now}
		if _, err := s.RecordDecision(ctx, r, d); err != nil && ansinh.ErrorCode(err) != ansinh.ECONFLICT {
			return closed, err
		}
		if err := s.store.CloseDecision(ctx, receipt); err != nil {
			return closed, err
		}
		closed = append(closed, receipt)
	}
	return closed, nil
}
