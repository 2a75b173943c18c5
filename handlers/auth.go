package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
)

// AuthStore is what logging in and out needs.
type AuthStore interface {
	User(ctx context.Context, username string) (*ansinh.User, error)
	CreateSession(ctx context.Context, token string, s *ansinh.Session) error
	Session(ctx context.Context, token string, now time.Time) (*ansinh.Session, error)
	DeleteSession(ctx context.Context, token string) error
	ClaimAttempt(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (slot string, wait time.Duration, err error)
	ReleaseAttempt(ctx context.Context, slot string) error
}

const (
	sessionTTL  = 12 * time.Hour
	cookieName  = "ansinh_session"
	deviceName  = "ansinh_device"
	deviceTTL   = 180 * 24 * time.Hour
	localUser   = "user"
	localToken  = "token"
	loginWindow = 15 * time.Minute
)

// loginLimit is one throttle of the staff logins: limit attempts per window, then, if
// slow is set, one attempt per slow.
type loginLimit struct {
	prefix string
	window time.Duration
	limit  int
	slow   time.Duration
}

// The login throttles. Usernames are predictable and offices share one address behind
// NAT, so neither the username nor the address alone ever locks anyone out: past
// their allowance they slow down to one attempt a minute (username) or every ten
// seconds (address). Only the pair of both stops hard, and a browser that has logged
// in as the user before (its device cookie) is counted apart from the username, so an
// attacker's guesses do not slow the owner down.
var (
	limitPair   = loginLimit{prefix: "login-pair:", window: loginWindow, limit: 10}
	limitUser   = loginLimit{prefix: "login-user:", window: loginWindow, limit: 10, slow: time.Minute}
	limitDevice = loginLimit{prefix: "login-device:", window: loginWindow, limit: 10}
	limitAddr   = loginLimit{prefix: "login-ip:", window: loginWindow, limit: 30, slow: 10 * time.Second}
)

// waitError is a throttled request and how long to wait (the Retry-After header).
type waitError struct {
	err  *ansinh.Error
	wait time.Duration
}

func (e *waitError) Error() string { return e.err.Error() }
func (e *waitError) Unwrap() error { return e.err }

// dummyHash is checked when the username does not exist, so that a wrong username
// takes as long as a wrong password.
var dummyHash, _ = ansinh.HashPassword("ansinh-dummy-password")

// claim takes an attempt of l for key, or says how long to wait. Every attempt is
// counted before its password is checked, so parallel attempts cannot all pass.
func (h *Handler) claim(c *fiber.Ctx, l loginLimit, key string, now time.Time) ([]string, time.Duration, error) {
	slot, wait, err := h.store.ClaimAttempt(c.UserContext(), l.prefix+key, now, l.window, l.limit)
	if err != nil || slot != "" || l.slow == 0 {
		return nonEmpty(slot), wait, err
	}
	slow, swait, err := h.store.ClaimAttempt(c.UserContext(), l.prefix+"slow:"+key, now, l.slow, 1)
	if err != nil || slow != "" {
		return nonEmpty(slow), 0, err
	}
	return nil, min(wait, swait), nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// claimLogin claims the attempt under every throttle that applies; when one refuses,
// the others' claims are given back and the wait is returned.
func (h *Handler) claimLogin(c *fiber.Ctx, username, ip string, now time.Time) ([]string, time.Duration, error) {
	type throttle struct {
		l   loginLimit
		key string
	}
	byUser := throttle{limitUser, username}
	if device := h.deviceOf(c, username); device != "" {
		byUser = throttle{limitDevice, device}
	}
	var slots []string
	for _, t := range []throttle{{limitPair, username + "|" + ip}, byUser, {limitAddr, ip}} {
		got, wait, err := h.claim(c, t.l, t.key, now)
		if err == nil && got == nil {
			h.release(c, slots)
			return nil, max(wait, time.Second), nil
		}
		if err != nil {
			h.release(c, slots)
			return nil, 0, err
		}
		slots = append(slots, got...)
	}
	return slots, 0, nil
}

// release gives back the claims of an attempt that does not count (a success, or one
// refused by another throttle). A failure only leaves the slot taken until its window
// ends, so it is logged, not returned.
func (h *Handler) release(c *fiber.Ctx, slots []string) {
	for _, s := range slots {
		if err := h.store.ReleaseAttempt(c.UserContext(), s); err != nil {
			h.log.Warn("login: release attempt", "err", err)
		}
	}
}

// login checks the credentials under the throttles and records the attempt in the
// audit trail, whatever its outcome.
func (h *Handler) login(c *fiber.Ctx, username, password string) (*ansinh.User, error) {
	ctx, now, ip := c.UserContext(), h.now(), h.clientIP(c)
	username = ansinh.NormalizeUsername(username)
	if len(username) > 64 {
		username = username[:64]
	}
	slots, wait, err := h.claimLogin(c, username, ip, now)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		if err := h.audit(c, &ansinh.AuditEvent{Actor: username, Action: ansinh.ActionLoginBlocked, Target: "user:" + username}); err != nil {
			return nil, err
		}
		return nil, &waitError{err: &ansinh.Error{Code: ansinh.ERATELIMIT, Message: ansinh.MsgLoginWait(wait)}, wait: wait}
	}

	u, err := h.store.User(ctx, username)
	if err != nil && ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		return nil, err
	}
	hash := dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	ok, _ := ansinh.CheckPassword(hash, password)
	reason := ""
	switch {
	case u == nil || !ok:
		reason = "bad_credentials"
	case u.Disabled:
		reason = "disabled"
	}
	if reason == "" {
		if _, known := h.units.Get(u.Unit); !known {
			reason = "unit_gone"
		}
	}
	if reason != "" {
		if err := h.audit(c, &ansinh.AuditEvent{Actor: username, Action: ansinh.ActionLoginFailed,
			Target: "user:" + username, Detail: map[string]any{"reason": reason}}); err != nil {
			return nil, err
		}
		switch reason {
		case "disabled":
			return nil, &ansinh.Error{Code: ansinh.EUNAUTHORIZED, Message: disabledMessage(u)}
		case "unit_gone":
			return nil, ansinh.Errorf(ansinh.EUNAUTHORIZED, ansinh.MsgUserUnitGone)
		}
		return nil, ansinh.Errorf(ansinh.EUNAUTHORIZED, ansinh.MsgLoginFailed)
	}
	h.release(c, slots)
	if err := h.audit(c, &ansinh.AuditEvent{Actor: u.Username, Role: u.Role, Action: ansinh.ActionLogin,
		Target: "user:" + u.Username, Unit: u.Unit}); err != nil {
		return nil, err
	}
	h.setDevice(c, u.Username)
	return u, nil
}

