package handlers_test

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ansinh"
)

// uploadTo posts a file (multipart field "file") to an API path with a bearer token.
func (e *env) uploadTo(path, token, filename string, content []byte) *response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(content)
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(req)
}

// policeEnv: Phường 5 (31498) with Sáu (an account already used for payment), Bảy and
// Chín; Châu Thành (31569) with Tám.
func policeEnv(t *testing.T) *env {
	e := staffEnv(t)
	sau := benP("Nguyễn Văn Sáu", "094050001234", "31498")
	sau.bank, sau.account, sau.holder = "Agribank", "8866554433221", "NGUYEN VAN SAU"
	bay := benP("Trần Thị Bảy", "094152000111", "31498")
	bay.birth, bay.sex = "1952", "Nữ"
	chin := benP("Lê Văn Chín", "094050000999", "31498")
	tam := benP("Lê Văn Tám", "094048000222", "31569")
	tam.birth = "01/01/1948"
	if res := e.benImport(e.login("so.ldtbxh"), benCSV(t, sau, bay, chin, tam)); res.Inserted != 4 || len(res.Errors) != 0 {
		t.Fatalf("import %+v", res)
	}
	return e
}

func TestPoliceCheckList(t *testing.T) {
	e := policeEnv(t)
	police := e.login("ca.tinh")
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			before := len(e.benAudit(ansinh.ActionIdentityList))
			r := e.do("GET", "/api/v1/identity/export?unit=31498&format="+format, police, nil)
			if r.StatusCode != 200 {
				t.Fatalf("%d %s", r.StatusCode, r.body)
			}
			rows := sheetRows(t, format, r.body)
			if len(rows) != 4 || strings.Join(rows[0], "|") != strings.Join(ansinh.IdentityListColumns, "|") {
				t.Fatalf("rows %q", rows)
			}
			byCCCD := map[string][]string{}
			for _, row := range rows[1:] {
				byCCCD[row[4]] = row
			}
			sau := byCCCD["094050001234"]
			if sau == nil || sau[1] != "Nguyễn Văn Sáu" || sau[2] != "05/03/1950" || sau[3] != "Nam" ||
				!strings.HasPrefix(sau[5], "Phường 5, ") || sau[6] != "31498" {
				t.Fatalf("Sáu's row %q (rows %q)", sau, rows)
			}
			if byCCCD["094048000222"] != nil {
				t.Fatal("another commune's person is on the list")
			}
			if bytes.Contains(r.body, []byte("8866554433221")) || bytes.Contains(r.body, []byte("4433221")) {
				t.Fatal("the list sent to the police carries the account number")
			}
			evs := e.benAudit(ansinh.ActionIdentityList)
			if len(evs) != before+1 || evs[0].Actor != "ca.tinh" || evs[0].Unit != "31498" || evs[0].Detail["rows"] != int32(3) && evs[0].Detail["rows"] != int64(3) {
				t.Fatalf("audit %d → %d: %+v", before, len(evs), evs[0])
			}
		})
	}
	if r := e.do("GET", "/api/v1/identity/export?unit=31498&format=pdf", police, nil); r.StatusCode != 422 || r.errorCode() != ansinh.EINVALID {
		t.Fatalf("pdf: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("GET", "/api/v1/identity/export?unit=941", police, nil); r.StatusCode != 422 || r.errorCode() != ansinh.EINVALID {
		t.Fatalf("a district at once: %d %s", r.StatusCode, r.body)
	}
	// The district of Châu Thành's police do not get Phường 5's list.
	e.addUser("ca.huyen942", ansinh.RolePolice, "942")
	if r := e.do("GET", "/api/v1/identity/export?unit=31498", e.login("ca.huyen942"), nil); r.StatusCode != 403 {
		t.Fatalf("out of scope: %d", r.StatusCode)
	}
}

