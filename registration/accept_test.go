package registration_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ansinh"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/store/storetest"
)

func request(key, account string) *ansinh.RegistrationRequest {
	return &ansinh.RegistrationRequest{Submitter: ansinh.SubmitterSelf, BankBIN: "970405", AccountNumber: account,
		AccountName: "Nguyen Van Sau", Consent: true, IdempotencyKey: key}
}

// exactlyOnce checks what a submission's steps leave: the submission queued once, once
// in the person's chain, one audit event, nothing left accepted, and the rosters as
// their records say.
func (f *fixture) exactlyOnce(t *testing.T, receipt string) {
	t.Helper()
	ctx := context.Background()
	items, _, err := f.st.Queue(ctx, store.QueueQuery{Communes: []string{"31498"}})
	if err != nil || len(items) != 1 || items[0].Receipt != receipt {
		t.Fatalf("queue: %+v %v, want %s once", items, err, receipt)
	}
	if chain, err := f.st.RegistrationReceipts(ctx, f.b.ID); err != nil || len(chain) != 1 || chain[0] != receipt {
		t.Fatalf("chain: %v %v", chain, err)
	}
	if n, err := f.st.CountAuditEvents(ctx, ansinh.AuditFilter{Action: ansinh.ActionSubmit, Target: "beneficiary:" + f.b.ID}); err != nil || n != 1 {
		t.Fatalf("%d submission events (%v), want 1", n, err)
	}
	if left, err := f.st.AcceptedRegistrations(ctx); err != nil || len(left) != 0 {
		t.Fatalf("accepted still: %d %v", len(left), err)
	}
	if drift, err := f.st.ReconcileRosters(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("rosters drift: %+v %v", drift, err)
	}
}

// A submission is durable once answered: a crash at any point of the steps that follow
// (here: every step failing until the service "restarts") loses nothing, and the start-up
// sweep finishes it exactly once, however often it runs.
func TestAnAcceptedSubmissionSurvivesACrashAtEveryStep(t *testing.T) {
	for _, step := range []string{"accepted:insert", "accepted:link", "accepted:queue", "accepted:audit"} {
		t.Run(step, func(t *testing.T) {
			f := setup(t)
			ctx := context.Background()
			f.svc.FailAfterForTest(step)
			receipt, replay, err := f.svc.SubmitFor(ctx, f.b, request("crash-0001", "123456789012"), ansinh.ChannelQR)
			if err != nil || replay {
				t.Fatalf("submit: %v %v", replay, err)
			}
			if err := f.svc.Settle(ctx); err != nil { // every try fails: left to the sweep
				t.Fatal(err)
			}
			r, err := f.st.Registration(ctx, receipt)
			if err != nil || r.Status != ansinh.StatusPending || r.AccountLast4 != "9012" {
				t.Fatalf("the answered submission after the crash: %+v %v", r, err)
			}
			if left, err := f.st.AcceptedRegistrations(ctx); err != nil || len(left) != 1 || left[0].Registration.AccountNumber != "123456789012" {
				t.Fatalf("left for the sweep: %+v %v", left, err)
			}
			// The restart: a new service over the same store, the sweep at start, twice.
			again := registration.New(f.st, "secret-key-secret-key-secret-key-01", func() time.Time { return f.now })
			for range 2 {
				if _, err := again.FinishDecisions(ctx, f.now); err != nil {
					t.Fatal(err)
				}
			}
			f.exactlyOnce(t, receipt)
		})
	}
}

