package handlers

import (
	"bytes"
	"image"
	"io"
	"mime/multipart"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
	"ansinh/i18n"
	"ansinh/pii"
)

// One question a page, in the order that needs least typing: whose account, the
// proxy (on that branch only), the account (a photo of the bank app's QR code first),
// the holder (one tap), the phone, the consent; then every answer on one page, each
// with "Thay đổi". Each page is a GET showing the draft's answer and a POST that saves
// it and redirects (post/redirect/get), or shows the page again with its errors.

// The steps, by the last part of their address.
const (
	stepWho     = "ai-nhan"
	stepProxy   = "nguoi-nhan-thay"
	stepAccount = "tai-khoan"
	stepHolder  = "chu-tai-khoan"
	stepPhone   = "dien-thoai"
	stepConsent = "dong-y"
	stepCheck   = "kiem-tra"
)

var formSteps = []string{stepWho, stepProxy, stepAccount, stepHolder, stepPhone, stepConsent}

// stepPage is what each step shows: its view, title and fields (top to bottom).
var stepPage = map[string]struct {
	view, title string // title: the id of its text (i18n)
	order       []string
}{
	stepWho:     {"form_who", "form.who.title", []string{"submitter"}},
	stepProxy:   {"form_proxy", "form.proxy.title", []string{"proxy_name", "proxy_cccd", "proxy_phone", "proxy_relationship", "giay_uy_quyen"}},
	stepAccount: {"form_account", "form.account.title", []string{"qr_image", "bank_bin", "account_number"}},
	stepHolder:  {"form_holder", "form.holder.title", []string{"holder_choice", "holder_other"}},
	stepPhone:   {"form_phone", "form.phone.title", []string{"phone"}},
	stepConsent: {"form_consent", "form.consent.title", []string{"consent"}},
	stepCheck:   {"form_check", "form.check.title", nil},
}

// maxPhotoBytes and maxPhotoSide bound an authorisation's photo (a phone camera's is
// 1–4 MB, 4000 px on its long side); the photo is kept as taken.
const (
	maxPhotoBytes = 6 << 20
	maxPhotoSide  = 8000
)

func (d *formDraft) applies(step string) bool { return step != stepProxy || d.proxy() }

// done reports whether a step has its answer.
func (d *formDraft) done(step string) bool {
	v := d.V
	switch step {
	case stepWho:
		return v["submitter"] == ansinh.SubmitterSelf || v["submitter"] == ansinh.SubmitterProxy
	case stepProxy:
		return v["proxy_name"] != "" && v["proxy_cccd"] != "" && v["proxy_phone"] != "" && v["proxy_relationship"] != ""
	case stepAccount:
		return v["bank_bin"] != "" && v["account_number"] != ""
	case stepHolder:
		return v["account_name"] != ""
	case stepPhone:
		return v["phone_done"] == "1"
	case stepConsent:
		return v["consent"] == "1"
	}
	return false
}

// firstUndone is the first question still to answer, or the check page.
func (d *formDraft) firstUndone() string {
	for _, s := range formSteps {
		if d.applies(s) && !d.done(s) {
			return s
		}
	}
	return stepCheck
}

// after is the page that follows step: the next question, or, when the person came
// from the check page, the first one still unanswered (the check page when none is).
func (d *formDraft) after(step string, change bool) string {
	if change {
		if next := d.firstUndone(); next != stepCheck {
			return d.path(next) + "?sua=1"
		}
		return d.path(stepCheck)
	}
	for i := slices.Index(formSteps, step) + 1; i < len(formSteps); i++ {
		if d.applies(formSteps[i]) {
			return d.path(formSteps[i])
		}
	}
	return d.path(stepCheck)
}

// before is the page a step's "Quay lại" leads to.
func (d *formDraft) before(step string, change bool) string {
	if change || step == stepCheck {
		if step == stepCheck {
			return d.path(stepConsent)
		}
		return d.path(stepCheck)
	}
	for i := slices.Index(formSteps, step) - 1; i >= 0; i-- {
		if d.applies(formSteps[i]) {
			return d.path(formSteps[i])
		}
	}
	return ""
}

// stepView is a step's page with the draft's answers.
func (h *Handler) stepView(c *fiber.Ctx, d *formDraft, step string) *formView {
	p := stepPage[step]
	f := h.publicForm(c, p.title)
	f.Values, f.Order, f.Draft, f.Step, f.Beneficiary = d.values(), p.order, d.ID, step, d.B
	f.Change = c.Query("sua") == "1" || c.FormValue("sua") == "1"
	f.Back = d.before(step, f.Change)
	f.HolderSelf = ansinh.HolderName(d.B.Name)
	if d.proxy() {
		f.HolderProxy = ansinh.HolderName(d.V["proxy_name"])
	}
	if bank, ok := ansinh.BankByBIN(d.V["bank_bin"]); ok {
		f.BankName, f.BankShort = bank.ShortName+" – "+bank.Name, bank.ShortName
	}
	return f
}

