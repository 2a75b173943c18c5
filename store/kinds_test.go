package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
	"ansinh/store/storetest"
)

// kindsPeople imports, in commune 31498: A (NCC) with a bank account, B (BTXH) with a
// MoMo wallet, C (NCC) with a bank account linked in VNeID, D (HTXH) without one.
func kindsPeople(t *testing.T, s *store.Store) (a, b, c, d string) {
	t.Helper()
	acc := func(bin, number string, vneid bool) *ansinh.Account {
		return &ansinh.Account{BankBIN: bin, Number: number, Last4: number[len(number)-4:], HolderName: "NGUOI THU", Source: ansinh.SourceImport, VNeID: vneid}
	}
	person := func(name, cccd string, g ansinh.Group, a *ansinh.Account) *ansinh.ImportRow {
		return &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: name, CCCD: cccd, BirthDate: "1950", Commune: "31498", Group: g, Eligible: true, Account: a}}
	}
	rows := []*ansinh.ImportRow{
		person("Nguyễn Văn A", "094050000001", ansinh.GroupNCC, acc("970405", "111122223333", false)),
		person("Trần Thị B", "094150000002", ansinh.GroupBTXH, acc("971025", "0912345678", false)),
		person("Lê Văn C", "094050000003", ansinh.GroupNCC, acc("970418", "444455556666", true)),
		person("Phạm Thị D", "094150000004", ansinh.GroupHTXH, nil),
	}
	if _, err := s.InsertImported(context.Background(), rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	return s.BeneficiaryID("094050000001"), s.BeneficiaryID("094150000002"), s.BeneficiaryID("094050000003"), s.BeneficiaryID("094150000004")
}

func TestCountersSplitAccountsByKind(t *testing.T) {
	s := storetest.New(t)
	kindsPeople(t, s)
	counts, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := counts["31498"]
	if c.WithAccount != 3 || c.Bank != 1 || c.Wallet != 1 || c.VNeID != 1 || c.NCCBank != 1 || c.NCCVNeID != 1 || c.BTXHWallet != 1 {
		t.Fatalf("counts %+v", c)
	}
	if got := c.Counted(nil); got.WithAccount != 2 || got.BTXHWithAccount != 0 || got.NCCWithAccount != 2 {
		t.Fatalf("counted by default %+v", got)
	}
}

