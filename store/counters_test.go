package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"ansinh"
	"ansinh/store/storetest"
)

// TestCountersNeverDrift applies random sequences of the operations that move the
// counters (imports, re-imports with changes, eligibility decisions, verifications of
// new and changed accounts) and checks after each sequence that the counters equal a
// recount of the records.
func TestCountersNeverDrift(t *testing.T) {
	communes := []string{"31498", "31501", "31569"}
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			s := storetest.New(t)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(seed, 7))
			const people = 30
			row := func(i int) *ansinh.ImportRow {
				b := ansinh.Beneficiary{Name: fmt.Sprintf("Người Thứ %d", i), CCCD: fmt.Sprintf("0940500%05d", i), BirthDate: "1950",
					Commune: communes[rng.IntN(len(communes))], Group: []ansinh.Group{ansinh.GroupNCC, ansinh.GroupBTXH}[rng.IntN(2)], Eligible: true}
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
			for step := range 60 {
				i := rng.IntN(people)
				id := s.BeneficiaryID(fmt.Sprintf("0940500%05d", i))
				var err error
				switch op := rng.IntN(4); {
				case !inserted[i] || op == 0:
					if inserted[i] {
						_, err = s.UpdateImported(ctx, row(i), time.Now())
					} else {
						_, err = s.InsertImported(ctx, []*ansinh.ImportRow{row(i)}, time.Now())
						inserted[i] = true
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
						BankBIN: "970418", AccountNumber: fmt.Sprintf("88%010d", rng.IntN(1e9)), AccountName: "NGUOI THU",
						Channel: ansinh.ChannelQR, SubmittedAt: time.Now()}
					if _, err = s.CreateRegistration(ctx, r); err == nil {
						r.Status = ansinh.StatusPending
						_, err = s.Decide(ctx, r, &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusVerified, By: "x", At: time.Now()})
					}
				}
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			}
			drift, err := s.Reconcile(ctx, false)
			if err != nil || len(drift) != 0 {
				t.Fatalf("drift %v, %v", drift, err)
			}
		})
	}
}

func TestReconcileRepairs(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	rows := []*ansinh.ImportRow{{Beneficiary: ansinh.Beneficiary{Name: "A", CCCD: "094050000001", BirthDate: "1950", Commune: "31498", Group: ansinh.GroupNCC, Eligible: true}}}
	if _, err := s.InsertImported(ctx, rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.DamageCountsForTest(ctx, "31498")
	drift, _ := s.Reconcile(ctx, true)
	if len(drift) != 1 {
		t.Fatalf("drift = %v", drift)
	}
	if drift, _ := s.Reconcile(ctx, false); len(drift) != 0 {
		t.Fatalf("after repair: %v", drift)
	}
}
