package handlers

import (
	"encoding/base64"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// Printable A4 sheets for a commune: the poster with the commune's code, and a notice
// card with a personal code for everyone who has not registered yet.

type noticeCard struct {
	Salutation string // "ông", "bà", or "ông/bà" when the list has no sex
	Name       string
	Commune    string
	QR         template.URL
	Expires    string
}

// salutation is how a card addresses the person.
func salutation(sex string) string {
	switch sex {
	case ansinh.SexMale:
		return "ông"
	case ansinh.SexFemale:
		return "bà"
	}
	return "ông/bà"
}

// printContact is the contact a printed sheet of the commune carries: the commune's,
// else the city-level line; the OA's follow link either way.
func (h *Handler) printContact(c *fiber.Ctx, commune string) (*contactView, error) {
	h.contacts.expire() // a sheet is printed rarely, and must be exact
	h.refreshContacts(c.UserContext())
	return h.contactFor(commune), nil
}

// printCommune is the commune of the URL, within the officer's scope.
func (h *Handler) printCommune(c *fiber.Ctx) (*ansinh.Unit, error) {
	u, err := h.formCommune(c)
	if err != nil {
		return nil, err
	}
	if !currentUser(c).Sees(h.units, u.Code) {
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	return u, nil
}

func qrDataURL(content string, size int) (template.URL, error) {
	png, err := qrPNG(content, size)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

// PosterPage is the commune's A4 poster: a large code, three lines of instructions,
// the commune's contact (?sdt= puts another phone) and, when the Zalo OA is
// configured, its code too.
func (h *Handler) PosterPage(c *fiber.Ctx) error {
	u, err := h.printCommune(c)
	if err != nil {
		return err
	}
	phone := ansinh.NormalizePhone(c.Query("sdt"))
	if phone != "" && !ansinh.ValidPhone(phone) {
		return ansinh.FieldError("sdt", ansinh.MsgPhoneInvalid)
	}
	url := h.cfg.BaseURL + "/c/" + u.Code
	qr, err := qrDataURL(url, 800)
	if err != nil {
		return err
	}
	contact, err := h.printContact(c, u.Code)
	if err != nil {
		return err
	}
	if phone == "" {
		phone = contact.Phone
	}
	data := fiber.Map{"Title": "Áp phích " + u.Name, "Unit": u, "Authority": ansinh.CommuneAuthority(u), "QR": qr, "URL": url,
		"Phone": phone, "Contact": contact}
	if contact.ZaloOA != "" {
		if data["ZaloQR"], err = qrDataURL(contact.ZaloOA, 400); err != nil {
			return err
		}
	}
	return c.Render("print_poster", data, "print")
}

// CardsConfirmPage asks before minting: following a link must never create codes.
func (h *Handler) CardsConfirmPage(c *fiber.Ctx) error {
	u, err := h.printCommune(c)
	if err != nil {
		return err
	}
	return c.Render("print_cards_confirm", fiber.Map{"Title": "In giấy báo " + u.Name, "User": currentUser(c), "Unit": u})
}

// CardsPage prints a notice card with a new personal code for every beneficiary of the
// commune still without an account or a submission, and eligible to open one (a card
// to someone who cannot would only send them to the bank for nothing).
func (h *Handler) CardsPage(c *fiber.Ctx) error {
	u, err := h.printCommune(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var cards []noticeCard
	for skip := int64(0); ; skip += 1000 {
		list, _, err := h.store.Beneficiaries(ctx, ansinh.BeneficiaryQuery{Communes: []string{u.Code}, Skip: skip, Limit: 1000})
		if err != nil {
			return err
		}
		for _, b := range list {
			if b.Account != nil || !b.Eligible || b.Ineligible != nil || b.Commune != u.Code {
				continue
			}
			receipts, err := h.store.RegistrationReceipts(ctx, b.ID)
			if err != nil {
				return err
			}
			if len(receipts) > 0 {
				continue
			}
			token, exp, err := h.registrations.IssueToken(ctx, b.ID, currentUser(c).Username)
			if err != nil {
				return err
			}
			qr, err := qrDataURL(h.cfg.BaseURL+"/r/"+token, 240)
			if err != nil {
				return err
			}
			cards = append(cards, noticeCard{Salutation: salutation(b.Sex), Name: b.Name, Commune: u.Name, QR: qr,
				Expires: exp.In(vietnamTime).Format("02/01/2006")})
		}
		if len(list) < 1000 {
			break
		}
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionQRPrint, Unit: u.Code, Detail: map[string]any{"cards": len(cards)}}); err != nil {
		return err
	}
	contact, err := h.printContact(c, u.Code)
	if err != nil {
		return err
	}
	return c.Render("print_cards", fiber.Map{"Title": "Giấy báo " + u.Name, "Unit": u, "Authority": ansinh.CommuneAuthority(u), "Cards": cards,
		"Contact": contact}, "print")
}
