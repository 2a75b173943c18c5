package handlers_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"ansinh"
)

type item struct {
	ID, Receipt, Status, Commune, Channel, Reason string
	Checks                                        []ansinh.Check
}

func (e *env) queue(token, query string) ([]item, int) {
	e.t.Helper()
	r := e.do("GET", "/api/v1/registrations?"+query, token, nil)
	if r.StatusCode != 200 {
		e.t.Fatalf("queue: %d %s", r.StatusCode, r.body)
	}
	var out struct {
		Items []item
		Total int
	}
	r.decode(&out)
	return out.Items, out.Total
}

func (e *env) coverage(token, unit string) (beneficiaries, withAccount int64) {
	e.t.Helper()
	var raw struct {
		Beneficiaries int64 `json:"beneficiaries"`
		WithAccount   int64 `json:"with_account"`
	}
	r := e.do("GET", "/api/v1/coverage?unit="+unit, token, nil)
	if r.StatusCode != 200 {
		e.t.Fatalf("coverage %s: %d %s", unit, r.StatusCode, r.body)
	}
	r.decode(&raw)
	return raw.Beneficiaries, raw.WithAccount
}

// matchedIdentity marks a person's identity matched, as the police liaison would.
func (e *env) matchedIdentity(cccd string) {
	e.t.Helper()
	if r := e.do("POST", "/api/v1/beneficiaries/"+e.store.BeneficiaryID(cccd)+"/identity", e.login("ca.tinh"),
		map[string]string{"state": "matched"}); r.StatusCode != 200 {
		e.t.Fatalf("identity: %d %s", r.StatusCode, r.body)
	}
}

func codes(checks []ansinh.Check) string {
	var c []string
	for _, x := range checks {
		c = append(c, x.Code)
	}
	return strings.Join(c, ",")
}

func TestQueueIsScoped(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, sau := e.submit(validRegistration("key-scope-0001")) // Phường 5 (31498)
	tam := validRegistration("key-scope-0002")
	tam["cccd"], tam["birth_date"], tam["account_name"] = "094048000222", "1948-01-01", "Le Van Tam" // Châu Thành (31569)
	_, tamReceipt := e.submit(tam)

	a, b := e.login("xa31498"), e.login("xa31569")
	if items, total := e.queue(a, ""); total != 1 || items[0].Receipt != sau {
		t.Fatalf("commune A's queue: %d %+v", total, items)
	}
	if _, total := e.queue(e.login("huyen941"), ""); total != 1 {
		t.Fatalf("district 941's queue: %d", total)
	}
	if _, total := e.queue(e.login("so.ldtbxh"), ""); total != 2 {
		t.Fatalf("province queue: %d", total)
	}
	if r := e.do("GET", "/api/v1/registrations?unit=31569", a, nil); r.StatusCode != 403 {
		t.Fatalf("A lists B's unit: %d", r.StatusCode)
	}
	for _, path := range []string{"/review", "/verify", "/reject"} {
		method := "POST"
		if path == "/review" {
			method = "GET"
		}
		r := e.do(method, "/api/v1/registrations/"+tamReceipt+path, a, map[string]string{"reason": "other", "note": "x"})
		if r.StatusCode != 404 {
			t.Fatalf("A %s B's item: %d %s", path, r.StatusCode, r.body)
		}
	}
	if s, _ := e.status(tamReceipt); s != ansinh.StatusPending {
		t.Fatalf("B's item is %s after A's attempts", s)
	}
	if r := e.do("POST", "/api/v1/registrations/"+tamReceipt+"/verify", e.login("so.ldtbxh"), nil); r.StatusCode != 403 {
		t.Fatalf("the province decides: %d", r.StatusCode)
	}
	if r := e.do("POST", "/api/v1/registrations/"+tamReceipt+"/verify", b, nil); r.StatusCode != 200 {
		t.Fatalf("B verifies its own: %d %s", r.StatusCode, r.body)
	}
	var backlog struct {
		Items []struct {
			Commune string
			Pending int
		}
	}
	e.do("GET", "/api/v1/registrations/backlog", e.login("so.ldtbxh"), nil).decode(&backlog)
	if len(backlog.Items) != 1 || backlog.Items[0].Commune != "31498" || backlog.Items[0].Pending != 1 {
		t.Fatalf("backlog = %+v", backlog.Items)
	}
}

