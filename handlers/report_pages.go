package handlers

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
	"ansinh/report"
)

// ReportPage is /can-bo/bao-cao?unit=&month=: the monthly report as it will be
// frozen, with its official heading, its figures per unit and programme, and for the
// unit's own officer a confirmation before it is sent.
func (h *Handler) ReportPage(c *fiber.Ctx) error {
	return h.renderReport(c, fiber.StatusOK, "")
}

func (h *Handler) renderReport(c *fiber.Ctx, status int, message string) error {
	unit, month, err := h.reportParams(c)
	if err != nil {
		return err
	}
	r, err := h.report(c, unit, month)
	if err != nil {
		return err
	}
	u := currentUser(c)
	hd := report.HeadingFor(h.sets, "", unit)
	var months []string
	now := h.now().In(ansinh.Vietnam)
	for i := range 12 {
		months = append(months, time.Date(now.Year(), now.Month()-time.Month(i), 1, 0, 0, 0, 0, ansinh.Vietnam).Format("2006-01"))
	}
	var units []*ansinh.Unit
	for _, x := range h.unitOptions(u.Unit) {
		if h.units.Reports(x) {
			units = append(units, x)
		}
	}
	// Each department once, with the programmes it receives and the earliest deadline.
	type recipient struct {
		Department string
		Programs   []string
		Deadline   time.Time
	}
	var to []*recipient
	for _, p := range r.Programs {
		i := slices.IndexFunc(to, func(x *recipient) bool { return x.Department == p.Department })
		if i < 0 {
			to = append(to, &recipient{Department: p.Department, Deadline: p.Deadline})
			i = len(to) - 1
		}
		to[i].Programs = append(to[i].Programs, p.Name)
		if p.Deadline.Before(to[i].Deadline) {
			to[i].Deadline = p.Deadline
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Render("report", fiber.Map{"To": to, "Title": "Báo cáo " + ansinh.FormatMonth(r.Month) + " – " + r.Name, "User": u,
		"R": r, "Heading": hd, "Signed": report.SignedDate(r, hd.Place), "Subject": report.Subject(r, ""), "Months": months,
		"Units": units, "Unit": unit, "Message": message, "Notice": h.takeFlash(c),
		"CanSubmit": r.Status == ansinh.ReportDraft && unit == u.Unit && u.Role.Can(ansinh.ActSubmitReport)})
}

// SubmitReportForm sends and freezes the report once the officer has confirmed it on
// the preview: without the confirmation nothing is frozen.
func (h *Handler) SubmitReportForm(c *fiber.Ctx) error {
	month := c.FormValue("month")
	back := "/can-bo/bao-cao?month=" + urlQueryEscape(month)
	if c.FormValue("confirm") != "1" {
		c.Request().URI().QueryArgs().Set("month", month)
		return h.renderReport(c, fiber.StatusUnprocessableEntity, ansinh.MsgReportConfirm)
	}
	if _, err := h.submitReport(c, "", month); err != nil {
		status, e := classify(err)
		if status >= 500 {
			return err
		}
		h.setFlash(c, e.Message)
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	h.setFlash(c, ansinh.MsgReportSentNow)
	return c.Redirect(back, fiber.StatusSeeOther)
}
