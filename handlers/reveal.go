package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// An in-place reveal is a post (audited) that redirects back to the page, which then
// shows the whole numbers for a few minutes: the page's own cookie carries a grant
// signed for the officer's session and that page, so a reload shows them again
// without a second post, and the grant is worth nothing elsewhere.
const (
	revealCookie = "ansinh_reveal"
	revealTTL    = 5 * time.Minute
)

func (h *Handler) revealSign(c *fiber.Ctx, path string, until int64) string {
	token, _ := c.Locals(localToken).(string)
	m := hmac.New(sha256.New, h.flashKey)
	m.Write([]byte("reveal\x00" + token + "\x00" + path + "\x00" + strconv.FormatInt(until, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// grantReveal lets the page at path show whole numbers for revealTTL.
func (h *Handler) grantReveal(c *fiber.Ctx, path string) {
	until := h.now().Add(revealTTL).Unix()
	c.Cookie(&fiber.Cookie{Name: revealCookie, Value: strconv.FormatInt(until, 10) + "." + h.revealSign(c, path, until),
		Path: path, MaxAge: int(revealTTL.Seconds()), HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.overHTTPS(c)})
}

// revealGranted reports whether this session was granted the page at path.
func (h *Handler) revealGranted(c *fiber.Ctx, path string) bool {
	v := c.Cookies(revealCookie)
	exp, mac, ok := strings.Cut(v, ".")
	until, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || h.now().Unix() >= until {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(h.revealSign(c, path, until)))
}
