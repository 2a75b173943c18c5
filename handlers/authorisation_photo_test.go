package handlers_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http/httptest"
	"strings"
	"testing"

	"ansinh"
)

// authorisationPNG is a small picture standing for a photographed authorisation.
func authorisationPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.SetGray(x, x%30, color.Gray{Y: 200})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// raw GETs a path as a staff user's browser, the body as it comes.
func (p *page) raw(path string) *response {
	p.e.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(p.cookie)
	return p.e.send(req)
}

// TestReviewerSeesTheAuthorisationPhoto: the review page of a proxy's submission links
// to the photo of the authorisation; the officers who decide the commune's submissions
// get the photo (as stored, never cached, not sniffed, each view audited); another
// commune's officer finds nothing (404), a role that does not decide is refused (403),
// and a submission without a photo has none to show.
func TestReviewerSeesTheAuthorisationPhoto(t *testing.T) {
	e := staffEnv(t)
	e.withBeneficiaries()
	_, sau := e.submit(validRegistration("key-photo-0001"))
	_, bay := e.submit(proxyRegistration("key-photo-0002"))
	photo := authorisationPNG(t)
	b, err := e.store.Registration(context.Background(), bay)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveAuthorisation(context.Background(), &ansinh.Authorisation{Receipt: bay, BeneficiaryID: b.BeneficiaryID,
		Commune: b.Commune, ContentType: "image/png", Image: photo, At: e.now()}); err != nil {
		t.Fatal(err)
	}
	photoPath := "/can-bo/duyet/" + bay + "/giay-uy-quyen"

	officer := e.browser("xa31498")
	_, doc := officer.get("/can-bo/duyet/" + bay)
	if href, _ := doc.Find("#authorisation-photo").Attr("href"); href != photoPath {
		t.Fatalf("the review page links the photo at %q, want %q", href, photoPath)
	}
	if _, doc := officer.get("/can-bo/duyet/" + sau); doc.Find("#authorisation-photo").Length() != 0 {
		t.Error("a submission without a proxy links a photo")
	}
	if n := len(e.benAudit(ansinh.ActionAuthorisationView)); n != 0 {
		t.Fatalf("opening the review page audited %d views of the photo", n)
	}

	for _, who := range []string{"xa31498", "huyen941"} {
		r := e.browser(who).raw(photoPath)
		if r.StatusCode != 200 || !bytes.Equal(r.body, photo) {
			t.Fatalf("%s: the photo: %d, %d bytes", who, r.StatusCode, len(r.body))
		}
		for h, want := range map[string]string{"Content-Type": "image/png", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s: %s: %q, want %q", who, h, got, want)
			}
		}
	}
	evs := e.benAudit(ansinh.ActionAuthorisationView)
	if len(evs) != 2 {
		t.Fatalf("%d views audited, want 2", len(evs))
	}
	actors := []string{evs[0].Actor, evs[1].Actor}
	for _, want := range []string{"xa31498", "huyen941"} {
		if !strings.Contains(strings.Join(actors, " "), want) {
			t.Errorf("the audit %v lacks %s", actors, want)
		}
	}
	if ev := evs[0]; ev.Target != "registration:"+bay || ev.Unit != "31498" || ev.Detail["receipt"] != bay {
		t.Errorf("audit event %+v", ev)
	}

	for _, tc := range []struct {
		name, user string
		status     int
	}{
		{"another commune's officer", "xa31569", 404},
		{"another district's officer", "huyen942", 404},
		{"the province, which does not decide", "so.ldtbxh", 403},
		{"the police liaison", "ca.tinh", 403},
		{"the administrator", "admin", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.browser(tc.user).raw(photoPath)
			if r.StatusCode != tc.status || bytes.Contains(r.body, photo[:16]) {
				t.Fatalf("%s: %d (%d bytes), want %d", tc.user, r.StatusCode, len(r.body), tc.status)
			}
		})
	}
	if _, doc := e.browser("so.ldtbxh").get("/can-bo/duyet/" + bay); doc.Find("#authorisation-photo").Length() != 0 {
		t.Error("the province's review page links a photo it may not open")
	}
	if r := officer.raw("/can-bo/duyet/" + sau + "/giay-uy-quyen"); r.StatusCode != 404 {
		t.Errorf("a submission without a photo: %d", r.StatusCode)
	}
	// Only the JPEG or PNG the form accepts goes out, whatever else a document says.
	if err := e.store.SaveAuthorisation(context.Background(), &ansinh.Authorisation{Receipt: sau, BeneficiaryID: b.BeneficiaryID,
		Commune: b.Commune, ContentType: "text/html", Image: []byte("<script>alert(1)</script>"), At: e.now()}); err != nil {
		t.Fatal(err)
	}
	if r := officer.raw("/can-bo/duyet/" + sau + "/giay-uy-quyen"); r.StatusCode != 404 || strings.Contains(string(r.body), "<script>alert") {
		t.Errorf("a photo stored as text/html: %d %q", r.StatusCode, r.body)
	}
	if n := len(e.benAudit(ansinh.ActionAuthorisationView)); n != 2 {
		t.Errorf("refused views were audited as views: %d events", n)
	}
	if got := ansinh.ActionLabel(ansinh.ActionAuthorisationView); got == ansinh.ActionAuthorisationView {
		t.Error("the audit page names the view by its code")
	}
}
