package store_test

import (
	"context"
	"sync"
	"testing"

	"ansinh/store/storetest"
)

// TestConcurrentIncrementsAreNotLost: counters move by $inc from many requests at once;
// FerretDB applies each as a read and a write, so without the one connection that
// Connect keeps to it most increments were lost (335 of 2,000 survived).
func TestConcurrentIncrementsAreNotLost(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				s.DamageCountsForTest(ctx, "31498") // +5 beneficiaries each
			}
		}()
	}
	wg.Wait()
	if c, _ := s.Counts(ctx); c["31498"].Beneficiaries != 8*50*5 {
		t.Fatalf("%d beneficiaries counted, want %d: concurrent increments were lost", c["31498"].Beneficiaries, 8*50*5)
	}
}
