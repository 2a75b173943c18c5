package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
)

// Requests from the person about their data: made from the status page (the
// receipt and the birth date prove who asks) or at the commune (an officer records
// it), answered by an officer, every step audited. Withdrawing consent, once the
// officer carries it out, ends the processing for that purpose.

// PrivacyStore is what requests and the breach register need.
type PrivacyStore interface {
	CreatePrivacyRequest(ctx context.Context, r *ansinh.PrivacyRequest) error
	PrivacyRequest(ctx context.Context, id string) (*ansinh.PrivacyRequest, error)
	PrivacyRequests(ctx context.Context, communes []string, open bool, limit int64) ([]*ansinh.PrivacyRequest, error)
	AnswerPrivacyRequest(ctx context.Context, id, status, answer, by string, now time.Time) error
	WithdrawConsent(ctx context.Context, beneficiaryID, request, by string, now time.Time) ([]string, error)
	CreateBreach(ctx context.Context, b *ansinh.Breach) error
	Breaches(ctx context.Context, limit int64) ([]*ansinh.Breach, error)
	Breach(ctx context.Context, id string) (*ansinh.Breach, error)
	ReportBreach(ctx context.Context, id, reference, by string, now time.Time) error
	CloseBreach(ctx context.Context, id, by string, now time.Time) error
}

// RequestPage is the first page of a request from the status page: what does the
// person want? (?ma= the receipt).
func (h *Handler) RequestPage(c *fiber.Ctx) error {
	f := h.newForm(c, "Yêu cầu về dữ liệu cá nhân")
	f.Values["ma"] = utils.CopyString(c.Query("ma"))
	return h.render(c, "request", f, fiber.StatusOK)
}

// RequestForm takes each page of the request in turn: the kind, what to correct (for a
// correction), then the birth date, which proves who asks; only then is it recorded.
// One question a page; the answers so far ride along as hidden fields.
func (h *Handler) RequestForm(c *fiber.Ctx) error {
	f := h.newForm(c, "Yêu cầu về dữ liệu cá nhân")
	for _, k := range []string{"ma", "kind", "detail", "step"} {
		f.Values[k] = utils.CopyString(c.FormValue(k))
	}
	kind, step := f.Values["kind"], f.Values["step"]
	switch {
	case kind != ansinh.RequestAccess && kind != ansinh.RequestCorrect && kind != ansinh.RequestWithdraw:
		f.Errors["kind"] = ansinh.MsgRequestKind
		return h.render(c, "request", f, fiber.StatusUnprocessableEntity)
	case kind == ansinh.RequestCorrect && step == "kind":
		f.Values["step"] = "detail"
		return h.render(c, "request", f, fiber.StatusOK)
	case kind == ansinh.RequestCorrect && step == "detail" && len([]rune(f.Values["detail"])) > 500:
		f.Errors["detail"] = ansinh.MsgNoteTooLong
		return h.render(c, "request", f, fiber.StatusUnprocessableEntity)
	case kind == ansinh.RequestCorrect && step == "detail" && ansinh.NormalizeName(f.Values["detail"]) == "":
		f.Errors["detail"] = ansinh.MsgRequestCorrectWhat
		return h.render(c, "request", f, fiber.StatusUnprocessableEntity)
	case step != "birth":
		f.Values["step"] = "birth"
		return h.render(c, "request", f, fiber.StatusOK)
	}
	birth, ok := h.birthDate(c, f, true)
	if !ok {
		return h.render(c, "request", f, fiber.StatusUnprocessableEntity)
	}
	b, reg, err := h.registrations.IdentifyByReceipt(c.UserContext(), f.Values["ma"], birth)
	if err != nil {
		status, err := formError(f, err)
		if err != nil {
			return err
		}
		return h.render(c, "request", f, status)
	}
	detail := ""
	if kind == ansinh.RequestCorrect {
		detail = f.Values["detail"]
	}
	r, err := ansinh.NewPrivacyRequest(b, kind, ansinh.RequestStatusPage, reg.Receipt, detail, "", h.now())
	if err != nil {
		status, err := formError(f, err)
		if err != nil {
			return err
		}
		return h.render(c, "request", f, status)
	}
	if err := h.recordRequest(c, r, "public"); err != nil {
		return err
	}
	return c.Redirect("/tra-cuu/yeu-cau/"+r.ID+"?moi=1", fiber.StatusSeeOther)
}

