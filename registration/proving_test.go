package registration_test

import (
	"context"
	"testing"
	"time"

	"ansinh"
	"ansinh/registration"
	"ansinh/store"
)

// byCCCD is a submission on the CCCD path (the API's), with its idempotency key.
func byCCCD(key, birthDate, account string) *ansinh.RegistrationRequest {
	r := request(key, account)
	r.CCCD, r.BirthDate = "094050001234", birthDate
	return r
}

// leftToTheSweep submits with every try of the steps failing after step, so that the
// submission is left to the sweep, and returns its receipt.
func (f *fixture) leftToTheSweep(t *testing.T, step string, submit func() (string, bool, error)) string {
	t.Helper()
	f.svc.FailAfterForTest(step)
	receipt, _, err := submit()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	return receipt
}

// restart is what a new service over the same store does before its first request:
// the sweep, once. It returns the new service.
func (f *fixture) restart(t *testing.T) *registration.Service {
	t.Helper()
	again := registration.New(f.st, "secret-key-secret-key-secret-key-01", func() time.Time { return f.now })
	if _, err := again.FinishDecisions(context.Background(), f.now); err != nil {
		t.Fatal(err)
	}
	return again
}

// nothingAccepted checks that no accepted submission is left over.
func (f *fixture) nothingAccepted(t *testing.T, when string) {
	t.Helper()
	if left, err := f.st.AcceptedRegistrations(context.Background()); err != nil || len(left) != 0 {
		t.Fatalf("%s: accepted still %+v %v", when, left, err)
	}
}

// On the CCCD path the submission is stored while the identity is proven: a refused one
// and a repeat are withdrawn before the answer, and only the first is stored, once.
func TestOnTheCCCDPathWhatIsNotStoredIsWithdrawnBeforeTheAnswer(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, _, err := f.svc.Submit(ctx, byCCCD("prove-0001", "1951-03-05", "123456789012"), ansinh.ChannelAPI); ansinh.ErrorCode(err) != ansinh.EINVALID {
		t.Fatalf("a wrong birth date: %v", err)
	}
	f.nothingAccepted(t, "after a wrong birth date")
	receipt, replay, err := f.svc.Submit(ctx, byCCCD("prove-0001", "1950-03-05", "123456789012"), ansinh.ChannelAPI)
	if err != nil || replay {
		t.Fatalf("the right one: %v %v", replay, err)
	}
	if err := f.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	f.exactlyOnce(t, receipt)
	if r, err := f.st.Registration(ctx, receipt); err != nil || r.Commune != "31498" || r.AccountLast4 != "9012" {
		t.Fatalf("stored as %+v %v", r, err)
	}
	// Its key again with another account: refused, and the stored one stands.
	if _, _, err := f.svc.Submit(ctx, byCCCD("prove-0001", "1950-03-05", "999999999999"), ansinh.ChannelAPI); err == nil {
		t.Fatal("the key again with other content was taken")
	}
	f.nothingAccepted(t, "after the key with other content")
	// The same again: the same receipt, a replay, nothing more stored.
	again, replay, err := f.svc.Submit(ctx, byCCCD("prove-0001", "1950-03-05", "123456789012"), ansinh.ChannelAPI)
	if err != nil || !replay || again != receipt {
		t.Fatalf("the replay: %s %v %v", again, replay, err)
	}
	if err := f.svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	f.nothingAccepted(t, "after the replay")
	f.exactlyOnce(t, receipt)
	if r, _ := f.st.Registration(ctx, receipt); r.AccountLast4 != "9012" {
		t.Fatalf("after the repeats the account ends %s", r.AccountLast4)
	}
}

