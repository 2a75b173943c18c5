package handlers_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ansinh"
	"ansinh/store"
	"ansinh/vietqr"
)

// page is a logged-in staff browser session.
type page struct {
	e      *env
	cookie *http.Cookie
}

func (e *env) browser(username string) *page {
	e.t.Helper()
	r := e.form("/dang-nhap", url.Values{"username": {username}, "password": {username + "-password"}}, nil)
	for _, c := range r.Cookies() {
		if c.Name == "ansinh_session" {
			return &page{e: e, cookie: c}
		}
	}
	e.t.Fatalf("login %s: %d", username, r.StatusCode)
	return nil
}

func (p *page) get(path string) (*response, *goquery.Document) {
	p.e.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(p.cookie)
	return p.parse(p.e.send(req))
}

func (p *page) post(path string, v url.Values) (*response, *goquery.Document) {
	p.e.t.Helper()
	return p.parse(p.e.form(path, v, p.cookie))
}

// follow loads the page a form's redirect (post, redirect, get) leads to, with the
// cookies the redirect set (its notice, a reveal's grant); other answers come back
// as they are.
func (p *page) follow(r *response, doc *goquery.Document) (*response, *goquery.Document) {
	p.e.t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		return r, doc
	}
	req := httptest.NewRequest("GET", r.Header.Get("Location"), nil)
	req.AddCookie(p.cookie)
	for _, c := range r.Cookies() {
		if c.MaxAge >= 0 && c.Value != "" && c.Name != p.cookie.Name {
			req.AddCookie(c)
		}
	}
	return p.parse(p.e.send(req))
}

func (p *page) upload(path, name string, content []byte) (*response, *goquery.Document) {
	p.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	csrf, token := p.e.csrfFor(p.cookie)
	_ = mw.WriteField("_csrf", token)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(p.cookie)
	req.AddCookie(csrf)
	return p.parse(p.e.send(req))
}

func (p *page) parse(r *response) (*response, *goquery.Document) {
	p.e.t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		p.e.t.Fatal(err)
	}
	return r, doc
}

func text(doc *goquery.Document, sel string) string {
	return strings.TrimSpace(doc.Find(sel).First().Text())
}

const pageList = "Họ và tên,Số CCCD,Ngày sinh,Giới tính,Mã xã,Nhóm\n" +
	"Nguyễn Văn Sáu,094050001234,05/03/1950,Nam,31498,NCC\n" +
	"Trần Thị Bảy,094152000111,01/01/1952,Nữ,31569,BTXH\n" +
	"Lê Văn Tám,12,1950,Nam,31498,NCC\n"

func TestImportPageShowsTheReportAndErrorTable(t *testing.T) {
	e := staffEnv(t)
	p := e.browser("so.ldtbxh")
	r, doc := p.get("/can-bo/nhap-danh-sach")
	if r.StatusCode != 200 || doc.Find(`form[enctype="multipart/form-data"] input[type=file][name=file]`).Length() != 1 {
		t.Fatalf("upload page: %d", r.StatusCode)
	}
	r, doc = p.follow(p.upload("/can-bo/nhap-danh-sach", "danh-sach.csv", []byte(pageList)))
	if r.StatusCode != 200 || text(doc, "#inserted") != "2" || text(doc, "#errors") != "1" {
		t.Fatalf("report: %d inserted=%q errors=%q", r.StatusCode, text(doc, "#inserted"), text(doc, "#errors"))
	}
	row := doc.Find("table.errors tbody tr").First()
	if strings.TrimSpace(row.Find("td").Eq(0).Text()) != "4" || strings.TrimSpace(row.Find("td").Eq(1).Text()) != "Số CCCD" {
		t.Fatalf("error row: %q", row.Text())
	}
	link, _ := doc.Find(`a[href$="loi.csv"]`).Attr("href")
	csv, _ := p.get(link)
	if csv.StatusCode != 200 || !strings.HasPrefix(string(csv.body), "\ufeff") || !strings.Contains(string(csv.body), ansinh.MsgCCCDLength) {
		t.Fatalf("error csv: %d %s", csv.StatusCode, csv.body)
	}

	r, doc = p.upload("/can-bo/nhap-danh-sach", "rac.xlsx", []byte("PK\x03\x04 not really a zip"))
	if r.StatusCode != 422 || text(doc, ".alert") != ansinh.MsgFileUnreadable {
		t.Fatalf("broken file: %d %q", r.StatusCode, text(doc, ".alert"))
	}

	c := e.browser("xa31498")
	if r, _ := c.get("/can-bo/nhap-danh-sach"); r.StatusCode != 403 {
		t.Fatalf("commune officer opens the upload page: %d", r.StatusCode)
	}
	if r, _ := c.upload("/can-bo/nhap-danh-sach", "danh-sach.csv", []byte(pageList)); r.StatusCode != 403 {
		t.Fatalf("commune officer imports: %d", r.StatusCode)
	}
}

