package browser_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/skip2/go-qrcode"

	"ansinh"
	"ansinh/handlers"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/store/storetest"
	"ansinh/vietqr"
	"ansinh/zalobot"
)

// The public pages around the form (issue 15): the start page, the commune's contact
// on every page, error pages that lead on, the web chat with its history and photos,
// the officer keeping the contact, and Khmer.

const (
	officerName  = "Lê Thị Hoa"
	officerPhone = "02993822123"
	officerHours = "7 giờ – 17 giờ, thứ Hai đến thứ Sáu"
)

// startPublicServer is startServer with the chat worker, the commune's contact and,
// when seed is set, more in the store.
func startPublicServer(t *testing.T, seed func(*store.Store)) *server {
	t.Helper()
	return startServerWith(t, seedCSV, 1, func(st *store.Store) {
		if err := st.SaveContact(context.Background(), &ansinh.Contact{Unit: communeCode, Name: officerName, Phone: officerPhone,
			Hours: officerHours, UpdatedBy: "xa", UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if seed != nil {
			seed(st)
		}
	}, func(st *store.Store, d *handlers.Deps) {
		d.Bot = zalobot.New(st, registration.New(st, d.Config.SecretKey, nil), nil, storetest.Logger(), nil)
	})
}

var modes = []struct {
	name string
	js   bool
}{{"js", true}, {"nojs", false}}

// count is the number of elements matching a CSS selector.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return eval[int](t, ctx, `document.querySelectorAll(`+quoteJS(sel)+`).length`)
}

func quoteJS(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
}

// contactSays checks the footer's contact.
func contactSays(t *testing.T, ctx context.Context, page string, want ...string) {
	t.Helper()
	got := text(t, ctx, "#contact")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: the contact says %q, without %q", page, got, w)
		}
	}
}

// TestStartPageAndContactOnEveryPage: the start page says who, what to bring and how
// long, lists the communes and searches them without JavaScript; the commune's form,
// an unknown commune's code, an unknown page and a dead personal code all show whom to
// call and a way on.
func TestStartPageAndContactOnEveryPage(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			chromiumPath(t)
			srv := startPublicServer(t, nil)
			ctx := startBrowser(t, mode.js)
			shot := func(step string) { screenshot(t, ctx, "public-"+mode.name+"-"+step) }
			a11y := func(page string) {
				if mode.js {
					checkA11y(t, ctx, page)
				}
			}

			navigate(t, ctx, srv.URL+"/", 200)
			for _, sel := range []string{"#who", "#bring", "#chon-xa", "#lookup", "#chat", "#contact"} {
				if count(t, ctx, sel) != 1 {
					t.Errorf("start page lacks %s", sel)
				}
			}
			if n := count(t, ctx, "#communes a"); n < 100 {
				t.Errorf("start page lists %d communes", n)
			}
			if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > viewportWidth {
				t.Errorf("start page is %d px wide at %d", w, viewportWidth)
			}
			shot("1-start")
			a11y("start")

			typeInto(t, ctx, "#xa", "phuong 5")
			click(t, ctx, `form[role=search] button`, 200)
			if n := count(t, ctx, "#communes a"); n == 0 || n > 10 {
				t.Fatalf("search for 'phuong 5': %d communes", n)
			}
			shot("2-search")
			click(t, ctx, `#communes a[href="/c/`+communeCode+`"]`, 200)
			if loc := location(t, ctx); loc.Path != "/c/"+communeCode {
				t.Fatalf("the commune's link leads to %s", loc)
			}
			contactSays(t, ctx, "identity page", officerName, officerPhone, officerHours)
			if count(t, ctx, `#contact a[href="tel:`+officerPhone+`"]`) != 1 {
				t.Error("identity page: the phone is not a call link")
			}
			shot("3-identity-contact")
			a11y("identity-contact")

			for _, tt := range []struct{ name, path, restart string }{
				{"unknown-commune", "/c/99999", "/#chon-xa"},
				{"unknown-page", "/khong-co-trang-nay", "/"},
			} {
				navigate(t, ctx, srv.URL+tt.path, 404)
				if h1 := text(t, ctx, "h1"); !strings.HasPrefix(h1, "Lỗi: ") {
					t.Errorf("%s: title %q", tt.name, h1)
				}
				body := text(t, ctx, "main")
				for _, bad := range []string{"Mã lỗi", "404", "phiên"} {
					if strings.Contains(body, bad) {
						t.Errorf("%s says %q", tt.name, bad)
					}
				}
				if href := eval[string](t, ctx, `document.querySelector('#restart').getAttribute('href')`); href != tt.restart {
					t.Errorf("%s: restart leads to %q", tt.name, href)
				}
				contactSays(t, ctx, tt.name, ansinh.MsgContactFallback)
				shot("4-" + tt.name)
				a11y(tt.name)
			}
			// "Bắt đầu lại" leads to the start page's communes.
			click(t, ctx, "#restart", 200)
			if loc := location(t, ctx); loc.Path != "/" {
				t.Fatalf("restart leads to %s", loc)
			}
			navigate(t, ctx, srv.URL+"/r/khongcoma", 404)
			if count(t, ctx, "#contact") != 1 {
				t.Error("a dead personal code: no one to call")
			}
			shot("5-dead-code")
		})
	}
}

