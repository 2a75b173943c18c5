package handlers

import (
	"errors"
	"fmt"
	"mime/multipart"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
	"ansinh/vietqr"
)

// The public registration form, for a beneficiary or a relative on a cheap phone. It
// works without JavaScript: identity → details → check → receipt, each a plain form
// post. Between pages the proven identity travels as a signed, short-lived proof; the
// other values as hidden fields, checked again at the end.

// maxImageBytes bounds a VietQR photo.
const maxImageBytes = 8 << 20

type formView struct {
	Title       string
	User        *ansinh.User // always nil: the layout's staff menu stays hidden
	Commune     *ansinh.Unit
	Token       string // a personal QR code
	CSRF        string
	Message     string
	Errors      map[string]string
	Values      map[string]string
	Proof       string
	Beneficiary *ansinh.Beneficiary
	Banks       []ansinh.Bank
	BankName    string
	Consent     string
}

func (h *Handler) newForm(c *fiber.Ctx, title string) *formView {
	return &formView{Title: title, CSRF: h.csrfToken(c), Errors: map[string]string{}, Values: map[string]string{},
		Banks: ansinh.BanksForForm(), Consent: ansinh.ConsentVersion}
}

// render shows a form page; status 200 unless the page reports an error.
func (h *Handler) render(c *fiber.Ctx, view string, f *formView, status int) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Render(view, f)
}

// formError puts err on the page: field messages next to their fields, anything else
// on top. Errors a person cannot fix on the page go to the ErrorHandler.
func formError(f *formView, err error) (int, error) {
	status, e := classify(err)
	if status >= 500 || status == fiber.StatusForbidden || status == fiber.StatusNotFound {
		return 0, err
	}
	f.Message = e.Message
	for k, v := range e.Fields {
		f.Errors[k] = v
	}
	return status, nil
}

// CommuneForm opens the form from a commune's poster: who are you?
func (h *Handler) CommuneForm(c *fiber.Ctx) error {
	u, err := h.formCommune(c)
	if err != nil {
		// A poster printed before 1 July 2025 carries its old commune's code: send the
		// person on to the commune it became, when that is one commune.
		next, old := h.successors(c.Params("code"))
		switch {
		case len(next) == 1:
			return c.Redirect("/c/"+next[0].Code, fiber.StatusMovedPermanently)
		case len(next) > 1: // a split ward: the person's village decides
			return c.Render("form_successor", fiber.Map{"Title": "Chọn xã, phường của ông/bà", "Old": old, "Communes": next})
		}
		return err
	}
	f := h.newForm(c, "Đăng ký tài khoản nhận trợ cấp")
	f.Commune = u
	return h.render(c, "form_identity", f, fiber.StatusOK)
}

