package browser_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/skip2/go-qrcode"

	"ansinh"
	"ansinh/vietqr"
)

// The registration form one question a page, at 360 px, with JavaScript and without:
// the self and the proxy paths end to end (their taps and keystrokes counted), the
// proxy's errors, the error summary; every page through the accessibility checks and
// into a screenshot.

// The proxy a relative types in.
const (
	proxyName     = "Trần Văn Năm"
	proxyCCCD     = "094085000333"
	proxyPhone    = "0912000111"
	proxyRelation = "con trai"
	proxyHolder   = "TRAN VAN NAM"
	stepSubmit    = `main form button[type=submit]:not(.choice-button):not(#holder-other-submit)`
)

// walker drives the form like a person, counting each tap and each key.
type walker struct {
	t    *testing.T
	ctx  context.Context
	js   bool
	name string
	taps int
	keys int
}

// tap touches something that does not load a page (a field, a box).
func (w *walker) tap(sel string) {
	w.t.Helper()
	do(w.t, w.ctx, "tap "+sel, chromedp.Click(chromedp.CSS(sel)))
	w.taps++
}

// next touches a button or link that loads a page, and checks its status.
func (w *walker) next(sel string, status int64) {
	w.t.Helper()
	click(w.t, w.ctx, sel, status)
	w.taps++
}

// typ touches a field and types into it.
func (w *walker) typ(sel, s string) {
	w.t.Helper()
	typeInto(w.t, w.ctx, sel, s)
	w.taps++
	w.keys += len([]rune(s))
}

// photo picks a picture for a file input: a tap on the input, a tap on the photo.
func (w *walker) photo(sel, path string) {
	w.t.Helper()
	do(w.t, w.ctx, "choose "+path, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path}))
	w.taps += 2
}

// page checks the page a person sees: its screenshot, the accessibility checks (with
// scripts on), its words, and which question it is.
func (w *walker) page(step, path string) {
	w.t.Helper()
	if path != "" {
		if got := location(w.t, w.ctx).Path; !strings.HasSuffix(got, path) {
			w.t.Fatalf("%s: at %s, want …%s", step, got, path)
		}
	}
	screenshot(w.t, w.ctx, "form-"+w.name+"-"+step)
	if w.js {
		checkA11y(w.t, w.ctx, w.name+"-"+step)
	}
	body := strings.ToLower(text(w.t, w.ctx, "body"))
	for _, word := range []string{"phiên", " bạn", "mã lỗi"} {
		if strings.Contains(body, word) {
			w.t.Errorf("%s: the page says %q", step, word)
		}
	}
}