var wholeNumberRE = regexp.MustCompile(`\d{6,}`)

// say types a message into the chat and sends it.
func say(t *testing.T, ctx context.Context, msg string) {
	t.Helper()
	typeInto(t, ctx, "#text", msg)
	click(t, ctx, "#say button[type=submit]", 200)
}

// qrFile writes a PNG for an upload and returns its path.
func qrFile(t *testing.T, name, content string) string {
	t.Helper()
	var b []byte
	if content == "" {
		var buf bytes.Buffer
		img := image.NewGray(image.Rect(0, 0, 120, 120))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		_ = png.Encode(&buf, img)
		b = buf.Bytes()
	} else {
		var err error
		if b, err = qrcode.Encode(content, qrcode.Medium, 400); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestChatHistoryKeyboardAndPhoto: the web chat shows the conversation so far, with
// the person's numbers masked, a numeric keyboard where a number is asked, keeps the
// CCCD after a wrong date, names the officer, and reads the bank app's QR code from a
// photo; a photo without a code gets a message.
func TestChatHistoryKeyboardAndPhoto(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			chromiumPath(t)
			srv := startPublicServer(t, nil)
			ctx := startBrowser(t, mode.js)
			shot := func(step string) { screenshot(t, ctx, "chat-"+mode.name+"-"+step) }
			a11y := func(page string) {
				if mode.js {
					checkA11y(t, ctx, page)
				}
			}
			navigate(t, ctx, srv.URL+"/chat", 200)
			contactSays(t, ctx, "chat before the commune is known", ansinh.MsgContactFallback)
			click(t, ctx, `.bubble.latest button[value="Đăng ký tài khoản"]`, 200)
			if mode := eval[string](t, ctx, `document.querySelector('#text').inputMode`); mode != "numeric" {
				t.Errorf("the CCCD step's keyboard: %q", mode)
			}
			say(t, ctx, seedCCCD)
			say(t, ctx, "1/1/1960")
			if got := text(t, ctx, ".bubble.latest"); !strings.Contains(got, "vẫn được giữ") {
				t.Errorf("after a wrong date: %q", got)
			}
			say(t, ctx, "5/3/1950")
			hist := text(t, ctx, "#history")
			if !strings.Contains(hist, "••••••••1234") || wholeNumberRE.MatchString(hist) || count(t, ctx, "#history .bubble.me") != 4 {
				t.Errorf("history: %q", hist)
			}
			if mode := eval[string](t, ctx, `document.querySelector('#text').inputMode`); mode != "" {
				t.Errorf("a choice's keyboard: %q", mode)
			}
			contactSays(t, ctx, "chat once the commune is known", officerName, officerPhone)
			shot("1-history")
			a11y("chat")

			say(t, ctx, "gặp cán bộ")
			if got := text(t, ctx, ".bubble.latest"); !strings.Contains(got, officerName) || !strings.Contains(got, officerHours) {
				t.Errorf("gặp cán bộ: %q", got)
			}
			click(t, ctx, `.bubble.latest button[value="Chính người hưởng"]`, 200)

			do(t, ctx, "choose a photo without a code", chromedp.SetUploadFiles(chromedp.CSS("#photo-file"), []string{qrFile(t, "blank.png", "")}))
			click(t, ctx, "#photo button[type=submit]", 422)
			if got := text(t, ctx, "#photo-error"); got != ansinh.MsgVietQRUnreadable {
				t.Errorf("a photo without a code: %q", got)
			}
			shot("2-photo-error")
			a11y("chat-photo-error")
			do(t, ctx, "choose the bank app's QR", chromedp.SetUploadFiles("#photo-file",
				[]string{qrFile(t, "qr.png", vietqr.Encode("970405", "123456789012", vietqr.ServiceToAccount))}))
			click(t, ctx, "#photo button[type=submit]", 200)
			if got := text(t, ctx, ".bubble.latest"); !strings.Contains(got, "Agribank") || !strings.Contains(got, "••••••••9012") {
				t.Errorf("after the photo: %q", got)
			}
			shot("3-photo-read")
		})
	}
}

