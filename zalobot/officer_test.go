package zalobot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ansinh"
)

// "Gặp cán bộ" on Zalo names the commune's officer, with the phone (a call button)
// and the office hours the officer keeps on the settings page.
func TestZaloOfficerIsTheCommuneContact(t *testing.T) {
	r := newRig(t)
	if err := r.st.SaveContact(context.Background(), &ansinh.Contact{Unit: "31498", Name: "Lê Thị Hoa", Phone: "02993822123",
		Hours: "7 giờ – 17 giờ, thứ Hai đến thứ Sáu", UpdatedBy: "xa31498", UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	r.say("gặp cán bộ") // the commune is not known yet: where to go
	texts := r.fake.texts()
	if last := texts[len(texts)-1]; !strings.Contains(last, "Ủy ban nhân dân xã, phường") {
		t.Fatalf("officer without a commune: %q", last)
	}
	r.say("đăng ký")
	r.say(sauCCCD)
	r.say("5/3/1950")
	r.say("gặp cán bộ")
	texts = r.fake.texts()
	found := false
	for _, s := range texts {
		if strings.Contains(s, "Lê Thị Hoa") && strings.Contains(s, "02993822123") && strings.Contains(s, "thứ Hai đến thứ Sáu") {
			found = true
		}
		for _, bad := range []string{"bạn", "Bạn", "mình", "Mình"} {
			if strings.Contains(s, bad) {
				t.Errorf("the bot says %q: %q", bad, s)
			}
		}
	}
	if !found {
		t.Fatalf("no reply names the officer: %q", texts)
	}
	raw, _ := json.Marshal(r.fake.sent)
	if !strings.Contains(string(raw), `"phone_code":"02993822123"`) && !strings.Contains(string(raw), "02993822123") {
		t.Fatal("no call button with the officer's phone")
	}
}
