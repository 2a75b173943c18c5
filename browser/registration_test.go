package browser_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ansinh"
)

// receiptRE is a receipt as the receipt page shows it: two groups of five.
var receiptRE = regexp.MustCompile(`^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{5}$`)

// What the beneficiary types on the details page, and what the check page shows back.
const (
	agribankBIN    = "970405"
	typedAccount   = "1234 5678 9012"
	shownAccount   = "123456789012"
	typedHolder    = seedName
	shownHolder    = "NGUYEN VAN SAU"
	typedPhone     = "0912 345 678"
	pendingStatus  = "Đang chờ xã kiểm tra"
	confirmSubmit  = `#send`
	changeAccount  = `dd.change a[href*="/tai-khoan"]`
	identitySubmit = `main form button[type=submit]`
)

// TestRegistrationByQR walks the whole registration from a commune's poster, once
// with JavaScript and once without, typing the account rather than photographing it:
// commune code → identity → the questions → check (changing the account once) →
// receipt → status. With JavaScript it also runs the accessibility checks on every page.
func TestRegistrationByQR(t *testing.T) {
	for _, mode := range []struct {
		name string
		js   bool
	}{
		{"js", true},
		{"nojs", false},
	} {
		t.Run(mode.name, func(t *testing.T) {
			chromiumPath(t) // skip before starting the store when there is no browser
			srv := startServer(t)
			ctx := startBrowser(t, mode.js)
			shot := func(step string) { screenshot(t, ctx, "registration-"+mode.name+"-"+step) }
			a11y := func(page string) {
				if mode.js {
					checkA11y(t, ctx, page)
				}
			}

			// 1. The poster's QR code opens the commune's form.
			navigate(t, ctx, srv.URL+"/c/"+communeCode, 200)
			if got := text(t, ctx, "main .lead"); got != communeName {
				t.Errorf("identity page names commune %q, want %q", got, communeName)
			}
			assertScripts(t, ctx, mode.js)
			shot("1-identity")
			a11y("identity")

			// 2. Who are you?
			typeInto(t, ctx, "#cccd", seedCCCD)
			typeInto(t, ctx, "#ngay", "5")
			typeInto(t, ctx, "#thang", "3")
			typeInto(t, ctx, "#nam", "1950")
			click(t, ctx, identitySubmit, 200)
			if got := text(t, ctx, "#person"); got != seedName {
				t.Errorf("the questions name the beneficiary %q, want %q", got, seedName)
			}
			assertScripts(t, ctx, mode.js)
			click(t, ctx, "#submitter-self", 200)

			// 3. Into which account? The JavaScript conveniences only with JavaScript.
			search := eval[bool](t, ctx, `(() => { const b = document.querySelector('input[type=search]');
				return !!b && !!(b.compareDocumentPosition(document.getElementById('bank_bin')) & Node.DOCUMENT_POSITION_FOLLOWING); })()`)
			if search != mode.js {
				t.Errorf("bank search box above the bank list: %v, want %v", search, mode.js)
			}
			chooseAgribank(t, ctx, mode.js)
			typeInto(t, ctx, "#account_number", typedAccount)
			shot("2-account")
			a11y("account")
			click(t, ctx, stepSubmit, 200)

			// 4. The holder: typed, with the bank's spelling shown as it is typed.
			typeInto(t, ctx, "#holder_other", typedHolder)
			assertPreview(t, ctx, mode.js)
			shot("3-holder")
			a11y("holder")
			click(t, ctx, "#holder-other-submit", 200)
			typeInto(t, ctx, "#phone", typedPhone)
			click(t, ctx, stepSubmit, 200)
			do(t, ctx, "consent", chromedp.Click(chromedp.CSS("#consent")))
			click(t, ctx, stepSubmit, 200)

			// 5. Check, change the account once, check again.
			assertCheckPage(t, ctx)
			shot("4-check")
			a11y("check")
			click(t, ctx, changeAccount, 200)
			for sel, want := range map[string]string{"#bank_bin": agribankBIN, "#account_number": shownAccount} {
				if got := value(t, ctx, sel); got != want {
					t.Errorf("after Thay đổi, %s = %q, want %q", sel, got, want)
				}
			}
			click(t, ctx, stepSubmit, 200)
			assertCheckPage(t, ctx)

			// 6. Send: the receipt.
			click(t, ctx, confirmSubmit, 200)
			receipt := text(t, ctx, "#receipt")
			if !receiptRE.MatchString(receipt) {
				t.Fatalf("receipt %q is not XXXXX-XXXXX", receipt)
			}
			raw := strings.ReplaceAll(receipt, "-", "")
			if loc := location(t, ctx); loc.Path != "/bien-nhan/"+raw {
				t.Errorf("receipt page at %s, want /bien-nhan/%s", loc.Path, raw)
			}
			if got := text(t, ctx, "#status"); got != pendingStatus {
				t.Errorf("receipt status %q, want %q", got, pendingStatus)
			}
			// Not asserted, but told: the code is easier to copy on one line.
			if lines := eval[int](t, ctx, `(() => { const r = document.createRange();
				r.selectNodeContents(document.getElementById('receipt'));
				return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; })()`); lines > 1 {
				t.Logf("note: at %d px wide the receipt code %s wraps onto %d lines", viewportWidth, receipt, lines)
			}
			shot("5-receipt")
			a11y("receipt")

			// 7. Follow the link to the status page.
			click(t, ctx, `main a[href^="/tra-cuu?ma="]`, 200)
			loc := location(t, ctx)
			if loc.Path != "/tra-cuu" || loc.Query().Get("ma") != raw {
				t.Errorf("status page at %s, want /tra-cuu?ma=%s", loc, raw)
			}
			if got := text(t, ctx, "#status"); got != pendingStatus {
				t.Errorf("status page says %q, want %q", got, pendingStatus)
			}
			if got := text(t, ctx, "#result"); !strings.Contains(got, receipt) {
				t.Errorf("status page result %q lacks the receipt %s", got, receipt)
			}
			shot("6-status")
			a11y("status")
		})
	}
}