// vietQRPhoto writes a picture of a bank app's VietQR code for Agribank's account.
func vietQRPhoto(t *testing.T) string {
	t.Helper()
	png, err := qrcode.Encode(vietqr.Encode(agribankBIN, shownAccount, vietqr.ServiceToAccount), qrcode.Medium, 400)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ma-qr.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// authorisationPhoto writes a picture standing for the authorisation's.
func authorisationPhoto(t *testing.T) string {
	t.Helper()
	png, err := qrcode.Encode("giấy ủy quyền", qrcode.Medium, 300)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "giay-uy-quyen.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// identify opens the commune's form and proves the seed beneficiary.
func (w *walker) identify(srv *server) {
	w.t.Helper()
	navigate(w.t, w.ctx, srv.URL+"/c/"+communeCode, 200)
	assertScripts(w.t, w.ctx, w.js)
	w.page("1-identity", "")
	w.typ("#cccd", seedCCCD)
	w.typ("#ngay", "5")
	w.typ("#thang", "3")
	w.typ("#nam", "1950")
	w.next(identitySubmit, 200)
}

// TestFormFlow registers the seed beneficiary's own account and then a proxy's, each
// with and without JavaScript, and reports the taps and keystrokes each took.
func TestFormFlow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		js    bool
		proxy bool
	}{
		{"self-js", true, false},
		{"self-nojs", false, false},
		{"proxy-js", true, true},
		{"proxy-nojs", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chromiumPath(t)
			srv := startServer(t)
			w := &walker{t: t, ctx: startBrowser(t, tc.js), js: tc.js, name: tc.name}
			w.identify(srv)

			w.page("2-who", "/ai-nhan")
			if got := text(t, w.ctx, "#person"); got != seedName {
				t.Errorf("the pages name %q, want %q", got, seedName)
			}
			if tc.proxy {
				w.next("#submitter-proxy", 200)
				w.page("3-proxy", "/nguoi-nhan-thay")
				if got := text(t, w.ctx, "main"); !strings.Contains(got, "giấy ủy quyền có xác nhận của UBND xã") {
					t.Error("the proxy page does not say the certified authorisation is needed")
				}
				w.typ("#proxy_name", proxyName)
				w.typ("#proxy_cccd", proxyCCCD)
				w.typ("#proxy_phone", proxyPhone)
				w.typ("#proxy_relationship", proxyRelation)
				w.photo("#giay_uy_quyen", authorisationPhoto(t))
				w.next(stepSubmit, 200)
			} else {
				w.next("#submitter-self", 200)
			}

			// The bank app's QR code first: no number typed.
			w.page("4-account", "/tai-khoan")
			if first := eval[string](t, w.ctx, `document.querySelector('main form input:not([type=hidden]), main form select').id`); first != "qr_image" {
				t.Errorf("the account page asks %q first, want the QR photo", first)
			}
			if search := eval[bool](t, w.ctx, `!!document.getElementById('bank-search')`); search != tc.js {
				t.Errorf("bank search box: %v, want %v", search, tc.js)
			}
			w.photo("#qr_image", vietQRPhoto(t))
			w.next(stepSubmit, 200)

			// The holder: one tap.
			w.page("5-holder", "/chu-tai-khoan")
			if got := text(t, w.ctx, "#holder-self .holder"); got != shownHolder {
				t.Errorf("holder choice %q, want %q", got, shownHolder)
			}
			if tc.proxy {
				w.next("#holder-proxy", 200)
			} else {
				w.next("#holder-self", 200)
			}

			w.page("6-phone", "/dien-thoai")
			if got := text(t, w.ctx, "#phone-hint"); !strings.Contains(got, "báo") {
				t.Errorf("the phone page does not say what the number is for: %q", got)
			}
			if tc.proxy {
				if got := value(t, w.ctx, "#phone"); got != proxyPhone {
					t.Errorf("phone offered %q, want the proxy's %q", got, proxyPhone)
				}
			} else {
				w.typ("#phone", typedPhone)
			}
			w.next(stepSubmit, 200)

			w.page("7-consent", "/dong-y")
			if eval[bool](t, w.ctx, `[...document.querySelectorAll('input[type=checkbox]')].some(b => b.checked)`) {
				t.Error("a consent box is ticked beforehand")
			}
			w.tap("#consent")
			w.tap("#notify_consent")
			w.next(stepSubmit, 200)

			w.page("8-check", "/kiem-tra")
			for sel, want := range map[string]string{"#check-bank": "Agribank", "#check-account": shownAccount} {
				if got := text(t, w.ctx, sel); !strings.HasPrefix(got, want) {
					t.Errorf("check page %s = %q, want %q", sel, got, want)
				}
			}
			wantHolder := shownHolder
			if tc.proxy {
				wantHolder = proxyHolder
				got := text(t, w.ctx, "#check-proxy")
				for _, want := range []string{proxyName, proxyRelation, proxyCCCD, proxyPhone} {
					if !strings.Contains(got, want) {
						t.Errorf("check page proxy %q lacks %q", got, want)
					}
				}
				if got := text(t, w.ctx, "#check-authorisation"); !strings.HasPrefix(got, "Đã chụp ảnh") {
					t.Errorf("check page authorisation %q", got)
				}
			}
			if got := text(t, w.ctx, "#check-holder"); got != wantHolder {
				t.Errorf("check page holder %q, want %q", got, wantHolder)
			}
			rows := eval[int](t, w.ctx, `document.querySelectorAll('dl.summary > div').length`)
			links := eval[int](t, w.ctx, `document.querySelectorAll('dl.summary dd.change a').length`)
			if links != rows-1 { // every answer; the beneficiary is proven, not answered
				t.Errorf("%d “Thay đổi” links for %d rows", links, rows)
			}

			// "Thay đổi" goes to that one page and back.
			click(t, w.ctx, `dd.change a[href*="/dien-thoai"]`, 200)
			if got := text(t, w.ctx, stepSubmit); got != "Lưu và quay lại trang kiểm tra" {
				t.Errorf("changing, the button says %q", got)
			}
			clearField(t, w.ctx, "#phone")
			typeInto(t, w.ctx, "#phone", "0987654321")
			click(t, w.ctx, stepSubmit, 200)
			if got := text(t, w.ctx, "#check-phone"); got != "0987654321" {
				t.Errorf("after Thay đổi, the check page phone is %q", got)
			}

			w.next("#send", 200)
			receipt := text(t, w.ctx, "#receipt")
			if !receiptRE.MatchString(receipt) {
				t.Fatalf("receipt %q", receipt)
			}
			w.page("9-receipt", "/bien-nhan/"+strings.ReplaceAll(receipt, "-", ""))
			t.Logf("TAPS %s: %d taps, %d keystrokes", tc.name, w.taps, w.keys)

			// Back and reload: the receipt again, never a second registration.
			receiptPath := location(t, w.ctx).Path
			eval[bool](t, w.ctx, `(history.back(), true)`)
			settle(t, w.ctx)
			// The browser may show the check page from its history; sending it again
			// gives the same receipt.
			if got := location(t, w.ctx).Path; got != receiptPath {
				if !strings.HasSuffix(got, "/kiem-tra") {
					t.Fatalf("back lands on %s", got)
				}
				eval[bool](t, w.ctx, `(document.getElementById('send').click(), true)`)
				if got := waitPath(t, w.ctx, receiptPath); got != receiptPath {
					t.Errorf("sent again from the back button: %s, want the first receipt %s", got, receiptPath)
				}
			}
			do(t, w.ctx, "reload", chromedp.Reload())
			if got := location(t, w.ctx).Path; got != receiptPath {
				t.Errorf("reload lands on %s, want the receipt %s", got, receiptPath)
			}
		})
	}
}

