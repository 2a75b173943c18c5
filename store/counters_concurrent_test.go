package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
	"ansinh/store/storetest"
)

// TestCountersNeverDriftUnderConcurrency runs the operations that move the counters
// and the rosters from several goroutines at once (each on its own people, as officers
// of different communes do), with `coverage reconcile -repair` running again and again
// meanwhile, and checks at the end that the counters (with their split by kind of
// account) equal a recount, every roster (members, queue, decided) says what the
// records say, and the paid counters of each month hold exactly the people paid.
func TestCountersNeverDriftUnderConcurrency(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	communes := []string{"31498", "31501", "31569"}
	const workers, people, steps = 4, 12, 30
	stop := make(chan struct{})
	repairs := make(chan error, 1)
	go func() {
		defer close(repairs)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.ReconcileSettled(ctx, true, 150*time.Millisecond); err != nil {
				repairs <- err
				return
			}
			if _, err := s.ReconcileRosters(ctx, true); err != nil {
				repairs <- err
				return
			}
			if _, err := s.ReconcilePaid(ctx, true); err != nil {
				repairs <- err
				return
			}
		}
	}()
	// The repairs stop as soon as one worker is done, so that a repair that counted a
	// move twice is not mended by a later one: the damage stays for the final check.
	var wg sync.WaitGroup
	var once sync.Once
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer once.Do(func() { close(stop) })
			if err := counterOps(ctx, s, rand.New(rand.NewPCG(uint64(w), 11)), w, people, steps+10*w, communes); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	if err := <-repairs; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if drift, err := s.Reconcile(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("drift %v, %v", drift, err)
	}
	noRosterDrift(t, s)
	noPaidDrift(t, s)
}

