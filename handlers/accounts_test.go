package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ansinh"
	"ansinh/handlers"
	"ansinh/store"
)

// userAudit returns the audit events of an action on one user.
func (e *env) userAudit(action, username string) []*ansinh.AuditEvent {
	e.t.Helper()
	evs, err := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: action, Target: "user:" + username})
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

func (e *env) storedUser(username string) *ansinh.User {
	e.t.Helper()
	u, err := e.store.User(context.Background(), username)
	if err != nil {
		e.t.Fatalf("user %s: %v", username, err)
	}
	return u
}

// TestManageUserScope: who may disable, re-enable and reset whose account. Outside
// one's unit an account is not found; inside it, only a role below one's own (the
// admin: any other admin too), never oneself. A refusal changes nothing and audits
// nothing; each change is audited.
func TestManageUserScope(t *testing.T) {
	e := staffEnv(t)
	e.addUser("admin2", ansinh.RoleAdmin, "94")
	e.addUser("so.yte", ansinh.RoleProvince, "94")
	e.addUser("huyen941b", ansinh.RoleDistrict, "941")
	e.addUser("ca.huyen942", ansinh.RolePolice, "942")
	tests := []struct {
		name, manager, target string
		status                int
		code                  string
	}{
		{"district manages a commune officer of its district", "huyen941", "xa31498", 200, ""},
		{"district cannot manage a commune officer of another district", "huyen941", "xa31569", 404, ansinh.ENOTFOUND},
		{"district cannot manage another district's officer", "huyen941", "huyen942", 404, ansinh.ENOTFOUND},
		{"district cannot manage another district's police", "huyen941", "ca.huyen942", 404, ansinh.ENOTFOUND},
		{"district cannot manage a colleague of the same rank", "huyen941", "huyen941b", 403, ansinh.EFORBIDDEN},
		{"district cannot manage the province", "huyen941", "so.ldtbxh", 404, ansinh.ENOTFOUND},
		{"district manages the police of its district", "huyen942", "ca.huyen942", 200, ""},
		{"province manages a district officer", "so.ldtbxh", "huyen942", 200, ""},
		{"province cannot manage another province officer", "so.ldtbxh", "so.yte", 403, ansinh.EFORBIDDEN},
		{"province cannot manage the admin", "so.ldtbxh", "admin", 403, ansinh.EFORBIDDEN},
		{"admin manages another admin", "admin", "admin2", 200, ""},
		{"admin cannot manage itself", "admin", "admin", 403, ansinh.EFORBIDDEN},
		{"commune manages nobody", "xa31498", "xa31498", 403, ansinh.EFORBIDDEN},
		{"police manages nobody", "ca.tinh", "xa31498", 403, ansinh.EFORBIDDEN},
		{"an unknown account is not found", "admin", "nobody", 404, ansinh.ENOTFOUND},
	}
	tokens := map[string]string{}
	for _, tc := range tests {
		for _, action := range []string{"disable", "enable", "reset-password"} {
			t.Run(tc.name+"/"+action, func(t *testing.T) {
				if tokens[tc.manager] == "" {
					tokens[tc.manager] = e.login(tc.manager)
				}
				before, _ := e.store.User(context.Background(), tc.target)
				auditAction := map[string]string{"disable": ansinh.ActionUserDisable, "enable": ansinh.ActionUserEnable,
					"reset-password": ansinh.ActionUserPasswordReset}[action]
				audited := len(e.userAudit(auditAction, tc.target))
				r := e.do("POST", "/api/v1/users/"+tc.target+"/"+action, tokens[tc.manager], nil)
				if r.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
				}
				after, _ := e.store.User(context.Background(), tc.target)
				if tc.status != 200 {
					if code := r.errorCode(); code != tc.code {
						t.Errorf("error code %q, want %q", code, tc.code)
					}
					if before != nil && (after.Disabled != before.Disabled || after.PasswordHash != before.PasswordHash) {
						t.Errorf("a refused %s changed the account: %+v → %+v", action, before, after)
					}
					if n := len(e.userAudit(auditAction, tc.target)); n != audited {
						t.Errorf("a refused %s was audited", action)
					}
					return
				}
				switch action {
				case "disable":
					if !after.Disabled {
						t.Fatal("not disabled")
					}
				case "enable":
					if after.Disabled {
						t.Fatal("still disabled")
					}
				case "reset-password":
					var out struct{ Password string }
					r.decode(&out)
					if ok, _ := ansinh.CheckPassword(after.PasswordHash, out.Password); !ok || !after.MustChangePassword {
						t.Fatalf("reset: the answer's password does not open the account, or is not one-time (%s)", r.body)
					}
					// Put the test password back for the next cases.
					hash, _ := ansinh.HashPassword(tc.target + "-password")
					if err := e.store.SetUserPassword(context.Background(), tc.target, hash, false, e.now()); err != nil {
						t.Fatal(err)
					}
					tokens[tc.target] = ""
				}
				evs := e.userAudit(auditAction, tc.target)
				if len(evs) != audited+1 || evs[0].Actor != tc.manager || evs[0].Unit != after.Unit {
					t.Fatalf("audit of %s: %d events (before %d): %+v", action, len(evs), audited, evs)
				}
			})
		}
	}
}

