// Package vietqr reads NAPAS VietQR codes: the EMVCo merchant-presented QR
// payload that Vietnamese bank apps show for "transfer to this account" (or
// card). It parses and checks the payload text (Parse), builds a static
// payload for an account (Encode), and finds the payload in a photo or
// screenshot of the code (DecodeImage).
//
// Every error returned by this package wraps one of the sentinel errors
// below, so callers can pick a user-facing message with errors.Is.
package vietqr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Parse returns one of the first three, DecodeImage one of
// the last three; the wrapped text gives the detail for logs.
var (
	// ErrNotVietQR: the text is not a VietQR transfer code at all (empty,
	// a URL or other text, an EMVCo code of another scheme without the NAPAS
	// account information 38/00 "A000000727", or a NAPAS code whose service
	// is neither transfer to account nor to card, e.g. a merchant payment).
	ErrNotVietQR = errors.New("vietqr: not a VietQR transfer code")
	// ErrMalformed: the text looks like a VietQR code but is broken: a
	// length running past the end or not made of digits, leftovers after a
	// data object, a missing or misplaced CRC (63), a missing mandatory
	// field, a BIN that is not 6 digits or an invalid account number.
	ErrMalformed = errors.New("vietqr: malformed VietQR code")
	// ErrChecksum: the structure is fine but the CRC (63) does not match
	// the content, e.g. a mistyped or badly scanned code.
	ErrChecksum = errors.New("vietqr: VietQR checksum mismatch")

	// ErrNoCode: the image decoded but no readable QR code was found in it.
	ErrNoCode = errors.New("vietqr: no QR code found in image")
	// ErrImageTooLarge: the upload exceeds MaxImageBytes, or its header
	// declares a width or height above MaxImageSide.
	ErrImageTooLarge = errors.New("vietqr: image too large")
	// ErrBadImage: the data is not a PNG, JPEG or GIF image that can be decoded.
	ErrBadImage = errors.New("vietqr: not a readable PNG, JPEG or GIF image")
)

// Service codes of the NAPAS 38/02 field.
const (
	ServiceToAccount = "QRIBFTTA" // transfer to a bank account
	ServiceToCard    = "QRIBFTTC" // transfer to a card number
)

// Payload is the content of a VietQR transfer code.
type Payload struct {
	BIN           string // acquirer ID (38/01/00): the bank's 6-digit NAPAS BIN
	AccountNumber string // merchant ID (38/01/01): account or card number
	Service       string // 38/02: ServiceToAccount or ServiceToCard
	Amount        string // optional (54), as written
	Purpose       string // optional (62/08)
	Name          string // optional (59): beneficiary name
}

const (
	napasGUID      = "A000000727"
	maxPayloadLen  = 512 // EMVCo: a payload is at most 512 characters
	maxAccountLen  = 19
	payloadPrefix  = "000201" // 00 payload format indicator "01", always first
	crcTag         = "6304"
	crcHexLen      = 4
	binLen         = 6
	tlvHeaderChars = 4 // 2-digit ID + 2-digit length
)

// tlv is one data object. Value keeps the original bytes of the payload.
type tlv struct {
	id    string
	value string
}

