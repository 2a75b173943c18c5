package handlers

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// Reminders queues a month's reminders to the people of communes with no account who
// agreed to be told (notify.Service).
type Reminders interface {
	Remind(ctx context.Context, communes []string, month string) (ansinh.ReminderCounts, error)
}

type remindersRequest struct {
	Month string `json:"month"`
	Unit  string `json:"unit"`
}

// Reminders is POST /api/v1/notices/reminders {"month","unit"}: an officer queues the
// month's reminders for a unit of their scope (their own when none is named); the
// outbox sends them in its hours. Audited with the counts.
func (h *Handler) Reminders(c *fiber.Ctx) error {
	var req remindersRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if h.reminders == nil {
		return ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgRemindersOff)
	}
	u := currentUser(c)
	unit := strings.TrimSpace(req.Unit)
	if unit == "" {
		unit = u.Unit
	}
	if _, ok := h.units.Get(unit); !ok || len(unit) > 20 {
		return ansinh.FieldError("unit", ansinh.MsgRemindersUnit)
	}
	if !u.Sees(h.units, unit) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgUnitOutOfScope)
	}
	month := strings.TrimSpace(req.Month)
	if month == "" {
		month = h.now().In(ansinh.Vietnam).Format("2006-01")
	}
	counts, err := h.reminders.Remind(c.UserContext(), h.units.Leaves(unit), month)
	if ansinh.ErrorCode(err) == ansinh.EINVALID {
		return err // refused before it began (a month that is none): nothing to audit
	}
	// Audited also when the run stopped part-way (a time-out on a large unit): the
	// reminders it queued stand, and the audit says how many.
	if err != nil {
		c.SetUserContext(context.WithoutCancel(c.UserContext()))
	}
	if aerr := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionNoticeReminders, Unit: unit, Detail: counts.AuditDetail(month, err != nil)}); aerr != nil {
		return errors.Join(err, aerr)
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"month": month, "unit": unit, "queued": counts.Queued, "already": counts.Already,
		"no_consent": counts.NoConsent, "no_channel": counts.NoChannel, "pending": counts.Pending})
}
