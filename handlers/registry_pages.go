package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// BeneficiariesPage lists and searches the registry of the officer's unit.
func (h *Handler) BeneficiariesPage(c *fiber.Ctx) error {
	u := currentUser(c)
	data := fiber.Map{"Title": "Danh sách đối tượng", "User": u, "Q": c.Query("q"), "UnitCode": c.Query("unit", u.Unit),
		"Units": h.unitOptions(u.Unit)}
	q, page, err := h.searchQuery(c)
	if err != nil {
		return h.renderPageError(c, "beneficiaries", data, err)
	}
	items, total, err := h.beneficiaryPage(c, q)
	if err != nil {
		return err
	}
	data["Items"], data["Total"], data["Page"] = items, total, page
	link := func(p int) string {
		v := url.Values{"q": {c.Query("q")}, "unit": {c.Query("unit", u.Unit)}, "page": {strconv.Itoa(p)}}
		return "/can-bo/doi-tuong?" + v.Encode()
	}
	if page > 1 {
		data["Prev"] = link(page - 1)
	}
	if int64(page)*pageSize < total {
		data["Next"] = link(page + 1)
	}
	data["ExportURL"] = "/can-bo/doi-tuong/xuat.csv?" + url.Values{"unit": {c.Query("unit", u.Unit)}}.Encode()
	return c.Render("beneficiaries", data)
}

// unitOptions lists the unit and every unit beneath it, for the unit filter.
func (h *Handler) unitOptions(code string) []*ansinh.Unit {
	var out []*ansinh.Unit
	for _, c := range h.units.Subtree(code) {
		u, _ := h.units.Get(c)
		out = append(out, u)
	}
	return out
}

// BeneficiaryPage shows one record with the actions the officer's role allows; with
// its whole numbers for a few minutes after an audited reveal (RevealForm).
func (h *Handler) BeneficiaryPage(c *fiber.Ctx) error {
	revealed := h.revealGranted(c, beneficiaryPath(c.Params("id"))) && currentUser(c).Role.Can(ansinh.ActReveal)
	b, err := h.scopedBeneficiary(c, revealed)
	if err != nil {
		return err
	}
	return h.renderBeneficiary(c, fiber.StatusOK, b, "", h.takeFlash(c))
}

func beneficiaryPath(id string) string { return "/can-bo/doi-tuong/" + id }

func (h *Handler) renderBeneficiary(c *fiber.Ctx, status int, b *ansinh.Beneficiary, message, notice string) error {
	u := currentUser(c)
	v := h.viewBeneficiary(b)
	if b.CCCD != "" {
		v.CCCD = b.CCCD
	}
	data := fiber.Map{
		"Title": b.Name, "User": u, "B": v, "Record": b, "Message": message, "Notice": notice,
		"Revealed":       b.CCCD != "",
		"CanPayment":     u.Role.Can(ansinh.ActViewPayment),
		"CanReveal":      u.Role.Can(ansinh.ActReveal),
		"CanRevealCCCD":  u.Role.Can(ansinh.ActRevealCCCD),
		"CanIdentity":    u.Role.Can(ansinh.ActIdentity),
		"CanEligibility": u.Role.Can(ansinh.ActManage),
		"CanAssist":      u.Role.Can(ansinh.ActAssist),
		"CanRequests":    u.Role.Can(ansinh.ActPrivacyRequests),
		"Residence":      h.residence(b.Commune),
		"IdentityLabel":  ansinh.IdentityStateLabel(b.Identity.State),
		"Reasons":        ansinh.IneligibleReasons,
	}
	if !u.Role.Can(ansinh.ActViewPayment) {
		data["B"] = withoutPayment(v)
		return c.Status(status).Render("beneficiary", data)
	}
	history, err := h.history(c, b)
	if err != nil {
		return err
	}
	past, _, err := h.store.AccountHistory(c.UserContext(), b.ID)
	if err != nil {
		return err
	}
	notices, err := h.notices(c, b)
	if err != nil {
		return err
	}
	data["History"], data["PastAccounts"], data["IneligibleText"], data["Notices"] = history, past, ineligibleText(b), notices
	return c.Status(status).Render("beneficiary", data)
}

// noticeView is one try to tell the person something, as the record shows it.
type noticeView struct {
	At                                  time.Time
	Kind, Channel, Cost, Result, Detail string
}

var noticeKinds = map[string]string{ansinh.NoticeVerified: "Đăng ký được xác nhận", ansinh.NoticeRejected: "Đăng ký chưa được chấp nhận",
	ansinh.NoticeReturned: "Tiền bị trả lại", ansinh.NoticeReminder: "Nhắc nhở"}

func (h *Handler) notices(c *fiber.Ctx, b *ansinh.Beneficiary) ([]noticeView, error) {
	as, err := h.store.NoticeAttempts(c.UserContext(), b.ID)
	if err != nil {
		return nil, err
	}
	out := make([]noticeView, len(as))
	for i, a := range as {
		out[i] = noticeView{At: a.At.In(ansinh.Vietnam), Kind: noticeKinds[a.Kind], Channel: ansinh.NoticeChannelNames[a.Channel],
			Cost: ansinh.NoticeCostNames[a.Cost], Result: ansinh.NoticeResultNames[a.Result], Detail: a.Detail}
	}
	return out, nil
}

func ineligibleText(b *ansinh.Beneficiary) string {
	if b.Ineligible == nil {
		return ""
	}
	t := ansinh.IneligibleReasons[b.Ineligible.Reason]
	if b.Ineligible.Note != "" {
		t += ": " + b.Ineligible.Note
	}
	return t
}

