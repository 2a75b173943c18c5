package handlers

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
)

// QueuePage is the officer's verification queue.
func (h *Handler) QueuePage(c *fiber.Ctx) error {
	u := currentUser(c)
	data := fiber.Map{"Title": "Duyệt đăng ký tài khoản", "User": u, "Status": c.Query("status", ansinh.StatusPending),
		"Channel": c.Query("channel"), "Check": c.Query("check"), "Unit": h.unitParam(c), "Units": h.unitOptions(u.Unit)}
	q, err := h.readQueueQuery(c)
	if err != nil {
		return h.renderPageError(c, "queue", data, err)
	}
	items, total, err := h.queue(c.UserContext(), q)
	if err != nil {
		return err
	}
	data["Items"], data["Total"], data["Page"] = items, total, q.page
	if u.Role.Can(ansinh.ActProvinceBacklog) {
		if data["Backlog"], err = h.backlog(c); err != nil {
			return err
		}
	}
	link := func(p int) string {
		v := url.Values{"status": {q.status}, "channel": {q.channel}, "check": {q.check}, "unit": {h.unitParam(c)}, "page": {strconv.Itoa(p)}}
		return "/can-bo/duyet?" + v.Encode()
	}
	if q.page > 1 {
		data["Prev"] = link(q.page - 1)
	}
	if int64(q.page)*pageSize < total {
		data["Next"] = link(q.page + 1)
	}
	data["CanDecide"] = u.Role.Can(ansinh.ActDecide)
	if data["Returned"], err = h.store.ReturnedAccounts(c.UserContext(), h.units.Subtree(u.Unit)); err != nil {
		return err
	}
	data["Notice"] = h.takeFlash(c)
	return c.Render("queue", data)
}

// ReviewPage shows one submission beside the registry record, with its checks.
func (h *Handler) ReviewPage(c *fiber.Ctx) error {
	return h.renderReview(c, fiber.StatusOK, "", "")
}

func (h *Handler) renderReview(c *fiber.Ctx, status int, message, notice string) error {
	it, _, b, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	return c.Status(status).Render("review", fiber.Map{
		"Title": "Đăng ký của " + b.Name, "User": u, "R": it, "B": h.viewBeneficiary(b), "Record": b,
		"Message": message, "Notice": notice, "Reasons": ansinh.RejectReasons, "StatusText": ansinh.StatusLabel(it.Status),
		"CanDecide": u.Role.Can(ansinh.ActDecide) && it.Status == ansinh.StatusPending,
	})
}

// VerifyForm verifies from the review page.
func (h *Handler) VerifyForm(c *fiber.Ctx) error {
	_, r, _, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	d := &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusVerified, By: currentUser(c).Username, At: h.now()}
	if err := h.decide(c, r, d); err != nil {
		return h.reviewError(c, err)
	}
	return h.renderReview(c, fiber.StatusOK, "", ansinh.MsgVerifiedNotice)
}

// RejectForm rejects from the review page.
func (h *Handler) RejectForm(c *fiber.Ctx) error {
	_, r, _, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	d, err := ansinh.NewRejection(r.Receipt, c.FormValue("reason"), utils.CopyString(c.FormValue("note")), currentUser(c).Username, h.now())
	if err == nil {
		err = h.decide(c, r, d)
	}
	if err != nil {
		return h.reviewError(c, err)
	}
	return h.renderReview(c, fiber.StatusOK, "", ansinh.MsgRejectedNotice)
}

func (h *Handler) reviewError(c *fiber.Ctx, err error) error {
	status, e := classify(err)
	if status >= 500 || status == fiber.StatusNotFound {
		return err
	}
	msg := pageMessage(e)
	return h.renderReview(c, status, msg, "")
}

// BulkVerifyForm verifies the ticked submissions that raise no check.
func (h *Handler) BulkVerifyForm(c *fiber.Ctx) error {
	var ids []string
	for _, v := range c.Request().PostArgs().PeekMulti("ids") {
		ids = append(ids, string(v))
	}
	if len(ids) == 0 || len(ids) > 200 {
		h.setFlash(c, ansinh.MsgBulkIDs)
		return c.Redirect("/can-bo/duyet", fiber.StatusSeeOther)
	}
	results, err := h.verifyBulk(c, ids)
	if err != nil {
		return err
	}
	verified := 0
	for _, r := range results {
		if r.Result == "verified" {
			verified++
		}
	}
	msg := ansinh.MsgBulkDone(verified, len(results)-verified)
	h.setFlash(c, msg)
	return c.Redirect("/can-bo/duyet", fiber.StatusSeeOther)
}

// AssistedPage is the form an officer fills in for a beneficiary at home.
func (h *Handler) AssistedPage(c *fiber.Ctx) error {
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return err
	}
	f := &formView{Title: "Đăng ký hộ", User: currentUser(c), Beneficiary: b, Banks: ansinh.BanksForForm(), Consent: ansinh.ConsentVersion,
		CSRF: h.csrfToken(c), Values: map[string]string{"submitter": ansinh.SubmitterSelf, "idempotency_key": ansinh.RandomToken(16)}, Errors: map[string]string{}}
	return h.render(c, "assisted", f, fiber.StatusOK)
}

// AssistedForm stores the officer's registration.
func (h *Handler) AssistedForm(c *fiber.Ctx) error {
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return err
	}
	f := &formView{Title: "Đăng ký hộ", User: currentUser(c), Beneficiary: b, Banks: ansinh.BanksForForm(), Consent: ansinh.ConsentVersion,
		CSRF: h.csrfToken(c), Values: map[string]string{}, Errors: map[string]string{}}
	req := h.readDetails(c, f)
	f.Values["proof_seen"] = utils.CopyString(c.FormValue("proof_seen"))
	receipt, err := h.assisted(c, req, f.Values["proof_seen"])
	if err != nil {
		status, err := formError(f, err)
		if err != nil {
			return err
		}
		return h.render(c, "assisted", f, status)
	}
	return c.Redirect("/can-bo/duyet/"+receipt, fiber.StatusSeeOther)
}
