package handlers_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ansinh"
	"ansinh/store"
	"ansinh/vietqr"
)

// publicPage opens a public page without a session.
func (e *env) openPublic(path string) (*response, *goquery.Document) {
	e.t.Helper()
	p := &page{e: e}
	return p.parse(e.send(httptest.NewRequest("GET", path, nil)))
}

func contactValues(name, phone, hours string) url.Values {
	return url.Values{"name": {name}, "phone": {phone}, "hours": {hours}}
}

func TestContactSettingsAndFooter(t *testing.T) {
	e := staffEnv(t)
	x := e.browser("xa31498")

	// No contact yet: the neutral text.
	_, doc := e.openPublic("/c/31498")
	if got := text(doc, "#contact"); !strings.Contains(got, ansinh.MsgContactFallback) {
		t.Fatalf("footer without a contact: %q", got)
	}

	r, doc := x.get("/can-bo/lien-he")
	if r.StatusCode != 200 || doc.Find(`#contact-form input[name=unit][value="31498"]`).Length() != 1 {
		t.Fatalf("settings page: %d", r.StatusCode)
	}
	if doc.Find("#zalo_oa").Length() != 0 || doc.Find("#contact").Length() != 0 {
		t.Fatal("a commune's page offers the OA link, or a staff page shows the public footer")
	}

	// A wrong phone: the field says so, nothing stored.
	v := contactValues("Lê Thị Hoa", "12345", "7 giờ – 17 giờ")
	v.Set("unit", "31498")
	r, doc = x.post("/can-bo/lien-he", v)
	if r.StatusCode != 422 || text(doc, "#phone-error") != ansinh.MsgContactPhone || doc.Find(`#phone[aria-invalid="true"]`).Length() != 1 {
		t.Fatalf("bad phone: %d %q", r.StatusCode, text(doc, "#phone-error"))
	}
	if _, err := e.store.Contact(context.Background(), "31498"); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("a refused contact was stored: %v", err)
	}

	v = contactValues("  Lê Thị Hoa ", "0299 382 2123", "7 giờ – 17 giờ, thứ Hai đến thứ Sáu")
	v.Set("unit", "31498")
	r, doc = x.follow(x.post("/can-bo/lien-he", v))
	if r.StatusCode != 200 || text(doc, "#saved") != ansinh.MsgContactSaved || doc.Find(`#phone[value="02993822123"]`).Length() != 1 {
		t.Fatalf("saved: %d %q", r.StatusCode, text(doc, "#saved"))
	}
	evs, _ := e.store.AuditEvents(context.Background(), store.AuditFilter{Action: ansinh.ActionContactUpdate})
	if len(evs) != 1 || evs[0].Actor != "xa31498" || evs[0].Unit != "31498" {
		t.Fatalf("audit: %+v", evs)
	}
	if raw, _ := json.Marshal(evs[0]); strings.Contains(string(raw), "2123") {
		t.Fatalf("the audit trail carries the phone: %s", raw)
	}

	// Every public page of the commune names the officer.
	for _, path := range []string{"/c/31498"} {
		_, doc := e.openPublic(path)
		got := text(doc, "#contact")
		if !strings.Contains(got, "Lê Thị Hoa") || !strings.Contains(got, "thứ Hai đến thứ Sáu") ||
			doc.Find(`#contact a[href="tel:02993822123"]`).Length() != 1 {
			t.Fatalf("%s footer: %q", path, got)
		}
	}
	// Another commune without a contact: not this officer; the city-level line once
	// the province keeps one.
	_, doc = e.openPublic("/c/31569")
	if got := text(doc, "#contact"); strings.Contains(got, "Lê Thị Hoa") || !strings.Contains(got, ansinh.MsgContactFallback) {
		t.Fatalf("other commune: %q", got)
	}
	so := e.browser("so.ldtbxh")
	v = contactValues("Đường dây Sở Y tế", "02923820000", "")
	v.Set("unit", "94")
	v.Set("zalo_oa", "https://zalo.me/1234567890")
	if r, _ := so.post("/can-bo/lien-he", v); r.StatusCode != 303 {
		t.Fatalf("province contact: %d", r.StatusCode)
	}
	_, doc = e.openPublic("/c/31569")
	if got := text(doc, "#contact"); !strings.Contains(got, "02923820000") {
		t.Fatalf("city-level line: %q", got)
	}
	_, doc = e.openPublic("/")
	if href, _ := doc.Find("#zalo").Attr("href"); href != "https://zalo.me/1234567890" {
		t.Fatalf("start page Zalo link: %q", href)
	}

	// Scope: a commune edits only its own; a district its communes; a bad OA link is refused.
	tests := []struct {
		name, user, unit string
		extra            url.Values
		status           int
	}{
		{"commune, another commune", "xa31498", "31569", nil, 404},
		{"district, its commune", "huyen942", "31569", nil, 303},
		{"district, another district's commune", "huyen941", "31569", nil, 404},
		{"police may not", "ca.tinh", "94", nil, 403},
		{"province, an OA link elsewhere", "so.ldtbxh", "94", url.Values{"zalo_oa": {"https://evil.example/zalo.me"}}, 422},
		{"unknown unit", "so.ldtbxh", "00000", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := contactValues("Trần Văn Tư", "0912345678", "")
			v.Set("unit", tt.unit)
			for k, vs := range tt.extra {
				v[k] = vs
			}
			if r, _ := e.browser(tt.user).post("/can-bo/lien-he", v); r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tt.status)
			}
		})
	}
	// The province's page lists its communes with and without a contact.
	_, doc = so.get("/can-bo/lien-he")
	if doc.Find(`#contacts tr[data-unit="31498"]`).Length() != 1 || !strings.Contains(text(doc, `#contacts tr[data-unit="31498"]`), "Lê Thị Hoa") {
		t.Fatal("the province's list lacks the commune's contact")
	}
}

