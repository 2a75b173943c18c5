package handlers

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
	"ansinh/report"
	"ansinh/sheet"
)

// ReportStore is what coverage history, reports and the payment list need.
type ReportStore interface {
	SubmitReport(ctx context.Context, r *ansinh.Report) error
	SubmittedReport(ctx context.Context, unit, month string) (*ansinh.Report, error)
	SubmittedReportIn(ctx context.Context, set, unit, month string) (*ansinh.Report, error)
	SnapshotCounts(ctx context.Context, period string) (map[string]ansinh.Counts, string, error)
	PaidCounts(ctx context.Context, month string) (map[string]ansinh.Counts, error)
	LatestPaidMonth(ctx context.Context, now time.Time) (string, error)
	EachPaymentRow(ctx context.Context, communes []string, program ansinh.Group, fn func(ansinh.PaymentRow) error) error
}

// coverageAt is the unit's coverage now, or on a past day (?date=YYYY-MM-DD) from the
// daily snapshots; of one programme with ?program=.
func (h *Handler) coverageAt(c *fiber.Ctx, unit, date string) (*ansinh.Coverage, error) {
	program, err := programParam(c)
	if err != nil {
		return nil, err
	}
	var counts map[string]ansinh.Counts
	month := ""
	if date == "" {
		counts, err = h.store.Counts(c.UserContext())
	} else {
		month = date[:min(7, len(date))]
		if _, perr := time.Parse("2006-01-02", date); perr != nil {
			return nil, ansinh.FieldError("date", ansinh.MsgDateFilter)
		}
		counts, err = h.snapshot(c, date)
		if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
			return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNoSnapshot)
		}
	}
	if err != nil {
		return nil, err
	}
	paid, month, err := h.paid(c, month)
	if err != nil {
		return nil, err
	}
	return h.coverageOf(unit, counts, program, paid, month), nil
}

// paid are the communes' paid counts of a payment month and the month: the month
// asked for, or else the latest month with payment results, or else this month in
// Vietnam (nobody paid yet).
func (h *Handler) paid(c *fiber.Ctx, month string) (map[string]ansinh.Counts, string, error) {
	if month == "" {
		latest, err := h.store.LatestPaidMonth(c.UserContext(), h.now())
		if err != nil {
			return nil, "", err
		}
		if month = latest; month == "" {
			month = h.now().In(ansinh.Vietnam).Format("2006-01")
		}
	}
	paid, err := h.store.PaidCounts(c.UserContext(), month)
	return paid, month, err
}

// snapshot returns the counts of a day or a month in today's communes: a snapshot
// taken before the store moved to the current unit set is carried over through the
// crosswalk (the people of a split commune to the root's unassigned).
func (h *Handler) snapshot(c *fiber.Ctx, period string) (map[string]ansinh.Counts, error) {
	counts, set, err := h.store.SnapshotCounts(c.UserContext(), period)
	if err != nil || set == h.sets.Current().ID {
		return counts, err
	}
	return ansinh.CarryCounts(h.sets, set, counts), nil
}

// coverage builds a unit's coverage against the configured target, counting the kinds
// of account each programme's setting counts (without paid counts).
func (h *Handler) coverage(unit string, counts map[string]ansinh.Counts, program ansinh.Group) *ansinh.Coverage {
	return h.coverageOf(unit, counts, program, nil, "")
}

// coverageOf is coverage with the paid counts of a payment month.
func (h *Handler) coverageOf(unit string, counts map[string]ansinh.Counts, program ansinh.Group, paid map[string]ansinh.Counts, month string) *ansinh.Coverage {
	return ansinh.BuildCoverageFor(h.units, unit, counts, ansinh.CoverageOptions{Target: h.cfg.Target, Program: program,
		Programs: h.cfg.Programs, Paid: paid, PaidMonth: month})
}

// programParam is ?program=BTXH|NCC|HTXH (or a word for one); empty: every programme.
func programParam(c *fiber.Ctx) (ansinh.Group, error) {
	v := strings.TrimSpace(c.Query("program"))
	if v == "" {
		return "", nil
	}
	g, msg := ansinh.ParseGroup(v)
	if msg != "" {
		return "", ansinh.FieldError("program", msg)
	}
	return g, nil
}

