package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ansinh"
	"ansinh/handlers"
	"ansinh/store"
)

// benPerson is one row of a test beneficiary list.
type benPerson struct {
	name, cccd, birth, sex, commune, group, amount, bank, account, holder, eligible string
}

// benP is a man born in 1950 (as his CCCD says), group NCC, 1,500,000 đồng a month.
func benP(name, cccd, commune string) benPerson {
	return benPerson{name: name, cccd: cccd, birth: "05/03/1950", sex: "Nam", commune: commune, group: "NCC", amount: "1500000"}
}

// benCCCD is the n-th CCCD of a Sóc Trăng man born in 1950.
func benCCCD(n int) string { return fmt.Sprintf("094050%06d", n) }

var benHeader = []string{"Họ và tên", "Số CCCD", "Ngày sinh", "Giới tính", "Mã xã", "Nhóm đối tượng", "Mức hưởng",
	"Ngân hàng", "Số tài khoản", "Chủ tài khoản", "Đủ điều kiện mở TK"}

// benCSV writes a list as the department sends it.
func benCSV(t *testing.T, people ...benPerson) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(benHeader)
	for _, p := range people {
		_ = w.Write([]string{p.name, p.cccd, p.birth, p.sex, p.commune, p.group, p.amount, p.bank, p.account, p.holder, p.eligible})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// benUpload posts content as the multipart field (none when field is empty).
func (e *env) benUpload(token, field, filename string, content []byte) *response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if field == "" {
		if err := mw.WriteField("ghi_chu", "không có tệp"); err != nil {
			e.t.Fatal(err)
		}
	} else {
		fw, err := mw.CreateFormFile(field, filename)
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := fw.Write(content); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		e.t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/api/v1/beneficiaries/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req)
}

type benImportResult struct {
	ID        string            `json:"id"`
	Inserted  int               `json:"inserted"`
	Updated   int               `json:"updated"`
	Unchanged int               `json:"unchanged"`
	Errors    []ansinh.RowError `json:"errors"`
}

// benImport uploads a list that must be accepted as a file.
func (e *env) benImport(token string, content []byte) benImportResult {
	e.t.Helper()
	r := e.benUpload(token, "file", "danh-sach.csv", content)
	if r.StatusCode != 200 {
		e.t.Fatalf("import: %d %s", r.StatusCode, r.body)
	}
	var out benImportResult
	r.decode(&out)
	if out.ID == "" || out.Errors == nil {
		e.t.Fatalf("import answer without id or errors: %s", r.body)
	}
	return out
}

type benAccount struct {
	Bank       string `json:"bank"`
	BankBIN    string `json:"bank_bin"`
	Number     string `json:"number"`
	HolderName string `json:"holder_name"`
	Proxy      bool   `json:"proxy"`
	Source     string `json:"source"`
}

type benItem struct {
	ID               string      `json:"id"`
	Name             string      `json:"name"`
	CCCD             string      `json:"cccd"`
	BirthDate        string      `json:"birth_date"`
	Sex              string      `json:"sex"`
	Commune          string      `json:"commune"`
	Group            string      `json:"group"`
	Amount           int64       `json:"amount"`
	Eligible         bool        `json:"eligible"`
	IneligibleReason *string     `json:"ineligible_reason"`
	Identity         string      `json:"identity"`
	Account          *benAccount `json:"account"`
}

type benListResult struct {
	Items []benItem `json:"items"`
	Total int       `json:"total"`
}

func (l benListResult) names() []string {
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i] = it.Name
	}
	slices.Sort(out)
	return out
}

// benList lists with the given query parameters and requires a 200.
func (e *env) benList(token string, q url.Values) (benListResult, *response) {
	e.t.Helper()
	r := e.do("GET", "/api/v1/beneficiaries?"+q.Encode(), token, nil)
	if r.StatusCode != 200 {
		e.t.Fatalf("list %s: %d %s", q.Encode(), r.StatusCode, r.body)
	}
	var out benListResult
	r.decode(&out)
	if out.Items == nil {
		e.t.Fatalf("items is not a list: %s", r.body)
	}
	return out, r
}

// benGet reads one record through the API and requires a 200.
func (e *env) benGet(token, id string) benItem {
	e.t.Helper()
	r := e.do("GET", "/api/v1/beneficiaries/"+id, token, nil)
	if r.StatusCode != 200 {
		e.t.Fatalf("get %s: %d %s", id, r.StatusCode, r.body)
	}
	var out benItem
	r.decode(&out)
	return out
}