// What is answered is what readers see: the status at once, and, for whoever waits
// (staff pages, decisions), the queue.
func TestASubmissionIsReadAsAnswered(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	receipt, _, err := f.svc.SubmitFor(ctx, f.b, request("read-0001", "123456789012"), ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := f.svc.Status(ctx, receipt); err != nil || r.Status != ansinh.StatusPending {
		t.Fatalf("status at once: %+v %v", r, err)
	}
	if err := f.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	f.exactlyOnce(t, receipt)
}

// A repeat while the first attempt's steps are still to come: the same content is the
// same receipt, other content a conflict; either way one submission, with the first
// content.
func TestARepeatBeforeTheStepsIsExact(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	first, _, err := f.svc.SubmitFor(ctx, f.b, request("repeat-0001", "123456789012"), ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	again, replay, err := f.svc.SubmitFor(ctx, f.b, request("repeat-0001", "123456789012"), ansinh.ChannelQR)
	if err != nil || !replay || again != first {
		t.Fatalf("repeat: %s %v %v", again, replay, err)
	}
	if _, _, err := f.svc.SubmitFor(ctx, f.b, request("repeat-0001", "999999999999"), ansinh.ChannelQR); ansinh.ErrorCode(err) != ansinh.ECONFLICT {
		t.Fatalf("same key, other account: %v", err)
	}
	if err := f.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	f.exactlyOnce(t, first)
	if r, _ := f.st.Registration(ctx, first); r.AccountLast4 != "9012" {
		t.Fatalf("the submission names …%s", r.AccountLast4)
	}
	// And once stored: the repeat is still a replay, the other content still refused.
	if again, replay, err := f.svc.SubmitFor(ctx, f.b, request("repeat-0001", "123456789012"), ansinh.ChannelQR); err != nil || !replay || again != first {
		t.Fatalf("repeat once stored: %s %v %v", again, replay, err)
	}
	if _, _, err := f.svc.SubmitFor(ctx, f.b, request("repeat-0001", "999999999999"), ansinh.ChannelQR); ansinh.ErrorCode(err) != ansinh.ECONFLICT {
		t.Fatalf("same key, other account, once stored: %v", err)
	}
	if err := f.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	f.exactlyOnce(t, first)
}

// Two submissions of one person in one batch: chained in the order they came, the
// first superseded by the second, only the second queued.
func TestTwoSubmissionsInOneBatchKeepTheirOrder(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	older, _, err := f.svc.SubmitFor(ctx, f.b, request("order-0001", "111111111111"), ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	newer, _, err := f.svc.SubmitFor(ctx, f.b, request("order-0002", "222222222222"), ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := f.svc.Status(ctx, older); err != nil || r.Status != ansinh.StatusSuperseded || r.SupersededBy != newer {
		t.Fatalf("the older one: %+v %v", r, err)
	}
	chain, err := f.st.RegistrationReceipts(ctx, f.b.ID)
	if err != nil || len(chain) != 2 || chain[0] != older || chain[1] != newer {
		t.Fatalf("chain %v %v, want [%s %s]", chain, err, older, newer)
	}
	items, _, err := f.st.Queue(ctx, store.QueueQuery{Communes: []string{"31498"}})
	if err != nil || len(items) != 1 || items[0].Receipt != newer {
		t.Fatalf("queue: %+v %v", items, err)
	}
}

// A submission another instance accepted and has not yet taken through its steps is not
// decided here: the officer is asked to try again, and once the steps are done the
// decision goes through and the queue holds nothing decided.
func TestNoDecisionBeforeTheStepsOfAnotherInstance(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: f.b.ID, Commune: f.b.Commune, Submitter: ansinh.SubmitterSelf,
		BankBIN: "970405", AccountNumber: "123456789012", AccountName: "NGUYEN VAN SAU", Channel: ansinh.ChannelAPI,
		Consent: ansinh.Consent{Version: ansinh.ConsentVersion, At: f.now}, SubmittedAt: f.now}
	if _, err := f.st.InsertAccepted(ctx, r, "public", ""); err != nil { // the other instance's acceptance
		t.Fatal(err)
	}
	officer := &ansinh.User{Username: "xa31498", Role: ansinh.RoleCommune, Unit: "31498"}
	stored, err := f.st.Registration(ctx, r.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.Decide(ctx, officer, "", stored, &ansinh.Decision{Status: ansinh.StatusVerified, By: officer.Username, At: f.now})
	if ansinh.ErrorCode(err) != ansinh.ECONFLICT || ansinh.ErrorMessage(err) != ansinh.MsgStillStoring {
		t.Fatalf("a decision before the steps: %v", err)
	}
	if _, err := f.svc.FinishDecisions(ctx, f.now); err != nil { // the other instance, or the sweep
		t.Fatal(err)
	}
	if stored, err = f.st.Registration(ctx, r.Receipt); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Decide(ctx, officer, "", stored, &ansinh.Decision{Status: ansinh.StatusVerified, By: officer.Username, At: f.now}); err != nil {
		t.Fatalf("the decision once stored: %v", err)
	}
	if items, _, err := f.st.Queue(ctx, store.QueueQuery{Communes: []string{"31498"}}); err != nil || len(items) != 0 {
		t.Fatalf("queue after the decision: %+v %v", items, err)
	}
	if got, _ := f.st.Registration(ctx, r.Receipt); got.Status != ansinh.StatusVerified {
		t.Fatalf("status %s", got.Status)
	}
}

// A submission whose steps fail goes again before the person's submissions that came
// after it: here the person's second comes while the first one's batch is failing.
func TestASubmissionTriedAgainKeepsItsPlace(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	var newer string
	var once sync.Once
	f.svc.FailStepForTest(func(step string) error {
		if step != "accepted:insert" {
			return nil
		}
		var err error
		once.Do(func() {
			var e error
			if newer, _, e = f.svc.SubmitFor(ctx, f.b, request("again-0002", "222222222222"), ansinh.ChannelQR); e != nil {
				t.Error(e)
			}
			err = errors.New("injected failure of the first batch")
		})
		return err
	})
	older, _, err := f.svc.SubmitFor(ctx, f.b, request("again-0001", "111111111111"), ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	f.inOrder(t, older, newer)
}

// A submission left to the sweep holds the person's later ones with it: the sweep takes
// them in the order they came.
func TestASubmissionLeftToTheSweepHoldsThePersonsLaterOnes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.svc.FailAfterForTest("accepted:insert")
	older, _, err := f.svc.SubmitFor(ctx, f.b, request("held-0001", "111111111111"), ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Settle(ctx); err != nil { // every try fails: left to the sweep
		t.Fatal(err)
	}
	f.svc.FailAfterForTest("")
	newer, _, err := f.svc.SubmitFor(ctx, f.b, request("held-0002", "222222222222"), ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.FinishDecisions(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	f.inOrder(t, older, newer)
}

// inOrder checks that the person's chain is older then newer, the older superseded by
// the newer, and only the newer queued.
func (f *fixture) inOrder(t *testing.T, older, newer string) {
	t.Helper()
	ctx := context.Background()
	chain, err := f.st.RegistrationReceipts(ctx, f.b.ID)
	if err != nil || len(chain) != 2 || chain[0] != older || chain[1] != newer {
		t.Fatalf("chain %v %v, want [%s %s]", chain, err, older, newer)
	}
	if r, err := f.st.Registration(ctx, older); err != nil || r.Status != ansinh.StatusSuperseded || r.SupersededBy != newer {
		t.Fatalf("the older one: %+v %v", r, err)
	}
	items, _, err := f.st.Queue(ctx, store.QueueQuery{Communes: []string{"31498"}})
	if err != nil || len(items) != 1 || items[0].Receipt != newer {
		t.Fatalf("queue: %+v %v", items, err)
	}
}

// A person's list of submissions holds the one just answered, for every reader of it
// (the status look-up, a consent withdrawal, a commune choice, the Zalo bot, reminders).
func TestAPersonsSubmissionsHoldTheOneJustAnswered(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	receipt, _, err := f.svc.SubmitFor(ctx, f.b, request("list-0001", "123456789012"), ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	if chain, err := f.st.RegistrationReceipts(ctx, f.b.ID); err != nil || len(chain) != 1 || chain[0] != receipt {
		t.Fatalf("the person's submissions right after the answer: %v %v", chain, err)
	}
}

// An accepted submission is stored as its receipt and one packed value (the insert a
// person's request waits for costs a fifth less so), and one an earlier version stored
// field by field, still waiting after an upgrade, is read and finished all the same.
func TestAcceptedSubmissionsPackedAndUnpackedAreRead(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	receipt := f.leftToTheSweep(t, "accepted:insert", func() (string, bool, error) {
		return f.svc.SubmitFor(ctx, f.b, request("packed-0001", "123456789012"), ansinh.ChannelQR)
	})
	// As a crash before its first step leaves it: accepted, nothing stored.
	if err := storetest.DeleteRaw(ctx, f.st, "registrations", receipt); err != nil {
		t.Fatal(err)
	}
	raw, err := storetest.FindRaw(ctx, f.st, "registrations_accepted", receipt)
	if err != nil {
		t.Fatal(err)
	}
	elems, _ := raw.Elements()
	_, packed, ok := raw.Lookup("z").BinaryOK()
	if len(elems) != 2 || !ok {
		t.Fatalf("the accepted document as stored: %s", raw)
	}
	read := func(shape string) {
		t.Helper()
		r, err := f.st.Registration(ctx, receipt)
		if err != nil || r.Status != ansinh.StatusPending || r.AccountLast4 != "9012" || r.BeneficiaryID != f.b.ID {
			t.Fatalf("%s: the receipt reads %+v %v", shape, r, err)
		}
		left, err := f.st.AcceptedRegistrations(ctx)
		if err != nil || len(left) != 1 || left[0].Registration.AccountNumber != "123456789012" || left[0].AuditID == "" {
			t.Fatalf("%s: left for the sweep %+v %v", shape, left, err)
		}
	}
	read("packed")
	// As an earlier version stored it: the same fields at the top level.
	if err := storetest.ReplaceRaw(ctx, f.st, "registrations_accepted", receipt, bson.Raw(packed)); err != nil {
		t.Fatal(err)
	}
	read("field by field")
	f.restart(t)
	f.exactlyOnce(t, receipt)
}
