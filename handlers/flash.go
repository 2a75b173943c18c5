package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// A notice after a staff form (report sent, bulk verification done) travels to the
// next page in a short-lived cookie signed for the officer's session, not in the
// URL: a link with ?thong-bao= made the staff pages print any text as an official
// notice.
const flashCookie = "ansinh_flash"

func (h *Handler) flashSign(c *fiber.Ctx, msg string) string {
	token, _ := c.Locals(localToken).(string)
	m := hmac.New(sha256.New, h.flashKey)
	m.Write([]byte(token + "\x00" + msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// setFlash keeps msg for the officer's next page.
func (h *Handler) setFlash(c *fiber.Ctx, msg string) {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)) + "." + h.flashSign(c, msg),
		Path: "/can-bo", MaxAge: 120, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
}

// takeFlash returns the notice kept for this session, once, or "".
func (h *Handler) takeFlash(c *fiber.Ctx) string {
	v := c.Cookies(flashCookie)
	if v == "" {
		return ""
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/can-bo", MaxAge: -1, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
	enc, mac, ok := strings.Cut(v, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || len(raw) > 1000 || !hmac.Equal([]byte(mac), []byte(h.flashSign(c, string(raw)))) {
		return ""
	}
	return string(raw)
}
