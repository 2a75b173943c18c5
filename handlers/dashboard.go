package handlers

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// The province's (and, where they remain, the district's) view of the target: child
// units by gap to the target, the laggards, each programme with its department and
// deadlines, the month-by-month curve, the backlog, the reporting deadlines. Charts are
// server-rendered SVG: no script, readable when printed.

// DashboardPage is /can-bo/tong-quan?unit=.
func (h *Handler) DashboardPage(c *fiber.Ctx) error {
	if _, err := h.scopeCommunes(c); err != nil {
		return err
	}
	unit := h.unitParam(c)
	cov, err := h.coverageAt(c, unit, "")
	if err != nil {
		return err
	}
	rows := append([]*ansinh.Coverage(nil), cov.Children...)
	sort.SliceStable(rows, func(i, j int) bool { return gap(rows[i]) > gap(rows[j]) })
	var laggards []*ansinh.Coverage
	for _, r := range rows {
		if !r.MeetsTarget {
			laggards = append(laggards, r)
		}
	}
	curve, err := h.curve(c, unit)
	if err != nil {
		return err
	}
	movers, err := h.slowestMovers(c, unit, cov)
	if err != nil {
		return err
	}
	backlog, err := h.backlog(c)
	if err != nil {
		return err
	}
	u, _ := h.units.Get(unit)
	user := currentUser(c)
	data := fiber.Map{"Title": "Tổng quan " + cov.Name, "User": user, "Cov": cov, "Rows": rows, "Laggards": laggards,
		"Bars": template.HTML(barsSVG(rows, h.cfg.Target)), "Curve": template.HTML(curveSVG(curve, h.cfg.Target)), "Backlog": backlog,
		"Movers": movers, "Month": h.now().In(ansinh.Vietnam).Format("2006-01"), "Units": h.unitOptions(user.Unit), "Unit": unit,
		"Programs": h.programRows(cov, u), "CanPay": h.canExportPayments(user)}
	if h.units.Reports(u) {
		month, _ := ansinh.ParseMonth(h.now().In(ansinh.Vietnam).Format("2006-01"))
		r, err := h.report(c, unit, month)
		if err != nil {
			return err
		}
		data["Report"] = r
		data["CanSubmit"] = r.Status == ansinh.ReportDraft && unit == user.Unit &&
			user.Role.Can(ansinh.ActSubmitReport)
	}
	data["Notice"] = h.takeFlash(c)
	return c.Render("dashboard", data)
}

// SubmitReportForm sends this month's report from the dashboard.
func (h *Handler) SubmitReportForm(c *fiber.Ctx) error {
	if _, err := h.submitReport(c, "", c.FormValue("month")); err != nil {
		status, e := classify(err)
		if status >= 500 {
			return err
		}
		h.setFlash(c, e.Message)
		return c.Redirect("/can-bo/tong-quan", fiber.StatusSeeOther)
	}
	h.setFlash(c, ansinh.MsgReportSentNow)
	return c.Redirect("/can-bo/tong-quan", fiber.StatusSeeOther)
}

// mover is a unit's change in ratio since the start of the month.
type mover struct {
	Name   string
	Change float64 // in percentage points
}

// slowestMovers are the five child units whose ratio rose least this month, compared
// with the last month's closing snapshot; none when there is no such snapshot.
func (h *Handler) slowestMovers(c *fiber.Ctx, unit string, now *ansinh.Coverage) ([]mover, error) {
	t := h.now().In(ansinh.Vietnam)
	prev := time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, ansinh.Vietnam).Format("2006-01")
	counts, err := h.snapshot(c, prev)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	before := map[string]float64{}
	for _, ch := range h.coverage(unit, counts, now.Program).Children {
		before[ch.Unit] = ch.Ratio
	}
	var out []mover
	for _, ch := range now.Children {
		out = append(out, mover{Name: ch.Name, Change: (ch.Ratio - before[ch.Unit]) * 100})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Change < out[j].Change })
	return out[:min(5, len(out))], nil
}

