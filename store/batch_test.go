package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"ansinh"
	"ansinh/store/storetest"
)

// Concurrent inserts go to the store in batches; each caller still gets its own answer.
// Forty submissions of ten people at once, each sent four times with the same receipt:
// per receipt exactly one is new and three are repeats, and the queue holds ten.
func TestBatchedInsertsAnswerEachCaller(t *testing.T) {
	s := storetest.New(t)
	c := ctx(t)
	rows := make([]*ansinh.ImportRow, 10)
	for i := range rows {
		rows[i] = &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Người Thử", CCCD: fmt.Sprintf("0940500%05d", i),
			BirthDate: "1950", Commune: "31498", Group: ansinh.GroupBTXH, Eligible: true}}
	}
	if _, err := s.InsertImported(c, rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	life := lifecycle(s)
	var mu sync.Mutex
	fresh := map[string]int{}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := i % 10
			r := &ansinh.Registration{Receipt: fmt.Sprintf("BATCH%05d", n), BeneficiaryID: s.BeneficiaryID(fmt.Sprintf("0940500%05d", n)),
				Commune: "31498", Submitter: ansinh.SubmitterSelf, BankBIN: "970418", AccountNumber: fmt.Sprintf("88%010d", n),
				AccountName: "NGUOI THU", Channel: ansinh.ChannelQR, SubmittedAt: time.Now()}
			replay, err := life.Record(c, r)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if !replay {
				fresh[r.Receipt]++
			}
		}()
	}
	wg.Wait()
	for n := range 10 {
		if got := fresh[fmt.Sprintf("BATCH%05d", n)]; got != 1 {
			t.Errorf("receipt %d stored as new %d times", n, got)
		}
	}
	items, total, err := s.Queue(c, ansinh.QueueQuery{Communes: []string{"31498"}})
	if err != nil || total != 10 || len(items) != 10 {
		t.Fatalf("queue: %d items (%d), %v", len(items), total, err)
	}
}