// TestFormProxyErrors: the proxy's page posted empty names each field with its own
// message, summed up on top with links; the beneficiary's own CCCD is refused there;
// a typed holder name that is nobody's is warned about (at once with JavaScript).
func TestFormProxyErrors(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "js", false: "nojs"}[js]
		t.Run(name, func(t *testing.T) {
			chromiumPath(t)
			srv := startServer(t)
			w := &walker{t: t, ctx: startBrowser(t, js), js: js, name: "proxy-errors-" + name}
			w.identify(srv)
			w.next("#submitter-proxy", 200)
			click(t, w.ctx, stepSubmit, 422)
			w.page("empty", "/nguoi-nhan-thay")
			assertErrorPage(t, w.ctx, map[string]string{
				"proxy_name": ansinh.MsgProxyNameRequired, "proxy_cccd": ansinh.MsgProxyCCCDRequired,
				"proxy_phone": ansinh.MsgProxyPhoneNeeded, "proxy_relationship": ansinh.MsgProxyRelation})

			typeInto(t, w.ctx, "#proxy_name", proxyName)
			typeInto(t, w.ctx, "#proxy_cccd", seedCCCD)
			typeInto(t, w.ctx, "#proxy_phone", proxyPhone)
			typeInto(t, w.ctx, "#proxy_relationship", proxyRelation)
			click(t, w.ctx, stepSubmit, 422)
			w.page("same-cccd", "/nguoi-nhan-thay")
			assertErrorPage(t, w.ctx, map[string]string{"proxy_cccd": ansinh.MsgProxyCCCDSame})
			if got := value(t, w.ctx, "#proxy_name"); got != proxyName {
				t.Errorf("the proxy's name was lost: %q", got)
			}
			clearField(t, w.ctx, "#proxy_cccd")
			typeInto(t, w.ctx, "#proxy_cccd", proxyCCCD)
			click(t, w.ctx, stepSubmit, 200)

			// The typed account, the alternative to the photo.
			if js {
				typeInto(t, w.ctx, "#bank-search", "agri")
			} else {
				do(t, w.ctx, "choose the bank", chromedp.Focus(chromedp.CSS("#bank_bin")), chromedp.KeyEvent("Agribank"))
			}
			if got := value(t, w.ctx, "#bank_bin"); got != agribankBIN {
				t.Fatalf("bank chosen %q", got)
			}
			typeInto(t, w.ctx, "#account_number", typedAccount)
			click(t, w.ctx, stepSubmit, 200)

			typeInto(t, w.ctx, "#holder_other", "Lê Thị Mười")
			if js {
				if got := text(t, w.ctx, "#holder-live"); !strings.Contains(got, "LE THI MUOI") || !strings.Contains(got, "khác tên người hưởng và tên người nhận thay") {
					t.Errorf("no immediate warning: %q", got)
				}
			}
			click(t, w.ctx, "#holder-other-submit", 200)
			w.page("holder-warning", "/chu-tai-khoan")
			if got := text(t, w.ctx, "#holder-warning"); got != ansinh.MsgHolderNeither {
				t.Errorf("server warning %q", got)
			}
			click(t, w.ctx, "#holder-other-submit", 200) // it is that name after all
			if got := location(t, w.ctx).Path; !strings.HasSuffix(got, "/dien-thoai") {
				t.Errorf("after confirming the name, at %s", got)
			}
		})
	}
}