// report builds a unit's report for a month: frozen when submitted, live otherwise.
func (h *Handler) report(c *fiber.Ctx, unit string, month time.Time) (*ansinh.Report, error) {
	return h.reportIn(c, "", unit, month)
}

// reportIn builds the report of a unit of a set (empty: the current one): a unit of
// an older set has only its frozen reports.
func (h *Handler) reportIn(c *fiber.Ctx, set, unit string, month time.Time) (*ansinh.Report, error) {
	return report.Build(c.UserContext(), h.store, report.Options{Sets: h.sets, Set: set, Programs: h.cfg.Programs, Target: h.cfg.Target},
		unit, month, h.now())
}

// reportParams reads ?unit=&month= (default: this month) within the caller's scope.
func (h *Handler) reportParams(c *fiber.Ctx) (string, time.Time, error) {
	if _, err := h.scopeCommunes(c); err != nil {
		return "", time.Time{}, err
	}
	m := c.Query("month", h.now().In(ansinh.Vietnam).Format("2006-01"))
	month, err := ansinh.ParseMonth(m)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := ansinh.CheckReportMonth(month, h.now()); err != nil {
		return "", time.Time{}, err
	}
	return h.unitParam(c), month, nil
}

// MonthlyReport is GET /api/v1/reports/monthly?unit=&month=&format=json|xlsx|csv, and
// with &set= a report frozen in an older unit set (for officers of the whole province).
func (h *Handler) MonthlyReport(c *fiber.Ctx) error {
	var r *ansinh.Report
	var unit string
	set := strings.TrimSpace(c.Query("set"))
	if set == h.sets.Current().ID {
		set = ""
	}
	if set != "" {
		if _, ok := h.sets.Get(set); !ok {
			return ansinh.FieldError("set", ansinh.MsgUnitSetUnknown)
		}
		if currentUser(c).Unit != h.units.Root.Code {
			return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgUnitOutOfScope)
		}
		month, err := ansinh.ParseMonth(c.Query("month"))
		if err != nil {
			return err
		}
		unit = strings.TrimSpace(c.Query("unit"))
		if r, err = h.reportIn(c, set, unit, month); err != nil {
			return err
		}
	} else {
		var month time.Time
		var err error
		if unit, month, err = h.reportParams(c); err != nil {
			return err
		}
		if r, err = h.report(c, unit, month); err != nil {
			return err
		}
	}
	name := fmt.Sprintf("bao-cao-%s-%s", unit, r.Month)
	switch c.Query("format", "json") {
	case "json":
		return c.JSON(r)
	case "csv":
		b, err := report.CSV(r)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		return c.Send(b)
	case "xlsx":
		b, err := report.XLSXWith(r, report.HeadingFor(h.sets, set, unit))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
		return c.Send(b)
	}
	return ansinh.FieldError("format", ansinh.MsgFormat)
}

type submitReportRequest struct {
	Unit  string `json:"unit"`
	Month string `json:"month"`
}

// SubmitMonthlyReport freezes the caller's unit's report for a month.
func (h *Handler) SubmitMonthlyReport(c *fiber.Ctx) error {
	var req submitReportRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := h.submitReport(c, req.Unit, req.Month)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (h *Handler) submitReport(c *fiber.Ctx, unit, m string) (*ansinh.Report, error) {
	u := currentUser(c)
	if unit == "" {
		unit = u.Unit
	}
	// Only the unit's own officer sends its report: the commune (or, where districts
	// remain, the district) its own, the department the province's.
	own, _ := h.units.Get(u.Unit)
	if unit != u.Unit || own == nil || !h.units.Reports(own) ||
		!u.Role.Can(ansinh.ActSubmitReport) {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgReportNotYours)
	}
	month, err := ansinh.ParseMonth(m)
	if err != nil {
		return nil, err
	}
	if err := ansinh.CheckReportMonth(month, h.now()); err != nil {
		return nil, err
	}
	r, err := h.report(c, unit, month)
	if err != nil {
		return nil, err
	}
	if r.Status == ansinh.ReportSubmitted {
		return nil, &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgReportSent}
	}
	r.Status, r.SubmittedBy, r.SubmittedAt = ansinh.ReportSubmitted, u.Username, h.now()
	r.Late = !r.SubmittedAt.Before(r.Deadline)
	if err := h.store.SubmitReport(c.UserContext(), r); err != nil {
		return nil, err
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionReportSubmit, Target: "report:" + unit + ":" + r.Month, Unit: unit,
		Detail: map[string]any{"late": r.Late, "ratio": r.Coverage.Ratio}}); err != nil {
		return nil, err
	}
	return r, nil
}

