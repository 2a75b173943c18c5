package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"ansinh"
	"ansinh/i18n"
)

// The status look-up in Khmer, through the app: by receipt and by CCCD and birth
// date, the page's texts by id, the status, the rejection's listed reason (the
// officer's note as written, marked Vietnamese), the look-up's errors, tries left and
// lock in Khmer, and the language switch coming back to the look-up it left.

// vietnameseOnly is a letter only Vietnamese writes.
var vietnameseOnly = regexp.MustCompile(`(?i)[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]`)

// vietnameseLeaks lists the texts of a page's body a person reads that are
// Vietnamese outside an element marked lang="vi": its text nodes, and the words read
// without being text nodes (placeholders, labels for screen readers, titles, the
// values of buttons).
func vietnameseLeaks(doc *goquery.Document) []string {
	var out []string
	marked := func(s *goquery.Selection) bool {
		l := s.Closest("[lang]")
		return l.Length() > 0 && l.AttrOr("lang", "") == "vi"
	}
	var walk func(s *goquery.Selection)
	walk = func(s *goquery.Selection) {
		s.Contents().Each(func(_ int, n *goquery.Selection) {
			node := n.Get(0)
			switch node.Type {
			case html.TextNode:
				if t := strings.TrimSpace(node.Data); vietnameseOnly.MatchString(t) && !marked(s) {
					out = append(out, goquery.NodeName(s)+"#"+s.AttrOr("id", "")+": "+t)
				}
			case html.ElementNode:
				if node.Data != "script" && node.Data != "style" {
					walk(n)
				}
			}
		})
	}
	body := doc.Find("body")
	walk(body)
	body.Find("[placeholder], [aria-label], [title], [alt], input[type=submit], input[type=button]").Each(func(_ int, el *goquery.Selection) {
		if marked(el) {
			return
		}
		for _, a := range []string{"placeholder", "aria-label", "title", "alt", "value"} {
			if v, ok := el.Attr(a); ok && vietnameseOnly.MatchString(v) {
				out = append(out, goquery.NodeName(el)+"["+a+"]: "+v)
			}
		}
	})
	return out
}

// jar is a browser's cookies for the look-up: set, replaced and deleted as the app says.
type jar struct {
	e       *env
	cookies map[string]string
}

