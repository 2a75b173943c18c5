package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"ansinh"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/store/storetest"
)

// A verification is several writes; a crash after any of them must leave something a
// retry by the officer, or the sweep, finishes into exactly the uninterrupted outcome.
func TestDecisionInterruptedAfterEachStepIsFinished(t *testing.T) {
	steps := []string{"open", "claim", "dequeue", "account", "history", "count", "roster", "ref", "applied"}
	for i, step := range steps {
		for _, finish := range []string{"retry", "sweep"} {
			t.Run(step+" then "+finish, func(t *testing.T) {
				ctx := context.Background()
				s := storetest.New(t)
				cccd := fmt.Sprintf("0940500%05d", i)
				// The person is already paid into an imported account, which the
				// verification replaces (so the history step has work to do).
				row := &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Người Thử", CCCD: cccd, BirthDate: "1950", Commune: "31498",
					Group: ansinh.GroupBTXH, Eligible: true, Account: &ansinh.Account{BankBIN: "970405", Number: "111122223333",
						HolderName: "NGUOI THU", Source: ansinh.SourceImport}}}
				if _, err := s.InsertImported(ctx, []*ansinh.ImportRow{row}, time.Now()); err != nil {
					t.Fatal(err)
				}
				id := s.BeneficiaryID(cccd)
				// A proxy's account: the verification moves the counters (one more paid
				// through a proxy), so a move made twice shows as drift.
				r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: id, Commune: "31498", Submitter: ansinh.SubmitterProxy,
					Proxy:   &ansinh.Proxy{Name: "Người Con", CCCD: "094090001111", Phone: "0912345678", Relationship: "con"},
					BankBIN: "970418", AccountNumber: "999988887777", AccountName: "NGUOI CON", Channel: ansinh.ChannelQR, SubmittedAt: time.Now()}
				crashing := lifecycle(s)
				if _, err := crashing.Record(ctx, r); err != nil {
					t.Fatal(err)
				}
				r.Status = ansinh.StatusPending
				d := &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusVerified, By: "xa31498", At: time.Now()}
				crashing.FailAfterForTest(step)
				if _, err := crashing.RecordDecision(ctx, r, d); err == nil {
					t.Fatalf("no failure injected after %s", step)
				}
				d = &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusVerified, By: "xa31498", At: d.At}
				told := &notices{}
				svc := registration.New(s, "test-secret-key-test-secret-key-0123", nil)
				svc.Notifier = told
				switch finish {
				case "retry":
					r, _ = s.Registration(ctx, r.Receipt) // as the officer's page shows it again
					officer := &ansinh.User{Username: d.By, Role: ansinh.RoleCommune}
					if err := svc.Decide(ctx, officer, "127.0.0.1", r, d); err != nil {
						t.Fatalf("the officer's retry: %v", err)
					}
				case "sweep":
					if _, err := svc.FinishDecisions(ctx, time.Now().Add(time.Minute)); err != nil {
						t.Fatal(err)
					}
				}
				decided := !(finish == "sweep" && step == "open") // the sweep cannot know a verdict never written
				checkDecision(t, s, r, decided)
				// The person is told of a decision the crash kept from being told.
				if want := map[bool]int{true: 1, false: 0}[decided]; len(told.receipts) != want || (want == 1 && told.receipts[0] != r.Receipt) {
					t.Fatalf("told %v, want %d notice", told.receipts, want)
				}
				// A second sweep finds nothing left to do.
				if done, err := svc.FinishDecisions(ctx, time.Now().Add(time.Minute)); err != nil || done != 0 {
					t.Fatalf("a second sweep finished %d (%v)", done, err)
				}
			})
		}
	}
}

// checkDecision checks the state after a verification (or, if !decided, none).
func checkDecision(t *testing.T, s *store.Store, r *ansinh.Registration, decided bool) {
	t.Helper()
	ctx := context.Background()
	reg, err := s.Registration(ctx, r.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	items, _, err := s.Queue(ctx, store.QueueQuery{Communes: []string{"31498"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Beneficiary(ctx, r.BeneficiaryID)
	history, _, _ := s.AccountHistory(ctx, r.BeneficiaryID)
	if drift, err := s.Reconcile(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("counters drift from a recount: %v %v", drift, err)
	}
	noRosterDrift(t, s)
	if !decided {
		if reg.Status != ansinh.StatusPending || len(items) != 1 || b.Account.Last4 != "3333" {
			t.Fatalf("undecided: status %s, %d queued, account …%s", reg.Status, len(items), b.Account.Last4)
		}
		return
	}
	if counts, _ := s.Counts(ctx); counts["31498"].Proxy != 1 || counts["31498"].WithAccount != 1 {
		t.Fatalf("counters %+v, want one with an account, through a proxy", counts["31498"])
	}
	if reg.Status != ansinh.StatusVerified || len(items) != 0 || b.Account == nil || b.Account.Last4 != "7777" || !b.Account.Proxy ||
		b.Account.Source != ansinh.SourceRegistration || len(history) != 1 || history[0].Last4 != "3333" {
		t.Fatalf("status %s, %d queued, account %+v, history %+v", reg.Status, len(items), b.Account, history)
	}
	if n := s.OpenDecisionsForTest(ctx); n != 0 {
		t.Fatalf("%d decisions still open", n)
	}
	if moves := s.CounterMovesForTest(ctx, "31498"); len(moves) != 0 {
		t.Fatalf("the counter still remembers %v", moves)
	}
}

// notices records the decisions told to people.
type notices struct{ receipts []string }

func (n *notices) Decided(_ context.Context, r *ansinh.Registration, _ *ansinh.Decision) error {
	n.receipts = append(n.receipts, r.Receipt)
	return nil
}