// recordRequest stores a new request and audits it.
func (h *Handler) recordRequest(c *fiber.Ctx, r *ansinh.PrivacyRequest, actor string) error {
	if err := h.store.CreatePrivacyRequest(c.UserContext(), r); err != nil {
		return err
	}
	return h.audit(c, &ansinh.AuditEvent{Actor: actor, Action: ansinh.ActionPrivacyRequest, Target: "beneficiary:" + r.BeneficiaryID,
		Unit: r.Commune, Detail: map[string]any{"request": r.ID, "kind": r.Kind, "channel": r.Channel, "due": r.Due}})
}

// RequestStatus shows a request to the person who made it: what, when, by when, and
// the answer. The code is unguessable; the page shows nothing personal.
func (h *Handler) RequestStatus(c *fiber.Ctx) error {
	r, err := h.store.PrivacyRequest(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("request_status", fiber.Map{"Title": "Yêu cầu về dữ liệu cá nhân", "R": r, "New": c.Query("moi") != "",
		"Kind": ansinh.RequestKindLabel(r.Kind), "State": ansinh.RequestStatusLabel(r.Status)})
}

// requestView is a request as the officers' list shows it.
type requestView struct {
	*ansinh.PrivacyRequest
	Kind     string
	State    string
	DaysLeft int
	Name     string
}

func (h *Handler) viewRequest(ctx context.Context, r *ansinh.PrivacyRequest) requestView {
	v := requestView{PrivacyRequest: r, Kind: ansinh.RequestKindLabel(r.Kind), State: ansinh.RequestStatusLabel(r.Status),
		DaysLeft: ansinh.DaysLeft(r.Due, h.now())}
	if b, err := h.store.Beneficiary(ctx, r.BeneficiaryID); err == nil {
		v.Name = b.Name
	}
	return v
}

// RequestsPage lists the requests of the officer's unit: open ones by deadline, then
// the last answered.
func (h *Handler) RequestsPage(c *fiber.Ctx) error {
	u := currentUser(c)
	communes := h.units.Leaves(u.Unit)
	ctx := c.UserContext()
	open, err := h.store.PrivacyRequests(ctx, communes, true, 500)
	if err != nil {
		return err
	}
	done, err := h.store.PrivacyRequests(ctx, communes, false, 50)
	if err != nil {
		return err
	}
	var ov, dv []requestView
	for _, r := range open {
		ov = append(ov, h.viewRequest(ctx, r))
	}
	for _, r := range done {
		dv = append(dv, h.viewRequest(ctx, r))
	}
	return c.Render("requests", fiber.Map{"Title": "Yêu cầu về dữ liệu cá nhân", "User": u, "Open": ov, "Done": dv})
}

// scopedRequest is a request of the officer's unit; others are not found.
func (h *Handler) scopedRequest(c *fiber.Ctx) (*ansinh.PrivacyRequest, error) {
	r, err := h.store.PrivacyRequest(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, err
	}
	if !currentUser(c).Sees(h.units, r.Commune) {
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	return r, nil
}

// RequestDetailPage shows one request with the answer form.
func (h *Handler) RequestDetailPage(c *fiber.Ctx) error {
	r, err := h.scopedRequest(c)
	if err != nil {
		return err
	}
	return h.renderRequest(c, fiber.StatusOK, r, "", "")
}

func (h *Handler) renderRequest(c *fiber.Ctx, status int, r *ansinh.PrivacyRequest, message, notice string) error {
	return c.Status(status).Render("request_detail", fiber.Map{"Title": "Yêu cầu về dữ liệu cá nhân", "User": currentUser(c),
		"R": h.viewRequest(c.UserContext(), r), "Message": message, "Notice": notice, "Values": map[string]string{
			"status": utils.CopyString(c.FormValue("status")), "answer": utils.CopyString(c.FormValue("answer"))}})
}

// AnswerRequestForm records the officer's answer. A withdrawal answered as done is
// carried out first (pending submissions closed, the account no longer used), then the
// answer is recorded; both are audited.
func (h *Handler) AnswerRequestForm(c *fiber.Ctx) error {
	r, err := h.scopedRequest(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	status, answer, err := ansinh.NewRequestAnswer(c.FormValue("status"), c.FormValue("answer"))
	if err == nil && r.Status != ansinh.RequestOpen {
		err = ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgRequestAnswered)
	}
	if err != nil {
		st, e := classify(err)
		if st >= 500 {
			return err
		}
		return h.renderRequest(c, st, r, pageMessage(e), "")
	}
	now, ctx := h.now(), c.UserContext()
	if r.Kind == ansinh.RequestWithdraw && status == ansinh.RequestDone {
		closed, err := h.registrations.WithdrawConsent(ctx, h.store, r.BeneficiaryID, r.ID, u.Username, now)
		if err != nil {
			return err
		}
		if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionConsentWithdrawn, Target: "beneficiary:" + r.BeneficiaryID, Unit: r.Commune,
			Detail: map[string]any{"request": r.ID, "purpose": ansinh.PurposeAccountPayment, "closed": closed}}); err != nil {
			return err
		}
	}
	if err := h.store.AnswerPrivacyRequest(ctx, r.ID, status, answer, u.Username, now); err != nil {
		st, e := classify(err)
		if st >= 500 {
			return err
		}
		return h.renderRequest(c, st, r, pageMessage(e), "")
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionPrivacyAnswer, Target: "beneficiary:" + r.BeneficiaryID, Unit: r.Commune,
		Detail: map[string]any{"request": r.ID, "kind": r.Kind, "status": status, "late": now.After(r.Due)}}); err != nil {
		return err
	}
	r.Status, r.Answer, r.AnsweredBy, r.AnsweredAt = status, answer, u.Username, now
	return h.renderRequest(c, fiber.StatusOK, r, "", ansinh.MsgRequestDone)
}

