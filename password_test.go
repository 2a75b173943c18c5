package ansinh_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"ansinh"
)

// hash hashes a password, failing the test on error.
func hash(tb testing.TB, password string) string {
	tb.Helper()
	h, err := ansinh.HashPassword(password)
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	return h
}

// checkNoPanic calls CheckPassword and turns a panic into a test failure.
func checkNoPanic(tb testing.TB, encoded, password string) (ok bool, err error) {
	tb.Helper()
	defer func() {
		if r := recover(); r != nil {
			tb.Fatalf("CheckPassword(%q) panicked: %v", encoded, r)
		}
	}()
	return ansinh.CheckPassword(encoded, password)
}

func TestHashPasswordRoundTrip(t *testing.T) {
	tests := []struct {
		name, password, wrong string
	}{
		{name: "ascii", password: "correct horse battery", wrong: "correct horse batterY"},
		{name: "vietnamese diacritics", password: "Mật khẩu đẹp lắm 2024", wrong: "Mat khau dep lam 2024"},
		// The same letters with another tone mark must not match.
		{name: "vietnamese tone mark differs", password: "mậtkhẩuđẹp", wrong: "mậtkhẩuđẻp"},
		{name: "empty", password: "", wrong: " "},
		{name: "dollar signs do not break the encoding", password: "$argon2id$$$", wrong: "$argon2id$$"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := hash(t, tc.password)
			// PHC string with the documented argon2id parameters.
			if want := fmt.Sprintf("$argon2id$v=%d$m=19456,t=2,p=1$", argon2.Version); !strings.HasPrefix(h, want) {
				t.Errorf("hash %q does not start with %q", h, want)
			}
			if strings.Contains(h, tc.password) && tc.password != "" {
				t.Errorf("hash %q contains the password", h)
			}
			ok, err := checkNoPanic(t, h, tc.password)
			if err != nil || !ok {
				t.Errorf("CheckPassword(right) = %v, %v; want true, nil", ok, err)
			}
			ok, err = checkNoPanic(t, h, tc.wrong)
			if err != nil || ok {
				t.Errorf("CheckPassword(wrong %q) = %v, %v; want false, nil", tc.wrong, ok, err)
			}
		})
	}
}

func TestHashPasswordSalted(t *testing.T) {
	a, b := hash(t, "mậtkhẩuđẹp"), hash(t, "mậtkhẩuđẹp")
	if a == b {
		t.Fatalf("two hashes of the same password are equal: %q", a)
	}
	saltOf := func(h string) string { return strings.Split(h, "$")[4] }
	if saltOf(a) == saltOf(b) {
		t.Errorf("two hashes share the salt %q", saltOf(a))
	}
	for _, h := range []string{a, b} {
		if ok, err := checkNoPanic(t, h, "mậtkhẩuđẹp"); err != nil || !ok {
			t.Errorf("CheckPassword(%q) = %v, %v; want true, nil", h, ok, err)
		}
	}
}

// Parameters are read from the string, so hashes made with other settings keep working.
func TestCheckPasswordReadsParameters(t *testing.T) {
	tests := []struct {
		name           string
		mem, time      uint32
		threads        uint8
		saltLen, keyLn int
	}{
		{name: "cheaper old settings", mem: 8 * 1024, time: 1, threads: 2, saltLen: 8, keyLn: 16},
		{name: "costlier settings", mem: 32 * 1024, time: 3, threads: 4, saltLen: 16, keyLn: 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			salt := []byte(strings.Repeat("s", tc.saltLen))
			key := argon2.IDKey([]byte("mậtkhẩuđẹp"), salt, tc.time, tc.mem, tc.threads, uint32(tc.keyLn))
			enc := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, tc.mem, tc.time, tc.threads,
				base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
			if ok, err := checkNoPanic(t, enc, "mậtkhẩuđẹp"); err != nil || !ok {
				t.Errorf("CheckPassword(right) = %v, %v; want true, nil", ok, err)
			}
			if ok, err := checkNoPanic(t, enc, "matkhaudep"); err != nil || ok {
				t.Errorf("CheckPassword(wrong) = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	phc := func(params, s, k string) string { return "$argon2id$v=19$" + params + "$" + s + "$" + k }
	tests := []struct {
		name    string
		encoded string
	}{
		{name: "empty", encoded: ""},
		{name: "plain text", encoded: "mậtkhẩuđẹp"},
		{name: "bcrypt hash", encoded: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{name: "argon2i variant", encoded: "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{name: "too few parts", encoded: "$argon2id$v=19$m=19456,t=2,p=1$" + salt},
		{name: "too many parts", encoded: phc("m=19456,t=2,p=1", salt, key) + "$extra"},
		{name: "old version", encoded: "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{name: "version not a number", encoded: "$argon2id$v=x$m=19456,t=2,p=1$" + salt + "$" + key},
		{name: "parameters missing", encoded: phc("", salt, key)},
		{name: "parameters not numbers", encoded: phc("m=a,t=b,p=c", salt, key)},
		{name: "parameters in another order", encoded: phc("t=2,m=19456,p=1", salt, key)},
		{name: "negative memory", encoded: phc("m=-1,t=2,p=1", salt, key)},
		{name: "threads overflow uint8", encoded: phc("m=19456,t=2,p=256", salt, key)},
		{name: "salt not base64", encoded: phc("m=19456,t=2,p=1", "!!!!", key)},
		{name: "salt padded base64", encoded: phc("m=19456,t=2,p=1", "c2FsdA==", key)},
		{name: "key not base64", encoded: phc("m=19456,t=2,p=1", salt, "***")},
		{name: "zero time", encoded: phc("m=19456,t=0,p=1", salt, key)},
		{name: "zero threads", encoded: phc("m=19456,t=2,p=0", salt, key)},
		{name: "empty key", encoded: phc("m=19456,t=2,p=1", salt, "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := checkNoPanic(t, tc.encoded, "mậtkhẩuđẹp")
			if err == nil || ok {
				t.Errorf("CheckPassword(%q) = %v, %v; want false and an error", tc.encoded, ok, err)
			}
		})
	}
}

func TestRandomToken(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{name: "zero bytes", n: 0},
		{name: "one byte", n: 1},
		{name: "16 bytes", n: 16},
		{name: "32 bytes", n: 32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := base64.RawURLEncoding.EncodedLen(tc.n)
			tok := ansinh.RandomToken(tc.n)
			if len(tok) != want {
				t.Errorf("len(RandomToken(%d)) = %d, want %d", tc.n, len(tok), want)
			}
			if b, err := base64.RawURLEncoding.DecodeString(tok); err != nil || len(b) != tc.n {
				t.Errorf("RandomToken(%d) = %q decodes to %d bytes, err %v", tc.n, tok, len(b), err)
			}
		})
	}

	t.Run("distinct and URL-safe", func(t *testing.T) {
		seen := map[string]bool{}
		for range 200 {
			tok := ansinh.RandomToken(32)
			if len(tok) != 43 {
				t.Fatalf("len(RandomToken(32)) = %d, want 43", len(tok))
			}
			if i := strings.IndexFunc(tok, func(c rune) bool {
				return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')
			}); i >= 0 {
				t.Fatalf("RandomToken(32) = %q has %q, not URL-safe", tok, tok[i])
			}
			if seen[tok] {
				t.Fatalf("RandomToken(32) repeated %q", tok)
			}
			seen[tok] = true
		}
	})
}
