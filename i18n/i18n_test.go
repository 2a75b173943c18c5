package i18n

import (
	"strings"
	"testing"
)

func TestCatalogs(t *testing.T) {
	for id := range km {
		if _, ok := vi[id]; !ok {
			t.Errorf("km has %q, vi does not", id)
		}
		if strings.Count(km[id], "%") != strings.Count(vi[id], "%") {
			t.Errorf("%q: the Khmer has other arguments than the Vietnamese", id)
		}
	}
	// The registration and the status look-up are in Khmer end to end: none of their
	// texts falls back.
	for id := range vi {
		if (strings.HasPrefix(id, "form.") || strings.HasPrefix(id, "status.")) && km[id] == "" {
			t.Errorf("the form's %q has no Khmer", id)
		}
	}
	if got := T(KM, "start.h1"); got == vi["start.h1"] || got == "" {
		t.Fatalf("Khmer start title %q", got)
	}
	if got := T("fr", "start.h1"); got != vi["start.h1"] {
		t.Fatalf("an unknown language falls back to Vietnamese: %q", got)
	}
	if got := T(KM, "no.such.id"); got != "no.such.id" {
		t.Fatalf("a missing id: %q", got)
	}
}

func TestChatLinesAndFormats(t *testing.T) {
	RegisterChat(map[string]string{
		"Xin chào.":                  "សួស្តី។",
		"Đã ghi số CCCD %s.":         "បានកត់លេខ CCCD %s។",
		"Ngân hàng: %s\nGõ tiếp %s.": "ធនាគារ៖ %s\nវាយបន្ត %s។",
	})
	for _, tt := range []struct{ in, want string }{
		{"Xin chào.", "សួស្តី។"},
		{"Đã ghi số CCCD ••••••••1234.", "បានកត់លេខ CCCD ••••••••1234។"},
		{"Xin chào.\nĐã ghi số CCCD 12.", "សួស្តី។\nបានកត់លេខ CCCD 12។"},
		{"Ngân hàng: Agribank", "ធនាគារ៖ Agribank"},
		{"Không có bản dịch.", "Không có bản dịch."},
	} {
		if got := Chat(KM, tt.in); got != tt.want {
			t.Errorf("Chat(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Chat(VI, "Xin chào."); got != "Xin chào." {
		t.Fatalf("Vietnamese is left as it is: %q", got)
	}
}
