package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"ansinh"
	"ansinh/i18n"
)

// The registration's pages in Khmer without a browser: the messages the validators
// write in Vietnamese go out in Khmer, the tries left with their number, each said
// once; the same pages in Vietnamese are unchanged (the other tests of this file).

// TestKhmerIdentityMessages: the identity page in Khmer says its errors, the answer
// of a failed identity and the tries left in Khmer, and none of them in Vietnamese.
func TestKhmerIdentityMessages(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	s := &formSession{e: e}
	page := s.do("GET", "/c/31498?lang=km", nil)
	if !strings.Contains(string(page.body), `<html lang="km">`) {
		t.Fatalf("the commune's page after ?lang=km is not in Khmer:\n%.300s", page.body)
	}
	csrf := match(t, csrfRE, page.body)
	post := func(cccd, d, m, y string) string {
		r := s.do("POST", "/c/31498", url.Values{"_csrf": {csrf}, "cccd": {cccd}, "ngay": {d}, "thang": {m}, "nam": {y}})
		if r.StatusCode != 422 {
			t.Fatalf("status %d", r.StatusCode)
		}
		return string(r.body)
	}
	km := func(vi string) string {
		t.Helper()
		s := i18n.Chat(i18n.KM, vi)
		if s == vi {
			t.Fatalf("no Khmer for %q", vi)
		}
		return s
	}
	body := post("385123456", "5", "3", "1950")
	if !strings.Contains(body, km(ansinh.MsgCMNDOld)) || strings.Contains(body, ansinh.MsgCMNDOld) {
		t.Error("the old CMND is not said in Khmer")
	}
	if title := match(t, titleRE, []byte(body)); !strings.HasPrefix(title, km(ansinh.MsgErrorTitle)+i18n.T(i18n.KM, "form.identity.title")) {
		t.Errorf("title %q", title)
	}
	for i := 1; i <= 3; i++ {
		body := post(sauCCCD, "6", "3", "1950")
		if n := strings.Count(body, km(ansinh.MsgIdentityNotFound)); n != 1 || strings.Contains(body, ansinh.MsgIdentityNotFound) {
			t.Errorf("try %d: the Khmer answer is said %d times (or the Vietnamese too)", i, n)
		}
		for _, short := range []string{ansinh.MsgIdentityCheckCCCD, ansinh.MsgIdentityCheckDate} {
			if !strings.Contains(body, km(short)) {
				t.Errorf("try %d: no Khmer %q next to its field", i, short)
			}
		}
		left := fmt.Sprintf(ansinh.MsgTriesLeft, 5-i)
		kmLeft := fmt.Sprintf(strings.Replace(km(ansinh.MsgTriesLeft), "%s", "%d", 1), 5-i)
		if shown := strings.Contains(body, kmLeft); shown != (5-i <= 2) || strings.Contains(body, left) {
			t.Errorf("try %d: “%s” shown %v (or the Vietnamese)", i, kmLeft, shown)
		}
	}
}
