package handlers_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"ansinh"
	"ansinh/handlers"
	"ansinh/store"
	"ansinh/store/storetest"
)

// brokenStore fails one read the way a store that lost its server does, with
// internals in the error that must never reach an answer.
type brokenStore struct{ *store.Store }

func (brokenStore) Beneficiaries(context.Context, ansinh.BeneficiaryQuery) ([]*ansinh.Beneficiary, int64, error) {
	return nil, 0, errors.New("store: find beneficiaries: connection refused 127.0.0.1:27017 mongo-internal-detail")
}

// rawRequest sends bytes as they are over a real connection, for what no client
// library sends (oversized headers).
func rawRequest(t *testing.T, e *env, base, raw string) *response {
	t.Helper()
	conn, err := net.Dial("tcp", base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, raw)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return e.read(res)
}

// TestErrorShapeForEveryStatus: every error status, under /api and on pages, comes with
// the security headers, no-store, and the JSON error body (API) or a Vietnamese page;
// a 500 says nothing of its cause.
func TestErrorShapeForEveryStatus(t *testing.T) {
	e := staffEnv(t)
	broken, err := handlers.New(handlers.Deps{Config: e.cfg, Store: brokenStore{e.store}, Units: e.units, Logger: storetest.Logger(), Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	province := e.login("so.ldtbxh")
	commune := e.login("xa31498")
	p := e.browser("so.ldtbxh")
	base := strings.TrimPrefix(e.serve(), "http://")
	big := strings.Repeat("a", handlers.MaxHeaderBytes+100)
	huge := strings.Repeat("a", 3*handlers.MaxHeaderBytes)

	type tc struct {
		name   string
		status int
		api    bool
		send   func() *response
	}
	get := func(path, token string, headers ...string) func() *response {
		return func() *response { return e.do("GET", path, token, nil, headers...) }
	}
	tests := []tc{
		{"400 api malformed JSON", 400, true, func() *response {
			return e.do("POST", "/api/v1/auth/login", "", `{"username":`)
		}},
		{"400 api compressed body", 400, true, func() *response {
			return e.do("POST", "/api/v1/registrations", "", `{}`, "Content-Encoding", "gzip")
		}},
		{"400 page compressed body", 400, false, func() *response {
			return e.do("POST", "/c/31498", "", `{}`, "Content-Encoding", "gzip", "Content-Type", "application/x-www-form-urlencoded")
		}},
		{"400 unparsable request", 400, true, func() *response {
			return rawRequest(t, e, base, "GET /api/v1/units HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
		}},
		{"401 api", 401, true, get("/api/v1/units", "")},
		{"401 page", 401, false, func() *response {
			return e.form("/dang-nhap", url.Values{"username": {"so.ldtbxh"}, "password": {"wrong-password"}}, nil)
		}},
		{"403 api", 403, true, get("/api/v1/coverage?unit=94", commune)},
		{"403 page", 403, false, func() *response {
			return e.form("/dang-xuat", url.Values{"_csrf": {"forged"}}, p.cookie)
		}},
		{"404 api", 404, true, get("/api/v1/no/such/thing", "")},
		{"404 page", 404, false, get("/khong-co-trang-nay", "")},
		{"404 static directory", 404, false, get("/static/", "")},
		{"405 api", 405, true, func() *response { return e.do("PUT", "/api/v1/auth/login", "", nil) }},
		{"405 page", 405, false, func() *response { return e.do("PUT", "/dang-nhap", "", nil) }},
		{"413 api login body", 413, true, func() *response {
			return e.do("POST", "/api/v1/auth/login", "", `{"username":"a","password":"`+strings.Repeat("x", 20<<10)+`"}`)
		}},
		{"413 page login body", 413, false, func() *response {
			return e.form("/dang-nhap", url.Values{"username": {"a"}, "password": {strings.Repeat("x", 20<<10)}}, nil)
		}},
		{"413 api public body", 413, true, func() *response {
			return e.do("POST", "/api/v1/registrations", "", `{"cccd":"`+strings.Repeat("1", 100<<10)+`"}`)
		}},
		{"413 api staff body", 413, true, func() *response {
			return e.do("POST", "/api/v1/users", province, `{"username":"`+strings.Repeat("a", 100<<10)+`"}`)
		}},
		{"413 page public form", 413, false, func() *response {
			return e.form("/c/31498", url.Values{"cccd": {strings.Repeat("1", 100<<10)}}, nil)
		}},
		{"431 api", 431, true, get("/api/v1/units", province, "X-Big", big)},
		{"431 page", 431, false, get("/tra-cuu", "", "X-Big", big)},
		{"431 before routing", 431, true, func() *response {
			return rawRequest(t, e, base, "GET /api/v1/units HTTP/1.1\r\nHost: x\r\nX-Big: "+huge+"\r\n\r\n")
		}},
		{"500 api", 500, true, func() *response {
			req := httptest.NewRequest("GET", "/api/v1/beneficiaries", nil)
			req.Header.Set("Authorization", "Bearer "+province)
			res, err := broken.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			return e.read(res)
		}},
		{"500 page", 500, false, func() *response {
			req := httptest.NewRequest("GET", "/can-bo/doi-tuong", nil)
			req.AddCookie(p.cookie)
			res, err := broken.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			return e.read(res)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.send()
			r.t = t
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %.300s", r.StatusCode, tc.status, r.body)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
				"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("no CSP")
			}
			if tc.api {
				r.errorCode()
			} else {
				body := string(r.body)
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `lang="vi"`) {
					t.Fatalf("not a Vietnamese page: %s %.300s", r.Header.Get("Content-Type"), body)
				}
				if strings.Contains(strings.ToLower(body), "bạn") {
					t.Errorf("the page says bạn")
				}
			}
			if strings.Contains(string(r.body), "mongo-internal-detail") || strings.Contains(string(r.body), "goroutine") {
				t.Fatalf("internals in the answer: %.300s", r.body)
			}
			if tc.status == 429 && r.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		})
	}
	t.Run("429 api and page", func(t *testing.T) {
		e := newEnv(t, func(c *ansinh.Config) { c.PublicRateLimit = 1 })
		e.do("GET", "/tra-cuu", "", nil)
		for _, r := range []*response{e.do("GET", "/api/v1/registrations/AAAAAAAAAA", "", nil), e.do("GET", "/tra-cuu", "", nil)} {
			if r.StatusCode != 429 || r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("Retry-After") == "" {
				t.Fatalf("%d %v", r.StatusCode, r.Header)
			}
		}
	})
}

// TestLoginRedirectStaysOnTheStaffPages: whatever ?next= says, a login lands on a
// staff page of this site.
func TestLoginRedirectStaysOnTheStaffPages(t *testing.T) {
	e := newEnv(t)
	e.addUser("huyen.chauthanh", ansinh.RoleDistrict, "942")
	for _, tc := range []struct{ next, want string }{
		{"/can-bo/duyet?status=pending", "/can-bo/duyet?status=pending"},
		{"//evil.example/", "/can-bo/"},
		{"https://evil.example/can-bo/", "/can-bo/"},
		{"/\t/evil.example", "/can-bo/"},
		{"/can-bo/\t/evil.example", "/can-bo/"},
		{"/\\evil.example", "/can-bo/"},
		{"/can-bo/\\\\evil.example", "/can-bo/"},
		{"/can-bo/../..//evil.example", "/can-bo/"},
		{"/can-bo/%2F%2Fevil.example", "/can-bo/"},
		{"/can-bo/\r\nSet-Cookie: x=y", "/can-bo/"},
		{"javascript:alert(1)", "/can-bo/"},
		{"/tra-cuu", "/can-bo/"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			r := e.form("/dang-nhap", url.Values{"username": {"huyen.chauthanh"}, "password": {"huyen.chauthanh-password"}, "next": {tc.next}}, nil)
			if r.StatusCode != 303 || r.Header.Get("Location") != tc.want {
				t.Fatalf("next %q: %d → %q, want %q", tc.next, r.StatusCode, r.Header.Get("Location"), tc.want)
			}
		})
	}
	// The login page does not carry a foreign next into its form either.
	r := e.do("GET", "/dang-nhap?next="+url.QueryEscape("//evil.example/"), "", nil)
	if strings.Contains(string(r.body), "evil.example") {
		t.Fatal("the login form carries a foreign next")
	}
}

