package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ansinh"
)

// The staff of Thành phố Cần Thơ (2025): the city's department, the officers of Phường
// Cái Khế (31120) and Phường Bình Thủy (31168), which share the old Bùi Hữu Nghĩa
// (31178), and of Phường Sóc Trăng (31507), which does not.
func cityEnv(t *testing.T) *env {
	e := newSetsEnv(t)
	e.addUser("so.yte", ansinh.RoleProvince, "92")
	e.addUser("ca.tp", ansinh.RolePolice, "92")
	e.addUser("xa31120", ansinh.RoleCommune, "31120")
	e.addUser("xa31168", ansinh.RoleCommune, "31168")
	e.addUser("xa31507", ansinh.RoleCommune, "31507")
	return e
}

// setUpload posts a list with the multipart field unit_set (none when set is "-").
func (e *env) setUpload(token, set string, content []byte) *response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if set != "-" {
		_ = mw.WriteField("unit_set", set)
	}
	fw, _ := mw.CreateFormFile("file", "danh-sach.csv")
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/beneficiaries/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(req)
}

type setImportResult struct {
	benImportResult
	UnitSet string `json:"unit_set"`
}

func (e *env) setImport(token, set string, content []byte) setImportResult {
	e.t.Helper()
	r := e.setUpload(token, set, content)
	if r.StatusCode != 200 {
		e.t.Fatalf("import as %s: %d %s", set, r.StatusCode, r.body)
	}
	var out setImportResult
	r.decode(&out)
	return out
}

type waitingItem struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Commune    string   `json:"commune"`
	Candidates []string `json:"candidates"`
	OldCommune string   `json:"old_commune"`
}

func (e *env) waiting(token string) []waitingItem {
	e.t.Helper()
	r := e.do("GET", "/api/v1/beneficiaries?unit_choice=pending", token, nil)
	if r.StatusCode != 200 {
		e.t.Fatalf("waiting list: %d %s", r.StatusCode, r.body)
	}
	var out struct{ Items []waitingItem }
	r.decode(&out)
	return out.Items
}

func (e *env) choose(token, id string, body any) *response {
	e.t.Helper()
	return e.do("POST", "/api/v1/beneficiaries/"+id+"/commune", token, body)
}

// unassigned is the root's count of people who wait for a commune.
func (e *env) unassigned(token string) int64 {
	e.t.Helper()
	r := e.do("GET", "/api/v1/coverage?unit=92", token, nil)
	var out struct {
		Unassigned *struct {
			Beneficiaries int64 `json:"beneficiaries"`
		} `json:"unassigned"`
	}
	r.decode(&out)
	if out.Unassigned == nil {
		return 0
	}
	return out.Unassigned.Beneficiaries
}

func (e *env) noDrift() {
	e.t.Helper()
	drift, err := e.store.Reconcile(context.Background(), false)
	if err != nil || len(drift) != 0 {
		e.t.Fatalf("counters drifted from the records: %v %v", drift, err)
	}
}

