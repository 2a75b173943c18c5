package ansinh

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Numbers, shares and months as Vietnamese readers write them: a dot between
// thousands (1.457), a decimal comma (51,85 %), "tháng 11/2026".

// FormatCount writes a whole number with a dot between thousands. It takes any
// integer type (templates pass int and int64 alike).
func FormatCount(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case int32:
		n = int64(x)
	case uint64:
		n = int64(x)
	default:
		return fmt.Sprint(v)
	}
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatPercent writes a ratio (0.5185) as a percentage with the given decimals and a
// decimal comma, a no-break space before the sign: "51,85 %".
func FormatPercent(ratio float64, decimals int) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		ratio = 0
	}
	s := strconv.FormatFloat(ratio*100, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := FormatCount(n)
	if neg && (n != 0 || strings.Trim(frac, "0") != "") {
		out = "-" + out
	}
	if frac != "" {
		out += "," + frac
	}
	return out + "\u00a0%"
}

// FormatMonth writes a month ("2026-11" or a time) as "tháng 11/2026".
func FormatMonth(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x.In(Vietnam)
	case string:
		p, err := time.Parse("2006-01", x)
		if err != nil {
			return x
		}
		t = p
	default:
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("tháng %d/%d", int(t.Month()), t.Year())
}

// FormatChange writes a change with its sign and a decimal comma: "+1,5", "-0,3", "0,0".
func FormatChange(v float64, decimals int) string {
	s := strings.TrimSuffix(FormatPercent(v/100, decimals), "\u00a0%")
	if !strings.HasPrefix(s, "-") && strings.Trim(s, "0,") != "" {
		s = "+" + s
	}
	return s
}
