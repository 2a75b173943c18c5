package handlers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"ansinh"
	"ansinh/store/storetest"
)

// TestQueueListFromItsLines: the pending queue's page reads, per item, the submission,
// the person and the account's references, and nothing else: its line in the queue
// roster knows the person's count of submissions, and the commune's decided roster
// says which queued ones have ended. The answers are the ones the full lookups give.
func TestQueueListFromItsLines(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	officer := e.login("xa31498")
	first := validRegistration("key-lines-00001")
	if r, _ := e.submit(first); r.StatusCode != 201 {
		t.Fatalf("first: %d %s", r.StatusCode, r.body)
	}
	again := validRegistration("key-lines-00002")
	again["account_number"] = "5555 6666 7777"
	_, sau := e.submit(again)
	bay := validRegistration("key-lines-00003")
	bay["cccd"], bay["birth_date"], bay["account_name"], bay["account_number"] = "094152000111", "1952-01-01", "Trần Thị Bảy", "9988 7766 55"
	_, bayReceipt := e.submit(bay)

	e.settle() // the submissions' own steps are not the page's
	var mu sync.Mutex
	calls := map[string]int{}
	storetest.TraceCommands(t, func(command, collection string, _ time.Duration) {
		mu.Lock()
		calls[command+" "+collection]++
		mu.Unlock()
	})
	items, total := e.queue(officer, "")
	storetest.TraceCommands(t, nil)
	if total != 2 || len(items) != 2 {
		t.Fatalf("queue: %d %+v", total, items)
	}
	for _, c := range []string{"registration_chain", "registration_events"} {
		if n := calls["find "+c]; n != 0 {
			t.Errorf("the queue page looked in %s %d times: %v", c, n, calls)
		}
	}
	for _, c := range []string{"registrations", "beneficiaries", "account_refs"} {
		if n := calls["find "+c]; n != 2 {
			t.Errorf("the queue page read %s %d times for 2 items: %v", c, n, calls)
		}
	}
	several := map[string]string{}
	for _, it := range items {
		for _, ch := range it.Checks {
			if ch.Code == ansinh.CheckSeveral {
				several[it.Receipt] = ch.Message
			}
		}
	}
	if want := fmt.Sprintf(ansinh.MsgCheckSeveral, 2); several[sau] != want || len(several) != 1 {
		t.Fatalf("several submissions: %v, want %q for %s only", several, want, sau)
	}

	// A supersession recorded whose step out of the queue is still to come: the page
	// says so, as the full lookup of the submission does.
	ctx := context.Background()
	newer := &ansinh.Registration{Receipt: "ZZZZZZZZZZ", Commune: "31498", BeneficiaryID: e.store.BeneficiaryID("094152000111"), SubmittedAt: e.now()}
	if err := e.store.MarkSuperseded(ctx, bayReceipt, newer); err != nil {
		t.Fatal(err)
	}
	items, _ = e.queue(officer, "")
	status := map[string]string{}
	for _, it := range items {
		status[it.Receipt] = it.Status
	}
	full, err := e.store.Registration(ctx, bayReceipt)
	if err != nil {
		t.Fatal(err)
	}
	if status[bayReceipt] != ansinh.StatusSuperseded || full.Status != ansinh.StatusSuperseded || status[sau] != ansinh.StatusPending {
		t.Fatalf("statuses on the page %v, the submission's own %q", status, full.Status)
	}

	// A decision recorded whose steps have yet to run (a crash right after it): the
	// page says it is decided too.
	if err := e.store.RecordDecision(ctx, &ansinh.Decision{Receipt: sau, Status: ansinh.StatusVerified, By: "xa31498", At: e.now(),
		BeneficiaryID: e.store.BeneficiaryID(sauCCCD), Commune: "31498"}); err != nil {
		t.Fatal(err)
	}
	items, _ = e.queue(officer, "")
	for _, it := range items {
		if it.Receipt == sau && it.Status != ansinh.StatusVerified {
			t.Fatalf("a recorded decision shows on the queue page as %q", it.Status)
		}
	}
}
