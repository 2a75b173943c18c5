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
// meanwhile, and checks at the end that the counters equal a recount and every roster
// (members, queue, decided) says what the records say.
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
}

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
		if rng.IntN(3) == 0 {
			r.Beneficiary.Account = &ansinh.Account{BankBIN: "970405", Number: fmt.Sprintf("77%010d", rng.IntN(1e9)),
				HolderName: "NGUOI THU", Proxy: rng.IntN(2) == 0, Source: ansinh.SourceImport}
		}
		return r
	}
	inserted := map[int]bool{}
	for step := range steps {
		i := rng.IntN(people)
		id := s.BeneficiaryID(cccd(i))
		var err error
		switch op := rng.IntN(6); {
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
				BankBIN: "970418", AccountNumber: fmt.Sprintf("88%010d", rng.IntN(1e9)), AccountName: "NGUOI THU",
				Channel: ansinh.ChannelQR, SubmittedAt: time.Now()}
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
