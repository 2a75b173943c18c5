package ansinh_test

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"testing"

	"ansinh"
)

// strongSecret is 40 characters, comfortably above ansinh.MinSecretLen.
const strongSecret = "0123456789abcdefghijklmnopqrstuvwxyzABCD"

func TestDeriveKey(t *testing.T) {
	tests := []struct {
		name            string
		secret, purpose string
	}{
		{name: "signing", secret: strongSecret, purpose: "sign"},
		{name: "encryption", secret: strongSecret, purpose: "encrypt"},
		{name: "blind index", secret: strongSecret + "x", purpose: "blind-index"},
		{name: "empty purpose", secret: strongSecret, purpose: ""},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := ansinh.DeriveKey(tc.secret, tc.purpose)
			if len(k) != 32 {
				t.Fatalf("len = %d, want 32", len(k))
			}
			if again := ansinh.DeriveKey(tc.secret, tc.purpose); !bytes.Equal(k, again) {
				t.Errorf("not deterministic: %x then %x", k, again)
			}
			// Pinned to an independent HKDF so stored data stays readable across releases.
			want, err := hkdf.Key(sha256.New, []byte(tc.secret), nil, "ansinh/"+tc.purpose, 32)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k, want) {
				t.Errorf("DeriveKey = %x, want HKDF-SHA256 %x", k, want)
			}
			if prev, dup := seen[string(k)]; dup {
				t.Errorf("same key as case %q", prev)
			}
			seen[string(k)] = tc.name
		})
	}
	t.Run("differs by purpose", func(t *testing.T) {
		if bytes.Equal(ansinh.DeriveKey(strongSecret, "a"), ansinh.DeriveKey(strongSecret, "b")) {
			t.Error("two purposes gave the same key")
		}
	})
	t.Run("differs by secret", func(t *testing.T) {
		if bytes.Equal(ansinh.DeriveKey(strongSecret, "a"), ansinh.DeriveKey(strongSecret+"!", "a")) {
			t.Error("two secrets gave the same key")
		}
	})
}

func TestProgramDepartmentsFollowTheUnitSet(t *testing.T) {
	sets, err := ansinh.BundledUnitSets("")
	if err != nil {
		t.Fatal(err)
	}
	old, _ := sets.Get(ansinh.SetSocTrang2024)
	p := ansinh.DefaultPrograms()
	for _, tc := range []struct {
		set  *ansinh.UnitSet
		g    ansinh.Group
		want string
	}{
		{sets.Current(), ansinh.GroupBTXH, "Sở Y tế thành phố Cần Thơ"},
		{sets.Current(), ansinh.GroupHTXH, "Sở Y tế thành phố Cần Thơ"},
		{sets.Current(), ansinh.GroupNCC, "Sở Nội vụ thành phố Cần Thơ"},
		{old, ansinh.GroupNCC, "Sở Nội vụ tỉnh Sóc Trăng"},
	} {
		if got := p[tc.g].DepartmentOf(tc.set); got != tc.want {
			t.Errorf("%s in %s: %q, want %q", tc.g, tc.set.ID, got, tc.want)
		}
	}
}

func TestParseGroupKnowsTheSocialPension(t *testing.T) {
	for in, want := range map[string]ansinh.Group{"HTXH": ansinh.GroupHTXH, "hưu trí xã hội": ansinh.GroupHTXH,
		"Trợ cấp hưu trí xã hội": ansinh.GroupHTXH, "trợ cấp hưu trí": ansinh.GroupHTXH, "NCC": ansinh.GroupNCC,
		"Bảo trợ xã hội": ansinh.GroupBTXH} {
		if got, msg := ansinh.ParseGroup(in); got != want || msg != "" {
			t.Errorf("ParseGroup(%q) = %q %q, want %q", in, got, msg, want)
		}
	}
}