// gap is how many more people need an account to reach the target.
func gap(c *ansinh.Coverage) int64 { return c.Gap() }

type curvePoint struct {
	Month string
	Ratio float64
}

// curve is the unit's ratio at the end of each of the last twelve months that have a
// snapshot.
func (h *Handler) curve(c *fiber.Ctx, unit string) ([]curvePoint, error) {
	now := h.now().In(ansinh.Vietnam)
	var out []curvePoint
	for i := 11; i >= 0; i-- {
		m := time.Date(now.Year(), now.Month()-time.Month(i), 1, 0, 0, 0, 0, ansinh.Vietnam).Format("2006-01")
		counts, err := h.snapshot(c, m)
		if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, curvePoint{Month: m, Ratio: h.coverage(unit, counts, "").Ratio})
	}
	return out, nil
}

// programRow is one programme's line on the dashboard.
type programRow struct {
	Program          ansinh.Group
	Name, Department string
	Cov              *ansinh.Coverage
	Deadline         time.Time // the unit's report of this programme is due before this day
	PaymentListDue   time.Time // zero: none
}

// programRows are each programme's figures for the unit, with the department it reports
// to and this month's deadlines.
func (h *Handler) programRows(cov *ansinh.Coverage, u *ansinh.Unit) []programRow {
	t := h.now().In(ansinh.Vietnam)
	month := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, ansinh.Vietnam)
	var out []programRow
	for _, g := range ansinh.Groups {
		p := ansinh.ProgramOf(h.cfg.Programs, g)
		row := programRow{Program: g, Name: g.Label(), Department: p.DepartmentOf(h.sets.Current()), Cov: cov.ForProgram(g),
			PaymentListDue: p.PaymentListDue(month)}
		if h.units.Reports(u) {
			row.Deadline = p.Deadline(u, month)
		}
		out = append(out, row)
	}
	return out
}

// barsSVG draws one bar per unit against the target line.
func barsSVG(rows []*ansinh.Coverage, target float64) string {
	const rowH, labelW, barW = 28, 190, 260
	h := rowH*len(rows) + 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="Tỷ lệ có tài khoản theo đơn vị">`, labelW+barW+60, h)
	for i, r := range rows {
		y := i*rowH + 4
		color := "#0b5d3b"
		if !r.MeetsTarget {
			color = "#a40000"
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13">%s</text>`, y+16, template.HTMLEscapeString(r.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="18" fill="%s"/>`, labelW, y+3, r.Ratio*barW, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%.1f%%</text>`, float64(labelW)+r.Ratio*barW+4, y+16, r.Ratio*100)
	}
	x := float64(labelW) + target*barW
	fmt.Fprintf(&b, `<line x1="%.1f" y1="0" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="4 3"/>`, x, x, h-18)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">mục tiêu %.0f%%</text>`, x-30, h-4, target*100)
	b.WriteString(`</svg>`)
	return b.String()
}

// curveSVG draws the ratio month by month.
func curveSVG(points []curvePoint, target float64) string {
	if len(points) == 0 {
		return ""
	}
	const w, h, left, bottom = 520, 200, 40, 30
	step := float64(w-left-20) / float64(max(1, len(points)-1))
	y := func(r float64) float64 { return float64(h-bottom) - r*float64(h-bottom-10) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="Tỷ lệ có tài khoản theo tháng">`, w, h)
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#000" stroke-dasharray="4 3"/>`, left, y(target), w-10, y(target))
	fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="11">%.0f%%</text>`, y(target)+4, target*100)
	var pts []string
	for i, p := range points {
		x := float64(left) + float64(i)*step
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y(p.Ratio)))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#0b5d3b"/>`, x, y(p.Ratio))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>`, x, h-10, p.Month[5:]+"/"+p.Month[2:4])
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">%.0f%%</text>`, x, y(p.Ratio)-6, p.Ratio*100)
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#0b5d3b" stroke-width="2"/>`, strings.Join(pts, " "))
	b.WriteString(`</svg>`)
	return b.String()
}