// TestReconcileRepairsTheKindSplit: a drift of the split by kind alone (with_account
// unchanged) is found and repaired.
func TestReconcileRepairsTheKindSplit(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	kindsPeople(t, s)
	if err := s.DamageKindsForTest(ctx, "31498"); err != nil {
		t.Fatal(err)
	}
	drift, err := s.Reconcile(ctx, false)
	if d := drift["31498"]; err != nil || d.Bank != 1 || d.Wallet != -1 || d.NCCBank != 1 || d.NCCWallet != -1 || d.WithAccount != 0 {
		t.Fatalf("drift %+v, %v", drift, err)
	}
	if _, err := s.ReconcileSettled(ctx, true, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if drift, err := s.Reconcile(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("after repair: %+v, %v", drift, err)
	}
}

// crashBeforeApplied is the store with the applied mark of a payment result failing
// once, as a crash after the result's other steps would leave it.
type crashBeforeApplied struct {
	*store.Store
	crashes int
}

func (c *crashBeforeApplied) MarkPaymentApplied(ctx context.Context, p *ansinh.PaymentResult) error {
	if c.crashes > 0 {
		c.crashes--
		return errors.New("crash before the applied mark")
	}
	return c.Store.MarkPaymentApplied(ctx, p)
}

func paymentOf(t *testing.T, s *store.Store, id, month, outcome string) *ansinh.PaymentResult {
	t.Helper()
	b, err := s.Beneficiary(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	index, err := s.CurrentAccountIndex(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return &ansinh.PaymentResult{Month: month, BeneficiaryID: id, Commune: b.Commune, Group: b.Group, Result: outcome,
		AccountIndex: index, At: time.Now()}
}

// TestPaidCountedOnceWhateverTheRetries: a paid result counts its person once in the
// commune's month, however often it is applied again after a crash (the same file
// again) or counted again; a returned one counts nobody but makes its month known.
// (Proven able to fail: with $inc in place of $max in syncPaid, or a returned row
// counted as paid, it goes red.)
func TestPaidCountedOnceWhateverTheRetries(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	a, b, c, _ := kindsPeople(t, s)
	svc := lifecycle(s)
	crashing := &crashBeforeApplied{Store: s, crashes: 2}
	for _, p := range []*ansinh.PaymentResult{paymentOf(t, s, a, "2026-11", ansinh.PaymentPaid), paymentOf(t, s, b, "2026-11", ansinh.PaymentPaid),
		paymentOf(t, s, c, "2026-11", ansinh.PaymentReturned)} {
		if _, err := svc.PaymentResult(ctx, crashing, p); err == nil && crashing.crashes > 0 {
			t.Fatal("no crash")
		}
	}
	// The same file again, twice, then a stray second count of A.
	for range 2 {
		for _, p := range []*ansinh.PaymentResult{paymentOf(t, s, a, "2026-11", ansinh.PaymentPaid), paymentOf(t, s, b, "2026-11", ansinh.PaymentPaid)} {
			if _, err := svc.PaymentResult(ctx, s, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.CountPaid(ctx, paymentOf(t, s, a, "2026-11", ansinh.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	paid, err := s.PaidCounts(ctx, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if got := paid["31498"]; got.PaidThisMonth != 2 || got.NCCPaid != 1 || got.BTXHPaid != 1 || got.HTXHPaid != 0 {
		t.Fatalf("paid in November: %+v", got)
	}
	if drift, err := s.ReconcilePaid(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("paid drift %+v, %v", drift, err)
	}
	// December: only a returned row; the month is known, nobody counted.
	if _, err := svc.PaymentResult(ctx, s, paymentOf(t, s, b, "2026-12", ansinh.PaymentReturned)); err != nil {
		t.Fatal(err)
	}
	if m, err := s.LatestPaidMonth(ctx, time.Date(2027, 3, 1, 0, 0, 0, 0, ansinh.Vietnam)); err != nil || m != "2026-12" {
		t.Fatalf("latest month %q, %v", m, err)
	}
	if m, err := s.LatestPaidMonth(ctx, time.Date(2030, 3, 1, 0, 0, 0, 0, ansinh.Vietnam)); err != nil || m != "2026-12" {
		t.Fatalf("latest month %q, %v", m, err)
	}
	// A month far ahead (a typing error in a file) does not take the dashboards' month;
	// next month's, a file come early, does.
	if _, err := svc.PaymentResult(ctx, s, paymentOf(t, s, b, "2031-07", ansinh.PaymentReturned)); err != nil {
		t.Fatal(err)
	}
	if m, err := s.LatestPaidMonth(ctx, time.Date(2026, 12, 20, 0, 0, 0, 0, ansinh.Vietnam)); err != nil || m != "2026-12" {
		t.Fatalf("latest month with one far ahead: %q, %v", m, err)
	}
	if m, err := s.LatestPaidMonth(ctx, time.Date(2031, 6, 20, 0, 0, 0, 0, ansinh.Vietnam)); err != nil || m != "2031-07" {
		t.Fatalf("next month's: %q, %v", m, err)
	}
	if paid, _ := s.PaidCounts(ctx, "2026-12"); paid["31498"].PaidThisMonth != 0 {
		t.Fatalf("paid in December: %+v", paid)
	}
}

// TestReconcilePaidRepairs: a paid counter with a person too many in its sets, figures
// too high and a person missing (a crash between a result and its count) is reported
// (figures against what the sets should hold) and repaired.
func TestReconcilePaidRepairs(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	a, b, c, _ := kindsPeople(t, s)
	svc := lifecycle(s)
	for _, id := range []string{a, b, c} {
		if _, err := svc.PaymentResult(ctx, s, paymentOf(t, s, id, "2026-11", ansinh.PaymentPaid)); err != nil {
			t.Fatal(err)
		}
	}
	const counter = "2026-11:31498"
	if err := s.DamagePaidForTest(ctx, counter, "stranger"); err != nil {
		t.Fatal(err)
	}
	if err := s.UncountPaidForTest(ctx, counter, b, ansinh.GroupBTXH); err != nil {
		t.Fatal(err)
	}
	drift, err := s.ReconcilePaid(ctx, false)
	if err != nil || len(drift) != 1 || len(drift[0].Missing) != 1 || drift[0].Missing[0] != b || len(drift[0].Extra) != 1 ||
		drift[0].Delta.PaidThisMonth != -1 || drift[0].Delta.NCCPaid != -2 || drift[0].Delta.BTXHPaid != 1 {
		t.Fatalf("drift %+v, %v", drift, err)
	}
	if _, err := s.ReconcilePaid(ctx, true); err != nil {
		t.Fatal(err)
	}
	if drift, err := s.ReconcilePaid(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("after repair: %+v, %v", drift, err)
	}
	paid, _ := s.PaidCounts(ctx, "2026-11")
	if got := paid["31498"]; got.PaidThisMonth != 3 || got.NCCPaid != 2 || got.BTXHPaid != 1 {
		t.Fatalf("repaired: %+v", got)
	}
	// Repairing again, or the result applied again, changes nothing.
	if _, err := svc.PaymentResult(ctx, s, paymentOf(t, s, b, "2026-11", ansinh.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	if err := s.CountPaid(ctx, paymentOf(t, s, b, "2026-11", ansinh.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	if paid, _ := s.PaidCounts(ctx, "2026-11"); paid["31498"] != (ansinh.Counts{PaidThisMonth: 3, NCCPaid: 2, BTXHPaid: 1}) {
		t.Fatalf("again: %+v", paid["31498"])
	}
}

// TestMigrationFillsTheKindSplitAndPaidCounters: a store from before the split (no
// kind figures, no paid counters, payment results recorded) gets both from step 19,
// and keeps the moves its counters remember.
func TestMigrationFillsTheKindSplitAndPaidCounters(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	a, _, c, _ := kindsPeople(t, s)
	svc := lifecycle(s)
	for _, id := range []string{a, c} {
		if _, err := svc.PaymentResult(ctx, s, paymentOf(t, s, id, "2026-10", ansinh.PaymentPaid)); err != nil {
			t.Fatal(err)
		}
	}
	moves := s.CounterMovesForTest(ctx, "31498")
	if len(moves) != 2 {
		t.Fatalf("moves before: %v", moves)
	}
	if err := s.ForgetKindsForTest(ctx); err != nil {
		t.Fatal(err)
	}
	if counts, _ := s.Counts(ctx); counts["31498"].Bank != 0 || counts["31498"].WithAccount != 3 {
		t.Fatalf("forgotten: %+v", counts["31498"])
	}
	if err := s.SetSchemaVersionForTest(ctx, 18); err != nil {
		t.Fatal(err)
	}
	again := storetest.Reopen(t, s, "")
	counts, err := again.Counts(ctx)
	if c := counts["31498"]; err != nil || c.Bank != 1 || c.Wallet != 1 || c.VNeID != 1 || c.NCCBank != 1 || c.NCCVNeID != 1 ||
		c.BTXHWallet != 1 || c.WithAccount != 3 || c.ConfirmedByPayment != 2 {
		t.Fatalf("after the migration: %+v, %v", counts["31498"], err)
	}
	if got := again.CounterMovesForTest(ctx, "31498"); len(got) != 2 {
		t.Fatalf("moves after: %v", got)
	}
	paid, _ := again.PaidCounts(ctx, "2026-10")
	if got := paid["31498"]; got.PaidThisMonth != 2 || got.NCCPaid != 2 {
		t.Fatalf("paid after the migration: %+v", got)
	}
	if drift, err := again.Reconcile(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("drift %+v, %v", drift, err)
	}
	if drift, err := again.ReconcilePaid(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("paid drift %+v, %v", drift, err)
	}
}

// BenchmarkPaidCounters measures what the coverage reads of the paid counters (a
// month's counts, the latest month) and one more person paid, with a year of counters
// of 100 communes, 300 people paid in each every month (360,000 people counted).
func BenchmarkPaidCounters(b *testing.B) {
	s := storetest.New(b)
	ctx := context.Background()
	var months, communes []string
	for m := 1; m <= 12; m++ {
		months = append(months, fmt.Sprintf("2026-%02d", m))
	}
	for c := range 100 {
		communes = append(communes, fmt.Sprintf("3%04d", c))
	}
	if err := s.InsertPaidCountersForTest(ctx, months, communes, 300); err != nil {
		b.Fatal(err)
	}
	b.Run("month", func(b *testing.B) {
		for range b.N {
			if paid, err := s.PaidCounts(ctx, "2026-07"); err != nil || len(paid) != 100 {
				b.Fatal(len(paid), err)
			}
		}
	})
	b.Run("latest", func(b *testing.B) {
		for range b.N {
			if m, err := s.LatestPaidMonth(ctx, time.Date(2026, 12, 20, 0, 0, 0, 0, ansinh.Vietnam)); err != nil || m != "2026-12" {
				b.Fatal(m, err)
			}
		}
	})
	b.Run("count one", func(b *testing.B) {
		for i := range b.N {
			p := &ansinh.PaymentResult{Month: "2026-12", BeneficiaryID: fmt.Sprintf("new-%d", i), Commune: communes[i%100],
				Group: ansinh.GroupNCC, Result: ansinh.PaymentPaid}
			if err := s.CountPaid(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestMigrationMeetingAHalfAppliedDecision: the upgrade recounts the counters while a
// crash has left a verification half-applied (its account written, its counter move
// not); the sweep then finishes it, and counts it a second time — until the recount
// the migration asked for runs after the sweep, and the counters are exact again.
func TestMigrationMeetingAHalfAppliedDecision(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	row := &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Người Thử", CCCD: "094050077777", BirthDate: "1950", Commune: "31498",
		Group: ansinh.GroupBTXH, Eligible: true}}
	if _, err := s.InsertImported(ctx, []*ansinh.ImportRow{row}, time.Now()); err != nil {
		t.Fatal(err)
	}
	r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: s.BeneficiaryID("094050077777"), Commune: "31498", Submitter: ansinh.SubmitterSelf,
		BankBIN: "970418", AccountNumber: "999988887777", AccountName: "NGUOI THU", Channel: ansinh.ChannelQR, SubmittedAt: time.Now()}
	crashing := lifecycle(s)
	if _, err := crashing.Record(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Status = ansinh.StatusPending
	crashing.FailAfterForTest("account")
	if _, err := crashing.RecordDecision(ctx, r, &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusVerified, By: "xa31498", At: time.Now()}); err == nil {
		t.Fatal("no failure injected")
	}
	// The store at the schema before the kinds, opened by this version.
	if err := s.ForgetKindsForTest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSchemaVersionForTest(ctx, 18); err != nil {
		t.Fatal(err)
	}
	again := storetest.Reopen(t, s, "")
	if done, err := again.RecountAfterUnfinished(ctx); err != nil || done {
		t.Fatalf("recounted while the decision is half-applied: %v %v", done, err)
	}
	if _, err := lifecycle(again).FinishDecisions(ctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if done, err := again.RecountAfterUnfinished(ctx); err != nil || !done {
		t.Fatalf("no recount once the decision is finished: %v %v", done, err)
	}
	if drift, err := again.Reconcile(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("drift after the recount: %v %v", drift, err)
	}
	counts, _ := again.Counts(ctx)
	if c := counts["31498"]; c.WithAccount != 1 || c.Bank != 1 || c.BTXHBank != 1 {
		t.Fatalf("counts: %+v", c)
	}
	if done, err := again.RecountAfterUnfinished(ctx); err != nil || done {
		t.Fatalf("a second recount: %v %v", done, err)
	}
}
