package handlers_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ansinh"
	"ansinh/registration"
)

// publicPage posts one page of the public request form.
func (e *env) publicPage(v url.Values) (*response, *goquery.Document) {
	e.t.Helper()
	r := e.form("/tra-cuu/yeu-cau", v, nil)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	return r, doc
}

func (e *env) requestCount(t *testing.T) int {
	t.Helper()
	list, err := e.store.PrivacyRequests(context.Background(), e.units.Leaves("94"), true, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestRequestFromTheStatusPage: one question a page, the birth date last; only a
// right birth date records the request, with its deadline; the person follows it by
// its code; officers of the commune answer it, every step audited.
func TestRequestFromTheStatusPage(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-request-0001"))

	r := e.do("GET", "/tra-cuu?ma="+receipt, "", nil)
	if !strings.Contains(string(r.body), "/tra-cuu/yeu-cau?ma=") {
		t.Fatal("the status page offers no request about one's data")
	}
	page := url.Values{"ma": {receipt}}
	res, doc := e.publicPage(url.Values{"ma": {receipt}})
	if res.StatusCode != 422 || doc.Find("#err-kind").Length() != 1 {
		t.Fatalf("no kind chosen: %d", res.StatusCode)
	}
	page.Set("kind", "correct")
	page.Set("step", "kind")
	res, doc = e.publicPage(page)
	if res.StatusCode != 200 || doc.Find("textarea[name=detail]").Length() != 1 || doc.Find("input[name=nam]").Length() != 0 {
		t.Fatalf("the correction page: %d", res.StatusCode)
	}
	page.Set("step", "detail")
	if res, doc := e.publicPage(page); res.StatusCode != 422 || text(doc, "#err-detail") != ansinh.MsgRequestCorrectWhat {
		t.Fatalf("an empty correction: %d", res.StatusCode)
	}
	page.Set("detail", "Tên tôi là Nguyễn Văn Sáu, không phải Sau")
	res, doc = e.publicPage(page)
	if res.StatusCode != 200 || doc.Find("input[name=nam]").Length() != 1 || doc.Find("textarea").Length() != 0 {
		t.Fatalf("the birth date page: %d", res.StatusCode)
	}
	for _, body := range [][]byte{res.body} {
		if strings.Contains(strings.ToLower(string(body)), "bạn") {
			t.Fatal("the page says bạn")
		}
	}
	page.Set("step", "birth")
	for k, v := range map[string]string{"ngay": "6", "thang": "3", "nam": "1950"} {
		page.Set(k, v)
	}
	if res, doc := e.publicPage(page); res.StatusCode != 422 || text(doc, "#err-birth_date") != ansinh.MsgIdentityNotFound || e.requestCount(t) != 0 {
		t.Fatalf("a wrong birth date: %d %q, %d requests", res.StatusCode, text(doc, "#err-birth_date"), e.requestCount(t))
	}
	page.Set("ngay", "5")
	res, _ = e.publicPage(page)
	loc := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.HasPrefix(loc, "/tra-cuu/yeu-cau/") {
		t.Fatalf("recorded: %d %q", res.StatusCode, loc)
	}
	code := strings.TrimPrefix(strings.Split(loc, "?")[0], "/tra-cuu/yeu-cau/")
	status := e.do("GET", loc, "", nil)
	sdoc, _ := goquery.NewDocumentFromReader(bytes.NewReader(status.body))
	due := e.now().AddDate(0, 0, ansinh.RequestCorrectDays).In(ansinh.Vietnam).Format("02/01/2006")
	if status.StatusCode != 200 || text(sdoc, "#code") != code || text(sdoc, "#due") != due || text(sdoc, "#state") != "Đang xử lý" ||
		strings.Contains(string(status.body), sauCCCD) || strings.Contains(string(status.body), "Nguyễn Văn Sáu") {
		t.Fatalf("the request's page: %d code=%q due=%q (want %s) state=%q", status.StatusCode, text(sdoc, "#code"), text(sdoc, "#due"), due, text(sdoc, "#state"))
	}
	evs := e.benAudit(ansinh.ActionPrivacyRequest)
	if len(evs) != 1 || evs[0].Actor != "public" || evs[0].Detail["request"] != code || evs[0].Unit != "31498" {
		t.Fatalf("audit %+v", evs)
	}

	// The commune sees it with its deadline; another commune does not.
	x := e.browser("xa31498")
	_, list := x.get("/can-bo/yeu-cau-du-lieu")
	if !strings.Contains(list.Find("#open").Text(), "Nguyễn Văn Sáu") || !strings.Contains(list.Find("#open").Text(), "còn 10 ngày") {
		t.Fatalf("the commune's list: %q", list.Find("#open").Text())
	}
	other := e.browser("xa31569")
	if _, l := other.get("/can-bo/yeu-cau-du-lieu"); l.Find("#open").Length() != 0 {
		t.Fatal("another commune sees the request")
	}
	if r, _ := other.get("/can-bo/yeu-cau-du-lieu/" + code); r.StatusCode != 404 {
		t.Fatalf("another commune opens it: %d", r.StatusCode)
	}
	// Eleven days later it is late.
	e.advance(11 * 24 * 3600)
	x = e.browser("xa31498") // a new day's session
	if _, l := x.get("/can-bo/yeu-cau-du-lieu"); !strings.Contains(l.Find("#open").Text(), "quá hạn 1 ngày") {
		t.Fatalf("late: %q", l.Find("#open").Text())
	}
	answer := "/can-bo/yeu-cau-du-lieu/" + code + "/tra-loi"
	if r, doc := x.post(answer, url.Values{"answer": {"Đã sửa"}}); r.StatusCode != 422 || text(doc, ".alert") != ansinh.MsgRequestOutcome {
		t.Fatalf("no outcome: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	if r, doc := x.post(answer, url.Values{"status": {"done"}, "answer": {"Đã sửa tên trong danh sách."}}); r.StatusCode != 200 || text(doc, "#state") != "Đã thực hiện" {
		t.Fatalf("answer: %d %q", r.StatusCode, text(doc, "#state"))
	}
	if r, _ := x.post(answer, url.Values{"status": {"refused"}, "answer": {"x"}}); r.StatusCode != 409 {
		t.Fatalf("a second answer: %d", r.StatusCode)
	}
	evs = e.benAudit(ansinh.ActionPrivacyAnswer)
	if len(evs) != 1 || evs[0].Actor != "xa31498" || evs[0].Detail["late"] != true || evs[0].Detail["status"] != "done" {
		t.Fatalf("answer audit %+v", evs)
	}
	status = e.do("GET", "/tra-cuu/yeu-cau/"+code, "", nil)
	if !strings.Contains(string(status.body), "Đã sửa tên trong danh sách.") {
		t.Fatal("the person does not read the answer")
	}
	if r := e.do("GET", "/tra-cuu/yeu-cau/NOPE", "", nil); r.StatusCode != 404 {
		t.Fatalf("unknown code: %d", r.StatusCode)
	}
}

// TestWithdrawingConsentStopsTheProcessing: recorded at the commune, answered as done,
// the withdrawal closes the pending submission, stops using the verified account (the
// counters move once, even when it is carried out again) and is written on the record.
func TestWithdrawingConsentStopsTheProcessing(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	ctx := context.Background()
	_, first := e.submit(validRegistration("key-withdraw-001"))
	if r := e.do("POST", "/api/v1/registrations/"+first+"/verify", e.login("xa31498"), nil); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	second := validRegistration("key-withdraw-002")
	second["account_number"] = "5555 6666 7777"
	_, pending := e.submit(second)
	id := e.store.BeneficiaryID(sauCCCD)
	if b := e.benStored(sauCCCD); b.Account == nil {
		t.Fatal("no verified account to withdraw")
	}

	x := e.browser("xa31498")
	r, _ := x.post("/can-bo/doi-tuong/"+id+"/yeu-cau", url.Values{"kind": {"withdraw"}})
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !strings.HasPrefix(loc, "/can-bo/yeu-cau-du-lieu/") {
		t.Fatalf("record at the commune: %d %s", r.StatusCode, r.body)
	}
	code := strings.TrimPrefix(loc, "/can-bo/yeu-cau-du-lieu/")
	if _, doc := x.get(loc); doc.Find("#withdraw-warning").Length() != 1 {
		t.Fatal("the answer form does not say what a withdrawal does")
	}
	if r, _ := x.post(loc+"/tra-loi", url.Values{"status": {"done"}, "answer": {"Xã đã ngừng dùng tài khoản; trợ cấp chi trả trực tiếp."}}); r.StatusCode != 200 {
		t.Fatalf("answer: %d", r.StatusCode)
	}
	b := e.benStored(sauCCCD)
	if b.Account != nil || b.ConsentWithdrawn == nil || b.ConsentWithdrawn.Request != code {
		t.Fatalf("after the withdrawal: account %+v, withdrawn %+v", b.Account, b.ConsentWithdrawn)
	}
	if st, reason := e.status(pending); st != ansinh.StatusRejected || !strings.Contains(reason, "rút lại sự đồng ý") {
		t.Fatalf("the pending submission: %s %q", st, reason)
	}
	if st, _ := e.status(first); st != ansinh.StatusVerified {
		t.Fatalf("the verified submission's record changed: %s", st)
	}
	evs := e.benAudit(ansinh.ActionConsentWithdrawn)
	if len(evs) != 1 || evs[0].Actor != "xa31498" || evs[0].Target != "beneficiary:"+id {
		t.Fatalf("audit %+v", evs)
	}
	if drift, err := e.store.Reconcile(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("counters drift after the withdrawal: %v %v", drift, err)
	}
	// Carried out again (a retry): nothing moves twice.
	if _, err := registration.New(e.store, e.cfg.SecretKey, e.now).WithdrawConsent(ctx, e.store, id, code, "xa31498", e.now()); err != nil {
		t.Fatal(err)
	}
	if drift, err := e.store.Reconcile(ctx, false); err != nil || len(drift) != 0 {
		t.Fatalf("counters drift after a repeat: %v %v", drift, err)
	}
	if r := e.do("GET", "/api/v1/payments?unit=941&format=csv", e.login("huyen941"), nil); strings.Contains(string(r.body), sauCCCD) {
		t.Fatal("the payment list still pays into the withdrawn account")
	}
	if _, doc := x.get("/can-bo/doi-tuong/" + id); doc.Find("#consent-withdrawn").Length() != 1 {
		t.Fatal("the record page does not show the withdrawal")
	}
}

// TestAccessRequestPrintsTheData: the officer prints everything held about the person
// (audited).
func TestAccessRequestPrintsTheData(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	e.submit(validRegistration("key-access-00001"))
	x := e.browser("xa31498")
	r, _ := x.post("/can-bo/doi-tuong/"+e.store.BeneficiaryID(sauCCCD)+"/yeu-cau", url.Values{"kind": {"access"}})
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 {
		t.Fatalf("record: %d", r.StatusCode)
	}
	if r, doc := x.post("/can-bo/doi-tuong/"+e.store.BeneficiaryID(sauCCCD)+"/yeu-cau", url.Values{"kind": {"correct"}}); r.StatusCode != 422 ||
		text(doc, ".alert") != ansinh.MsgRequestCorrectWhat {
		t.Fatalf("a correction saying nothing: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	res, _ := x.get(loc + "/du-lieu")
	for _, want := range []string{sauCCCD, "123456789012", "0912345678", "Nguyễn Văn Sáu"} {
		if !strings.Contains(string(res.body), want) {
			t.Errorf("the data sheet lacks %s", want)
		}
	}
	if evs := e.benAudit(ansinh.ActionPrivacyData); len(evs) != 1 || evs[0].Actor != "xa31498" {
		t.Fatalf("audit %+v", evs)
	}
}

// TestBreachRegister: the page lists what a report must say, counts down 72 hours from
// the discovery, records the report and the closing, each once, all audited.
func TestBreachRegister(t *testing.T) {
	e := staffEnv(t)
	e.clock.t = e.clock.t.Truncate(time.Minute) // the form takes minutes
	a := e.browser("admin")
	r, doc := a.get("/can-bo/vi-pham-du-lieu")
	if r.StatusCode != 200 || doc.Find("#contents li").Length() != len(ansinh.BreachReportContents) || doc.Find("#none").Length() != 1 {
		t.Fatalf("register: %d", r.StatusCode)
	}
	discovered := e.now().In(ansinh.Vietnam).Add(-70 * time.Hour)
	form := url.Values{"discovered_date": {discovered.Format("2006-01-02")}, "discovered_time": {discovered.Format("15:04")},
		"description": {"Một máy tính của xã bị mất, có bản danh sách chi trả."}, "data": {"cccd", "account"}, "people": {"120"},
		"measures": {"Đã báo công an xã, đổi mật khẩu."}}
	for name, bad := range map[string]url.Values{
		"no description": {"description": {""}},
		"no data":        {"data": nil},
		"in the future":  {"discovered_date": {e.now().In(ansinh.Vietnam).AddDate(0, 0, 2).Format("2006-01-02")}},
		"a bad count":    {"people": {"nhiều"}},
	} {
		v := copyValues(form)
		for k, vs := range bad {
			if vs == nil {
				v.Del(k)
			} else {
				v[k] = vs
			}
		}
		if r, doc := a.post("/can-bo/vi-pham-du-lieu", v); r.StatusCode != 422 || text(doc, ".alert") == "" || doc.Find("section.breach").Length() != 0 {
			t.Errorf("%s: %d %q", name, r.StatusCode, text(doc, ".alert"))
		}
	}
	if r, _ := a.post("/can-bo/vi-pham-du-lieu", form); r.StatusCode != 303 {
		t.Fatalf("record: %d", r.StatusCode)
	}
	_, doc = a.get("/can-bo/vi-pham-du-lieu")
	if cd := text(doc, "section.breach .countdown"); !strings.Contains(cd, "Còn 2 giờ 0 phút") {
		t.Fatalf("countdown %q", cd)
	}
	e.advance(3 * 3600)
	_, doc = a.get("/can-bo/vi-pham-du-lieu")
	if cd := text(doc, "section.breach .countdown"); !strings.Contains(cd, "quá hạn") {
		t.Fatalf("past the deadline: %q", cd)
	}
	id, _ := doc.Find("section.breach").Attr("id")
	id = strings.TrimPrefix(id, "b-")
	if r, _ := a.post("/can-bo/vi-pham-du-lieu/"+id+"/bao-cao", url.Values{}); r.StatusCode != 422 {
		t.Fatalf("report without reference: %d", r.StatusCode)
	}
	if r, doc := a.post("/can-bo/vi-pham-du-lieu/"+id+"/bao-cao", url.Values{"reference": {"Công văn 12/UBND gửi A05"}}); r.StatusCode != 200 ||
		!strings.Contains(doc.Find("section.breach").Text(), "Công văn 12/UBND") {
		t.Fatalf("report: %d", r.StatusCode)
	}
	if r, _ := a.post("/can-bo/vi-pham-du-lieu/"+id+"/bao-cao", url.Values{"reference": {"again"}}); r.StatusCode != 409 {
		t.Fatalf("reported twice: %d", r.StatusCode)
	}
	if r, _ := a.post("/can-bo/vi-pham-du-lieu/"+id+"/dong", url.Values{}); r.StatusCode != 200 {
		t.Fatalf("close: %d", r.StatusCode)
	}
	if r, _ := a.post("/can-bo/vi-pham-du-lieu/"+id+"/dong", url.Values{}); r.StatusCode != 409 {
		t.Fatalf("closed twice: %d", r.StatusCode)
	}
	for action, n := range map[string]int{ansinh.ActionBreachRecord: 1, ansinh.ActionBreachReport: 1, ansinh.ActionBreachClose: 1} {
		evs := e.benAudit(action)
		if len(evs) != n || evs[0].Actor != "admin" || evs[0].Target != "breach:"+id {
			t.Errorf("%s: %+v", action, evs)
		}
	}
	if evs := e.benAudit(ansinh.ActionBreachReport); evs[0].Detail["late"] != true {
		t.Errorf("the late report is not marked late: %+v", evs[0].Detail)
	}
}
