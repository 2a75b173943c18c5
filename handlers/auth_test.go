package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"ansinh"
	"ansinh/store"
)

func TestLoginAPI(t *testing.T) {
	e := newEnv(t)
	e.addUser("xa.phuong5", ansinh.RoleCommune, "31498")

	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "  XA.Phuong5 ", "password": "xa.phuong5-password"})
	if r.StatusCode != 200 {
		t.Fatalf("login: %d %s", r.StatusCode, r.body)
	}
	var out struct {
		Token string
		User  struct{ Username, Role, Unit string }
	}
	r.decode(&out)
	if len(out.Token) < 40 || out.User.Username != "xa.phuong5" || out.User.Role != "commune" || out.User.Unit != "31498" {
		t.Fatalf("login answer: %s", r.body)
	}
	// The store keeps only a hash of the token.
	if _, err := e.store.Session(context.Background(), store.HashToken(out.Token), e.now()); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatal("the token's hash works as a token")
	}
	if me := e.do("GET", "/api/v1/me", out.Token, nil); me.StatusCode != 200 || !strings.Contains(string(me.body), "Phường 5") {
		t.Fatalf("me: %d %s", me.StatusCode, me.body)
	}

	r = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "xa.phuong5", "password": "wrong-password"})
	if r.StatusCode != 401 || r.errorCode() != ansinh.EUNAUTHORIZED {
		t.Fatalf("wrong password: %d %s", r.StatusCode, r.body)
	}
	r = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "whatever-password"})
	if r.StatusCode != 401 {
		t.Fatalf("unknown user: %d %s", r.StatusCode, r.body)
	}

	if r := e.do("POST", "/api/v1/auth/logout", out.Token, nil); r.StatusCode != 204 {
		t.Fatalf("logout: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("GET", "/api/v1/me", out.Token, nil); r.StatusCode != 401 {
		t.Fatalf("token works after logout: %d", r.StatusCode)
	}

	// Every attempt is in the audit trail: two successes, two failures, one logout.
	counts := map[string]int{}
	evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{})
	for _, ev := range evs {
		counts[ev.Action]++
		if ev.IP == "" {
			t.Errorf("audit event without IP: %+v", ev)
		}
	}
	if counts[ansinh.ActionLogin] != 1 || counts[ansinh.ActionLoginFailed] != 2 || counts[ansinh.ActionLogout] != 1 {
		t.Fatalf("audit actions = %v", counts)
	}
}

