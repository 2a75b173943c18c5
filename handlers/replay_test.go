package handlers_test

import (
	"context"
	"testing"

	"ansinh"
	"ansinh/store"
)

// queued returns the receipts waiting in the queue of the whole province.
func (e *env) queued() map[string]bool {
	e.t.Helper()
	e.settle()
	items, _, err := e.store.Queue(context.Background(), store.QueueQuery{Communes: e.units.Leaves(e.units.Root.Code)})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, it := range items {
		out[it.Receipt] = true
	}
	return out
}

// consistent checks the invariants a replay must keep: the queue holds exactly the
// pending submissions, and the counters equal a recount.
func (e *env) consistent(pending ...string) {
	e.t.Helper()
	q := e.queued()
	if len(q) != len(pending) {
		e.t.Fatalf("queue %v, want exactly %v", q, pending)
	}
	for _, r := range pending {
		if !q[r] {
			e.t.Fatalf("queue %v lacks %s", q, r)
		}
	}
	if drift, err := e.store.Reconcile(context.Background(), false); err != nil || len(drift) > 0 {
		e.t.Fatalf("counters drift from a recount: %v %v", drift, err)
	}
}

func TestReplayAfterDecisionOrSupersessionChangesNothing(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	xa := e.login("xa31498")

	// Verified, then replayed with its key: the same receipt, still verified, not queued.
	_, first := e.submit(validRegistration("key-replay-001"))
	if r := e.do("POST", "/api/v1/registrations/"+first+"/verify", xa, nil); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	r, again := e.submit(validRegistration("key-replay-001"))
	if r.StatusCode != 201 || again != first {
		t.Fatalf("replay after the decision: %d %s", r.StatusCode, again)
	}
	if s, _ := e.status(first); s != ansinh.StatusVerified {
		t.Fatalf("after the replay the first is %s", s)
	}
	e.consistent()
	if _, with := e.coverage(e.login("so.ldtbxh"), "94"); with != 1 {
		t.Fatalf("with an account after the replay: %d", with)
	}

	// Superseded by a newer one, then replayed: still superseded, only the newer waits.
	body := validRegistration("key-replay-002")
	body["account_number"] = "2222 3333 4444"
	_, older := e.submit(body)
	body = validRegistration("key-replay-003")
	body["account_number"] = "5555 6666 7777"
	_, newer := e.submit(body)
	body = validRegistration("key-replay-002")
	body["account_number"] = "2222 3333 4444"
	if _, again := e.submit(body); again != older {
		t.Fatalf("replay of the superseded: %s, want %s", again, older)
	}
	if s, _ := e.status(older); s != ansinh.StatusSuperseded {
		t.Fatalf("the superseded one is %s after its replay", s)
	}
	e.consistent(newer)

	// The same key with another account: 409, and nothing of the new account is kept.
	body = validRegistration("key-replay-003")
	body["account_number"] = "8888 8888 8888"
	r, _ = e.submit(body)
	if r.StatusCode != 409 || r.errorCode() != ansinh.ECONFLICT {
		t.Fatalf("same key, other content: %d %s", r.StatusCode, r.body)
	}
	e.consistent(newer)
	reg, _ := e.store.Registration(context.Background(), newer)
	if reg.AccountLast4 != "7777" {
		t.Fatalf("the registration now names account …%s", reg.AccountLast4)
	}
	// No false "shared account" check from the refused body: another person submitting
	// that account is not told it is used.
	if shared, err := e.store.SharedAccount(context.Background(), &ansinh.Registration{Receipt: newer, BeneficiaryID: e.store.BeneficiaryID(sauCCCD)}); err != nil || len(shared) != 0 {
		t.Fatalf("shared account: %v %v", shared, err)
	}
}

// A submission answered 201 is on the commune's queue for the officer's next request,
// through the API and the pages alike: staff requests wait for the steps that follow
// the answer, which would otherwise come up to a second later.
func TestStaffSeeASubmissionOnceItIsAnswered(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	xa := e.login("xa31498")
	r, receipt := e.submit(validRegistration("key-seen-00001"))
	if r.StatusCode != 201 {
		t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	items, total := e.queue(xa, "")
	if total != 1 || len(items) != 1 || items[0].Receipt != receipt {
		t.Fatalf("the queue right after the answer: %d %+v, want %s", total, items, receipt)
	}
	_, second := e.submit(validRegistration("key-seen-00002"))
	if r, doc := e.browser("xa31498").get("/can-bo/duyet"); r.StatusCode != 200 || doc.Find(`a[href="/can-bo/duyet/`+second+`"]`).Length() != 1 {
		t.Fatalf("the queue page right after the answer lacks %s (%d)", second, r.StatusCode)
	}
}
