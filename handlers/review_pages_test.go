package handlers_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ansinh"
)

// proxyRegistration is Trần Thị Bảy's submission into her son's account.
func proxyRegistration(key string) map[string]any {
	return map[string]any{"cccd": "094152000111", "birth_date": "1952-01-01", "submitter": "proxy",
		"proxy":    map[string]any{"name": "Lê Văn Con", "cccd": "094080001111", "phone": "0987 654 321", "relationship": "con"},
		"bank_bin": "970405", "account_number": "4444 3333 2222", "account_name": "Le Van Con", "phone": "0912 000 111",
		"consent": true, "idempotency_key": key}
}

// TestQueuePageInVietnamese: the queue names each finding in Vietnamese with its
// sign, never by its code; warnings and information stand in their own columns, and
// only the submissions without a warning can be ticked; a proxy and the days waited
// have their columns; the name search ignores accents.
func TestQueuePageInVietnamese(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, sau := e.submit(validRegistration("key-qvi-00001")) // identity not checked: information only
	_, bay := e.submit(proxyRegistration("key-qvi-00002")) // a proxy, no authorisation seen: a warning
	e.advance(3 * 24 * 3600)
	x := e.browser("xa31498")
	r, doc := x.get("/can-bo/duyet")
	if r.StatusCode != 200 || text(doc, "#total") != "2" {
		t.Fatalf("queue: %d %q", r.StatusCode, text(doc, "#total"))
	}
	visible := doc.Find("#queue").Text()
	for _, code := range []string{ansinh.CheckIdentity, ansinh.CheckHolderName, ansinh.CheckProxy, ansinh.CheckSeveral, "warning", "info"} {
		if strings.Contains(visible, code) {
			t.Errorf("the queue shows the code %q: %s", code, visible)
		}
	}
	row := func(receipt string) *goquery.Selection { return doc.Find(`#queue tr[data-receipt="` + receipt + `"]`) }
	if got := strings.TrimSpace(row(sau).Find("td.infos").Text()); got != "ℹ Chưa đối chiếu căn cước" {
		t.Errorf("Sáu's information: %q", got)
	}
	if got := strings.TrimSpace(row(sau).Find("td.warnings").Text()); got != "—" {
		t.Errorf("Sáu's warnings: %q", got)
	}
	if row(sau).Find(`input[type=checkbox][name=ids]`).Length() != 1 {
		t.Error("a submission with information only cannot be ticked")
	}
	if got := strings.TrimSpace(row(bay).Find("td.warnings").Text()); got != "⚠ Cần xem giấy ủy quyền" {
		t.Errorf("Bảy's warnings: %q", got)
	}
	if row(bay).Find(`input[type=checkbox]`).Length() != 0 {
		t.Error("a submission with a warning can be ticked")
	}
	if got := strings.Join(strings.Fields(row(bay).Find("td.proxy").Text()), " "); got != "⇄ Nhận thay Lê Văn Con (con)" {
		t.Errorf("Bảy's proxy column: %q", got)
	}
	if got := text(doc, `#queue tr[data-receipt="`+sau+`"] td.waited`); got != "chờ 3 ngày" {
		t.Errorf("days waited: %q", got)
	}

	_, doc = x.get("/can-bo/duyet?q=" + url.QueryEscape("tran thi"))
	if text(doc, "#total") != "1" || doc.Find(`#queue tr[data-receipt="`+bay+`"]`).Length() != 1 {
		t.Fatalf("search for tran thi: %q", text(doc, "#total"))
	}
	if _, doc = x.get("/can-bo/duyet?q=" + url.QueryEscape("NGUYỄN")); text(doc, "#total") != "1" {
		t.Fatalf("search for NGUYỄN: %q", text(doc, "#total"))
	}
	if r, _ := x.get("/can-bo/duyet?q=" + strings.Repeat("a", 101)); r.StatusCode != 422 {
		t.Fatalf("a search of 101 letters: %d", r.StatusCode)
	}

	// Ticking both verifies Sáu's and leaves Bảy's (post, redirect, get with the notice).
	w, _ := e.webBrowser("xa31498", "xa31498-password")
	r = w.send("POST", "/can-bo/duyet/xac-nhan-nhieu", url.Values{"ids": {sau, bay}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/duyet" {
		t.Fatalf("bulk: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	_, doc = w.parse(w.send("GET", "/can-bo/duyet", nil))
	if text(doc, ".notice") != ansinh.MsgBulkDone(1, 1) || text(doc, "#total") != "1" {
		t.Fatalf("after the bulk: %q, total %q", text(doc, ".notice"), text(doc, "#total"))
	}
	if _, doc = w.parse(w.send("GET", "/can-bo/duyet", nil)); doc.Find(".notice").Length() != 0 {
		t.Fatal("a reload shows the notice again")
	}
}

// TestReviewPageForTheOfficer: the contact phone, the proxy with the authorisation,
// the numbers masked until an audited reveal shows them in place; a refused rejection
// keeps the reason and note; "xác nhận và mở hồ sơ tiếp theo".
func TestReviewPageForTheOfficer(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, sau := e.submit(validRegistration("key-rvw-00001"))
	_, bay := e.submit(proxyRegistration("key-rvw-00002"))
	w, _ := e.webBrowser("xa31498", "xa31498-password")

	_, doc := w.parse(w.send("GET", "/can-bo/duyet/"+bay, nil))
	for sel, want := range map[string]string{"#phone": "••••••••0111", "#account": "••••••••2222", "#cccd": "••••••••0111",
		"#proxy-cccd": "••••••••1111", "#proxy-phone": "••••••••4321"} {
		if got := text(doc, sel); got != want {
			t.Errorf("masked %s: %q, want %q", sel, got, want)
		}
	}
	if got := text(doc, "#authorisation"); !strings.Contains(got, ansinh.MsgProxyNoProof) {
		t.Errorf("authorisation: %q", got)
	}
	if doc.Find(`#checks li[data-code="proxy_authorisation"]`).Length() != 1 || doc.Find(`#infos li[data-code="identity"]`).Length() != 1 {
		t.Errorf("warnings and information: %q / %q", text(doc, "#checks"), text(doc, "#infos"))
	}

	r := w.send("POST", "/can-bo/duyet/"+bay+"/hien-so", url.Values{})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/duyet/"+bay {
		t.Fatalf("reveal: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	_, doc = w.parse(w.send("GET", "/can-bo/duyet/"+bay, nil))
	for sel, want := range map[string]string{"#phone": "0912000111", "#account": "444433332222", "#cccd": "094152000111",
		"#proxy-cccd": "094080001111", "#proxy-phone": "0987654321"} {
		if got := text(doc, sel); got != want {
			t.Errorf("revealed %s: %q, want %q", sel, got, want)
		}
	}
	if text(doc, ".notice") != ansinh.MsgRevealedReview || doc.Find("#reveal").Length() != 0 {
		t.Errorf("after the reveal: notice %q, reveal button %d", text(doc, ".notice"), doc.Find("#reveal").Length())
	}
	if evs := e.benAudit(ansinh.ActionReveal); len(evs) != 1 || evs[0].Actor != "xa31498" || evs[0].Detail["receipt"] != bay {
		t.Fatalf("the reveal audited: %+v", evs)
	}
	// The grant is this page's: another submission's page stays masked, and so does
	// this one for another session.
	if _, doc = w.parse(w.send("GET", "/can-bo/duyet/"+sau, nil)); text(doc, "#account") != "••••••••9012" {
		t.Errorf("another page after the reveal: %q", text(doc, "#account"))
	}
	if _, doc = e.browser("xa31498").get("/can-bo/duyet/" + bay); text(doc, "#account") != "••••••••2222" {
		t.Errorf("another session: %q", text(doc, "#account"))
	}
	if r, _ := e.browser("xa31569").post("/can-bo/duyet/"+bay+"/hien-so", url.Values{}); r.StatusCode != 404 {
		t.Errorf("another commune's officer reveals: %d", r.StatusCode)
	}

	// A refused rejection keeps what the officer chose.
	r = w.send("POST", "/can-bo/duyet/"+bay+"/tu-choi", url.Values{"reason": {"other"}})
	_, doc = w.parse(r)
	if r.StatusCode != 422 || text(doc, "#err-note") != ansinh.MsgRejectNote || doc.Find(`#reason option[value="other"][selected]`).Length() != 1 ||
		doc.Find(`#note[aria-invalid="true"]`).Length() != 1 {
		t.Fatalf("other without a note: %d %q, selected %q", r.StatusCode, text(doc, "#err-note"), doc.Find("#reason option[selected]").AttrOr("value", ""))
	}
	long := strings.Repeat("chữ ", 130)
	r = w.send("POST", "/can-bo/duyet/"+bay+"/tu-choi", url.Values{"reason": {"proxy_unauthorized"}, "note": {long}})
	_, doc = w.parse(r)
	if r.StatusCode != 422 || doc.Find(`#reason option[value="proxy_unauthorized"][selected]`).Length() != 1 ||
		doc.Find("#note").AttrOr("value", "") != long {
		t.Fatalf("a note too long: %d, selected %q", r.StatusCode, doc.Find("#reason option[selected]").AttrOr("value", ""))
	}
	if s, _ := e.status(bay); s != ansinh.StatusPending {
		t.Fatalf("a refused rejection decided: %s", s)
	}

	// Verify and open the next one; the last one leads back to the queue.
	r = w.send("POST", "/can-bo/duyet/"+sau+"/xac-nhan", url.Values{"next": {"1"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/duyet/"+bay {
		t.Fatalf("verify and next: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if _, doc = w.parse(w.send("GET", r.Header.Get("Location"), nil)); text(doc, ".notice") != ansinh.MsgVerifiedNext {
		t.Fatalf("the next one's notice: %q", text(doc, ".notice"))
	}
	r = w.send("POST", "/can-bo/duyet/"+bay+"/xac-nhan", url.Values{"next": {"1"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/duyet" {
		t.Fatalf("verify the last: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if _, doc = w.parse(w.send("GET", "/can-bo/duyet", nil)); text(doc, ".notice") != ansinh.MsgVerifiedLast {
		t.Fatalf("the queue's notice: %q", text(doc, ".notice"))
	}
	// The same post again (a browser that re-posts) decides nothing twice.
	w.send("POST", "/can-bo/duyet/"+sau+"/xac-nhan", url.Values{})
	if evs := e.benAudit(ansinh.ActionVerify); len(evs) != 3 || evs[0].Detail["again"] != true {
		t.Fatalf("the repeat is not told apart in the audit: %+v", evs)
	}
}