// parseTLV splits s into data objects. Lengths count characters (runes; an
// invalid UTF-8 byte would count as one, but Parse refuses invalid UTF-8
// first), and a value never runs past the end of s. IDs must be unique within one level.
func parseTLV(s string) ([]tlv, error) {
	var out []tlv
	seen := make(map[string]bool)
	for i := 0; i < len(s); {
		if len(s)-i < tlvHeaderChars {
			return nil, fmt.Errorf("%w: truncated data object at offset %d", ErrMalformed, i)
		}
		id, ln := s[i:i+2], s[i+2:i+4]
		if !isDigits(id) {
			return nil, fmt.Errorf("%w: non-numeric ID %q at offset %d", ErrMalformed, id, i)
		}
		if !isDigits(ln) {
			return nil, fmt.Errorf("%w: non-numeric length %q for ID %s", ErrMalformed, ln, id)
		}
		n, _ := strconv.Atoi(ln) // two ASCII digits: cannot fail
		i += tlvHeaderChars
		start := i
		for k := 0; k < n; k++ {
			if i >= len(s) {
				return nil, fmt.Errorf("%w: ID %s declares length %d past the end", ErrMalformed, id, n)
			}
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		if seen[id] {
			return nil, fmt.Errorf("%w: duplicate ID %s", ErrMalformed, id)
		}
		seen[id] = true
		out = append(out, tlv{id: id, value: s[start:i]})
	}
	return out, nil
}

func find(objs []tlv, id string) (string, bool) {
	for _, o := range objs {
		if o.id == id {
			return o.value, true
		}
	}
	return "", false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// crc16 is CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no
// final XOR.
func crc16(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for b := 0; b < 8; b++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// Parse reads a VietQR payload. Surrounding whitespace is trimmed. It checks
// the TLV structure (at every nesting level used), that 63 is the last data
// object and its CRC matches (hex compared case-insensitively), that 00 is
// "01", that 38/00 is the NAPAS GUID, that the BIN is 6 digits, that the
// account number is 1 to 19 ASCII letters or digits and that the service is
// ServiceToAccount or ServiceToCard. Errors wrap ErrNotVietQR, ErrMalformed
// or ErrChecksum.
func Parse(s string) (*Payload, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrNotVietQR)
	}
	if !strings.HasPrefix(s, payloadPrefix) {
		return nil, fmt.Errorf("%w: does not start with payload format indicator %q", ErrNotVietQR, payloadPrefix)
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrMalformed)
	}
	if utf8.RuneCountInString(s) > maxPayloadLen {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrMalformed, maxPayloadLen)
	}
	top, err := parseTLV(s)
	if err != nil {
		return nil, err
	}
	for k, o := range top {
		if o.id == "63" && k != len(top)-1 {
			return nil, fmt.Errorf("%w: CRC (63) is not the last data object", ErrMalformed)
		}
	}
	last := top[len(top)-1]
	if last.id != "63" {
		return nil, fmt.Errorf("%w: no CRC (63) at the end", ErrMalformed)
	}
	if len(last.value) != crcHexLen || !isHex(last.value) {
		return nil, fmt.Errorf("%w: CRC %q is not 4 hex digits", ErrMalformed, last.value)
	}
	// 63 is last with 4 ASCII characters, so s ends with "6304" + CRC.
	want := fmt.Sprintf("%04X", crc16(s[:len(s)-crcHexLen]))
	if !strings.EqualFold(want, last.value) {
		return nil, fmt.Errorf("%w: payload says %s, content gives %s", ErrChecksum, last.value, want)
	}

	mai, ok := find(top, "38")
	if !ok {
		return nil, fmt.Errorf("%w: no NAPAS merchant account information (38)", ErrNotVietQR)
	}
	maiObjs, err := parseTLV(mai)
	if err != nil {
		return nil, fmt.Errorf("in 38: %w", err)
	}
	guid, _ := find(maiObjs, "00")
	if !strings.EqualFold(guid, napasGUID) {
		return nil, fmt.Errorf("%w: 38/00 GUID %q is not %s", ErrNotVietQR, guid, napasGUID)
	}
	bo, ok := find(maiObjs, "01")
	if !ok {
		return nil, fmt.Errorf("%w: no beneficiary organization (38/01)", ErrMalformed)
	}
	boObjs, err := parseTLV(bo)
	if err != nil {
		return nil, fmt.Errorf("in 38/01: %w", err)
	}
	bin, _ := find(boObjs, "00")
	if len(bin) != binLen || !isDigits(bin) {
		return nil, fmt.Errorf("%w: BIN %q is not 6 digits", ErrMalformed, bin)
	}
	acct, _ := find(boObjs, "01")
	if len(acct) > maxAccountLen || !isAlnum(acct) {
		return nil, fmt.Errorf("%w: account number %q is not 1-%d letters or digits", ErrMalformed, acct, maxAccountLen)
	}
	svc, ok := find(maiObjs, "02")
	if !ok {
		return nil, fmt.Errorf("%w: no service code (38/02)", ErrMalformed)
	}
	if svc != ServiceToAccount && svc != ServiceToCard {
		return nil, fmt.Errorf("%w: service %q is not a transfer to account or card", ErrNotVietQR, svc)
	}

	p := &Payload{BIN: bin, AccountNumber: acct, Service: svc}
	p.Amount, _ = find(top, "54")
	p.Name, _ = find(top, "59")
	if add, ok := find(top, "62"); ok {
		addObjs, err := parseTLV(add)
		if err != nil {
			return nil, fmt.Errorf("in 62: %w", err)
		}
		p.Purpose, _ = find(addObjs, "08")
	}
	return p, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func obj(id, value string) string {
	return fmt.Sprintf("%s%02d%s", id, utf8.RuneCountInString(value), value)
}

// Encode builds a static VietQR payload (point of initiation "11", currency
// VND, country VN, no amount) for the given BIN, account or card number and
// service, with a correct CRC. It is deterministic. It does not validate its
// input: values that Parse would reject give a payload that Parse rejects.
func Encode(bin, account, service string) string {
	mai := obj("00", napasGUID) +
		obj("01", obj("00", bin)+obj("01", account)) +
		obj("02", service)
	s := obj("00", "01") +
		obj("01", "11") +
		obj("38", mai) +
		obj("53", "704") +
		obj("58", "VN") +
		crcTag
	return s + fmt.Sprintf("%04X", crc16(s))
}