// canExportPayments: the department and, where they remain, district offices; since
// July 2025 also the commune, which organises payment where it answers for the target.
func (h *Handler) canExportPayments(u *ansinh.User) bool {
	if !u.Role.Can(ansinh.ActPaymentList) {
		return false
	}
	if u.Role != ansinh.RoleCommune {
		return true
	}
	unit, ok := h.units.Get(u.Unit)
	return ok && h.units.Reports(unit)
}

// PaymentList is GET /api/v1/payments?unit=&format=csv|xlsx: the verified accounts of a
// unit for the payment-service organisation, with whole numbers (the one export that
// has them); province and district officers only; audited.
func (h *Handler) PaymentList(c *fiber.Ctx) error {
	u := currentUser(c)
	if !h.canExportPayments(u) {
		return ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	communes, err := h.scopeCommunes(c)
	if err != nil {
		return err
	}
	program, err := programParam(c)
	if err != nil {
		return err
	}
	if h.unitParam(c) == h.units.Root.Code {
		// People of a split old ward who wait for their commune are still paid: on the
		// city's list, not on a commune's, so that no two communes pay them.
		communes = append(communes, "")
	}
	format := c.Query("format", "csv")
	if format != "csv" && format != "xlsx" {
		return ansinh.FieldError("format", ansinh.MsgFormat)
	}
	counts, err := h.store.CountIn(c.UserContext(), communes)
	if err != nil {
		return err
	}
	if program != "" {
		counts = counts.Program(program)
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionPaymentList, Unit: h.unitParam(c),
		Detail: map[string]any{"rows": counts.WithAccount, "format": format, "program": string(program)}}); err != nil {
		return err
	}
	name := "danh-sach-chi-tra-" + h.unitParam(c) + "-" + h.now().In(ansinh.Vietnam).Format("20060102")
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
	} else {
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
	}
	h.stream(c, func(ctx context.Context, out io.Writer) error {
		var w rowWriter
		var err error
		if format == "csv" {
			w, err = newCSVRows(out)
		} else {
			w, err = sheet.NewXLSXWriter(out, 2, 9) // the CCCD and the account number stay text
		}
		if err != nil {
			return err
		}
		if err := w.Write("STT", "Họ tên", "Số CCCD", "Mã xã", "Xã", "Nhóm", "Mức hưởng", "Mã ngân hàng", "Ngân hàng", "Số tài khoản", "Chủ tài khoản", "Người nhận thay"); err != nil {
			return err
		}
		if err := flushed(w, out); err != nil {
			return err
		}
		n := 0
		err = h.store.EachPaymentRow(ctx, communes, program, func(r ansinh.PaymentRow) error {
			n++
			bank, _ := ansinh.BankByBIN(r.BankBIN)
			communeName := ansinh.UnassignedName
			if u, ok := h.units.Get(r.Commune); ok {
				communeName = u.Name
			}
			proxy := ""
			if r.Proxy {
				proxy = "có"
			}
			return w.Write(strconv.Itoa(n), r.Name, r.CCCD, r.Commune, communeName, r.Group,
				strconv.FormatInt(r.Amount, 10), r.BankBIN, bank.ShortName, r.AccountNumber, r.HolderName, proxy)
		})
		if err != nil {
			_ = w.Write(ansinh.MsgExportCut)
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	})
	return nil
}

// rowWriter is a streamed CSV or XLSX table.
type rowWriter interface {
	Write(cells ...string) error
	Flush() error
	Close() error
}

// csvRows is sheet.CSVWriter as a rowWriter.
type csvRows struct{ *sheet.CSVWriter }

func newCSVRows(w io.Writer) (rowWriter, error) {
	c, err := sheet.NewCSVWriter(w)
	return csvRows{c}, err
}

func (c csvRows) Close() error { return c.Flush() }