// RequestDataPage prints what is held about the person of an access request, numbers
// in full, for the officer to hand over (audited).
func (h *Handler) RequestDataPage(c *fiber.Ctx) error {
	r, err := h.scopedRequest(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	b, err := h.store.RevealBeneficiary(ctx, r.BeneficiaryID)
	if err != nil {
		return err
	}
	receipts, err := h.store.RegistrationReceipts(ctx, b.ID)
	if err != nil {
		return err
	}
	var regs []*ansinh.Registration
	for _, receipt := range receipts {
		reg, err := h.store.RevealRegistration(ctx, receipt)
		if err != nil {
			return err
		}
		regs = append(regs, reg)
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionPrivacyData, Target: "beneficiary:" + b.ID, Unit: b.Commune,
		Detail: map[string]any{"request": r.ID}}); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("request_data", fiber.Map{"Title": "Dữ liệu cá nhân của " + b.Name, "B": b, "Residence": h.residence(b.Commune),
		"Registrations": regs, "R": r, "Printed": h.now(), "Identity": ansinh.IdentityStateLabel(b.Identity.State)}, "print")
}

// BeneficiaryRequestForm records, from the record page, a request made at the commune.
func (h *Handler) BeneficiaryRequestForm(c *fiber.Ctx) error {
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return err
	}
	u := currentUser(c)
	r, err := ansinh.NewPrivacyRequest(b, c.FormValue("kind"), ansinh.RequestAtCommune, "", c.FormValue("detail"), u.Username, h.now())
	if err != nil {
		return h.afterForm(c, b, err, "")
	}
	if err := h.recordRequest(c, r, ""); err != nil {
		return err
	}
	return c.Redirect("/can-bo/yeu-cau-du-lieu/"+r.ID, fiber.StatusSeeOther)
}
