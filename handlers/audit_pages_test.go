package handlers_test

import (
	"encoding/csv"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ansinh"
)

// TestAuditPage: the province's officers and the admin read the audit trail, filtered
// by user, unit, action, record and date, and export it as CSV (audited, safe to open
// in a spreadsheet); nobody else opens it.
func TestAuditPage(t *testing.T) {
	e := staffEnv(t)
	manager := e.login("huyen941")
	e.do("POST", "/api/v1/users/xa31498/disable", manager, nil)
	e.do("POST", "/api/v1/users/xa31498/enable", manager, nil)
	e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "=cmd|' /C calc'!A0", "password": "whatever-password"})
	e.login("xa31569")

	for _, who := range []string{"huyen941", "xa31498", "ca.tinh"} {
		if r, _ := e.browser(who).get("/can-bo/nhat-ky"); r.StatusCode != 403 {
			t.Errorf("%s opens the audit page: %d", who, r.StatusCode)
		}
	}
	p := e.browser("so.ldtbxh")
	r, doc := p.get("/can-bo/nhat-ky")
	if r.StatusCode != 200 || doc.Find("#audit tbody tr").Length() < 6 {
		t.Fatalf("audit page: %d, %d rows", r.StatusCode, doc.Find("#audit tbody tr").Length())
	}
	count := func(q url.Values) (int, []string) {
		t.Helper()
		r, doc := p.get("/can-bo/nhat-ky?" + q.Encode())
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d %s", q.Encode(), r.StatusCode, text(doc, ".alert"))
		}
		return doc.Find("#audit tbody tr").Length(), doc.Find("#audit tbody tr").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-action", "") })
	}
	if n, actions := count(url.Values{"actor": {"HUYEN941"}, "action": {ansinh.ActionUserDisable}}); n != 1 || actions[0] != ansinh.ActionUserDisable {
		t.Errorf("huyen941's disables: %d %v", n, actions)
	}
	if n, actions := count(url.Values{"target": {"user:xa31498"}}); strings.Join(actions, ",") != "auth.login,user.enable,user.disable" || n != 3 {
		t.Errorf("events on user:xa31498: %v, want the disable, the enable and the login above", actions)
	}
	if n, actions := count(url.Values{"unit": {"942"}}); n != 1 || actions[0] != ansinh.ActionLogin {
		t.Errorf("events in district 942: %d %v, want xa31569's login", n, actions)
	}
	tomorrow := e.now().In(ansinh.Vietnam).AddDate(0, 0, 1).Format("2006-01-02")
	today := e.now().In(ansinh.Vietnam).Format("2006-01-02")
	if n, _ := count(url.Values{"from": {e.now().In(ansinh.Vietnam).AddDate(0, 0, 1).Format("02/01/2006")}}); n != 0 {
		t.Errorf("events from tomorrow: %d", n)
	}
	if n, _ := count(url.Values{"from": {today}, "to": {today}, "action": {ansinh.ActionUserEnable}}); n != 1 {
		t.Errorf("today's enables: %d", n)
	}
	for _, bad := range []url.Values{{"from": {"31/02/2026"}}, {"from": {tomorrow}, "to": {today}}, {"target": {"xa31498"}},
		{"unit": {"99999"}}, {"page": {"0"}}} {
		if r, doc := p.get("/can-bo/nhat-ky?" + bad.Encode()); r.StatusCode != 422 || text(doc, "#message") == "" {
			t.Errorf("%s: %d %q", bad.Encode(), r.StatusCode, text(doc, "#message"))
		}
	}

	x, _ := p.get("/can-bo/nhat-ky/xuat.csv?" + url.Values{"action": {ansinh.ActionLoginFailed}}.Encode())
	if x.StatusCode != 200 || !strings.HasPrefix(string(x.body), "\ufeff") {
		t.Fatalf("csv: %d %q", x.StatusCode, x.body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(x.body), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "Thời gian" || rows[1][4] != ansinh.ActionLoginFailed {
		t.Fatalf("csv rows %v, %v", rows, err)
	}
	if !strings.HasPrefix(rows[1][1], "'=") {
		t.Errorf("a formula in the csv: %q", rows[1][1])
	}
	evs := e.benAudit(ansinh.ActionAuditExport)
	if len(evs) != 1 || evs[0].Actor != "so.ldtbxh" || evs[0].Detail["filter_action"] != ansinh.ActionLoginFailed {
		t.Fatalf("the export audited: %+v", evs)
	}
	if r, _ := e.browser("huyen941").get("/can-bo/nhat-ky/xuat.csv"); r.StatusCode != 403 {
		t.Errorf("a district officer exports the audit: %d", r.StatusCode)
	}
}
