package handlers_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"ansinh"
	"ansinh/handlers"
)

func TestHealthReadyAndMetrics(t *testing.T) {
	e := newEnv(t)
	if r := e.do("GET", "/healthz", "", nil); r.StatusCode != 200 || string(r.body) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("GET", "/readyz", "", nil); r.StatusCode != 200 {
		t.Fatalf("readyz: %d %s", r.StatusCode, r.body)
	}
	e.do("GET", "/api/v1/nothing-here", "", nil)
	r := e.do("GET", "/metrics", "", nil)
	for _, want := range []string{
		`ansinh_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`ansinh_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		"ansinh_http_request_duration_seconds_bucket",
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestBadInputIsA4xxJSONErrorAndStoresNothing sends every kind of bad body to the two
// JSON endpoints that write.
func TestBadInputIsA4xxJSONErrorAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	e.addUser("admin", ansinh.RoleAdmin, "94")
	token := e.login("admin")
	tests := []struct {
		name   string
		path   string
		body   string
		ctype  string
		status int
		code   string
	}{
		{"malformed JSON", "/api/v1/users", `{"username":`, "application/json", 400, ansinh.EBADREQUEST},
		{"not an object", "/api/v1/users", `["a"]`, "application/json", 422, ansinh.EINVALID},
		{"operator object for a string", "/api/v1/users", `{"username":{"$ne":null},"password":"long-enough-pw","role":"commune","unit":"31498"}`, "application/json", 422, ansinh.EINVALID},
		{"number for a string", "/api/v1/users", `{"username":12345,"password":"long-enough-pw","role":"commune","unit":"31498"}`, "application/json", 422, ansinh.EINVALID},
		{"trailing garbage", "/api/v1/users", `{"username":"a"} {"x":1}`, "application/json", 400, ansinh.EBADREQUEST},
		{"empty body", "/api/v1/users", ``, "application/json", 400, ansinh.EBADREQUEST},
		{"form instead of JSON", "/api/v1/users", `username=x`, "application/x-www-form-urlencoded", 400, ansinh.EBADREQUEST},
		{"rules broken", "/api/v1/users", `{"username":"A B","password":"short","role":"king","unit":"00000"}`, "application/json", 422, ansinh.EINVALID},
		{"login operator object", "/api/v1/auth/login", `{"username":"admin","password":{"$gt":""}}`, "application/json", 422, ansinh.EINVALID},
		{"login malformed", "/api/v1/auth/login", `{"username":"admin",`, "application/json", 400, ansinh.EBADREQUEST},
		{"login empty fields", "/api/v1/auth/login", `{}`, "application/json", 422, ansinh.EINVALID},
	}
	before := e.userCount()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", tc.path, token, tc.body, "Content-Type", tc.ctype)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %.300s", r.StatusCode, tc.status, r.body)
			}
			if code := r.errorCode(); code != tc.code {
				t.Fatalf("code %q, want %q", code, tc.code)
			}
		})
	}
	// Over the body limit the server answers from the headers alone, before the body,
	// and closes the connection: only a real connection shows it.
	t.Run("huge body", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.serve(), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"username\":\"aaaa",
			handlers.MaxBodyBytes+1)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		r := e.read(res)
		if r.StatusCode != 413 || r.errorCode() != ansinh.ETOOLARGE {
			t.Fatalf("%d %.300s", r.StatusCode, r.body)
		}
	})
	if after := e.userCount(); after != before {
		t.Fatalf("bad input stored users: %d → %d", before, after)
	}
}

func TestFieldErrorsNameTheField(t *testing.T) {
	e := newEnv(t)
	e.addUser("admin", ansinh.RoleAdmin, "94")
	r := e.do("POST", "/api/v1/users", e.login("admin"), `{"username":"ok.user","password":{"$ne":null}}`)
	var out struct {
		Error struct{ Fields map[string]string } `json:"error"`
	}
	r.decode(&out)
	if out.Error.Fields["password"] == "" {
		t.Fatalf("fields = %v, want password named", out.Error.Fields)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/no/such/thing", "", nil)
	if r.StatusCode != 404 || r.errorCode() != ansinh.ENOTFOUND {
		t.Fatalf("api 404: %d %s", r.StatusCode, r.body)
	}
	r = e.do("DELETE", "/api/v1/auth/login", "", nil)
	if r.StatusCode >= 500 || r.StatusCode < 400 {
		t.Fatalf("wrong method: %d %s", r.StatusCode, r.body)
	}
	r = e.do("GET", "/khong-co-trang-nay", "", nil)
	if r.StatusCode != 404 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(r.body), ansinh.MsgNotFound) || !strings.Contains(string(r.body), `lang="vi"`) {
		t.Fatalf("page 404: %d %s %s", r.StatusCode, r.Header.Get("Content-Type"), r.body)
	}
}

func TestStaffAPIRequiresAToken(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ name, token string }{{"none", ""}, {"forged", "forged-token"}} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/units", tc.token, nil)
			if r.StatusCode != 401 || r.errorCode() != ansinh.EUNAUTHORIZED {
				t.Fatalf("%d %s", r.StatusCode, r.body)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, func(c *ansinh.Config) { c.BaseURL = "https://ansinh.example.vn" })
	for _, path := range []string{"/", "/c/31498", "/api/v1/nothing", "/healthz"} {
		r := e.do("GET", path, "", nil)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q", path, h, got)
			}
		}
		if r.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s: no HSTS over https", path)
		}
	}
	// No page carries an inline script: the CSP would block it.
	for _, path := range []string{"/", "/c/31498", "/dang-nhap", "/tra-cuu"} {
		if body := string(e.do("GET", path, "", nil).body); strings.Contains(body, "<script>") || strings.Contains(body, "onclick=") {
			t.Errorf("%s has an inline script", path)
		}
	}
}
