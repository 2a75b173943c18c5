package handlers

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"ansinh"
	"ansinh/sheet"
)

// The audit page: who did what to which record, when and from where, for the
// province's officers and the admin; filtered by user, unit, action, record and
// date, and exported as CSV (the export itself audited).

const auditPageSize = 50

// auditQuery reads ?actor=&unit=&action=&target=&from=&to=&page= for the caller.
func (h *Handler) auditQuery(c *fiber.Ctx) (ansinh.AuditFilter, url.Values, int, error) {
	u := currentUser(c)
	v := url.Values{}
	for _, k := range []string{"actor", "unit", "action", "target", "from", "to"} {
		if s := strings.TrimSpace(c.Query(k)); s != "" {
			v.Set(k, utils.CopyString(s))
		}
	}
	var f ansinh.AuditFilter
	if !u.Role.Can(ansinh.ActAudit) {
		return f, v, 0, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	for _, k := range []string{"actor", "action", "target"} {
		if len(v.Get(k)) > 120 {
			return f, v, 0, ansinh.FieldError(k, ansinh.MsgAuditFilterTooLong)
		}
	}
	f.Actor, f.Action, f.Target = ansinh.NormalizeUsername(v.Get("actor")), v.Get("action"), v.Get("target")
	if f.Target != "" && !strings.Contains(f.Target, ":") {
		return f, v, 0, ansinh.FieldError("target", ansinh.MsgAuditFilterTarget)
	}
	unit := v.Get("unit")
	if unit == "" {
		unit = u.Unit
	}
	if _, ok := h.units.Get(unit); !ok || !u.Sees(h.units, unit) {
		return f, v, 0, ansinh.FieldError("unit", ansinh.MsgUnitOutOfScope)
	}
	if unit != h.units.Root.Code {
		f.Units = h.units.Subtree(unit)
	}
	for name, t := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if s := v.Get(name); s != "" {
			// A date field posts YYYY-MM-DD; typed where the browser has none, dd/mm/yyyy.
			d, err := time.ParseInLocation("2006-01-02", s, ansinh.Vietnam)
			if err != nil {
				d, err = time.ParseInLocation("02/01/2006", s, ansinh.Vietnam)
			}
			if err != nil {
				return f, v, 0, ansinh.FieldError(name, ansinh.MsgDateFilter)
			}
			*t = d
		}
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the whole day
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, v, 0, ansinh.FieldError("to", ansinh.MsgAuditDateOrder)
	}
	page := 1
	if p := c.Query("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return f, v, 0, ansinh.FieldError("page", ansinh.MsgPage)
		}
		page = n
	}
	return f, v, page, nil
}

// auditRow is one event as the page and the export show it.
type auditRow struct {
	At                         time.Time
	Actor, Role, Action, Label string
	Target, Unit, UnitName, IP string
	Detail                     string
}

func (h *Handler) auditRows(evs []*ansinh.AuditEvent) []auditRow {
	out := make([]auditRow, 0, len(evs))
	for _, e := range evs {
		r := auditRow{At: e.At, Actor: e.Actor, Role: e.Role.Label(), Action: e.Action, Label: ansinh.ActionLabel(e.Action),
			Target: e.Target, Unit: e.Unit, UnitName: e.Unit, IP: e.IP}
		if u, ok := h.units.Get(e.Unit); ok {
			r.UnitName = u.Name
		}
		if len(e.Detail) > 0 {
			keys := make([]string, 0, len(e.Detail))
			for k := range e.Detail {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			parts := make([]string, 0, len(keys))
			for _, k := range keys {
				b, _ := json.Marshal(e.Detail[k])
				parts = append(parts, k+"="+strings.Trim(string(b), `"`))
			}
			r.Detail = strings.Join(parts, " ")
		}
		out = append(out, r)
	}
	return out
}

// actionOption is one choice of the action filter.
type actionOption struct{ Code, Label string }

// AuditPage is /can-bo/nhat-ky.
func (h *Handler) AuditPage(c *fiber.Ctx) error {
	u := currentUser(c)
	var actions []actionOption
	for _, a := range ansinh.AuditActionList() {
		actions = append(actions, actionOption{a, ansinh.ActionLabel(a)})
	}
	f, v, page, err := h.auditQuery(c)
	data := fiber.Map{"Title": "Nhật ký thao tác", "User": u, "Units": h.unitOptions(u.Unit), "Actions": actions,
		"F": map[string]string{"actor": v.Get("actor"), "unit": v.Get("unit"), "action": v.Get("action"), "target": v.Get("target"),
			"from": v.Get("from"), "to": v.Get("to")}}
	if err != nil {
		if ansinh.ErrorCode(err) == ansinh.EFORBIDDEN {
			return err
		}
		status, e := classify(err)
		data["Errors"], data["Message"] = e.Fields, pageMessage(e)
		return c.Status(status).Render("audit", data)
	}
	total, err := h.store.CountAuditEvents(c.UserContext(), f)
	if err != nil {
		return err
	}
	f.Skip, f.Limit = int64(page-1)*auditPageSize, auditPageSize
	evs, err := h.store.AuditEvents(c.UserContext(), f)
	if err != nil {
		return err
	}
	data["Items"], data["Total"], data["Page"] = h.auditRows(evs), total, page
	link := func(p int) string {
		q := url.Values{}
		for k, x := range v {
			q[k] = x
		}
		q.Set("page", strconv.Itoa(p))
		return "/can-bo/nhat-ky?" + q.Encode()
	}
	if page > 1 {
		data["Prev"] = link(page - 1)
	}
	if int64(page)*auditPageSize < total {
		data["Next"] = link(page + 1)
	}
	data["ExportURL"] = "/can-bo/nhat-ky/xuat.csv?" + v.Encode()
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("audit", data)
}

// AuditCSV is /can-bo/nhat-ky/xuat.csv: the events of the filters, newest first (at
// most ansinh.MaxAuditRows), every cell safe to open in a spreadsheet; audited.
func (h *Handler) AuditCSV(c *fiber.Ctx) error {
	f, v, _, err := h.auditQuery(c)
	if err != nil {
		return err
	}
	f.Limit = ansinh.MaxAuditRows
	evs, err := h.store.AuditEvents(c.UserContext(), f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w, _ := sheet.NewCSVWriter(&buf)
	_ = w.Write("Thời gian", "Người thực hiện", "Vai trò", "Thao tác", "Mã thao tác", "Hồ sơ", "Mã đơn vị", "Đơn vị", "Địa chỉ mạng", "Chi tiết")
	for _, r := range h.auditRows(evs) {
		_ = w.Write(r.At.In(ansinh.Vietnam).Format("02/01/2006 15:04:05"), r.Actor, r.Role, r.Label, r.Action, r.Target, r.Unit, r.UnitName, r.IP, r.Detail)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	detail := map[string]any{"rows": len(evs), "format": "csv"}
	for k, x := range v {
		detail["filter_"+k] = x[0]
	}
	if err := h.audit(c, &ansinh.AuditEvent{Action: ansinh.ActionAuditExport, Unit: currentUser(c).Unit, Detail: detail}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="nhat-ky-`+h.now().In(ansinh.Vietnam).Format("20060102")+`.csv"`)
	return c.Send(buf.Bytes())
}
