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
	Name    string
	Commune string
	QR      template.URL
	Expires string
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

// PosterPage is the commune's A4 poster: a large code, three lines of instructions
// and the officer's phone (?sdt=).
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
	return c.Render("print_poster", fiber.Map{"Title": "Áp phích " + u.Name, "Unit": u, "Authority": ansinh.CommuneAuthority(u), "QR": qr, "URL": url, "Phone": phone}, "print")
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
// commune without an account or a submission.
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
			if b.Account != nil {
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
			cards = append(cards, noticeCard{Name: b.Name, Commune: u.Name, QR: qr, Expires: exp.In(vietnamTime).Format("02/01/2006")})
		}
		if len(list) < 1000 {
			break
		}
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionQRPrint, Unit: u.Code, Detail: map[string]any{"cards": len(cards)}}); err != nil {
		return err
	}
	return c.Render("print_cards", fiber.Map{"Title": "Giấy báo " + u.Name, "Unit": u, "Authority": ansinh.CommuneAuthority(u), "Cards": cards}, "print")
}