// chooseAgribank picks the bank: through the search box with scripts, by typing into
// the focused list without.
func chooseAgribank(t *testing.T, ctx context.Context, js bool) {
	t.Helper()
	if js {
		typeInto(t, ctx, "input[type=search]", "agri")
	} else {
		do(t, ctx, "choose the bank", chromedp.Focus(chromedp.CSS("#bank_bin")), chromedp.KeyEvent("Agribank"))
	}
	if got := value(t, ctx, "#bank_bin"); got != agribankBIN {
		t.Fatalf("bank chosen: %q, want Agribank %q", got, agribankBIN)
	}
}

// TestIdentityError submits the identity page with a wrong birth date: the page says
// so on top and next to the date, and the date boxes are marked invalid and described
// by the message (as the CCCD box is when it is wrong).
func TestIdentityError(t *testing.T) {
	chromiumPath(t) // skip before starting the store when there is no browser
	srv := startServer(t)
	ctx := startBrowser(t, true)
	for _, tc := range []struct {
		name             string
		day, month, year string
		top, field       string // the messages on top and next to the date
	}{
		{"not-his-birth-date", "6", "3", "1950", ansinh.MsgIdentityNotFound, ansinh.MsgIdentityCheckDate},
		{"no-such-date", "31", "2", "1950", ansinh.MsgBirthDateInvalid, ansinh.MsgBirthDateInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			navigate(t, ctx, srv.URL+"/c/"+communeCode, 200)
			typeInto(t, ctx, "#cccd", seedCCCD)
			typeInto(t, ctx, "#ngay", tc.day)
			typeInto(t, ctx, "#thang", tc.month)
			typeInto(t, ctx, "#nam", tc.year)
			click(t, ctx, identitySubmit, 422)
			screenshot(t, ctx, "identity-error-"+tc.name)

			if got := text(t, ctx, "#error-summary li"); got != tc.top {
				t.Errorf("message on top %q, want %q", got, tc.top)
			}
			if got := eval[string](t, ctx, `document.getElementById('error-summary').getAttribute('role')`); got != "alert" {
				t.Errorf("message on top has role %q, want alert", got)
			}
			if got := text(t, ctx, "#err-birth_date"); got != tc.field {
				t.Errorf("message next to the date %q, want %q", got, tc.field)
			}
			for _, f := range []struct{ id, want string }{{"ngay", tc.day}, {"thang", tc.month}, {"nam", tc.year}, {"cccd", seedCCCD}} {
				if got := value(t, ctx, "#"+f.id); got != f.want {
					t.Errorf("#%s lost what was typed: %q, want %q", f.id, got, f.want)
				}
			}
			for _, id := range []string{"ngay", "thang", "nam"} {
				invalid, describedBy := ariaOf(t, ctx, id)
				if invalid != "true" {
					t.Errorf("#%s: aria-invalid=%q after a wrong birth date, want \"true\"", id, invalid)
				}
				if !slices.Contains(strings.Fields(describedBy), "err-birth_date") {
					t.Errorf("#%s: aria-describedby=%q, want it to name err-birth_date", id, describedBy)
				}
			}
			checkA11y(t, ctx, "identity-error-"+tc.name)
		})
	}
}