// successors are the communes of today that an older set's commune became, and its old
// name: one when every older set that has the code agrees, several for a split ward.
func (h *Handler) successors(code string) ([]*ansinh.Unit, string) {
	var out []*ansinh.Unit
	old := ""
	for _, set := range h.sets.List() {
		if set == h.sets.Current() {
			continue
		}
		m, err := h.sets.Map(set.ID, h.sets.Current().ID, code)
		if err != nil {
			continue
		}
		u, _ := set.Units.Get(code)
		old = u.Name
		for _, c := range m.Communes {
			if n, ok := h.units.Get(c); ok && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out, old
}

func (h *Handler) formCommune(c *fiber.Ctx) (*ansinh.Unit, error) {
	u, ok := h.units.Get(c.Params("code"))
	if !ok || !u.Leaf() || u.Parent == "" {
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	return u, nil
}

// CommuneIdentity checks the CCCD and birth date, then shows the details page.
func (h *Handler) CommuneIdentity(c *fiber.Ctx) error {
	u, err := h.formCommune(c)
	if err != nil {
		return err
	}
	f := h.newForm(c, "Đăng ký tài khoản nhận trợ cấp")
	f.Commune = u
	f.Values["cccd"] = utils.CopyString(c.FormValue("cccd"))
	birth, ok := h.birthDate(c, f)
	cccd, msg := ansinh.NormalizeCCCD(f.Values["cccd"])
	if msg != "" {
		f.Errors["cccd"] = msg
	}
	if !ok || msg != "" {
		f.Message = ansinh.MsgInvalidInput
		return h.render(c, "form_identity", f, fiber.StatusUnprocessableEntity)
	}
	b, err := h.registrations.IdentifyByCCCD(c.UserContext(), cccd, birth)
	if err != nil {
		status, err := formError(f, err)
		if err != nil {
			return err
		}
		return h.render(c, "form_identity", f, status)
	}
	return h.detailsPage(c, b, nil)
}

// TokenForm opens the form from a personal code: only the birth date is asked, and
// nothing is shown before it is right.
func (h *Handler) TokenForm(c *fiber.Ctx) error {
	f := h.newForm(c, "Đăng ký tài khoản nhận trợ cấp")
	f.Token = c.Params("token")
	if _, err := h.registrations.TokenBeneficiary(c.UserContext(), f.Token); err != nil {
		return h.invalidToken(c, f, err)
	}
	return h.render(c, "form_identity", f, fiber.StatusOK)
}

func (h *Handler) invalidToken(c *fiber.Ctx, f *formView, err error) error {
	if ansinh.ErrorCode(err) != ansinh.EINVALID {
		return err
	}
	f.Token, f.Message = "", ansinh.MsgQRInvalid
	return h.render(c, "form_identity_gone", f, fiber.StatusNotFound)
}

// TokenIdentity checks the birth date for a personal code.
func (h *Handler) TokenIdentity(c *fiber.Ctx) error {
	f := h.newForm(c, "Đăng ký tài khoản nhận trợ cấp")
	f.Token = c.Params("token")
	birth, ok := h.birthDate(c, f)
	if !ok {
		f.Message = ansinh.MsgInvalidInput
		return h.render(c, "form_identity", f, fiber.StatusUnprocessableEntity)
	}
	b, err := h.registrations.IdentifyByToken(c.UserContext(), f.Token, birth)
	var e *ansinh.Error
	if errors.As(err, &e) && e.Fields["qr_token"] != "" {
		return h.invalidToken(c, f, err)
	}
	if err != nil {
		status, err := formError(f, err)
		if err != nil {
			return err
		}
		return h.render(c, "form_identity", f, status)
	}
	return h.detailsPage(c, b, nil)
}

// birthDate reads the day, month and year boxes into "YYYY-MM-DD".
func (h *Handler) birthDate(c *fiber.Ctx, f *formView) (string, bool) {
	for _, k := range []string{"ngay", "thang", "nam"} {
		f.Values[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	d, err1 := strconv.Atoi(f.Values["ngay"])
	m, err2 := strconv.Atoi(f.Values["thang"])
	y, err3 := strconv.Atoi(f.Values["nam"])
	if err1 != nil || err2 != nil || err3 != nil {
		f.Errors["birth_date"] = ansinh.MsgBirthDateInvalid
		return "", false
	}
	s := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	if _, msg := ansinh.ParseBirthDate(s, h.now()); msg != "" {
		f.Errors["birth_date"] = ansinh.MsgBirthDateInvalid
		return "", false
	}
	return s, true
}

// detailsPage asks who receives the money and into which account.
func (h *Handler) detailsPage(c *fiber.Ctx, b *ansinh.Beneficiary, f *formView) error {
	status := fiber.StatusOK
	if f == nil {
		f = h.newForm(c, "Thông tin tài khoản nhận trợ cấp")
		f.Values["submitter"] = ansinh.SubmitterSelf
		f.Values["idempotency_key"] = ansinh.RandomToken(16)
	} else if len(f.Errors) > 0 || f.Message != "" {
		status = fiber.StatusUnprocessableEntity
	}
	f.Title = "Thông tin tài khoản nhận trợ cấp"
	f.Beneficiary, f.Proof = b, h.registrations.Proof(b.ID)
	return h.render(c, "form_details", f, status)
}

// formFields are the details page's inputs, named as in the JSON API.
var formFields = []string{"submitter", "proxy_name", "proxy_cccd", "proxy_phone", "proxy_relationship",
	"bank_bin", "account_number", "account_name", "phone", "consent", "notify_consent", "idempotency_key"}

// readDetails copies the posted details into the form and a request.
func (h *Handler) readDetails(c *fiber.Ctx, f *formView) *ansinh.RegistrationRequest {
	for _, k := range formFields {
		f.Values[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	v := f.Values
	req := &ansinh.RegistrationRequest{Submitter: v["submitter"], BankBIN: v["bank_bin"], AccountNumber: v["account_number"],
		AccountName: v["account_name"], Phone: v["phone"], Consent: v["consent"] == "1", NotifyConsent: v["notify_consent"] == "1", IdempotencyKey: v["idempotency_key"]}
	if req.Submitter == ansinh.SubmitterProxy {
		req.Proxy = &ansinh.ProxyRequest{Name: v["proxy_name"], CCCD: v["proxy_cccd"], Phone: v["proxy_phone"], Relationship: v["proxy_relationship"]}
	}
	return req
}

// Details checks the details page (reading a VietQR photo if one came) and shows the
// check page.
func (h *Handler) Details(c *fiber.Ctx) error {
	b, err := h.registrations.CheckProof(c.UserContext(), c.FormValue("proof"))
	if err != nil {
		return h.expired(c, err)
	}
	f := h.newForm(c, "")
	req := h.readDetails(c, f)
	if fh, err := c.FormFile("qr_image"); err == nil && fh.Size > 0 {
		if err := h.fillFromVietQR(fh, req, f); err != nil {
			f.Errors["qr_image"] = ansinh.ErrorMessage(err)
			return h.detailsPage(c, b, f)
		}
	}
	req.Normalize()
	if err := ansinh.ValidateExcept(req, "CCCD", "QRToken", "BirthDate"); err != nil {
		if _, err := formError(f, err); err != nil {
			return err
		}
		return h.detailsPage(c, b, f)
	}
	// Show back what will be stored: the cleaned numbers and the holder as banks print it.
	f.Values["account_number"], f.Values["account_name"], f.Values["phone"] = req.AccountNumber, req.AccountName, req.Phone
	if p := req.Proxy; p != nil {
		f.Values["proxy_cccd"], f.Values["proxy_phone"] = p.CCCD, p.Phone
	}
	bank, _ := ansinh.BankByBIN(req.BankBIN)
	f.Title, f.Beneficiary, f.Proof, f.BankName = "Kiểm tra lại trước khi gửi", b, h.registrations.Proof(b.ID), bank.ShortName+" – "+bank.Name
	return h.render(c, "form_check", f, fiber.StatusOK)
}

func (h *Handler) fillFromVietQR(fh *multipart.FileHeader, req *ansinh.RegistrationRequest, f *formView) error {
	if fh.Size > maxImageBytes {
		return ansinh.Errorf(ansinh.ETOOLARGE, ansinh.MsgImageTooLarge)
	}
	file, err := fh.Open()
	if err != nil {
		return ansinh.Errorf(ansinh.EINVALID, ansinh.MsgVietQRUnreadable)
	}
	defer file.Close()
	p, err := decodeVietQR(file)
	if err != nil {
		return err
	}
	req.BankBIN, req.AccountNumber = p.BIN, p.AccountNumber
	f.Values["bank_bin"], f.Values["account_number"] = p.BIN, p.AccountNumber
	return nil
}

// Revise goes back from the check page to the details page with the values kept.
func (h *Handler) Revise(c *fiber.Ctx) error {
	b, err := h.registrations.CheckProof(c.UserContext(), c.FormValue("proof"))
	if err != nil {
		return h.expired(c, err)
	}
	f := h.newForm(c, "")
	h.readDetails(c, f)
	// Changed answers are another request: a new key, so that the first one's receipt
	// is never answered for them.
	f.Values["idempotency_key"] = ansinh.RandomToken(16)
	return h.detailsPage(c, b, f)
}

// Confirm stores the registration and sends the browser to its receipt. A double
// click or a retried post carries the same idempotency key: one registration.
func (h *Handler) Confirm(c *fiber.Ctx) error {
	b, err := h.registrations.CheckProof(c.UserContext(), c.FormValue("proof"))
	if err != nil {
		return h.expired(c, err)
	}
	f := h.newForm(c, "")
	req := h.readDetails(c, f)
	receipt, _, err := h.registrations.SubmitFor(c.UserContext(), b, req, ansinh.ChannelQR)
	if err != nil {
		if _, err := formError(f, err); err != nil {
			return err
		}
		return h.detailsPage(c, b, f)
	}
	return c.Redirect("/bien-nhan/"+receipt, fiber.StatusSeeOther)
}

// expired answers a post whose identity proof is gone: start again, kindly.
func (h *Handler) expired(c *fiber.Ctx, err error) error {
	if ansinh.ErrorCode(err) != ansinh.EINVALID && ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		return err
	}
	f := h.newForm(c, "Phiên đăng ký đã hết hạn")
	f.Message = ansinh.MsgSessionExpired
	return h.render(c, "form_identity_gone", f, fiber.StatusUnprocessableEntity)
}

// ReceiptPage shows the receipt right after submitting.
func (h *Handler) ReceiptPage(c *fiber.Ctx) error {
	r, err := h.registrations.Status(c.UserContext(), c.Params("receipt"))
	if err != nil {
		return err
	}
	return h.render(c, "form_receipt", &formView{Title: "Đã nhận đăng ký", Values: map[string]string{
		"receipt": ansinh.FormatReceipt(r.Receipt), "raw": r.Receipt, "status": ansinh.StatusLabel(r.Status)}}, fiber.StatusOK)
}

// StatusPage looks a receipt up: /tra-cuu?ma=…
func (h *Handler) StatusPage(c *fiber.Ctx) error {
	f := &formView{Title: "Tra cứu đăng ký", Values: map[string]string{"ma": utils.CopyString(c.Query("ma"))}, Errors: map[string]string{}}
	if f.Values["ma"] == "" {
		return h.render(c, "status", f, fiber.StatusOK)
	}
	r, err := h.registrations.Status(c.UserContext(), f.Values["ma"])
	if err != nil {
		code := ansinh.ErrorCode(err)
		if code != ansinh.EINVALID && code != ansinh.ENOTFOUND {
			return err
		}
		f.Errors["ma"] = ansinh.MsgReceiptNotFound
		return h.render(c, "status", f, fiber.StatusNotFound)
	}
	f.Values["receipt"], f.Values["status"], f.Values["state"], f.Values["reason"] =
		ansinh.FormatReceipt(r.Receipt), ansinh.StatusLabel(r.Status), r.Status, r.Reason
	return h.render(c, "status", f, fiber.StatusOK)
}

// decodeVietQR reads a VietQR code from an uploaded image.
func decodeVietQR(file multipart.File) (*vietqr.Payload, error) {
	text, err := vietqr.DecodeImage(file)
	if err != nil {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgVietQRUnreadable)
	}
	p, err := vietqr.Parse(text)
	if err != nil {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgVietQRInvalid)
	}
	if _, ok := ansinh.BankByBIN(p.BIN); !ok {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgBankUnknown)
	}
	return p, nil
}

// vietnamTime is UTC+7, for dates people read.
var vietnamTime = time.FixedZone("ICT", 7*3600)
