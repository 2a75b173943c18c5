package handlers

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
)

// The staff pages of user management: the accounts of one's unit, a new account, and
// per account lock, unlock and a password reset. A new account and a reset get a
// one-time password, shown once on the page the form redirects to.

// UsersPage is /can-bo/nguoi-dung?unit=&q=&status=: the accounts of the caller's
// scope, filtered.
func (h *Handler) UsersPage(c *fiber.Ctx) error {
	u := currentUser(c)
	if !u.Role.Can(ansinh.ActManageUsers) && !u.Role.Can(ansinh.ActCreateUsers) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgCannotManage)
	}
	unit, q, status := c.Query("unit", u.Unit), strings.ToLower(strings.TrimSpace(c.Query("q"))), c.Query("status")
	data := fiber.Map{"Title": "Tài khoản cán bộ", "User": u, "Units": h.unitOptions(u.Unit), "Unit": unit, "Q": q, "Status": status,
		"CanCreate": u.Role.Can(ansinh.ActCreateUsers), "Notice": h.takeFlash(c)}
	if _, ok := h.units.Get(unit); !ok || !u.Sees(h.units, unit) {
		return h.renderPageError(c, "users", data, ansinh.FieldError("unit", ansinh.MsgUnitOutOfScope))
	}
	if len(q) > 64 {
		return h.renderPageError(c, "users", data, ansinh.FieldError("q", ansinh.MsgSearchTooLong))
	}
	users, err := h.scopeUsers(c, u)
	if err != nil {
		return err
	}
	within := map[string]bool{}
	for _, code := range h.units.Subtree(unit) {
		within[code] = true
	}
	var items []staffView
	for _, x := range users {
		switch {
		case unit != h.units.Root.Code && !within[x.Unit],
			q != "" && !strings.Contains(x.Username, q),
			status == "active" && x.Disabled,
			status == "disabled" && !x.Disabled,
			status == "one_time" && !x.MustChangePassword:
			continue
		}
		items = append(items, h.staffView(u, x))
	}
	data["Items"], data["Total"] = items, len(items)
	return c.Render("users", data)
}

// creatableRoles are the roles the caller may give a new account, highest first.
func creatableRoles(u *ansinh.User) []roleOption {
	var out []roleOption
	for _, r := range ansinh.Roles {
		if u.Role.CanCreateUsers() && !r.Above(u.Role) {
			out = append(out, roleOption{Role: r, Label: r.Label()})
		}
	}
	return out
}

type roleOption struct {
	Role  ansinh.Role
	Label string
}

// NewUserPage is the form for a new account.
func (h *Handler) NewUserPage(c *fiber.Ctx) error {
	u := currentUser(c)
	if !u.Role.CanCreateUsers() {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgCannotCreate)
	}
	return h.renderNewUser(c, fiber.StatusOK, map[string]string{"unit": u.Unit}, nil, "")
}

func (h *Handler) renderNewUser(c *fiber.Ctx, status int, values, errs map[string]string, message string) error {
	u := currentUser(c)
	if errs == nil {
		errs = map[string]string{}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Render("user_new", fiber.Map{"Title": "Tạo tài khoản cán bộ", "User": u, "Roles": creatableRoles(u),
		"Units": h.unitOptions(u.Unit), "Values": values, "Errors": errs, "Message": message})
}

// NewUserForm creates the account with a one-time password and shows it once.
func (h *Handler) NewUserForm(c *fiber.Ctx) error {
	creator := currentUser(c)
	values := map[string]string{}
	for _, k := range []string{"username", "role", "unit", "phone"} {
		values[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	req := &ansinh.NewUser{Username: values["username"], Role: ansinh.Role(values["role"]), Unit: values["unit"], Phone: values["phone"],
		Password: ansinh.OneTimePassword(), MustChangePassword: true}
	err := req.Validate(h.units)
	if err == nil {
		err = ansinh.AuthorizeCreate(creator, req, h.units)
	}
	var nu *ansinh.User
	if err == nil {
		nu, err = ansinh.CreateUser(c.UserContext(), h.store, req, creator.Username, h.now())
	}
	if err != nil {
		status, e := classify(err)
		if status >= 500 {
			return err
		}
		return h.renderNewUser(c, status, values, e.Fields, e.Message)
	}
	if err := h.auditCreate(c, nu); err != nil {
		return err
	}
	h.keepOneTime(c, nu.Username, req.Password)
	h.setFlash(c, fmt.Sprintf(ansinh.MsgUserCreatedNotice, nu.Username))
	return c.Redirect(oneTimePath+nu.Username+"/mat-khau-mot-lan", fiber.StatusSeeOther)
}

// DisableUserForm locks an account from the list.
func (h *Handler) DisableUserForm(c *fiber.Ctx) error {
	u, err := h.setDisabled(c, true)
	if err != nil {
		return err
	}
	h.setFlash(c, fmt.Sprintf(ansinh.MsgUserDisabledNotice, u.Username))
	return c.Redirect("/can-bo/nguoi-dung", fiber.StatusSeeOther)
}

// EnableUserForm unlocks an account from the list.
func (h *Handler) EnableUserForm(c *fiber.Ctx) error {
	u, err := h.setDisabled(c, false)
	if err != nil {
		return err
	}
	h.setFlash(c, fmt.Sprintf(ansinh.MsgUserEnabledNotice, u.Username))
	return c.Redirect("/can-bo/nguoi-dung", fiber.StatusSeeOther)
}

// ResetPasswordForm gives an account a one-time password and shows it once.
func (h *Handler) ResetPasswordForm(c *fiber.Ctx) error {
	u, password, err := h.resetPassword(c)
	if err != nil {
		return err
	}
	h.keepOneTime(c, u.Username, password)
	return c.Redirect(oneTimePath+u.Username+"/mat-khau-mot-lan", fiber.StatusSeeOther)
}

// OneTimePage shows the one-time password a form just made, once; afterwards it says
// the password is no longer shown.
func (h *Handler) OneTimePage(c *fiber.Ctx) error {
	caller := currentUser(c)
	if !caller.Role.Can(ansinh.ActCreateUsers) && !caller.Role.Can(ansinh.ActManageUsers) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgCannotManage)
	}
	name := ansinh.NormalizeUsername(c.Params("username"))
	u, err := h.store.User(c.UserContext(), utils.CopyString(name))
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgUserNotFound)
	}
	if err != nil {
		return err
	}
	if caller.Unit != h.units.Root.Code && !caller.Sees(h.units, u.Unit) {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgUserNotFound)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("user_onetime", fiber.Map{"Title": "Mật khẩu một lần", "User": caller, "Account": h.staffView(caller, u),
		"Password": h.takeOneTime(c, u.Username), "Gone": ansinh.MsgOneTimeGone, "Notice": h.takeFlash(c)})
}