// benFields returns the fields of a JSON error body.
func benFields(r *response) map[string]string {
	r.t.Helper()
	var out struct {
		Error struct {
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.decode(&out)
	return out.Error.Fields
}

// benMessage returns the message of a JSON error body.
func benMessage(r *response) string {
	r.t.Helper()
	var out struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	r.decode(&out)
	return out.Error.Message
}

func (e *env) benAudit(action string) []*ansinh.AuditEvent {
	e.t.Helper()
	evs, err := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: action})
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

func (e *env) benCount() int64 {
	e.t.Helper()
	n, err := e.store.CountBeneficiaries(context.Background(), false)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// benStored reads a record straight from the store, numbers decrypted.
func (e *env) benStored(cccd string) *ansinh.Beneficiary {
	e.t.Helper()
	b, err := e.store.RevealBeneficiary(context.Background(), e.store.BeneficiaryID(cccd))
	if err != nil {
		e.t.Fatalf("stored %s: %v", cccd, err)
	}
	return b
}

// benCSVRows parses a downloaded CSV, which must start with the UTF-8 BOM.
func benCSVRows(t *testing.T, r *response) [][]string {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	body, ok := bytes.CutPrefix(r.body, []byte("\ufeff"))
	if !ok {
		t.Fatalf("CSV without the UTF-8 BOM: %.40q", r.body)
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v: %s", err, body)
	}
	return rows
}

// The three people of the scope tests: two in district 941, one in 942.
var (
	benAn    = benP("Nguyễn Văn An", benCCCD(1), "31498")                 // Phường 5, district 941
	benBinh  = benP("Trần Văn Bình", benCCCD(2), "31501")                 // Phường 7, district 941
	benCuong = benP("Lê Văn Cường", benCCCD(3), "31569")                  // Thị trấn Châu Thành, district 942
	benAll   = []string{"Lê Văn Cường", "Nguyễn Văn An", "Trần Văn Bình"} // sorted
)

func TestBeneficiaryScopeForEveryRole(t *testing.T) {
	e := staffEnv(t)
	res := e.benImport(e.login("so.ldtbxh"), benCSV(t, benAn, benBinh, benCuong))
	if res.Inserted != 3 || len(res.Errors) != 0 {
		t.Fatalf("import = %+v", res)
	}
	people := []benPerson{benAn, benBinh, benCuong}
	tests := []struct {
		name    string
		user    string
		sees    []string // sorted names
		outside string   // a unit outside the user's scope, if any
		narrow  string   // a unit inside the scope, listed on its own
		narrowN int
	}{
		{"admin sees the province", "admin", benAll, "", "941", 2},
		{"province sees the province", "so.ldtbxh", benAll, "", "942", 1},
		{"provincial police see the province", "ca.tinh", benAll, "", "31501", 1},
		{"district 941 sees its two communes", "huyen941", []string{"Nguyễn Văn An", "Trần Văn Bình"}, "942", "31501", 1},
		{"district 942 sees its commune", "huyen942", []string{"Lê Văn Cường"}, "941", "31569", 1},
		{"commune 31498 sees itself only", "xa31498", []string{"Nguyễn Văn An"}, "31501", "31498", 1},
		{"commune 31569 sees itself only", "xa31569", []string{"Lê Văn Cường"}, "31498", "31569", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := e.login(tc.user)
			list, _ := e.benList(token, nil)
			if got := list.names(); !slices.Equal(got, tc.sees) || list.Total != len(tc.sees) {
				t.Fatalf("list = %v (total %d), want %v", got, list.Total, tc.sees)
			}
			if n, _ := e.benList(token, url.Values{"unit": {tc.narrow}}); n.Total != tc.narrowN || len(n.Items) != tc.narrowN {
				t.Fatalf("unit=%s: total %d, want %d", tc.narrow, n.Total, tc.narrowN)
			}
			for _, p := range people {
				id := e.store.BeneficiaryID(p.cccd)
				r := e.do("GET", "/api/v1/beneficiaries/"+id, token, nil)
				if slices.Contains(tc.sees, p.name) {
					var it benItem
					r.decode(&it)
					if r.StatusCode != 200 || it.ID != id || it.Name != p.name || it.Commune != p.commune {
						t.Fatalf("GET %s (%s): %d %s", p.name, p.commune, r.StatusCode, r.body)
					}
				} else if r.StatusCode != 404 || r.errorCode() != ansinh.ENOTFOUND {
					t.Fatalf("GET %s (%s) outside scope: %d %s", p.name, p.commune, r.StatusCode, r.body)
				}
			}
			if tc.outside != "" {
				for _, path := range []string{"/api/v1/beneficiaries?unit=", "/api/v1/beneficiaries/export.csv?unit="} {
					r := e.do("GET", path+tc.outside, token, nil)
					if r.StatusCode != 403 || r.errorCode() != ansinh.EFORBIDDEN {
						t.Fatalf("%s%s: %d %s", path, tc.outside, r.StatusCode, r.body)
					}
				}
			}
			r := e.do("GET", "/api/v1/beneficiaries?unit=99999", token, nil)
			if r.StatusCode != 422 || r.errorCode() != ansinh.EINVALID || benFields(r)["unit"] == "" {
				t.Fatalf("unknown unit: %d %s", r.StatusCode, r.body)
			}
		})
	}

	t.Run("without a token", func(t *testing.T) {
		for _, path := range []string{"/api/v1/beneficiaries", "/api/v1/beneficiaries/" + e.store.BeneficiaryID(benAn.cccd)} {
			if r := e.do("GET", path, "", nil); r.StatusCode != 401 || r.errorCode() != ansinh.EUNAUTHORIZED {
				t.Fatalf("GET %s: %d %s", path, r.StatusCode, r.body)
			}
		}
	})

	forbidden := []struct {
		name string
		user string
	}{
		{"commune officer", "xa31498"},
		{"police liaison", "ca.tinh"},
	}
	for _, tc := range forbidden {
		t.Run(tc.name+" cannot import", func(t *testing.T) {
			changed := benAn
			changed.amount = "2000000"
			r := e.benUpload(e.login(tc.user), "file", "danh-sach.csv", benCSV(t, changed, benP("Võ Văn Mới", benCCCD(4), "31498")))
			if r.StatusCode != 403 || r.errorCode() != ansinh.EFORBIDDEN {
				t.Fatalf("import: %d %s", r.StatusCode, r.body)
			}
			if n := e.benCount(); n != 3 {
				t.Fatalf("%d records after a refused import", n)
			}
			if b := e.benStored(benAn.cccd); b.Amount != 1500000 {
				t.Fatalf("refused import changed the amount to %d", b.Amount)
			}
		})
	}

	t.Run("district imports only its own communes", func(t *testing.T) {
		changedCuong := benCuong
		changedCuong.amount = "2000000"
		stranger := benP("Đặng Văn Lạ", benCCCD(5), "31569")
		res := e.benImport(e.login("huyen941"), benCSV(t,
			benP("Võ Văn Tám", benCCCD(6), "31504"), // Phường 8, in 941
			stranger,     // row 3: 942
			changedCuong, // row 4: 942, already stored
		))
		want := []ansinh.RowError{
			{Row: 3, Column: "Mã xã", Message: ansinh.MsgCommuneOutside},
			{Row: 4, Column: "Mã xã", Message: ansinh.MsgCommuneOutside},
		}
		if res.Inserted != 1 || res.Updated != 0 || res.Unchanged != 0 || !slices.Equal(res.Errors, want) {
			t.Fatalf("import = %+v", res)
		}
		if _, err := e.store.Beneficiary(context.Background(), e.store.BeneficiaryID(stranger.cccd)); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
			t.Fatalf("row of another district stored: %v", err)
		}
		if b := e.benStored(benCuong.cccd); b.Amount != 1500000 || b.Commune != "31569" {
			t.Fatalf("another district's record changed: %+v", b)
		}
		if n := e.benCount(); n != 4 {
			t.Fatalf("%d records, want 4", n)
		}
	})
}

