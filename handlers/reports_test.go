package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ansinh"
	"ansinh/store"
)

func TestCoverageAddsUpAndIsScoped(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-report-001"))
	e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil)
	var cov ansinh.Coverage
	e.do("GET", "/api/v1/coverage?unit=94", e.login("so.ldtbxh"), nil).decode(&cov)
	if cov.Beneficiaries != 3 || cov.WithAccount != 1 || cov.Ratio != 0.3333 || !cov.MeetsTarget || len(cov.Children) != 11 {
		t.Fatalf("province: %+v", cov)
	}
	var check func(c *ansinh.Coverage)
	check = func(c *ansinh.Coverage) {
		if len(c.Children) == 0 {
			return
		}
		var sum ansinh.Counts
		for _, ch := range c.Children {
			sum = sum.Add(ch.Counts)
			check(ch)
		}
		if sum != c.Counts {
			t.Errorf("%s: children add up to %+v, not %+v", c.Unit, sum, c.Counts)
		}
	}
	check(&cov)
	district := e.login("huyen941")
	for _, path := range []string{"/api/v1/coverage?unit=942", "/api/v1/reports/monthly?unit=942", "/api/v1/coverage?unit=94", "/api/v1/payments?unit=942"} {
		if r := e.do("GET", path, district, nil); r.StatusCode != 403 {
			t.Errorf("district 941 reads %s: %d", path, r.StatusCode)
		}
	}
	if r := e.do("GET", "/api/v1/coverage?unit=941", district, nil); r.StatusCode != 200 {
		t.Fatalf("own district: %d", r.StatusCode)
	}
}

func TestMonthlyReportDraftSubmitAndFreeze(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	month := e.now().In(ansinh.Vietnam).Format("2006-01")
	district := e.login("huyen941")
	var r ansinh.Report
	e.do("GET", "/api/v1/reports/monthly?unit=941&month="+month, district, nil).decode(&r)
	if r.Status != ansinh.ReportDraft || r.Coverage.Beneficiaries != 2 || r.Deadline.Day() != 13 {
		t.Fatalf("draft: %+v", r)
	}
	if rr := e.do("POST", "/api/v1/reports/monthly/submit", e.login("xa31498"), map[string]string{"month": month}); rr.StatusCode != 403 {
		t.Fatalf("a commune officer submits: %d", rr.StatusCode)
	}
	if rr := e.do("POST", "/api/v1/reports/monthly/submit", district, map[string]string{"unit": "942", "month": month}); rr.StatusCode != 403 {
		t.Fatalf("a district submits another's: %d", rr.StatusCode)
	}
	if rr := e.do("POST", "/api/v1/reports/monthly/submit", district, map[string]string{"month": "2999-01"}); rr.StatusCode != 422 {
		t.Fatalf("a future month: %d", rr.StatusCode)
	}
	sub := e.do("POST", "/api/v1/reports/monthly/submit", district, map[string]string{"month": month})
	if sub.StatusCode != 201 {
		t.Fatalf("submit: %d %s", sub.StatusCode, sub.body)
	}
	if rr := e.do("POST", "/api/v1/reports/monthly/submit", district, map[string]string{"month": month}); rr.StatusCode != 409 {
		t.Fatalf("second submit: %d", rr.StatusCode)
	}
	// Frozen: a verification afterwards moves the live figures, not the report.
	_, receipt := e.submit(validRegistration("key-report-002"))
	e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil)
	e.do("GET", "/api/v1/reports/monthly?unit=941&month="+month, district, nil).decode(&r)
	if r.Status != ansinh.ReportSubmitted || r.Coverage.WithAccount != 0 || r.SubmittedBy != "huyen941" {
		t.Fatalf("frozen report: %+v", r)
	}
	// The province's report lists the districts' status.
	var prov ansinh.Report
	e.do("GET", "/api/v1/reports/monthly?unit=94&month="+month, e.login("so.ldtbxh"), nil).decode(&prov)
	if prov.Deadline.Day() != 15 || len(prov.Reports) != 11 || prov.Coverage.WithAccount != 1 {
		t.Fatalf("province report: %+v", prov)
	}
	sent := 0
	for _, s := range prov.Reports {
		if s.Submitted {
			sent++
			if s.Unit != "941" {
				t.Errorf("submitted: %s", s.Unit)
			}
		}
	}
	if sent != 1 {
		t.Fatalf("%d districts sent", sent)
	}
	if evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: ansinh.ActionReportSubmit}); len(evs) != 1 {
		t.Fatalf("report submissions audited: %d", len(evs))
	}
}

