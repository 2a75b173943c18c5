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
	board, err := h.board(c, u, cov, backlog)
	if err != nil {
		return err
	}
	covs := make([]*ansinh.Coverage, len(board.Rows))
	for i, r := range board.Rows {
		covs[i] = r.Coverage
	}
	data := fiber.Map{"Title": "Tổng quan " + cov.Name, "User": user, "Cov": cov, "Board": board, "Rows": board.Rows,
		"Bars": template.HTML(barsSVG(covs, h.cfg.Target)), "Curve": template.HTML(curveSVG(curve, h.cfg.Target)),
		"Movers": movers, "Month": h.now().In(ansinh.Vietnam).Format("2006-01"), "Units": h.unitOptions(user.Unit), "Unit": unit,
		"Programs": h.programRows(cov, u), "CanPay": h.canExportPayments(user), "Leaf": u.Leaf()}
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

// unitRow is one unit of the dashboard's table: its figures against the target, the
// submissions waiting there, and for a commune its officer's phone.
type unitRow struct {
	*ansinh.Coverage
	Gap           int64 // more people with an account to reach the target
	Missing       int64 // eligible people without an account
	NotRegistered int64 // of them, those with no submission waiting either (an estimate: a waiting submission may replace an account)
	Pending       int
	OldestDays    int
	Leaf          bool
	Officer       string // a commune officer's username, and the phone they gave
	Phone         string
}

// Lagging: people live there and not enough of them have an account.
func (r unitRow) Lagging() bool { return r.Beneficiaries > 0 && !r.MeetsTarget }

// dashboard is what the headline and the tables of the dashboard say.
type dashboard struct {
	Gap, GapAll     int64   // the unit's own shortfall to the target, and to every eligible person
	Missing         int64   // eligible people without an account
	NotRegistered   int64   // of them, with no submission waiting
	Pending         int     // submissions waiting in the unit
	PendingCommunes int     // communes with one waiting
	OldestDays      int     // the longest wait
	IfVerified      float64 // the ratio if every waiting submission were verified (at most)
	PendingCovers   bool    // verifying the waiting ones would reach the target
	Rows            []unitRow
	Lagging         int       // child units below the target
	LaggingLeaves   []unitRow // below a district: the communes under the target (a province with districts)
	MoreLagging     int       // lagging communes beyond those listed
}

// board builds the dashboard of unit u from its coverage and the backlog of its
// communes: the headline, the quick wins, one row per child unit and, where the
// children are districts, the communes under the target.
func (h *Handler) board(c *fiber.Ctx, u *ansinh.Unit, cov *ansinh.Coverage, backlog []backlogView) (*dashboard, error) {
	pending := map[string]backlogView{}
	for _, b := range backlog {
		pending[b.Commune] = b
	}
	d := &dashboard{Gap: cov.Gap(), GapAll: max(0, cov.Eligible-cov.WithAccount)}
	d.Missing = d.GapAll
	for _, b := range backlog {
		d.Pending += b.Pending
		d.PendingCommunes++
		d.OldestDays = max(d.OldestDays, b.OldestDays)
	}
	d.NotRegistered = max(0, d.Missing-int64(d.Pending))
	if cov.Beneficiaries > 0 {
		d.IfVerified = min(1, float64(cov.WithAccount+int64(min(int64(d.Pending), d.Missing)))/float64(cov.Beneficiaries))
	}
	d.PendingCovers = d.Gap > 0 && int64(d.Pending) >= d.Gap
	leaves := []string{}
	row := func(cc *ansinh.Coverage) unitRow {
		r := unitRow{Coverage: cc, Gap: cc.Gap(), Missing: max(0, cc.Eligible-cc.WithAccount)}
		if unit, ok := h.units.Get(cc.Unit); ok && unit.Leaf() {
			r.Leaf = true
			leaves = append(leaves, cc.Unit)
		}
		for _, code := range h.units.Leaves(cc.Unit) {
			if b, ok := pending[code]; ok {
				r.Pending += b.Pending
				r.OldestDays = max(r.OldestDays, b.OldestDays)
			}
		}
		r.NotRegistered = max(0, r.Missing-int64(r.Pending))
		return r
	}
	for _, cc := range cov.Children {
		r := row(cc)
		if r.Lagging() {
			d.Lagging++
		}
		d.Rows = append(d.Rows, r)
	}
	sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Gap > d.Rows[j].Gap })
	if len(cov.Children) > 0 && !u.Leaf() && len(leaves) == 0 {
		// Children are districts: the communes under the target, the largest shortfall first.
		var lag []unitRow
		for _, dc := range cov.Children {
			for _, cc := range dc.Children {
				if !cc.MeetsTarget && cc.Beneficiaries > 0 {
					lag = append(lag, row(cc))
				}
			}
		}
		sort.SliceStable(lag, func(i, j int) bool { return lag[i].Gap > lag[j].Gap })
		if len(lag) > maxLaggingListed {
			d.MoreLagging, lag = len(lag)-maxLaggingListed, lag[:maxLaggingListed]
		}
		d.LaggingLeaves = lag
	}
	if err := h.officerPhones(c, leaves, d.Rows, d.LaggingLeaves); err != nil {
		return nil, err
	}
	return d, nil
}

