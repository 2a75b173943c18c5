package handlers_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ansinh"
)

// todayEnv is the city of cityEnv, as a fresh start without configuration serves it,
// with its operator too.
func todayEnv(t *testing.T) *env {
	t.Helper()
	e := cityEnv(t)
	e.addUser("admin", ansinh.RoleAdmin, "92")
	return e
}

// cityPeople stores people of every programme in Phường Sóc Trăng (31507) and Phường
// Cái Khế (31120), and one from the split Bùi Hữu Nghĩa waiting for a commune.
func (e *env) cityPeople() {
	e.t.Helper()
	person := func(cccd, commune string, g ansinh.Group, account bool) *ansinh.ImportRow {
		b := ansinh.Beneficiary{Name: "Người Thử " + cccd[8:], CCCD: cccd, CCCDLast4: cccd[8:], BirthDate: "1945-03-05",
			Sex: ansinh.SexMale, Commune: commune, Group: g, Amount: 500_000, Eligible: true}
		if account {
			b.Account = &ansinh.Account{BankBIN: "970405", Number: "1234567" + cccd[7:], Last4: cccd[8:],
				HolderName: ansinh.HolderName(b.Name), Source: ansinh.SourceImport}
		}
		return &ansinh.ImportRow{Beneficiary: b, EligibleGiven: true}
	}
	rows := []*ansinh.ImportRow{
		person("094045000001", "31507", ansinh.GroupBTXH, true),
		person("094045000002", "31507", ansinh.GroupHTXH, false),
		person("094045000003", "31507", ansinh.GroupHTXH, true),
		person("094045000004", "31507", ansinh.GroupNCC, false),
		person("092045000005", "31120", ansinh.GroupNCC, true),
	}
	waiting := person("092045000006", "", ansinh.GroupHTXH, false)
	waiting.Beneficiary.Candidates = []string{"31120", "31168"}
	rows = append(rows, waiting)
	if _, err := e.store.InsertImported(context.Background(), rows, e.now()); err != nil {
		e.t.Fatal(err)
	}
}

// forbiddenWords are what a page or report of a two-tier set must not say: there are no
// districts, and the welfare department was dissolved in March 2025.
var forbiddenWords = []string{"huyện", "quận", "district", "lao động – thương binh", "lđtbxh", "thị xã"}

func mentionsDistrict(s string) string {
	low := strings.ToLower(s)
	for _, w := range forbiddenWords {
		if strings.Contains(low, w) {
			return w
		}
	}
	return ""
}

