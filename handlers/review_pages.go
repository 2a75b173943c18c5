package handlers

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
	"ansinh/pii"
)

// QueuePage is the officer's verification queue.
func (h *Handler) QueuePage(c *fiber.Ctx) error {
	u := currentUser(c)
	data := fiber.Map{"Title": "Duyệt đăng ký tài khoản", "User": u, "Status": c.Query("status", ansinh.StatusPending),
		"Channel": c.Query("channel"), "Check": c.Query("check"), "Q": c.Query("q"), "Unit": h.unitParam(c), "Units": h.unitOptions(u.Unit),
		"Notice": h.takeFlash(c), "Many": len(h.units.Leaves(u.Unit)) > 1, "BulkHint": ansinh.MsgBulkInfoOnlyHint}
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
		v := url.Values{"status": {q.status}, "channel": {q.channel}, "check": {q.check}, "q": {c.Query("q")}, "unit": {h.unitParam(c)},
			"page": {strconv.Itoa(p)}}
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
	return c.Render("queue", data)
}

// ReviewPage shows one submission beside the registry record, with its checks.
func (h *Handler) ReviewPage(c *fiber.Ctx) error {
	return h.renderReview(c, fiber.StatusOK, nil, nil)
}

// reviewNumbers are the personal numbers of the review page: masked, or whole for a
// few minutes after an audited reveal.
type reviewNumbers struct {
	Revealed   bool
	CCCD       string // the beneficiary's
	Account    string
	Phone      string // the contact phone the submitter left
	ProxyCCCD  string
	ProxyPhone string
}

func (h *Handler) reviewNumbers(c *fiber.Ctx, r *ansinh.Registration, b *ansinh.Beneficiary) (*reviewNumbers, error) {
	ctx := c.UserContext()
	full, err := h.store.RevealRegistration(ctx, r.Receipt)
	if err != nil {
		return nil, err
	}
	n := &reviewNumbers{Revealed: h.revealGranted(c, reviewPath(r.Receipt)) && currentUser(c).Role.Can(ansinh.ActReveal),
		CCCD: pii.MaskLast4(b.CCCDLast4), Account: r.MaskedAccount(), Phone: pii.Mask(full.Phone)}
	if p := full.Proxy; p != nil {
		n.ProxyCCCD, n.ProxyPhone = pii.Mask(p.CCCD), pii.Mask(p.Phone)
	}
	if !n.Revealed {
		return n, nil
	}
	rb, err := h.store.RevealBeneficiary(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	n.CCCD, n.Account, n.Phone = rb.CCCD, full.AccountNumber, full.Phone
	if p := full.Proxy; p != nil {
		n.ProxyCCCD, n.ProxyPhone = p.CCCD, p.Phone
	}
	return n, nil
}

func reviewPath(receipt string) string { return "/can-bo/duyet/" + receipt }

// renderReview shows the review page; after a refused decision, with the error and
// what the officer had chosen (the reason and the note stay).
func (h *Handler) renderReview(c *fiber.Ctx, status int, errs map[string]string, values map[string]string) error {
	it, r, b, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	nums, err := h.reviewNumbers(c, r, b)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if values == nil {
		values = map[string]string{}
	}
	if errs == nil {
		errs = map[string]string{}
	}
	proof := ""
	if r.Proxy != nil && r.ProofSeen != "" {
		proof = fmt.Sprintf(ansinh.MsgProxyProofSeen, r.ProofSeen)
	}
	photo := false
	if r.Proxy != nil {
		if photo, err = h.store.HasAuthorisation(c.UserContext(), r.Receipt); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Render("review", fiber.Map{
		"Title": "Đăng ký của " + b.Name, "User": u, "R": it, "B": h.viewBeneficiary(b), "Record": b, "N": nums,
		"Message": errs[""], "Errors": errs, "Values": values, "Notice": h.takeFlash(c), "Reasons": rejectReasons(),
		"StatusText": ansinh.StatusLabel(it.Status), "ProxyProof": proof, "NoPhone": ansinh.MsgNoPhone,
		"NoProof": ansinh.MsgProxyNoProof, "CanReveal": u.Role.Can(ansinh.ActReveal) && !nums.Revealed,
		"CanDecide": u.Role.Can(ansinh.ActDecide) && it.Status == ansinh.StatusPending,
		"Photo":     photo, "CanSeePhoto": photo && u.Role.Can(ansinh.ActDecide),
	})
}

// AuthorisationStore holds the photos of proxies' authorisations.
type AuthorisationStore interface {
	HasAuthorisation(ctx context.Context, receipt string) (bool, error)
	Authorisation(ctx context.Context, receipt string) (*ansinh.Authorisation, error)
}

// AuthorisationPhoto shows the photo of a proxy's authorisation to an officer who
// decides submissions (GET /can-bo/duyet/:id/giay-uy-quyen): a submission outside the
// officer's units is not found, every view is audited, the photo is never cached and
// goes out only as the JPEG or PNG it was stored as.
func (h *Handler) AuthorisationPhoto(c *fiber.Ctx) error {
	_, r, _, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	a, err := h.store.Authorisation(c.UserContext(), r.Receipt)
	if err != nil {
		return err
	}
	if a.ContentType != "image/jpeg" && a.ContentType != "image/png" {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionAuthorisationView, Target: "registration:" + r.Receipt,
		Unit: r.Commune, Detail: map[string]any{"receipt": r.Receipt}}); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, "inline")
	return c.Send(a.Image)
}

