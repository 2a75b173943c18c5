package ansinh

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"ansinh/fold"
	"ansinh/refdata"
)

// Rules for the data people type or the welfare system exports. Each returns the
// canonical value, or a Vietnamese message saying what is wrong.

// NormalizeName puts a name in NFC with single spaces, keeping its case as given;
// bytes that are not UTF-8 (a file saved in another encoding) and control characters
// are dropped.
//
// Invisible format characters go (Unicode Cf: the bidi overrides and isolates
// U+202A–U+202E and U+2066–U+2069, the directional marks, zero-width joiners, soft
// hyphens, BOMs): they change how a name is shown, not what it is, and a right-to-left
// override makes "Nguyễn Văn A" print as something else on the officer's screen.
func NormalizeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// ForeignLetters reports whether a name has letters outside the Latin script that
// Vietnamese is written in: Cyrillic "а" or Greek "ο" look like Latin ones, so a name
// that mixes them matches nobody's papers while it reads right on screen. The review
// checks flag it (CheckScript); it is not refused, the officer decides.
func ForeignLetters(name string) bool {
	for _, r := range name {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}

// NameKey is the accent- and case-free form names are searched by.
func NameKey(s string) string { return fold.Words(s) }

// HolderName is a name as banks print it: upper case, no accents.
func HolderName(s string) string { return strings.ToUpper(fold.Words(s)) }

// digitsOnly removes the separators people type inside numbers.
func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\u00a0', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

var cccdProvinces = sync.OnceValue(func() map[string]string {
	rows, err := csv.NewReader(bytes.NewReader(refdata.CCCDProvinces)).ReadAll()
	if err != nil {
		panic("refdata: cccd_province_codes.csv: " + err.Error())
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows[1:] {
		m[r[0]] = r[1]
	}
	return m
})

// NormalizeCCCD returns the 12-digit CCCD. An 11- or 10-digit number is a CCCD whose
// leading zeros a spreadsheet dropped (every province code starts with 0, those of
// Hà Nội to Bắc Kạn with 00).
func NormalizeCCCD(s string) (string, string) {
	d := digitsOnly(s)
	if d == "" {
		return "", MsgCCCDRequired
	}
	if !allDigits(d) {
		return "", MsgCCCDDigits
	}
	d = padCCCD(d)
	if len(d) != 12 {
		return "", MsgCCCDLength
	}
	if _, ok := cccdProvinces()[d[:3]]; !ok {
		return "", MsgCCCDProvince
	}
	return d, ""
}

// padCCCD gives back the leading zeros a spreadsheet dropped from a 10- or 11-digit
// CCCD.
func padCCCD(d string) string {
	if len(d) == 10 || len(d) == 11 {
		return strings.Repeat("0", 12-len(d)) + d
	}
	return d
}

// CCCDWarnings checks the CCCD's 4th digit (century and sex) and 5th–6th digits (year
// of birth) against the record. Disagreements are kept as warnings for the police
// liaison, not rejected: the registry may hold the wrong one of the two.
func CCCDWarnings(cccd, birthDate, sex string) []string {
	if len(cccd) != 12 || len(birthDate) < 4 {
		return nil
	}
	year, err := strconv.Atoi(birthDate[:4])
	if err != nil {
		return nil
	}
	var out []string
	code := int(cccd[3] - '0')
	century := 1900 + 100*(code/2)
	if got := century + int(cccd[4]-'0')*10 + int(cccd[5]-'0'); got != year {
		out = append(out, fmt.Sprintf(MsgCCCDYearMismatch, got, year))
	}
	if sex != "" {
		cccdSex := SexMale
		if code%2 == 1 {
			cccdSex = SexFemale
		}
		if cccdSex != sex {
			out = append(out, fmt.Sprintf(MsgCCCDSexMismatch, cccdSex, sex))
		}
	}
	return out
}

// excelEpoch is day 0 of Excel's 1900 date system (with its 1900 leap-year bug).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseBirthDate reads dd/mm/yyyy (also with - or .), yyyy-mm-dd, an Excel serial
// number, or a bare year, and returns "YYYY-MM-DD" or "YYYY".
func ParseBirthDate(s string, today time.Time) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", MsgDateRequired
	}
	var t time.Time
	switch {
	case len(s) == 4 && allDigits(s):
		y, _ := strconv.Atoi(s)
		if y < 1900 || y > today.Year() {
			return "", MsgDateImpossible
		}
		return s, ""
	case allDigits(strings.TrimSuffix(s, ".0")) && len(s) <= 7:
		n, _ := strconv.Atoi(strings.TrimSuffix(s, ".0"))
		t = excelEpoch.AddDate(0, 0, n)
	default:
		var ok bool
		if t, ok = parseDMY(s); !ok {
			return "", MsgDateFormat
		}
	}
	if t.Year() < 1900 || t.After(today) {
		return "", MsgDateImpossible
	}
	return t.Format("2006-01-02"), ""
}