// assertScripts checks that page scripts run, or not, as the test asked.
func assertScripts(t *testing.T, ctx context.Context, js bool) {
	t.Helper()
	// The CSP forbids inline scripts, so ask the parser instead: with scripting on,
	// the content of <noscript> stays text; with scripting off it becomes elements.
	// (DevTools evaluation itself works either way.)
	ran := eval[bool](t, ctx, `(() => { const d = document.createElement('div');
		d.innerHTML = '<noscript><p id="__ns"></p></noscript>'; document.body.appendChild(d);
		const on = document.getElementById('__ns') === null; d.remove(); return on; })()`)
	if ran != js {
		t.Fatalf("page scripts run: %v, want %v", ran, js)
	}
}

// assertPreview checks the live "Ngân hàng in: …" line under the holder's name, there
// only with JavaScript.
func assertPreview(t *testing.T, ctx context.Context, js bool) {
	t.Helper()
	got := text(t, ctx, "#holder-live")
	want := ""
	if js {
		want = "Ngân hàng in: " + shownHolder + "."
	}
	if got != want {
		t.Errorf("preview under the holder name: %q, want %q", got, want)
	}
}

func assertCheckPage(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "check page", chromedp.WaitVisible(chromedp.CSS("#check-bank")))
	if got := text(t, ctx, "#check-bank"); !strings.HasPrefix(got, "Agribank") {
		t.Errorf("check page bank %q, want Agribank", got)
	}
	if got := text(t, ctx, "#check-account"); got != shownAccount {
		t.Errorf("check page account %q, want %q", got, shownAccount)
	}
	if got := text(t, ctx, "#check-holder"); got != shownHolder {
		t.Errorf("check page holder %q, want %q", got, shownHolder)
	}
	if got := text(t, ctx, confirmSubmit); got != "Gửi đăng ký" {
		t.Errorf("check page button %q, want Gửi đăng ký", got)
	}
}

// location is the URL of the page.
func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	s := run(t, ctx, "location", chromedp.Location())
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("location %q: %v", s, err)
	}
	return u
}

// ariaOf returns an element's aria-invalid and aria-describedby.
func ariaOf(t *testing.T, ctx context.Context, id string) (invalid, describedBy string) {
	t.Helper()
	v := eval[[]string](t, ctx, fmt.Sprintf(`(() => { const e = document.getElementById(%q);
		return [e.getAttribute('aria-invalid') || '', e.getAttribute('aria-describedby') || '']; })()`, id))
	return v[0], v[1]
}