func TestLoginThrottle(t *testing.T) {
	login := func(e *env, user, password string, headers ...string) *response {
		return e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": password}, headers...)
	}
	t.Run("parallel guesses are counted before they are checked", func(t *testing.T) {
		e := newEnv(t)
		e.addUser("target", ansinh.RoleProvince, "94")
		statuses := make([]int, 60)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = login(e, "target", fmt.Sprintf("guess-%02d-password", i)).StatusCode
			}()
		}
		wg.Wait()
		checked := 0
		for _, s := range statuses {
			switch s {
			case 401:
				checked++
			case 429:
			default:
				t.Fatalf("status %d", s)
			}
		}
		if checked > 10 {
			t.Fatalf("%d of 60 parallel guesses were checked; the limit is 10", checked)
		}
		evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: ansinh.ActionLoginFailed})
		if len(evs) != checked {
			t.Fatalf("%d failures audited, %d answered 401", len(evs), checked)
		}
		// The right password from the same address, now: refused unchecked.
		if r := login(e, "target", "target-password"); r.StatusCode != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("right password after the flood: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("guesses from many addresses slow the username down, never lock it", func(t *testing.T) {
		// Behind a trusted proxy, so each attempt can come from its own address.
		e := newEnv(t, func(c *ansinh.Config) { c.TrustedProxies = []string{"0.0.0.0"} })
		e.addUser("target", ansinh.RoleProvince, "94")
		for i := range 10 {
			if r := login(e, "target", "bad-password", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1)); r.StatusCode != 401 {
				t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
			}
		}
		// Past the allowance: one attempt a minute for the username.
		if r := login(e, "target", "target-password", "X-Forwarded-For", "198.51.100.7"); r.StatusCode != 200 {
			t.Fatalf("the owner's first attempt past the allowance: %d %s", r.StatusCode, r.body)
		}
		// A success does not count; a guess takes the minute's one attempt, the next waits.
		if r := login(e, "target", "bad-password", "X-Forwarded-For", "198.51.100.8"); r.StatusCode != 401 {
			t.Fatalf("the minute's attempt: %d %s", r.StatusCode, r.body)
		}
		if r := login(e, "target", "bad-password", "X-Forwarded-For", "198.51.100.8"); r.StatusCode != 429 || r.errorCode() != ansinh.ERATELIMIT {
			t.Fatalf("a second attempt in the same minute: %d %s", r.StatusCode, r.body)
		} else if ra := r.Header.Get("Retry-After"); ra == "" || ra == "900" {
			t.Fatalf("Retry-After %q, want at most a minute", ra)
		}
		e.advance(61)
		if r := login(e, "target", "target-password", "X-Forwarded-For", "198.51.100.9"); r.StatusCode != 200 {
			t.Fatalf("a minute later: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("the owner's browser is not slowed by others' guesses", func(t *testing.T) {
		e := newEnv(t, func(c *ansinh.Config) { c.TrustedProxies = []string{"0.0.0.0"} })
		e.addUser("target", ansinh.RoleProvince, "94")
		ok := login(e, "target", "target-password", "X-Forwarded-For", "198.51.100.1")
		var device *http.Cookie
		for _, c := range ok.Cookies() {
			if c.Name == "ansinh_device" {
				device = c
			}
		}
		if device == nil || !device.HttpOnly {
			t.Fatalf("no device cookie after a login: %v", ok.Cookies())
		}
		for i := range 30 {
			login(e, "target", "bad-password", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		}
		req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"username":"target","password":"target-password"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "198.51.100.1")
		req.AddCookie(device)
		if r := e.send(req); r.StatusCode != 200 {
			t.Fatalf("the owner with the device cookie: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("one address behind NAT slows down, never locks the office out", func(t *testing.T) {
		e := newEnv(t)
		e.addUser("colleague", ansinh.RoleProvince, "94")
		for i := range 30 {
			if r := login(e, fmt.Sprintf("guess%d", i), "bad-password"); r.StatusCode != 401 {
				t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
			}
		}
		if r := login(e, "colleague", "colleague-password"); r.StatusCode != 200 {
			t.Fatalf("a colleague behind the same address: %d %s", r.StatusCode, r.body)
		}
		if r := login(e, "guess98", "bad-password"); r.StatusCode != 401 {
			t.Fatalf("the ten seconds' attempt: %d", r.StatusCode)
		}
		if r := login(e, "guess99", "bad-password"); r.StatusCode != 429 {
			t.Fatalf("a second attempt in the same ten seconds: %d", r.StatusCode)
		}
		e.advance(11)
		if r := login(e, "colleague", "colleague-password"); r.StatusCode != 200 {
			t.Fatalf("ten seconds later: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("one address guessing one username stops for the window", func(t *testing.T) {
		e := newEnv(t)
		e.addUser("target", ansinh.RoleProvince, "94")
		for i := range 10 {
			if r := login(e, "target", "bad-password"); r.StatusCode != 401 {
				t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
			}
		}
		if r := login(e, "target", "target-password"); r.StatusCode != 429 {
			t.Fatalf("11th attempt with the right password: %d %s", r.StatusCode, r.body)
		}
		e.advance(16 * 60)
		if r := login(e, "target", "target-password"); r.StatusCode != 200 {
			t.Fatalf("after the window: %d %s", r.StatusCode, r.body)
		}
	})
}

// TestClientAddressIsTheRightMostUntrusted: behind trusted proxies the address is
// read from the right of X-Forwarded-For, past the proxies; what the client wrote on
// the left is never believed.
func TestClientAddressIsTheRightMostUntrusted(t *testing.T) {
	tests := []struct {
		name, proxies, xff, want string
	}{
		{"no trusted proxy: the peer", "", "203.0.113.9", "0.0.0.0"},
		{"one proxy", "0.0.0.0", "203.0.113.9", "203.0.113.9"},
		{"client-written hop on the left", "0.0.0.0", "1.2.3.4, 203.0.113.9", "203.0.113.9"},
		{"two proxies", "0.0.0.0,10.0.0.0/8", "1.2.3.4, 203.0.113.9, 10.1.2.3", "203.0.113.9"},
		{"garbage on the right", "0.0.0.0", "203.0.113.9, not-an-address", "0.0.0.0"},
		{"only proxies", "0.0.0.0,10.0.0.0/8", "10.0.0.1", "10.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *ansinh.Config) {
				if tc.proxies != "" {
					c.TrustedProxies = strings.Split(tc.proxies, ",")
				}
			})
			e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "whatever-password"}, "X-Forwarded-For", tc.xff)
			evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: ansinh.ActionLoginFailed})
			if len(evs) != 1 || evs[0].IP != tc.want {
				t.Fatalf("audited address %v, want %s", evs, tc.want)
			}
		})
	}
	// A client that writes a new left-most address each time is still one address.
	e := newEnv(t, func(c *ansinh.Config) { c.TrustedProxies = []string{"0.0.0.0"} })
	for i := range 11 {
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "target", "password": "bad-password"},
			"X-Forwarded-For", fmt.Sprintf("10.9.9.%d, 203.0.113.9", i))
		if i == 10 && r.StatusCode != 429 {
			t.Fatalf("11th guess with a forged left-most address: %d", r.StatusCode)
		}
	}
}