func TestImportOfAnOlderSetMovesPeopleToTodaysCommunes(t *testing.T) {
	e := cityEnv(t)
	so := e.login("so.yte")
	list := benCSV(t, benP("Nguyễn Văn Sáu", benCCCD(1), "31498"), benP("Trần Văn Bảy", benCCCD(2), "31513"))
	res := e.setImport(so, ansinh.SetSocTrang2024, list)
	if res.Inserted != 2 || len(res.Errors) != 0 || res.UnitSet != ansinh.SetSocTrang2024 {
		t.Fatalf("import soc-trang-2024: %+v", res)
	}
	for cccd, want := range map[string]string{benCCCD(1): "31507", benCCCD(2): "31510"} {
		if b := e.benStored(cccd); b.Commune != want || len(b.Candidates) != 0 || b.OldUnitSet != ansinh.SetSocTrang2024 {
			t.Errorf("%s stored in %q (candidates %v, old set %q), want %s", cccd, b.Commune, b.Candidates, b.OldUnitSet, want)
		}
	}
	if n, _ := e.coverage(so, "31507"); n != 1 {
		t.Fatalf("Phường Sóc Trăng counts %d", n)
	}
	if again := e.setImport(so, ansinh.SetSocTrang2024, list); again.Unchanged != 2 || again.Inserted+again.Updated != 0 {
		t.Fatalf("re-import changed something: %+v", again)
	}
	evs := e.benAudit(ansinh.ActionImport)
	if len(evs) != 2 || evs[0].Detail["unit_set"] != ansinh.SetSocTrang2024 {
		t.Fatalf("import audit: %+v", evs)
	}
	rep, err := e.store.ImportReport(context.Background(), res.ID)
	if err != nil || rep.UnitSet != ansinh.SetSocTrang2024 {
		t.Fatalf("import report: %+v %v", rep, err)
	}

	// The same old code read as today's set is no commune of it: the error names the set.
	cur := e.sets.Current()
	wrong := e.setImport(so, ansinh.SetCanTho2025, benCSV(t, benP("Lê Văn Tám", benCCCD(3), "31498")))
	want := fmt.Sprintf(ansinh.MsgCommuneNotInSet, "31498", cur.Name, cur.ID) + fmt.Sprintf(ansinh.MsgCommuneNotInSetOlder, "01/07/2025")
	if wrong.Inserted != 0 || len(wrong.Errors) != 1 || wrong.Errors[0].Message != want || wrong.Errors[0].Column != "Mã xã" {
		t.Fatalf("31498 as can-tho-2025: %+v", wrong)
	}
	// No unit_set is today's set.
	if def := e.setImport(so, "-", benCSV(t, benP("Lê Văn Tám", benCCCD(3), "31498"))); def.UnitSet != ansinh.SetCanTho2025 || len(def.Errors) != 1 {
		t.Fatalf("default set: %+v", def)
	}
	e.noDrift()
}