// The device cookie says "this browser has logged in as this user": a random id and
// its HMAC with the username. Its attempts are counted under the id, not the username.
func (h *Handler) deviceSign(username, id string) string {
	m := hmac.New(sha256.New, h.deviceKey)
	m.Write([]byte(username + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// deviceOf returns the device id of the request's cookie when it was issued for
// username, else "".
func (h *Handler) deviceOf(c *fiber.Ctx, username string) string {
	id, mac, ok := strings.Cut(c.Cookies(deviceName), ".")
	if !ok || len(id) < 16 || len(id) > 64 || !hmac.Equal([]byte(mac), []byte(h.deviceSign(username, id))) {
		return ""
	}
	return utils.CopyString(id)
}

func (h *Handler) setDevice(c *fiber.Ctx, username string) {
	if h.deviceOf(c, username) != "" {
		return
	}
	id := ansinh.RandomToken(18)
	c.Cookie(&fiber.Cookie{Name: deviceName, Value: id + "." + h.deviceSign(username, id), Path: "/", MaxAge: int(deviceTTL.Seconds()),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.overHTTPS(c)})
}

// disabledMessage tells a locked-out user why, when the lock has a stated reason (a
// unit dissolved by a change of unit set); only after the password was right.
func disabledMessage(u *ansinh.User) string {
	if u.DisabledReason != "" {
		return u.DisabledReason
	}
	return ansinh.MsgAccountDisabled
}

// startSession stores a new session and returns its token.
func (h *Handler) startSession(c *fiber.Ctx, u *ansinh.User, kind string) (string, time.Time, error) {
	token := ansinh.RandomToken(32)
	now := h.now()
	exp := now.Add(sessionTTL)
	err := h.store.CreateSession(c.UserContext(), token, &ansinh.Session{Username: u.Username, Kind: kind, CreatedAt: now, ExpiresAt: exp})
	return token, exp, err
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type userView struct {
	Username string      `json:"username"`
	Role     ansinh.Role `json:"role"`
	Unit     string      `json:"unit"`
}

func viewUser(u *ansinh.User) userView {
	return userView{Username: u.Username, Role: u.Role, Unit: u.Unit}
}

// LoginAPI exchanges a username and password for a bearer token.
func (h *Handler) LoginAPI(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	if strings.TrimSpace(req.Username) == "" {
		fields["username"] = ansinh.MsgRequired
	}
	if req.Password == "" {
		fields["password"] = ansinh.MsgRequired
	}
	if len(fields) > 0 {
		return &ansinh.Error{Code: ansinh.EINVALID, Message: ansinh.MsgInvalidInput, Fields: fields}
	}
	u, err := h.login(c, req.Username, req.Password)
	if err != nil {
		return err
	}
	token, exp, err := h.startSession(c, u, "api")
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"token": token, "expires_at": exp.UTC(), "user": viewUser(u), "must_change_password": u.MustChangePassword})
}

// LogoutAPI ends the bearer token's session.
func (h *Handler) LogoutAPI(c *fiber.Ctx) error {
	if err := h.endSession(c); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// Me returns the caller.
func (h *Handler) Me(c *fiber.Ctx) error {
	u := currentUser(c)
	unit, _ := h.units.Get(u.Unit)
	return c.JSON(fiber.Map{"username": u.Username, "role": u.Role, "unit": u.Unit, "unit_name": unit.Name})
}

func (h *Handler) endSession(c *fiber.Ctx) error {
	token, _ := c.Locals(localToken).(string)
	if err := h.store.DeleteSession(c.UserContext(), token); err != nil {
		return err
	}
	u := currentUser(c)
	return h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionLogout, Target: "user:" + u.Username, Unit: u.Unit})
}

// requireToken admits API calls with a valid bearer token.
func (h *Handler) requireToken(c *fiber.Ctx) error {
	auth := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		return ansinh.Errorf(ansinh.EUNAUTHORIZED, ansinh.MsgUnauthorized)
	}
	if err := h.authenticate(c, strings.TrimSpace(token), "api"); err != nil {
		return err
	}
	return c.Next()
}