// maxLaggingListed bounds the list of communes under the target on a province's
// dashboard.
const maxLaggingListed = 30

// officerPhones fills in, for each commune row, whom to call: the commune's contact,
// the name and phone the commune's officer keeps for the public pages (so that the
// dashboard and the poster give one number); where the commune has none, an enabled
// commune officer who gave a phone (the first by username): one read of the
// communes' accounts.
func (h *Handler) officerPhones(c *fiber.Ctx, leaves []string, lists ...[]unitRow) error {
	if len(leaves) == 0 {
		return nil
	}
	h.refreshContacts(c.UserContext())
	users, err := h.store.Users(c.UserContext(), leaves)
	if err != nil {
		return err
	}
	officer := map[string]*ansinh.User{}
	for _, u := range users {
		if u.Role == ansinh.RoleCommune && !u.Disabled && u.Phone != "" && officer[u.Unit] == nil {
			officer[u.Unit] = u
		}
	}
	for _, list := range lists {
		for i := range list {
			if ct := h.contacts.get(list[i].Unit); !ct.Empty() {
				list[i].Officer, list[i].Phone = ct.Name, ct.Phone
			} else if o := officer[list[i].Unit]; o != nil {
				list[i].Officer, list[i].Phone = o.Username, o.Phone
			}
		}
	}
	return nil
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
	// Confirmed: the share whose account a payment has confirmed by the month's end;
	// Paid: the share paid through an account in that payment month.
	Confirmed, Paid float64
}

// curve is the unit's ratio at the end of each of the last twelve months that have a
// snapshot, with the shares confirmed by payment and paid through an account in the
// month (its paid counters).
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
		paid, _, err := h.paid(c, m)
		if err != nil {
			return nil, err
		}
		cov := h.coverageOf(unit, counts, "", paid, m)
		out = append(out, curvePoint{Month: m, Ratio: cov.Ratio, Confirmed: ansinh.Ratio(cov.ConfirmedByPayment, cov.Beneficiaries),
			Paid: cov.PaidRatio()})
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
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%s</text>`, float64(labelW)+r.Ratio*barW+4, y+16, ansinh.FormatPercent(r.Ratio, 1))
	}
	x := float64(labelW) + target*barW
	fmt.Fprintf(&b, `<line x1="%.1f" y1="0" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="4 3"/>`, x, x, h-18)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">mục tiêu %s</text>`, x-30, h-4, ansinh.FormatPercent(target, 0))
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
	fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="11">%s</text>`, y(target)+4, ansinh.FormatPercent(target, 0))
	var pts, confirmed, paid []string
	for i, p := range points {
		x := float64(left) + float64(i)*step
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y(p.Ratio)))
		confirmed = append(confirmed, fmt.Sprintf("%.1f,%.1f", x, y(p.Confirmed)))
		paid = append(paid, fmt.Sprintf("%.1f,%.1f", x, y(p.Paid)))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#0b5d3b"/>`, x, y(p.Ratio))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>`, x, h-10, strings.TrimPrefix(p.Month[5:], "0")+"/"+p.Month[:4])
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">%s</text>`, x, y(p.Ratio)-6, ansinh.FormatPercent(p.Ratio, 0))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#0b5d3b" stroke-width="2"/>`, strings.Join(pts, " "))
	// Beside "has an account": confirmed by a payment (dashed) and paid through an
	// account in the month (dotted), each named in the legend.
	fmt.Fprintf(&b, `<polyline class="confirmed" points="%s" fill="none" stroke="#1f4e99" stroke-width="2" stroke-dasharray="6 3"/>`, strings.Join(confirmed, " "))
	fmt.Fprintf(&b, `<polyline class="paid" points="%s" fill="none" stroke="#8a4b00" stroke-width="2" stroke-dasharray="2 3"/>`, strings.Join(paid, " "))
	fmt.Fprintf(&b, `<text x="%d" y="10" font-size="10" fill="#0b5d3b">%s</text>`, left, ansinh.MsgCurveWithAccount)
	fmt.Fprintf(&b, `<text x="%d" y="10" font-size="10" fill="#1f4e99">%s</text>`, left+90, ansinh.MsgCurveConfirmed)
	fmt.Fprintf(&b, `<text x="%d" y="10" font-size="10" fill="#8a4b00">%s</text>`, left+270, ansinh.MsgCurvePaid)
	b.WriteString(`</svg>`)
	return b.String()
}