func TestChecksFireOnCraftedCasesAndStayQuietOnAClean(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	officer := e.login("xa31498")
	e.matchedIdentity(sauCCCD)

	_, clean := e.submit(validRegistration("key-clean-0001"))
	items, _ := e.queue(officer, "")
	if len(items) != 1 || items[0].Receipt != clean || len(items[0].Checks) != 0 {
		t.Fatalf("clean submission raised %+v", items)
	}

	// Trần Thị Bảy: unchecked identity, a holder that is someone else, the same
	// account as Nguyễn Văn Sáu's open submission, and a second submission.
	bay := validRegistration("key-bay-00001")
	bay["cccd"], bay["birth_date"], bay["account_name"] = "094152000111", "1952-01-01", "Pham Van Muoi"
	e.submit(bay)
	bay["idempotency_key"], bay["account_name"] = "key-bay-00002", "Bay Tran Thi"
	_, second := e.submit(bay)
	var got item
	for _, it := range mustQueue(e, officer) {
		if it.Receipt == second {
			got = it
		}
	}
	want := map[string]string{
		ansinh.CheckIdentity:      "info",
		ansinh.CheckAccountShared: "error",
		ansinh.CheckSeveral:       "info",
	}
	for code, sev := range want {
		found := false
		for _, c := range got.Checks {
			if c.Code == code && c.Severity == sev && c.Message != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("check %s (%s) missing: %+v", code, sev, got.Checks)
		}
	}
	// Order-insensitive, accent-free name comparison: "Bay Tran Thi" is Trần Thị Bảy.
	if strings.Contains(codes(got.Checks), ansinh.CheckHolderName) {
		t.Errorf("holder check fired on the same name in another order: %+v", got.Checks)
	}
	// Someone else's name as holder, and a police mismatch.
	if r := e.do("POST", "/api/v1/beneficiaries/"+e.store.BeneficiaryID("094152000111")+"/identity", e.login("ca.tinh"),
		map[string]string{"state": "mismatch", "note": "Sai năm sinh"}); r.StatusCode != 200 {
		t.Fatal(r.StatusCode)
	}
	bay["idempotency_key"], bay["account_name"], bay["account_number"] = "key-bay-00003", "Pham Van Muoi", "5555 6666 7777"
	_, third := e.submit(bay)
	r := e.do("GET", "/api/v1/registrations/"+third+"/review", officer, nil)
	var review struct{ Registration item }
	r.decode(&review)
	c := codes(review.Registration.Checks)
	for _, code := range []string{ansinh.CheckHolderName, ansinh.CheckIdentity, ansinh.CheckSeveral} {
		if !strings.Contains(c, code) {
			t.Errorf("third submission lacks %s: %s", code, c)
		}
	}
	if strings.Contains(c, ansinh.CheckAccountShared) {
		t.Errorf("a fresh account reported as shared: %s", c)
	}
	for _, ch := range review.Registration.Checks {
		if ch.Code == ansinh.CheckIdentity && (ch.Severity != "error" || !strings.Contains(ch.Message, "Sai năm sinh")) {
			t.Errorf("identity mismatch check: %+v", ch)
		}
		if ch.Code == ansinh.CheckHolderName && (ch.Severity != "error" || !strings.Contains(ch.Message, "PHAM VAN MUOI")) {
			t.Errorf("holder check: %+v", ch)
		}
	}
	// The CCCD structure check: the import's warning shows up (row 13 of the messy file
	// in the importer tests; here a crafted record).
	if items, _ := e.queue(officer, "check=none"); len(items) != 1 || items[0].Receipt != clean {
		t.Fatalf("check=none lists %+v", items)
	}
}