func sheetRows(t *testing.T, format string, body []byte) [][]string {
	t.Helper()
	if format == "csv" {
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows { // the police's four columns are empty: pad what GetRows cut
		for len(rows[i]) < len(ansinh.IdentityListColumns) {
			rows[i] = append(rows[i], "")
		}
	}
	return rows
}

// resultsXLSX is the police's returned list: the exported one with results filled in.
func resultsXLSX(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		row := make([]any, len(r))
		for j, v := range r {
			row[j] = v
		}
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPoliceResultsFile(t *testing.T) {
	e := policeEnv(t)
	police := e.login("ca.tinh")
	r := e.do("GET", "/api/v1/identity/export?unit=31498&format=xlsx", police, nil)
	rows := sheetRows(t, "xlsx", r.body)
	fill := func(cccd string, cells ...string) {
		for _, row := range rows[1:] {
			if row[4] == cccd {
				copy(row[7:], cells)
				return
			}
		}
		t.Fatalf("no row for %s", cccd)
	}
	fill("094050001234", "Khớp")
	fill("094152000111", "không khớp", "Trần Thị Bẩy", "12/03/1952")
	fill("094050000999", "KHONG TIM THAY")
	rows = append(rows,
		[]string{"4", "Người lạ", "01/01/1960", "Nam", "094060000001", "", "", "Khớp"},             // not on any list
		[]string{"5", "Lê Văn Tám", "01/01/1948", "Nam", "094048000222", "", "", "Đã xem"},         // not a result
		[]string{"6", "", "", "", "094152000111", "", "", "Khớp"},                                  // the same CCCD again
		[]string{"7", "", "", "", "094050000777", "", "", "Không khớp"},                            // a mismatch saying nothing
		[]string{"8", "", "", "", "12ab", "", "", "Khớp"},                                          // not a CCCD
		[]string{"9", "", "", "", "094050000999", "", "", "Khớp", "Lê Văn Chín", "", "trùng khớp"}) // a match that differs
	file := resultsXLSX(t, rows)

	type report struct {
		Matched, Mismatch, Unchanged, Blank int
		NotFound                            int `json:"not_found"`
		Errors                              []ansinh.RowError
	}
	before := len(e.benAudit(ansinh.ActionIdentityCheck))
	res := e.uploadTo("/api/v1/identity/results", police, "ket-qua.xlsx", file)
	var got report
	res.decode(&got)
	if res.StatusCode != 200 || got.Matched != 1 || got.Mismatch != 1 || got.NotFound != 1 || got.Unchanged != 0 || len(got.Errors) != 6 {
		t.Fatalf("results: %d %+v", res.StatusCode, got)
	}
	wantRows := map[int]string{5: ansinh.MsgIdentityNotListed, 6: ansinh.MsgIdentityResult, 8: ansinh.MsgIdentityMismatchWhat,
		9: ansinh.MsgCCCDDigits, 10: ansinh.MsgIdentityMatchDiffers}
	for _, er := range got.Errors {
		if msg, ok := wantRows[er.Row]; ok && er.Message != msg {
			t.Errorf("row %d: %q, want %q", er.Row, er.Message, msg)
		}
		delete(wantRows, er.Row)
	}
	if len(wantRows) > 0 {
		t.Errorf("rows not reported: %v (errors %+v)", wantRows, got.Errors)
	}

	sau, bay, chin, tam := e.benStored("094050001234"), e.benStored("094152000111"), e.benStored("094050000999"), e.benStored("094048000222")
	if sau.Identity.State != ansinh.IdentityMatched || sau.Identity.By != "ca.tinh" {
		t.Errorf("Sáu: %+v", sau.Identity)
	}
	if bay.Identity.State != ansinh.IdentityMismatch || bay.Identity.PopulationName != "Trần Thị Bẩy" || bay.Identity.PopulationBirthDate != "1952-03-12" ||
		!strings.Contains(bay.Identity.Note, "Trần Thị Bẩy") || !strings.Contains(bay.Identity.Note, "12/03/1952") {
		t.Errorf("Bảy: %+v", bay.Identity)
	}
	if chin.Identity.State != ansinh.IdentityNotFound {
		t.Errorf("Chín: %+v", chin.Identity)
	}
	if tam.Identity.State != ansinh.IdentityUnchecked {
		t.Errorf("Tám, whose row had no valid result: %+v", tam.Identity)
	}

	// Every result recorded is audited with its row and file, and the file once.
	evs := e.benAudit(ansinh.ActionIdentityCheck)
	if len(evs) != before+3 {
		t.Fatalf("identity events %d → %d", before, len(evs))
	}
	for _, ev := range evs[:3] {
		if ev.Actor != "ca.tinh" || ev.Detail["source"] != "file" || ev.Detail["file"] != "ket-qua.xlsx" || ev.Detail["row"] == nil ||
			!strings.HasPrefix(ev.Target, "beneficiary:") || ev.Unit != "31498" {
			t.Errorf("event %+v", ev)
		}
	}
	files := e.benAudit(ansinh.ActionIdentityResults)
	if len(files) != 1 || files[0].Actor != "ca.tinh" || files[0].Detail["file"] != "ket-qua.xlsx" {
		t.Fatalf("file event %+v", files)
	}

	// The same file again changes nothing and audits no record.
	res = e.uploadTo("/api/v1/identity/results", police, "ket-qua.xlsx", file)
	got = report{}
	res.decode(&got)
	if res.StatusCode != 200 || got.Unchanged != 3 || got.Matched+got.Mismatch+got.NotFound != 0 {
		t.Fatalf("again: %+v", got)
	}
	if n := len(e.benAudit(ansinh.ActionIdentityCheck)); n != before+3 {
		t.Fatalf("the repeat audited %d records", n-before-3)
	}
}

// TestPoliceResultsBadFiles: whatever is wrong with the file, a clear error and
// nothing recorded; a file that breaks half-way records none of its rows.
func TestPoliceResultsBadFiles(t *testing.T) {
	e := policeEnv(t)
	police := e.login("ca.tinh")
	header := strings.Join(ansinh.IdentityListColumns, ",") + "\n"
	tests := []struct {
		name, file string
		content    []byte
		status     int
	}{
		{"not a spreadsheet", "x.xlsx", []byte("PK\x03\x04 no zip at all"), 422},
		{"empty", "x.csv", []byte(""), 422},
		{"no result column", "x.csv", []byte("Số CCCD,Họ và tên\n094050001234,Sáu\n"), 422},
		{"broken half-way", "x.csv", []byte(header + "1,Sáu,,,094050001234,,,Khớp\n2,Bảy,,,094152000111,,,Kh\xffớp\n"), 422},
		{"an operator object", "x.csv", []byte(header + `1,x,,,"{""$ne"":null}",,,Khớp` + "\n"), 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.uploadTo("/api/v1/identity/results", police, tc.file, tc.content)
			if r.StatusCode != tc.status {
				t.Fatalf("%d %s", r.StatusCode, r.body)
			}
			if tc.status != 200 {
				r.errorCode()
			}
			for _, cccd := range []string{"094050001234", "094152000111"} {
				if b := e.benStored(cccd); b.Identity.State != ansinh.IdentityUnchecked {
					t.Fatalf("%s recorded: %+v", cccd, b.Identity)
				}
			}
			if n := len(e.benAudit(ansinh.ActionIdentityCheck)); n != 0 {
				t.Fatalf("%d results audited", n)
			}
		})
	}
	if r := e.do("POST", "/api/v1/identity/results", police, map[string]string{}); r.StatusCode != 422 {
		t.Fatalf("no file: %d", r.StatusCode)
	}
}

// TestPoliceSeeTheWholeCCCDOnly: the police liaison reveals the CCCD (audited), never
// the account; the record page offers that and the identity form, nothing of payment.
func TestPoliceSeeTheWholeCCCDOnly(t *testing.T) {
	e := policeEnv(t)
	id := e.store.BeneficiaryID("094050001234")
	r := e.do("POST", "/api/v1/beneficiaries/"+id+"/reveal-cccd", e.login("ca.tinh"), nil)
	if r.StatusCode != 200 || !bytes.Contains(r.body, []byte(`"cccd":"094050001234"`)) || bytes.Contains(r.body, []byte("4433221")) {
		t.Fatalf("reveal-cccd: %d %s", r.StatusCode, r.body)
	}
	evs := e.benAudit(ansinh.ActionRevealCCCD)
	if len(evs) != 1 || evs[0].Actor != "ca.tinh" || evs[0].Target != "beneficiary:"+id {
		t.Fatalf("audit %+v", evs)
	}
	p := e.browser("ca.tinh")
	res, doc := p.get("/can-bo/doi-tuong/" + id)
	if res.StatusCode != 200 || doc.Find("#reveal-cccd").Length() != 1 || doc.Find(`form[action$="/doi-chieu"]`).Length() != 1 ||
		doc.Find("#account, #eligible, #history").Length() != 0 || !strings.Contains(text(doc, "#residence"), "Phường 5") {
		t.Fatalf("police record page: %d", res.StatusCode)
	}
	res, doc = p.post("/can-bo/doi-tuong/"+id+"/hien-cccd", url.Values{})
	if res.StatusCode != 200 || text(doc, "#cccd") != "094050001234" || bytes.Contains(res.body, []byte("4433221")) {
		t.Fatalf("revealed page: %d %q", res.StatusCode, text(doc, "#cccd"))
	}
	// The nav offers the police check, not the review queue.
	if doc.Find(`nav a[href="/can-bo/duyet"]`).Length() != 0 || doc.Find(`nav a[href="/can-bo/doi-chieu"]`).Length() != 1 {
		t.Fatal("the police's menu")
	}
}

// TestPoliceCheckPages: the whole round on the pages, without JavaScript.
func TestPoliceCheckPages(t *testing.T) {
	e := policeEnv(t)
	p := e.browser("ca.tinh")
	r, doc := p.get("/can-bo/doi-chieu")
	if r.StatusCode != 200 || doc.Find(`select[name=unit] option[value="31498"]`).Length() != 1 ||
		doc.Find(`form[action="/can-bo/doi-chieu/ket-qua"] input[type=file]`).Length() != 1 {
		t.Fatalf("page: %d", r.StatusCode)
	}
	if strings.Contains(strings.ToLower(string(r.body)), " bạn ") {
		t.Fatal("the page says bạn")
	}
	list, _ := p.get("/can-bo/doi-chieu/danh-sach?unit=31498&format=csv")
	rows := sheetRows(t, "csv", list.body)
	for _, row := range rows[1:] {
		row[7] = "Khớp"
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.WriteAll(rows)
	r, doc = p.upload("/can-bo/doi-chieu/ket-qua", "ket-qua.csv", buf.Bytes())
	if r.StatusCode != 200 || text(doc, "#matched") != "3" || text(doc, "#errors") != "0" {
		t.Fatalf("results page: %d matched=%q errors=%q", r.StatusCode, text(doc, "#matched"), text(doc, "#errors"))
	}
	r, doc = p.upload("/can-bo/doi-chieu/ket-qua", "rac.csv", []byte("Số CCCD\n1\n"))
	if r.StatusCode != 422 || !strings.Contains(text(doc, ".alert"), "Kết quả đối chiếu") {
		t.Fatalf("a file without results: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	// A commune officer prepares the list but records no result.
	x := e.browser("xa31498")
	if r, doc := x.get("/can-bo/doi-chieu"); r.StatusCode != 200 || doc.Find(`form[action="/can-bo/doi-chieu/ket-qua"]`).Length() != 0 {
		t.Fatalf("commune page: %d", r.StatusCode)
	}
}
