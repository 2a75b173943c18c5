package fold_test

import (
	"testing"

	"ansinh/fold"
)

func TestFold(t *testing.T) {
	nfd := "Nguye\u0302\u0303n Va\u0306n Sa\u0301u" // typed with combining marks
	tests := []struct {
		name, in, accents, words, key string
	}{
		{"precomposed", "Nguyễn Văn Sáu", "Nguyen Van Sau", "nguyen van sau", "nguyen_van_sau"},
		{"decomposed", nfd, "Nguyen Van Sau", "nguyen van sau", "nguyen_van_sau"},
		{"đ", "Đặng Thị Đào", "Dang Thi Dao", "dang thi dao", "dang_thi_dao"},
		{"spaces", "  HỌ   VÀ TÊN ", "  HO   VA TEN ", "ho va ten", "ho_va_ten"},
		{"punctuation", "Số CCCD/CMND", "So CCCD/CMND", "so cccd/cmnd", "so_cccd_cmnd"},
		{"BOM", "\ufeffho_ten", "\ufeffho_ten", "\ufeffho_ten", "ho_ten"},
		{"empty", "", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := fold.Accents(tc.in); got != tc.accents {
				t.Errorf("Accents = %q, want %q", got, tc.accents)
			}
			if got := fold.Words(tc.in); got != tc.words {
				t.Errorf("Words = %q, want %q", got, tc.words)
			}
			if got := fold.Key(tc.in); got != tc.key {
				t.Errorf("Key = %q, want %q", got, tc.key)
			}
		})
	}
}