func TestBeneficiarySearch(t *testing.T) {
	e := staffEnv(t)
	people := []benPerson{
		benP("Nguyễn Văn Sáu", "094050001234", "31498"),
		benP("Nguyễn Thị Sáu", benCCCD(2), "31569"),
		benP("Trần Văn Bảy", benCCCD(3), "31498"),
	}
	people[1].sex, people[1].cccd = "Nữ", "094150000002"
	for i := 1; i <= 60; i++ {
		people = append(people, benP(fmt.Sprintf("Phạm Văn Tuấn %02d", i), benCCCD(100+i), "31501"))
	}
	res := e.benImport(e.login("so.ldtbxh"), benCSV(t, people...))
	if res.Inserted != 63 || len(res.Errors) != 0 {
		t.Fatalf("import = %+v", res)
	}
	province, commune := e.login("so.ldtbxh"), e.login("xa31569")
	sau := []string{"Nguyễn Văn Sáu"}
	tests := []struct {
		name  string
		token string
		q     string
		want  []string
	}{
		{"lower case without accents", province, "nguyen van sau", sau},
		{"upper case with accents", province, "NGUYỄN VĂN SÁU", sau},
		{"accents typed as combining marks", province, "Nguye\u0302\u0303n Va\u0306n Sa\u0301u", sau},
		{"extra spaces", province, "  nguyen   van  sau ", sau},
		{"part of a name", province, "sau", []string{"Nguyễn Thị Sáu", "Nguyễn Văn Sáu"}},
		{"whole CCCD", province, "094050001234", sau},
		{"CCCD that lost its leading zero", province, "94050001234", sau},
		{"part of a CCCD finds nothing", province, "050001234", nil},
		{"last four digits find nothing", province, "1234", nil},
		{"no such name", province, "khong co ai", nil},
		{"regular expression is plain text", province, ".*", nil},
		{"unbalanced bracket is plain text", province, "(", nil},
		{"commune finds its own", commune, "sau", []string{"Nguyễn Thị Sáu"}},
		{"commune cannot find a CCCD of another district", commune, "094050001234", nil},
		{"commune cannot find a name of another district", commune, "nguyen van sau", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, r := e.benList(tc.token, url.Values{"q": {tc.q}})
			if got := list.names(); !slices.Equal(got, tc.want) || list.Total != len(tc.want) {
				t.Fatalf("q=%q: %v (total %d), want %v", tc.q, got, list.Total, tc.want)
			}
			if len(tc.want) == 0 && !bytes.Contains(r.body, []byte(`"items":[]`)) {
				t.Fatalf("no match is not an empty list: %s", r.body)
			}
		})
	}

	t.Run("paging", func(t *testing.T) {
		p1, _ := e.benList(province, nil)
		p2, _ := e.benList(province, url.Values{"page": {"2"}})
		p3, _ := e.benList(province, url.Values{"page": {"3"}})
		if p1.Total != 63 || p2.Total != 63 || p3.Total != 63 || len(p1.Items) != 50 || len(p2.Items) != 13 || len(p3.Items) != 0 {
			t.Fatalf("pages of %d/%d/%d items, totals %d/%d/%d", len(p1.Items), len(p2.Items), len(p3.Items), p1.Total, p2.Total, p3.Total)
		}
		seen := map[string]bool{}
		for _, it := range append(p1.Items, p2.Items...) {
			if seen[it.ID] {
				t.Fatalf("%s on both pages", it.Name)
			}
			seen[it.ID] = true
		}
		q2, _ := e.benList(province, url.Values{"q": {"pham van tuan"}, "page": {"2"}})
		if q2.Total != 60 || len(q2.Items) != 10 {
			t.Fatalf("search page 2: %d items of %d", len(q2.Items), q2.Total)
		}
	})

	bad := []struct {
		name  string
		query url.Values
		field string
	}{
		{"page zero", url.Values{"page": {"0"}}, "page"},
		{"negative page", url.Values{"page": {"-1"}}, "page"},
		{"page not a number", url.Values{"page": {"hai"}}, "page"},
		{"fractional page", url.Values{"page": {"1.5"}}, "page"},
		{"page far beyond", url.Values{"page": {"100001"}}, "page"},
		{"page operator", url.Values{"page[$gt]": {"0"}, "page": {"{\"$gt\":0}"}}, "page"},
		{"search too long", url.Values{"q": {strings.Repeat("a", 101)}}, "q"},
		{"unknown identity state", url.Values{"identity": {"approved"}}, "identity"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/beneficiaries?"+tc.query.Encode(), province, nil)
			if r.StatusCode != 422 || r.errorCode() != ansinh.EINVALID || benFields(r)[tc.field] == "" {
				t.Fatalf("%s: %d %s", tc.query.Encode(), r.StatusCode, r.body)
			}
		})
	}
}