// RevealForm lets the record page show its full numbers for a few minutes (audited
// here; post, redirect, get).
func (h *Handler) RevealForm(c *fiber.Ctx) error {
	b, err := h.reveal(c)
	if err != nil {
		return err
	}
	h.grantReveal(c, beneficiaryPath(b.ID))
	h.setFlash(c, ansinh.MsgRevealed)
	return c.Redirect(beneficiaryPath(b.ID), fiber.StatusSeeOther)
}

// RevealCCCDForm shows the record with its whole CCCD (audited).
func (h *Handler) RevealCCCDForm(c *fiber.Ctx) error {
	b, err := h.revealCCCD(c)
	if err != nil {
		return err
	}
	return h.renderBeneficiary(c, fiber.StatusOK, b, "", ansinh.MsgRevealedCCCD)
}

// IdentityForm records the police liaison's check from the record page.
func (h *Handler) IdentityForm(c *fiber.Ctx) error {
	b, err := h.setIdentity(c, c.FormValue("state"), c.FormValue("note"))
	return h.afterForm(c, b, err, ansinh.MsgSaved)
}

// EligibilityForm records a commune officer's eligibility decision from the record page.
func (h *Handler) EligibilityForm(c *fiber.Ctx) error {
	b, err := h.setEligibility(c, c.FormValue("eligible") == "1", c.FormValue("reason"), c.FormValue("note"))
	return h.afterForm(c, b, err, ansinh.MsgSaved)
}

// afterForm re-renders the record with the outcome of a form: the error's message next
// to the form, or a notice.
func (h *Handler) afterForm(c *fiber.Ctx, b *ansinh.Beneficiary, err error, notice string) error {
	if err == nil {
		h.setFlash(c, notice)
		return c.Redirect(beneficiaryPath(b.ID), fiber.StatusSeeOther)
	}
	status, e := classify(err)
	if status >= 500 || status == fiber.StatusNotFound || status == fiber.StatusForbidden {
		return err
	}
	b, lerr := h.scopedBeneficiary(c, false)
	if lerr != nil {
		return lerr
	}
	msg := pageMessage(e)
	return h.renderBeneficiary(c, status, b, msg, "")
}

// ImportPage shows the upload form.
func (h *Handler) ImportPage(c *fiber.Ctx) error {
	return c.Render("import", h.importData(c, h.sets.Current().ID))
}

// importData is what the import page shows: the columns, and the unit sets a file's
// codes may be in (the one chosen first).
func (h *Handler) importData(c *fiber.Ctx, chosen string) fiber.Map {
	sets := h.sets.List()
	list := make([]*ansinh.UnitSet, 0, len(sets))
	for i := len(sets) - 1; i >= 0; i-- { // newest first
		if h.sets.Leads(sets[i].ID, h.sets.Current().ID) {
			list = append(list, sets[i])
		}
	}
	return fiber.Map{"Title": "Nhập danh sách đối tượng", "User": currentUser(c), "Columns": ansinh.ImportColumns(),
		"UnitSets": list, "UnitSet": chosen, "CurrentSet": h.sets.Current().ID}
}

// ImportForm runs an uploaded import and shows its report.
func (h *Handler) ImportForm(c *fiber.Ctx) error {
	data := h.importData(c, h.sets.Current().ID)
	if id := strings.TrimSpace(c.FormValue("unit_set")); id != "" {
		if _, ok := h.sets.Get(id); ok {
			data["UnitSet"] = id
		}
	}
	j, rep, err := h.importUpload(c)
	if err != nil {
		return h.renderPageError(c, "import", data, err)
	}
	if rep == nil { // a large list: its job runs on, and its page shows how far it got
		return c.Redirect("/can-bo/nhap-danh-sach/viec/"+j.ID, fiber.StatusSeeOther)
	}
	return c.Redirect("/can-bo/nhap-danh-sach/"+rep.ID, fiber.StatusSeeOther)
}

// ImportReportPage shows the report of one of the officer's own imports, the page an
// upload leads to.
func (h *Handler) ImportReportPage(c *fiber.Ctx) error {
	rep, err := h.store.ImportReport(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if rep.By != currentUser(c).Username {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	data := h.importData(c, h.sets.Current().ID)
	if rep.UnitSet != "" {
		data["UnitSet"] = rep.UnitSet
	}
	data["Report"] = rep
	return c.Render("import", data)
}

// ImportJobPage shows how far an import job got (a progress bar that a refresh, or the
// page's script, brings up to date), and its report once it is done.
func (h *Handler) ImportJobPage(c *fiber.Ctx) error {
	j, rep, err := h.ownImport(c)
	if err != nil {
		return err
	}
	data := h.importData(c, h.sets.Current().ID)
	if rep != nil {
		data["Report"] = rep
		return c.Render("import", data)
	}
	data["Job"] = j
	data["Percent"] = 0
	if j.Total > 0 {
		data["Percent"] = j.Done * 100 / j.Total
	}
	return c.Render("import", data)
}

// renderPageError shows a user error on the page it came from; anything else goes to
// the ErrorHandler.
func (h *Handler) renderPageError(c *fiber.Ctx, view string, data fiber.Map, err error) error {
	status, e := classify(err)
	if status >= 500 || status == fiber.StatusForbidden || status == fiber.StatusNotFound {
		return err
	}
	msg := pageMessage(e)
	data["Message"] = msg
	return c.Status(status).Render(view, data)
}
