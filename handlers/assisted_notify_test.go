package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"ansinh"
)

// TestAssistedFormAsksAboutNotices: the officer's form asks whether the person agrees
// to be told the result, never ticked beforehand; the answer is stored with the
// submission as the public form's is (and kept on a page sent back with an error);
// the API takes it too.
func TestAssistedFormAsksAboutNotices(t *testing.T) {
	e := newEnv(t)
	e.withBeneficiaries()
	e.addUser("xa31498", ansinh.RoleCommune, "31498")
	p := e.browser("xa31498")
	sau, bay := e.store.BeneficiaryID(sauCCCD), e.store.BeneficiaryID("094152000111")
	page := "/can-bo/doi-tuong/" + sau + "/dang-ky-ho"
	r, doc := p.get(page)
	box := doc.Find(`fieldset#notify input[type=checkbox][name=notify_consent][value="1"]`)
	if r.StatusCode != 200 || box.Length() != 1 || doc.Find("fieldset#notify legend").Length() != 1 {
		t.Fatalf("the question: %d, %d boxes", r.StatusCode, box.Length())
	}
	if _, checked := box.Attr("checked"); checked {
		t.Fatal("the notice question is ticked beforehand")
	}
	form := func(notify bool, key string) url.Values {
		v := url.Values{"submitter": {"self"}, "bank_bin": {"970405"}, "account_number": {"123456789012"},
			"account_name": {"Nguyễn Văn Sáu"}, "phone": {"0912345678"}, "proof_seen": {"CCCD"}, "idempotency_key": {key}}
		if notify {
			v.Set("notify_consent", "1")
		}
		return v
	}
	stored := func(r *response, prefix string) *ansinh.Registration {
		t.Helper()
		loc := r.Header.Get("Location")
		if r.StatusCode != 303 || !strings.HasPrefix(loc, prefix) {
			t.Fatalf("submit: %d %q %s", r.StatusCode, loc, r.body)
		}
		reg, err := e.store.Registration(context.Background(), strings.TrimPrefix(loc, prefix))
		if err != nil {
			t.Fatal(err)
		}
		return reg
	}

	bad := form(true, "key-assisted-n001")
	bad.Del("bank_bin")
	r, doc = p.post(page, bad)
	if _, checked := doc.Find("#notify_consent").Attr("checked"); r.StatusCode != 422 || !checked {
		t.Fatalf("a page sent back lost the answer: %d %v", r.StatusCode, checked)
	}
	r, _ = p.post(page, form(true, "key-assisted-n002"))
	if reg := stored(r, "/can-bo/duyet/"); !reg.NotifyConsent || reg.Channel != ansinh.ChannelAssisted {
		t.Fatalf("agreed, stored %v on channel %s", reg.NotifyConsent, reg.Channel)
	}
	r, _ = p.post("/can-bo/doi-tuong/"+bay+"/dang-ky-ho", form(false, "key-assisted-n003"))
	if reg := stored(r, "/can-bo/duyet/"); reg.NotifyConsent {
		t.Fatal("no answer stored as consent")
	}

	body := map[string]any{"submitter": "self", "bank_bin": "970405", "account_number": "223456789012", "account_name": "Nguyễn Văn Sáu",
		"phone": "0912345678", "proof_seen": "CCCD", "notify_consent": true, "idempotency_key": "key-assisted-n004"}
	res := e.do("POST", "/api/v1/beneficiaries/"+sau+"/registrations", e.login("xa31498"), body)
	var out struct{ Receipt string }
	if res.StatusCode != 201 {
		t.Fatalf("API: %d %s", res.StatusCode, res.body)
	}
	res.decode(&out)
	if reg, err := e.store.Registration(context.Background(), out.Receipt); err != nil || !reg.NotifyConsent {
		t.Fatalf("API consent not stored: %v", err)
	}
}
