package ansinh_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"ansinh"
	"ansinh/refdata"
)

// FuzzParseImportRow feeds arbitrary cells to the import's row parser: it must never
// panic, and a row it accepts must hold a valid CCCD, a known commune and a birth date.
func FuzzParseImportRow(f *testing.F) {
	units, err := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		f.Fatal(err)
	}
	header, err := ansinh.MapImportHeader(strings.Split("ho_ten,cccd,ngay_sinh,gioi_tinh,ma_xa,nhom,muc_huong,ma_ngan_hang,so_tai_khoan,chu_tai_khoan,du_dieu_kien_mo_tk", ","))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("Nguyễn Văn Sáu\x1f94050001234\x1f05/03/1950\x1fNam\x1f31498\x1fNCC\x1f1.500.000\x1f\x1f\x1f\x1f")
	f.Add("Trần Thị Bảy\x1f094152000111\x1f20000\x1fnữ\x1f31501\x1fbảo trợ xã hội\x1f500000\x1fAgribank\x1f1234-5678\x1fTRAN THI BAY\x1fkhông")
	f.Add("=cmd|' /C calc'!A0\x1f12\x1f31/02/1960\x1f?\x1f99999\x1fX\x1f-1\x1f\x1f\x1f\x1f")
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, row string) {
		cells := strings.Split(row, "\x1f")
		r, errs := header.ParseImportRow(cells, 2, units, today)
		if r == nil && len(errs) == 0 {
			t.Fatal("neither a row nor errors")
		}
		if r != nil {
			b := r.Beneficiary
			if cccd, msg := ansinh.NormalizeCCCD(b.CCCD); msg != "" || cccd != b.CCCD {
				t.Fatalf("accepted CCCD %q", b.CCCD)
			}
			if u, ok := units.Get(b.Commune); !ok || !u.Leaf() {
				t.Fatalf("accepted commune %q", b.Commune)
			}
			if b.BirthDate == "" || !utf8.ValidString(b.Name) {
				t.Fatalf("accepted %+v", b)
			}
		}
	})
}

// FuzzNormalizeName checks the name rules on any text: normalising twice changes
// nothing, the search key has no accents or upper case, and the holder form is what
// banks print.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"Nguyễn Văn Sáu", "  Nguye\u0302\u0303n   Va\u0306n ", "ĐẶNG THỊ ĐÀO", "\ufeffx", "a\u0000b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := ansinh.NormalizeName(s)
		if ansinh.NormalizeName(n) != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, ansinh.NormalizeName(n))
		}
		if k := ansinh.NameKey(s); k != strings.ToLower(k) && utf8.ValidString(s) {
			t.Fatalf("key %q has upper case", k)
		}
		if h := ansinh.HolderName(s); strings.ContainsAny(h, "àáạảãâầấậẩẫăằắặẳẵđ") {
			t.Fatalf("holder %q keeps accents", h)
		}
	})
}
