package pii_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"ansinh/pii"
)

func TestRedact(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a CCCD", "cccd 094050001234 given", "cccd ••••••••1234 given"},
		{"a phone", "0912345678", "••••••••5678"},
		{"short numbers stay", "row 12345678 at port 27017", "row 12345678 at port 27017"},
		{"two numbers", "a=123456789012,b=0987654321", "a=••••••••9012,b=••••••••4321"},
		{"nothing", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := pii.Redact(tc.in); got != tc.want {
				t.Fatalf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactHandlerHidesNumbersEverywhere(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var h slog.Handler = slog.NewTextHandler(&buf, nil)
			if format == "json" {
				h = slog.NewJSONHandler(&buf, nil)
			}
			log := slog.New(pii.RedactHandler(h)).With("user", "094050001234").WithGroup("g")
			log.Info("identify 094050001235 failed", "err", errors.New("store: no 094050001236"), "phone", "0912345678",
				"n", int64(123456789012), "raw", []byte("0771100998877"), slog.Group("inner", "account", "0771100998878"))
			out := buf.String()
			for _, n := range []string{"094050001234", "094050001235", "094050001236", "0912345678", "123456789012", "0771100998877", "0771100998878"} {
				if strings.Contains(out, n) {
					t.Errorf("the log shows %s: %s", n, out)
				}
			}
			if !strings.Contains(out, "1236") || !strings.Contains(out, "identify") {
				t.Errorf("the log lost what it said: %s", out)
			}
		})
	}
}