func TestReportXLSXAndCSV(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	prov := e.login("so.ldtbxh")
	x := e.do("GET", "/api/v1/reports/monthly?unit=94&format=xlsx", prov, nil)
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if x.StatusCode != 200 || err != nil {
		t.Fatalf("xlsx: %d %v", x.StatusCode, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if strings.Join(sheets, ",") != "Tổng hợp,BTXH,HTXH,NCC,Chi tiết xã,Tình hình báo cáo" {
		t.Fatalf("sheets %v", sheets)
	}
	// A sheet per programme, headed by the department its report goes to.
	// A sheet per programme, issued by and addressed to the department its report goes
	// to, under the national motto, signed at the end.
	for sheet, dept := range map[string]string{"BTXH": "Sở Y tế tỉnh Sóc Trăng", "HTXH": "Sở Y tế tỉnh Sóc Trăng", "NCC": "Sở Nội vụ tỉnh Sóc Trăng"} {
		rows, _ := f.GetRows(sheet)
		tab := reportSheet(rows)
		if !strings.Contains(tab.heading, "Kính gửi: "+dept) || !strings.Contains(tab.heading, strings.ToUpper(dept)) ||
			!strings.Contains(tab.heading, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") || !strings.Contains(tab.heading, "BÁO CÁO") ||
			strings.Contains(tab.heading, "Lao động") || !strings.Contains(tab.signature, "THỦ TRƯỞNG ĐƠN VỊ") {
			t.Errorf("sheet %s: heading %q, signature %q, want %q", sheet, tab.heading, tab.signature, dept)
		}
	}
	rows, _ := f.GetRows("Tổng hợp")
	tab := reportSheet(rows)
	last := tab.body[len(tab.body)-1]
	if !strings.Contains(tab.heading, "Tỉnh Sóc Trăng") || tab.header[0] != "Đơn vị" || last[0] != "Tổng cộng" || last[2] != "3" || len(tab.body) != 11+1 {
		t.Fatalf("summary sheet: heading %q, header %v, last %v, %d rows", tab.heading, tab.header, last, len(tab.body))
	}
	communes, _ := f.GetRows("Chi tiết xã")
	if n := len(reportSheet(communes).body); n != 109 {
		t.Fatalf("commune sheet has %d rows", n)
	}
	c := e.do("GET", "/api/v1/reports/monthly?unit=94&format=csv", prov, nil)
	body := string(c.body)
	if !strings.HasPrefix(body, "\ufeff") || !strings.Contains(body, "Tổng cộng,94,3,0,0,0,0.00%") {
		t.Fatalf("csv: %s", body)
	}
	if r := e.do("GET", "/api/v1/reports/monthly?unit=94&format=pdf", prov, nil); r.StatusCode != 422 {
		t.Fatalf("unknown format: %d", r.StatusCode)
	}
	if r := e.do("GET", "/api/v1/reports/monthly?unit=31498", prov, nil); r.StatusCode != 422 {
		t.Fatalf("a commune's report: %d", r.StatusCode)
	}
}

func TestPaymentListHasWholeNumbersForOfficersOnly(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-pay-000001"))
	e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil)
	for _, who := range []string{"xa31498", "ca.tinh", "admin"} {
		if r := e.do("GET", "/api/v1/payments?unit=94", e.login(who), nil); r.StatusCode != 403 {
			t.Errorf("%s reads the payment list: %d", who, r.StatusCode)
		}
	}
	r := e.do("GET", "/api/v1/payments?unit=941&format=csv", e.login("huyen941"), nil)
	if r.StatusCode != 200 || !strings.Contains(string(r.body), "123456789012") || !strings.Contains(string(r.body), sauCCCD) {
		t.Fatalf("payment list: %d %s", r.StatusCode, r.body)
	}
	if evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: ansinh.ActionPaymentList}); len(evs) != 1 || evs[0].Actor != "huyen941" ||
		fmt.Sprint(evs[0].Detail["rows"]) != "1" {
		t.Fatalf("payment list audited: %+v", evs)
	}
	// The workbook is streamed too: it opens, with the numbers as text.
	x := e.do("GET", "/api/v1/payments?unit=941&format=xlsx", e.login("huyen941"), nil)
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if x.StatusCode != 200 || err != nil {
		t.Fatalf("payment workbook: %d %v", x.StatusCode, err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Sheet1")
	if len(rows) != 2 || rows[0][2] != "Số CCCD" || rows[1][2] != sauCCCD || rows[1][9] != "123456789012" {
		t.Fatalf("payment workbook rows %q", rows)
	}
	if style, _ := f.GetCellStyle("Sheet1", "J2"); style == 0 {
		t.Fatal("the account number is not formatted as text")
	}
	if evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: ansinh.ActionPaymentList}); len(evs) != 2 {
		t.Fatalf("workbook not audited: %d events", len(evs))
	}
}