func mustQueue(e *env, token string) []item {
	items, _ := e.queue(token, "")
	return items
}

func TestConcurrentDecisionsOneWins(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-race-00001"))
	var tokens []string
	for i := range 6 {
		name := fmt.Sprintf("xa31498.%d", i)
		e.addUser(name, ansinh.RoleCommune, "31498")
		tokens = append(tokens, e.login(name))
	}
	tokens = append(tokens, e.login("huyen941"), e.login("xa31498"))
	var wg sync.WaitGroup
	statuses := make([]int, len(tokens))
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, body := "/verify", any(nil)
			if i%2 == 1 {
				path, body = "/reject", map[string]string{"reason": "account_invalid"}
			}
			statuses[i] = e.do("POST", "/api/v1/registrations/"+receipt+path, tokens[i], body).StatusCode
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case 409:
			conflict++
		}
	}
	if ok != 1 || conflict != len(statuses)-1 {
		t.Fatalf("statuses %v: want one 200 and the rest 409", statuses)
	}
	// Final is final: for everyone else, either way.
	final, _ := e.status(receipt)
	winner := slices.Index(statuses, 200)
	for _, tok := range []string{tokens[(winner+1)%len(statuses)], tokens[(winner+2)%len(statuses)]} {
		for _, path := range []string{"/verify", "/reject"} {
			if r := e.do("POST", "/api/v1/registrations/"+receipt+path, tok, map[string]string{"reason": "other", "note": "x"}); r.StatusCode != 409 {
				t.Fatalf("%s after the decision: %d", path, r.StatusCode)
			}
		}
	}
	// The winner's own retry (a lost answer) is told the outcome, and changes nothing.
	path, other := "/verify", "/reject"
	if winner%2 == 1 {
		path, other = "/reject", "/verify"
	}
	before, _ := e.store.Counts(context.Background())
	if r := e.do("POST", "/api/v1/registrations/"+receipt+path, tokens[winner], map[string]string{"reason": "account_invalid"}); r.StatusCode != 200 {
		t.Fatalf("the winner's retry: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("POST", "/api/v1/registrations/"+receipt+other, tokens[winner], map[string]string{"reason": "other", "note": "x"}); r.StatusCode != 409 {
		t.Fatalf("the winner changing the verdict: %d", r.StatusCode)
	}
	if after, _ := e.store.Counts(context.Background()); !maps.Equal(before, after) {
		t.Fatalf("a retry moved the counters: %v → %v", before, after)
	}
	if s, _ := e.status(receipt); s != final {
		t.Fatalf("status moved from %s to %s", final, s)
	}
}

func TestRejectNeedsAReasonAndTellsIt(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	officer := e.login("xa31498")
	_, receipt := e.submit(validRegistration("key-reject-001"))
	tests := []struct {
		name string
		body any
		code int
	}{
		{"no reason", map[string]string{}, 422},
		{"unknown reason", map[string]string{"reason": "because"}, 422},
		{"other without note", map[string]string{"reason": "other"}, 422},
		{"operator", map[string]any{"reason": map[string]any{"$ne": nil}}, 422},
		{"malformed", `{"reason":`, 400},
	}
	for _, tc := range tests {
		if r := e.do("POST", "/api/v1/registrations/"+receipt+"/reject", officer, tc.body); r.StatusCode != tc.code {
			t.Fatalf("%s: %d %s", tc.name, r.StatusCode, r.body)
		}
	}
	if s, _ := e.status(receipt); s != ansinh.StatusPending {
		t.Fatalf("bad rejections changed the status to %s", s)
	}
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/reject", officer, map[string]string{"reason": "holder_mismatch", "note": "Thẻ ghi tên con trai."}); r.StatusCode != 200 {
		t.Fatalf("reject: %d %s", r.StatusCode, r.body)
	}
	s, reason := e.status(receipt)
	if s != ansinh.StatusRejected || !strings.HasPrefix(reason, ansinh.RejectReasons["holder_mismatch"]) || !strings.Contains(reason, "Thẻ ghi tên con trai.") {
		t.Fatalf("status %s, reason %q", s, reason)
	}
}