// requireCookie admits page requests with a valid session cookie, and sends everyone
// else to the login page.
func (h *Handler) requireCookie(c *fiber.Ctx) error {
	token := c.Cookies(cookieName)
	if token != "" {
		err := h.authenticate(c, token, "web")
		if err == nil {
			// Every staff page's forms carry the CSRF token (see csrf.go).
			_ = c.Bind(fiber.Map{"CSRF": h.csrfToken(c)})
			return c.Next()
		}
		if ansinh.ErrorCode(err) == ansinh.EPASSWORDCHANGE && c.Method() == fiber.MethodGet {
			return c.Redirect(passwordPage, fiber.StatusSeeOther)
		}
		if ansinh.ErrorCode(err) != ansinh.EUNAUTHORIZED {
			return err
		}
	}
	if c.Method() != fiber.MethodGet {
		return c.Redirect("/dang-nhap", fiber.StatusSeeOther)
	}
	return c.Redirect("/dang-nhap?next="+urlQueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
}

func (h *Handler) authenticate(c *fiber.Ctx, token, kind string) error {
	ctx := c.UserContext()
	sess, err := h.store.Session(ctx, token, h.now())
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND || (err == nil && sess.Kind != kind) {
		return ansinh.Errorf(ansinh.EUNAUTHORIZED, ansinh.MsgUnauthorized)
	}
	if err != nil {
		return err
	}
	u, err := h.store.User(ctx, sess.Username)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return ansinh.Errorf(ansinh.EUNAUTHORIZED, ansinh.MsgUnauthorized)
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return &ansinh.Error{Code: ansinh.EUNAUTHORIZED, Message: disabledMessage(u)}
	}
	if _, ok := h.units.Get(u.Unit); !ok {
		return ansinh.Errorf(ansinh.EUNAUTHORIZED, ansinh.MsgUserUnitGone)
	}
	c.Locals(localUser, u)
	c.Locals(localToken, utils.CopyString(token))
	h.settle(c)
	if u.MustChangePassword && !openWithOneTimePassword[c.Path()] {
		return ansinh.Errorf(ansinh.EPASSWORDCHANGE, ansinh.MsgPasswordChangeRequired)
	}
	return nil
}

// passwordPage is where a staff user changes their password.
const passwordPage = "/can-bo/mat-khau"

// openWithOneTimePassword are the only paths a user holding a one-time password may
// use: change it, say who they are, log out. Every other path answers 403
// password_change_required (a page is redirected to the change form).
var openWithOneTimePassword = map[string]bool{
	"/api/v1/me/password": true,
	"/api/v1/me":          true,
	"/api/v1/auth/logout": true,
	passwordPage:          true,
	"/dang-xuat":          true,
}

// currentUser is the authenticated caller, or nil.
func currentUser(c *fiber.Ctx) *ansinh.User {
	u, _ := c.Locals(localUser).(*ansinh.User)
	return u
}

// settleWait bounds how long a request waits for the submissions accepted before it
// to go through their steps: past it the page shows what is stored, a moment behind.
const settleWait = 5 * time.Second

// settle waits, for a reader of queues, rosters, submission lists or the audit log,
// until the submissions accepted before the request are stored (registration.Settle):
// nothing when none waits.
func (h *Handler) settle(c *fiber.Ctx) {
	ctx, cancel := context.WithTimeout(c.UserContext(), settleWait)
	defer cancel()
	if err := h.registrations.Settle(ctx); err != nil {
		h.log.Warn("request read before the accepted submissions were stored", "path", c.Path(), "err", err)
	}
}