func parseDMY(s string) (time.Time, bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || len(parts[2]) != 4 {
		return time.Time{}, false
	}
	d, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	y, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m { // 31/02 rolls over: impossible
		return time.Time{}, false
	}
	return t, true
}

// ParseSex reads Nam / Nữ in any spelling.
func ParseSex(s string) (string, string) {
	switch fold.Words(s) {
	case "nam", "male", "m", "trai":
		return SexMale, ""
	case "nu", "female", "f", "gai":
		return SexFemale, ""
	case "":
		return "", ""
	}
	return "", MsgSexUnknown
}

// ParseGroup reads NCC / BTXH / HTXH or the words for them.
func ParseGroup(s string) (Group, string) {
	switch fold.Words(s) {
	case "ncc", "nguoi co cong", "nguoi co cong voi cach mang", "co cong", "uu dai nguoi co cong":
		return GroupNCC, ""
	case "btxh", "bao tro xa hoi", "doi tuong bao tro xa hoi", "bao tro", "tro cap xa hoi", "tro giup xa hoi":
		return GroupBTXH, ""
	case "htxh", "huu tri xa hoi", "tro cap huu tri xa hoi", "tro cap huu tri", "huu tri":
		return GroupHTXH, ""
	case "":
		return "", MsgGroupRequired
	}
	return "", MsgGroupUnknown
}

// ParseAmount reads a monthly amount in đồng: "1.500.000", "1,500,000", "1500000" or
// a spreadsheet number "1500000.0".
func ParseAmount(s string) (int64, string) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.ToLower(s)), "đ"))
	s = strings.TrimSuffix(s, ".0")
	d := strings.Map(func(r rune) rune {
		if r == '.' || r == ',' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if d == "" {
		return 0, ""
	}
	n, err := strconv.ParseInt(d, 10, 64)
	if err != nil || !allDigits(d) {
		return 0, MsgAmountFormat
	}
	if n > 100_000_000 {
		return 0, MsgAmountTooLarge
	}
	return n, ""
}

// ParseYesNo reads có / không; ok is false for an empty cell.
func ParseYesNo(s string) (yes, ok bool, msg string) {
	switch fold.Words(s) {
	case "":
		return false, false, ""
	case "co", "x", "yes", "1", "true", "du", "du dieu kien":
		return true, true, ""
	case "khong", "ko", "k", "no", "0", "false", "khong du dieu kien":
		return false, true, ""
	}
	return false, false, MsgYesNo
}

// NormalizeAccountNumber removes the spaces, dots and dashes people type.
func NormalizeAccountNumber(s string) (string, string) {
	d := digitsOnly(s)
	switch {
	case d == "":
		return "", MsgAccountRequired
	case !allDigits(d):
		return "", MsgAccountDigits
	case len(d) < 6 || len(d) > 19:
		return "", MsgAccountLength
	}
	return d, ""
}

// DisplayDate shows a stored date ("YYYY-MM-DD", or a bare year) as people write it:
// "05/03/1950", or "1950".
func DisplayDate(s string) string {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("02/01/2006")
	}
	return s
}
