package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// The forms are protected against cross-site posts with a stateless double submit: a
// random cookie, and in each form its HMAC under the secret key. Any instance sharing
// the secret can check it; nothing is stored. Behind a staff login the HMAC also
// covers the session, so a token is worth nothing outside the session it was made
// for (one read off a shared computer, or planted with the cookie before a login).
const csrfCookie = "ansinh_csrf"

// csrfToken returns the form token for this browser, setting its cookie if needed.
func (h *Handler) csrfToken(c *fiber.Ctx) string {
	nonce := c.Cookies(csrfCookie)
	if len(nonce) < 20 {
		nonce = ansinh.RandomToken(18)
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: nonce, Path: "/", HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
	}
	return h.csrfSign(c, nonce)
}

// csrfSign is the token for nonce: its HMAC, with the session of a logged-in officer
// (set by authenticate) when there is one.
func (h *Handler) csrfSign(c *fiber.Ctx, nonce string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write([]byte(nonce))
	if token, _ := c.Locals(localToken).(string); token != "" {
		m.Write([]byte("\x00session\x00" + token))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// checkCSRF refuses a form post whose token does not match the browser's cookie.
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	nonce := c.Cookies(csrfCookie)
	if nonce == "" || !hmac.Equal([]byte(c.FormValue("_csrf")), []byte(h.csrfSign(c, nonce))) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgFormExpired)
	}
	return c.Next()
}

// checkStaffCSRF checks the token on the staff pages' posts (reads pass).
func (h *Handler) checkStaffCSRF(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return c.Next()
	}
	return h.checkCSRF(c)
}
