package ansinh_test

import (
	"testing"
	"time"

	"ansinh"
)

func TestVietnameseFormats(t *testing.T) {
	for _, c := range []struct {
		name, got, want string
	}{
		{"zero", ansinh.FormatCount(0), "0"},
		{"hundreds", ansinh.FormatCount(999), "999"},
		{"thousands", ansinh.FormatCount(1457), "1.457"},
		{"millions int64", ansinh.FormatCount(int64(1234567)), "1.234.567"},
		{"negative", ansinh.FormatCount(-2810), "-2.810"},
		{"percent", ansinh.FormatPercent(0.5185, 2), "51,85\u00a0%"},
		{"percent whole", ansinh.FormatPercent(0.3, 0), "30\u00a0%"},
		{"percent full", ansinh.FormatPercent(1, 1), "100,0\u00a0%"},
		{"percent tiny negative rounds to zero", ansinh.FormatPercent(-0.00001, 1), "0,0\u00a0%"},
		{"percent change", ansinh.FormatPercent(-0.023, 1), "-2,3\u00a0%"},
		{"month string", ansinh.FormatMonth("2026-03"), "tháng 3/2026"},
		{"month time", ansinh.FormatMonth(time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)), "tháng 12/2026"},
		{"month not a month", ansinh.FormatMonth("x"), "x"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestFormatChange(t *testing.T) {
	for v, want := range map[float64]string{1.5: "+1,5", -0.34: "-0,3", 0: "0,0", 1234.5: "+1.234,5"} {
		if got := ansinh.FormatChange(v, 1); got != want {
			t.Errorf("FormatChange(%v) = %q, want %q", v, got, want)
		}
	}
}
