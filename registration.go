package ansinh

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"ansinh/pii"
)

// Registration states. A registration is never edited: a decision or a newer
// submission is recorded beside it.
const (
	StatusPending    = "pending"
	StatusVerified   = "verified"
	StatusRejected   = "rejected"
	StatusSuperseded = "superseded"
)

// Submitters and channels.
const (
	SubmitterSelf  = "self"
	SubmitterProxy = "proxy"

	ChannelQR       = "qr"       // the web form, from a commune or personal QR code
	ChannelAPI      = "api"      // POST /api/v1/registrations by another client
	ChannelZalo     = "zalo"     // the Zalo Official Account
	ChannelAssisted = "assisted" // typed in by an officer during a home visit
	ChannelImport   = "import"   // a beneficiary list naming another account than the person's
)

// ConsentImport stands for the consent of a submission that came with a beneficiary
// list: the department's list is its legal basis, not the person's consent.
const ConsentImport = "import"

// ConsentVersion names the consent text shown before submitting; it is stored with
// each registration. Change it whenever the text (templates/views/form_consent.html) changes.
const ConsentVersion = "2026-01"

// Registration is one submission of a bank account for a beneficiary.
type Registration struct {
	Receipt       string
	BeneficiaryID string
	Commune       string
	Submitter     string
	Proxy         *Proxy
	BankBIN       string
	AccountNumber string // plain only while written or revealed
	AccountLast4  string
	AccountName   string // as the bank prints it
	Phone         string // plain only while written or revealed
	Channel       string
	RegisteredBy  string // the officer, for an assisted registration
	ProofSeen     string // what the officer saw (CCCD, bank card, authorisation)
	Consent       Consent
	// NotifyConsent: the person agreed to be told the decision and payment results (a
	// separate question, never pre-ticked).
	NotifyConsent bool
	// VNeIDLinked: the account is the one the person linked in VNeID for social payments.
	VNeIDLinked  bool
	SubmittedAt  time.Time
	Status       string
	Reason       string
	SupersededBy string
	DecidedBy    string // the officer who decided it, once decided
	// AccountIndex is the blind index of the account (BIN and number): the same account
	// anywhere, nothing readable.
	AccountIndex string
	// Fingerprint is a keyed hash of what the request said, set by the store when it
	// stores the submission: a repeat of its idempotency key with other content is a
	// conflict, not a replay. Empty on submissions older than fingerprints.
	Fingerprint string
	// ErasedAt is when its personal data was erased (a rejected or superseded
	// submission, after the retention period); zero while it is kept.
	ErasedAt time.Time
	// Submissions is how many times the person has submitted, this one included, as
	// linking it found; 0 where nobody counted.
	Submissions int
}

// Proxy is the authorised person who receives the allowance into their own account.
type Proxy struct {
	Name         string
	CCCD         string // plain only while written or revealed
	Phone        string
	Relationship string
}

// Consent records what the submitter agreed to.
type Consent struct {
	Version string
	At      time.Time
}

// receiptAlphabet leaves out 0/O, 1/I/L and U, so a receipt read over the phone is not
// mistaken.
const receiptAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// ReceiptLen characters of a 30-letter alphabet: about 49 bits, unguessable.
const ReceiptLen = 10

// NewReceipt returns a fresh random receipt code.
func NewReceipt() string {
	b := make([]byte, ReceiptLen)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return ReceiptFrom(b)
}

// ErrReceiptTaken means a new receipt collided with another person's (about once in
// 2^49 draws): draw again.
var ErrReceiptTaken = errors.New("receipt already used by another registration")

// ErrDuplicate means the store already holds a document with that identity (a
// receipt, a decision): the caller decides whether it is a repeat or a conflict.
var ErrDuplicate = errors.New("already stored")

// ErrIdempotencyReused means an idempotency key came back with other content than the
// request it was first sent with: a conflict, answered without storing anything.
var ErrIdempotencyReused = &Error{Code: ECONFLICT, Message: MsgIdempotencyReused}

// ReceiptFrom spells ReceiptLen bytes (random, or a keyed hash) as a receipt code.
func ReceiptFrom(b []byte) string {
	out := make([]byte, ReceiptLen)
	for i := range out {
		// 256 % 30 = 16: the first 16 letters are a little more likely (by 1/256); that
		// bias costs well under one bit of the code's strength.
		out[i] = receiptAlphabet[int(b[i])%len(receiptAlphabet)]
	}
	return string(out)
}

// NormalizeReceipt reads a receipt as typed ("ab2c-3d4e5f" or with spaces), and
// reports whether it can be one.
func NormalizeReceipt(s string) (string, bool) {
	s = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '.' {
			return -1
		}
		return r
	}, strings.TrimSpace(s)))
	if len(s) != ReceiptLen {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(receiptAlphabet, r) {
			return "", false
		}
	}
	return s, true
}

// FormatReceipt groups a receipt for reading: "AB2C3-D4E5F".
func FormatReceipt(s string) string {
	if len(s) != ReceiptLen {
		return s
	}
	return s[:5] + "-" + s[5:]
}

// BirthDateMatches compares the birth date a person types with the registry's, which
// may hold only the year.
// YearOnly reports whether a registry's birth date is only a year.
func YearOnly(registry string) bool { return len(registry) == 4 }

func BirthDateMatches(registry, typed string) bool {
	if len(registry) == 4 {
		return len(typed) >= 4 && typed[:4] == registry
	}
	return registry != "" && registry == typed
}

// StatusLabel is a status as the beneficiary reads it.
func StatusLabel(status string) string { return statusLabels[status] }

// QRToken is a personal QR code printed on one beneficiary's notice.
type QRToken struct {
	ID            string
	BeneficiaryID string
	ExpiresAt     time.Time
	Revoked       bool
}

// MaskedAccount shows the account number as "••••••••1234".
func (r *Registration) MaskedAccount() string { return pii.MaskLast4(r.AccountLast4) }

// AcceptedRegistration is a submission accepted and still to go through its lifecycle
// steps, with who submitted it (for its audit event).
type AcceptedRegistration struct {
	Registration *Registration
	Actor        string
	Role         Role
	AuditID      string // its audit event's
	// ClaimedBirthDate is the birth date the person gave, when the submission was stored
	// before their identity was proven: the sweep compares it with the record again.
	ClaimedBirthDate string
}

// Settler waits for the submissions accepted in this process to go through their
// lifecycle steps (registration.Service gives the store one): All for every one, Person
// for one person's.
type Settler struct {
	All    func(ctx context.Context) error
	Person func(ctx context.Context, beneficiaryID string) error
}