func TestStartPage(t *testing.T) {
	e := newEnv(t)
	r, doc := e.openPublic("/")
	if r.StatusCode != 200 {
		t.Fatalf("start page: %d", r.StatusCode)
	}
	for _, sel := range []string{"#who", "#bring", "#chon-xa", `a[href="/tra-cuu"]`, "#contact"} {
		if doc.Find(sel).Length() == 0 {
			t.Errorf("start page lacks %s", sel)
		}
	}
	all := doc.Find("#communes a").Length()
	if all != len(e.units.Leaves(e.units.Root.Code)) || doc.Find(`#communes a[href="/c/31498"]`).Length() != 1 {
		t.Fatalf("%d communes listed", all)
	}
	if doc.Find("#zalo").Length() != 0 {
		t.Fatal("a Zalo link without an OA")
	}
	_, doc = e.openPublic("/?xa=phuong+5")
	if n := doc.Find("#communes a").Length(); n == 0 || n >= all || doc.Find(`#communes a[href="/c/31498"]`).Length() != 1 {
		t.Fatalf("search: %d of %d", n, all)
	}
	_, doc = e.openPublic("/?xa=" + url.QueryEscape(strings.Repeat("x", 500)))
	if doc.Find("#communes a").Length() != 0 || doc.Find(".alert").Length() != 1 {
		t.Fatal("a search without a match")
	}
	body := strings.ToLower(doc.Text())
	for _, bad := range []string{" bạn ", "phiên"} {
		if strings.Contains(body, bad) {
			t.Errorf("start page says %q", bad)
		}
	}
}

