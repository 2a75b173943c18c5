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
	"ansinh/i18n"
	"ansinh/vietqr"
)

// The public registration form, for a beneficiary or a relative on a cheap phone. It
// works without JavaScript: identity, then one question a page (form_steps.go), the
// answers checked on one page, the receipt. Once the identity is proven the answers
// wait in a sealed draft on the server (form_draft.go), so that every page is a plain
// post answered with a redirect, and the back button or a refresh never posts twice.

// maxImageBytes bounds a VietQR photo.
const maxImageBytes = 8 << 20

type formView struct {
	Title string
	// Lang is the language of a public form page (empty on staff and privacy pages:
	// Vietnamese, without the switch).
	Lang        string
	User        *ansinh.User // always nil: the layout's staff menu stays hidden
	Commune     *ansinh.Unit
	Token       string // a personal QR code
	CSRF        string
	Message     string
	Errors      map[string]string
	Values      map[string]string
	Beneficiary *ansinh.Beneficiary
	Banks       []ansinh.Bank
	BankName    string
	BankShort   string // the bank's short name, for a heading
	Consent     string
	// Summary lists the page's errors on top, each linking to its field.
	Summary []summaryItem
	// Order is the page's fields, top to bottom: the summary follows it.
	Order []string
	// The step pages: the draft, this step, the previous page, a warning that does not
	// refuse, and whether the page was opened from the check page ("Thay đổi").
	Draft   string
	Step    string
	Back    string
	Warning string
	Notice  string
	Change  bool
	// TriesLeft is said when few identity attempts remain today.
	TriesLeft string
	// Holder names as banks print them, for the one-tap choice of the holder.
	HolderSelf, HolderProxy string
}

// summaryItem is one line of the error summary.
type summaryItem struct {
	Href    string
	Message string
}

// fieldAnchor is the element a summary line leads to, when it is not the field's name.
var fieldAnchor = map[string]string{
	"birth_date":    "ngay",
	"submitter":     "submitter-self",
	"holder_choice": "holder-self",
	"consent":       "consent",
}

func (h *Handler) newForm(c *fiber.Ctx, title string) *formView {
	return &formView{Title: title, CSRF: h.csrfToken(c), Errors: map[string]string{}, Values: map[string]string{},
		Banks: ansinh.BanksForForm(), Consent: ansinh.ConsentVersion}
}

// publicForm is a page of the registration in the person's language, its title the
// text of titleID.
func (h *Handler) publicForm(c *fiber.Ctx, titleID string) *formView {
	lang := h.lang(c)
	f := h.newForm(c, i18n.T(lang, titleID))
	f.Lang = lang
	return f
}

// render shows a form page; status 200 unless the page reports an error. A page with
// errors gets its summary, and "Lỗi: " before its title.
func (h *Handler) render(c *fiber.Ctx, view string, f *formView, status int) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	f.translate()
	f.buildSummary()
	if prefix := i18n.Chat(f.Lang, ansinh.MsgErrorTitle); len(f.Summary) > 0 && !strings.HasPrefix(f.Title, prefix) {
		f.Title = prefix + f.Title
	}
	return c.Status(status).Render(view, f)
}

// translate puts the page's messages (written in Vietnamese by the validators) into
// the page's language, on the way out, as the chat's replies are.
func (f *formView) translate() {
	if f.Lang == "" || f.Lang == i18n.VI {
		return
	}
	for k, v := range f.Errors {
		f.Errors[k] = i18n.Chat(f.Lang, v)
	}
	f.Message, f.Warning, f.TriesLeft = i18n.Chat(f.Lang, f.Message), i18n.Chat(f.Lang, f.Warning), i18n.Chat(f.Lang, f.TriesLeft)
	if f.Values["status"] != "" {
		f.Values["status"] = i18n.Chat(f.Lang, f.Values["status"])
	}
}

