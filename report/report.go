// Package report builds the monthly report on coverage (SPEC §3, §4.6): a live
// draft until the unit submits it, then frozen; and writes it as CSV or XLSX.
package report

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"ansinh"
	"ansinh/sheet"
)

// Source is where a report's figures come from.
type Source interface {
	SubmittedReport(ctx context.Context, unit, month string) (*ansinh.Report, error)
	Counts(ctx context.Context) (map[string]ansinh.Counts, error)
}

// Build returns a unit's report for a month: the frozen one when the unit submitted
// it, otherwise a draft from the live counters; with the deadline, lateness, and the
// status of the units below that report too.
func Build(ctx context.Context, src Source, units *ansinh.Units, unit string, month, now time.Time) (*ansinh.Report, error) {
	u, ok := units.Get(unit)
	if !ok || !units.Reports(u) {
		return nil, ansinh.FieldError("unit", ansinh.MsgReportUnit)
	}
	key := month.Format("2006-01")
	r, err := src.SubmittedReport(ctx, unit, key)
	if err != nil {
		return nil, err
	}
	if r == nil {
		counts, err := src.Counts(ctx)
		if err != nil {
			return nil, err
		}
		r = &ansinh.Report{Unit: unit, Month: key, Status: ansinh.ReportDraft, Coverage: ansinh.BuildCoverage(units, unit, counts)}
	}
	r.Name, r.Deadline = u.Name, ansinh.ReportDeadline(u, month)
	r.Late = r.Late || (r.Status == ansinh.ReportDraft && !now.Before(r.Deadline))
	for _, child := range u.Children {
		if !units.Reports(child) {
			continue
		}
		sub, err := src.SubmittedReport(ctx, child.Code, key)
		if err != nil {
			return nil, err
		}
		st := ansinh.ReportStatus{Unit: child.Code, Name: child.Name, Deadline: ansinh.ReportDeadline(child, month)}
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
	"Tỷ lệ có tài khoản", "Tỷ lệ trên số đủ điều kiện", "Đạt 30%"}

func reportRow(c *ansinh.Coverage) []any {
	meets := "Chưa đạt"
	if c.MeetsTarget {
		meets = "Đạt"
	}
	return []any{c.Name, c.Unit, c.Beneficiaries, c.WithAccount, c.Proxy, c.NotEligible, c.Ratio, c.EligibleRatio, meets}
}

// CSV writes a report as CSV (UTF-8 with a BOM, a totals row).
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
	_ = w.Write(fmt.Sprintf("Báo cáo tháng %s – %s", r.Month[5:]+"/"+r.Month[:4], r.Name))
	_ = w.Write(reportColumns...)
	for _, ch := range r.Coverage.Children {
		_ = w.Write(cells(reportRow(ch))...)
	}
	total := reportRow(r.Coverage)
	total[0] = "Tổng cộng"
	_ = w.Write(cells(total)...)
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// XLSX writes the report as a workbook: a summary sheet of the unit's children
// with a totals row, and for a province a sheet of every commune.
func XLSX(r *ansinh.Report) ([]byte, error) {
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
	title := fmt.Sprintf("Báo cáo tháng %s – %s", r.Month[5:]+"/"+r.Month[:4], r.Name)
	status := "Bản nháp (số liệu đang cập nhật)"
	if r.Status == ansinh.ReportSubmitted {
		status = fmt.Sprintf("Đã gửi lúc %s bởi %s", r.SubmittedAt.In(ansinh.Vietnam).Format("15:04 02/01/2006"), r.SubmittedBy)
	}
	writeSheet := func(name string, rows []*ansinh.Coverage, total *ansinh.Coverage) error {
		idx, err := f.NewSheet(name)
		if err != nil {
			return err
		}
		_ = idx
		_ = f.SetCellStr(name, "A1", title)
		_ = f.SetCellStr(name, "A2", status)
		_ = f.SetCellStyle(name, "A1", "A1", bold)
		header := make([]any, len(reportColumns))
		for i, h := range reportColumns {
			header[i] = h
		}
		if err := f.SetSheetRow(name, "A4", &header); err != nil {
			return err
		}
		_ = f.SetRowStyle(name, 4, 4, bold)
		row := 5
		for _, c := range rows {
			cells := reportRow(c)
			cells[0] = sheet.EscapeFormula(c.Name)
			if err := f.SetSheetRow(name, "A"+strconv.Itoa(row), &cells); err != nil {
				return err
			}
			row++
		}
		if total != nil {
			cells := reportRow(total)
			cells[0] = "Tổng cộng"
			if err := f.SetSheetRow(name, "A"+strconv.Itoa(row), &cells); err != nil {
				return err
			}
			_ = f.SetRowStyle(name, row, row, bold)
		}
		_ = f.SetCellStyle(name, "G5", "H"+strconv.Itoa(row), pct)
		_ = f.SetColWidth(name, "A", "A", 30)
		_ = f.SetColWidth(name, "B", "I", 16)
		return nil
	}
	if err := writeSheet("Tổng hợp", r.Coverage.Children, r.Coverage); err != nil {
		return nil, err
	}
	var communes []*ansinh.Coverage
	for _, ch := range r.Coverage.Children {
		communes = append(communes, ch.Children...)
	}
	if len(communes) > 0 {
		if err := writeSheet("Chi tiết xã", communes, nil); err != nil {
			return nil, err
		}
	}
	if len(r.Reports) > 0 {
		const name = "Tình hình báo cáo"
		if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		_ = f.SetCellStr(name, "A1", title)
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
