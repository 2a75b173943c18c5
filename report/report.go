// Package report builds the monthly report on coverage (SPEC §3, §4.6): a live
// draft until the unit submits it, then frozen; and writes it as CSV or XLSX.
package report

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"ansinh"
	"ansinh/sheet"
)

// Source is where a report's figures come from.
type Source interface {
	// SubmittedReportIn returns the frozen report of a unit of the set, or nil.
	SubmittedReportIn(ctx context.Context, set, unit, month string) (*ansinh.Report, error)
	Counts(ctx context.Context) (map[string]ansinh.Counts, error)
	// PaidCounts are the communes' people paid through an account in a payment month.
	PaidCounts(ctx context.Context, month string) (map[string]ansinh.Counts, error)
}

// Options are the settings a report depends on.
type Options struct {
	Sets     *ansinh.UnitSets
	Set      string // the unit set of the unit asked for; empty: the current one
	Programs map[ansinh.Group]ansinh.Program
	Target   float64
}

// Build returns a unit's report for a month: the frozen one when the unit submitted
// it, otherwise a draft from the live counters; with each programme's figures,
// department and deadline, lateness, and the status of the units below that report
// too. A unit of another set than the current one has only its frozen reports.
func Build(ctx context.Context, src Source, opt Options, unit string, month, now time.Time) (*ansinh.Report, error) {
	set := opt.Sets.Current()
	if opt.Set != "" {
		var ok bool
		if set, ok = opt.Sets.Get(opt.Set); !ok {
			return nil, ansinh.FieldError("set", ansinh.MsgUnitSetUnknown)
		}
	}
	current := set == opt.Sets.Current()
	units := set.Units
	u, ok := units.Get(unit)
	if !ok || !units.Reports(u) {
		return nil, ansinh.FieldError("unit", ansinh.MsgReportUnit)
	}
	key := month.Format("2006-01")
	r, err := src.SubmittedReportIn(ctx, set.ID, unit, key)
	if err != nil {
		return nil, err
	}
	if r == nil {
		if !current {
			return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgReportOtherSet)
		}
		counts, err := src.Counts(ctx)
		if err != nil {
			return nil, err
		}
		paid, err := src.PaidCounts(ctx, key) // the report's month is its payment month
		if err != nil {
			return nil, err
		}
		r = &ansinh.Report{Unit: unit, Month: key, Status: ansinh.ReportDraft,
			Coverage: ansinh.BuildCoverageFor(units, unit, counts, ansinh.CoverageOptions{Target: opt.Target, Programs: opt.Programs,
				Paid: paid, PaidMonth: key})}
	}
	r.UnitSet, r.Name = set.ID, u.Name
	r.Programs = nil
	for _, g := range ansinh.Groups {
		if g == ansinh.GroupHTXH && month.Before(ansinh.SocialPensionStart) && r.Coverage.HTXH == 0 {
			continue // the social pension began in July 2025
		}
		p := ansinh.ProgramOf(opt.Programs, g)
		pr := ansinh.ProgramReport{Program: g, Name: g.Label(), Department: p.DepartmentOf(set), Deadline: p.Deadline(u, month),
			Coverage: r.Coverage.ForProgram(g), PaymentListDue: p.PaymentListDue(month)}
		r.Programs = append(r.Programs, pr)
		if r.Deadline.IsZero() || pr.Deadline.Before(r.Deadline) {
			r.Deadline = pr.Deadline
		}
	}
	r.Late = r.Late || (r.Status == ansinh.ReportDraft && !now.Before(r.Deadline))
	r.Reports = nil
	for _, child := range u.Children {
		if !units.Reports(child) {
			continue
		}
		sub, err := src.SubmittedReportIn(ctx, set.ID, child.Code, key)
		if err != nil {
			return nil, err
		}
		st := ansinh.ReportStatus{Unit: child.Code, Name: child.Name, Deadline: ansinh.ReportDeadlineOf(opt.Programs, child, month)}
		if sub != nil {
			st.Submitted, st.SubmittedAt, st.Late = true, sub.SubmittedAt, sub.Late
		} else {
			st.Overdue = !now.Before(st.Deadline)
		}
		r.Reports = append(r.Reports, st)
	}
	return r, nil
}

