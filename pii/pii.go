// Package pii protects personal numbers (CCCD, bank account numbers) at rest:
// AES-256-GCM encryption, a keyed HMAC-SHA256 blind index to find a record by its
// number without decrypting anything, and masking for display.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf8"
)

// Vault seals and indexes personal numbers with keys derived from one data key.
type Vault struct {
	aead     cipher.AEAD
	indexKey []byte
}

// New returns a vault from a 32-byte encryption key and a separate index key.
func New(encKey, indexKey []byte) (*Vault, error) {
	if len(encKey) != 32 {
		return nil, errors.New("pii: the encryption key must be 32 bytes")
	}
	if len(indexKey) < 32 {
		return nil, errors.New("pii: the index key must be at least 32 bytes")
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{aead: aead, indexKey: append([]byte(nil), indexKey...)}, nil
}

// Seal encrypts plain. context binds the ciphertext to its place (e.g. "cccd"), so a
// value copied into another field does not decrypt there.
func (v *Vault) Seal(plain, context string) string {
	nonce := make([]byte, v.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	out := v.aead.Seal(nonce, nonce, []byte(plain), []byte(context))
	return base64.RawStdEncoding.EncodeToString(out)
}

// ErrTampered means a sealed value does not decrypt with this key and context.
var ErrTampered = errors.New("pii: sealed value is damaged or was sealed with another key")

// Open decrypts a value made by Seal with the same context.
func (v *Vault) Open(sealed, context string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < v.aead.NonceSize() {
		return "", ErrTampered
	}
	n := v.aead.NonceSize()
	plain, err := v.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", ErrTampered
	}
	return string(plain), nil
}

// Index returns the blind index of value in a namespace ("cccd", "account"): the
// first 128 bits of HMAC-SHA256, hex. Equal values give equal indexes; without the
// key nothing can be learnt from it.
func (v *Vault) Index(namespace, value string) string {
	m := hmac.New(sha256.New, v.indexKey)
	m.Write([]byte(namespace))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Mask shows only the last four characters: "••••••••1234".
func Mask(s string) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n <= 4 {
		return strings.Repeat("•", n)
	}
	r := []rune(s)
	return strings.Repeat("•", 8) + string(r[n-4:])
}

// MaskLast4 renders a mask from the last four characters alone, for records that keep
// only those in clear.
func MaskLast4(last4 string) string {
	if last4 == "" {
		return ""
	}
	return strings.Repeat("•", 8) + last4
}
