package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
)

// Staff accounts beyond creating them: disable and re-enable, reset a password to a
// one-time one, change one's own, see one's last logins. The API and the pages share
// the functions below; each checks the caller's rights and writes the audit event.

// staffView is a staff account as the lists and the management answers show it.
type staffView struct {
	Username           string      `json:"username"`
	Role               ansinh.Role `json:"role"`
	RoleLabel          string      `json:"role_label"`
	Unit               string      `json:"unit"`
	UnitName           string      `json:"unit_name"`
	Phone              string      `json:"phone,omitempty"`
	Disabled           bool        `json:"disabled"`
	MustChangePassword bool        `json:"must_change_password"`
	CreatedAt          time.Time   `json:"created_at"`
	CreatedBy          string      `json:"created_by"`
	// CanManage says whether the caller may disable, re-enable or reset this account
	// (the pages show the buttons by it).
	CanManage bool `json:"can_manage"`
}

func (h *Handler) staffView(caller, u *ansinh.User) staffView {
	v := staffView{Username: u.Username, Role: u.Role, RoleLabel: u.Role.Label(), Unit: u.Unit, UnitName: u.Unit, Phone: u.Phone,
		Disabled: u.Disabled, MustChangePassword: u.MustChangePassword, CreatedAt: u.CreatedAt, CreatedBy: u.CreatedBy,
		CanManage: ansinh.AuthorizeManage(caller, u, h.units) == nil}
	if unit, ok := h.units.Get(u.Unit); ok {
		v.UnitName = unit.Name
	}
	return v
}

// managedUser loads the account named in the path for a manager: outside their scope
// it is not found; inside it, AuthorizeManage decides.
func (h *Handler) managedUser(c *fiber.Ctx) (*ansinh.User, error) {
	name := ansinh.NormalizeUsername(c.Params("username"))
	if len(name) > 64 {
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgUserNotFound)
	}
	manager := currentUser(c)
	if !manager.Role.Can(ansinh.ActManageUsers) {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgCannotManage)
	}
	u, err := h.store.User(c.UserContext(), utils.CopyString(name))
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgUserNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := ansinh.AuthorizeManage(manager, u, h.units); err != nil {
		return nil, err
	}
	return u, nil
}

// setDisabled locks or unlocks the account of the path. Locking ends its sessions at
// once (each request checks the flag too). Nothing changes, and nothing is audited,
// when the account is already so.
func (h *Handler) setDisabled(c *fiber.Ctx, disabled bool) (*ansinh.User, error) {
	u, err := h.managedUser(c)
	if err != nil {
		return nil, err
	}
	if u.Disabled == disabled && (disabled || u.DisabledReason == "") {
		return u, nil
	}
	ctx := c.UserContext()
	if err := h.store.SetUserDisabled(ctx, u.Username, disabled); err != nil {
		return nil, err
	}
	action, detail := ansinh.ActionUserEnable, map[string]any{"role": string(u.Role)}
	if disabled {
		action = ansinh.ActionUserDisable
		n, err := h.store.DeleteUserSessions(ctx, u.Username, "")
		if err != nil {
			return nil, err
		}
		detail["sessions_ended"] = n
	} else if u.DisabledReason != "" {
		detail["reason_cleared"] = u.DisabledReason
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: action, Target: "user:" + u.Username, Unit: u.Unit, Detail: detail}); err != nil {
		return nil, err
	}
	u.Disabled, u.DisabledReason = disabled, ""
	return u, nil
}

// resetPassword gives the account of the path a fresh one-time password, ends its
// sessions and returns the password, which is shown once and stored only hashed.
func (h *Handler) resetPassword(c *fiber.Ctx) (*ansinh.User, string, error) {
	u, err := h.managedUser(c)
	if err != nil {
		return nil, "", err
	}
	password := ansinh.OneTimePassword()
	hash, err := ansinh.HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	ctx := c.UserContext()
	if err := h.store.SetUserPassword(ctx, u.Username, hash, true, h.now()); err != nil {
		return nil, "", err
	}
	n, err := h.store.DeleteUserSessions(ctx, u.Username, "")
	if err != nil {
		return nil, "", err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionUserPasswordReset, Target: "user:" + u.Username, Unit: u.Unit,
		Detail: map[string]any{"role": string(u.Role), "sessions_ended": n}}); err != nil {
		return nil, "", err
	}
	u.MustChangePassword = true
	return u, password, nil
}

// passwordWindow and passwordMaxFailures bound guesses of the current password from a
// session someone else may have taken over, as the login bounds them.
const (
	passwordWindow      = 15 * time.Minute
	passwordMaxFailures = 5
)