// reportColumns head every report table.
var reportColumns = []string{"Đơn vị", "Mã", "Số đối tượng", "Có tài khoản", "Trong đó nhận thay", "Không đủ điều kiện (nhận trực tiếp)",
	"Tỷ lệ có tài khoản", "Tỷ lệ trên số đủ điều kiện", "Đạt mục tiêu", "Đã nhận tiền thành công qua tài khoản (từ trước đến nay)",
	"Nhận tiền qua tài khoản trong tháng", "Tài khoản ngân hàng", "Ví điện tử, Mobile Money", "Tài khoản liên kết VNeID"}

func reportRow(c *ansinh.Coverage) []any {
	meets := "Chưa đạt"
	if c.MeetsTarget {
		meets = "Đạt"
	}
	k := c.AccountsByKind
	return []any{c.Name, c.Unit, c.Beneficiaries, c.WithAccount, c.Proxy, c.NotEligible, c.Ratio, c.EligibleRatio, meets,
		c.ConfirmedByPayment, c.PaidThisMonth, k[ansinh.KindBank], k[ansinh.KindWallet], k[ansinh.KindVNeID]}
}

// rows are the lines of a report table: the children, the people waiting for a
// commune's choice, and the total.
func rows(cov *ansinh.Coverage) [][]any {
	var out [][]any
	for _, ch := range cov.Children {
		out = append(out, reportRow(ch))
	}
	if cov.Unassigned != nil {
		row := reportRow(cov.Unassigned)
		row[1], row[8] = "", ""
		out = append(out, row)
	}
	total := reportRow(cov)
	total[0] = "Tổng cộng"
	return append(out, total)
}

func title(r *ansinh.Report) string {
	return fmt.Sprintf("Báo cáo tháng %s – %s", r.Month[5:]+"/"+r.Month[:4], r.Name)
}

// Chains says where each programme's report goes.
func Chains(r *ansinh.Report) string {
	var parts []string
	for _, p := range r.Programs {
		parts = append(parts, fmt.Sprintf("%s: %s, trước ngày %s", p.Name, p.Department, p.Deadline.Format("02/01/2006")))
	}
	return "Nơi nhận báo cáo – " + strings.Join(parts, "; ")
}

