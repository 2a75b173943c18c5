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
			if err := counterOps(ctx, s, rand.New(rand.NewPCG(seed, 7)), 0, 30, 60, communes); err != nil {
				t.Fatal(err)
			}
			drift, err := s.Reconcile(ctx, false)
			if err != nil || len(drift) != 0 {
				t.Fatalf("drift %v, %v", drift, err)
			}
			noRosterDrift(t, s)
			noPaidDrift(t, s)
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
