package browser_test

import (
	"context"
	"strings"
	"testing"

	"ansinh"
	"ansinh/i18n"
	"ansinh/registration"
	"ansinh/store"
)

// The registration in Khmer, end to end, at 360 px with JavaScript and without: the
// switch on the commune's first page, then every page to the receipt in Khmer (its
// title and question the catalog's Khmer, its errors and their summary too), no
// Vietnamese text but the names marked lang="vi", the switch keeping the answers, and
// the registration in the commune's queue.

// leakScript lists the texts of the page that are Vietnamese (a letter only Vietnamese
// writes) outside an element marked lang="vi" (a person's, a commune's or a bank's
// name, the other language's name in the switch): the visible text nodes, and the
// words a person reads without them being text nodes (placeholders, labels for
// screen readers, the values of buttons, the options of a list).
const leakScript = `(() => {
  const vi = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i;
  const out = [];
  const marked = el => { const l = el && el.closest('[lang]'); return l && l.getAttribute('lang') === 'vi'; };
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const s = n.nodeValue.trim();
    if (!s || !vi.test(s)) continue;
    const p = n.parentElement;
    if (['SCRIPT', 'STYLE'].includes(p.tagName) || marked(p)) continue;
    out.push(p.tagName.toLowerCase() + (p.id ? '#' + p.id : '') + ': ' + s.slice(0, 80));
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt], input[type=submit], input[type=button], [data-msg], [data-search], [data-prints]')) {
    if (marked(el)) continue;
    for (const a of ['placeholder', 'aria-label', 'title', 'alt', 'value', 'data-msg', 'data-search', 'data-prints']) {
      const v = el.getAttribute(a);
      if (v && vi.test(v) && (a !== 'value' || el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type))) out.push(el.tagName.toLowerCase() + '[' + a + ']: ' + v.slice(0, 80));
    }
  }
  return out;
})()`

// khmerPage checks one page of the registration in Khmer: the address, <html
// lang="km">, the title and the main question the Khmer of their ids (with "Lỗi: " in
// Khmer when the page reports an error), no Vietnamese leaking, the accessibility
// checks (scripts on), and a screenshot.
func (w *walker) khmerPage(step, path, titleID, h1 string, failed bool) {
	w.t.Helper()
	t, ctx := w.t, w.ctx
	if path != "" {
		if got := location(t, ctx).Path; !strings.HasSuffix(got, path) {
			t.Fatalf("%s: at %s, want …%s", step, got, path)
		}
	}
	screenshot(t, ctx, "khmer-form-"+w.name+"-"+step)
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "km" {
		t.Errorf("%s: <html lang=%q>, want km", step, lang)
	}
	title := i18n.T(i18n.KM, titleID)
	if title == i18n.T(i18n.VI, titleID) || !khmerRE.MatchString(title) {
		t.Fatalf("%s: the catalog has no Khmer for %s: %q", step, titleID, title)
	}
	if failed {
		title = i18n.Chat(i18n.KM, ansinh.MsgErrorTitle) + title
	}
	if got := eval[string](t, ctx, `document.title`); !strings.HasPrefix(got, title+" · ") {
		t.Errorf("%s: title %q, want %q first", step, got, title)
	}
	if got := text(t, ctx, "main h1"); got != h1 || !khmerRE.MatchString(got) {
		t.Errorf("%s: the question is %q, want the Khmer %q", step, got, h1)
	}
	if leaks := eval[[]string](t, ctx, leakScript); len(leaks) > 0 {
		t.Errorf("%s: Vietnamese on the Khmer page: %q", step, leaks)
	}
	if w.js {
		checkA11y(t, ctx, "km-"+w.name+"-"+step)
	}
}

// km is a text of the Khmer catalog.
func km(id string, args ...any) string {
	if len(args) > 0 {
		return i18n.Tf(i18n.KM, id, args...)
	}
	return i18n.T(i18n.KM, id)
}

