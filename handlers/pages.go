package handlers

import (
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
	"ansinh/fold"
	"ansinh/i18n"
)

// Landing is the start page: who can use the service, what to bring, how long it
// takes, the communes to choose from (a search without JavaScript: ?xa=), the status
// look-up, the chat and the Zalo OA.
func (h *Handler) Landing(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("xa"))
	if len([]rune(q)) > 60 {
		q = string([]rune(q)[:60])
	}
	communes := h.startCommunes(q)
	contact := h.contactFor("")
	lang := h.lang(c)
	return c.Render("index", fiber.Map{"Title": i18n.T(lang, "start.title"), "Q": q, "Communes": communes,
		"Total": len(h.units.Leaves(h.units.Root.Code)), "Contact": contact, "ZaloOA": contact.ZaloOA, "Chat": h.bot != nil,
		"Lang": lang, "Switch": true})
}

// startCommunes are the communes whose name matches q (accents and case aside), in
// the order of their names.
func (h *Handler) startCommunes(q string) []*ansinh.Unit {
	want := fold.Words(q)
	var out []*ansinh.Unit
	for _, code := range h.units.Leaves(h.units.Root.Code) {
		u, _ := h.units.Get(code)
		if u.Parent == "" {
			continue
		}
		if want == "" || strings.Contains(fold.Words(u.Name), want) || strings.Contains(fold.Words(ansinh.PlaceName(u)), want) {
			out = append(out, u)
		}
	}
	slices.SortStableFunc(out, func(a, b *ansinh.Unit) int {
		return strings.Compare(fold.Words(ansinh.PlaceName(a)), fold.Words(ansinh.PlaceName(b)))
	})
	return out
}

// LoginPage shows the staff login form.
func (h *Handler) LoginPage(c *fiber.Ctx) error {
	if token := c.Cookies(cookieName); token != "" {
		switch err := h.authenticate(c, token, "web"); ansinh.ErrorCode(err) {
		case "":
			return c.Redirect("/can-bo/", fiber.StatusSeeOther)
		case ansinh.EPASSWORDCHANGE:
			return c.Redirect(passwordPage, fiber.StatusSeeOther)
		}
	}
	return h.renderLogin(c, fiber.StatusOK, "", "")
}

func (h *Handler) renderLogin(c *fiber.Ctx, status int, username, message string) error {
	return c.Status(status).Render("login", fiber.Map{
		"Title":    "Đăng nhập cán bộ",
		"CSRF":     h.csrfToken(c),
		"Username": username,
		"Message":  message,
		"Next":     safeNext(c.Query("next", c.FormValue("next"))),
	})
}

// LoginForm checks the form's credentials and sets the session cookie.
func (h *Handler) LoginForm(c *fiber.Ctx) error {
	username := utils.CopyString(strings.TrimSpace(c.FormValue("username")))
	password := c.FormValue("password")
	if username == "" || password == "" {
		return h.renderLogin(c, fiber.StatusUnprocessableEntity, username, ansinh.MsgLoginFailed)
	}
	u, err := h.login(c, username, password)
	if err != nil {
		status, e := classify(err)
		if status >= 500 {
			return err
		}
		if status == fiber.StatusTooManyRequests {
			c.Set(fiber.HeaderRetryAfter, retryAfter(err))
		}
		return h.renderLogin(c, status, username, e.Message)
	}
	token, exp, err := h.startSession(c, u, "web")
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name:     cookieName,
		Value:    token,
		Path:     "/",
		Expires:  exp,
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
		Secure:   h.overHTTPS(c),
	})
	if u.MustChangePassword {
		return c.Redirect(passwordPage, fiber.StatusSeeOther)
	}
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// LogoutForm ends the web session and clears the cookie.
func (h *Handler) LogoutForm(c *fiber.Ctx) error {
	if err := h.endSession(c); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
	return c.Redirect("/dang-nhap", fiber.StatusSeeOther)
}

// StaffHome shows who is logged in and their unit.
func (h *Handler) StaffHome(c *fiber.Ctx) error {
	u := currentUser(c)
	unit, _ := h.units.Get(u.Unit)
	waiting, err := h.waitingCount(c.UserContext(), u)
	if err != nil {
		return err
	}
	return c.Render("home", fiber.Map{"Title": "Trang cán bộ", "User": u, "RoleLabel": u.Role.Label(), "Unit": unit, "Waiting": waiting})
}

// overHTTPS reports whether the client reached us over HTTPS (directly, through a
// trusted proxy, or by the configured public address).
func (h *Handler) overHTTPS(c *fiber.Ctx) bool {
	return c.Protocol() == "https" || strings.HasPrefix(h.cfg.BaseURL, "https://")
}

// safeNext keeps a post-login redirect on this site's staff pages: a path under
// /can-bo/ and nothing a browser could read as another origin. Browsers drop tabs and
// line breaks from URLs and read a backslash as a slash, so "/\t/evil.example" and
// "/\\evil.example" lead away; any such character, a dot segment or an encoded slash
// sends the user to the staff home instead.
func safeNext(next string) string {
	const home = "/can-bo/"
	if next == "" || len(next) > 2000 || !strings.HasPrefix(next, home) {
		return home
	}
	for _, r := range next {
		if r < 0x21 || r == 0x7f || r == '\\' || r > 0x7e {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, home) ||
		strings.Contains(u.Path, "//") || strings.Contains(u.Path, "/.") || strings.Contains(strings.ToLower(u.RawPath), "%2f") ||
		strings.Contains(strings.ToLower(u.RawPath), "%5c") {
		return home
	}
	return utils.CopyString(next)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