// changePassword changes the caller's own password after checking the current one;
// the caller's other sessions end, this one stays.
func (h *Handler) changePassword(c *fiber.Ctx, req *ansinh.PasswordChange) error {
	u := currentUser(c)
	if err := req.ValidateNew(u.Username); err != nil {
		return err
	}
	ctx, now := c.UserContext(), h.now()
	// The attempt is claimed before the current password is checked (as the login's
	// are), so parallel guesses cannot all be checked; a right one gives it back.
	slot, wait, err := h.store.ClaimAttempt(ctx, "password:"+u.Username, now, passwordWindow, passwordMaxFailures)
	if err != nil {
		return err
	}
	if slot == "" {
		return &waitError{err: &ansinh.Error{Code: ansinh.ERATELIMIT, Message: ansinh.MsgLoginWait(wait)}, wait: wait}
	}
	if ok, _ := ansinh.CheckPassword(u.PasswordHash, req.Current); !ok {
		if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionUserPasswordFailed, Target: "user:" + u.Username, Unit: u.Unit}); err != nil {
			return err
		}
		return ansinh.FieldError("current", ansinh.MsgPasswordWrong)
	}
	if err := h.store.ReleaseAttempt(ctx, slot); err != nil {
		return err
	}
	hash, err := ansinh.HashPassword(req.New)
	if err != nil {
		return err
	}
	if err := h.store.SetUserPassword(ctx, u.Username, hash, false, now); err != nil {
		return err
	}
	token, _ := c.Locals(localToken).(string)
	n, err := h.store.DeleteUserSessions(ctx, u.Username, token)
	if err != nil {
		return err
	}
	detail := map[string]any{"sessions_ended": n}
	if u.MustChangePassword {
		detail["one_time"] = true
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionUserPasswordChange, Target: "user:" + u.Username, Unit: u.Unit,
		Detail: detail}); err != nil {
		return err
	}
	u.MustChangePassword, u.PasswordHash = false, hash
	return nil
}

// loginEntry is one of a user's recent logins, as they see it.
type loginEntry struct {
	At     time.Time `json:"at"`
	IP     string    `json:"ip"`
	Result string    `json:"result"` // ok, failed, blocked
	Label  string    `json:"label"`
}

// lastLogins are the caller's twenty latest login attempts, newest first, from the
// audit trail.
func (h *Handler) lastLogins(c *fiber.Ctx) ([]loginEntry, error) {
	u := currentUser(c)
	evs, err := h.store.AuditEvents(c.UserContext(), ansinh.AuditFilter{Target: "user:" + u.Username,
		Actions: []string{ansinh.ActionLogin, ansinh.ActionLoginFailed, ansinh.ActionLoginBlocked}, Limit: 20})
	if err != nil {
		return nil, err
	}
	out := make([]loginEntry, 0, len(evs))
	for _, e := range evs {
		res := map[string]string{ansinh.ActionLogin: "ok", ansinh.ActionLoginFailed: "failed", ansinh.ActionLoginBlocked: "blocked"}[e.Action]
		out = append(out, loginEntry{At: e.At, IP: e.IP, Result: res, Label: ansinh.ActionLabel(e.Action)})
	}
	return out, nil
}

// ChangeOwnPassword is POST /api/v1/me/password {"current","new"}: 204, or 422 with
// the field at fault.
func (h *Handler) ChangeOwnPassword(c *fiber.Ctx) error {
	var req ansinh.PasswordChange
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.changePassword(c, &req); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// MyLogins is GET /api/v1/me/logins: the caller's latest login attempts.
func (h *Handler) MyLogins(c *fiber.Ctx) error {
	items, err := h.lastLogins(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "total": len(items)})
}

// DisableUser is POST /api/v1/users/{username}/disable.
func (h *Handler) DisableUser(c *fiber.Ctx) error {
	u, err := h.setDisabled(c, true)
	if err != nil {
		return err
	}
	return c.JSON(h.staffView(currentUser(c), u))
}

// EnableUser is POST /api/v1/users/{username}/enable.
func (h *Handler) EnableUser(c *fiber.Ctx) error {
	u, err := h.setDisabled(c, false)
	if err != nil {
		return err
	}
	return c.JSON(h.staffView(currentUser(c), u))
}

// ResetUserPassword is POST /api/v1/users/{username}/reset-password → {"password"}:
// a one-time password, in this answer only.
func (h *Handler) ResetUserPassword(c *fiber.Ctx) error {
	u, password, err := h.resetPassword(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"username": u.Username, "password": password, "must_change_password": true})
}
