package handlers_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ansinh"
	"ansinh/handlers"
)

// lockedBuffer is a log sink the app's goroutines may write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lookupEnv is the app over the two people of Phường 5 and one of Châu Thành, logging
// everything, at debug level, into the returned buffer.
func lookupEnv(t *testing.T) (*env, *lockedBuffer) {
	e := staffEnv(t)
	logs := &lockedBuffer{}
	app, err := handlers.New(handlers.Deps{Config: e.cfg, Store: e.store, Units: e.units, Now: e.clock.now,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
	e.withBeneficiaries()
	return e, logs
}

// lookup posts a CCCD and a birth date ("d m y") to /tra-cuu as a browser would, and
// follows a redirect to the result with the cookie it set.
func (e *env) lookup(cccd, date string, seen *[]string) (*response, *goquery.Document) {
	e.t.Helper()
	d := strings.Fields(date)
	r := e.form("/tra-cuu", url.Values{"cccd": {cccd}, "ngay": {d[0]}, "thang": {d[1]}, "nam": {d[2]}}, nil)
	*seen = append(*seen, r.Header.Get("Location"))
	if r.StatusCode == http.StatusSeeOther {
		req := httptest.NewRequest("GET", r.Header.Get("Location"), nil)
		for _, c := range r.Cookies() {
			req.AddCookie(c)
		}
		*seen = append(*seen, req.URL.String())
		r = e.send(req)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	return r, doc
}

// TestStatusByCCCDAndBirthDate: the look-up finds the person's latest submission and
// shows it as the look-up by receipt does (a rejection with its reason and "Đăng ký
// lại"), a person who never submitted is told so; the result comes after a redirect
// whose URL carries no CCCD, and a stale or forged result cookie shows nothing.
func TestStatusByCCCDAndBirthDate(t *testing.T) {
	e, logs := lookupEnv(t)
	var urls []string
	r, doc := e.do("GET", "/tra-cuu", "", nil), (*goquery.Document)(nil)
	if !strings.Contains(string(r.body), `href="/tra-cuu?cach=cccd"`) {
		t.Fatal("the status page offers no look-up by CCCD")
	}
	r = e.do("GET", "/tra-cuu?cach=cccd", "", nil)
	if !strings.Contains(string(r.body), `name="cccd"`) || !strings.Contains(string(r.body), `name="_csrf"`) || strings.Contains(string(r.body), `name="ma"`) {
		t.Fatal("the CCCD page: one question, posted with its CSRF token")
	}

	body := validRegistration("key-lookup-0001")
	_, first := e.submit(body)
	body["idempotency_key"], body["account_number"] = "key-lookup-0002", "9876543210"
	_, latest := e.submit(body)
	r, doc = e.lookup(sauCCCD, "5 3 1950", &urls)
	if r.StatusCode != 200 || text(doc, "#status") != ansinh.StatusLabel(ansinh.StatusPending) ||
		!strings.Contains(text(doc, "#result"), ansinh.FormatReceipt(latest)) || strings.Contains(string(r.body), ansinh.FormatReceipt(first)) {
		t.Fatalf("found: %d %q", r.StatusCode, text(doc, "#result"))
	}
	if doc.Find("#register-again").Length() != 0 {
		t.Fatal("a pending submission offers to register again")
	}
	if rr := e.do("POST", "/api/v1/registrations/"+latest+"/reject", e.login("xa31498"), map[string]string{"reason": "account_invalid"}); rr.StatusCode != 200 {
		t.Fatalf("reject: %d", rr.StatusCode)
	}
	r, doc = e.lookup(sauCCCD, "05 03 1950", &urls)
	if text(doc, "#status") != ansinh.StatusLabel(ansinh.StatusRejected) || text(doc, "#reason") != ansinh.RejectReasons["account_invalid"] ||
		doc.Find(`a#register-again[href="/c/31498"]`).Length() != 1 {
		t.Fatalf("rejected: %q %q", text(doc, "#status"), text(doc, "#reason"))
	}
	for _, secret := range []string{sauCCCD, "9876543210", "0912345678", "Sáu"} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("the result shows %q", secret)
		}
	}
	// The same view by receipt.
	_, byReceipt := e.browserless("/tra-cuu?ma=" + latest)
	if text(byReceipt, "#reason") != text(doc, "#reason") || byReceipt.Find(`a#register-again[href="/c/31498"]`).Length() != 1 {
		t.Fatal("the look-up by receipt shows the rejection otherwise")
	}

	// Trần Thị Bảy is on the list but never submitted.
	if _, doc := e.lookup("094152000111", "1 1 1952", &urls); doc.Find("#status-none").Length() != 1 || doc.Find(`a#register-again[href="/c/31498"]`).Length() != 1 {
		t.Fatal("a person with no submission is not told so")
	}

	// Stale, forged, or no cookie: the question again, nothing shown.
	res := e.form("/tra-cuu", url.Values{"cccd": {sauCCCD}, "ngay": {"5"}, "thang": {"3"}, "nam": {"1950"}}, nil)
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "ansinh_lookup" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.Path != "/tra-cuu/ket-qua" || cookie.MaxAge <= 0 || strings.Contains(cookie.Value, sauCCCD) {
		t.Fatalf("the result cookie: %+v", cookie)
	}
	forged := *cookie
	forged.Value = strings.Replace(cookie.Value, ".", ".9", 1)
	e.advance(601)
	for name, c := range map[string]*http.Cookie{"stale": cookie, "forged": &forged, "none": nil} {
		req := httptest.NewRequest("GET", "/tra-cuu/ket-qua", nil)
		if c != nil {
			req.AddCookie(c)
		}
		r := e.send(req)
		doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
		if r.StatusCode != 200 || doc.Find("#result").Length() != 0 || text(doc, "#notice") != ansinh.MsgLookupExpired {
			t.Errorf("%s cookie: %d, result shown %v", name, r.StatusCode, doc.Find("#result").Length() != 0)
		}
	}
	if r := e.form("/tra-cuu", url.Values{"_csrf": {"forged"}, "cccd": {sauCCCD}, "ngay": {"5"}, "thang": {"3"}, "nam": {"1950"}}, nil); r.StatusCode != 403 {
		t.Fatalf("a post without its CSRF token: %d", r.StatusCode)
	}
	noCCCDAnywhere(t, logs, urls, sauCCCD, "094152000111")
}

// browserless GETs a public page and parses it.
func (e *env) browserless(path string) (*response, *goquery.Document) {
	e.t.Helper()
	r := e.do("GET", path, "", nil)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	return r, doc
}

func noCCCDAnywhere(t *testing.T, logs *lockedBuffer, urls []string, cccds ...string) {
	t.Helper()
	if len(urls) == 0 {
		t.Fatal("no URL seen")
	}
	for _, c := range cccds {
		for _, u := range urls {
			if strings.Contains(u, c) {
				t.Errorf("a URL carries the CCCD: %s", u)
			}
		}
		if strings.Contains(logs.String(), c) {
			t.Errorf("the log holds the CCCD %s", c)
		}
	}
}

var csrfInputRE = regexp.MustCompile(`name="_csrf" value="[^"]*"`)

// TestStatusByCCCDSameAnswerAndThrottle: a wrong birth date for a listed person and
// any date for an unknown CCCD get the same page, try after try, each wrong answer
// using one of the day's attempts (the form's own: the form is locked too); after the
// fifth, even the right date is refused, and nothing is shown.
func TestStatusByCCCDSameAnswerAndThrottle(t *testing.T) {
	e, logs := lookupEnv(t)
	e.submit(validRegistration("key-lookup-0003"))
	const unknown = "094050009999"
	var urls []string
	normal := func(r *response, cccd string) string {
		return csrfInputRE.ReplaceAllString(strings.ReplaceAll(string(r.body), cccd, "CCCD"), "")
	}
	for try := 1; try <= 5; try++ {
		wrong, wdoc := e.lookup(sauCCCD, "6 3 1950", &urls)
		stranger, _ := e.lookup(unknown, "6 3 1950", &urls)
		if wrong.StatusCode != 422 || stranger.StatusCode != wrong.StatusCode || wdoc.Find("#result").Length() != 0 {
			t.Fatalf("try %d: %d and %d", try, wrong.StatusCode, stranger.StatusCode)
		}
		if normal(wrong, sauCCCD) != normal(stranger, unknown) {
			t.Fatalf("try %d: an unknown CCCD is answered otherwise than a wrong birth date", try)
		}
		if !strings.Contains(string(wrong.body), ansinh.MsgIdentityNotFound) {
			t.Fatalf("try %d: not the identity answer", try)
		}
		if left := fmt.Sprintf(ansinh.MsgTriesLeft, 5-try); try >= 3 && try < 5 && !strings.Contains(string(wrong.body), left) {
			t.Errorf("try %d: does not say %q", try, left)
		}
	}
	right, doc := e.lookup(sauCCCD, "5 3 1950", &urls)
	stranger, _ := e.lookup(unknown, "5 3 1950", &urls)
	if right.StatusCode != 429 || !strings.Contains(string(right.body), ansinh.MsgIdentityLocked) || doc.Find("#result").Length() != 0 {
		t.Fatalf("locked: %d", right.StatusCode)
	}
	if stranger.StatusCode != 429 || normal(right, sauCCCD) != normal(stranger, unknown) {
		t.Fatalf("an unknown CCCD's lock answers otherwise: %d", stranger.StatusCode)
	}
	for _, c := range right.Cookies() {
		if c.Name == "ansinh_lookup" {
			t.Fatal("a locked look-up set the result cookie")
		}
	}
	// The same throttle as the form's identity page.
	form := e.form("/c/31498", url.Values{"cccd": {sauCCCD}, "ngay": {"5"}, "thang": {"3"}, "nam": {"1950"}}, nil)
	if form.StatusCode != 429 {
		t.Fatalf("the form after the look-up's five wrong dates: %d", form.StatusCode)
	}
	noCCCDAnywhere(t, logs, urls, sauCCCD, unknown)
}

// TestStatusByCCCDBadInput: malformed numbers and dates are answered on the page,
// without an attempt counted; a hostile size is bounded.
func TestStatusByCCCDBadInput(t *testing.T) {
	e, _ := lookupEnv(t)
	for name, v := range map[string]url.Values{
		"letters":        {"cccd": {"09405000abcd"}, "ngay": {"5"}, "thang": {"3"}, "nam": {"1950"}},
		"old CMND":       {"cccd": {"123456789"}, "ngay": {"5"}, "thang": {"3"}, "nam": {"1950"}},
		"no date":        {"cccd": {sauCCCD}},
		"31 February":    {"cccd": {sauCCCD}, "ngay": {"31"}, "thang": {"2"}, "nam": {"1950"}},
		"year only":      {"cccd": {sauCCCD}, "nam": {"1950"}},
		"a huge CCCD":    {"cccd": {strings.Repeat("9", 100000)}, "ngay": {"5"}, "thang": {"3"}, "nam": {"1950"}},
		"an array trick": {"cccd[$gt]": {""}, "ngay": {"5"}, "thang": {"3"}, "nam": {"1950"}},
	} {
		r := e.form("/tra-cuu", v, nil)
		if r.StatusCode != 422 && r.StatusCode != 413 {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
		if strings.Contains(string(r.body), "goroutine") {
			t.Errorf("%s: a stack trace", name)
		}
	}
	var urls []string
	if r, doc := e.lookup(sauCCCD, "5 3 1950", &urls); r.StatusCode != 200 || doc.Find("#status-none").Length() != 1 {
		t.Fatalf("bad input used up attempts: %d", r.StatusCode)
	}
}
