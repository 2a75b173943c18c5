package handlers

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
	"ansinh/fold"
	"ansinh/registration"
	"ansinh/sheet"
)

// PaymentStore is what payment results need from the data layer.
type PaymentStore interface {
	registration.Payments
	PaymentResultOf(ctx context.Context, month, beneficiaryID string) (*ansinh.PaymentResult, bool, error)
	ReturnedAccounts(ctx context.Context, communes []string) ([]ansinh.Beneficiary, error)
	CurrentAccountIndex(ctx context.Context, beneficiaryID string) (string, error)
}

// paymentColumns are the columns of a payment result file and the headers they answer to.
var paymentColumns = map[string]string{
	"cccd": "cccd", "so_cccd": "cccd", "so_dinh_danh": "cccd",
	"ket_qua": "ket_qua", "trang_thai": "ket_qua", "result": "ket_qua",
	"so_tai_khoan": "so_tai_khoan", "account_number": "so_tai_khoan",
	"ly_do": "ly_do", "reason": "ly_do", "ghi_chu": "ly_do",
}

// PaymentResults reads a month's payment result file (multipart file, field month):
// each row confirms the person's account (a payment went through) or drops it (it came
// back). Rows of people outside the officer's unit are errors, as unknown people are.
func (h *Handler) PaymentResults(c *fiber.Ctx) error {
	u := currentUser(c)
	month := strings.TrimSpace(c.FormValue("month"))
	if !ansinh.ValidMonth(month) {
		return ansinh.FieldError("month", ansinh.MsgMonthInvalid)
	}
	month = utils.CopyString(month)
	fh, err := c.FormFile("file")
	if err != nil {
		return ansinh.FieldError("file", ansinh.MsgFileMissing)
	}
	if fh.Size > MaxImportBytes {
		return &ansinh.Error{Code: ansinh.ETOOLARGE, Message: ansinh.MsgFileTooLarge, Fields: map[string]string{"file": ansinh.MsgFileTooLarge}}
	}
	f, err := fh.Open()
	if err != nil {
		return ansinh.FieldError("file", ansinh.MsgFileUnreadable)
	}
	defer f.Close()
	rd, err := sheet.Open(f, fh.Size, "payment results")
	if err != nil {
		return ansinh.FieldError("file", ansinh.MsgFileUnreadable)
	}
	defer rd.Close()
	header, _, err := rd.Next()
	if err != nil {
		return ansinh.FieldError("file", ansinh.MsgFileUnreadable)
	}
	col := map[string]int{}
	shown := map[string]string{}
	for i, cell := range header {
		if name, ok := paymentColumns[fold.Key(cell)]; ok {
			if _, dup := col[name]; !dup {
				col[name], shown[name] = i, cell
			}
		}
	}
	if _, ok := col["cccd"]; !ok {
		return ansinh.FieldError("file", ansinh.MsgPaymentColumns)
	}
	if _, ok := col["ket_qua"]; !ok {
		return ansinh.FieldError("file", ansinh.MsgPaymentColumns)
	}
	cell := func(cells []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[i])
	}
	ctx := c.UserContext()
	rep := ansinh.PaymentReport{Errors: []ansinh.RowError{}}
	for {
		cells, row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ansinh.FieldError("file", ansinh.MsgFileUnreadable)
		}
		bad := func(name, msg string) {
			rep.Errors = append(rep.Errors, ansinh.RowError{Row: row, Column: shown[name], Message: msg})
		}
		changed, name, msg, err := h.paymentRow(ctx, u, month, cell(cells, "cccd"), cell(cells, "ket_qua"), cell(cells, "so_tai_khoan"), cell(cells, "ly_do"))
		switch {
		case err != nil:
			return err
		case msg != "":
			bad(name, msg)
		case !changed:
			rep.Unchanged++
		case ansinh.PaymentOutcome(fold.Key(cell(cells, "ket_qua"))) == ansinh.PaymentPaid:
			rep.Confirmed++
		default:
			rep.Returned++
		}
	}
	if err := h.store.Audit(ctx, &ansinh.AuditEvent{At: h.now(), Actor: u.Username, Role: u.Role, Action: ansinh.ActionPaymentResults,
		Target: "payments:" + month, Unit: u.Unit, IP: h.clientIP(c), Detail: map[string]any{"month": month, "file": utils.CopyString(fh.Filename),
			"confirmed": rep.Confirmed, "returned": rep.Returned, "unchanged": rep.Unchanged, "errors": len(rep.Errors)}}); err != nil {
		return err
	}
	return c.JSON(rep)
}

// paymentRow applies one row; a problem of the row is (column, message), an error is
// the store's.
func (h *Handler) paymentRow(ctx context.Context, u *ansinh.User, month, cccdCell, outcomeCell, accountCell, reason string) (bool, string, string, error) {
	cccd, msg := ansinh.NormalizeCCCD(cccdCell)
	if msg != "" {
		return false, "cccd", msg, nil
	}
	outcome := ansinh.PaymentOutcome(fold.Key(outcomeCell))
	if outcome == "" {
		return false, "ket_qua", ansinh.MsgPaymentOutcome, nil
	}
	b, err := h.store.Beneficiary(ctx, h.store.BeneficiaryID(cccd))
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND || (err == nil && !b.Within(h.units, u.Unit)) {
		return false, "cccd", ansinh.MsgPaymentNoPerson, nil // the same answer for both: no probing other units
	}
	if err != nil {
		return false, "", "", err
	}
	p := &ansinh.PaymentResult{Month: month, BeneficiaryID: b.ID, Commune: b.Commune, Group: b.Group, Result: outcome, Reason: truncate(reason, 200), At: h.now()}
	if had, _, err := h.store.PaymentResultOf(ctx, month, b.ID); err == nil {
		p.AccountIndex = had.AccountIndex // the same file again: the account it named then
	} else if ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		return false, "", "", err
	} else {
		if b.Account == nil {
			return false, "cccd", ansinh.MsgPaymentNoAccount, nil
		}
		if digits := onlyDigits(accountCell); digits != "" && !strings.HasSuffix(digits, b.Account.Last4) {
			return false, "so_tai_khoan", ansinh.MsgPaymentOtherAccount, nil
		}
		if p.AccountIndex, err = h.store.CurrentAccountIndex(ctx, b.ID); err != nil {
			return false, "", "", err
		}
	}
	changed, err := h.registrations.PaymentResult(ctx, h.store, p)
	if ansinh.ErrorCode(err) == ansinh.ECONFLICT {
		return false, "ket_qua", ansinh.ErrorMessage(err), nil
	}
	return changed, "", "", err
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
