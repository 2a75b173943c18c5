package handlers_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/skip2/go-qrcode"

	"ansinh"
	"ansinh/handlers"
	"ansinh/registration"
	"ansinh/store/storetest"
	"ansinh/vietqr"
	"ansinh/zalobot"
)

// chatter is one person of the web chat: the app with the chat worker, and the
// browser's cookies.
type chatter struct {
	e       *env
	cookies map[string]*http.Cookie
	csrf    string
}

func newChatter(t *testing.T) *chatter {
	t.Helper()
	e := newEnv(t)
	e.withBeneficiaries()
	bot := zalobot.New(e.store, registration.New(e.store, e.cfg.SecretKey, e.clock.now), nil, storetest.Logger(), e.clock.now)
	app, err := handlers.New(handlers.Deps{Config: e.cfg, Store: e.store, Units: e.units, Logger: storetest.Logger(), Now: e.clock.now, Bot: bot})
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
	return &chatter{e: e, cookies: map[string]*http.Cookie{}}
}

func (c *chatter) send(req *http.Request) (*response, *goquery.Document) {
	c.e.t.Helper()
	for _, k := range c.cookies {
		req.AddCookie(k)
	}
	r := c.e.send(req)
	for _, k := range r.Cookies() {
		c.cookies[k.Name] = k
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		c.e.t.Fatal(err)
	}
	if v, ok := doc.Find(`#say input[name=_csrf]`).Attr("value"); ok {
		c.csrf = v
	}
	return r, doc
}

func (c *chatter) open() (*response, *goquery.Document) {
	return c.send(httptest.NewRequest("GET", "/chat", nil))
}