// TestFormErrorSummary: a wrong birth date is said once, on top, with a link to the
// field; the fields say what to check; the title starts with "Lỗi: ".
func TestFormErrorSummary(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "js", false: "nojs"}[js]
		t.Run(name, func(t *testing.T) {
			chromiumPath(t)
			srv := startServer(t)
			w := &walker{t: t, ctx: startBrowser(t, js), js: js, name: "summary-" + name}
			navigate(t, w.ctx, srv.URL+"/c/"+communeCode, 200)
			typeInto(t, w.ctx, "#cccd", seedCCCD)
			typeInto(t, w.ctx, "#ngay", "6")
			typeInto(t, w.ctx, "#thang", "3")
			typeInto(t, w.ctx, "#nam", "1950")
			click(t, w.ctx, identitySubmit, 422)
			w.page("identity", "")
			if n := strings.Count(text(t, w.ctx, "main"), ansinh.MsgIdentityNotFound); n != 1 {
				t.Errorf("the answer is said %d times, want once", n)
			}
			if got := text(t, w.ctx, "#error-summary a"); got != ansinh.MsgIdentityNotFound {
				t.Errorf("summary says %q", got)
			}
			for id, want := range map[string]string{"err-cccd": ansinh.MsgIdentityCheckCCCD, "err-birth_date": ansinh.MsgIdentityCheckDate} {
				if got := text(t, w.ctx, "#"+id); got != want {
					t.Errorf("#%s = %q, want %q", id, got, want)
				}
			}
			if js {
				if got := eval[string](t, w.ctx, `document.activeElement.id`); got != "error-summary" {
					t.Errorf("focus on %q, want the error summary", got)
				}
			}
			click0(t, w.ctx, "#error-summary a")
			if got := location(t, w.ctx).Fragment; got != "cccd" {
				t.Errorf("the summary's link leads to #%s, want #cccd", got)
			}
			// A 9-digit number: the old identity card, and where the new number is.
			clearField(t, w.ctx, "#cccd")
			typeInto(t, w.ctx, "#cccd", "385123456")
			click(t, w.ctx, identitySubmit, 422)
			if got := text(t, w.ctx, "#err-cccd"); got != ansinh.MsgCMNDOld {
				t.Errorf("old CMND: %q", got)
			}
			w.page("cmnd", "")
		})
	}
}

// assertErrorPage checks an error page: "Lỗi: " before the title, one summary linking
// each message to its field, each field marked and described by its message.
func assertErrorPage(t *testing.T, ctx context.Context, fields map[string]string) {
	t.Helper()
	if title := eval[string](t, ctx, `document.title`); !strings.HasPrefix(title, "Lỗi: ") {
		t.Errorf("title %q lacks “Lỗi: ”", title)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.error-summary').length`); n != 1 {
		t.Errorf("%d error summaries", n)
	}
	links := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#error-summary a')].map(a => [a.getAttribute('href').slice(1), a.textContent]))`)
	for field, msg := range fields {
		if links[field] != msg {
			t.Errorf("summary link to #%s says %q, want %q", field, links[field], msg)
		}
		if got := text(t, ctx, "#err-"+field); got != msg {
			t.Errorf("#err-%s = %q, want %q", field, got, msg)
		}
		invalid, described := ariaOf(t, ctx, field)
		if invalid != "true" || !strings.Contains(described, "err-"+field) {
			t.Errorf("#%s: aria-invalid %q, aria-describedby %q", field, invalid, described)
		}
	}
	if len(links) != len(fields) {
		t.Errorf("summary has %d links, want %d: %v", len(links), len(fields), links)
	}
}

// click0 clicks a link within the page (no new document).
func click0(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	do(t, ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// settle waits until the page that history.back() loads has loaded.
func settle(t *testing.T, ctx context.Context) {
	t.Helper()
	for range 50 {
		time.Sleep(200 * time.Millisecond)
		if eval[string](t, ctx, `document.readyState`) == "complete" {
			return
		}
	}
	t.Fatal("the page did not load")
}

// waitPath waits (up to 10 s) for the page at path, and returns where the browser is.
func waitPath(t *testing.T, ctx context.Context, path string) string {
	t.Helper()
	got := ""
	for range 50 {
		time.Sleep(200 * time.Millisecond)
		got = location(t, ctx).Path
		if got == path && eval[string](t, ctx, `document.readyState`) == "complete" {
			break
		}
	}
	return got
}