func TestCoverageOnAPastDay(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	if err := e.store.Snapshot(context.Background(), e.now()); err != nil {
		t.Fatal(err)
	}
	day := e.now().In(ansinh.Vietnam).Format("2006-01-02")
	_, receipt := e.submit(validRegistration("key-past-00001"))
	e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil)
	prov := e.login("so.ldtbxh")
	var past, now ansinh.Coverage
	e.do("GET", "/api/v1/coverage?unit=94&date="+day, prov, nil).decode(&past)
	e.do("GET", "/api/v1/coverage?unit=94", prov, nil).decode(&now)
	if past.WithAccount != 0 || now.WithAccount != 1 {
		t.Fatalf("past %d, now %d", past.WithAccount, now.WithAccount)
	}
	if r := e.do("GET", "/api/v1/coverage?unit=94&date=2001-01-01", prov, nil); r.StatusCode != 404 {
		t.Fatalf("a day without a snapshot: %d", r.StatusCode)
	}
}

func TestDashboardPage(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	e.store.Snapshot(context.Background(), e.now().AddDate(0, -1, 0)) // last month's close
	e.store.Snapshot(context.Background(), e.now())
	p := e.browser("huyen941")
	r, doc := p.get("/can-bo/tong-quan")
	if r.StatusCode != 200 || doc.Find("svg").Length() < 1 || doc.Find("#units tbody tr").Length() != 10 || text(doc, "#report-status") == "" ||
		doc.Find("#movers li").Length() != 5 {
		t.Fatalf("dashboard: %d, %d svg, %d rows", r.StatusCode, doc.Find("svg").Length(), doc.Find("#units tbody tr").Length())
	}
	r, _ = p.post("/can-bo/tong-quan/gui-bao-cao", map[string][]string{"month": {e.now().In(ansinh.Vietnam).Format("2006-01")}, "confirm": {"1"}})
	if r.StatusCode != 303 {
		t.Fatalf("submit from the page: %d", r.StatusCode)
	}
	_, doc = p.get("/can-bo/tong-quan")
	if !strings.HasPrefix(text(doc, "#report-status"), "Đã gửi") {
		t.Fatalf("after submitting: %q", text(doc, "#report-status"))
	}
	x, _ := p.get("/can-bo/tong-quan/bao-cao?format=xlsx")
	if x.StatusCode != 200 || !bytes.HasPrefix(x.body, []byte("PK")) {
		t.Fatalf("xlsx from the page: %d", x.StatusCode)
	}
}

// sheetParts is a report sheet cut into its heading (the lines above the table), the
// table's header and body, and the signature block below it.
type sheetParts struct {
	heading, signature string
	header             []string
	body               [][]string
}

func reportSheet(rows [][]string) sheetParts {
	var p sheetParts
	i := 0
	for ; i < len(rows) && (len(rows[i]) == 0 || rows[i][0] != "Đơn vị"); i++ {
		p.heading += strings.Join(rows[i], " ") + "\n"
	}
	if i < len(rows) {
		p.header = rows[i]
	}
	for i++; i < len(rows) && len(rows[i]) > 0 && rows[i][0] != ""; i++ {
		p.body = append(p.body, rows[i])
	}
	for ; i < len(rows); i++ {
		p.signature += strings.Join(rows[i], " ") + "\n"
	}
	return p
}