func (j *jar) send(method, path string, form url.Values) (*response, *goquery.Document) {
	j.e.t.Helper()
	var req *http.Request
	if method == "POST" {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for name, v := range j.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	r := j.e.send(req)
	for _, c := range r.Cookies() {
		if c.MaxAge < 0 {
			delete(j.cookies, c.Name)
		} else {
			j.cookies[c.Name] = c.Value
		}
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		j.e.t.Fatal(err)
	}
	return r, doc
}

// follow GETs path and the redirects it answers, as a browser does.
func (j *jar) follow(path string) (*response, *goquery.Document) {
	j.e.t.Helper()
	for i := 0; ; i++ {
		r, doc := j.send("GET", path, nil)
		if r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusFound || i == 5 {
			return r, doc
		}
		path = r.Header.Get("Location")
	}
}

// switchTo follows the page's language switch to lang, the link resolved against the
// page's path as a browser resolves it.
func (j *jar) switchTo(doc *goquery.Document, pagePath, lang string) (*response, *goquery.Document) {
	j.e.t.Helper()
	href, ok := doc.Find(`#lang-switch a[hreflang="` + lang + `"]`).Attr("href")
	if !ok {
		j.e.t.Fatalf("%s: no switch to %s", pagePath, lang)
	}
	base, _ := url.Parse(pagePath)
	ref, err := url.Parse(href)
	if err != nil {
		j.e.t.Fatal(err)
	}
	return j.follow(base.ResolveReference(ref).RequestURI())
}

// postLookup posts the CCCD question with the page's own CSRF token and follows the
// redirect to the result.
func (j *jar) postLookup(page *goquery.Document, cccd, d, m, y string) (*response, *goquery.Document) {
	j.e.t.Helper()
	token, ok := page.Find(`input[name="_csrf"]`).Attr("value")
	if !ok {
		j.e.t.Fatal("the question has no CSRF token")
	}
	r, doc := j.send("POST", "/tra-cuu", url.Values{"_csrf": {token}, "cccd": {cccd}, "ngay": {d}, "thang": {m}, "nam": {y}})
	if r.StatusCode == http.StatusSeeOther {
		return j.follow(r.Header.Get("Location"))
	}
	return r, doc
}

// khmer is the catalog's Khmer of a Vietnamese message; a test fails without one.
func khmer(t *testing.T, vi string) string {
	t.Helper()
	s := i18n.Chat(i18n.KM, vi)
	if s == vi {
		t.Fatalf("no Khmer for %q", vi)
	}
	return s
}

// khmerPage checks a page is the Khmer look-up: lang="km" on <html>, the title the
// Khmer of titleID (after the error prefix when failed), and no Vietnamese outside
// lang="vi".
func khmerPage(t *testing.T, step string, r *response, doc *goquery.Document, titleID string, failed bool) {
	t.Helper()
	if !strings.Contains(string(r.body), `<html lang="km">`) {
		t.Errorf("%s: not a Khmer page (%d)", step, r.StatusCode)
	}
	want := i18n.T(i18n.KM, titleID)
	if want == i18n.T(i18n.VI, titleID) {
		t.Fatalf("%s: %s has no Khmer", step, titleID)
	}
	if failed {
		want = khmer(t, ansinh.MsgErrorTitle) + want
	}
	if got := doc.Find("title").Text(); got != want && !strings.HasPrefix(got, want+" · ") {
		t.Errorf("%s: title %q, want %q", step, got, want)
	}
	if h1 := text(doc, "h1"); h1 != i18n.T(i18n.KM, "status.h1") {
		t.Errorf("%s: h1 %q", step, h1)
	}
	if leaks := vietnameseLeaks(doc); len(leaks) > 0 {
		t.Errorf("%s: Vietnamese on the Khmer page: %q", step, leaks)
	}
}

// rejectedInKhmer checks a result shows the rejection in Khmer: the status, the listed
// reason then the officer's note as written (marked Vietnamese), "Đăng ký lại".
func rejectedInKhmer(t *testing.T, step string, doc *goquery.Document, receipt, note string) {
	t.Helper()
	if got := text(doc, "#status"); got != khmer(t, ansinh.StatusLabel(ansinh.StatusRejected)) {
		t.Errorf("%s: status %q", step, got)
	}
	if !strings.Contains(text(doc, "#result"), ansinh.FormatReceipt(receipt)) {
		t.Errorf("%s: not the receipt %s", step, receipt)
	}
	reason := khmer(t, ansinh.RejectReasons["account_invalid"])
	if got := text(doc, "#reason"); got != reason+" "+note {
		t.Errorf("%s: reason %q, want %q then the note", step, got, reason)
	}
	if n := doc.Find(`#reason [lang="vi"]`); strings.TrimSpace(n.Text()) != note {
		t.Errorf("%s: the officer's note is not as written and marked Vietnamese: %q", step, n.Text())
	}
	if a := doc.Find(`a#register-again[href="/c/31498"]`); a.Length() != 1 || strings.TrimSpace(a.Text()) != i18n.T(i18n.KM, "status.registerAgain") {
		t.Errorf("%s: “Đăng ký lại” in Khmer: %q", step, a.Text())
	}
}

// TestStatusKhmerByReceipt: the look-up by receipt in Khmer shows a rejection with its
// reason and the officer's note, offers the switch, and the switch keeps the receipt
// both ways; an unknown receipt is answered in Khmer.
func TestStatusKhmerByReceipt(t *testing.T) {
	e, _ := lookupEnv(t)
	_, receipt := e.submit(validRegistration("key-status-km-01"))
	const note = "Số tài khoản thiếu một chữ số."
	if rr := e.do("POST", "/api/v1/registrations/"+receipt+"/reject", e.login("xa31498"),
		map[string]string{"reason": "account_invalid", "note": note}); rr.StatusCode != 200 {
		t.Fatalf("reject: %d", rr.StatusCode)
	}
	j := &jar{e: e, cookies: map[string]string{}}
	path := "/tra-cuu?ma=" + receipt
	r, doc := j.follow(path)
	if !strings.Contains(string(r.body), `<html lang="vi">`) || text(doc, "#reason") != ansinh.RejectReasons["account_invalid"]+" "+note {
		t.Fatalf("the Vietnamese page by receipt: %d %q", r.StatusCode, text(doc, "#reason"))
	}
	r, doc = j.switchTo(doc, path, i18n.KM)
	khmerPage(t, "by receipt", r, doc, "status.title", false)
	rejectedInKhmer(t, "by receipt", doc, receipt, note)
	if got := text(doc, "#returned"); got != "" {
		t.Errorf("a payment never returned is said returned: %q", got)
	}
	r, doc = j.switchTo(doc, path, i18n.VI)
	if !strings.Contains(string(r.body), `<html lang="vi">`) || text(doc, "#status") != ansinh.StatusLabel(ansinh.StatusRejected) {
		t.Fatalf("back in Vietnamese the receipt is lost: %d %q", r.StatusCode, text(doc, "#status"))
	}

	// "Other": the officer's note alone is the reason; in Khmer, "Lý do khác." then the
	// note as written.
	body := validRegistration("key-status-km-03")
	body["account_number"] = "9876543210"
	_, other := e.submit(body)
	const why = "Cần gặp trực tiếp tại xã."
	if rr := e.do("POST", "/api/v1/registrations/"+other+"/reject", e.login("xa31498"),
		map[string]string{"reason": "other", "note": why}); rr.StatusCode != 200 {
		t.Fatalf("reject: %d", rr.StatusCode)
	}
	r, doc = j.follow("/tra-cuu?ma=" + other + "&lang=km")
	khmerPage(t, "another reason", r, doc, "status.title", false)
	if got := text(doc, "#reason"); got != khmer(t, ansinh.RejectReasons["other"])+" "+why || text(doc, `#reason [lang="vi"]`) != why {
		t.Errorf("another reason: %q", got)
	}

	// The empty question forgets the receipt: its switch stays on the question.
	j.cookies["ansinh_lang"] = i18n.KM
	r, doc = j.follow("/tra-cuu")
	khmerPage(t, "the question by receipt", r, doc, "status.title", false)
	if r, doc = j.switchTo(doc, "/tra-cuu", i18n.VI); doc.Find("#result").Length() != 0 || doc.Find(`input[name="ma"]`).Length() != 1 {
		t.Fatalf("the switch on the empty question shows a result: %d", r.StatusCode)
	}

	j.cookies["ansinh_lang"] = i18n.KM
	r, doc = j.follow("/tra-cuu?ma=ABCDE-12345")
	khmerPage(t, "an unknown receipt", r, doc, "status.title", true)
	if r.StatusCode != 404 || text(doc, "#err-ma") != khmer(t, ansinh.MsgReceiptNotFound) {
		t.Errorf("an unknown receipt: %d %q", r.StatusCode, text(doc, "#err-ma"))
	}
}

// TestStatusKhmerByCCCD: the look-up by CCCD and birth date in Khmer, its result (a
// rejection) kept by the switch, the question coming back after the switch (what was
// typed is not kept), the expired result's notice, and an unknown CCCD answered as a
// wrong birth date, in Khmer, try after try, up to the lock.
func TestStatusKhmerByCCCD(t *testing.T) {
	e, _ := lookupEnv(t)
	_, receipt := e.submit(validRegistration("key-status-km-02"))
	const note = "Đã gọi điện, không liên lạc được."
	if rr := e.do("POST", "/api/v1/registrations/"+receipt+"/reject", e.login("xa31498"),
		map[string]string{"reason": "account_invalid", "note": note}); rr.StatusCode != 200 {
		t.Fatalf("reject: %d", rr.StatusCode)
	}
	j := &jar{e: e, cookies: map[string]string{}}
	r, doc := j.follow("/tra-cuu?cach=cccd")
	if !strings.Contains(string(r.body), `<html lang="vi">`) {
		t.Fatal("the question is not Vietnamese by default")
	}
	r, doc = j.switchTo(doc, "/tra-cuu?cach=cccd", i18n.KM)
	khmerPage(t, "the question", r, doc, "status.cccd.title", false)
	if doc.Find(`input[name="cccd"]`).Length() != 1 {
		t.Fatal("the switch on the question loses the question")
	}

	r, res := j.postLookup(doc, sauCCCD, "5", "3", "1950")
	khmerPage(t, "the result", r, res, "status.title", false)
	rejectedInKhmer(t, "the result", res, receipt, note)
	r, doc = j.switchTo(res, "/tra-cuu/ket-qua", i18n.VI)
	if !strings.Contains(string(r.body), `<html lang="vi">`) || text(doc, "#status") != ansinh.StatusLabel(ansinh.StatusRejected) {
		t.Fatalf("the switch on the result loses it: %d", r.StatusCode)
	}
	r, doc = j.switchTo(doc, "/tra-cuu/ket-qua", i18n.KM)
	rejectedInKhmer(t, "the result after the switch", doc, receipt, note)

	delete(j.cookies, "ansinh_lookup")
	r, doc = j.follow("/tra-cuu/ket-qua")
	khmerPage(t, "an expired result", r, doc, "status.cccd.title", false)
	if text(doc, "#notice") != khmer(t, ansinh.MsgLookupExpired) {
		t.Errorf("the expired notice: %q", text(doc, "#notice"))
	}

	// A wrong birth date and an unknown CCCD: the same page, in Khmer.
	const unknown = "094050009999"
	normal := func(r *response, cccd string) string {
		return csrfInputRE.ReplaceAllString(strings.ReplaceAll(string(r.body), cccd, "CCCD"), "")
	}
	question, _ := j.follow("/tra-cuu?cach=cccd")
	qdoc, _ := goquery.NewDocumentFromReader(bytes.NewReader(question.body))
	for try := 1; try <= 6; try++ {
		wrong, wdoc := j.postLookup(qdoc, sauCCCD, "6", "3", "1950")
		stranger, _ := j.postLookup(qdoc, unknown, "6", "3", "1950")
		step := fmt.Sprintf("try %d", try)
		if normal(wrong, sauCCCD) != normal(stranger, unknown) || wrong.StatusCode != stranger.StatusCode {
			t.Fatalf("%s: an unknown CCCD is answered otherwise than a wrong birth date (%d, %d)", step, wrong.StatusCode, stranger.StatusCode)
		}
		khmerPage(t, step, wrong, wdoc, "status.cccd.title", true)
		if wdoc.Find("#result").Length() != 0 {
			t.Fatalf("%s: a result shown", step)
		}
		if try > 5 {
			if wrong.StatusCode != 429 || !strings.Contains(string(wrong.body), khmer(t, ansinh.MsgIdentityLocked)) {
				t.Errorf("%s: the lock in Khmer: %d", step, wrong.StatusCode)
			}
			continue
		}
		if wrong.StatusCode != 422 || strings.Count(string(wrong.body), khmer(t, ansinh.MsgIdentityNotFound)) != 1 ||
			text(wdoc, "#err-cccd") != khmer(t, ansinh.MsgIdentityCheckCCCD) || text(wdoc, "#err-birth_date") != khmer(t, ansinh.MsgIdentityCheckDate) {
			t.Errorf("%s: the answer in Khmer: %d", step, wrong.StatusCode)
		}
		kmLeft := fmt.Sprintf(strings.Replace(khmer(t, ansinh.MsgTriesLeft), "%s", "%d", 1), 5-try)
		if shown := text(wdoc, "#tries-left") == kmLeft; shown != (try == 3 || try == 4) {
			t.Errorf("%s: the tries left %q, want %q shown %v", step, text(wdoc, "#tries-left"), kmLeft, try == 3 || try == 4)
		}
	}
}
