package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
)

// The breach register: an admin records a suspected breach at once; the page counts
// down the 72 hours within which the specialised agency must be told and lists what
// the report must say; reporting it and closing it are recorded. Every step audited.

// breachView is an entry as the register shows it.
type breachView struct {
	*ansinh.Breach
	DataLabels []string
	HoursLeft  int // whole hours to the deadline, negative when past
	MinsLeft   int
	Late       bool // reported after the deadline, or not reported and past it
}

func (h *Handler) viewBreach(b *ansinh.Breach) breachView {
	labels := map[string]string{}
	for _, d := range ansinh.BreachData {
		labels[d.Code] = d.Label
	}
	v := breachView{Breach: b}
	for _, d := range b.Data {
		v.DataLabels = append(v.DataLabels, labels[d])
	}
	left := b.Deadline().Sub(h.now())
	if !b.ReportedAt.IsZero() {
		v.Late = b.ReportedAt.After(b.Deadline())
	} else {
		v.Late = left < 0
	}
	v.HoursLeft, v.MinsLeft = int(left/time.Hour), int((left%time.Hour)/time.Minute)
	if v.MinsLeft < 0 {
		v.MinsLeft = -v.MinsLeft
	}
	return v
}

// BreachesPage is the register with the form to record a new entry.
func (h *Handler) BreachesPage(c *fiber.Ctx) error {
	return h.renderBreaches(c, fiber.StatusOK, "", "")
}

func (h *Handler) renderBreaches(c *fiber.Ctx, status int, message, notice string) error {
	list, err := h.store.Breaches(c.UserContext(), 200)
	if err != nil {
		return err
	}
	views := make([]breachView, len(list))
	for i, b := range list {
		views[i] = h.viewBreach(b)
	}
	values := map[string]string{}
	for _, k := range []string{"discovered_date", "discovered_time", "description", "people", "measures"} {
		values[k] = utils.CopyString(c.FormValue(k))
	}
	return c.Status(status).Render("breaches", fiber.Map{"Title": "Sổ theo dõi vi phạm dữ liệu cá nhân", "User": currentUser(c),
		"Breaches": views, "Data": ansinh.BreachData, "Contents": ansinh.BreachReportContents, "Message": message, "Notice": notice,
		"Values": values, "Now": h.now().In(ansinh.Vietnam)})
}

// RecordBreachForm adds an entry: when it was discovered (date and time, Vietnam
// time), what happened, which data, how many people, what was done.
func (h *Handler) RecordBreachForm(c *fiber.Ctx) error {
	u := currentUser(c)
	discovered, err := time.ParseInLocation("2006-01-02 15:04",
		strings.TrimSpace(c.FormValue("discovered_date"))+" "+strings.TrimSpace(c.FormValue("discovered_time")), ansinh.Vietnam)
	if err != nil {
		discovered = time.Time{}
	}
	people := 0
	if p := strings.TrimSpace(c.FormValue("people")); p != "" {
		if people, err = strconv.Atoi(p); err != nil {
			people = -1
		}
	}
	form, err := c.MultipartForm()
	var data []string
	if err == nil && form != nil {
		data = form.Value["data"]
	} else {
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			if string(k) == "data" {
				data = append(data, string(v))
			}
		})
	}
	b, err := ansinh.NewBreach(discovered, c.FormValue("description"), data, people, c.FormValue("measures"), u.Username, h.now())
	if err == nil {
		err = h.store.CreateBreach(c.UserContext(), b)
	}
	if err != nil {
		status, e := classify(err)
		if status >= 500 {
			return err
		}
		return h.renderBreaches(c, status, pageMessage(e), "")
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionBreachRecord, Target: "breach:" + b.ID, Detail: map[string]any{
		"discovered_at": b.DiscoveredAt, "data": b.Data, "people": b.People, "deadline": b.Deadline()}}); err != nil {
		return err
	}
	return c.Redirect("/can-bo/vi-pham-du-lieu?ghi=1#b-"+b.ID, fiber.StatusSeeOther)
}

// ReportBreachForm records that the agency was told (how, its reference).
func (h *Handler) ReportBreachForm(c *fiber.Ctx) error {
	ref := strings.TrimSpace(c.FormValue("reference"))
	if ref == "" || len([]rune(ref)) > 500 {
		return h.renderBreaches(c, fiber.StatusUnprocessableEntity, ansinh.MsgBreachReference, "")
	}
	return h.breachStep(c, ansinh.ActionBreachReport, ansinh.MsgBreachReported, func(id, by string, now time.Time) error {
		return h.store.ReportBreach(c.UserContext(), id, ref, by, now)
	}, map[string]any{"reference": ref})
}

// CloseBreachForm records that the matter is over.
func (h *Handler) CloseBreachForm(c *fiber.Ctx) error {
	return h.breachStep(c, ansinh.ActionBreachClose, ansinh.MsgBreachClosed, func(id, by string, now time.Time) error {
		return h.store.CloseBreach(c.UserContext(), id, by, now)
	}, nil)
}

func (h *Handler) breachStep(c *fiber.Ctx, action, notice string, step func(id, by string, now time.Time) error, detail map[string]any) error {
	id := c.Params("id")
	b, err := h.store.Breach(c.UserContext(), id)
	if err != nil {
		return err
	}
	now := h.now()
	if err := step(b.ID, currentUser(c).Username, now); err != nil {
		status, e := classify(err)
		if status >= 500 || status == fiber.StatusNotFound {
			return err
		}
		return h.renderBreaches(c, status, pageMessage(e), "")
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["late"] = now.After(b.Deadline())
	if err := h.audit(c, &ansinh.AuditEvent{Action: action, Target: "breach:" + b.ID, Detail: detail}); err != nil {
		return err
	}
	return h.renderBreaches(c, fiber.StatusOK, "", notice)
}