func TestVerificationMovesCoverageByExactlyOne(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries() // 3 people, none with an account: 2 in 31498 (941), 1 in 31569 (942)
	prov := e.login("so.ldtbxh")
	before := map[string][2]int64{}
	for _, u := range []string{"31498", "941", "94", "31569", "942"} {
		n, w := e.coverage(prov, u)
		before[u] = [2]int64{n, w}
	}
	if before["94"] != [2]int64{3, 0} || before["31498"] != [2]int64{2, 0} {
		t.Fatalf("coverage before: %v", before)
	}
	_, receipt := e.submit(validRegistration("key-cover-0001"))
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	for _, u := range []string{"31498", "941", "94"} {
		if n, w := e.coverage(prov, u); n != before[u][0] || w != before[u][1]+1 {
			t.Errorf("%s: %d/%d, want %d/%d", u, w, n, before[u][1]+1, before[u][0])
		}
	}
	for _, u := range []string{"31569", "942"} {
		if n, w := e.coverage(prov, u); n != before[u][0] || w != before[u][1] {
			t.Errorf("%s moved: %d/%d", u, w, n)
		}
	}
	// A change of account, verified, replaces the account: no new count, the old one in
	// the history.
	change := validRegistration("key-cover-0002")
	change["account_number"] = "9999 0000 1111"
	_, receipt2 := e.submit(change)
	if s, _ := e.status(receipt); s != ansinh.StatusVerified {
		t.Fatalf("a newer submission changed a verified one to %s", s)
	}
	if r := e.do("POST", "/api/v1/registrations/"+receipt2+"/verify", e.login("xa31498"), nil); r.StatusCode != 200 {
		t.Fatalf("verify change: %d %s", r.StatusCode, r.body)
	}
	if _, w := e.coverage(prov, "94"); w != 1 {
		t.Fatalf("after a change of account, %d with an account", w)
	}
	accounts, _, err := e.store.AccountHistory(context.Background(), e.store.BeneficiaryID(sauCCCD))
	if err != nil || len(accounts) != 1 || accounts[0].Last4 != "9012" {
		t.Fatalf("history = %+v, %v", accounts, err)
	}
	b, _ := e.store.Beneficiary(context.Background(), e.store.BeneficiaryID(sauCCCD))
	if b.Account == nil || b.Account.Last4 != "1111" || b.Account.Source != ansinh.SourceRegistration {
		t.Fatalf("current account = %+v", b.Account)
	}
	if drift, err := e.store.Reconcile(context.Background(), false); err != nil || len(drift) != 0 {
		t.Fatalf("counters drifted: %v %v", drift, err)
	}
}

// TestBulkVerifyOnlyClean: a bulk verification takes the submissions whose checks are
// information at most (an identity the police have not checked yet), and skips those
// with a warning or an error.
func TestBulkVerifyOnlyClean(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	e.matchedIdentity(sauCCCD)
	_, clean := e.submit(validRegistration("key-bulk-00001"))
	bay := validRegistration("key-bulk-00002")
	bay["cccd"], bay["birth_date"], bay["account_name"], bay["account_number"] = "094152000111", "1952-01-01", "Tran Thi Bay", "4444 3333 2222"
	e.submit(bay) // identity unchecked: information
	bay["idempotency_key"], bay["account_name"], bay["account_number"] = "key-bulk-00003", "Pham Van Muoi", "5555 3333 2222"
	_, flagged := e.submit(bay) // a holder who is someone else: an error (and it supersedes the one before)
	var out struct {
		Items []struct{ ID, Result string }
	}
	officer := e.login("xa31498")
	if items, _ := e.queue(officer, "check=clear"); len(items) != 1 || items[0].Receipt != clean {
		t.Fatalf("check=clear lists %+v", items)
	}
	r := e.do("POST", "/api/v1/registrations/verify", officer, map[string]any{"ids": []string{flagged, "ZZZZZZZZZZ"}})
	r.decode(&out)
	got := fmt.Sprint(out.Items)
	if r.StatusCode != 200 || got != fmt.Sprintf("[{%s skipped} {ZZZZZZZZZZ not_found}]", flagged) {
		t.Fatalf("bulk with a warning: %d %s", r.StatusCode, got)
	}
	// Bảy again, with her own name: an identity not checked and several submissions,
	// information both.
	bay["idempotency_key"], bay["account_name"], bay["account_number"] = "key-bulk-00004", "Tran Thi Bay", "4444 3333 2222"
	_, infoOnly := e.submit(bay)
	r = e.do("POST", "/api/v1/registrations/verify", officer, map[string]any{"ids": []string{clean, infoOnly}})
	r.decode(&out)
	got = fmt.Sprint(out.Items)
	if r.StatusCode != 200 || got != fmt.Sprintf("[{%s verified} {%s verified}]", clean, infoOnly) {
		t.Fatalf("bulk with information only: %d %s", r.StatusCode, got)
	}
}