func TestBeneficiaryPagesAreScopedAndMasked(t *testing.T) {
	e := staffEnv(t)
	e.browser("so.ldtbxh").upload("/can-bo/nhap-danh-sach", "danh-sach.csv", []byte(pageList))

	x := e.browser("xa31498")
	r, doc := x.get("/can-bo/doi-tuong?q=nguyen+van+sau")
	if r.StatusCode != 200 || text(doc, "#total") != "1" {
		t.Fatalf("search: %d total=%q", r.StatusCode, text(doc, "#total"))
	}
	if strings.Contains(string(r.body), "094050001234") || !strings.Contains(string(r.body), "••••••••1234") {
		t.Fatal("the list shows the CCCD unmasked")
	}
	href, _ := doc.Find("table.list tbody a").First().Attr("href")
	r, doc = x.get(href)
	if r.StatusCode != 200 || text(doc, "#cccd") != "••••••••1234" {
		t.Fatalf("record: %d cccd=%q", r.StatusCode, text(doc, "#cccd"))
	}
	// The commune officer cannot see Châu Thành's beneficiary, in the list or directly.
	if _, doc := x.get("/can-bo/doi-tuong?q=tran+thi+bay"); doc.Find("table.list tbody tr").Length() != 0 {
		t.Fatal("commune officer sees another district's beneficiary")
	}
	other := "/can-bo/doi-tuong/" + e.store.BeneficiaryID("094152000111")
	if r, _ := x.get(other); r.StatusCode != 404 {
		t.Fatalf("another commune's record: %d", r.StatusCode)
	}

	// Reveal shows the whole number and leaves a trace.
	r, doc = x.follow(x.post(href+"/hien-so", url.Values{}))
	if r.StatusCode != 200 || text(doc, "#cccd") != "094050001234" || text(doc, ".notice") != ansinh.MsgRevealed {
		t.Fatalf("reveal: %d %q", r.StatusCode, text(doc, "#cccd"))
	}
	if _, doc = x.get(href); text(doc, "#cccd") != "••••••••1234" {
		t.Fatalf("without the reveal's grant the record shows %q", text(doc, "#cccd"))
	}

	// Eligibility: "other" without a note is refused on the page, with a reason it works.
	r, doc = x.post(href+"/dieu-kien", url.Values{"eligible": {"0"}, "reason": {"other"}})
	if r.StatusCode != 422 || text(doc, ".alert") != ansinh.MsgIneligibleNote {
		t.Fatalf("eligibility without note: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	r, doc = x.follow(x.post(href+"/dieu-kien", url.Values{"eligible": {"0"}, "reason": {"bedridden"}}))
	if r.StatusCode != 200 || !strings.HasPrefix(text(doc, "#eligible"), "Không đủ điều kiện") {
		t.Fatalf("eligibility: %d %q", r.StatusCode, text(doc, "#eligible"))
	}
	r, doc = x.follow(x.post(href+"/dieu-kien", url.Values{"eligible": {"1"}}))
	if text(doc, "#eligible") != "Đủ điều kiện" {
		t.Fatalf("eligibility reversed: %q", text(doc, "#eligible"))
	}
	// Only the police liaison records identity checks.
	if r, _ := x.post(href+"/doi-chieu", url.Values{"state": {"matched"}}); r.StatusCode != 403 {
		t.Fatalf("commune officer checks identity: %d", r.StatusCode)
	}
	police := e.browser("ca.tinh")
	r, doc = police.post(href+"/doi-chieu", url.Values{"state": {"mismatch"}})
	if r.StatusCode != 422 || text(doc, ".alert") != ansinh.MsgIdentityNote {
		t.Fatalf("mismatch without a note: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	r, doc = police.follow(police.post(href+"/doi-chieu", url.Values{"state": {"matched"}}))
	if r.StatusCode != 200 || !strings.HasPrefix(text(doc, "#identity"), "Khớp") {
		t.Fatalf("identity: %d %q", r.StatusCode, text(doc, "#identity"))
	}
	if _, doc := police.get("/can-bo/doi-tuong?identity=unchecked&q=nguyen+van+sau"); doc.Find("table.list tbody tr").Length() != 0 {
		t.Fatal("a checked person is still listed as unchecked")
	}
}

func TestPrintablePosterAndCards(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()                          // two in 31498, one in 31569
	e.submit(validRegistration("key-print-00001")) // Nguyễn Văn Sáu has registered
	x := e.browser("xa31498")
	r, doc := x.get("/can-bo/qr/31498?sdt=0912+345+678")
	src, _ := doc.Find("img.qr").Attr("src")
	if r.StatusCode != 200 || !strings.HasPrefix(src, "data:image/png;base64,") || text(doc, ".phone strong") != "0912345678" {
		t.Fatalf("poster: %d %q %q", r.StatusCode, src[:min(40, len(src))], text(doc, ".phone strong"))
	}
	png, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
	if got, err := vietqr.DecodeImage(bytes.NewReader(png)); err != nil || got != "http://localhost:8080/c/31498" {
		t.Fatalf("poster code reads %q, %v", got, err)
	}
	// Opening the link mints nothing: it asks, and the post prints.
	r, doc = x.get("/can-bo/qr/31498/giay-bao")
	if r.StatusCode != 200 || doc.Find(".cards .card").Length() != 0 || doc.Find(`form[method=post][action="/can-bo/qr/31498/giay-bao"] button`).Length() != 1 {
		t.Fatalf("cards link: %d, %d cards", r.StatusCode, doc.Find(".cards .card").Length())
	}
	if evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: ansinh.ActionQRPrint}); len(evs) != 0 {
		t.Fatalf("a GET printed cards: %v", evs)
	}
	r, doc = x.post("/can-bo/qr/31498/giay-bao", url.Values{})
	if r.StatusCode != 200 || doc.Find(".cards .card").Length() != 1 || text(doc, ".cards .name") != "Trần Thị Bảy" {
		t.Fatalf("cards: %d, %d cards", r.StatusCode, doc.Find(".cards .card").Length())
	}
	card, _ := doc.Find(".cards img").Attr("src")
	png, _ = base64.StdEncoding.DecodeString(strings.TrimPrefix(card, "data:image/png;base64,"))
	cardURL, err := vietqr.DecodeImage(bytes.NewReader(png))
	if err != nil || !strings.HasPrefix(cardURL, "http://localhost:8080/r/") {
		t.Fatalf("card code reads %q, %v", cardURL, err)
	}
	if r := e.do("GET", strings.TrimPrefix(cardURL, "http://localhost:8080"), "", nil); r.StatusCode != 200 {
		t.Fatalf("the card's code opens the form: %d", r.StatusCode)
	}
	for _, path := range []string{"/can-bo/qr/31569", "/can-bo/qr/31569/giay-bao"} {
		if r, _ := x.get(path); r.StatusCode != 404 {
			t.Fatalf("%s for another commune's officer: %d", path, r.StatusCode)
		}
	}
	if r, _ := x.post("/can-bo/qr/31569/giay-bao", url.Values{}); r.StatusCode != 404 {
		t.Fatalf("printing another commune's cards: %d", r.StatusCode)
	}
	if r, _ := x.get("/can-bo/qr/31498?sdt=12"); r.StatusCode != 422 {
		t.Fatalf("bad phone: %d", r.StatusCode)
	}
}

func TestQueueAndReviewPages(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, one := e.submit(validRegistration("key-page-00001"))
	bay := validRegistration("key-page-00002")
	bay["cccd"], bay["birth_date"], bay["account_name"], bay["account_number"] = "094152000111", "1952-01-01", "Tran Thi Bay", "4444 3333 2222"
	_, two := e.submit(bay)
	x := e.browser("xa31498")
	r, doc := x.get("/can-bo/duyet")
	if r.StatusCode != 200 || text(doc, "#total") != "2" || doc.Find("#queue tbody tr").Length() != 2 {
		t.Fatalf("queue page: %d total=%q", r.StatusCode, text(doc, "#total"))
	}
	r, doc = x.get("/can-bo/duyet/" + one)
	if r.StatusCode != 200 || doc.Find("#verify").Length() != 1 || text(doc, "#holder") != "NGUYEN VAN SAU" {
		t.Fatalf("review page: %d", r.StatusCode)
	}
	r, _ = x.post("/can-bo/duyet/"+one+"/xac-nhan", url.Values{})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/can-bo/duyet/"+one {
		t.Fatalf("verify form: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if _, doc = x.get("/can-bo/duyet/" + one); text(doc, "#status") != ansinh.StatusLabel(ansinh.StatusVerified) || doc.Find("#verify").Length() != 0 {
		t.Fatalf("after verifying: %q", text(doc, "#status"))
	}
	r, doc = x.post("/can-bo/duyet/"+two+"/tu-choi", url.Values{"reason": {"other"}})
	if r.StatusCode != 422 || text(doc, ".alert") != ansinh.MsgRejectNote {
		t.Fatalf("reject without note: %d %q", r.StatusCode, text(doc, ".alert"))
	}
	r, _ = x.post("/can-bo/duyet/"+two+"/tu-choi", url.Values{"reason": {"proxy_unauthorized"}})
	if r.StatusCode != 303 {
		t.Fatalf("reject: %d", r.StatusCode)
	}
	if _, doc = x.get("/can-bo/duyet/" + two); text(doc, "#status") != ansinh.StatusLabel(ansinh.StatusRejected) {
		t.Fatalf("after rejecting: %q", text(doc, "#status"))
	}
	if _, doc := x.get("/can-bo/duyet"); text(doc, "#total") != "0" {
		t.Fatalf("queue after decisions: %q", text(doc, "#total"))
	}
	// The record page shows the history from the audit trail.
	_, doc = x.get("/can-bo/doi-tuong/" + e.store.BeneficiaryID(sauCCCD))
	if doc.Find("#history li").Length() < 2 || !strings.Contains(doc.Find("#history").Text(), ansinh.ActionLabel(ansinh.ActionVerify)) {
		t.Fatalf("history: %q", doc.Find("#history").Text())
	}
	// Another commune's officer gets nothing.
	if r, _ := e.browser("xa31569").get("/can-bo/duyet/" + one); r.StatusCode != 404 {
		t.Fatalf("another commune's officer: %d", r.StatusCode)
	}
}

func TestStaffFormsNeedTheCSRFToken(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, receipt := e.submit(validRegistration("key-csrf-00001"))
	x := e.browser("xa31498")
	r, _ := x.post("/can-bo/duyet/"+receipt+"/xac-nhan", url.Values{"_csrf": {"forged-token"}})
	if r.StatusCode != 403 {
		t.Fatalf("verify with a forged token: %d", r.StatusCode)
	}
	if s, _ := e.status(receipt); s != ansinh.StatusPending {
		t.Fatalf("a forged post decided: %s", s)
	}
	if r, _ := x.post("/can-bo/duyet/"+receipt+"/xac-nhan", url.Values{}); r.StatusCode != 303 {
		t.Fatalf("verify with the token: %d", r.StatusCode)
	}
}