func TestWaitingPersonIsChosenByAnOfficerOfACandidateCommune(t *testing.T) {
	e := cityEnv(t)
	so, x120, x168, x507 := e.login("so.yte"), e.login("xa31120"), e.login("xa31168"), e.login("xa31507")
	cccd := benCCCD(7)
	id := e.store.BeneficiaryID(cccd)
	old := benCSV(t, benP("Phạm Văn Chín", cccd, "31178"))
	if res := e.setImport(so, ansinh.SetPreMerger, old); res.Inserted != 1 || len(res.Errors) != 0 {
		t.Fatalf("import pre-merger: %+v", res)
	}
	if b := e.benStored(cccd); b.Commune != "" || !slices.Equal(b.Candidates, []string{"31120", "31168"}) || b.OldCommune != "31178" {
		t.Fatalf("stored %q candidates %v old %q", b.Commune, b.Candidates, b.OldCommune)
	}

	// Listed for both candidate communes, not for another; readable by both.
	for name, token := range map[string]string{"31120": x120, "31168": x168} {
		items := e.waiting(token)
		if len(items) != 1 || items[0].ID != id || items[0].Commune != "" || !slices.Equal(items[0].Candidates, []string{"31120", "31168"}) {
			t.Fatalf("waiting list of %s: %+v", name, items)
		}
		if b := e.benGet(token, id); b.Name != "Phạm Văn Chín" {
			t.Fatalf("%s reads the record: %+v", name, b)
		}
	}
	if items := e.waiting(x507); len(items) != 0 {
		t.Fatalf("an unrelated commune sees %+v", items)
	}
	if r := e.do("GET", "/api/v1/beneficiaries/"+id, x507, nil); r.StatusCode != 404 {
		t.Fatalf("an unrelated commune reads the record: %d", r.StatusCode)
	}
	// The city's total counts the person; no commune does yet.
	if n, _ := e.coverage(so, "92"); n != 1 || e.unassigned(so) != 1 {
		t.Fatalf("city total %d, unassigned %d", n, e.unassigned(so))
	}
	if n, _ := e.coverage(so, "31168"); n != 0 {
		t.Fatalf("31168 counts %d before the choice", n)
	}

	// Who may not choose, and what may not be chosen.
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"an unrelated commune", x507, map[string]string{"commune": "31168"}, 404},
		{"the city's department", so, map[string]string{"commune": "31168"}, 403},
		{"the police liaison", e.login("ca.tp"), map[string]string{"commune": "31168"}, 403},
		{"a commune that is no candidate", x168, map[string]string{"commune": "31507"}, 422},
		{"no commune", x168, map[string]string{}, 422},
		{"a number", x168, `{"commune":31168}`, 422},
		{"a list", x168, `{"commune":["31168"]}`, 422},
		{"an operator", x168, `{"commune":{"$ne":""}}`, 422},
		{"an injection", x168, map[string]string{"commune": "31168' || '1'=='1"}, 422},
		{"broken JSON", x168, `{"commune":`, 400},
	} {
		r := e.choose(tc.token, id, tc.body)
		if r.StatusCode != tc.status {
			t.Fatalf("%s: %d %s", tc.name, r.StatusCode, r.body)
		}
		r.errorCode()
		if tc.status == 422 && benFields(r)["commune"] == "" {
			t.Fatalf("%s: no commune field error: %s", tc.name, r.body)
		}
	}
	if b := e.benStored(cccd); b.Commune != "" || len(b.Candidates) != 2 || len(e.benAudit(ansinh.ActionCommuneChoose)) != 0 {
		t.Fatalf("a refused choice changed the record: %+v", b)
	}

	r := e.choose(x168, id, map[string]string{"commune": "31168"})
	if r.StatusCode != 200 {
		t.Fatalf("choose: %d %s", r.StatusCode, r.body)
	}
	if len(e.waiting(x168)) != 0 || len(e.waiting(x120)) != 0 {
		t.Fatal("still on the waiting list after the choice")
	}
	if b := e.benGet(x168, id); b.Commune != "31168" {
		t.Fatalf("commune after the choice: %+v", b)
	}
	if n, _ := e.coverage(so, "31168"); n != 1 {
		t.Fatalf("31168 counts %d after the choice", n)
	}
	if n, _ := e.coverage(so, "92"); n != 1 || e.unassigned(so) != 0 {
		t.Fatalf("city total %d, unassigned %d after the choice", n, e.unassigned(so))
	}
	evs := e.benAudit(ansinh.ActionCommuneChoose)
	if len(evs) != 1 || evs[0].Actor != "xa31168" || evs[0].Target != "beneficiary:"+id || evs[0].Detail["chosen"] != "31168" ||
		fmt.Sprint(evs[0].Detail["from"]) != "[31120 31168]" {
		t.Fatalf("audit: %+v", evs)
	}
	r = e.choose(x168, id, map[string]string{"commune": "31120"})
	if r.StatusCode != 409 || benMessage(r) != ansinh.MsgCommuneChosen {
		t.Fatalf("second choice: %d %s", r.StatusCode, r.body)
	}
	if r := e.choose(x120, id, map[string]string{"commune": "31120"}); r.StatusCode != 404 {
		t.Fatalf("the other candidate after the choice: %d %s", r.StatusCode, r.body)
	}

	// The old list again keeps the officer's choice, unchanged or changed.
	if res := e.setImport(so, ansinh.SetPreMerger, old); res.Unchanged != 1 {
		t.Fatalf("re-import: %+v", res)
	}
	changed := benP("Phạm Văn Chín", cccd, "31178")
	changed.amount = "2000000"
	if res := e.setImport(so, ansinh.SetPreMerger, benCSV(t, changed)); res.Updated != 1 {
		t.Fatalf("changed re-import: %+v", res)
	}
	if b := e.benStored(cccd); b.Commune != "31168" || len(b.Candidates) != 0 || b.Amount != 2000000 {
		t.Fatalf("the old list undid the choice: %q %v %d", b.Commune, b.Candidates, b.Amount)
	}
	// Today's list moving the person elsewhere is obeyed.
	if res := e.setImport(so, ansinh.SetCanTho2025, benCSV(t, benP("Phạm Văn Chín", cccd, "31120"))); res.Updated != 1 {
		t.Fatalf("new-coded import: %+v", res)
	}
	if b := e.benStored(cccd); b.Commune != "31120" {
		t.Fatalf("today's list: %q", b.Commune)
	}
	e.noDrift()
}

