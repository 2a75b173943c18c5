package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
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
	t.Run("per username", func(t *testing.T) {
		// Behind a trusted proxy, so each attempt can come from its own address.
		e := newEnv(t, func(c *ansinh.Config) { c.TrustedProxies = []string{"0.0.0.0"} })
		e.addUser("target", ansinh.RoleProvince, "94")
		for i := range 10 {
			// Each failure from a different address: only the username counter trips.
			r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "target", "password": "bad-password"},
				"X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i+1))
			if r.StatusCode != 401 {
				t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
			}
		}
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "target", "password": "target-password"})
		if r.StatusCode != 429 || r.errorCode() != ansinh.ERATELIMIT || r.Header.Get("Retry-After") == "" {
			t.Fatalf("11th attempt with the right password: %d %s", r.StatusCode, r.body)
		}
		// 15 minutes later the account opens again.
		e.advance(16 * 60)
		if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "target", "password": "target-password"}); r.StatusCode != 200 {
			t.Fatalf("after the window: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("per IP", func(t *testing.T) {
		e := newEnv(t)
		e.addUser("other", ansinh.RoleProvince, "94")
		for i := range 10 {
			r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": fmt.Sprintf("guess%d", i), "password": "bad-password"})
			if r.StatusCode != 401 {
				t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
			}
		}
		if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "other", "password": "other-password"}); r.StatusCode != 429 {
			t.Fatalf("same address, 11th attempt: %d %s", r.StatusCode, r.body)
		}
	})
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
	csrf, token := e.csrf()
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
