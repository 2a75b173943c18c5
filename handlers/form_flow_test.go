package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"

	"ansinh"
	"ansinh/vietqr"
)

// The step-by-step form, without JavaScript: each answer a post answered with a
// redirect, the errors summed up on top and next to their fields.

var titleRE = regexp.MustCompile(`<title>([^<]*)</title>`)

// start proves the seed beneficiary on the commune's page and returns the first
// question's address.
func (s *formSession) start(t *testing.T) (csrf, first string) {
	t.Helper()
	page := s.do("GET", "/c/31498", nil)
	csrf = match(t, csrfRE, page.body)
	r := s.do("POST", "/c/31498", url.Values{"_csrf": {csrf}, "cccd": {"094 050 001 234"}, "ngay": {"05"}, "thang": {"3"}, "nam": {"1950"}})
	if r.StatusCode != 303 || !strings.HasSuffix(r.Header.Get("Location"), "/ai-nhan") {
		t.Fatalf("identity: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	return csrf, r.Header.Get("Location")
}

// post answers a step: the redirect's target, or the page shown again.
func (s *formSession) post(t *testing.T, path string, form url.Values) *response {
	t.Helper()
	return s.do("POST", path, form)
}

// postFile answers a step with a photo.
func (s *formSession) postFile(t *testing.T, path string, form url.Values, field string, file []byte) *response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(field, "anh.png")
	_, _ = fw.Write(file)
	_ = w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for _, c := range s.cookies {
		req.Header.Add("Cookie", c.Name+"="+c.Value)
	}
	return s.e.send(req)
}

func wantRedirect(t *testing.T, r *response, suffix string) string {
	t.Helper()
	if r.StatusCode != 303 || !strings.HasSuffix(r.Header.Get("Location"), suffix) {
		t.Fatalf("want a redirect to …%s, got %d %q\n%s", suffix, r.StatusCode, r.Header.Get("Location"), r.body)
	}
	return r.Header.Get("Location")
}

func wantErrors(t *testing.T, r *response, fields map[string]string) {
	t.Helper()
	body := string(r.body)
	if r.StatusCode != 422 {
		t.Fatalf("status %d, want 422\n%s", r.StatusCode, body)
	}
	if title := match(t, titleRE, r.body); !strings.HasPrefix(title, "Lỗi: ") {
		t.Errorf("title %q lacks “Lỗi: ”", title)
	}
	if strings.Count(body, `id="error-summary"`) != 1 || !strings.Contains(body, "Có lỗi cần sửa") {
		t.Errorf("no single error summary on the page")
	}
	for field, msg := range fields {
		if !strings.Contains(body, `<p class="field-error" id="err-`+field+`">`+msg+`</p>`) {
			t.Errorf("no message %q next to %s", msg, field)
		}
		if !strings.Contains(body, `<a href="#`+field+`">`+msg+`</a>`) && !strings.Contains(body, `>`+msg+`</a></li>`) {
			t.Errorf("the summary does not link %q to #%s", msg, field)
		}
	}
	if n := strings.Count(body, `class="field-error"`); n != len(fields) {
		t.Errorf("%d field messages, want %d", n, len(fields))
	}
}

func TestFormStepsSelf(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	s := &formSession{e: e}
	csrf, who := s.start(t)
	form := func(kv ...string) url.Values {
		v := url.Values{"_csrf": {csrf}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	page := s.do("GET", who, nil)
	if page.StatusCode != 200 || !strings.Contains(string(page.body), "Nguyễn Văn Sáu") || strings.Contains(string(page.body), "checked") {
		t.Fatalf("whose account: %d (nothing may be chosen beforehand)\n%s", page.StatusCode, page.body)
	}
	wantErrors(t, s.post(t, who, form()), map[string]string{"submitter": ansinh.MsgWhoRequired})
	account := wantRedirect(t, s.post(t, who, form("submitter", "self")), "/tai-khoan")

	// Nothing given: one message, on the photo that comes first.
	wantErrors(t, s.post(t, account, form()), map[string]string{"qr_image": ansinh.MsgAccountOrQR})
	wantErrors(t, s.post(t, account, form("bank_bin", "970405", "account_number", "12")), map[string]string{"account_number": ansinh.MsgAccountNumberNeed})
	// A photo of the bank app's QR code fills both.
	png, _ := qrcode.Encode(vietqr.Encode("970405", "123456789012", vietqr.ServiceToAccount), qrcode.Medium, 400)
	holder := wantRedirect(t, s.postFile(t, account, form(), "qr_image", png), "/chu-tai-khoan")

	page = s.do("GET", holder, nil)
	if !strings.Contains(string(page.body), "NGUYEN VAN SAU") || strings.Contains(string(page.body), `value="proxy"`) {
		t.Fatalf("holder page: no one-tap choice of the beneficiary's name alone\n%s", page.body)
	}
	wantErrors(t, s.post(t, holder, form()), map[string]string{"holder_choice": ansinh.MsgHolderChoose})
	// A typed name nobody has: warned once, then taken.
	warned := s.post(t, holder, form("holder_choice", "other", "holder_other", "Nguyễn Văn Bốn"))
	if warned.StatusCode != 200 || !strings.Contains(string(warned.body), ansinh.MsgHolderNotSelf) {
		t.Fatalf("no warning for another name: %d\n%s", warned.StatusCode, warned.body)
	}
	phone := wantRedirect(t, s.post(t, holder, form("holder_choice", "other", "holder_other", "Nguyễn Văn Bốn", "holder_confirm", "NGUYEN VAN BON")), "/dien-thoai")
	// The same words in another order are the person's name: no warning.
	wantRedirect(t, s.post(t, holder, form("holder_choice", "other", "holder_other", "sáu nguyễn văn")), "/dien-thoai")
	wantRedirect(t, s.post(t, holder, form("holder_choice", "self")), "/dien-thoai")

	wantErrors(t, s.post(t, phone, form("phone", "12345")), map[string]string{"phone": ansinh.MsgPhoneFormat})
	consent := wantRedirect(t, s.post(t, phone, form("phone", "0912 345 678")), "/dong-y")
	page = s.do("GET", consent, nil)
	if strings.Contains(string(page.body), "checked") || strings.Contains(strings.ToLower(string(page.body)), "phiên") {
		t.Fatalf("consent page pre-ticks a box or speaks of a session\n%s", page.body)
	}
	wantErrors(t, s.post(t, consent, form()), map[string]string{"consent": ansinh.MsgConsentRequired})
	check := wantRedirect(t, s.post(t, consent, form("consent", "1")), "/kiem-tra")

	page = s.do("GET", check, nil)
	body := string(page.body)
	for _, want := range []string{"NGUYEN VAN SAU", "123456789012", "0912345678", `<dd id="check-notify">Không</dd>`} {
		if !strings.Contains(body, want) {
			t.Errorf("check page lacks %q", want)
		}
	}
	if n := strings.Count(body, ">Thay đổi<"); n != 6 {
		t.Errorf("%d “Thay đổi” links on the check page, want one an answer (6)", n)
	}
	// "Thay đổi" goes to the one page and back to the check page.
	draft := strings.TrimSuffix(check, "/kiem-tra")
	wantRedirect(t, s.post(t, draft+"/dien-thoai", form("phone", "0987654321", "sua", "1")), "/kiem-tra")
	if page = s.do("GET", check, nil); !strings.Contains(string(page.body), "0987654321") {
		t.Error("the changed phone is not on the check page")
	}

	done := wantRedirect(t, s.post(t, check, form()), "")
	if !strings.HasPrefix(done, "/bien-nhan/") {
		t.Fatalf("submitted to %s", done)
	}
	// The back button and a second tap: the same receipt, nothing stored twice.
	if again := s.post(t, check, form()); again.Header.Get("Location") != done {
		t.Fatalf("second post: %s, want %s", again.Header.Get("Location"), done)
	}
	if back := s.do("GET", who, nil); back.Header.Get("Location") != done {
		t.Fatalf("a question after submitting: %d %s", back.StatusCode, back.Header.Get("Location"))
	}
	e.settle()
	list, _ := e.store.RegistrationReceipts(context.Background(), e.store.BeneficiaryID(sauCCCD))
	if len(list) != 1 {
		t.Fatalf("%d registrations stored", len(list))
	}
	r, _ := e.store.Registration(context.Background(), list[0])
	if r.AccountName != "NGUYEN VAN SAU" || r.NotifyConsent || r.Proxy != nil {
		t.Fatalf("stored %+v", r)
	}
}

func TestFormProxyPath(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	s := &formSession{e: e}
	csrf, who := s.start(t)
	form := func(kv ...string) url.Values {
		v := url.Values{"_csrf": {csrf}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	proxy := wantRedirect(t, s.post(t, who, form("submitter", "proxy")), "/nguoi-nhan-thay")
	page := s.do("GET", proxy, nil)
	if !strings.Contains(string(page.body), "giấy ủy quyền có xác nhận của UBND xã") ||
		!strings.Contains(string(page.body), `type="file" accept="image/*" capture="environment"`) {
		t.Fatalf("proxy page does not ask for the certified authorisation\n%s", page.body)
	}
	// Every empty field named with its own message.
	wantErrors(t, s.post(t, proxy, form()), map[string]string{
		"proxy_name": ansinh.MsgProxyNameRequired, "proxy_cccd": ansinh.MsgProxyCCCDRequired,
		"proxy_phone": ansinh.MsgProxyPhoneNeeded, "proxy_relationship": ansinh.MsgProxyRelation})
	valid := []string{"proxy_name", "Trần Văn Năm", "proxy_cccd", "094085000333", "proxy_phone", "0912 000 111", "proxy_relationship", "con trai"}
	with := func(k, v string) url.Values {
		f := form(valid...)
		f.Set(k, v)
		return f
	}
	// The beneficiary's own CCCD is refused here, not at the end; an old CMND is explained.
	wantErrors(t, s.post(t, proxy, with("proxy_cccd", sauCCCD)), map[string]string{"proxy_cccd": ansinh.MsgProxyCCCDSame})
	wantErrors(t, s.post(t, proxy, with("proxy_cccd", "385123456")), map[string]string{"proxy_cccd": ansinh.MsgCMNDOld})
	wantErrors(t, s.postFile(t, proxy, form(valid...), "giay_uy_quyen", []byte("not an image")), map[string]string{"giay_uy_quyen": ansinh.MsgAuthPhotoType})
	photo, _ := qrcode.Encode("giấy ủy quyền", qrcode.Medium, 300) // any PNG
	account := wantRedirect(t, s.postFile(t, proxy, form(valid...), "giay_uy_quyen", photo), "/tai-khoan")

	holder := wantRedirect(t, s.post(t, account, form("bank_bin", "970405", "account_number", "1234 5678 9012")), "/chu-tai-khoan")
	page = s.do("GET", holder, nil)
	if !strings.Contains(string(page.body), "TRAN VAN NAM") || !strings.Contains(string(page.body), "NGUYEN VAN SAU") {
		t.Fatalf("holder page lacks one of the two names\n%s", page.body)
	}
	warned := s.post(t, holder, form("holder_choice", "other", "holder_other", "Lê Thị Mười"))
	if !strings.Contains(string(warned.body), ansinh.MsgHolderNeither) {
		t.Fatalf("no warning for a name that is neither\n%s", warned.body)
	}
	phone := wantRedirect(t, s.post(t, holder, form("holder_choice", "proxy")), "/dien-thoai")
	// The proxy's number is offered: typed once.
	if page = s.do("GET", phone, nil); !strings.Contains(string(page.body), `value="0912000111"`) {
		t.Fatalf("phone page does not offer the proxy's number\n%s", page.body)
	}
	consent := wantRedirect(t, s.post(t, phone, form("phone", "0912000111")), "/dong-y")
	check := wantRedirect(t, s.post(t, consent, form("consent", "1", "notify_consent", "1")), "/kiem-tra")
	page = s.do("GET", check, nil)
	for _, want := range []string{"Trần Văn Năm (con trai)", "094085000333", "0912000111", "TRAN VAN NAM", "Đã chụp ảnh", `<dd id="check-notify">Có</dd>`} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("check page lacks %q", want)
		}
	}
	done := wantRedirect(t, s.post(t, check, form()), "")
	receipt := strings.TrimPrefix(done, "/bien-nhan/")
	r, err := e.store.Registration(context.Background(), receipt)
	if err != nil || r.Proxy == nil || r.Proxy.Name != "Trần Văn Năm" || r.AccountName != "TRAN VAN NAM" || !r.NotifyConsent {
		t.Fatalf("stored %+v %v", r, err)
	}
	a, err := e.store.Authorisation(context.Background(), receipt)
	if err != nil || !bytes.Equal(a.Image, photo) || a.ContentType != "image/png" {
		t.Fatalf("authorisation photo: %v", err)
	}
}

// TestFormChangeWho: from the check page, choosing a proxy asks the proxy's page and
// then comes back; the holder named after a proxy is asked again when the proxy goes.
func TestFormChangeWho(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	s := &formSession{e: e}
	csrf, who := s.start(t)
	f := func(kv ...string) url.Values {
		v := url.Values{"_csrf": {csrf}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	draft := strings.TrimSuffix(who, "/ai-nhan")
	wantRedirect(t, s.post(t, who, f("submitter", "proxy")), "/nguoi-nhan-thay")
	wantRedirect(t, s.post(t, draft+"/nguoi-nhan-thay", f("proxy_name", "Trần Văn Năm", "proxy_cccd", "094085000333", "proxy_phone", "0912000111", "proxy_relationship", "con")), "/tai-khoan")
	// A later question cannot be opened before the earlier ones are answered.
	wantRedirect(t, s.do("GET", draft+"/kiem-tra", nil), "/tai-khoan")
	wantRedirect(t, s.post(t, draft+"/tai-khoan", f("bank_bin", "970405", "account_number", "123456789012")), "/chu-tai-khoan")
	wantRedirect(t, s.post(t, draft+"/chu-tai-khoan", f("holder_choice", "proxy")), "/dien-thoai")
	wantRedirect(t, s.post(t, draft+"/dien-thoai", f("phone", "")), "/dong-y")
	wantRedirect(t, s.post(t, draft+"/dong-y", f("consent", "1")), "/kiem-tra")
	// Back to self from the check page: the holder was the proxy, so it is asked again.
	wantRedirect(t, s.post(t, who, f("submitter", "self", "sua", "1")), "/chu-tai-khoan?sua=1")
	wantRedirect(t, s.post(t, draft+"/chu-tai-khoan", f("holder_choice", "self", "sua", "1")), "/kiem-tra")
	if page := s.do("GET", draft+"/kiem-tra", nil); strings.Contains(string(page.body), "Trần Văn Năm") {
		t.Error("the proxy is still on the check page after choosing self")
	}
}

func TestFormDraftGuards(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	s := &formSession{e: e}
	_, who := s.start(t)
	if r := s.do("GET", "/dang-ky/AAAAAAAAAAAAAAAAAAAAAA/ai-nhan", nil); r.StatusCode != 410 || !strings.Contains(string(r.body), ansinh.MsgSessionExpired) {
		t.Errorf("unknown draft: %d", r.StatusCode)
	}
	if r := s.do("GET", strings.TrimSuffix(who, "ai-nhan")+"khong-co", nil); r.StatusCode != 404 {
		t.Errorf("unknown step: %d", r.StatusCode)
	}
	e.advance(3600 + 60) // the draft waits an hour for its next answer
	r := s.do("GET", who, nil)
	if r.StatusCode != 410 || strings.Contains(strings.ToLower(string(r.body)), "phiên") {
		t.Errorf("stale draft: %d\n%s", r.StatusCode, r.body)
	}
}

// TestIdentityPageMessages: the identity page's answers say each thing once, explain
// the old CMND and a year-only birth date, and warn before the lock.
func TestIdentityPageMessages(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	s := &formSession{e: e}
	page := s.do("GET", "/c/31498", nil)
	csrf := match(t, csrfRE, page.body)
	post := func(cccd, d, m, y string) *response {
		return s.do("POST", "/c/31498", url.Values{"_csrf": {csrf}, "cccd": {cccd}, "ngay": {d}, "thang": {m}, "nam": {y}})
	}
	wantErrors(t, post("385123456", "5", "3", "1950"), map[string]string{"cccd": ansinh.MsgCMNDOld})
	wantErrors(t, post(sauCCCD, "", "", "1950"), map[string]string{"birth_date": ansinh.MsgBirthDayMonth})
	for i := 1; i <= 3; i++ {
		r := post(sauCCCD, "6", "3", "1950")
		body := string(r.body)
		if n := strings.Count(body, ansinh.MsgIdentityNotFound); n != 1 {
			t.Errorf("try %d: the answer is said %d times, want once", i, n)
		}
		for _, short := range []string{ansinh.MsgIdentityCheckCCCD, ansinh.MsgIdentityCheckDate} {
			if !strings.Contains(body, short) {
				t.Errorf("try %d: no %q next to its field", i, short)
			}
		}
		left := fmt.Sprintf(ansinh.MsgTriesLeft, 5-i)
		if shown := strings.Contains(body, left); shown != (5-i <= 2) {
			t.Errorf("try %d: “%s” shown %v", i, left, shown)
		}
		for _, word := range []string{"phiên", "bạn", "mã lỗi"} {
			if strings.Contains(strings.ToLower(body), word) {
				t.Errorf("try %d: the page says %q", i, word)
			}
		}
	}
	// The year-only answer on the CCCD path counted no attempt: two remain, not one.
	if r := post(sauCCCD, "6", "3", "1950"); !strings.Contains(string(r.body), fmt.Sprintf(ansinh.MsgTriesLeft, 1)) {
		t.Errorf("fourth try does not say one try is left")
	}
}

// TestProxyFieldsNamedOnTheOfficersForm: the validator names "proxy.cccd", the pages
// name the field "proxy_cccd"; each proxy field gets its own message (the officer's
// one-page form goes through the validator).
func TestProxyFieldsNamedOnTheOfficersForm(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	e.addUser("xa31498", ansinh.RoleCommune, "31498")
	p := e.browser("xa31498")
	r, doc := p.post("/can-bo/doi-tuong/"+e.store.BeneficiaryID(sauCCCD)+"/dang-ky-ho", url.Values{"submitter": {"proxy"},
		"bank_bin": {"970405"}, "account_number": {"123456789012"}, "account_name": {"Nguyễn Văn Sáu"}, "proof_seen": {"CCCD"},
		"idempotency_key": {"key-assisted-0001"}})
	if r.StatusCode != 422 {
		t.Fatalf("status %d", r.StatusCode)
	}
	for _, f := range []string{"proxy_name", "proxy_cccd", "proxy_phone", "proxy_relationship"} {
		if doc.Find("#err-"+f).Length() != 1 || doc.Find("#"+f+`[aria-invalid="true"]`).Length() != 1 {
			t.Errorf("%s not marked with its own message", f)
		}
	}
}

// TestAuthorisationPhotoBounds: a hostile photo is refused with a message, before its
// pixels are decoded, and nothing is kept.
func TestAuthorisationPhotoBounds(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	s := &formSession{e: e}
	csrf, who := s.start(t)
	proxy := wantRedirect(t, s.post(t, who, url.Values{"_csrf": {csrf}, "submitter": {"proxy"}}), "/nguoi-nhan-thay")
	valid := url.Values{"_csrf": {csrf}, "proxy_name": {"Trần Văn Năm"}, "proxy_cccd": {"094085000333"}, "proxy_phone": {"0912000111"}, "proxy_relationship": {"con"}}
	var wide bytes.Buffer
	_ = png.Encode(&wide, image.NewGray(image.Rect(0, 0, 9000, 1)))
	for name, photo := range map[string][]byte{
		"over 6 MB":        append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 6<<20)...),
		"9000 pixels wide": wide.Bytes(),
	} {
		r := s.postFile(t, proxy, valid, "giay_uy_quyen", photo)
		if r.StatusCode != 422 || !strings.Contains(string(r.body), ansinh.MsgAuthPhotoTooLarge) {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
	}
	if r := s.do("GET", proxy, nil); strings.Contains(string(r.body), "Đã nhận ảnh") {
		t.Error("a refused photo was kept")
	}
}