// A code means nothing without its set: 31183 of the old list is the split Long Tuyền
// (→ An Bình or today's Long Tuyền), 31183 of today's list is today's Long Tuyền. The
// same row read in the other set is another row.
func TestTheSameCodeInAnotherSetIsAnotherRow(t *testing.T) {
	e := cityEnv(t)
	so := e.login("so.yte")
	cccd := benCCCD(9)
	list := benCSV(t, benP("Đỗ Văn Mười", cccd, "31183"))
	if res := e.setImport(so, ansinh.SetPreMerger, list); res.Inserted != 1 {
		t.Fatalf("old list: %+v", res)
	}
	if b := e.benStored(cccd); b.Commune != "" || !slices.Equal(b.Candidates, []string{"31150", "31183"}) {
		t.Fatalf("old list: %q %v", b.Commune, b.Candidates)
	}
	if res := e.setImport(so, ansinh.SetCanTho2025, list); res.Updated != 1 {
		t.Fatalf("today's list with the same code: %+v", res)
	}
	if b := e.benStored(cccd); b.Commune != "31183" || len(b.Candidates) != 0 || b.OldCommune != "" {
		t.Fatalf("today's list: %q %v old %q", b.Commune, b.Candidates, b.OldCommune)
	}
	if n, _ := e.coverage(so, "31183"); n != 1 || e.unassigned(so) != 0 {
		t.Fatalf("31183 counts %d, unassigned %d", n, e.unassigned(so))
	}
	e.noDrift()
}

// Two officers choosing at once: one choice wins, the other is told, the person is
// counted once.
func TestConcurrentChoicesOneWins(t *testing.T) {
	e := cityEnv(t)
	so := e.login("so.yte")
	cccd := benCCCD(7)
	e.setImport(so, ansinh.SetPreMerger, benCSV(t, benP("Phạm Văn Chín", cccd, "31178")))
	id := e.store.BeneficiaryID(cccd)
	tokens := []string{e.login("xa31120"), e.login("xa31168")}
	communes := []string{"31120", "31168"}
	status := make([]int, 2)
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status[i] = e.choose(tokens[i], id, map[string]string{"commune": communes[i]}).StatusCode
		}()
	}
	wg.Wait()
	slices.Sort(status)
	if status[0] != 200 || (status[1] != 409 && status[1] != 404) {
		t.Fatalf("statuses %v", status)
	}
	if n := len(e.benAudit(ansinh.ActionCommuneChoose)); n != 1 {
		t.Fatalf("%d choices audited", n)
	}
	if n, _ := e.coverage(so, "92"); n != 1 || e.unassigned(so) != 0 {
		t.Fatalf("city %d, unassigned %d", n, e.unassigned(so))
	}
	e.noDrift()
}

func TestImportScopeOfAWaitingPerson(t *testing.T) {
	e := cityEnv(t)
	e.addUser("admin.tp", ansinh.RoleAdmin, "92")
	so := e.login("so.yte")
	list := benCSV(t, benP("Phạm Văn Chín", benCCCD(7), "31178"))
	if res := e.setImport(so, ansinh.SetPreMerger, list); res.Inserted != 1 {
		t.Fatalf("import: %+v", res)
	}
	// Re-importing is the department's: the waiting person is theirs though no commune is.
	if res := e.setImport(e.login("admin.tp"), ansinh.SetPreMerger, list); res.Unchanged != 1 || len(res.Errors) != 0 {
		t.Fatalf("re-import by the operator: %+v", res)
	}
}