// noPaidDrift fails the test when a paid counter differs from the payment results, or
// when the ops paid nobody (the property would hold vacuously).
func noPaidDrift(t *testing.T, s *store.Store) {
	t.Helper()
	drift, err := s.ReconcilePaid(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drift {
		t.Errorf("paid counter %s: missing %v, extra %v, figures off by %+d", d.Counter, d.Missing, d.Extra, d.Delta.PaidThisMonth)
	}
	var paid int64
	for _, m := range paidMonths {
		counts, err := s.PaidCounts(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range counts {
			paid += c.PaidThisMonth
		}
	}
	if paid == 0 {
		t.Error("nobody was paid: the ops did not exercise the paid counters")
	}
}

// paidMonths are the payment months the ops record results for.
var paidMonths = []string{"2026-10", "2026-11"}

// noRosterDrift fails the test when a roster differs from the records.
func noRosterDrift(t *testing.T, s *store.Store) {
	t.Helper()
	drift, err := s.ReconcileRosters(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drift {
		t.Errorf("roster %s: missing %v, extra %v, wrong %v", d.Roster, d.Missing, d.Extra, d.Wrong)
	}
}

// counterOps applies random imports (some of people of a split old commune, who wait
// for one), re-imports, eligibility decisions, identity checks, choices of a commune,
// submissions and their verifications or rejections to the people of worker w.
func counterOps(ctx context.Context, s *store.Store, rng *rand.Rand, w, people, steps int, communes []string) error {
	cccd := func(i int) string { return fmt.Sprintf("09405%02d%05d", w, i) }
	names := []string{"Nguyễn Văn Sáu", "Trần Thị Bảy", "Lê Văn Tám"}
	row := func(i int) *ansinh.ImportRow {
		b := ansinh.Beneficiary{Name: fmt.Sprintf("%s %d %d", names[rng.IntN(len(names))], w, i), CCCD: cccd(i), BirthDate: "1950",
			Commune: communes[rng.IntN(len(communes))], Group: ansinh.Groups[rng.IntN(len(ansinh.Groups))], Eligible: true}
		if rng.IntN(6) == 0 {
			b.Commune, b.Candidates = "", []string{communes[0], communes[1]}
		}
		r := &ansinh.ImportRow{Beneficiary: b}
		if rng.IntN(3) == 0 {
			r.EligibleGiven, r.Beneficiary.Eligible = true, rng.IntN(2) == 0
		}
		if rng.IntN(3) == 0 { // a bank account, linked in VNeID or not, or a wallet
			r.Beneficiary.Account = &ansinh.Account{BankBIN: []string{"970405", "971025"}[rng.IntN(2)], Number: fmt.Sprintf("77%010d", rng.IntN(1e9)),
				HolderName: "NGUOI THU", Proxy: rng.IntN(2) == 0, Source: ansinh.SourceImport, VNeID: rng.IntN(3) == 0}
		}
		return r
	}
	inserted := map[int]bool{}
	for step := range steps {
		i := rng.IntN(people)
		id := s.BeneficiaryID(cccd(i))
		var err error
		switch op := rng.IntN(7); {
		case !inserted[i]:
			_, err = s.InsertImported(ctx, []*ansinh.ImportRow{row(i)}, time.Now())
			inserted[i] = true
		case op == 0:
			_, err = s.UpdateImported(ctx, row(i), time.Now())
		case op == 4:
			state := []string{ansinh.IdentityMatched, ansinh.IdentityMismatch, ansinh.IdentityUnchecked}[rng.IntN(3)]
			err = s.SetIdentity(ctx, id, ansinh.IdentityCheck{State: state, Note: "x", By: "ca", At: time.Now()})
		case op == 5:
			b, _ := s.Beneficiary(ctx, id)
			if b == nil || !b.Waiting() {
				continue
			}
			_, err = s.ChooseCommune(ctx, id, b.Candidates[rng.IntN(len(b.Candidates))], "xa", time.Now())
		case op == 6: // a payment result of a month: paid, or returned
			p, ok, perr := paymentFor(ctx, s, id, paidMonths[rng.IntN(len(paidMonths))], rng.IntN(4) != 0)
			if perr != nil || !ok {
				err = perr
				break
			}
			if _, err = lifecycle(s).PaymentResult(ctx, s, p); ansinh.ErrorCode(err) == ansinh.ECONFLICT {
				err = nil // the month has another outcome for the person already: it stands
			}
		case op == 1:
			eligible := rng.IntN(2) == 0
			var why *ansinh.Ineligibility
			if !eligible {
				why = &ansinh.Ineligibility{Reason: "bedridden", At: time.Now()}
			}
			err = s.SetEligibility(ctx, id, eligible, why, time.Now())
		default:
			b, _ := s.Beneficiary(ctx, id)
			r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: id, Commune: b.Commune, Submitter: ansinh.SubmitterSelf,
				BankBIN: []string{"970418", "971005"}[rng.IntN(2)], AccountNumber: fmt.Sprintf("88%010d", rng.IntN(1e9)), AccountName: "NGUOI THU",
				Channel: ansinh.ChannelQR, SubmittedAt: time.Now(), VNeIDLinked: rng.IntN(3) == 0}
			if _, err = lifecycle(s).Record(ctx, r); err == nil && rng.IntN(3) != 0 { // some stay pending
				status := ansinh.StatusVerified
				if rng.IntN(4) == 0 {
					status = ansinh.StatusRejected
				}
				_, err = lifecycle(s).RecordDecision(ctx, r, &ansinh.Decision{Receipt: r.Receipt, Status: status, Reason: "other", By: "x", At: time.Now()})
			}
		}
		if err != nil {
			return fmt.Errorf("worker %d step %d: %w", w, step, err)
		}
	}
	return nil
}

// paymentFor is a result for the person's current account (false when they have none),
// or for the account of the month's earlier result, as the payment upload does.
func paymentFor(ctx context.Context, s *store.Store, id, month string, paid bool) (*ansinh.PaymentResult, bool, error) {
	b, err := s.Beneficiary(ctx, id)
	if err != nil {
		return nil, false, err
	}
	outcome := ansinh.PaymentReturned
	if paid {
		outcome = ansinh.PaymentPaid
	}
	p := &ansinh.PaymentResult{Month: month, BeneficiaryID: id, Commune: b.Commune, Group: b.Group, Result: outcome, At: time.Now()}
	if had, _, err := s.PaymentResultOf(ctx, month, id); err == nil {
		p.AccountIndex = had.AccountIndex
		return p, true, nil
	} else if ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		return nil, false, err
	}
	if b.Account == nil {
		return nil, false, nil
	}
	if p.AccountIndex, err = s.CurrentAccountIndex(ctx, id); err != nil {
		return nil, false, err
	}
	return p, true, nil
}
