package g2p

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/blake2b"
)

// The detached signature of the spec (MsgSignature): "Signature of {header}+{message}
// body verified using sender's signing public key", written as
//
//	Signature: namespace="g2p", kidId="{sender_id}|{key_id}|ed25519", algorithm="ed25519",
//	  created="1606970629", expires="1607030629", headers="(created) (expires) digest",
//	  signature="Base64(signing content)"
//
// The spec names the parameters but not the signing content; this implementation
// takes the one of the HTTP-signature profile the parameters come from:
//
//	(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={base64(BLAKE2b-512(header + message))}
//
// where header + message are the bytes of the envelope's "header" value followed by
// those of its "message" value, exactly as sent (no re-serialisation; both must be
// JSON objects, so the point where one ends and the other starts is fixed), and the
// signature is Ed25519 (crypto/ed25519) over that content. The same scheme signs
// ansinh's answers with ansinh's key.

// SignatureHeaders is the only headers parameter accepted and written.
const SignatureHeaders = "(created) (expires) digest"

// Signature errors.
var (
	ErrNoSignature  = errors.New("g2p: no signature")
	ErrBadSignature = errors.New("g2p: signature does not verify")
)

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Sign returns the signature of header and message by signer (whose sender id is
// sender), valid from now for ttl.
func Sign(key ed25519.PrivateKey, sender string, header, message []byte, now time.Time, ttl time.Duration) string {
	created, expires := now.Unix(), now.Add(ttl).Unix()
	sig := ed25519.Sign(key, signingContent(created, expires, header, message))
	kid := sender + "|" + KeyID(key.Public().(ed25519.PublicKey)) + "|ed25519"
	return fmt.Sprintf(`Signature: namespace="g2p", kidId=%q, algorithm="ed25519", created="%d", expires="%d", headers=%q, signature=%q`,
		kid, created, expires, SignatureHeaders, base64.StdEncoding.EncodeToString(sig))
}

// Verify checks sig over header and message with the sender's key at now: the key id
// must name that sender and key, the signature be current and verify.
func Verify(sig string, pub ed25519.PublicKey, sender string, header, message []byte, now time.Time) error {
	if strings.TrimSpace(sig) == "" {
		return ErrNoSignature
	}
	p, err := parseSignature(sig)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	kid := strings.Split(p["kidId"], "|")
	switch {
	case len(kid) != 3 || !strings.EqualFold(kid[0], sender) || kid[1] != KeyID(pub) || kid[2] != "ed25519":
		return fmt.Errorf("%w: kidId must be %s|%s|ed25519", ErrBadSignature, sender, KeyID(pub))
	case p["algorithm"] != "" && p["algorithm"] != "ed25519":
		return fmt.Errorf("%w: algorithm must be ed25519", ErrBadSignature)
	case p["headers"] != SignatureHeaders:
		return fmt.Errorf("%w: headers must be %q", ErrBadSignature, SignatureHeaders)
	}
	created, err1 := strconv.ParseInt(p["created"], 10, 64)
	expires, err2 := strconv.ParseInt(p["expires"], 10, 64)
	if err1 != nil || err2 != nil || expires < created {
		return fmt.Errorf("%w: created and expires must be Unix times", ErrBadSignature)
	}
	if now.Add(MaxClockSkew).Unix() < created || now.Unix() > expires {
		return fmt.Errorf("%w: the signature is not current", ErrBadSignature)
	}
	raw, err := base64.StdEncoding.DecodeString(p["signature"])
	if err != nil || len(raw) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature must be base64 of 64 bytes", ErrBadSignature)
	}
	if !ed25519.Verify(pub, signingContent(created, expires, header, message), raw) {
		return ErrBadSignature
	}
	return nil
}

func signingContent(created, expires int64, header, message []byte) []byte {
	h, _ := blake2b.New512(nil)
	h.Write(header)
	h.Write(message)
	return fmt.Appendf(nil, "(created): %d\n(expires): %d\ndigest: BLAKE-512=%s",
		created, expires, base64.StdEncoding.EncodeToString(h.Sum(nil)))
}

// parseSignature reads `Signature: k="v", k="v"` (the prefix is optional).
func parseSignature(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "Signature:"); ok {
		s = rest
	}
	if len(s) > 4096 {
		return nil, errors.New("too long")
	}
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), ",")) {
		k, rest, ok := strings.Cut(s, "=")
		if !ok {
			return nil, errors.New("a parameter without a value")
		}
		k = strings.TrimSpace(k)
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, `"`) {
			return nil, fmt.Errorf("%s: the value must be quoted", k)
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("%s: unterminated value", k)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s given twice", k)
		}
		out[k] = rest[1 : 1+end]
		s = rest[2+end:]
	}
	return out, nil
}

// ParsePublicKey reads an Ed25519 public key given as base64 (standard or URL
// alphabet, padded or not) of its 32 bytes.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
			return ed25519.PublicKey(b), nil
		}
	}
	return nil, errors.New("g2p: a public key is the base64 of 32 Ed25519 bytes")
}