func TestBeneficiaryNumbersMaskedAndRevealAudited(t *testing.T) {
	e := staffEnv(t)
	const cccd, account = "094050001234", "123456789012"
	withAccount := benP("Nguyễn Văn Sáu", cccd, "31498")
	withAccount.bank, withAccount.account, withAccount.holder = "Agribank", "1234 5678 9012", "nguyen van sau"
	noAccount := benP("Trần Văn Bảy", "094050005678", "31498")
	res := e.benImport(e.login("so.ldtbxh"), benCSV(t, withAccount, noAccount))
	if res.Inserted != 2 || len(res.Errors) != 0 {
		t.Fatalf("import = %+v", res)
	}
	id, otherID := e.store.BeneficiaryID(cccd), e.store.BeneficiaryID(noAccount.cccd)
	plain := []string{cccd, cccd[1:], account, noAccount.cccd, noAccount.cccd[1:]}

	for _, user := range []string{"admin", "so.ldtbxh", "ca.tinh", "huyen941", "xa31498"} {
		t.Run("masked for "+user, func(t *testing.T) {
			token := e.login(user)
			list, lr := e.benList(token, nil)
			byCCCD, br := e.benList(token, url.Values{"q": {cccd}})
			gr := e.do("GET", "/api/v1/beneficiaries/"+id, token, nil)
			for _, body := range [][]byte{lr.body, br.body, gr.body} {
				for _, p := range plain {
					if bytes.Contains(body, []byte(p)) {
						t.Fatalf("%s appears in %s", p, body)
					}
				}
			}
			if list.Total != 2 || byCCCD.Total != 1 {
				t.Fatalf("list %d, by CCCD %d", list.Total, byCCCD.Total)
			}
			var got benItem
			gr.decode(&got)
			if user == "ca.tinh" { // what an identity check needs, nothing of the payment
				for _, body := range [][]byte{lr.body, gr.body} {
					for _, field := range []string{`"account"`, `"amount"`, `"group"`, `"eligible"`} {
						if bytes.Contains(body, []byte(field)) {
							t.Fatalf("the police see %s: %s", field, body)
						}
					}
				}
				if got.ID != id || got.CCCD != "••••••••1234" || got.Name != "Nguyễn Văn Sáu" || got.BirthDate != "1950-03-05" ||
					!bytes.Contains(gr.body, []byte(`"residence":"Phường 5`)) {
					t.Fatalf("the police's record = %s", gr.body)
				}
				return
			}
			for _, it := range []benItem{got, byCCCD.Items[0]} {
				if it.ID != id || it.CCCD != "••••••••1234" || it.Account == nil || it.Account.Number != "••••••••9012" ||
					it.Account.BankBIN != "970405" || it.Account.HolderName != "NGUYEN VAN SAU" || it.Account.Source != ansinh.SourceImport {
					t.Fatalf("masked record = %+v %+v", it, it.Account)
				}
			}
			for _, it := range list.Items {
				if it.ID == otherID && (it.Account != nil || it.CCCD != "••••••••5678") {
					t.Fatalf("record without account = %+v", it)
				}
			}
			if !bytes.Contains(gr.body, []byte(`"account":`)) || bytes.Contains(lr.body, []byte(`"account":{}`)) {
				t.Fatalf("account shape: %s", lr.body)
			}
		})
	}

	tests := []struct {
		name   string
		user   string
		status int
	}{
		{"province reveals", "so.ldtbxh", 200},
		{"district reveals its commune", "huyen941", 200},
		{"commune reveals its own", "xa31498", 200},
		{"police may not see the account", "ca.tinh", 403},
		{"admin may not reveal", "admin", 403},
		{"other district does not find it", "huyen942", 404},
		{"other commune does not find it", "xa31569", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.benAudit(ansinh.ActionReveal))
			r := e.do("POST", "/api/v1/beneficiaries/"+id+"/reveal", e.login(tc.user), nil)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			evs := e.benAudit(ansinh.ActionReveal)
			if tc.status != 200 {
				r.errorCode()
				if bytes.Contains(r.body, []byte(cccd)) || bytes.Contains(r.body, []byte(account)) {
					t.Fatalf("refusal shows the numbers: %s", r.body)
				}
				if len(evs) != before {
					t.Fatalf("refused reveal audited: %d → %d", before, len(evs))
				}
				return
			}
			var got benItem
			r.decode(&got)
			if got.CCCD != cccd || got.Account == nil || got.Account.Number != account || got.Name != "Nguyễn Văn Sáu" {
				t.Fatalf("revealed = %+v %+v", got, got.Account)
			}
			if len(evs) != before+1 {
				t.Fatalf("reveal events %d → %d", before, len(evs))
			}
			ev := evs[0]
			if ev.Actor != tc.user || ev.Target != "beneficiary:"+id || ev.Unit != "31498" || net.ParseIP(ev.IP) == nil || ev.Role == "" {
				t.Fatalf("reveal event = %+v", ev)
			}
			if s := fmt.Sprint(ev.Detail); strings.Contains(s, cccd) || strings.Contains(s, account) {
				t.Fatalf("reveal event holds the numbers: %v", ev.Detail)
			}
		})
	}
	t.Run("unknown record", func(t *testing.T) {
		r := e.do("POST", "/api/v1/beneficiaries/"+e.store.BeneficiaryID("094050009999")+"/reveal", e.login("so.ldtbxh"), nil)
		if r.StatusCode != 404 || r.errorCode() != ansinh.ENOTFOUND {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
}

func TestBeneficiaryIdentityCheck(t *testing.T) {
	e := staffEnv(t)
	e.addUser("ca.huyen942", ansinh.RolePolice, "942")
	checked, other := benP("Nguyễn Văn Sáu", benCCCD(1), "31498"), benP("Trần Văn Bảy", benCCCD(2), "31498")
	if res := e.benImport(e.login("so.ldtbxh"), benCSV(t, checked, other)); res.Inserted != 2 {
		t.Fatalf("import = %+v", res)
	}
	id := e.store.BeneficiaryID(checked.cccd)
	path := "/api/v1/beneficiaries/" + id + "/identity"
	police := e.login("ca.tinh")

	refused := []struct {
		name   string
		user   string
		body   string
		ctype  string
		status int
		field  string
	}{
		{"admin cannot", "admin", `{"state":"matched"}`, "", 403, ""},
		{"province cannot", "so.ldtbxh", `{"state":"matched"}`, "", 403, ""},
		{"district cannot", "huyen941", `{"state":"matched"}`, "", 403, ""},
		{"commune cannot", "xa31498", `{"state":"matched"}`, "", 403, ""},
		{"police of another district", "ca.huyen942", `{"state":"matched"}`, "", 404, ""},
		{"operator object for the state", "ca.tinh", `{"state":{"$ne":null}}`, "", 422, "state"},
		{"operator object for the note", "ca.tinh", `{"state":"mismatch","note":{"$ne":null}}`, "", 422, "note"},
		{"malformed JSON", "ca.tinh", `{"state":`, "", 400, ""},
		{"trailing garbage", "ca.tinh", `{"state":"matched"} {}`, "", 400, ""},
		{"not JSON", "ca.tinh", `state=matched`, "application/x-www-form-urlencoded", 400, ""},
		{"unknown state", "ca.tinh", `{"state":"approved"}`, "", 422, "state"},
		{"no state", "ca.tinh", `{}`, "", 422, "state"},
		{"mismatch without a note", "ca.tinh", `{"state":"mismatch"}`, "", 422, "note"},
		{"mismatch with a blank note", "ca.tinh", `{"state":"mismatch","note":"   "}`, "", 422, "note"},
		{"note too long", "ca.tinh", `{"state":"mismatch","note":"` + strings.Repeat("x", 501) + `"}`, "", 422, "note"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.ctype != "" {
				headers = []string{"Content-Type", tc.ctype}
			}
			r := e.do("POST", path, e.login(tc.user), tc.body, headers...)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			r.errorCode()
			if tc.field != "" && benFields(r)[tc.field] == "" {
				t.Fatalf("field %s not named: %s", tc.field, r.body)
			}
			if b := e.benStored(checked.cccd); b.Identity.State != ansinh.IdentityUnchecked || b.Identity.By != "" {
				t.Fatalf("identity changed to %+v", b.Identity)
			}
			if evs := e.benAudit(ansinh.ActionIdentityCheck); len(evs) != 0 {
				t.Fatalf("refused check audited: %+v", evs[0])
			}
		})
	}
	t.Run("unknown record", func(t *testing.T) {
		r := e.do("POST", "/api/v1/beneficiaries/"+e.store.BeneficiaryID(benCCCD(99))+"/identity", police, `{"state":"matched"}`)
		if r.StatusCode != 404 || r.errorCode() != ansinh.ENOTFOUND {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})

	province := e.login("so.ldtbxh")
	flow := []struct {
		name      string
		body      string
		state     string
		note      string
		unchecked []string // names listed with ?identity=unchecked
	}{
		{"matched", `{"state":"matched"}`, ansinh.IdentityMatched, "", []string{"Trần Văn Bảy"}},
		{"mismatch with a note", `{"state":"mismatch","note":"  Sai   năm sinh "}`, ansinh.IdentityMismatch, "Sai năm sinh", []string{"Trần Văn Bảy"}},
		{"back to unchecked", `{"state":"unchecked"}`, ansinh.IdentityUnchecked, "", []string{"Nguyễn Văn Sáu", "Trần Văn Bảy"}},
	}
	for i, tc := range flow {
		t.Run(tc.name, func(t *testing.T) {
			previous := e.benStored(checked.cccd).Identity.State
			r := e.do("POST", path, police, tc.body)
			var got benItem
			r.decode(&got)
			if r.StatusCode != 200 || got.ID != id || got.Identity != tc.state || got.CCCD != "••••••••"+checked.cccd[8:] {
				t.Fatalf("%d %s", r.StatusCode, r.body)
			}
			if g := e.benGet(province, id); g.Identity != tc.state {
				t.Fatalf("GET identity %q, want %q", g.Identity, tc.state)
			}
			b := e.benStored(checked.cccd)
			if b.Identity.State != tc.state || b.Identity.Note != tc.note || b.Identity.By != "ca.tinh" {
				t.Fatalf("stored identity %+v", b.Identity)
			}
			list, _ := e.benList(province, url.Values{"identity": {ansinh.IdentityUnchecked}})
			if got := list.names(); !slices.Equal(got, tc.unchecked) || list.Total != len(tc.unchecked) {
				t.Fatalf("unchecked = %v, want %v", got, tc.unchecked)
			}
			if tc.state != ansinh.IdentityUnchecked {
				only, _ := e.benList(province, url.Values{"identity": {tc.state}})
				if only.Total != 1 || only.Items[0].ID != id {
					t.Fatalf("identity=%s: %v", tc.state, only.names())
				}
			}
			evs := e.benAudit(ansinh.ActionIdentityCheck)
			if len(evs) != i+1 {
				t.Fatalf("%d identity events, want %d", len(evs), i+1)
			}
			ev := evs[0]
			if ev.Actor != "ca.tinh" || ev.Target != "beneficiary:"+id || ev.Unit != "31498" || net.ParseIP(ev.IP) == nil ||
				ev.Detail["state"] != tc.state || ev.Detail["previous"] != previous {
				t.Fatalf("identity event = %+v", ev)
			}
		})
	}
}

func TestBeneficiaryEligibility(t *testing.T) {
	e := staffEnv(t)
	person := benP("Nguyễn Văn Sáu", benCCCD(1), "31498")
	if res := e.benImport(e.login("so.ldtbxh"), benCSV(t, person)); res.Inserted != 1 {
		t.Fatalf("import = %+v", res)
	}
	id := e.store.BeneficiaryID(person.cccd)
	path := "/api/v1/beneficiaries/" + id + "/eligibility"
	bedridden := `{"eligible":false,"reason":"bedridden","note":""}`

	refused := []struct {
		name   string
		user   string
		body   string
		ctype  string
		status int
		field  string
	}{
		{"admin cannot", "admin", bedridden, "", 403, ""},
		{"province cannot", "so.ldtbxh", bedridden, "", 403, ""},
		{"police cannot", "ca.tinh", bedridden, "", 403, ""},
		{"another district does not find it", "huyen942", bedridden, "", 404, ""},
		{"another commune does not find it", "xa31569", bedridden, "", 404, ""},
		{"operator object for eligible", "xa31498", `{"eligible":{"$ne":null},"reason":"bedridden"}`, "", 422, "eligible"},
		{"operator object for the reason", "xa31498", `{"eligible":false,"reason":{"$ne":null}}`, "", 422, "reason"},
		{"string for eligible", "xa31498", `{"eligible":"false","reason":"bedridden"}`, "", 422, "eligible"},
		{"malformed JSON", "xa31498", `{"eligible":false,`, "", 400, ""},
		{"not JSON", "xa31498", `eligible=false`, "text/plain", 400, ""},
		{"eligible missing", "xa31498", `{"reason":"bedridden"}`, "", 422, "eligible"},
		{"no reason", "xa31498", `{"eligible":false}`, "", 422, "reason"},
		{"reason not in the list", "xa31498", `{"eligible":false,"reason":"lazy"}`, "", 422, "reason"},
		{"other without a note", "huyen941", `{"eligible":false,"reason":"other","note":" "}`, "", 422, "note"},
		{"note too long", "xa31498", `{"eligible":false,"reason":"other","note":"` + strings.Repeat("x", 501) + `"}`, "", 422, "note"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.ctype != "" {
				headers = []string{"Content-Type", tc.ctype}
			}
			r := e.do("POST", path, e.login(tc.user), tc.body, headers...)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			r.errorCode()
			if tc.field != "" && benFields(r)[tc.field] == "" {
				t.Fatalf("field %s not named: %s", tc.field, r.body)
			}
			if b := e.benStored(person.cccd); !b.Eligible || b.Ineligible != nil {
				t.Fatalf("eligibility changed: %v %+v", b.Eligible, b.Ineligible)
			}
			if evs := e.benAudit(ansinh.ActionEligibility); len(evs) != 0 {
				t.Fatalf("refused change audited: %+v", evs[0])
			}
		})
	}

	province := e.login("so.ldtbxh")
	flow := []struct {
		name     string
		user     string
		body     string
		eligible bool
		reason   string
		note     string
	}{
		{"commune marks bedridden", "xa31498", bedridden, false, "bedridden", ""},
		{"district gives another reason", "huyen941", `{"eligible":false,"reason":"other","note":"Đi làm ăn xa,  không liên lạc được"}`, false, "other", "Đi làm ăn xa, không liên lạc được"},
		{"commune reverses it", "xa31498", `{"eligible":true}`, true, "", ""},
	}
	for i, tc := range flow {
		t.Run(tc.name, func(t *testing.T) {
			previous := e.benStored(person.cccd).Eligible
			r := e.do("POST", path, e.login(tc.user), tc.body)
			var got benItem
			r.decode(&got)
			if r.StatusCode != 200 || got.ID != id || got.Eligible != tc.eligible {
				t.Fatalf("%d %s", r.StatusCode, r.body)
			}
			g := e.benGet(province, id)
			for _, it := range []benItem{got, g} {
				if tc.reason == "" && it.IneligibleReason != nil || tc.reason != "" && (it.IneligibleReason == nil || *it.IneligibleReason != tc.reason) {
					t.Fatalf("ineligible_reason = %v, want %q", it.IneligibleReason, tc.reason)
				}
			}
			if g.Eligible != tc.eligible {
				t.Fatalf("GET eligible %v", g.Eligible)
			}
			b := e.benStored(person.cccd)
			switch {
			case b.Eligible != tc.eligible:
				t.Fatalf("stored eligible %v", b.Eligible)
			case tc.reason == "" && b.Ineligible != nil:
				t.Fatalf("reason kept after reversal: %+v", b.Ineligible)
			case tc.reason != "" && (b.Ineligible == nil || b.Ineligible.Reason != tc.reason || b.Ineligible.Note != tc.note || b.Ineligible.By != tc.user):
				t.Fatalf("stored ineligibility %+v", b.Ineligible)
			}
			evs := e.benAudit(ansinh.ActionEligibility)
			if len(evs) != i+1 {
				t.Fatalf("%d eligibility events, want %d", len(evs), i+1)
			}
			ev := evs[0]
			if ev.Actor != tc.user || ev.Target != "beneficiary:"+id || ev.Unit != "31498" || net.ParseIP(ev.IP) == nil ||
				ev.Detail["eligible"] != tc.eligible || ev.Detail["previous"] != previous {
				t.Fatalf("eligibility event = %+v", ev)
			}
		})
	}
	t.Run("every listed reason is accepted", func(t *testing.T) {
		token := e.login("xa31498")
		for reason := range ansinh.IneligibleReasons {
			body := fmt.Sprintf(`{"eligible":false,"reason":%q,"note":"ghi chú"}`, reason)
			if r := e.do("POST", path, token, body); r.StatusCode != 200 {
				t.Fatalf("%s: %d %s", reason, r.StatusCode, r.body)
			}
			if b := e.benStored(person.cccd); b.Ineligible == nil || b.Ineligible.Reason != reason {
				t.Fatalf("%s stored as %+v", reason, b.Ineligible)
			}
		}
	})
}

func TestBeneficiaryExportEscapesFormulas(t *testing.T) {
	e := staffEnv(t)
	ctx := context.Background()
	normal := benP("Nguyễn Văn Sáu", "094050001234", "31498")
	normal.bank, normal.account, normal.holder = "Agribank", "123456789012", "NGUYEN VAN SAU"
	people := []benPerson{
		normal,
		benP(`=HYPERLINK("http://x")`, benCCCD(2), "31498"),
		benP("@SUM(A1)", benCCCD(3), "31498"),
		benP("+1 Lê Văn Một", benCCCD(4), "31501"),
		benP("-2 Lê Văn Hai", benCCCD(5), "31501"),
		benP("Đào Văn Xa", benCCCD(6), "31569"),
	}
	res := e.benImport(e.login("so.ldtbxh"), benCSV(t, people...))
	if res.Inserted != len(people) || len(res.Errors) != 0 {
		t.Fatalf("import = %+v", res)
	}
	// A name needs a letter to pass the import; "+1" and "-2" alone are written
	// straight to the store, as older data might hold them.
	var rows []*ansinh.ImportRow
	for i, name := range []string{"+1", "-2"} {
		c := benCCCD(7 + i)
		rows = append(rows, &ansinh.ImportRow{Row: i + 2, Beneficiary: ansinh.Beneficiary{Name: name, CCCD: c, CCCDLast4: c[8:],
			BirthDate: "1950", Sex: ansinh.SexMale, Commune: "31498", Group: ansinh.GroupNCC, Amount: 1500000, Eligible: true,
			Identity: ansinh.IdentityCheck{State: ansinh.IdentityUnchecked}}})
	}
	if _, err := e.store.InsertImported(ctx, rows, e.now()); err != nil {
		t.Fatal(err)
	}

	r := e.do("GET", "/api/v1/beneficiaries/export.csv", e.login("so.ldtbxh"), nil)
	if r.StatusCode != 200 {
		t.Fatalf("export: %d %s", r.StatusCode, r.body)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	table := benCSVRows(t, r)
	if len(table) != 1+len(people)+2 || table[0][0] != "Họ và tên" || table[0][1] != "Số CCCD" {
		t.Fatalf("export has %d rows, header %v", len(table), table[0])
	}
	wantNames := []string{`'=HYPERLINK("http://x")`, "'@SUM(A1)", "'+1 Lê Văn Một", "'-2 Lê Văn Hai", "'+1", "'-2", "Nguyễn Văn Sáu", "Đào Văn Xa"}
	var names []string
	for _, row := range table[1:] {
		names = append(names, row[0])
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q is live in row %v", cell, row)
			}
		}
		if !strings.HasPrefix(row[1], "••••••••") || len([]rune(row[1])) != 12 {
			t.Errorf("CCCD cell %q not masked", row[1])
		}
	}
	slices.Sort(names)
	slices.Sort(wantNames)
	if !slices.Equal(names, wantNames) {
		t.Fatalf("names = %q, want %q", names, wantNames)
	}
	for _, p := range append(people, benPerson{cccd: benCCCD(7)}, benPerson{cccd: benCCCD(8)}) {
		if bytes.Contains(r.body, []byte(p.cccd)) || bytes.Contains(r.body, []byte(p.cccd[1:])) {
			t.Fatalf("export holds CCCD %s", p.cccd)
		}
	}
	if bytes.Contains(r.body, []byte(normal.account)) || !bytes.Contains(r.body, []byte("••••••••9012")) {
		t.Fatalf("account not masked in the export")
	}
	evs := e.benAudit(ansinh.ActionExport)
	if len(evs) != 1 || evs[0].Actor != "so.ldtbxh" || net.ParseIP(evs[0].IP) == nil || fmt.Sprint(evs[0].Detail["rows"]) != "8" {
		t.Fatalf("export events = %+v", evs)
	}

	scoped := []struct {
		name  string
		user  string
		query string
		rows  int
	}{
		{"commune exports its own", "xa31569", "", 1},
		{"district exports its two communes", "huyen941", "", 7},
		{"district narrows to one commune", "huyen941", "?unit=31501", 2},
	}
	for _, tc := range scoped {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/beneficiaries/export.csv"+tc.query, e.login(tc.user), nil)
			if r.StatusCode != 200 {
				t.Fatalf("%d %s", r.StatusCode, r.body)
			}
			if table := benCSVRows(t, r); len(table) != 1+tc.rows {
				t.Fatalf("%d rows, want %d", len(table)-1, tc.rows)
			}
			if evs := e.benAudit(ansinh.ActionExport); evs[0].Actor != tc.user {
				t.Fatalf("export not audited for %s: %+v", tc.user, evs[0])
			}
		})
	}
}