func TestHostileUnitSetAndUnitChoice(t *testing.T) {
	e := cityEnv(t)
	so := e.login("so.yte")
	list := benCSV(t, benP("Nguyễn Văn Sáu", benCCCD(1), "31498"))
	for _, set := range []string{`{"$gt":""}`, "$where", "soc-trang-2024\x00", "../../etc/passwd", strings.Repeat("soc-trang-2024", 20000), "SOC-TRANG-2024"} {
		r := e.setUpload(so, set, list)
		if r.StatusCode != 400 || r.errorCode() != ansinh.EBADREQUEST || benFields(r)["unit_set"] != ansinh.MsgUnitSetUnknown {
			t.Fatalf("unit_set %.30q: %d %s", set, r.StatusCode, r.body)
		}
	}
	if n := e.benCount(); n != 0 || len(e.benAudit(ansinh.ActionImport)) != 0 {
		t.Fatalf("refused imports stored %d people", n)
	}
	for _, q := range []string{"unit_choice=all", "unit_choice=%7B%22%24ne%22%3A%22%22%7D", "unit_choice=" + strings.Repeat("p", 1000)} {
		r := e.do("GET", "/api/v1/beneficiaries?"+q, so, nil)
		if r.StatusCode != 422 || benFields(r)["unit_choice"] == "" {
			t.Fatalf("%.40s: %d %s", q, r.StatusCode, r.body)
		}
	}
	// A bracketed key is another parameter to Fiber, not an operator: the plain list.
	if l, _ := e.benList(so, url.Values{"unit_choice[$ne]": {"pending"}}); l.Total != 0 {
		t.Fatalf("bracketed unit_choice: %+v", l)
	}
	if r := e.choose(e.login("xa31168"), strings.Repeat("x", 1000), map[string]string{"commune": "31168"}); r.StatusCode != 404 {
		t.Fatalf("choice for no record: %d %s", r.StatusCode, r.body)
	}
}