// buildSummary lists the page's message (when it says more than the fields do) and
// each field's message, in the order of the page.
func (f *formView) buildSummary() {
	if f.Summary != nil || (f.Message == "" && len(f.Errors) == 0) {
		return
	}
	seen := map[string]bool{}
	add := func(field, msg string) {
		if msg == "" || seen[msg] {
			return
		}
		seen[msg] = true
		href := ""
		if field != "" {
			href = "#" + field
			if a, ok := fieldAnchor[field]; ok {
				href = "#" + a
			}
		}
		f.Summary = append(f.Summary, summaryItem{Href: href, Message: msg})
	}
	first := ""
	for _, k := range f.Order {
		if f.Errors[k] != "" {
			first = k
			break
		}
	}
	if f.Message != "" && f.Message != ansinh.MsgInvalidInput && f.Message != i18n.Chat(f.Lang, ansinh.MsgInvalidInput) {
		add(first, f.Message)
	}
	for _, k := range f.Order {
		add(k, f.Errors[k])
	}
	keys := make([]string, 0, len(f.Errors))
	for k := range f.Errors {
		if !slices.Contains(f.Order, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		add(k, f.Errors[k])
	}
}

// formKey is the form's name for a field the validator names ("proxy.cccd" →
// "proxy_cccd").
func formKey(name string) string { return strings.ReplaceAll(name, ".", "_") }

// formError puts err on the page: field messages next to their fields (under the
// form's names for them), anything else on top. Errors a person cannot fix on the
// page go to the ErrorHandler.
func formError(f *formView, err error) (int, error) {
	status, e := classify(err)
	if status >= 500 || status == fiber.StatusForbidden || status == fiber.StatusNotFound {
		return 0, err
	}
	f.Message = e.Message
	for k, v := range e.Fields {
		f.Errors[formKey(k)] = v
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
			lang := h.lang(c)
			return c.Render("form_successor", fiber.Map{"Title": i18n.T(lang, "form.successor.title"), "Old": old, "Communes": next,
				"Lang": lang, "Switch": true})
		}
		return err
	}
	f := h.publicForm(c, "form.identity.title")
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

// identityOrder is the identity page's fields, top to bottom.
var identityOrder = []string{"cccd", "birth_date"}

// CommuneIdentity checks the CCCD and birth date, then opens the first question.
func (h *Handler) CommuneIdentity(c *fiber.Ctx) error {
	u, err := h.formCommune(c)
	if err != nil {
		return err
	}
	f := h.publicForm(c, "form.identity.title")
	f.Commune, f.Order = u, identityOrder
	f.Values["cccd"] = utils.CopyString(c.FormValue("cccd"))
	birth, ok := h.birthDate(c, f, false)
	cccd, msg := ansinh.NormalizeCCCD(f.Values["cccd"])
	if d := digits(f.Values["cccd"]); len(d) == 9 {
		msg = ansinh.MsgCMNDOld // the old identity card: the person has the new number elsewhere
	}
	if msg != "" {
		f.Errors["cccd"] = msg
	}
	if !ok || msg != "" {
		return h.render(c, "form_identity", f, fiber.StatusUnprocessableEntity)
	}
	b, err := h.registrations.IdentifyByCCCD(c.UserContext(), cccd, birth)
	if err != nil {
		return h.identityFailed(c, f, err, func() int { return h.registrations.TriesLeft(c.UserContext(), cccd) })
	}
	return h.startDraft(c, b)
}

// identityFailed shows why the identity was not proven: the answer once on top, a
// short line next to each field, and how many tries remain when few do.
func (h *Handler) identityFailed(c *fiber.Ctx, f *formView, err error, triesLeft func() int) error {
	status, err := formError(f, err)
	if err != nil {
		return err
	}
	if f.Message == ansinh.MsgIdentityNotFound {
		if _, ok := f.Errors["cccd"]; ok {
			f.Errors["cccd"] = ansinh.MsgIdentityCheckCCCD
		}
		f.Errors["birth_date"] = ansinh.MsgIdentityCheckDate
		if n := triesLeft(); n > 0 && n <= 2 {
			f.TriesLeft = fmt.Sprintf(ansinh.MsgTriesLeft, n)
		}
	}
	return h.render(c, "form_identity", f, status)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return 'x'
	}, s)
}

// TokenForm opens the form from a personal code: only the birth date is asked, and
// nothing is shown before it is right.
func (h *Handler) TokenForm(c *fiber.Ctx) error {
	f := h.publicForm(c, "form.identity.title")
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
	f.Token, f.Message, f.Summary = "", ansinh.MsgQRInvalid, []summaryItem{}
	return h.render(c, "form_identity_gone", f, fiber.StatusNotFound)
}

// TokenIdentity checks the birth date for a personal code (the year alone, where the
// registry holds no more).
func (h *Handler) TokenIdentity(c *fiber.Ctx) error {
	f := h.publicForm(c, "form.identity.title")
	f.Token, f.Order = c.Params("token"), identityOrder
	birth, ok := h.birthDate(c, f, true)
	if !ok {
		return h.render(c, "form_identity", f, fiber.StatusUnprocessableEntity)
	}
	b, err := h.registrations.IdentifyByToken(c.UserContext(), f.Token, birth)
	var e *ansinh.Error
	if errors.As(err, &e) && e.Fields["qr_token"] != "" {
		return h.invalidToken(c, f, err)
	}
	if err != nil {
		return h.identityFailed(c, f, err, func() int { return 0 })
	}
	return h.startDraft(c, b)
}

