package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
	"ansinh/i18n"
)

// The status look-up without the receipt: the CCCD and the birth date (one question,
// as the form's first page asks it), under the same throttles as the form's identity
// check and with the same answer for an unknown CCCD as for a wrong birth date. The
// result is shown after a redirect, carried in a short-lived cookie signed for the
// person, never in the URL: a CCCD in a URL ends up in browser histories and logs.

const (
	lookupCookie = "ansinh_lookup"
	lookupPath   = "/tra-cuu/ket-qua"
	lookupTTL    = 10 * 60 // seconds: long enough to read, short on a shared phone
)

// lookupSign is the MAC of "this browser proved to be beneficiary id until exp".
func (h *Handler) lookupSign(id, exp string) string {
	m := hmac.New(sha256.New, ansinh.DeriveKey(h.cfg.SecretKey, "status-lookup"))
	m.Write([]byte(id + "." + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// lookupBeneficiary is the beneficiary the look-up cookie was signed for, if it is
// genuine and fresh; "" otherwise.
func (h *Handler) lookupBeneficiary(c *fiber.Ctx) string {
	parts := strings.Split(c.Cookies(lookupCookie), ".")
	if len(parts) != 3 || len(parts[0]) > 200 || !hmac.Equal([]byte(parts[2]), []byte(h.lookupSign(parts[0], parts[1]))) {
		return ""
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || h.now().Unix() > exp {
		return ""
	}
	return utils.CopyString(parts[0])
}

// lookupForm is the look-up's page asking the CCCD and the birth date.
func (h *Handler) lookupForm(c *fiber.Ctx) *formView {
	f := h.publicForm(c, "status.cccd.title")
	f.Step, f.Order = "cccd", identityOrder
	return f
}

// LookupCCCD checks the CCCD and birth date posted to /tra-cuu and shows the person's
// latest submission on the next page.
func (h *Handler) LookupCCCD(c *fiber.Ctx) error {
	f := h.lookupForm(c)
	f.Values["cccd"] = utils.CopyString(c.FormValue("cccd"))
	birth, ok := h.birthDate(c, f, false)
	cccd, msg := ansinh.NormalizeCCCD(f.Values["cccd"])
	if d := digits(f.Values["cccd"]); len(d) == 9 {
		msg = ansinh.MsgCMNDOld
	}
	if msg != "" {
		f.Errors["cccd"] = msg
	}
	h.rememberStatus(c, "cccd") // this page is /tra-cuu: its switch comes back to the question
	if !ok || msg != "" {
		return h.render(c, "status", f, fiber.StatusUnprocessableEntity)
	}
	b, err := h.registrations.IdentifyByCCCD(c.UserContext(), cccd, birth)
	if err != nil {
		status, err := formError(f, err)
		if err != nil {
			return err
		}
		if f.Message == ansinh.MsgIdentityNotFound {
			f.Errors["cccd"], f.Errors["birth_date"] = ansinh.MsgIdentityCheckCCCD, ansinh.MsgIdentityCheckDate
			if n := h.registrations.TriesLeft(c.UserContext(), cccd); n > 0 && n <= 2 {
				f.TriesLeft = fmt.Sprintf(ansinh.MsgTriesLeft, n)
			}
		}
		return h.render(c, "status", f, status)
	}
	exp := strconv.FormatInt(h.now().Unix()+lookupTTL, 10)
	c.Cookie(&fiber.Cookie{Name: lookupCookie, Value: b.ID + "." + exp + "." + h.lookupSign(b.ID, exp), Path: lookupPath,
		MaxAge: lookupTTL, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.overHTTPS(c)})
	return c.Redirect(lookupPath, fiber.StatusSeeOther)
}

// LookupResult shows the latest submission of the person the look-up proved, as the
// status by receipt shows it; without a fresh proof, the question again.
func (h *Handler) LookupResult(c *fiber.Ctx) error {
	id := h.lookupBeneficiary(c)
	if id == "" {
		f := h.lookupForm(c)
		f.Notice = i18n.Chat(f.Lang, ansinh.MsgLookupExpired)
		return h.render(c, "status", f, fiber.StatusOK)
	}
	ctx := c.UserContext()
	b, err := h.store.Beneficiary(ctx, id)
	if err != nil {
		return err
	}
	receipts, err := h.store.RegistrationReceipts(ctx, b.ID)
	if err != nil {
		return err
	}
	lang := h.lang(c)
	f := &formView{Title: i18n.T(lang, "status.title"), Lang: lang, Values: map[string]string{"commune": b.Commune},
		Errors: map[string]string{}}
	if b.Returned != nil {
		f.Values["returned"] = "1"
	}
	if len(receipts) == 0 {
		f.Values["none"] = "1"
		return h.render(c, "status", f, fiber.StatusOK)
	}
	r, err := h.registrations.Status(ctx, receipts[len(receipts)-1])
	if err != nil {
		return err
	}
	statusValues(f, r)
	return h.render(c, "status", f, fiber.StatusOK)
}

// statusValues puts a submission's public status on the status page: its receipt, its
// state and, when rejected, the reason; nothing personal. On a page in another
// language the listed reason is translated and the officer's note, written in
// Vietnamese, follows it as written.
func statusValues(f *formView, r *ansinh.Registration) {
	f.Values["receipt"], f.Values["status"], f.Values["state"], f.Values["reason"] =
		ansinh.FormatReceipt(r.Receipt), ansinh.StatusLabel(r.Status), r.Status, r.Reason
	f.Values["commune"] = r.Commune
	if r.Reason != "" && f.Lang != "" && f.Lang != i18n.VI {
		listed, note := reasonParts(r.Reason)
		f.Values["reason"], f.Values["reasonNote"] = i18n.Chat(f.Lang, listed), note
	}
}

// reasonParts splits a rejection's text (ansinh.Decision.ReasonText: the listed
// reason, then the officer's note, or the note alone for "other") into the two.
func reasonParts(text string) (listed, note string) {
	for _, t := range ansinh.RejectReasons {
		if text == t {
			return t, ""
		}
		if rest, ok := strings.CutPrefix(text, t+" "); ok {
			return t, rest
		}
	}
	return ansinh.RejectReasons["other"], text
}

// The language switch links to "?lang=…" on the page's own path, which on /tra-cuu
// drops the query that says which look-up the page is: the receipt code, or the
// question by CCCD. statusCookie remembers that (never a CCCD: the receipt code or
// "cccd"), for the switch to come back to it.
const (
	statusCookie = "ansinh_status"
	statusTTL    = 30 * 60 // seconds
)

// rememberStatus remembers the look-up a /tra-cuu page is (a receipt code as typed,
// "cccd", or "" for the empty question by receipt, which forgets).
func (h *Handler) rememberStatus(c *fiber.Ctx, what string) {
	if what != "" && !validBack(what) {
		what = ""
	}
	if what == "" && c.Cookies(statusCookie) == "" {
		return
	}
	age := statusTTL
	if what == "" {
		age = -1
	}
	c.Cookie(&fiber.Cookie{Name: statusCookie, Value: what, Path: "/tra-cuu", MaxAge: age, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: h.overHTTPS(c)})
}

// statusBack is the query of the look-up remembered, "" when none.
func (h *Handler) statusBack(c *fiber.Ctx) string {
	switch v := c.Cookies(statusCookie); {
	case v == "cccd":
		return "cach=cccd"
	case v != "" && validBack(v):
		return "ma=" + url.QueryEscape(v)
	}
	return ""
}

// validBack reports whether a remembered look-up is one a page could have been: a
// receipt code's letters, digits and dashes, as long as the field allows.
func validBack(s string) bool {
	if len(s) > 20 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == ' ') {
			return false
		}
	}
	return true
}
