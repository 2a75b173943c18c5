package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
)

// A one-time password made by a page's form (a new account, a reset) goes to the page
// that shows it in a cookie sealed with AES-GCM for the manager's session and the
// account: never in a URL or the store, and readable once. A refresh of the page that
// shows it finds the cookie gone and says so; the form is never posted again.
const oneTimeCookie = "ansinh_otp"

const oneTimePath = "/can-bo/nguoi-dung/"

func (h *Handler) oneTimeContext(c *fiber.Ctx, username string) string {
	token, _ := c.Locals(localToken).(string)
	return "one-time\x00" + token + "\x00" + username
}

// keepOneTime holds password for the next page of this session that shows username's.
func (h *Handler) keepOneTime(c *fiber.Ctx, username, password string) {
	c.Cookie(&fiber.Cookie{Name: oneTimeCookie, Value: h.oneTime.Seal(password, h.oneTimeContext(c, username)),
		Path: oneTimePath, MaxAge: 300, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.overHTTPS(c)})
}

// takeOneTime returns the password kept for username in this session, once, or "".
func (h *Handler) takeOneTime(c *fiber.Ctx, username string) string {
	v := c.Cookies(oneTimeCookie)
	if v == "" {
		return ""
	}
	c.Cookie(&fiber.Cookie{Name: oneTimeCookie, Value: "", Path: oneTimePath, MaxAge: -1, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode, Secure: h.overHTTPS(c)})
	if len(v) > 200 {
		return ""
	}
	p, err := h.oneTime.Open(v, h.oneTimeContext(c, username))
	if err != nil {
		return ""
	}
	return utils.CopyString(p)
}