// CSV writes a report as CSV (UTF-8 with a BOM): the units with a totals row, then
// each programme's totals with the department it reports to.
func CSV(r *ansinh.Report) ([]byte, error) {
	var buf bytes.Buffer
	w, err := sheet.NewCSVWriter(&buf)
	if err != nil {
		return nil, err
	}
	cells := func(row []any) []string {
		out := make([]string, len(row))
		for i, v := range row {
			switch x := v.(type) {
			case float64:
				out[i] = strconv.FormatFloat(x*100, 'f', 2, 64) + "%"
			default:
				out[i] = fmt.Sprint(x)
			}
		}
		return out
	}
	_ = w.Write(title(r))
	_ = w.Write(reportColumns...)
	for _, row := range rows(r.Coverage) {
		_ = w.Write(cells(row)...)
	}
	for _, p := range r.Programs {
		row := reportRow(p.Coverage)
		row[0], row[1] = "Trong đó: "+p.Name, string(p.Program)
		_ = w.Write(cells(row)...)
	}
	if len(r.Programs) > 0 {
		_ = w.Write(Chains(r))
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Heading is what the official heading and the signature block of a report's sheets
// say beyond its figures (Decree 30/2020 on the form of administrative documents).
type Heading struct {
	Superior string // the issuer's superior, in capitals ("UBND THÀNH PHỐ CẦN THƠ"); empty: none
	Issuer   string // the unit that issues the report, in capitals ("UBND PHƯỜNG SÓC TRĂNG"); empty: the departments of the programmes
	Place    string // where it is signed ("Cần Thơ")
}

// HeadingOf is the heading of a unit's report: a commune's or a district's People's
// Committee under its parent's, the province's departments under the province's.
func HeadingOf(u, parent *ansinh.Unit, place string) Heading {
	h := Heading{Place: place}
	if parent != nil {
		h.Superior = strings.ToUpper("UBND " + parent.Name)
		h.Issuer = strings.ToUpper("UBND " + u.Name)
	} else {
		h.Superior = strings.ToUpper("UBND " + u.Name)
	}
	return h
}

// HeadingFor is the heading of the report of a unit of a set (empty: the current one),
// signed where the issuer sits: the province's name for the departments, the unit's
// own name below it.
func HeadingFor(sets *ansinh.UnitSets, set, unit string) Heading {
	us := sets.Current()
	if set != "" {
		if s, ok := sets.Get(set); ok {
			us = s
		}
	}
	u, ok := us.Units.Get(unit)
	if !ok {
		return Heading{Place: unit}
	}
	if u.Parent == "" {
		return HeadingOf(u, nil, ansinh.PlaceName(u))
	}
	parent, _ := us.Units.Get(u.Parent)
	return HeadingOf(u, parent, u.Name)
}

// SignedDate is the date line under the national motto: the day it was sent, or
// blanks for the signer to fill in on a draft.
func SignedDate(r *ansinh.Report, place string) string {
	if r.Status == ansinh.ReportSubmitted {
		t := r.SubmittedAt.In(ansinh.Vietnam)
		return fmt.Sprintf("%s, ngày %02d tháng %02d năm %d", place, t.Day(), int(t.Month()), t.Year())
	}
	return fmt.Sprintf("%s, ngày …… tháng …… năm %s", place, r.Month[:4])
}

// Subject is the report's title line under "BÁO CÁO".
func Subject(r *ansinh.Report, program string) string {
	s := "Kết quả mở và đăng ký tài khoản nhận chi trả an sinh xã hội tháng " + strings.TrimPrefix(r.Month[5:], "0") + "/" + r.Month[:4]
	if program != "" {
		s += " – " + program
	}
	return s
}

// XLSX writes the report with the heading of a report sent without a unit's context
// (the issuer named from the report alone).
func XLSX(r *ansinh.Report) ([]byte, error) {
	return XLSXWith(r, Heading{Place: r.Name})
}

// XLSXWith writes the report as a workbook: a summary sheet of the unit's children with
// a totals row, a sheet per programme addressed to the department it reports to, for
// a three-tier province a sheet of every commune, and who has reported. Each sheet
// opens with the official heading (issuer, national motto, place and date, "BÁO CÁO",
// the recipient) and ends with the signature block of its author and the head of the
// unit.
func XLSXWith(r *ansinh.Report, hd Heading) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	center, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return nil, err
	}
	title14, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return nil, err
	}
	italic, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return nil, err
	}
	status := "Bản nháp (số liệu đang cập nhật, chưa gửi)"
	if r.Status == ansinh.ReportSubmitted {
		status = fmt.Sprintf("Đã gửi và chốt số liệu lúc %s, người gửi: %s", r.SubmittedAt.In(ansinh.Vietnam).Format("15:04 02/01/2006"), r.SubmittedBy)
	}
	var depts []string // each department once, in the programmes' order
	for _, p := range r.Programs {
		if !slices.Contains(depts, p.Department) {
			depts = append(depts, p.Department)
		}
	}
	departments := func() string { return strings.ToUpper(strings.Join(depts, " – ")) }
	// Columns A–C hold the issuer, F–I the motto; the table spans A–I.
	writeSheet := func(name, heading, recipient, program string, table [][]any, lastBold bool) error {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		issuer := hd.Issuer
		if issuer == "" {
			issuer = departments()
			if program != "" { // a programme's sheet is the department's own report
				issuer = strings.ToUpper(recipient)
			}
		}
		line := func(row int, from, to, text string, style int) {
			cell := from + strconv.Itoa(row)
			_ = f.SetCellStr(name, cell, text)
			_ = f.MergeCell(name, cell, to+strconv.Itoa(row))
			_ = f.SetCellStyle(name, cell, cell, style)
		}
		if hd.Superior != "" && hd.Superior != issuer {
			line(1, "A", "C", hd.Superior, center)
			line(2, "A", "C", issuer, center)
		} else {
			line(1, "A", "C", issuer, center)
		}
		line(1, "E", "I", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", center)
		line(2, "E", "I", "Độc lập – Tự do – Hạnh phúc", center)
		line(4, "E", "I", SignedDate(r, hd.Place), italic)
		line(6, "A", "I", "BÁO CÁO", title14)
		line(7, "A", "I", Subject(r, program), center)
		line(8, "A", "I", heading, italic)
		line(9, "A", "I", status, italic)
		_ = f.SetCellStr(name, "A10", "Kính gửi: "+recipient)
		header := make([]any, len(reportColumns))
		for i, h := range reportColumns {
			header[i] = h
		}
		const first = 12
		if err := f.SetSheetRow(name, "A"+strconv.Itoa(first), &header); err != nil {
			return err
		}
		_ = f.SetRowStyle(name, first, first, bold)
		row := first + 1
		for _, cells := range table {
			cells[0] = sheet.EscapeFormula(fmt.Sprint(cells[0]))
			if err := f.SetSheetRow(name, "A"+strconv.Itoa(row), &cells); err != nil {
				return err
			}
			row++
		}
		if lastBold {
			_ = f.SetRowStyle(name, row-1, row-1, bold)
		}
		_ = f.SetCellStyle(name, "G"+strconv.Itoa(first+1), "H"+strconv.Itoa(row), pct)
		_ = f.SetColWidth(name, "A", "A", 34)
		_ = f.SetColWidth(name, "B", "N", 16)
		// The signature block: who drew it up, and the head of the unit.
		sign := row + 2
		line(sign, "A", "C", "NGƯỜI LẬP BIỂU", center)
		line(sign+1, "A", "C", "(Ký, ghi rõ họ tên)", italic)
		line(sign, "E", "I", "THỦ TRƯỞNG ĐƠN VỊ", center)
		line(sign+1, "E", "I", "(Ký, ghi rõ họ tên, đóng dấu)", italic)
		if r.SubmittedBy != "" {
			line(sign+5, "A", "C", r.SubmittedBy, center)
		}
		return nil
	}
	if err := writeSheet("Tổng hợp", title(r)+" · "+Chains(r), strings.Join(depts, "; "), "", rows(r.Coverage), true); err != nil {
		return nil, err
	}
	for _, p := range r.Programs {
		heading := fmt.Sprintf("%s – %s · gửi %s trước ngày %s", title(r), p.Name, p.Department, p.Deadline.Format("02/01/2006"))
		if !p.PaymentListDue.IsZero() {
			heading += fmt.Sprintf(" · danh sách chi trả gửi tổ chức dịch vụ chi trả trước ngày %s", p.PaymentListDue.Format("02/01/2006"))
		}
		if err := writeSheet(string(p.Program), heading, p.Department, p.Name, rows(p.Coverage), true); err != nil { // sheet names: 31 characters at most
			return nil, err
		}
	}
	var communes [][]any
	for _, ch := range r.Coverage.Children {
		for _, cc := range ch.Children {
			communes = append(communes, reportRow(cc))
		}
	}
	if len(communes) > 0 {
		if err := writeSheet("Chi tiết xã", title(r), strings.Join(depts, "; "), "", communes, false); err != nil {
			return nil, err
		}
	}
	if len(r.Reports) > 0 {
		const name = "Tình hình báo cáo"
		if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		_ = f.SetCellStr(name, "A1", title(r))
		_ = f.SetSheetRow(name, "A3", &[]any{"Đơn vị", "Hạn", "Đã gửi", "Gửi lúc", "Trễ hạn"})
		for i, st := range r.Reports {
			sent, at, late := "Chưa", "", ""
			if st.Submitted {
				sent, at = "Đã gửi", st.SubmittedAt.In(ansinh.Vietnam).Format("15:04 02/01/2006")
			}
			if st.Late || st.Overdue {
				late = "Trễ"
			}
			_ = f.SetSheetRow(name, "A"+strconv.Itoa(i+4), &[]any{st.Name, st.Deadline.Format("02/01/2006"), sent, at, late})
		}
	}
	_ = f.DeleteSheet("Sheet1")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