// TestOfficerKeepsTheContact: a commune officer at an office computer corrects the
// contact; a wrong phone is refused with the field marked; the saved one shows on the
// commune's public page at once.
func TestOfficerKeepsTheContact(t *testing.T) {
	chromiumPath(t)
	officer := staffUser{name: "xa31498", role: ansinh.RoleCommune, unit: communeCode}
	srv := startPublicServer(t, seedStaff(t, officer))
	ctx := startDesktop(t)
	logIn(t, ctx, srv.URL, officer.name, officer.password(), "/can-bo/")
	click(t, ctx, "#contact-settings", 200)
	if v := value(t, ctx, "#name"); v != officerName {
		t.Fatalf("the form holds %q", v)
	}
	screenshot(t, ctx, "contact-1-settings")
	checkA11y(t, ctx, "contact-settings")

	clearField(t, ctx, "#phone")
	typeInto(t, ctx, "#phone", "12345")
	click(t, ctx, "#contact-form button[type=submit]", 422)
	if got := text(t, ctx, "#phone-error"); got != ansinh.MsgContactPhone {
		t.Fatalf("phone error %q", got)
	}
	screenshot(t, ctx, "contact-2-error")
	checkA11y(t, ctx, "contact-settings-error")

	for _, sel := range []string{"#name", "#phone", "#hours"} {
		clearField(t, ctx, sel)
	}
	typeInto(t, ctx, "#name", "Trần Văn Tư")
	typeInto(t, ctx, "#phone", "0912 345 678")
	typeInto(t, ctx, "#hours", "7 giờ 30 – 16 giờ 30")
	click(t, ctx, "#contact-form button[type=submit]", 200)
	if got := text(t, ctx, "#saved"); got != ansinh.MsgContactSaved {
		t.Fatalf("after saving: %q", got)
	}
	screenshot(t, ctx, "contact-3-saved")

	navigate(t, ctx, srv.URL+"/c/"+communeCode, 200)
	contactSays(t, ctx, "the commune's form", "Trần Văn Tư", "0912345678", "7 giờ 30 – 16 giờ 30")
}

// clearField empties a text field (DevTools evaluation: works without page scripts).
func clearField(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	eval[bool](t, ctx, `(() => { document.querySelector(`+quoteJS(sel)+`).value = ''; return true })()`)
}

var khmerRE = regexp.MustCompile(`[\x{1780}-\x{17FF}]`)

// TestKhmerStartPageAndChat: the start page in Khmer, and a chat exchange in Khmer
// whose buttons still work, then back to Vietnamese with the conversation kept.
func TestKhmerStartPageAndChat(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			chromiumPath(t)
			srv := startPublicServer(t, nil)
			ctx := startBrowser(t, mode.js)
			shot := func(step string) { screenshot(t, ctx, "khmer-"+mode.name+"-"+step) }
			navigate(t, ctx, srv.URL+"/", 200)
			click(t, ctx, `#lang-switch a[href="?lang=km"]`, 200)
			if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "km" || !khmerRE.MatchString(text(t, ctx, "h1")) {
				t.Fatalf("Khmer start page: lang %q, h1 %q", lang, text(t, ctx, "h1"))
			}
			shot("1-start")
			if mode.js {
				checkA11y(t, ctx, "start-km")
			}
			click(t, ctx, "#chat", 200)
			if !khmerRE.MatchString(text(t, ctx, ".bubble.latest")) {
				t.Fatalf("Khmer greeting: %q", text(t, ctx, ".bubble.latest"))
			}
			click(t, ctx, `.bubble.latest button[value="Đăng ký tài khoản"]`, 200)
			say(t, ctx, seedCCCD)
			say(t, ctx, "5/3/1950")
			if got := text(t, ctx, ".bubble.latest"); !khmerRE.MatchString(got) || !strings.Contains(got, seedName) {
				t.Fatalf("Khmer after identifying: %q", got)
			}
			shot("2-chat")
			if mode.js {
				checkA11y(t, ctx, "chat-km")
			}
			n := count(t, ctx, "#history .bubble")
			click(t, ctx, `#lang-switch a[href="?lang=vi"]`, 200)
			if count(t, ctx, "#history .bubble") != n || khmerRE.MatchString(text(t, ctx, "h1")) {
				t.Fatal("switching back lost the conversation, or stayed in Khmer")
			}
			click(t, ctx, `.bubble.latest button[value="Chính người hưởng"]`, 200)
			if got := text(t, ctx, ".bubble.latest"); khmerRE.MatchString(got) {
				t.Fatalf("Vietnamese again: %q", got)
			}
			shot("3-back-to-vietnamese")
		})
	}
}
