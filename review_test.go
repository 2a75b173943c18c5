package ansinh_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"ansinh"
)

func TestNameScore(t *testing.T) {
	tests := []struct {
		holder, name string
		score        float64
		onlyHolder   string
	}{
		{"NGUYEN VAN SAU", "Nguyễn Văn Sáu", 1, ""},
		{"SAU NGUYEN VAN", "Nguyễn Văn Sáu", 1, ""},
		{"NGUYEN VAN SAU", "Nguyễn Văn Bảy", 2.0 / 3, "sau"},
		{"TRAN THI", "Trần Thị Bảy", 2.0 / 3, ""},
		{"PHAM VAN MUOI", "Nguyễn Thị Lan", 0, "muoi pham van"},
	}
	for _, tc := range tests {
		s, only, _ := ansinh.NameScore(tc.holder, tc.name)
		if s != tc.score || strings.Join(only, " ") != tc.onlyHolder {
			t.Errorf("NameScore(%q, %q) = %v %v, want %v %q", tc.holder, tc.name, s, only, tc.score, tc.onlyHolder)
		}
	}
}

func TestRunChecks(t *testing.T) {
	clean := func() (*ansinh.Registration, *ansinh.Beneficiary) {
		return &ansinh.Registration{AccountName: "NGUYEN VAN SAU", BankBIN: "970405"},
			&ansinh.Beneficiary{Name: "Nguyễn Văn Sáu", Identity: ansinh.IdentityCheck{State: ansinh.IdentityMatched}}
	}
	tests := []struct {
		name  string
		edit  func(*ansinh.Registration, *ansinh.Beneficiary, *ansinh.ReviewFacts)
		codes string
	}{
		{"clean", func(*ansinh.Registration, *ansinh.Beneficiary, *ansinh.ReviewFacts) {}, ""},
		{"holder", func(r *ansinh.Registration, _ *ansinh.Beneficiary, _ *ansinh.ReviewFacts) {
			r.AccountName = "LE VAN TAM"
		}, "holder_name"},
		{"proxy holder is fine, the authorisation is to be seen", func(r *ansinh.Registration, _ *ansinh.Beneficiary, _ *ansinh.ReviewFacts) {
			r.AccountName, r.Proxy = "NGUYEN VAN CON", &ansinh.Proxy{Name: "Nguyễn Văn Con"}
		}, "proxy_authorisation"},
		{"proxy with the authorisation seen", func(r *ansinh.Registration, _ *ansinh.Beneficiary, _ *ansinh.ReviewFacts) {
			r.AccountName, r.Proxy, r.ProofSeen = "NGUYEN VAN CON", &ansinh.Proxy{Name: "Nguyễn Văn Con"}, "Giấy ủy quyền có xác nhận của UBND xã"
		}, ""},
		{"shared", func(_ *ansinh.Registration, _ *ansinh.Beneficiary, f *ansinh.ReviewFacts) {
			f.SharedWith = []ansinh.SharedUse{{Name: "x", CCCDLast4: "1234", Verified: true}}
		}, "account_shared"},
		{"several", func(_ *ansinh.Registration, _ *ansinh.Beneficiary, f *ansinh.ReviewFacts) { f.Submissions = 2 }, "several_submissions"},
		{"identity mismatch", func(_ *ansinh.Registration, b *ansinh.Beneficiary, _ *ansinh.ReviewFacts) {
			b.Identity.State = ansinh.IdentityMismatch
		}, "identity"},
		{"identity unchecked", func(_ *ansinh.Registration, b *ansinh.Beneficiary, _ *ansinh.ReviewFacts) { b.Identity.State = "" }, "identity"},
		{"cccd structure", func(_ *ansinh.Registration, b *ansinh.Beneficiary, _ *ansinh.ReviewFacts) { b.Warnings = []string{"w"} }, "cccd_structure"},
		{"bank", func(r *ansinh.Registration, _ *ansinh.Beneficiary, _ *ansinh.ReviewFacts) { r.BankBIN = "999999" }, "bank"},
		{"cyrillic look-alike in the record", func(_ *ansinh.Registration, b *ansinh.Beneficiary, _ *ansinh.ReviewFacts) {
			b.Name = "Nguyễn Văn \u0405áu" // Cyrillic Ѕ
		}, "holder_name,mixed_script"},
		{"greek look-alike in the proxy", func(r *ansinh.Registration, _ *ansinh.Beneficiary, _ *ansinh.ReviewFacts) {
			r.AccountName, r.Proxy = "NGUYEN VAN CON", &ansinh.Proxy{Name: "Nguyễn Văn C\u03bfn"} // Greek ο
		}, "holder_name,proxy_authorisation,mixed_script"},
		{"cyrillic in the holder", func(r *ansinh.Registration, _ *ansinh.Beneficiary, _ *ansinh.ReviewFacts) {
			r.AccountName = "NGUYEN V\u0410N SAU" // Cyrillic А
		}, "holder_name,mixed_script"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, b := clean()
			f := ansinh.ReviewFacts{Submissions: 1}
			tc.edit(r, b, &f)
			var got []string
			for _, c := range ansinh.RunChecks(r, b, f) {
				got = append(got, c.Code)
			}
			if strings.Join(got, ",") != tc.codes {
				t.Fatalf("checks %v, want %q", got, tc.codes)
			}
		})
	}
}

// TestNormalizeNameDropsBidiControls: the overrides, isolates and marks that make a
// name display as another are gone; the letters stay.
func TestNormalizeNameDropsBidiControls(t *testing.T) {
	for _, in := range []string{"Nguyễn \u202euáS nă\u202cV", "\u2067Nguyễn Văn Sáu\u2069", "Nguyễn\u200f Văn\u200e Sáu\u061c", "Ngu\u00adyễn Văn\u200d Sáu"} {
		out := ansinh.NormalizeName(in)
		for _, r := range out {
			if unicode.Is(unicode.Cf, r) {
				t.Errorf("NormalizeName(%q) = %q keeps %U", in, out, r)
			}
		}
	}
	if got := ansinh.NormalizeName("\u2067Nguyễn Văn Sáu\u2069"); got != "Nguyễn Văn Sáu" {
		t.Errorf("isolated name: %q", got)
	}
	if ansinh.ForeignLetters("Nguyễn Văn Sáu") || ansinh.ForeignLetters("ĐẶNG THỊ ĐÀO") || !ansinh.ForeignLetters("Nguyễn V\u0430n") {
		t.Error("ForeignLetters")
	}
}

func TestNewRejection(t *testing.T) {
	if _, err := ansinh.NewRejection("R", "", "", "x", time.Time{}); ansinh.ErrorCode(err) != ansinh.EINVALID {
		t.Fatal("no reason accepted")
	}
	if _, err := ansinh.NewRejection("R", "other", " ", "x", time.Time{}); ansinh.ErrorCode(err) != ansinh.EINVALID {
		t.Fatal("other without note accepted")
	}
	d, err := ansinh.NewRejection("R", "other", "Hãy mang sổ hộ khẩu.", "x", time.Time{})
	if err != nil || d.ReasonText() != "Hãy mang sổ hộ khẩu." {
		t.Fatalf("%v %q", err, d.ReasonText())
	}
}