// TestStaffNoticesAreNotTakenFromTheURL: text in ?thong-bao= is never printed as a
// notice; the notice after a form is, once.
func TestStaffNoticesAreNotTakenFromTheURL(t *testing.T) {
	e := staffEnv(t)
	p := e.browser("xa31498")
	const forged = "Thông báo chính thức: hãy chuyển tiền vào tài khoản 0123456789"
	for _, path := range []string{"/can-bo/duyet", "/can-bo/tong-quan"} {
		r, doc := p.get(path + "?thong-bao=" + url.QueryEscape(forged))
		if r.StatusCode != 200 || strings.Contains(string(r.body), "0123456789") || doc.Find(".notice").Length() != 0 {
			t.Fatalf("%s prints the URL's notice: %d", path, r.StatusCode)
		}
	}
	r := e.form("/can-bo/duyet/xac-nhan-nhieu", url.Values{}, p.cookie)
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/duyet" {
		t.Fatalf("bulk with nothing ticked: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	var flash *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "ansinh_flash" {
			flash = c
		}
	}
	if flash == nil || !flash.HttpOnly {
		t.Fatalf("no notice cookie: %v", r.Cookies())
	}
	show := func(cookie *http.Cookie, flash *http.Cookie) string {
		req := httptest.NewRequest("GET", "/can-bo/duyet", nil)
		req.AddCookie(cookie)
		req.AddCookie(flash)
		return string(e.send(req).body)
	}
	if body := show(p.cookie, flash); !strings.Contains(body, ansinh.MsgBulkIDs) {
		t.Fatal("the notice is not shown after the redirect")
	}
	// Another officer's session (a cookie planted or copied) shows nothing.
	other := e.browser("xa31569")
	if body := show(other.cookie, flash); strings.Contains(body, ansinh.MsgBulkIDs) {
		t.Fatal("a notice signed for one session shows in another")
	}
	forgedCookie := &http.Cookie{Name: "ansinh_flash", Value: "VGjDtG5nIGLDoW8.abc"}
	if body := show(p.cookie, forgedCookie); strings.Contains(body, "Thông báo") {
		t.Fatal("a forged notice cookie shows")
	}
}