// TestDisabledUserCannotLogIn: a disabled user cannot log in, and the sessions they
// had stop working; re-enabled, they log in again.
func TestDisabledUserCannotLogIn(t *testing.T) {
	e := staffEnv(t)
	manager, officer := e.login("huyen941"), e.login("xa31498")
	web := e.browser("xa31498")
	if r := e.do("POST", "/api/v1/users/xa31498/disable", manager, nil); r.StatusCode != 200 || !strings.Contains(string(r.body), `"disabled":true`) {
		t.Fatalf("disable: %d %s", r.StatusCode, r.body)
	}
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "xa31498", "password": "xa31498-password"})
	if r.StatusCode != 401 || r.errorCode() != ansinh.EUNAUTHORIZED || !strings.Contains(string(r.body), ansinh.MsgAccountDisabled) {
		t.Fatalf("login while disabled: %d %s", r.StatusCode, r.body)
	}
	if r := e.form("/dang-nhap", url.Values{"username": {"xa31498"}, "password": {"xa31498-password"}}, nil); r.StatusCode != 401 {
		t.Fatalf("web login while disabled: %d", r.StatusCode)
	}
	if r := e.do("GET", "/api/v1/me", officer, nil); r.StatusCode != 401 {
		t.Fatalf("the token from before still works: %d %s", r.StatusCode, r.body)
	}
	if r, _ := web.get("/can-bo/duyet"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/dang-nhap") {
		t.Fatalf("the web session from before still works: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if evs := e.userAudit(ansinh.ActionLoginFailed, "xa31498"); len(evs) != 2 || evs[0].Detail["reason"] != "disabled" {
		t.Fatalf("failed logins audited: %+v", evs)
	}
	if r := e.do("POST", "/api/v1/users/xa31498/enable", manager, nil); r.StatusCode != 200 {
		t.Fatalf("enable: %d %s", r.StatusCode, r.body)
	}
	e.login("xa31498")
	if n := len(e.userAudit(ansinh.ActionUserDisable, "xa31498")) + len(e.userAudit(ansinh.ActionUserEnable, "xa31498")); n != 2 {
		t.Fatalf("%d disable/enable events, want 2", n)
	}
}