// What a crash leaves between the insert and its withdrawal is judged again at the
// start, as its request would have: a wrong birth date is withdrawn and never stored, a
// right one is stored with the commune of the record, and one that repeats a stored
// receipt with other content is withdrawn — it does not hold the person's later
// submissions waiting behind it.
func TestTheStartJudgesWhatACrashLeftBeforeTheIdentityWasProven(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	draft := func(account string) *ansinh.Registration {
		return &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: f.b.ID, Submitter: ansinh.SubmitterSelf,
			BankBIN: "970405", AccountNumber: account, AccountName: "NGUYEN VAN SAU", Channel: ansinh.ChannelAPI,
			Consent: ansinh.Consent{Version: ansinh.ConsentVersion, At: f.now}, SubmittedAt: f.now}
	}
	wrong, right := draft("111111111111"), draft("123456789012")
	if _, err := f.st.InsertAcceptedUnproven(ctx, wrong, "public", "", "1951-03-05"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.InsertAcceptedUnproven(ctx, right, "public", "", "1950-03-05"); err != nil {
		t.Fatal(err)
	}
	f.restart(t)
	if _, err := f.st.Registration(ctx, wrong.Receipt); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("the wrong birth date's submission: %v", err)
	}
	f.exactlyOnce(t, right.Receipt)
	if r, err := f.st.Registration(ctx, right.Receipt); err != nil || r.Commune != "31498" {
		t.Fatalf("the right one stored as %+v %v", r, err)
	}
	// A repeat of the stored receipt with another account, left by a crash.
	other := draft("999999999999")
	other.Receipt = right.Receipt
	if err := f.st.WithdrawAccepted(ctx, right.Receipt); err != nil { // (none left: a no-op)
		t.Fatal(err)
	}
	if _, err := f.st.InsertAcceptedUnproven(ctx, other, "public", "", "1950-03-05"); err != nil {
		t.Fatal(err)
	}
	f.restart(t)
	f.nothingAccepted(t, "after the start")
	if r, err := f.st.Registration(ctx, right.Receipt); err != nil || r.AccountLast4 != "9012" {
		t.Fatalf("the stored one after the repeat's crash: %+v %v", r, err)
	}
	items, _, err := f.st.Queue(ctx, store.QueueQuery{Communes: []string{"31498"}})
	if err != nil || len(items) != 1 || items[0].Receipt != right.Receipt {
		t.Fatalf("queue %+v %v", items, err)
	}
}

// A submission answered on the CCCD path and cut short by a crash at any of its steps
// is finished by the start exactly once: its own stored submission is not taken for a
// repeat of another.
func TestACCCDPathSubmissionSurvivesACrashAtEveryStep(t *testing.T) {
	for _, step := range []string{"accepted:insert", "accepted:link", "accepted:queue", "accepted:audit"} {
		t.Run(step, func(t *testing.T) {
			f := setup(t)
			receipt := f.leftToTheSweep(t, step, func() (string, bool, error) {
				return f.svc.Submit(context.Background(), byCCCD("crash-cccd-1", "1950-03-05", "123456789012"), ansinh.ChannelAPI)
			})
			f.restart(t)
			f.exactlyOnce(t, receipt)
		})
	}
}

// What a crash left after the first of its steps, with no memory of it in this process
// (a new process): its own stored submission is not a repeat of another, and the start
// finishes its steps exactly once.
func TestTheStartFinishesAnUnprovenSubmissionWhoseStepsBegan(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: f.b.ID, Submitter: ansinh.SubmitterSelf,
		BankBIN: "970405", AccountNumber: "123456789012", AccountName: "NGUYEN VAN SAU", Channel: ansinh.ChannelAPI,
		Consent: ansinh.Consent{Version: ansinh.ConsentVersion, At: f.now}, SubmittedAt: f.now.Truncate(time.Millisecond)}
	if _, err := f.st.InsertAcceptedUnproven(ctx, r, "public", "", "1950-03-05"); err != nil {
		t.Fatal(err)
	}
	r.Commune = f.b.Commune // as the request knew it once proven
	for _, err := range f.st.InsertRegistrations(ctx, []*ansinh.Registration{r}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.restart(t)
	f.exactlyOnce(t, r.Receipt)
}