// kmErrors checks a page's errors in Khmer: each field's message (the Khmer of its
// Vietnamese constant) next to it and in the summary on top.
func kmErrors(t *testing.T, ctx context.Context, step string, fields map[string]string) {
	t.Helper()
	if got := text(t, ctx, "#error-summary-title"); got != km("form.summary") {
		t.Errorf("%s: summary title %q", step, got)
	}
	summary := text(t, ctx, "#error-summary")
	for field, vi := range fields {
		want := i18n.Chat(i18n.KM, vi)
		if want == vi {
			t.Errorf("%s: no Khmer for the message %q", step, vi)
		}
		if got := text(t, ctx, "#err-"+field); got != want {
			t.Errorf("%s: #err-%s = %q, want %q", step, field, got, want)
		}
		if !strings.Contains(summary, want) {
			t.Errorf("%s: the summary %q lacks %q", step, summary, want)
		}
	}
}

// TestKhmerRegistrationEndToEnd: a relative registers a proxy's account in Khmer,
// from the commune's QR code to the receipt.
func TestKhmerRegistrationEndToEnd(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			chromiumPath(t)
			var st *store.Store
			srv := startServerWith(t, seedCSV, 1, func(s *store.Store) { st = s })
			w := &walker{t: t, ctx: startBrowser(t, mode.js), js: mode.js, name: mode.name}
			ctx := w.ctx

			// The commune's first page, switched to Khmer; an empty post first.
			navigate(t, ctx, srv.URL+"/c/"+communeCode, 200)
			w.next(`#lang-switch a[href="?lang=km"]`, 200)
			w.khmerPage("1-identity", "/c/"+communeCode, "form.identity.title", km("form.identity.h1"), false)
			w.next(identitySubmit, 422)
			w.khmerPage("1-identity-errors", "/c/"+communeCode, "form.identity.title", km("form.identity.h1"), true)
			kmErrors(t, ctx, "identity", map[string]string{"cccd": ansinh.MsgCCCDRequired, "birth_date": ansinh.MsgBirthDateInvalid})
			w.typ("#cccd", seedCCCD)
			w.typ("#ngay", "5")
			w.typ("#thang", "3")
			w.typ("#nam", "1950")
			w.next(identitySubmit, 200)

			w.khmerPage("2-who", "/ai-nhan", "form.who.title", km("form.who.title"), false)
			w.next("#submitter-proxy", 200)

			w.khmerPage("3-proxy", "/nguoi-nhan-thay", "form.proxy.title", km("form.proxy.title"), false)
			w.next(stepSubmit, 422)
			w.khmerPage("3-proxy-errors", "/nguoi-nhan-thay", "form.proxy.title", km("form.proxy.title"), true)
			kmErrors(t, ctx, "proxy", map[string]string{
				"proxy_name": ansinh.MsgProxyNameRequired, "proxy_cccd": ansinh.MsgProxyCCCDRequired,
				"proxy_phone": ansinh.MsgProxyPhoneNeeded, "proxy_relationship": ansinh.MsgProxyRelation})
			w.typ("#proxy_name", proxyName)
			w.typ("#proxy_cccd", proxyCCCD)
			w.typ("#proxy_phone", proxyPhone)
			w.typ("#proxy_relationship", proxyRelation)
			w.photo("#giay_uy_quyen", authorisationPhoto(t))
			w.next(stepSubmit, 200)

			w.khmerPage("4-account", "/tai-khoan", "form.account.title", km("form.account.title"), false)
			w.photo("#qr_image", vietQRPhoto(t))
			w.next(stepSubmit, 200)

			w.khmerPage("5-holder", "/chu-tai-khoan", "form.holder.title", km("form.holder.titleBank", "Agribank"), false)
			w.next("#holder-proxy", 200)

			w.khmerPage("6-phone", "/dien-thoai", "form.phone.title", km("form.phone.title"), false)
			if got := value(t, ctx, "#phone"); got != proxyPhone {
				t.Errorf("phone offered %q, want the proxy's %q", got, proxyPhone)
			}
			w.next(stepSubmit, 200)

			w.khmerPage("7-consent", "/dong-y", "form.consent.title", km("form.consent.title"), false)
			w.next(stepSubmit, 422)
			w.khmerPage("7-consent-errors", "/dong-y", "form.consent.title", km("form.consent.title"), true)
			kmErrors(t, ctx, "consent", map[string]string{"consent": ansinh.MsgConsentRequired})
			w.tap("#consent")
			w.next(stepSubmit, 200)

			w.khmerPage("8-check", "/kiem-tra", "form.check.title", km("form.check.title"), false)
			answers := func() string {
				return eval[string](t, ctx, `[...document.querySelectorAll('#check-proxy span, #check-account, #check-holder')].map(e => e.textContent).join('|')`)
			}
			before := answers()
			for _, want := range []string{proxyName, proxyCCCD, shownAccount, proxyHolder} {
				if !strings.Contains(before, want) {
					t.Errorf("the check page %q lacks %q", before, want)
				}
			}
			if got := text(t, ctx, "#check-authorisation"); got != km("form.check.authTaken") {
				t.Errorf("check page authorisation %q", got)
			}
			// A change from the check page stays one across the switch.
			w.next(`dd.change a[href*="/dien-thoai"]`, 200)
			w.khmerPage("8-change-phone", "/dien-thoai", "form.phone.title", km("form.phone.title"), false)
			w.next(`#lang-switch a[href="?lang=vi&sua=1"]`, 200)
			if got := text(t, ctx, stepSubmit); got != i18n.T(i18n.VI, "form.saveBack") {
				t.Errorf("switched while changing the phone, the button says %q", got)
			}
			w.next(`#lang-switch a[href="?lang=km&sua=1"]`, 200)
			if got := text(t, ctx, stepSubmit); got != km("form.saveBack") {
				t.Errorf("back in Khmer, the button says %q", got)
			}
			w.next(stepSubmit, 200)
			w.khmerPage("8-check-after-change", "/kiem-tra", "form.check.title", km("form.check.title"), false)

			// The switch keeps the answers, both ways.
			w.next(`#lang-switch a[href="?lang=vi"]`, 200)
			if got := text(t, ctx, "main h1"); got != i18n.T(i18n.VI, "form.check.title") || answers() != before {
				t.Errorf("in Vietnamese: h1 %q, answers %q, want %q", got, answers(), before)
			}
			w.next(`#lang-switch a[href="?lang=km"]`, 200)
			if answers() != before {
				t.Errorf("back in Khmer the answers are %q, want %q", answers(), before)
			}
			w.khmerPage("8-check-again", "/kiem-tra", "form.check.title", km("form.check.title"), false)

			w.next("#send", 200)
			receipt := text(t, ctx, "#receipt")
			if !receiptRE.MatchString(receipt) {
				t.Fatalf("receipt %q", receipt)
			}
			raw := strings.ReplaceAll(receipt, "-", "")
			w.khmerPage("9-receipt", "/bien-nhan/"+raw, "form.receipt.title", km("form.receipt.title"), false)
			if got, want := text(t, ctx, "#status"), i18n.Chat(i18n.KM, ansinh.StatusLabel(ansinh.StatusPending)); got != want || want == pendingStatus {
				t.Errorf("receipt status %q, want the Khmer %q", got, want)
			}

			// A draft that is gone: start again, in Khmer.
			navigate(t, ctx, srv.URL+"/dang-ky/"+strings.Repeat("a", 22)+"/ai-nhan", 410)
			w.khmerPage("10-expired", "", "form.gone.title", km("form.gone.title"), false)
			if got, want := text(t, ctx, "main .alert"), i18n.Chat(i18n.KM, ansinh.MsgSessionExpired); got != want {
				t.Errorf("the expired page says %q, want %q", got, want)
			}

			// Stored: in the commune's queue, with the proxy and the authorisation's photo.
			// The queue is read from the store itself, so first wait until the submission
			// the app acknowledged is through its steps (as a staff page does).
			if err := registration.New(st, "settle", nil).Settle(context.Background()); err != nil {
				t.Fatal(err)
			}
			items, _, err := st.Queue(context.Background(), ansinh.QueueQuery{Communes: []string{communeCode}})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Receipt != raw {
				t.Fatalf("the queue holds %+v, want the receipt %s", items, raw)
			}
			reg, err := st.Registration(context.Background(), raw)
			if err != nil || reg.Submitter != ansinh.SubmitterProxy {
				t.Fatalf("the registration %+v, %v: want a proxy's", reg, err)
			}
			if _, err := st.Authorisation(context.Background(), raw); err != nil {
				t.Errorf("the authorisation's photo: %v", err)
			}
			t.Logf("KHMER %s: %d taps, %d keystrokes", mode.name, w.taps, w.keys)
		})
	}
}