// TestOneTimePasswordMustBeChanged: after a reset the old password and sessions are
// gone; the one-time password logs in with must_change_password, and every route but
// the change, /me and logout answers 403 password_change_required until it is changed.
func TestOneTimePasswordMustBeChanged(t *testing.T) {
	e := staffEnv(t)
	var logs bytes.Buffer
	app, err := handlers.New(handlers.Deps{Config: e.cfg, Store: e.store, Units: e.units, Now: e.clock.now,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
	manager, old := e.login("huyen941"), e.login("xa31498")
	r := e.do("POST", "/api/v1/users/xa31498/reset-password", manager, nil)
	var reset struct {
		Password string `json:"password"`
	}
	r.decode(&reset)
	if r.StatusCode != 200 || len(reset.Password) < 10 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reset: %d %s (Cache-Control %q)", r.StatusCode, r.body, r.Header.Get("Cache-Control"))
	}
	if r := e.do("GET", "/api/v1/me", old, nil); r.StatusCode != 401 {
		t.Fatalf("a session from before the reset: %d", r.StatusCode)
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "xa31498", "password": "xa31498-password"}); r.StatusCode != 401 {
		t.Fatalf("the old password after a reset: %d", r.StatusCode)
	}
	r = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "xa31498", "password": reset.Password})
	var login struct {
		Token              string `json:"token"`
		MustChangePassword bool   `json:"must_change_password"`
	}
	r.decode(&login)
	if r.StatusCode != 200 || !login.MustChangePassword {
		t.Fatalf("login with the one-time password: %d %s", r.StatusCode, r.body)
	}
	tok := login.Token
	for _, rt := range []struct{ method, path string }{
		{"GET", "/api/v1/registrations"}, {"GET", "/api/v1/beneficiaries"}, {"GET", "/api/v1/coverage"},
		{"GET", "/api/v1/users"}, {"GET", "/api/v1/me/logins"}, {"POST", "/api/v1/registrations/verify"},
		{"GET", "/api/v1/units"}, {"POST", "/api/v1/users/xa31569/disable"},
	} {
		r := e.do(rt.method, rt.path, tok, map[string]any{"ids": []string{"X"}})
		if r.StatusCode != 403 || r.errorCode() != ansinh.EPASSWORDCHANGE {
			t.Errorf("%s %s with a one-time password: %d %s", rt.method, rt.path, r.StatusCode, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/me", tok, nil); r.StatusCode != 200 {
		t.Fatalf("/me with a one-time password: %d", r.StatusCode)
	}

	for _, bad := range []struct {
		name  string
		body  map[string]string
		field string
	}{
		{"wrong current", map[string]string{"current": "not-the-password", "new": "mua-lua-chin-vang"}, "current"},
		{"too short", map[string]string{"current": reset.Password, "new": "ngan"}, "new"},
		{"same again", map[string]string{"current": reset.Password, "new": reset.Password}, "new"},
		{"holds the username", map[string]string{"current": reset.Password, "new": "xa31498-moi-nhe"}, "new"},
		{"no current", map[string]string{"new": "mua-lua-chin-vang"}, "current"},
	} {
		r := e.do("POST", "/api/v1/me/password", tok, bad.body)
		if r.StatusCode != 422 || benFields(r)[bad.field] == "" {
			t.Errorf("%s: %d %s, want 422 on %s", bad.name, r.StatusCode, r.body, bad.field)
		}
	}
	if u := e.storedUser("xa31498"); !u.MustChangePassword {
		t.Fatal("a refused change cleared the one-time mark")
	}
	if r := e.do("POST", "/api/v1/me/password", tok, map[string]string{"current": reset.Password, "new": "mua-lua-chin-vang"}); r.StatusCode != 204 {
		t.Fatalf("change: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("GET", "/api/v1/registrations", tok, nil); r.StatusCode != 200 {
		t.Fatalf("after the change, the same session: %d %s", r.StatusCode, r.body)
	}
	r = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "xa31498", "password": "mua-lua-chin-vang"})
	if r.StatusCode != 200 || strings.Contains(string(r.body), `"must_change_password":true`) {
		t.Fatalf("login with the new password: %d %s", r.StatusCode, r.body)
	}
	if n := len(e.userAudit(ansinh.ActionUserPasswordFailed, "xa31498")); n != 1 {
		t.Errorf("%d failed changes audited, want 1 (the wrong current password)", n)
	}
	changes := e.userAudit(ansinh.ActionUserPasswordChange, "xa31498")
	if len(changes) != 1 || changes[0].Actor != "xa31498" || changes[0].Detail["one_time"] != true {
		t.Fatalf("the change audited: %+v", changes)
	}
	// The one-time password is in no audit event and no log line.
	evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{Limit: 1000})
	all, _ := json.Marshal(evs)
	if strings.Contains(string(all), reset.Password) || strings.Contains(logs.String(), reset.Password) {
		t.Fatal("the one-time password reached the audit trail or the log")
	}
}