func (c *chatter) say(text string) (*response, *goquery.Document) {
	c.e.t.Helper()
	req := httptest.NewRequest("POST", "/chat", strings.NewReader(url.Values{"_csrf": {c.csrf}, "text": {text}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

func (c *chatter) photo(name string, content []byte) (*response, *goquery.Document) {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", c.csrf)
	fw, _ := mw.CreateFormFile("photo", name)
	fw.Write(content)
	mw.Close()
	req := httptest.NewRequest("POST", "/chat/anh", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

var longNumber = regexp.MustCompile(`\d{6,}`)

func TestWebChatHistoryKeyboardAndPhoto(t *testing.T) {
	c := newChatter(t)
	if err := c.e.store.SaveContact(context.Background(), &ansinh.Contact{Unit: "31498", Name: "Lê Thị Hoa", Phone: "02993822123",
		Hours: "7 giờ – 17 giờ", UpdatedBy: "xa31498", UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	r, doc := c.open()
	if r.StatusCode != 200 || doc.Find("#history .bubble.bot").Length() != 1 || doc.Find("#history .bubble.me").Length() != 0 {
		t.Fatalf("first page: %d, %d bubbles", r.StatusCode, doc.Find("#history .bubble").Length())
	}
	if !strings.Contains(text(doc, "#contact"), ansinh.MsgContactFallback) {
		t.Fatal("the chat before the commune is known: no neutral contact")
	}
	_, doc = c.say("đăng ký")
	if mode, _ := doc.Find("#text").Attr("inputmode"); mode != "numeric" {
		t.Fatalf("CCCD step: inputmode %q", mode)
	}
	c.say("094050001234")
	_, doc = c.say("1/1/1960") // wrong date: the CCCD is kept
	if !strings.Contains(text(doc, ".bubble.latest"), "vẫn được giữ") {
		t.Fatalf("after a wrong date: %q", text(doc, ".bubble.latest"))
	}
	_, doc = c.say("5/3/1950")
	if mode, _ := doc.Find("#text").Attr("inputmode"); mode != "" {
		t.Fatalf("the who step is a choice: inputmode %q", mode)
	}
	me := doc.Find("#history .bubble.me")
	if me.Length() != 4 {
		t.Fatalf("%d messages of the person shown", me.Length())
	}
	if got := strings.TrimSpace(me.Eq(1).Text()); !strings.Contains(got, "••••••••1234") {
		t.Fatalf("the CCCD as shown: %q", got)
	}
	if longNumber.MatchString(doc.Find("#history").Text()) {
		t.Fatalf("a whole number in the history: %q", doc.Find("#history").Text())
	}
	// Only the latest answer's buttons work.
	if n, latest := doc.Find("#history form.choices").Length(), doc.Find(".bubble.latest form.choices").Length(); n != 1 || latest != 1 {
		t.Fatalf("%d button forms, %d on the latest answer", n, latest)
	}
	// Opening the page again shows the same conversation, and the commune's officer.
	_, again := c.open()
	if again.Find("#history .bubble").Length() != doc.Find("#history .bubble").Length() {
		t.Fatal("reopening the chat lost its history")
	}
	if got := text(again, "#contact"); !strings.Contains(got, "Lê Thị Hoa") {
		t.Fatalf("chat footer once the commune is known: %q", got)
	}
	_, doc = c.say("gặp cán bộ")
	if !strings.Contains(doc.Find(".bubble.latest").Text(), "Lê Thị Hoa") || doc.Find(`.bubble.latest a[href="tel:02993822123"]`).Length() != 1 {
		t.Fatalf("gặp cán bộ: %q", doc.Find(".bubble.latest").Text())
	}
	c.say("chính người hưởng")

	// Photos: hostile files get a message and change nothing; the bank app's code fills
	// bank and account.
	before := doc.Find("#history .bubble").Length()
	for name, content := range map[string][]byte{
		"not an image": []byte("<?php echo 1; ?>"),
		"no code":      mustPNG(t, ""),
		"not VietQR":   mustPNG(t, "https://example.org"),
	} {
		r, doc := c.photo("x.png", content)
		if r.StatusCode != 422 || text(doc, "#photo-error") == "" {
			t.Fatalf("%s: %d %q", name, r.StatusCode, text(doc, "#photo-error"))
		}
		if n := doc.Find("#history .bubble").Length(); n <= before-1 || n > before+4 {
			t.Fatalf("%s: %d bubbles, had %d", name, n, before)
		}
	}
	big := make([]byte, 9<<20)
	if r, _ := c.photo("big.png", big); r.StatusCode != 413 && r.StatusCode != 422 {
		t.Fatalf("a 9 MB photo: %d", r.StatusCode)
	}
	r, doc = c.photo("qr.png", mustPNG(t, vietqr.Encode("970405", "123456789012", vietqr.ServiceToAccount)))
	if r.StatusCode != 200 || !strings.Contains(text(doc, ".bubble.latest"), "Agribank") || !strings.Contains(text(doc, ".bubble.latest"), "••••••••9012") {
		t.Fatalf("photo: %d %q", r.StatusCode, text(doc, ".bubble.latest"))
	}
	if !strings.Contains(doc.Find("#history .bubble.me").Last().Text(), ansinh.MsgChatPhotoSaid) {
		t.Fatal("the photo is not in the history")
	}
	// Cancelling forgets the history.
	_, doc = c.say("hủy")
	if n := doc.Find("#history .bubble.me").Length(); n != 1 {
		t.Fatalf("after cancelling, %d messages shown", n)
	}
}

func mustPNG(t *testing.T, content string) []byte {
	t.Helper()
	if content == "" { // a white square: an image without a code
		var b bytes.Buffer
		img := image.NewGray(image.Rect(0, 0, 200, 200))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	out, err := qrcode.Encode(content, qrcode.Medium, 400)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var khmerScript = regexp.MustCompile(`[\x{1780}-\x{17FF}]`)

func TestKhmerStartPageAndChat(t *testing.T) {
	c := newChatter(t)
	r, doc := c.send(httptest.NewRequest("GET", "/?lang=km", nil))
	if lang, _ := doc.Find("html").Attr("lang"); r.StatusCode != 200 || lang != "km" || !khmerScript.MatchString(text(doc, "h1")) {
		t.Fatalf("Khmer start page: %d lang=%q h1=%q", r.StatusCode, lang, text(doc, "h1"))
	}
	if c.cookies["ansinh_lang"] == nil || c.cookies["ansinh_lang"].Value != "km" {
		t.Fatal("the choice is not remembered")
	}
	if doc.Find(`#lang-switch a[href="?lang=vi"]`).Length() != 1 || !khmerScript.MatchString(text(doc, "#contact")) {
		t.Fatal("no way back to Vietnamese, or the contact is not in Khmer")
	}
	// The chat, in Khmer by the cookie: the greeting, the buttons' titles in Khmer, their
	// payloads in Vietnamese (what the engine reads).
	_, doc = c.open()
	if !khmerScript.MatchString(text(doc, ".bubble.latest")) {
		t.Fatalf("Khmer greeting: %q", text(doc, ".bubble.latest"))
	}
	btn := doc.Find(".bubble.latest form.choices button").First()
	if payload, _ := btn.Attr("value"); payload != "Đăng ký tài khoản" || !khmerScript.MatchString(btn.Text()) {
		t.Fatalf("button %q → %q", btn.Text(), payload)
	}
	c.say("Đăng ký tài khoản")
	_, doc = c.say("094050001234")
	if got := text(doc, ".bubble.latest"); !khmerScript.MatchString(got) || !strings.Contains(got, "••••••••1234") {
		t.Fatalf("Khmer CCCD noted: %q", got)
	}
	// Switching back keeps the conversation: the next answers are Vietnamese.
	_, doc = c.send(httptest.NewRequest("GET", "/chat?lang=vi", nil))
	before := doc.Find("#history .bubble").Length()
	if before < 4 {
		t.Fatalf("the switch lost the conversation: %d bubbles", before)
	}
	_, doc = c.say("5/3/1950")
	if got := text(doc, ".bubble.latest"); khmerScript.MatchString(got) || !strings.Contains(got, "Nguyễn Văn Sáu") {
		t.Fatalf("after switching back: %q", got)
	}
	// An error page in Khmer says "Lỗi" in Khmer, and still leads on.
	c.send(httptest.NewRequest("GET", "/?lang=km", nil))
	_, doc = c.send(httptest.NewRequest("GET", "/c/99999", nil))
	if !strings.HasPrefix(text(doc, "h1"), "កំហុស៖") || doc.Find("#restart").Length() != 1 {
		t.Fatalf("Khmer error page: %q", text(doc, "h1"))
	}
}