// TestCSRFTokenIsTiedToTheSession: a staff form's token works only in the session it
// was made for; the login page's token (no session) does not pass a staff post.
func TestCSRFTokenIsTiedToTheSession(t *testing.T) {
	e := staffEnv(t)
	a := e.browser("xa31498")
	b := e.browser("xa31569")
	csrf, loginToken := e.csrf()
	_, tokenA := e.csrfFor(a.cookie)
	_, tokenB := e.csrfFor(b.cookie)
	if tokenA == tokenB || tokenA == loginToken {
		t.Fatal("the same token in two sessions")
	}
	post := func(session *http.Cookie, token string) int {
		req := httptest.NewRequest("POST", "/dang-xuat", strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(csrf)
		req.AddCookie(session)
		return e.send(req).StatusCode
	}
	if s := post(a.cookie, tokenB); s != 403 {
		t.Fatalf("B's token in A's session: %d", s)
	}
	if s := post(a.cookie, loginToken); s != 403 {
		t.Fatalf("the token without a session in A's session: %d", s)
	}
	if s := post(a.cookie, tokenA); s != 303 {
		t.Fatalf("A's own token: %d", s)
	}
}

// TestMetricsSurviveTraffic: after ordinary traffic of every method, /metrics answers
// 200 with route patterns only (never a raw path), and a failing scrape shows no
// internals.
func TestMetricsSurviveTraffic(t *testing.T) {
	e := staffEnv(t)
	token := e.login("so.ldtbxh")
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 5 {
			case 0:
				e.do("GET", fmt.Sprintf("/api/v1/registrations/SECRET%04d", i), "", nil)
			case 1:
				e.do("POST", "/api/v1/auth/login", "", `{"username":"x","password":"y-password"}`)
			case 2:
				e.do("DELETE", fmt.Sprintf("/khong-co/%d", i), "", nil)
			case 3:
				e.do("OPTIONS", "/api/v1/units", token, nil)
			case 4:
				e.do("PATCH", "/r/some-personal-token", "", nil)
			}
		}()
	}
	wg.Wait()
	// Methods of the same length, one after the other: fasthttp writes each into the
	// method buffer of a reused request, in place; a label that points into it turns
	// from GET into PUT, and the next scrape finds two identical series.
	// One keep-alive connection: fasthttp serves all its requests with one reused
	// request, so the overwrite happens every time.
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.serve(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i := range 10 {
		for _, m := range []string{"GET", "PUT", "POST"} {
			fmt.Fprintf(conn, "%s /khong-co/%d HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", m, i)
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	for range 3 {
		r := e.do("GET", "/metrics", "", nil)
		body := string(r.body)
		if r.StatusCode != 200 || !strings.Contains(body, `route="/api/v1/registrations/:receipt"`) || !strings.Contains(body, `method="PATCH"`) {
			t.Fatalf("metrics after traffic: %d %.500s", r.StatusCode, body)
		}
		// Every label is a method as it was, each series once.
		seen := map[string]bool{}
		for _, line := range strings.Split(body, "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			series, _, _ := strings.Cut(line, " ")
			if seen[series] {
				t.Fatalf("series %s twice", series)
			}
			seen[series] = true
			if m := methodLabelRE.FindStringSubmatch(series); m != nil && !validMethods[m[1]] {
				t.Fatalf("series %s: the method label changed under the registry", series)
			}
		}
		for _, leak := range []string{"SECRET", "some-personal-token", "/khong-co/"} {
			if strings.Contains(body, leak) {
				t.Fatalf("a raw path in the metrics: %s", leak)
			}
		}
	}
}

var (
	methodLabelRE = regexp.MustCompile(`method="([^"]*)"`)
	validMethods  = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"OPTIONS": true, "CONNECT": true, "TRACE": true, "other": true}
)

// TestMetricsHideCollectorErrors: a collector that fails does not turn /metrics into a
// 500 with the error in the body.
func TestMetricsHideCollectorErrors(t *testing.T) {
	e := newEnv(t)
	reg := prometheus.NewRegistry()
	reg.MustRegister(failingCollector{})
	app, err := handlers.New(handlers.Deps{Config: e.cfg, Store: e.store, Units: e.units, Logger: storetest.Logger(), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	res, err := app.Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	r := e.read(res)
	if r.StatusCode != 200 || strings.Contains(string(r.body), "store-internal-detail") || !strings.Contains(string(r.body), "go_gc_duration_seconds") {
		t.Fatalf("%d %.300s", r.StatusCode, r.body)
	}
}

type failingCollector struct{}

var failingDesc = prometheus.NewDesc("ansinh_test_failing", "A collector that fails.", nil, nil)

func (failingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- failingDesc }
func (failingCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.NewInvalidMetric(failingDesc, errors.New("store-internal-detail at 127.0.0.1:27017"))
}

// TestNoStoreOnPages: pages, API answers and revealed numbers are never cached; only
// static files are.
func TestNoStoreOnPages(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	p := e.browser("xa31498")
	token := e.login("xa31498")
	id := e.store.BeneficiaryID("094050001234")
	for _, r := range []*response{
		e.do("GET", "/", "", nil),
		e.do("GET", "/tra-cuu", "", nil),
		e.do("GET", "/api/v1/beneficiaries", token, nil),
		e.do("POST", "/api/v1/beneficiaries/"+id+"/reveal", token, nil),
		e.do("GET", "/api/v1/payments", token, nil),
		e.form("/can-bo/doi-tuong/"+id+"/hien-so", url.Values{}, p.cookie),
	} {
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", r.Request.Method, r.Request.URL, got)
		}
	}
	if r := e.do("GET", "/static/app.css", "", nil); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("static file: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
	}
}

var _ = fiber.StatusOK