func TestWebLoginCookieAndLogout(t *testing.T) {
	e := newEnv(t, func(c *ansinh.Config) { c.BaseURL = "https://ansinh.example.vn" })
	e.addUser("huyen.chauthanh", ansinh.RoleDistrict, "942")

	if r := e.do("GET", "/can-bo/", "", nil); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/dang-nhap") {
		t.Fatalf("staff page without a session: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page := e.do("GET", "/dang-nhap", "", nil)
	if page.StatusCode != 200 || !strings.Contains(string(page.body), "Đăng nhập cán bộ") {
		t.Fatalf("login page: %d", page.StatusCode)
	}

	bad := e.form("/dang-nhap", url.Values{"username": {"huyen.chauthanh"}, "password": {"sai-mat-khau!"}}, nil)
	if bad.StatusCode != 401 || !strings.Contains(string(bad.body), ansinh.MsgLoginFailed) || !strings.Contains(string(bad.body), `value="huyen.chauthanh"`) {
		t.Fatalf("bad login: %d %s", bad.StatusCode, bad.body)
	}

	ok := e.form("/dang-nhap", url.Values{"username": {"huyen.chauthanh"}, "password": {"huyen.chauthanh-password"}, "next": {"//evil.example/"}}, nil)
	if ok.StatusCode != 303 || ok.Header.Get("Location") != "/can-bo/" {
		t.Fatalf("login: %d → %q", ok.StatusCode, ok.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range ok.Cookies() {
		if c.Name == "ansinh_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || !cookie.Secure {
		t.Fatalf("session cookie = %+v", cookie)
	}

	req := httptest.NewRequest("GET", "/can-bo/", nil)
	req.AddCookie(cookie)
	home := e.send(req)
	if home.StatusCode != 200 || !strings.Contains(string(home.body), "huyen.chauthanh") || !strings.Contains(string(home.body), "Huyện Châu Thành") {
		t.Fatalf("home: %d %s", home.StatusCode, home.body)
	}
	// The web cookie is not an API token.
	if r := e.do("GET", "/api/v1/me", cookie.Value, nil); r.StatusCode != 401 {
		t.Fatalf("cookie as bearer token: %d", r.StatusCode)
	}

	if r := e.form("/dang-xuat", url.Values{"_csrf": {"forged"}}, cookie); r.StatusCode != 403 {
		t.Fatalf("logout with a forged CSRF token: %d", r.StatusCode)
	}
	out := e.form("/dang-xuat", url.Values{}, cookie)
	if out.StatusCode != 303 {
		t.Fatalf("logout: %d", out.StatusCode)
	}
	req = httptest.NewRequest("GET", "/can-bo/", nil)
	req.AddCookie(cookie)
	if r := e.send(req); r.StatusCode != 303 {
		t.Fatalf("session alive after logout: %d", r.StatusCode)
	}
}

// form posts a form as a browser would: with the CSRF cookie and token the login page
// handed out.
func (e *env) form(path string, v url.Values, cookie *http.Cookie) *response {
	e.t.Helper()
	csrf, token := e.csrfFor(cookie)
	if !v.Has("_csrf") {
		v.Set("_csrf", token)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return e.send(req)
}

// csrfFor returns the CSRF cookie and the token for the session of cookie (the login
// page's token when cookie is nil): behind a login, tokens are tied to the session.
func (e *env) csrfFor(cookie *http.Cookie) (*http.Cookie, string) {
	e.t.Helper()
	csrf, token := e.csrf()
	if cookie == nil || cookie.Name != "ansinh_session" {
		return csrf, token
	}
	// The staff home, or the password form for an officer who must change it first.
	for _, page := range []string{"/can-bo/", "/can-bo/mat-khau"} {
		req := httptest.NewRequest("GET", page, nil)
		req.AddCookie(csrf)
		req.AddCookie(cookie)
		if m := csrfFieldRE.FindSubmatch(e.send(req).body); m != nil {
			return csrf, string(m[1])
		}
	}
	return csrf, token // not logged in (any more): the test sees what follows
}

var csrfFieldRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf returns this test's CSRF cookie and token, from the login page once.
func (e *env) csrf() (*http.Cookie, string) {
	e.t.Helper()
	if e.csrfCookie == nil {
		r := e.do("GET", "/dang-nhap", "", nil)
		for _, c := range r.Cookies() {
			if c.Name == "ansinh_csrf" {
				e.csrfCookie = c
			}
		}
		m := csrfFieldRE.FindSubmatch(r.body)
		if e.csrfCookie == nil || m == nil {
			e.t.Fatalf("no CSRF token on the login page")
		}
		e.csrfToken = string(m[1])
	}
	return e.csrfCookie, e.csrfToken
}