// birthDate reads the day, month and year boxes into "YYYY-MM-DD". Some records hold
// only the year: with yearOnly, a year with both day and month left empty is "YYYY".
// On the CCCD path a year alone cannot prove anything (the CCCD carries it), so the
// page says where such people register instead, before any attempt is counted.
func (h *Handler) birthDate(c *fiber.Ctx, f *formView, yearOnly bool) (string, bool) {
	for _, k := range []string{"ngay", "thang", "nam"} {
		f.Values[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	if f.Values["ngay"] == "" && f.Values["thang"] == "" && len(f.Values["nam"]) == 4 {
		if _, msg := ansinh.ParseBirthDate(f.Values["nam"], h.now()); msg == "" {
			if yearOnly {
				return f.Values["nam"], true
			}
			f.Errors["birth_date"] = ansinh.MsgBirthDayMonth
			return "", false
		}
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

// formFields are the inputs of the officer's one-page form (assisted.html), named as
// in the JSON API.
var formFields = []string{"submitter", "proxy_name", "proxy_cccd", "proxy_phone", "proxy_relationship",
	"bank_bin", "account_number", "account_name", "phone", "consent", "notify_consent", "vneid_linked", "idempotency_key"}

// readDetails copies the posted details into the form and a request.
func (h *Handler) readDetails(c *fiber.Ctx, f *formView) *ansinh.RegistrationRequest {
	for _, k := range formFields {
		f.Values[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	return requestOf(f.Values)
}

// requestOf is the registration request that form values (the officer's page, or a
// draft's answers) describe.
func requestOf(v map[string]string) *ansinh.RegistrationRequest {
	req := &ansinh.RegistrationRequest{Submitter: v["submitter"], BankBIN: v["bank_bin"], AccountNumber: v["account_number"],
		AccountName: v["account_name"], Phone: v["phone"], Consent: v["consent"] == "1", NotifyConsent: v["notify_consent"] == "1", VNeIDLinked: v["vneid_linked"] == "1",
		IdempotencyKey: v["idempotency_key"]}
	if req.Submitter == ansinh.SubmitterProxy {
		req.Proxy = &ansinh.ProxyRequest{Name: v["proxy_name"], CCCD: v["proxy_cccd"], Phone: v["proxy_phone"], Relationship: v["proxy_relationship"]}
	}
	return req
}

// expired answers a post whose identity proof is gone: start again, kindly.
func (h *Handler) expired(c *fiber.Ctx, err error) error {
	if ansinh.ErrorCode(err) != ansinh.EINVALID && ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		return err
	}
	f := h.publicForm(c, "form.gone.title")
	f.Message, f.Summary = ansinh.MsgSessionExpired, []summaryItem{} // not an error to fix on this page
	return h.render(c, "form_identity_gone", f, fiber.StatusGone)
}

// ReceiptPage shows the receipt right after submitting.
func (h *Handler) ReceiptPage(c *fiber.Ctx) error {
	r, err := h.registrations.Status(c.UserContext(), c.Params("receipt"))
	if err != nil {
		return err
	}
	lang := h.lang(c)
	return h.render(c, "form_receipt", &formView{Title: i18n.T(lang, "form.receipt.title"), Lang: lang, Values: map[string]string{
		"receipt": ansinh.FormatReceipt(r.Receipt), "raw": r.Receipt, "status": ansinh.StatusLabel(r.Status)}}, fiber.StatusOK)
}

// StatusPage looks a receipt up: /tra-cuu?ma=…; /tra-cuu?cach=cccd asks the CCCD and
// birth date instead (lookup.go).
func (h *Handler) StatusPage(c *fiber.Ctx) error {
	lang := h.lang(c)
	if c.Query("lang") != "" && c.Query("ma") == "" && c.Query("cach") == "" {
		// The language switch links to "?lang=…", which drops the page's own query:
		// back to the look-up the person was on, in the language chosen.
		if back := h.statusBack(c); back != "" {
			return c.Redirect("/tra-cuu?"+back, fiber.StatusSeeOther)
		}
	}
	if c.Query("cach") == "cccd" {
		h.rememberStatus(c, "cccd")
		return h.render(c, "status", h.lookupForm(c), fiber.StatusOK)
	}
	f := &formView{Title: i18n.T(lang, "status.title"), Lang: lang, Values: map[string]string{"ma": utils.CopyString(c.Query("ma"))},
		Errors: map[string]string{}}
	h.rememberStatus(c, f.Values["ma"])
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
	statusValues(f, r)
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
