package pii_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"ansinh/pii"
)

func vault(t *testing.T, seed byte) *pii.Vault {
	t.Helper()
	v, err := pii.New(bytes.Repeat([]byte{seed}, 32), bytes.Repeat([]byte{seed + 1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSealOpen(t *testing.T) {
	v := vault(t, 1)
	a, b := v.Seal("094190001234", "cccd"), v.Seal("094190001234", "cccd")
	if a == b {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	if strings.Contains(a, "094190001234") {
		t.Fatal("sealed value holds the plain text")
	}
	got, err := v.Open(a, "cccd")
	if err != nil || got != "094190001234" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tests := []struct {
		name, sealed, context string
		v                     *pii.Vault
	}{
		{"other context", a, "account", v},
		{"other key", a, "cccd", vault(t, 7)},
		{"garbage", "not base64!", "cccd", v},
		{"too short", "AAAA", "cccd", v},
		{"flipped byte", a[:len(a)-2] + "AA", "cccd", v},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.v.Open(tc.sealed, tc.context); !errors.Is(err, pii.ErrTampered) {
				t.Fatalf("err = %v, want ErrTampered", err)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	v := vault(t, 1)
	if v.Index("cccd", "094190001234") != v.Index("cccd", "094190001234") {
		t.Fatal("index not deterministic")
	}
	if v.Index("cccd", "094190001234") == v.Index("account", "094190001234") {
		t.Fatal("namespaces share indexes")
	}
	if v.Index("cccd", "094190001234") == vault(t, 9).Index("cccd", "094190001234") {
		t.Fatal("index does not depend on the key")
	}
	if got := v.Index("cccd", "1"); len(got) != 32 {
		t.Fatalf("index length %d", len(got))
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"094190001234", "••••••••1234"},
		{"123", "•••"},
		{"", ""},
		{" 0123456789 ", "••••••••6789"},
	} {
		if got := pii.Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if pii.MaskLast4("1234") != "••••••••1234" || pii.MaskLast4("") != "" {
		t.Fatal("MaskLast4")
	}
}

func TestNewRejectsShortKeys(t *testing.T) {
	if _, err := pii.New(make([]byte, 16), make([]byte, 32)); err == nil {
		t.Fatal("16-byte key accepted")
	}
	if _, err := pii.New(make([]byte, 32), make([]byte, 8)); err == nil {
		t.Fatal("8-byte index key accepted")
	}
}