// FormStep shows one question (GET /dang-ky/:draft/:step).
func (h *Handler) FormStep(c *fiber.Ctx) error {
	d, step, err := h.openStep(c)
	if err != nil || d == nil {
		return err
	}
	f := h.stepView(c, d, step)
	switch step {
	case stepWho:
		if a := d.B.Account; a != nil && a.Last4 != "" {
			bank, _ := ansinh.BankByBIN(a.BankBIN)
			f.Notice = i18n.Tf(f.Lang, "form.who.replaces", cmp(bank.ShortName, a.BankBIN), pii.MaskLast4(a.Last4))
		}
	case stepPhone:
		if d.V["phone_done"] == "" && d.proxy() {
			f.Values["phone"] = d.V["proxy_phone"] // the relative's number, typed once
		}
	}
	return h.render(c, stepPage[step].view, f, fiber.StatusOK)
}

// stepIndex orders the steps, the check page last.
func stepIndex(step string) int {
	if i := slices.Index(formSteps, step); i >= 0 {
		return i
	}
	return len(formSteps)
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// openStep loads the draft and checks that the step may be shown now: a submitted
// draft goes to its receipt, a question not yet reached to the first unanswered one.
// A nil draft with a nil error means the answer (a redirect) is sent.
func (h *Handler) openStep(c *fiber.Ctx) (*formDraft, string, error) {
	d, err := h.loadDraft(c)
	if err != nil {
		return nil, "", h.expired(c, err)
	}
	if r := d.V["receipt"]; r != "" {
		return nil, "", c.Redirect("/bien-nhan/"+r, fiber.StatusSeeOther)
	}
	step := c.Params("step")
	if _, ok := stepPage[step]; !ok {
		return nil, "", ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	if first := d.firstUndone(); !d.applies(step) || stepIndex(step) > stepIndex(first) {
		return nil, "", c.Redirect(d.path(first), fiber.StatusSeeOther)
	}
	return d, step, nil
}

// FormAnswer saves one answer (POST /dang-ky/:draft/:step) and goes on.
func (h *Handler) FormAnswer(c *fiber.Ctx) error {
	d, step, err := h.openStep(c)
	if err != nil || d == nil {
		return err
	}
	if step == stepCheck {
		return h.submitDraft(c, d)
	}
	f := h.stepView(c, d, step)
	var status int
	switch step {
	case stepWho:
		status, err = h.answerWho(c, d, f)
	case stepProxy:
		status, err = h.answerProxy(c, d, f)
	case stepAccount:
		status, err = h.answerAccount(c, d, f)
	case stepHolder:
		status = h.answerHolder(c, d, f)
	case stepPhone:
		status = h.answerPhone(c, d, f)
	case stepConsent:
		status = h.answerConsent(c, d, f)
	}
	if err != nil {
		return err
	}
	if status != 0 {
		return h.render(c, stepPage[step].view, f, status)
	}
	if err := h.saveDraft(c, d); err != nil {
		return err
	}
	return c.Redirect(d.after(step, f.Change), fiber.StatusSeeOther)
}

func form(c *fiber.Ctx, f *formView, keys ...string) {
	for _, k := range keys {
		f.Values[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
}

func (h *Handler) answerWho(c *fiber.Ctx, d *formDraft, f *formView) (int, error) {
	form(c, f, "submitter")
	s := f.Values["submitter"]
	if s != ansinh.SubmitterSelf && s != ansinh.SubmitterProxy {
		f.Errors["submitter"] = ansinh.MsgWhoRequired
		return fiber.StatusUnprocessableEntity, nil
	}
	if s == ansinh.SubmitterSelf && d.proxy() {
		for _, k := range []string{"proxy_name", "proxy_cccd", "proxy_phone", "proxy_relationship", "auth_photo"} {
			delete(d.V, k)
		}
	}
	if s != d.V["submitter"] && d.V["holder_choice"] == "proxy" {
		delete(d.V, "holder_choice") // the holder was the proxy: ask again
		delete(d.V, "account_name")
	}
	d.V["submitter"] = s
	return 0, nil
}

func (h *Handler) answerProxy(c *fiber.Ctx, d *formDraft, f *formView) (int, error) {
	form(c, f, "proxy_name", "proxy_cccd", "proxy_phone", "proxy_relationship")
	v := f.Values
	name, relation := ansinh.NormalizeName(v["proxy_name"]), ansinh.NormalizeName(v["proxy_relationship"])
	switch {
	case name == "":
		f.Errors["proxy_name"] = ansinh.MsgProxyNameRequired
	case len([]rune(name)) > 100:
		f.Errors["proxy_name"] = ansinh.MsgFieldTooLong
	}
	cccd, msg := ansinh.NormalizeCCCD(v["proxy_cccd"])
	switch {
	case strings.TrimSpace(v["proxy_cccd"]) == "":
		f.Errors["proxy_cccd"] = ansinh.MsgProxyCCCDRequired
	case len(digits(v["proxy_cccd"])) == 9:
		f.Errors["proxy_cccd"] = ansinh.MsgCMNDOld
	case msg == ansinh.MsgCCCDProvince:
		f.Errors["proxy_cccd"] = msg
	case msg != "":
		f.Errors["proxy_cccd"] = ansinh.MsgProxyCCCDLength
	case h.store.BeneficiaryID(cccd) == d.B.ID:
		f.Errors["proxy_cccd"] = ansinh.MsgProxyCCCDSame
	}
	phone := ansinh.NormalizePhone(v["proxy_phone"])
	if !ansinh.ValidPhone(phone) {
		f.Errors["proxy_phone"] = ansinh.MsgProxyPhoneNeeded
	}
	switch {
	case relation == "":
		f.Errors["proxy_relationship"] = ansinh.MsgProxyRelation
	case len([]rune(relation)) > 50:
		f.Errors["proxy_relationship"] = ansinh.MsgFieldTooLong
	}
	// The photo is kept even when another field is wrong: nobody takes it twice.
	if fh, err := c.FormFile("giay_uy_quyen"); err == nil && fh.Size > 0 {
		kind, img, msg := readPhoto(fh)
		if msg != "" {
			f.Errors["giay_uy_quyen"] = msg
		} else {
			if err := h.savePhoto(c, d, kind, img); err != nil {
				return 0, err
			}
			d.V["auth_photo"], f.Values["auth_photo"] = "1", "1"
			if len(f.Errors) > 0 {
				if err := h.saveDraft(c, d); err != nil {
					return 0, err
				}
			}
		}
	}
	if len(f.Errors) > 0 {
		return fiber.StatusUnprocessableEntity, nil
	}
	d.V["proxy_name"], d.V["proxy_cccd"], d.V["proxy_phone"], d.V["proxy_relationship"] = name, cccd, phone, relation
	if d.V["holder_choice"] == "proxy" {
		d.V["account_name"] = ansinh.HolderName(name)
	}
	return 0, nil
}

// readPhoto reads an authorisation's photo: a JPEG or PNG within the bounds, checked
// from its header before anything else is decoded.
func readPhoto(fh *multipart.FileHeader) (string, []byte, string) {
	if fh.Size > maxPhotoBytes {
		return "", nil, ansinh.MsgAuthPhotoTooLarge
	}
	file, err := fh.Open()
	if err != nil {
		return "", nil, ansinh.MsgAuthPhotoType
	}
	defer file.Close()
	img, err := io.ReadAll(io.LimitReader(file, maxPhotoBytes+1))
	if err != nil {
		return "", nil, ansinh.MsgAuthPhotoType
	}
	if len(img) > maxPhotoBytes {
		return "", nil, ansinh.MsgAuthPhotoTooLarge
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil || (format != "jpeg" && format != "png") || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", nil, ansinh.MsgAuthPhotoType
	}
	if cfg.Width > maxPhotoSide || cfg.Height > maxPhotoSide {
		return "", nil, ansinh.MsgAuthPhotoTooLarge
	}
	return "image/" + format, img, ""
}

func (h *Handler) answerAccount(c *fiber.Ctx, d *formDraft, f *formView) (int, error) {
	form(c, f, "bank_bin", "account_number")
	if fh, err := c.FormFile("qr_image"); err == nil && fh.Size > 0 {
		if fh.Size > maxImageBytes {
			f.Errors["qr_image"] = ansinh.MsgImageTooLarge
			return fiber.StatusUnprocessableEntity, nil
		}
		file, err := fh.Open()
		if err != nil {
			f.Errors["qr_image"] = ansinh.MsgVietQRUnreadable
			return fiber.StatusUnprocessableEntity, nil
		}
		defer file.Close()
		p, err := decodeVietQR(file)
		if err != nil {
			f.Errors["qr_image"] = ansinh.ErrorMessage(err)
			return fiber.StatusUnprocessableEntity, nil
		}
		d.V["bank_bin"], d.V["account_number"] = p.BIN, p.AccountNumber
		return 0, nil
	}
	bin, number := f.Values["bank_bin"], f.Values["account_number"]
	if bin == "" && number == "" {
		f.Errors["qr_image"] = ansinh.MsgAccountOrQR
		return fiber.StatusUnprocessableEntity, nil
	}
	if _, ok := ansinh.BankByBIN(bin); !ok {
		f.Errors["bank_bin"] = ansinh.MsgBankRequired
	}
	n, msg := ansinh.NormalizeAccountNumber(number)
	if msg != "" {
		f.Errors["account_number"] = ansinh.MsgAccountNumberNeed
	}
	if len(f.Errors) > 0 {
		return fiber.StatusUnprocessableEntity, nil
	}
	d.V["bank_bin"], d.V["account_number"] = bin, n
	return 0, nil
}

func (h *Handler) answerHolder(c *fiber.Ctx, d *formDraft, f *formView) int {
	form(c, f, "holder_choice", "holder_other", "holder_confirm")
	switch choice := f.Values["holder_choice"]; {
	case choice == "self":
		d.V["account_name"] = f.HolderSelf
	case choice == "proxy" && d.proxy():
		d.V["account_name"] = f.HolderProxy
	case choice == "other":
		typed := ansinh.HolderName(f.Values["holder_other"])
		if !ansinh.ValidHolder(typed) {
			f.Errors["holder_other"] = ansinh.MsgHolderTyped
			return fiber.StatusUnprocessableEntity
		}
		if !h.holderKnown(d, typed) && f.Values["holder_confirm"] != typed {
			// Not refused (a name the registry spells otherwise is still the person's),
			// but said before anything else is asked.
			f.Warning = ansinh.MsgHolderNotSelf
			if d.proxy() {
				f.Warning = ansinh.MsgHolderNeither
			}
			f.Values["holder_confirm"] = typed
			return fiber.StatusOK
		}
		d.V["account_name"] = typed
	default:
		f.Errors["holder_choice"] = ansinh.MsgHolderChoose
		return fiber.StatusUnprocessableEntity
	}
	d.V["holder_choice"] = f.Values["holder_choice"]
	return 0
}

// holderKnown reports whether a holder name is the beneficiary's or the proxy's, in
// any order of its words, without accents.
func (h *Handler) holderKnown(d *formDraft, holder string) bool {
	if score, _, _ := ansinh.NameScore(holder, d.B.Name); score == 1 {
		return true
	}
	if d.proxy() {
		if score, _, _ := ansinh.NameScore(holder, d.V["proxy_name"]); score == 1 {
			return true
		}
	}
	return false
}

func (h *Handler) answerPhone(c *fiber.Ctx, d *formDraft, f *formView) int {
	form(c, f, "phone")
	phone := ansinh.NormalizePhone(f.Values["phone"])
	if phone != "" && !ansinh.ValidPhone(phone) {
		f.Errors["phone"] = ansinh.MsgPhoneFormat
		return fiber.StatusUnprocessableEntity
	}
	d.V["phone"], d.V["phone_done"] = phone, "1"
	if phone == "" {
		delete(d.V, "notify_consent") // nobody to tell
	}
	return 0
}

func (h *Handler) answerConsent(c *fiber.Ctx, d *formDraft, f *formView) int {
	form(c, f, "consent", "notify_consent")
	if f.Values["consent"] != "1" {
		f.Errors["consent"] = ansinh.MsgConsentRequired
		return fiber.StatusUnprocessableEntity
	}
	d.V["consent"] = "1"
	d.V["notify_consent"] = ""
	if f.Values["notify_consent"] == "1" && d.V["phone"] != "" {
		d.V["notify_consent"] = "1"
	}
	return 0
}

// submitDraft stores the registration (POST /dang-ky/:draft/kiem-tra) and sends the
// browser to its receipt. A second post, from the back button or a double tap, finds
// the draft submitted, or carries the same idempotency key: one registration.
func (h *Handler) submitDraft(c *fiber.Ctx, d *formDraft) error {
	req := requestOf(d.V)
	receipt, _, err := h.registrations.SubmitFor(c.UserContext(), d.B, req, ansinh.ChannelQR)
	if err != nil {
		f := h.stepView(c, d, stepCheck)
		status, err := formError(f, err)
		if err != nil {
			return err
		}
		return h.render(c, "form_check", f, status)
	}
	kind, img, err := h.photo(c, d)
	if err != nil {
		return err
	}
	if img != nil {
		if err := h.store.SaveAuthorisation(c.UserContext(), &ansinh.Authorisation{Receipt: receipt, BeneficiaryID: d.B.ID,
			Commune: d.B.Commune, ContentType: kind, Image: img, At: h.now()}); err != nil {
			return err
		}
	}
	d.V["receipt"] = receipt
	if err := h.saveDraft(c, d); err != nil {
		return err
	}
	return c.Redirect("/bien-nhan/"+receipt, fiber.StatusSeeOther)
}

// formPhotoPath reports whether a path is a form step that takes a photo (the bank
// app's QR code, the authorisation): its body may be an image.
func formPhotoPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/dang-ky/")
	if !ok {
		return false
	}
	_, step, _ := strings.Cut(rest, "/")
	return step == stepAccount || step == stepProxy
}
