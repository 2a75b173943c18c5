package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// The public form is protected against cross-site posts with a stateless double
// submit: a random cookie, and in each form its HMAC under the secret key. Any
// instance sharing the secret can check it; nothing is stored.
const csrfCookie = "ansinh_csrf"

// csrfToken returns the form token for this browser, setting its cookie if needed.
func (h *Handler) csrfToken(c *fiber.Ctx) string {
	nonce := c.Cookies(csrfCookie)
	if len(nonce) < 20 {
		nonce = ansinh.RandomToken(18)
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: nonce, Path: "/", HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
	}
	return h.csrfSign(nonce)
}

func (h *Handler) csrfSign(nonce string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// checkCSRF refuses a form post whose token does not match the browser's cookie.
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	nonce := c.Cookies(csrfCookie)
	if nonce == "" || !hmac.Equal([]byte(c.FormValue("_csrf")), []byte(h.csrfSign(nonce))) {
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
