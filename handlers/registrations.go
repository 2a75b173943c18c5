package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/skip2/go-qrcode"

	"ansinh"
	"ansinh/vietqr"
)

// SubmitRegistration is POST /api/v1/registrations: a submission from another client
// (or a script), with the same rules as the form.
func (h *Handler) SubmitRegistration(c *fiber.Ctx) error {
	if len(c.Body()) > maxJSONBytes {
		return ansinh.Errorf(ansinh.ETOOLARGE, ansinh.MsgTooLarge)
	}
	var req ansinh.RegistrationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	receipt, _, err := h.registrations.Submit(c.UserContext(), &req, ansinh.ChannelAPI)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"receipt": receipt, "status": ansinh.StatusPending})
}

// RegistrationStatus is GET /api/v1/registrations/:receipt: public, since the receipt
// is unguessable, and without personal data.
func (h *Handler) RegistrationStatus(c *fiber.Ctx) error {
	r, err := h.registrations.Status(c.UserContext(), c.Params("receipt"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"receipt": r.Receipt, "status": r.Status, "reason": r.Reason})
}

// BeneficiaryQR issues a personal QR code for a beneficiary in the caller's scope.
func (h *Handler) BeneficiaryQR(c *fiber.Ctx) error {
	b, err := h.scopedBeneficiary(c, false)
	if err != nil {
		return err
	}
	token, exp, err := h.registrations.IssueToken(c.UserContext(), b.ID, currentUser(c).Username)
	if err != nil {
		return err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionQRIssue, Target: "beneficiary:" + b.ID, Unit: b.Commune}); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"url": h.cfg.BaseURL + "/r/" + token, "token": token, "expires_at": exp.UTC()})
}

// RevokeQR revokes a personal code of a beneficiary in the caller's scope.
func (h *Handler) RevokeQR(c *fiber.Ctx) error {
	t, err := h.registrations.TokenInfo(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	b, err := h.store.Beneficiary(c.UserContext(), t.BeneficiaryID)
	if err != nil {
		return err
	}
	if !b.Within(h.units, currentUser(c).Unit) {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	if err := h.registrations.RevokeToken(c.UserContext(), t, currentUser(c).Username); err != nil {
		return err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionQRRevoke, Target: "beneficiary:" + b.ID, Unit: b.Commune}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// CommuneQR is the PNG of a commune's code, pointing at its form.
func (h *Handler) CommuneQR(c *fiber.Ctx) error {
	code := strings.TrimSuffix(c.Params("file"), ".png")
	u, ok := h.units.Get(code)
	if !ok || !u.Leaf() || u.Parent == "" {
		return ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	png, err := qrPNG(h.cfg.BaseURL+"/c/"+u.Code, 512)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(png)
}

func qrPNG(content string, size int) ([]byte, error) {
	return qrcode.Encode(content, qrcode.Medium, size)
}

// maxJSONBytes bounds a public JSON body: a registration is well under 2 KB.
const maxJSONBytes = 16 << 10

type vietqrRequest struct {
	Payload string `json:"payload"`
}

// DecodeVietQR reads bank and account from a VietQR image (multipart "image") or
// payload text (JSON {"payload"}).
func (h *Handler) DecodeVietQR(c *fiber.Ctx) error {
	var p *vietqr.Payload
	if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		fh, err := c.FormFile("image")
		if err != nil {
			return ansinh.FieldError("image", ansinh.MsgVietQRUnreadable)
		}
		if fh.Size > maxImageBytes {
			return &ansinh.Error{Code: ansinh.ETOOLARGE, Message: ansinh.MsgImageTooLarge, Fields: map[string]string{"image": ansinh.MsgImageTooLarge}}
		}
		file, err := fh.Open()
		if err != nil {
			return ansinh.FieldError("image", ansinh.MsgVietQRUnreadable)
		}
		defer file.Close()
		if p, err = decodeVietQR(file); err != nil {
			return fieldOf("image", err)
		}
	} else {
		if len(c.Body()) > maxJSONBytes {
			return ansinh.Errorf(ansinh.ETOOLARGE, ansinh.MsgTooLarge)
		}
		var req vietqrRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		var err error
		if p, err = vietqr.Parse(req.Payload); err != nil {
			return ansinh.FieldError("payload", ansinh.MsgVietQRInvalid)
		}
	}
	bank, ok := ansinh.BankByBIN(p.BIN)
	if !ok {
		return ansinh.FieldError("payload", ansinh.MsgBankUnknown)
	}
	return c.JSON(fiber.Map{"bin": p.BIN, "bank": bank.ShortName, "bank_name": bank.Name, "account_number": p.AccountNumber})
}

// fieldOf names the field a domain error belongs to.
func fieldOf(field string, err error) error {
	return &ansinh.Error{Code: ansinh.ErrorCode(err), Message: ansinh.ErrorMessage(err), Fields: map[string]string{field: ansinh.ErrorMessage(err)}}
}
