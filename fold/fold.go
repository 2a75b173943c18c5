// Package fold compares Vietnamese text the way people type it: with or without
// accents, in any case, with stray spaces and punctuation.
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Accents removes Vietnamese diacritics (đ and Đ become d and D) and keeps the case.
func Accents(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Words lower-cases, removes accents and collapses whitespace: "  Nguyễn  Văn Sáu" →
// "nguyen van sau".
func Words(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(Accents(s))), " ")
}

// Key keeps only letters and digits, lower-case and without accents, each run of
// anything else becoming one "_": "Số CCCD/CMND" → "so_cccd_cmnd".
func Key(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(Accents(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
		} else {
			gap = true
		}
	}
	return b.String()
}