func TestFreshStartServesTodaysCity(t *testing.T) {
	e := todayEnv(t)
	e.cityPeople()
	admin := e.login("admin")

	var sets []struct {
		ID      string  `json:"id"`
		From    *string `json:"from"`
		Until   *string `json:"until"`
		Current bool    `json:"current"`
	}
	e.do("GET", "/api/v1/unit-sets", admin, nil).decode(&sets)
	if len(sets) != 3 || sets[2].ID != ansinh.SetCanTho2025 || !sets[2].Current || *sets[2].From != "2025-07-01" || sets[2].Until != nil ||
		sets[0].ID != ansinh.SetSocTrang2024 || *sets[0].Until != "2025-06-30" || sets[0].Current {
		t.Fatalf("unit sets: %+v", sets)
	}

	var root ansinh.Unit
	r := e.do("GET", "/api/v1/units", admin, nil)
	r.decode(&root)
	types := map[string]int{}
	for _, c := range root.Children {
		if !c.Leaf() {
			t.Fatalf("%s %s has units beneath it", c.Code, c.Name)
		}
		types[c.Type]++
	}
	if root.Code != "92" || len(root.Children) != 103 || types["Phường"] != 31 || types["Xã"] != 72 {
		t.Fatalf("units: root %s, %d children %v", root.Code, len(root.Children), types)
	}
	if w := mentionsDistrict(string(r.body)); w != "" {
		t.Fatalf("the unit tree mentions %q", w)
	}
	var old ansinh.Unit
	e.do("GET", "/api/v1/units?set="+ansinh.SetSocTrang2024, admin, nil).decode(&old)
	if old.Code != "94" || len(old.Children) != 11 {
		t.Fatalf("the letter's set: %s with %d districts", old.Code, len(old.Children))
	}

	var cov ansinh.Coverage
	r = e.do("GET", "/api/v1/coverage?unit=92", admin, nil)
	r.decode(&cov)
	if cov.Beneficiaries != 6 || cov.WithAccount != 3 || len(cov.Children) != 103 || cov.Unassigned == nil || cov.Unassigned.Beneficiaries != 1 ||
		cov.HTXH != 3 || cov.HTXHWithAccount != 1 {
		t.Fatalf("coverage of the city: %+v (unassigned %+v)", cov.Counts, cov.Unassigned)
	}
	if w := mentionsDistrict(string(r.body)); w != "" {
		t.Fatalf("coverage mentions %q", w)
	}
	// The target answers at the commune: Phường Sóc Trăng has 2 of 4 (50 %).
	for _, ch := range cov.Children {
		if ch.Unit == "31507" && (ch.Beneficiaries != 4 || !ch.MeetsTarget) {
			t.Fatalf("Phường Sóc Trăng: %+v", ch)
		}
	}

	// Posters printed before the merger lead to the commune their code became.
	for old, want := range map[string]string{"31498": "/c/31507", "31513": "/c/31510"} {
		if r := e.do("GET", "/c/"+old, "", nil); r.StatusCode != 301 || r.Header.Get("Location") != want {
			t.Errorf("old poster %s: %d → %q, want %s", old, r.StatusCode, r.Header.Get("Location"), want)
		}
	}
	if r := e.do("GET", "/c/31178", "", nil); r.StatusCode != 200 || !strings.Contains(string(r.body), `href="/c/31120"`) ||
		!strings.Contains(string(r.body), `href="/c/31168"`) || !strings.Contains(string(r.body), "Phường Bùi Hữu Nghĩa") {
		t.Errorf("a split ward's poster: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("GET", "/c/99999", "", nil); r.StatusCode != 404 {
		t.Errorf("an unknown code: %d", r.StatusCode)
	}

	pages := e.browser("so.yte")
	for _, path := range []string{"/can-bo/", "/can-bo/tong-quan", "/can-bo/doi-tuong", "/can-bo/duyet", "/can-bo/nhap-danh-sach",
		"/can-bo/qr/31507", "/can-bo/tong-quan?unit=31507"} {
		res, doc := pages.get(path)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		if w := mentionsDistrict(doc.Text()); w != "" {
			t.Errorf("%s mentions %q", path, w)
		}
	}
	for _, path := range []string{"/", "/c/31507", "/tra-cuu"} {
		res := e.do("GET", path, "", nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		if w := mentionsDistrict(string(res.body)); w != "" {
			t.Errorf("%s mentions %q", path, w)
		}
		if !strings.Contains(string(res.body), "Sở Y tế thành phố Cần Thơ") || !strings.Contains(string(res.body), "Sở Nội vụ thành phố Cần Thơ") {
			t.Errorf("%s does not name the departments", path)
		}
	}
}

func TestProgrammesAndTheirDepartments(t *testing.T) {
	e := todayEnv(t)
	e.cityPeople()
	admin := e.login("so.yte")
	for _, tc := range []struct {
		program                string
		beneficiaries, account int64
	}{{"HTXH", 3, 1}, {"hưu trí xã hội", 3, 1}, {"NCC", 2, 1}, {"BTXH", 1, 1}} {
		var cov ansinh.Coverage
		e.do("GET", "/api/v1/coverage?unit=92&program="+url.QueryEscape(tc.program), admin, nil).decode(&cov)
		if cov.Beneficiaries != tc.beneficiaries || cov.WithAccount != tc.account {
			t.Errorf("coverage of %s: %d with %d accounts, want %d with %d", tc.program, cov.Beneficiaries, cov.WithAccount, tc.beneficiaries, tc.account)
		}
	}
	if r := e.do("GET", "/api/v1/coverage?unit=92&program=XYZ", admin, nil); r.StatusCode != 422 && r.StatusCode != 400 {
		t.Fatalf("an unknown programme: %d", r.StatusCode)
	}

	month := e.now().In(ansinh.Vietnam).Format("2006-01")
	var rep ansinh.Report
	e.do("GET", "/api/v1/reports/monthly?unit=92&month="+month, admin, nil).decode(&rep)
	depts := map[ansinh.Group]string{}
	for _, p := range rep.Programs {
		depts[p.Program] = p.Department
		if p.Deadline.Day() != 15 {
			t.Errorf("%s: the department's deadline %v", p.Program, p.Deadline)
		}
		if (p.Program == ansinh.GroupHTXH) != (p.PaymentListDue.Day() == 25) {
			t.Errorf("%s: payment list due %v", p.Program, p.PaymentListDue)
		}
	}
	if depts[ansinh.GroupBTXH] != "Sở Y tế thành phố Cần Thơ" || depts[ansinh.GroupHTXH] != "Sở Y tế thành phố Cần Thơ" ||
		depts[ansinh.GroupNCC] != "Sở Nội vụ thành phố Cần Thơ" {
		t.Fatalf("departments: %v", depts)
	}
	if len(rep.Reports) != 103 || rep.Reports[0].Deadline.Day() != 13 {
		t.Fatalf("the city's report lists %d communes' reports", len(rep.Reports))
	}

	x := e.do("GET", "/api/v1/reports/monthly?unit=92&format=xlsx", admin, nil)
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if x.StatusCode != 200 || err != nil {
		t.Fatalf("xlsx: %d %v", x.StatusCode, err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Tổng hợp,BTXH,HTXH,NCC,Tình hình báo cáo" {
		t.Fatalf("sheets %s", got)
	}
	for sheet, want := range map[string]string{"BTXH": "Sở Y tế thành phố Cần Thơ", "HTXH": "Sở Y tế thành phố Cần Thơ", "NCC": "Sở Nội vụ thành phố Cần Thơ"} {
		rows, _ := f.GetRows(sheet)
		tab := reportSheet(rows)
		if len(tab.body) < 1 || !strings.Contains(tab.heading, want) {
			t.Errorf("sheet %s heading %q, want %q", sheet, tab.heading, want)
			continue
		}
		if last := tab.body[len(tab.body)-1]; last[0] != "Tổng cộng" {
			t.Errorf("sheet %s has no total: %v", sheet, last)
		}
	}
	htxh, _ := f.GetRows("HTXH")
	tab := reportSheet(htxh)
	if last := tab.body[len(tab.body)-1]; last[2] != "3" || last[3] != "1" || !strings.Contains(tab.heading, "25/") {
		t.Errorf("HTXH sheet: total %v, heading %q", last, tab.heading)
	}
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		for _, row := range rows {
			if w := mentionsDistrict(strings.Join(row, " ")); w != "" {
				t.Errorf("sheet %s mentions %q: %v", sheet, w, row)
			}
		}
	}
	c := e.do("GET", "/api/v1/reports/monthly?unit=92&format=csv", admin, nil)
	if w := mentionsDistrict(string(c.body)); w != "" || !strings.Contains(string(c.body), "Trong đó: Trợ cấp hưu trí xã hội,HTXH,3,1") {
		t.Fatalf("csv (mentions %q): %s", w, c.body)
	}

	// The commune answers for the target and sends the first report, before the 13th.
	xa := e.login("xa31507")
	var own ansinh.Report
	e.do("GET", "/api/v1/reports/monthly?unit=31507&month="+month, xa, nil).decode(&own)
	if own.Deadline.Day() != 13 || own.Coverage.Beneficiaries != 4 {
		t.Fatalf("the commune's report: %+v", own)
	}
	if r := e.do("POST", "/api/v1/reports/monthly/submit", xa, map[string]string{"month": month}); r.StatusCode != 201 {
		t.Fatalf("the commune submits: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("POST", "/api/v1/reports/monthly/submit", e.login("xa31120"), map[string]string{"unit": "31507", "month": month}); r.StatusCode != 403 {
		t.Fatalf("another commune submits it: %d", r.StatusCode)
	}

	// The dashboard names each programme's department and the HTXH payment list's day.
	_, doc := e.browser("so.yte").get("/can-bo/tong-quan")
	rows := doc.Find("#programs tbody tr")
	if rows.Length() != 3 || !strings.Contains(rows.Eq(2).Text(), "Sở Nội vụ thành phố Cần Thơ") ||
		!strings.Contains(rows.Eq(1).Text(), "danh sách chi trả trước 25/") {
		t.Fatalf("programmes on the dashboard: %q", rows.Text())
	}
	if !strings.Contains(doc.Find("#unassigned").Text(), "1 người") {
		t.Fatalf("the dashboard does not show who waits for a commune: %q", doc.Find("#unassigned").Text())
	}

}

// A person of a split old ward already paid into an account keeps being paid while an
// officer has not chosen the commune: on the city's payment list, on no commune's.
func TestWaitingPersonStaysOnTheCityPaymentList(t *testing.T) {
	e := todayEnv(t)
	b := ansinh.Beneficiary{Name: "Người Chờ", CCCD: "092045000777", CCCDLast4: "0777", BirthDate: "1945-03-05", Group: ansinh.GroupHTXH,
		Eligible: true, Candidates: []string{"31120", "31168"}, Amount: 500_000,
		Account: &ansinh.Account{BankBIN: "970405", Number: "555566667777", Last4: "7777", HolderName: "NGUOI CHO", Source: ansinh.SourceImport}}
	if _, err := e.store.InsertImported(context.Background(), []*ansinh.ImportRow{{Beneficiary: b, EligibleGiven: true}}, e.now()); err != nil {
		t.Fatal(err)
	}
	city := e.do("GET", "/api/v1/payments?unit=92&format=csv", e.login("so.yte"), nil)
	if city.StatusCode != 200 || !strings.Contains(string(city.body), "092045000777") || !strings.Contains(string(city.body), ansinh.UnassignedName) {
		t.Fatalf("the city's payment list: %d %s", city.StatusCode, city.body)
	}
	commune := e.do("GET", "/api/v1/payments?unit=31120&format=csv", e.login("xa31120"), nil)
	if commune.StatusCode != 200 || strings.Contains(string(commune.body), "092045000777") {
		t.Fatalf("a candidate commune's payment list: %d %s", commune.StatusCode, commune.body)
	}
}