func TestWaitingPagesForCommuneOfficers(t *testing.T) {
	e := cityEnv(t)
	so := e.browser("so.yte")
	r, doc := so.get("/can-bo/nhap-danh-sach")
	if r.StatusCode != 200 || doc.Find(`input[type=radio][name=unit_set]`).Length() != 3 ||
		doc.Find(`input[name=unit_set][value="can-tho-2025"][checked]`).Length() != 1 ||
		!strings.Contains(doc.Find("#unit-sets").Text(), "Tỉnh Sóc Trăng, danh mục năm 2024") {
		t.Fatalf("the import page offers no choice of unit sets: %d", r.StatusCode)
	}
	// The page posts unit_set like the API.
	pageImport := func(set string) (*response, *goquery.Document) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		csrf, token := e.csrfFor(so.cookie)
		_ = mw.WriteField("_csrf", token)
		_ = mw.WriteField("unit_set", set)
		fw, _ := mw.CreateFormFile("file", "ds.csv")
		_, _ = fw.Write(benCSV(t, benP("Phạm Văn Chín", benCCCD(7), "31178")))
		_ = mw.Close()
		req := httptest.NewRequest("POST", "/can-bo/nhap-danh-sach", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(so.cookie)
		req.AddCookie(csrf)
		return so.follow(so.parse(e.send(req)))
	}
	if r, doc := pageImport("<script>alert(1)</script>"); r.StatusCode != 400 || text(doc, ".alert") != ansinh.MsgUnitSetUnknown ||
		strings.Contains(string(r.body), "<script>alert") || e.benCount() != 0 {
		t.Fatalf("unknown set on the page: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	r, doc = pageImport(ansinh.SetPreMerger)
	if r.StatusCode != 200 || text(doc, "#inserted") != "1" || !strings.Contains(text(doc, "#report-set"), "01/03/2025") {
		t.Fatalf("page import: %d inserted=%q set=%q", r.StatusCode, text(doc, "#inserted"), text(doc, "#report-set"))
	}
	if r, doc := so.upload("/can-bo/nhap-danh-sach?x=1", "ds.csv", nil); r.StatusCode == 500 {
		t.Fatalf("empty upload: %d %s", r.StatusCode, text(doc, ".alert"))
	}

	x := e.browser("xa31168")
	_, doc = x.get("/can-bo/")
	if !strings.Contains(text(doc, "#waiting"), "1") {
		t.Fatalf("the staff home shows no waiting count: %q", text(doc, "#waiting"))
	}
	if _, doc := e.browser("xa31507").get("/can-bo/"); doc.Find("#waiting").Length() != 0 {
		t.Fatal("an unrelated commune is shown the waiting count")
	}
	r, doc = x.get("/can-bo/can-chon-xa")
	card := doc.Find("section.waiting")
	if r.StatusCode != 200 || card.Length() != 1 || !strings.Contains(card.Text(), "Phạm Văn Chín") ||
		!strings.Contains(card.Text(), "••••••••0007") || strings.Contains(string(r.body), benCCCD(7)) ||
		!strings.Contains(card.Find(".old").Text(), "Bùi Hữu Nghĩa") || !strings.Contains(card.Find(".candidates").Text(), "Phường Cái Khế") ||
		card.Find(`input[type=radio][name=commune]`).Length() != 2 {
		t.Fatalf("waiting page: %d %s", r.StatusCode, card.Text())
	}
	if strings.Contains(strings.ToLower(string(r.body)), " bạn ") {
		t.Fatal("the waiting page says bạn")
	}
	action, _ := card.Find("form").Attr("action")
	id := e.store.BeneficiaryID(benCCCD(7))
	if b, doc := x.get("/can-bo/doi-tuong/" + id); b.StatusCode != 200 || !strings.Contains(text(doc, "#commune"), "Chưa chọn") {
		t.Fatalf("record page of a waiting person: %d %q", b.StatusCode, text(doc, "#commune"))
	}
	// Without the CSRF token nothing happens.
	if r := e.form(action, url.Values{"commune": {"31168"}, "_csrf": {"sai"}}, x.cookie); r.StatusCode != 403 {
		t.Fatalf("choice without CSRF: %d", r.StatusCode)
	}
	if r, doc := x.post(action, url.Values{"commune": {"31507"}}); r.StatusCode != 422 || text(doc, ".alert") != ansinh.MsgCommuneNotCandidate {
		t.Fatalf("non-candidate choice: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	r, doc = x.follow(x.post(action, url.Values{"commune": {"31168"}}))
	if r.StatusCode != 200 || !strings.Contains(text(doc, ".notice"), "Phường Bình Thủy") || doc.Find("#none").Length() != 1 {
		t.Fatalf("choice: %d %q", r.StatusCode, text(doc, ".notice"))
	}
	if r, doc := x.post(action, url.Values{"commune": {"31168"}}); r.StatusCode != 409 || text(doc, ".alert") != ansinh.MsgCommuneChosen {
		t.Fatalf("second choice: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	if b := e.benStored(benCCCD(7)); b.Commune != "31168" {
		t.Fatalf("stored %q", b.Commune)
	}
}

// A waiting person who registers is not turned away; the submission reaches the queue
// of the commune an officer chooses.
func TestRegistrationOfAWaitingPersonReachesTheChosenQueue(t *testing.T) {
	e := cityEnv(t)
	so, x168 := e.login("so.yte"), e.login("xa31168")
	cccd := benCCCD(7)
	e.setImport(so, ansinh.SetPreMerger, benCSV(t, benP("Phạm Văn Chín", cccd, "31178")))
	body := validRegistration("key-waiting-0001")
	body["cccd"], body["account_name"] = cccd, "Phạm Văn Chín"
	r, receipt := e.submit(body)
	if r.StatusCode != 201 {
		t.Fatalf("submit: %d %s", r.StatusCode, r.body)
	}
	if st, _ := e.status(receipt); st != ansinh.StatusPending {
		t.Fatalf("status %s", st)
	}
	// The web form too: identity, then the first question.
	f := e.form("/c/31168", url.Values{"cccd": {cccd}, "ngay": {"5"}, "thang": {"3"}, "nam": {"1950"}}, nil)
	if f.StatusCode != 303 || !strings.HasSuffix(f.Header.Get("Location"), "/ai-nhan") {
		t.Fatalf("form identity of a waiting person: %d", f.StatusCode)
	}
	if _, n := e.queue(x168, ""); n != 0 {
		t.Fatalf("queued in 31168 before the choice: %d", n)
	}
	if r := e.choose(x168, e.store.BeneficiaryID(cccd), map[string]string{"commune": "31168"}); r.StatusCode != 200 {
		t.Fatalf("choose: %d %s", r.StatusCode, r.body)
	}
	items, n := e.queue(x168, "")
	if n != 1 || items[0].Receipt != receipt || items[0].Commune != "31168" {
		t.Fatalf("queue of 31168 after the choice: %d %+v", n, items)
	}
	if _, n := e.queue(e.login("xa31120"), ""); n != 0 {
		t.Fatalf("queued in the other candidate: %d", n)
	}
	// …and the officer can verify it there.
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/verify", x168, map[string]any{}); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	if _, with := e.coverage(so, "31168"); with != 1 {
		t.Fatalf("31168 with account: %d", with)
	}
	e.noDrift()
}
