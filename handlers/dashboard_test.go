package handlers_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ansinh"
)

// dashboardEnv: the staff of staffEnv, the three beneficiaries (two in Phường 5 of
// district 941, one in Châu Thành's 31569), a pending submission in Phường 5, and a
// commune officer of Phường 5 who gave a phone.
func dashboardEnv(t *testing.T) *env {
	e := staffEnv(t)
	e.withBeneficiaries()
	e.submit(validRegistration("key-dash-00001"))
	if _, err := ansinh.CreateUser(context.Background(), e.store, &ansinh.NewUser{Username: "xa31498.lan", Password: "xa31498.lan-password",
		Role: ansinh.RoleCommune, Unit: "31498", Phone: "0912345678"}, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestDashboardHeadline: the district's headline says its own shortfall to the target
// and to every eligible person, the quick win of the waiting submissions, and per
// commune the people not yet registered and the officer's phone, in Vietnamese
// number formats; no list twice.
func TestDashboardHeadline(t *testing.T) {
	e := dashboardEnv(t)
	_, doc := e.browser("huyen941").get("/can-bo/tong-quan")
	for sel, want := range map[string]string{
		"#headline-target": "⚠ Thành phố Sóc Trăng cần thêm 1 người có tài khoản để đạt 30\u00a0%.",
		"#headline-all":    "Để 100\u00a0% người đủ điều kiện có tài khoản: cần thêm 2 người.",
		"#ratio":           "0,00\u00a0%",
		"#if-verified":     "50,00\u00a0%",
	} {
		if got := strings.Join(strings.Fields(text(doc, sel)), " "); got != strings.Join(strings.Fields(want), " ") {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if got := text(doc, "#pending"); !strings.Contains(got, "1 hồ sơ đang chờ duyệt") || !strings.Contains(got, "Chỉ cần duyệt các hồ sơ này là đủ đạt 30") {
		t.Errorf("quick wins: %q", got)
	}
	if got := text(doc, "#not-registered"); !strings.HasPrefix(got, "1 người đủ điều kiện chưa có tài khoản và chưa gửi đăng ký") {
		t.Errorf("not registered: %q", got)
	}
	row := doc.Find(`#units tr[data-unit="31498"]`)
	if got := strings.Join(strings.Fields(row.Find("td.officer").Text()), " "); got != "xa31498.lan: 0912345678" {
		t.Errorf("Phường 5's officer: %q", got)
	}
	// Once the commune keeps a contact for the public pages, the dashboard gives that
	// one number too.
	v := contactValues("Nguyễn Thị Lan", "0299 382 1234", "7 giờ – 17 giờ, thứ Hai đến thứ Sáu")
	v.Set("unit", "31498")
	if r, _ := e.browser("xa31498").post("/can-bo/lien-he", v); r.StatusCode != 303 {
		t.Fatalf("the commune's contact: %d", r.StatusCode)
	}
	_, contactDoc := e.browser("huyen941").get("/can-bo/tong-quan")
	if got := strings.Join(strings.Fields(contactDoc.Find(`#units tr[data-unit="31498"] td.officer`).Text()), " "); got != "Nguyễn Thị Lan: 02993821234" {
		t.Errorf("Phường 5's contact on the dashboard: %q", got)
	}
	if doc.Find("#units tbody tr").First().AttrOr("data-unit", "") != "31498" {
		t.Errorf("the largest shortfall is not first: %q", doc.Find("#units tbody tr").First().Text())
	}
	// The backlog and the laggards live in the table: no second list of them.
	if doc.Find("#laggards").Length() != 0 || strings.Count(doc.Find("main").Text(), "Hồ sơ chờ xã duyệt") != 0 {
		t.Error("the dashboard lists the laggards or the backlog a second time")
	}

	// A commune's dashboard is not empty: its own headline, the quick win, the
	// people to reach.
	_, doc = e.browser("xa31498").get("/can-bo/tong-quan")
	if got := text(doc, "#headline-target"); !strings.Contains(got, "Phường 5 cần thêm 1 người") {
		t.Errorf("the commune's headline: %q", got)
	}
	if !strings.Contains(text(doc, "#pending"), "1 hồ sơ đang chờ duyệt") || doc.Find(`#not-registered a[href="/can-bo/qr/31498/giay-bao"]`).Length() != 1 {
		t.Errorf("the commune's quick wins: %q / %q", text(doc, "#pending"), text(doc, "#not-registered"))
	}

	// The province (with districts): the communes under the target, with whom to call
	// (Phường 5's contact since it keeps one).
	_, doc = e.browser("so.ldtbxh").get("/can-bo/tong-quan")
	lag := doc.Find("#lagging-communes tbody tr")
	if lag.Length() != 2 || lag.First().AttrOr("data-unit", "") != "31498" || !strings.Contains(lag.First().Text(), "02993821234") {
		t.Errorf("lagging communes: %d %q", lag.Length(), lag.Text())
	}
	if got := text(doc, "#headline-target"); !strings.Contains(got, "cần thêm 1 người") {
		t.Errorf("the province's headline: %q", got)
	}
}

// TestReportPreviewAndConfirmation: the report page shows the report as it will be
// frozen; sending it needs the confirmation (nothing is frozen without it); once sent
// (post, redirect, get) it says so and the XLSX carries the heading and the signer.
func TestReportPreviewAndConfirmation(t *testing.T) {
	e := dashboardEnv(t)
	month := e.now().In(ansinh.Vietnam).Format("2006-01")
	w, _ := e.webBrowser("huyen941", "huyen941-password")
	r := w.send("GET", "/can-bo/bao-cao", nil)
	_, doc := w.parse(r)
	heading := doc.Find("#preview .official-head").Text()
	if r.StatusCode != 200 || !strings.Contains(heading, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") || !strings.Contains(heading, "UBND THÀNH PHỐ SÓC TRĂNG") ||
		!strings.Contains(heading, "UBND TỈNH SÓC TRĂNG") {
		t.Fatalf("preview: %d heading %q", r.StatusCode, heading)
	}
	if got := doc.Find("#report-total td").First().Text(); got != "2" {
		t.Errorf("the total's beneficiaries: %q", got)
	}
	if doc.Find(`#submit-report input[type=checkbox][name=confirm][required]`).Length() != 1 {
		t.Fatal("no confirmation on the preview")
	}
	r = w.send("POST", "/can-bo/bao-cao/gui", url.Values{"month": {month}})
	_, doc = w.parse(r)
	if r.StatusCode != 422 || text(doc, "#message") != ansinh.MsgReportConfirm {
		t.Fatalf("without the confirmation: %d %q", r.StatusCode, text(doc, "#message"))
	}
	if rep := e.do("GET", "/api/v1/reports/monthly?unit=941&month="+month, e.login("huyen941"), nil); !strings.Contains(string(rep.body), `"status":"draft"`) {
		t.Fatalf("the report froze without the confirmation: %s", rep.body)
	}
	r = w.send("POST", "/can-bo/bao-cao/gui", url.Values{"month": {month}, "confirm": {"1"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/bao-cao?month="+month {
		t.Fatalf("send: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	_, doc = w.parse(w.send("GET", r.Header.Get("Location"), nil))
	if text(doc, ".notice[role=status]") != ansinh.MsgReportSentNow || !strings.Contains(text(doc, "#report-status"), "Đã gửi") ||
		doc.Find("#submit-report").Length() != 0 {
		t.Fatalf("after sending: %q / %q", text(doc, ".notice"), text(doc, "#report-status"))
	}
	if evs := e.benAudit(ansinh.ActionReportSubmit); len(evs) != 1 || evs[0].Actor != "huyen941" {
		t.Fatalf("the sending audited: %+v", evs)
	}
	x := w.send("GET", "/can-bo/tong-quan/bao-cao?month="+month+"&format=xlsx", nil)
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Tổng hợp")
	tab := reportSheet(rows)
	if !strings.Contains(tab.heading, "UBND THÀNH PHỐ SÓC TRĂNG") || !strings.Contains(tab.heading, "Thành phố Sóc Trăng, ngày") ||
		!strings.Contains(tab.signature, "NGƯỜI LẬP BIỂU") || !strings.Contains(tab.signature, "huyen941") {
		t.Fatalf("xlsx heading %q, signature %q", tab.heading, tab.signature)
	}
	// Another district's report is out of reach.
	if r := w.send("GET", "/can-bo/bao-cao?unit=942", nil); r.StatusCode != 403 {
		t.Fatalf("another district's report: %d", r.StatusCode)
	}
}