// TestChangePasswordEndsOtherSessions: a change keeps the session it was made from
// and ends the others; guesses of the current password stop after five.
func TestChangePasswordEndsOtherSessions(t *testing.T) {
	e := staffEnv(t)
	a, b := e.login("xa31498"), e.login("xa31498")
	if r := e.do("POST", "/api/v1/me/password", a, map[string]string{"current": "xa31498-password", "new": "song-hau-dong-chay"}); r.StatusCode != 204 {
		t.Fatalf("change: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("GET", "/api/v1/me", a, nil); r.StatusCode != 200 {
		t.Fatalf("the changing session: %d", r.StatusCode)
	}
	if r := e.do("GET", "/api/v1/me", b, nil); r.StatusCode != 401 {
		t.Fatalf("the other session: %d", r.StatusCode)
	}
	for i := range 5 {
		if r := e.do("POST", "/api/v1/me/password", a, map[string]string{"current": "guess-number-x", "new": "mot-cau-khac-han"}); r.StatusCode != 422 {
			t.Fatalf("guess %d: %d", i+1, r.StatusCode)
		}
	}
	r := e.do("POST", "/api/v1/me/password", a, map[string]string{"current": "song-hau-dong-chay", "new": "mot-cau-khac-han"})
	if r.StatusCode != 429 {
		t.Fatalf("after five wrong guesses, even the right one: %d %s", r.StatusCode, r.body)
	}
	if u := e.storedUser("xa31498"); func() bool { ok, _ := ansinh.CheckPassword(u.PasswordHash, "song-hau-dong-chay"); return !ok }() {
		t.Fatal("the password changed while throttled")
	}
}

// TestMyLogins lists the caller's own login attempts, never another user's.
func TestMyLogins(t *testing.T) {
	e := staffEnv(t)
	e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "xa31498", "password": "wrong-password!"})
	tok := e.login("xa31498")
	e.login("xa31569")
	r := e.do("GET", "/api/v1/me/logins", tok, nil)
	var out struct {
		Items []struct{ Result, IP string }
		Total int
	}
	r.decode(&out)
	if r.StatusCode != 200 || out.Total != 2 || out.Items[0].Result != "ok" || out.Items[1].Result != "failed" {
		t.Fatalf("my logins: %d %s", r.StatusCode, r.body)
	}
}

// webPage is a staff browser that keeps the cookies the app sets (the notices, the
// one-time password on its way to the page that shows it).
type webPage struct {
	*page
	jar map[string]*http.Cookie
}

func (e *env) webBrowser(username, password string) (*webPage, *response) {
	e.t.Helper()
	r := e.form("/dang-nhap", url.Values{"username": {username}, "password": {password}}, nil)
	w := &webPage{page: &page{e: e}, jar: map[string]*http.Cookie{}}
	w.keep(r)
	w.cookie = w.jar["ansinh_session"]
	if w.cookie == nil {
		e.t.Fatalf("login %s: %d %s", username, r.StatusCode, r.body)
	}
	return w, r
}

func (w *webPage) keep(r *response) {
	for _, c := range r.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(w.jar, c.Name)
		} else {
			w.jar[c.Name] = c
		}
	}
}

func (w *webPage) send(method, path string, v url.Values) *response {
	w.e.t.Helper()
	var req *http.Request
	if method == "GET" {
		req = httptest.NewRequest("GET", path, nil)
	} else {
		csrf, token := w.e.csrfFor(w.jar["ansinh_session"])
		if !v.Has("_csrf") {
			v.Set("_csrf", token)
		}
		req = httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(csrf)
	}
	for name, c := range w.jar {
		if name != "ansinh_csrf" {
			req.AddCookie(c)
		}
	}
	r := w.e.send(req)
	w.keep(r)
	return r
}