func TestAssistedRegistrationNeedsASecondOfficer(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	e.addUser("xa31498.b", ansinh.RoleCommune, "31498")
	officer := e.login("xa31498")
	body := validRegistration("key-assist-001")
	delete(body, "cccd")
	delete(body, "birth_date")
	delete(body, "consent")
	id := e.store.BeneficiaryID(sauCCCD)
	if r := e.do("POST", "/api/v1/beneficiaries/"+id+"/registrations", officer, body); r.StatusCode != 422 {
		t.Fatalf("without proof_seen: %d %s", r.StatusCode, r.body)
	}
	body["proof_seen"] = "CCCD và thẻ ATM Agribank"
	r := e.do("POST", "/api/v1/beneficiaries/"+id+"/registrations", officer, body)
	var out struct{ Receipt string }
	r.decode(&out)
	if r.StatusCode != 201 {
		t.Fatalf("assisted: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("POST", "/api/v1/beneficiaries/"+e.store.BeneficiaryID("094048000222")+"/registrations", officer, body); r.StatusCode != 404 {
		t.Fatalf("assisted outside scope: %d", r.StatusCode)
	}
	if r := e.do("POST", "/api/v1/registrations/"+out.Receipt+"/verify", officer, nil); r.StatusCode != 403 {
		t.Fatalf("the same officer verifies: %d", r.StatusCode)
	}
	if r := e.do("POST", "/api/v1/registrations/"+out.Receipt+"/verify", e.login("xa31498.b"), nil); r.StatusCode != 200 {
		t.Fatalf("a second officer verifies: %d %s", r.StatusCode, r.body)
	}
	var hist struct {
		Items []struct{ Action, Actor, Text string }
	}
	e.do("GET", "/api/v1/beneficiaries/"+id+"/history", officer, nil).decode(&hist)
	if len(hist.Items) < 2 || hist.Items[0].Action != ansinh.ActionVerify || hist.Items[0].Actor != "xa31498.b" ||
		hist.Items[1].Action != ansinh.ActionSubmit || hist.Items[1].Actor != "xa31498" {
		t.Fatalf("history = %+v", hist.Items)
	}
}

// recorder notes the decisions the beneficiaries are told about.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) Decided(_ context.Context, reg *ansinh.Registration, d *ansinh.Decision) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, reg.Channel+":"+d.Status)
	return nil
}

func TestDecisionsAreToldToTheBeneficiary(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, func(*ansinh.Config) {})
	e.app = e.rebuild(rec)
	e.addUser("xa31498", ansinh.RoleCommune, "31498")
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-notify-001"))
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/reject", e.login("xa31498"), map[string]string{"reason": "account_invalid"}); r.StatusCode != 200 {
		t.Fatalf("reject: %d", r.StatusCode)
	}
	if fmt.Sprint(rec.seen) != "[api:rejected]" {
		t.Fatalf("told %v", rec.seen)
	}
}