func TestBeneficiaryImportUploadErrors(t *testing.T) {
	e := staffEnv(t)
	token := e.login("so.ldtbxh")
	valid := benCSV(t, benP("Nguyễn Văn Sáu", benCCCD(1), "31498"))

	tpl := e.do("GET", "/api/v1/beneficiaries/template.xlsx", token, nil)
	if tpl.StatusCode != 200 || !bytes.HasPrefix(tpl.body, []byte("PK\x03\x04")) {
		t.Fatalf("template: %d", tpl.StatusCode)
	}
	junk := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(94, 31498))
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	junk[7] = 0
	high := make([]byte, 4096) // no NUL byte, not UTF-8
	for i := range high {
		high[i] = byte(0x80 + rng.UintN(128))
	}
	huge := append(bytes.Clone(valid), bytes.Repeat([]byte("\n"), handlers.MaxImportBytes)...)

	tests := []struct {
		name    string
		field   string
		file    []byte
		status  int
		code    string
		message string // the exact message, or a prefix ending in ':'
		named   string // the field the error names
	}{
		{"no file field", "", nil, 422, ansinh.EINVALID, ansinh.MsgInvalidInput, "file"},
		{"file under another field", "tep", valid, 422, ansinh.EINVALID, ansinh.MsgInvalidInput, "file"},
		{"random bytes", "file", junk, 422, ansinh.EINVALID, ansinh.MsgFileUnreadable, ""},
		{"high bytes that are not UTF-8", "file", high, 422, ansinh.EINVALID, ansinh.MsgFileUnreadable, ""},
		{"truncated XLSX", "file", tpl.body[:len(tpl.body)/2], 422, ansinh.EINVALID, ansinh.MsgFileUnreadable, ""},
		{"empty file", "file", nil, 422, ansinh.EINVALID, ansinh.MsgFileEmpty, ""},
		{"only blank lines", "file", []byte("\n\n \n"), 422, ansinh.EINVALID, ansinh.MsgFileEmpty, ""},
		{"missing columns", "file", []byte("Họ và tên,Tuổi\nNguyễn Văn Sáu,76\n"), 422, ansinh.EINVALID, "Tệp thiếu cột bắt buộc:", ""},
		{"over 20 MB", "file", huge, 413, ansinh.ETOOLARGE, ansinh.MsgFileTooLarge, "file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.benUpload(token, tc.field, "danh-sach.xlsx", tc.file)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %.300s", r.StatusCode, tc.status, r.body)
			}
			if code := r.errorCode(); code != tc.code {
				t.Fatalf("code %q, want %q", code, tc.code)
			}
			msg := benMessage(r)
			if msg != tc.message && !(strings.HasSuffix(tc.message, ":") && strings.HasPrefix(msg, tc.message)) {
				t.Fatalf("message %q, want %q", msg, tc.message)
			}
			if tc.named != "" && benFields(r)[tc.named] == "" {
				t.Fatalf("field %s not named: %s", tc.named, r.body)
			}
		})
	}
	t.Run("JSON instead of a form", func(t *testing.T) {
		r := e.do("POST", "/api/v1/beneficiaries/import", token, `{"file":"danh-sach.csv"}`)
		if r.StatusCode != 422 || r.errorCode() != ansinh.EINVALID || benFields(r)["file"] == "" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	if n := e.benCount(); n != 0 {
		t.Fatalf("%d records stored from refused uploads", n)
	}
	if evs := e.benAudit(ansinh.ActionImport); len(evs) != 0 {
		t.Fatalf("refused uploads audited as imports: %+v", evs[0])
	}
}

func TestImportErrorReportCSV(t *testing.T) {
	e := staffEnv(t)
	province := e.login("so.ldtbxh")
	list := []byte("\ufeffHọ và tên;Số CCCD;Ngày sinh;Giới tính;Mã xã;Nhóm đối tượng;Mức hưởng\n" +
		"Nguyễn Văn Sáu;094050001234;05/03/1950;Nam;31498;NCC;1.500.000\n" + // 2: good
		"Lê Văn Tám;094050009999;01/01/1950;Nam;99999;NCC;1500000\n" + // 3: unknown commune
		"Nguyễn Văn Sáu;094050001234;05/03/1950;Nam;31498;NCC;1500000\n" + // 4: repeats row 2
		"Phạm Văn Chín;094060000777;31/02/1960;Nam;31498;NCC;1500000\n" + // 5: impossible date
		"=cmd|' /C calc'!A0;12345;01/01/1950;Nam;31498;NCC;1500000\n" + // 6: short CCCD, formula name
		";094050008888;01/01/1950;Nam;31498;bò;1500000\n") // 7: no name, unknown group
	res := e.benImport(province, list)
	want := []ansinh.RowError{
		{Row: 3, Column: "Mã xã", Message: ansinh.MsgCommuneUnknown},
		{Row: 4, Column: "Số CCCD", Message: fmt.Sprintf(ansinh.MsgCCCDRepeated, 2)},
		{Row: 5, Column: "Ngày sinh", Message: ansinh.MsgDateFormat},
		{Row: 6, Column: "Số CCCD", Message: ansinh.MsgCCCDLength},
		{Row: 7, Column: "Họ và tên", Message: ansinh.MsgNameRequired},
		{Row: 7, Column: "Nhóm đối tượng", Message: ansinh.MsgGroupUnknown},
	}
	if res.Inserted != 1 || !slices.Equal(res.Errors, want) {
		t.Fatalf("import = %+v", res)
	}
	path := "/api/v1/imports/" + res.ID + "/errors.csv"

	r := e.do("GET", path, province, nil)
	if r.StatusCode != 200 {
		t.Fatalf("errors.csv: %d %s", r.StatusCode, r.body)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	table := benCSVRows(t, r)
	if len(table) != 1+len(res.Errors) || !slices.Equal(table[0], []string{"Dòng", "Cột", "Lỗi"}) {
		t.Fatalf("error table = %q", table)
	}
	for i, re := range res.Errors {
		if got := table[i+1]; !slices.Equal(got, []string{strconv.Itoa(re.Row), re.Column, re.Message}) {
			t.Errorf("line %d = %q, want %+v", i+2, got, re)
		}
	}

	// A district's own report is its own; an empty report is just the header.
	district := e.login("huyen941")
	clean := e.benImport(district, benCSV(t, benP("Võ Văn Tám", benCCCD(8), "31504")))
	if len(clean.Errors) != 0 {
		t.Fatalf("clean import = %+v", clean)
	}
	if r := e.do("GET", "/api/v1/imports/"+clean.ID+"/errors.csv", district, nil); r.StatusCode != 200 || len(benCSVRows(t, r)) != 1 {
		t.Fatalf("empty report: %d %s", r.StatusCode, r.body)
	}

	others := []struct {
		name   string
		user   string
		path   string
		status int
	}{
		{"admin does not see the province's report", "admin", path, 404},
		{"a district officer does not see it", "huyen941", path, 404},
		{"commune imports nothing: no report to see", "xa31498", path, 403},
		{"the province does not see the district's report", "so.ldtbxh", "/api/v1/imports/" + clean.ID + "/errors.csv", 404},
		{"unknown report", "so.ldtbxh", "/api/v1/imports/nope/errors.csv", 404},
		{"no token", "", path, 401},
	}
	for _, tc := range others {
		t.Run(tc.name, func(t *testing.T) {
			token := ""
			if tc.user != "" {
				token = e.login(tc.user)
			}
			r := e.do("GET", tc.path, token, nil)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			r.errorCode()
			if bytes.Contains(r.body, []byte("Dòng")) {
				t.Fatalf("report shown: %s", r.body)
			}
		})
	}
}

func TestBeneficiaryImportTemplate(t *testing.T) {
	e := staffEnv(t)
	province := e.login("so.ldtbxh")
	r := e.do("GET", "/api/v1/beneficiaries/template.xlsx", province, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("template: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) < 2 {
		t.Fatalf("first sheet: %d rows, %v", len(rows), err)
	}
	header, err := ansinh.MapImportHeader(rows[0])
	if err != nil {
		t.Fatalf("template header refused: %v", err)
	}
	for _, col := range ansinh.ImportColumns() {
		if !header.Has(col.Name) {
			t.Errorf("template lacks column %s", col.Name)
		}
	}
	if r := e.do("GET", "/api/v1/beneficiaries/template.xlsx", "", nil); r.StatusCode != 401 {
		t.Fatalf("template without a token: %d", r.StatusCode)
	}

	// The template itself, uploaded back, imports its one example row.
	steps := []struct {
		name                          string
		user                          string
		inserted, unchanged, rowError int
	}{
		{"province imports the example row", "so.ldtbxh", 1, 0, 0},
		{"the same file again changes nothing", "so.ldtbxh", 0, 1, 0},
		{"district 942 may not write a 941 row", "huyen942", 0, 0, 1},
	}
	for _, tc := range steps {
		t.Run(tc.name, func(t *testing.T) {
			up := e.benUpload(e.login(tc.user), "file", "mau-danh-sach-doi-tuong.xlsx", r.body)
			if up.StatusCode != 200 {
				t.Fatalf("upload: %d %s", up.StatusCode, up.body)
			}
			var res benImportResult
			up.decode(&res)
			if res.Inserted != tc.inserted || res.Unchanged != tc.unchanged || res.Updated != 0 || len(res.Errors) != tc.rowError {
				t.Fatalf("import = %+v", res)
			}
			if tc.rowError > 0 && (res.Errors[0].Row != 2 || res.Errors[0].Message != ansinh.MsgCommuneOutside) {
				t.Fatalf("errors = %+v", res.Errors)
			}
		})
	}
	if n := e.benCount(); n != 1 {
		t.Fatalf("%d records, want 1", n)
	}
}