// TestForcedPasswordChangePages: the web login with a one-time password leads to the
// change form; every other page redirects there and every other post is refused; once
// changed (post, redirect, get), the pages open.
func TestForcedPasswordChangePages(t *testing.T) {
	e := staffEnv(t)
	manager := e.login("huyen941")
	var reset struct{ Password string }
	e.do("POST", "/api/v1/users/xa31498/reset-password", manager, nil).decode(&reset)

	w, r := e.webBrowser("xa31498", reset.Password)
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/mat-khau" {
		t.Fatalf("login with a one-time password: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	for _, path := range []string{"/can-bo/", "/can-bo/duyet", "/can-bo/tong-quan", "/can-bo/tai-khoan", "/dang-nhap"} {
		if r := w.send("GET", path, nil); r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/mat-khau" {
			t.Errorf("GET %s: %d → %q, want the change form", path, r.StatusCode, r.Header.Get("Location"))
		}
	}
	if r := w.send("POST", "/can-bo/duyet/xac-nhan-nhieu", url.Values{"ids": {"ABCDEFGHJK"}}); r.StatusCode != 403 {
		t.Errorf("a post with a one-time password: %d", r.StatusCode)
	}
	r = w.send("GET", "/can-bo/mat-khau", nil)
	_, doc := w.parse(r)
	if r.StatusCode != 200 || doc.Find("#forced").Length() != 1 || doc.Find(`input[type=password]`).Length() != 3 {
		t.Fatalf("the change form: %d %s", r.StatusCode, r.body)
	}
	r = w.send("POST", "/can-bo/mat-khau", url.Values{"current": {reset.Password}, "new": {"mua-lua-chin-vang"}, "confirm": {"mua-lua-chin-vang!"}})
	_, doc = w.parse(r)
	if r.StatusCode != 422 || text(doc, "#err-confirm") != ansinh.MsgPasswordMismatch {
		t.Fatalf("confirmation differs: %d %q", r.StatusCode, text(doc, "#err-confirm"))
	}
	r = w.send("POST", "/can-bo/mat-khau", url.Values{"current": {"sai-mat-khau-roi"}, "new": {"mua-lua-chin-vang"}, "confirm": {"mua-lua-chin-vang"}})
	_, doc = w.parse(r)
	if r.StatusCode != 422 || text(doc, "#err-current") != ansinh.MsgPasswordWrong || doc.Find(`#current[aria-invalid=true]`).Length() != 1 {
		t.Fatalf("wrong current password: %d %q", r.StatusCode, text(doc, "#err-current"))
	}
	r = w.send("POST", "/can-bo/mat-khau", url.Values{"current": {reset.Password}, "new": {"mua-lua-chin-vang"}, "confirm": {"mua-lua-chin-vang"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/tai-khoan" {
		t.Fatalf("change: %d → %q %s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	r = w.send("GET", "/can-bo/tai-khoan", nil)
	_, doc = w.parse(r)
	if r.StatusCode != 200 || text(doc, ".notice") != ansinh.MsgPasswordChanged || doc.Find("#logins tbody tr.login-ok").Length() != 1 {
		t.Fatalf("account page after the change: %d notice %q, logins %q", r.StatusCode, text(doc, ".notice"), text(doc, "#logins"))
	}
	if r := w.send("GET", "/can-bo/duyet", nil); r.StatusCode != 200 {
		t.Fatalf("the queue after the change: %d", r.StatusCode)
	}
}

// TestUserPages: the list shows the manager's scope with the buttons their rights
// allow; a new account's one-time password is shown once, after a redirect; locking
// and a reset are posts that redirect.
func TestUserPages(t *testing.T) {
	e := staffEnv(t)
	w, _ := e.webBrowser("huyen941", "huyen941-password")
	r := w.send("GET", "/can-bo/nguoi-dung", nil)
	_, doc := w.parse(r)
	listed := doc.Find("#users tbody tr").Map(func(_ int, s *goquery.Selection) string { v, _ := s.Attr("data-username"); return v })
	if r.StatusCode != 200 || strings.Join(listed, ",") != "huyen941,xa31498" {
		t.Fatalf("list: %d %q", r.StatusCode, listed)
	}
	if doc.Find(`tr[data-username="huyen941"] button`).Length() != 0 || doc.Find(`tr[data-username="xa31498"] button.disable`).Length() != 1 {
		t.Fatalf("buttons: %s", doc.Find("#users").Text())
	}

	r = w.send("POST", "/can-bo/nguoi-dung/moi", url.Values{"username": {"Xa.31498.Lan"}, "role": {"commune"}, "unit": {"31569"}})
	_, doc = w.parse(r)
	if r.StatusCode != 403 || e.userCount() != 7 {
		t.Fatalf("a new account outside the district: %d, %d users", r.StatusCode, e.userCount())
	}
	r = w.send("POST", "/can-bo/nguoi-dung/moi", url.Values{"username": {"x"}, "role": {"commune"}, "unit": {"31498"}, "phone": {"12"}})
	_, doc = w.parse(r)
	if r.StatusCode != 422 || text(doc, "#err-username") != ansinh.MsgUsernameRule || text(doc, "#err-phone") != ansinh.MsgPhoneInvalid ||
		doc.Find(`#phone[value="12"]`).Length() != 1 {
		t.Fatalf("bad new account: %d %q %q", r.StatusCode, text(doc, "#err-username"), text(doc, "#err-phone"))
	}
	r = w.send("POST", "/can-bo/nguoi-dung/moi", url.Values{"username": {"Xa.31498.Lan"}, "role": {"commune"}, "unit": {"31498"}, "phone": {"0912345678"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/nguoi-dung/xa.31498.lan/mat-khau-mot-lan" {
		t.Fatalf("new account: %d → %q %s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	r = w.send("GET", r.Header.Get("Location"), nil)
	_, doc = w.parse(r)
	password := text(doc, "#one-time-password")
	if r.StatusCode != 200 || len(password) != 14 || !strings.Contains(text(doc, ".notice"), "xa.31498.lan") {
		t.Fatalf("one-time page: %d %q", r.StatusCode, password)
	}
	r = w.send("GET", "/can-bo/nguoi-dung/xa.31498.lan/mat-khau-mot-lan", nil)
	_, doc = w.parse(r)
	if doc.Find("#one-time-password").Length() != 0 || doc.Find("#one-time-gone").Length() != 1 || strings.Contains(string(r.body), password) {
		t.Fatal("the one-time password shows a second time")
	}
	if evs := e.userAudit(ansinh.ActionUserCreate, "xa.31498.lan"); len(evs) != 1 || evs[0].Actor != "huyen941" || evs[0].Detail["one_time"] != true {
		t.Fatalf("creation audited: %+v", evs)
	}
	if _, r := e.webBrowser("xa.31498.lan", password); r.Header.Get("Location") != "/can-bo/mat-khau" {
		t.Fatalf("the new account's first login goes to %q", r.Header.Get("Location"))
	}

	r = w.send("POST", "/can-bo/nguoi-dung/xa31498/khoa", url.Values{})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/nguoi-dung" || !e.storedUser("xa31498").Disabled {
		t.Fatalf("lock: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = w.send("GET", "/can-bo/nguoi-dung?status=disabled", nil)
	_, doc = w.parse(r)
	if doc.Find("#users tbody tr").Length() != 1 || doc.Find(`tr[data-username="xa31498"] button.enable`).Length() != 1 ||
		!strings.Contains(text(doc, ".notice"), "xa31498") {
		t.Fatalf("after locking: %q / %q", doc.Find("#users").Text(), text(doc, ".notice"))
	}
	if r := w.send("POST", "/can-bo/nguoi-dung/xa31569/khoa", url.Values{}); r.StatusCode != 404 || e.storedUser("xa31569").Disabled {
		t.Fatalf("lock another district's officer: %d", r.StatusCode)
	}
	r = w.send("POST", "/can-bo/nguoi-dung/xa31498/dat-lai-mat-khau", url.Values{})
	if r.StatusCode != 303 || !e.storedUser("xa31498").MustChangePassword {
		t.Fatalf("reset: %d", r.StatusCode)
	}
	r = w.send("GET", r.Header.Get("Location"), nil)
	_, doc = w.parse(r)
	if got := text(doc, "#one-time-password"); len(got) != 14 {
		t.Fatalf("reset password shown: %q", got)
	}

	c, _ := e.webBrowser("xa31569", "xa31569-password")
	if r := c.send("GET", "/can-bo/nguoi-dung", nil); r.StatusCode != 403 {
		t.Fatalf("a commune officer on the user list: %d", r.StatusCode)
	}
}