// rejectReason is one choice of the rejection form.
type rejectReason struct{ Code, Text string }

// rejectReasons lists the reasons in a fixed order, "other" last.
func rejectReasons() []rejectReason {
	var out []rejectReason
	for _, code := range []string{"holder_mismatch", "account_invalid", "proxy_unauthorized", "identity", "account_shared"} {
		out = append(out, rejectReason{code, ansinh.RejectReasons[code]})
	}
	for code, text := range ansinh.RejectReasons {
		if !slices.ContainsFunc(out, func(r rejectReason) bool { return r.Code == code }) && code != "other" {
			out = append(out, rejectReason{code, text})
		}
	}
	return append(out, rejectReason{"other", ansinh.RejectReasons["other"]})
}

// VerifyForm verifies from the review page, then shows the page again, or with
// next=1 the next submission waiting (post, redirect, get).
func (h *Handler) VerifyForm(c *fiber.Ctx) error {
	_, r, _, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	d := &ansinh.Decision{Receipt: r.Receipt, Status: ansinh.StatusVerified, By: currentUser(c).Username, At: h.now()}
	if err := h.decide(c, r, d); err != nil {
		return h.reviewError(c, err, nil)
	}
	if c.FormValue("next") != "1" {
		h.setFlash(c, ansinh.MsgVerifiedNotice)
		return c.Redirect(reviewPath(r.Receipt), fiber.StatusSeeOther)
	}
	next, err := h.nextPending(c, r.Receipt)
	if err != nil {
		return err
	}
	if next == "" {
		h.setFlash(c, ansinh.MsgVerifiedLast)
		return c.Redirect("/can-bo/duyet", fiber.StatusSeeOther)
	}
	h.setFlash(c, ansinh.MsgVerifiedNext)
	return c.Redirect(reviewPath(next), fiber.StatusSeeOther)
}

// nextPending is the oldest submission waiting in the officer's scope, other than the
// one just decided; "" when none.
func (h *Handler) nextPending(c *fiber.Ctx, after string) (string, error) {
	items, _, err := h.store.Queue(c.UserContext(), ansinh.QueueQuery{Communes: h.units.Leaves(currentUser(c).Unit), Limit: 2})
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if it.Receipt != after {
			return it.Receipt, nil
		}
	}
	return "", nil
}

// RejectForm rejects from the review page (post, redirect, get); a refusal shows the
// form again with the reason and note the officer chose.
func (h *Handler) RejectForm(c *fiber.Ctx) error {
	_, r, _, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	values := map[string]string{"reason": utils.CopyString(c.FormValue("reason")), "note": utils.CopyString(c.FormValue("note"))}
	d, err := ansinh.NewRejection(r.Receipt, values["reason"], values["note"], currentUser(c).Username, h.now())
	if err == nil {
		err = h.decide(c, r, d)
	}
	if err != nil {
		return h.reviewError(c, err, values)
	}
	h.setFlash(c, ansinh.MsgRejectedNotice)
	return c.Redirect(reviewPath(r.Receipt), fiber.StatusSeeOther)
}

func (h *Handler) reviewError(c *fiber.Ctx, err error, values map[string]string) error {
	status, e := classify(err)
	if status >= 500 || status == fiber.StatusNotFound {
		return err
	}
	errs := map[string]string{"": pageMessage(e)}
	for k, v := range e.Fields {
		errs[k] = v
	}
	return h.renderReview(c, status, errs, values)
}

// RevealReviewForm shows the whole numbers of the review page in place for a few
// minutes: audited here, shown by the page it redirects to.
func (h *Handler) RevealReviewForm(c *fiber.Ctx) error {
	if !currentUser(c).Role.Can(ansinh.ActReveal) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	_, r, b, err := h.scopedReview(c)
	if err != nil {
		return err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionReveal, Target: "beneficiary:" + b.ID, Unit: r.Commune,
		Detail: map[string]any{"receipt": r.Receipt, "from": "review"}}); err != nil {
		return err
	}
	h.grantReveal(c, reviewPath(r.Receipt))
	h.setFlash(c, ansinh.MsgRevealedReview)
	return c.Redirect(reviewPath(r.Receipt), fiber.StatusSeeOther)
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
	h.setFlash(c, ansinh.MsgBulkDone(verified, len(results)-verified))
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
