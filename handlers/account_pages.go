package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
)

// AccountPage is /can-bo/tai-khoan: who the user is, and their latest logins, so that
// a login they did not make shows.
func (h *Handler) AccountPage(c *fiber.Ctx) error {
	u := currentUser(c)
	logins, err := h.lastLogins(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("account", fiber.Map{"Title": "Tài khoản của tôi", "User": u, "Me": h.staffView(u, u), "Logins": logins,
		"Notice": h.takeFlash(c)})
}

// PasswordPage is the form to change one's own password; the only page open to a
// user who holds a one-time password.
func (h *Handler) PasswordPage(c *fiber.Ctx) error {
	return h.renderPassword(c, fiber.StatusOK, nil)
}

func (h *Handler) renderPassword(c *fiber.Ctx, status int, errs map[string]string) error {
	u := currentUser(c)
	if errs == nil {
		errs = map[string]string{}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Render("password", fiber.Map{"Title": "Đổi mật khẩu", "User": u, "Forced": u.MustChangePassword,
		"Errors": errs, "Message": errs[""]})
}

// PasswordForm changes one's own password, then goes to the account page (post,
// redirect, get); a mistake shows the form again with the field at fault.
func (h *Handler) PasswordForm(c *fiber.Ctx) error {
	req := &ansinh.PasswordChange{Current: utils.CopyString(c.FormValue("current")), New: utils.CopyString(c.FormValue("new"))}
	if confirm := c.FormValue("confirm"); confirm != req.New {
		return h.renderPassword(c, fiber.StatusUnprocessableEntity, map[string]string{"confirm": ansinh.MsgPasswordMismatch,
			"": ansinh.MsgInvalidInput})
	}
	if err := h.changePassword(c, req); err != nil {
		status, e := classify(err)
		if status >= 500 {
			return err
		}
		errs := map[string]string{"": e.Message}
		for k, v := range e.Fields {
			errs[k] = v
		}
		if status == fiber.StatusTooManyRequests {
			c.Set(fiber.HeaderRetryAfter, "900")
		}
		return h.renderPassword(c, status, errs)
	}
	h.setFlash(c, ansinh.MsgPasswordChanged)
	return c.Redirect("/can-bo/tai-khoan", fiber.StatusSeeOther)
}