func TestErrorPagesLeadOn(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, path, restart string
	}{
		{"unknown page", "/khong-co-trang-nay", "/"},
		{"unknown commune code", "/c/99999", "/#chon-xa"},
		{"personal code that does not exist", "/r/khongcoma", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, doc := e.openPublic(tt.path)
			if r.StatusCode != 404 && r.StatusCode != 200 {
				t.Fatalf("status %d", r.StatusCode)
			}
			body := doc.Find("main").Text()
			for _, bad := range []string{"Mã lỗi", "404", "phiên", "Phiên"} {
				if strings.Contains(body, bad) {
					t.Errorf("the page says %q: %q", bad, body)
				}
			}
			if doc.Find("#contact").Length() != 1 {
				t.Error("no one to call")
			}
			if tt.restart == "" {
				return
			}
			if title := text(doc, "h1"); !strings.HasPrefix(title, "Lỗi: ") || !strings.HasPrefix(text(doc, "title"), "Lỗi: ") {
				t.Errorf("title %q", title)
			}
			if href, _ := doc.Find("#restart").Attr("href"); href != tt.restart {
				t.Errorf("restart leads to %q, want %q", href, tt.restart)
			}
		})
	}
}

// The notice cards go to eligible people still without an account or a submission,
// addressed to them, with the sender, the purpose, the deadline and the phone; the
// poster carries the contact and, with the OA configured, the OA's code.
func TestCardsAndPosterCarryTheContact(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries() // Sáu and Bảy in 31498
	x := e.browser("xa31498")
	v := contactValues("Lê Thị Hoa", "02993822123", "7 giờ – 17 giờ")
	v.Set("unit", "31498")
	x.post("/can-bo/lien-he", v)

	r, doc := x.post("/can-bo/qr/31498/giay-bao", url.Values{})
	card := doc.Find(".cards .card")
	if r.StatusCode != 200 || card.Length() != 2 {
		t.Fatalf("cards: %d, %d", r.StatusCode, card.Length())
	}
	bay := doc.Find(`.cards .card:contains("Trần Thị Bảy")`)
	if got := strings.TrimSpace(bay.Find(".to").Text()); got != "Kính gửi bà Trần Thị Bảy" {
		t.Fatalf("salutation %q", got)
	}
	if !strings.Contains(bay.Find(".purpose").Text(), "trước ngày") || !strings.Contains(bay.Find(".phone").Text(), "02993822123") ||
		!strings.Contains(bay.Find(".sender").Text(), "UBND") {
		t.Fatalf("card: %q", bay.Text())
	}
	// Bảy cannot open an account (bedridden): no card for her.
	id := e.store.BeneficiaryID("094152000111")
	if r := e.do("POST", "/api/v1/beneficiaries/"+id+"/eligibility", e.login("xa31498"), `{"eligible":false,"reason":"bedridden","note":""}`); r.StatusCode != 200 {
		t.Fatalf("eligibility: %d %s", r.StatusCode, r.body)
	}
	_, doc = x.post("/can-bo/qr/31498/giay-bao", url.Values{})
	if n := doc.Find(".cards .card").Length(); n != 1 || strings.Contains(doc.Find(".cards").Text(), "Trần Thị Bảy") {
		t.Fatalf("%d cards after Bảy became ineligible", n)
	}

	_, doc = x.get("/can-bo/qr/31498")
	if !strings.Contains(text(doc, ".phone"), "Lê Thị Hoa") || text(doc, ".phone strong") != "02993822123" || doc.Find("img.zalo-qr").Length() != 0 {
		t.Fatalf("poster: %q, %d OA codes", text(doc, ".phone"), doc.Find("img.zalo-qr").Length())
	}
	so := e.browser("so.ldtbxh")
	v = contactValues("", "", "")
	v.Set("unit", "94")
	v.Set("zalo_oa", "https://zalo.me/1234567890")
	if r, _ := so.post("/can-bo/lien-he", v); r.StatusCode != 303 {
		t.Fatalf("OA link: %d", r.StatusCode)
	}
	_, doc = x.get("/can-bo/qr/31498")
	src, _ := doc.Find("img.zalo-qr").Attr("src")
	png, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
	if got, err := vietqr.DecodeImage(bytes.NewReader(png)); err != nil || got != "https://zalo.me/1234567890" {
		t.Fatalf("the poster's OA code reads %q, %v", got, err)
	}
}
