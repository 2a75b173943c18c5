// Package registration is how a beneficiary (or their proxy) registers an account, whatever
// the channel (web form, API, Zalo, an officer's visit): proving who they are, the
// personal QR codes, and storing the submission once.
package registration

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"ansinh"
)

// Store is what registering needs from the data layer.
type Store interface {
	BeneficiaryID(cccd string) string
	Beneficiary(ctx context.Context, id string) (*ansinh.Beneficiary, error)
	Registration(ctx context.Context, receipt string) (*ansinh.Registration, error)
	CreateQRToken(ctx context.Context, id, beneficiaryID, by string, now, expires time.Time) error
	LookupQRToken(ctx context.Context, id string) (*ansinh.QRToken, error)
	RevokeQRToken(ctx context.Context, id, by string, at time.Time) error
	ClaimAttempt(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (slot string, wait time.Duration, err error)
	AttemptsUsed(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (bool, error)
	AttemptsTaken(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (int, error)
	Audit(ctx context.Context, e *ansinh.AuditEvent) error
	Lifecycle
	Accepting
}

// Service registers accounts.
type Service struct {
	store      Store
	qrKey      []byte
	receiptKey []byte
	proofKey   []byte
	now        func() time.Time
	// TokenTTL is how long a personal QR code works (180 days by default).
	TokenTTL time.Duration
	// SecondOfficer: a registration an officer typed in must be decided by another
	// (ANSINH_ASSISTED_SECOND_OFFICER).
	SecondOfficer bool
	// Notifier tells the person the decision; nil: nobody is told.
	Notifier ansinh.Notifier
	// Log notes a notice that could not be sent (no personal data).
	Log *slog.Logger
	// failAfter, set by tests only, fails a decision after the named step.
	failAfter func(step string) error
}

// New returns the service; secret is ANSINH_SECRET_KEY.
func New(st Store, secret string, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if c, ok := st.(interface{ SetSettler(ansinh.Settler) }); ok {
		w := &Service{store: st}
		c.SetSettler(ansinh.Settler{All: w.Settle, Person: func(ctx context.Context, id string) error {
			_, err := w.SettlePerson(ctx, id, "")
			return err
		}})
	}
	return &Service{store: st, qrKey: ansinh.DeriveKey(secret, "qr-token"), proofKey: ansinh.DeriveKey(secret, "form-proof"),
		receiptKey: ansinh.DeriveKey(secret, "receipt"),
		now:        now, TokenTTL: 180 * 24 * time.Hour}
}

// Identity guessing. A CCCD names its holder's birth year, so the birth date is the only
// secret of the CCCD path: five attempts for one person in a day (a fixed window, UTC;
// an attempt that proves the person gives its slot back) close that path until the day
// ends, so trying every date of a year takes more than a month (37 days at the least,
// at two windows' worth across each boundary), not two days.
// The lock is the CCCD path's alone: a stranger who sets it off does not shut the
// person's personal QR code (counted on its own key) or the commune's counter.
const (
	identityWindow   = 24 * time.Hour
	identityFailures = 5
)

func identityError() error {
	return &ansinh.Error{Code: ansinh.EINVALID, Message: ansinh.MsgIdentityNotFound,
		Fields: map[string]string{"cccd": ansinh.MsgIdentityNotFound, "birth_date": ansinh.MsgIdentityNotFound}}
}

// IdentifyByCCCD finds the beneficiary with this CCCD and birth date. An unknown CCCD
// and a wrong birth date get the same answer, so nobody can learn who is a
// beneficiary. A record that holds only a birth year never matches here: the year is
// printed inside the CCCD, so the CCCD alone would do. Such people register with their
// personal QR code or at the commune, which the answer says.
func (s *Service) IdentifyByCCCD(ctx context.Context, cccd, birthDate string) (*ansinh.Beneficiary, error) {
	id := s.store.BeneficiaryID(cccd)
	return s.identify(ctx, id, birthDate, "identity:"+id, false)
}

// TriesLeft is how many birth dates the CCCD path still takes today for cccd, so that
// the form can warn before it closes; the full count when the store cannot tell.
func (s *Service) TriesLeft(ctx context.Context, cccd string) int {
	taken, err := s.store.AttemptsTaken(ctx, "identity:"+s.store.BeneficiaryID(cccd), s.now(), identityWindow, identityFailures)
	if err != nil {
		return identityFailures
	}
	return max(0, identityFailures-taken)
}

// IdentifyByToken finds the beneficiary of a personal QR code, who must still give
// the birth date (the year, where the registry holds no more).
func (s *Service) IdentifyByToken(ctx context.Context, token, birthDate string) (*ansinh.Beneficiary, error) {
	id, err := s.TokenBeneficiary(ctx, token)
	if err != nil {
		return nil, err
	}
	tokenID, _ := s.tokenID(token)
	return s.identify(ctx, id, birthDate, "identity-token:"+tokenID, true)
}

// IdentifyByReceipt finds the beneficiary of a submission from its receipt and the
// birth date (the status page's requests about one's data): an unknown receipt and a
// wrong birth date get the same answer, and wrong answers close this path as above
// (counted on the receipt: the receipt is the secret, as a personal code is).
func (s *Service) IdentifyByReceipt(ctx context.Context, receipt, birthDate string) (*ansinh.Beneficiary, *ansinh.Registration, error) {
	code, ok := ansinh.NormalizeReceipt(receipt)
	if !ok {
		return nil, nil, identityError()
	}
	r, err := s.store.Registration(ctx, code)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return nil, nil, identityError()
	}
	if err != nil {
		return nil, nil, err
	}
	b, err := s.identify(ctx, r.BeneficiaryID, birthDate, "identity-receipt:"+code, true)
	return b, r, err
}

func (s *Service) identify(ctx context.Context, id, birthDate, key string, yearOnlyMatches bool) (*ansinh.Beneficiary, error) {
	// Only a wrong answer is counted, and the guesses of one key are compared one at a
	// time in this process: each looks whether the day's attempts are used up, compares,
	// and counts a wrong answer before the next one looks, so parallel guesses cannot all
	// be compared. A right answer writes nothing (a registration's two writes fewer).
	// Instances each compare one guess of a key at a time: with n of them, at most n−1
	// more than the limit are ever compared. An unknown CCCD counts alike (no way to probe).
	defer identityLocks.Lock(key)()
	now := s.now()
	// The two look-ups at once: the record is compared only once the attempts are known.
	var b *ansinh.Beneficiary
	var berr error
	found := make(chan struct{})
	go func() {
		defer close(found)
		b, berr = s.store.Beneficiary(ctx, id)
	}()
	full, err := s.store.AttemptsUsed(ctx, key, now, identityWindow, identityFailures)
	<-found
	if err != nil {
		return nil, err
	}
	if full {
		return nil, ansinh.Errorf(ansinh.ERATELIMIT, ansinh.MsgIdentityLocked)
	}
	if berr != nil && ansinh.ErrorCode(berr) != ansinh.ENOTFOUND {
		return nil, berr
	}
	// A record with a birth year only matches nothing here (unless the caller says a
	// year may do); the answer counts as a wrong one all the same, or the attempts left
	// would tell who is on the list with a year only.
	if matches(b, birthDate, yearOnlyMatches) {
		return b, nil
	}
	slot, _, err := s.store.ClaimAttempt(ctx, key, now, identityWindow, identityFailures)
	if err != nil {
		return nil, err
	}
	if slot == "" { // another instance used the last attempt meanwhile
		return nil, ansinh.Errorf(ansinh.ERATELIMIT, ansinh.MsgIdentityLocked)
	}
	return nil, identityError()
}

// matches reports whether birthDate proves the identity of record b (nil: none). A
// record with a birth year only matches nothing unless a year may do.
func matches(b *ansinh.Beneficiary, birthDate string, yearOnlyMatches bool) bool {
	return b != nil && (yearOnlyMatches || !ansinh.YearOnly(b.BirthDate)) && ansinh.BirthDateMatches(b.BirthDate, birthDate)
}

// identityLocks serialises, in this process, the identity checks of one key.
var identityLocks ansinh.KeyLocks

// Submit validates a request, proves the identity and stores the registration. A
// repeat with the same idempotency key returns the first receipt (replay true).
func (s *Service) Submit(ctx context.Context, req *ansinh.RegistrationRequest, channel string) (string, bool, error) {
	req.Normalize()
	if err := ansinh.Validate(req); err != nil {
		return "", false, err
	}
	if req.QRToken != "" {
		b, err := s.IdentifyByToken(ctx, req.QRToken, req.BirthDate)
		if err != nil {
			return "", false, err
		}
		return s.create(ctx, b, req, channel)
	}
	return s.submitProving(ctx, req, channel)
}

// SubmitFor stores a registration for an already identified beneficiary (the form
// identifies first, on its own page).
func (s *Service) SubmitFor(ctx context.Context, b *ansinh.Beneficiary, req *ansinh.RegistrationRequest, channel string) (string, bool, error) {
	req.Normalize()
	if err := ansinh.ValidateExcept(req, "CCCD", "QRToken", "BirthDate"); err != nil {
		return "", false, err
	}
	return s.create(ctx, b, req, channel)
}

// SubmitAssisted stores a registration an officer typed in during a home visit, with
// what proof they saw.
func (s *Service) SubmitAssisted(ctx context.Context, b *ansinh.Beneficiary, req *ansinh.RegistrationRequest, officer *ansinh.User, proofSeen string) (string, bool, error) {
	req.Normalize()
	req.Consent = true // the officer read the consent text out and the person agreed on paper
	if err := ansinh.ValidateExcept(req, "CCCD", "QRToken", "BirthDate"); err != nil {
		return "", false, err
	}
	proofSeen = ansinh.NormalizeName(proofSeen)
	if proofSeen == "" || len([]rune(proofSeen)) > 200 {
		return "", false, ansinh.FieldError("proof_seen", ansinh.MsgProofSeen)
	}
	return s.create(ctx, b, req, ansinh.ChannelAssisted, func(r *ansinh.Registration) {
		r.RegisteredBy, r.ProofSeen = officer.Username, proofSeen
	})
}

// create builds the submission and accepts it.
func (s *Service) create(ctx context.Context, b *ansinh.Beneficiary, req *ansinh.RegistrationRequest, channel string, with ...func(*ansinh.Registration)) (string, bool, error) {
	r, actor, err := s.draft(b.ID, b.Commune, req, channel, with...)
	if err != nil {
		return "", false, err
	}
	for range 3 {
		replay, err := s.accept(ctx, r, actor, "", nil)
		if errors.Is(err, ansinh.ErrReceiptTaken) && req.IdempotencyKey == "" {
			r.Receipt = ansinh.NewReceipt()
			continue
		}
		return r.Receipt, replay, err
	}
	return "", false, errors.New("registration: no free receipt after three draws")
}

// draft is the submission req makes for the person of beneficiaryID, as it will be
// stored, and who submits it; a proxy who is the person is refused.
func (s *Service) draft(beneficiaryID, commune string, req *ansinh.RegistrationRequest, channel string, with ...func(*ansinh.Registration)) (*ansinh.Registration, string, error) {
	if req.Proxy != nil && s.store.BeneficiaryID(req.Proxy.CCCD) == beneficiaryID {
		return nil, "", ansinh.FieldError("proxy.cccd", ansinh.MsgProxyCCCDSame)
	}
	now := s.now()
	r := &ansinh.Registration{
		Receipt: s.receipt(beneficiaryID, req.IdempotencyKey), BeneficiaryID: beneficiaryID, Commune: commune, Submitter: req.Submitter,
		BankBIN: req.BankBIN, AccountNumber: req.AccountNumber, AccountName: req.AccountName, Phone: req.Phone,
		Channel: channel, Consent: ansinh.Consent{Version: ansinh.ConsentVersion, At: now}, SubmittedAt: now,
		NotifyConsent: req.NotifyConsent, VNeIDLinked: req.VNeIDLinked,
	}
	if p := req.Proxy; p != nil {
		r.Proxy = &ansinh.Proxy{Name: p.Name, CCCD: p.CCCD, Phone: p.Phone, Relationship: p.Relationship}
	}
	for _, f := range with {
		f(r)
	}
	actor := "public"
	if r.RegisteredBy != "" {
		actor = r.RegisteredBy
	}
	return r, actor, nil
}

// receipt is random, or, with an idempotency key, derived from the person and the key
// under the secret: a repeat of the same submission names the same receipt, and nobody
// without the secret can predict one.
func (s *Service) receipt(beneficiaryID, key string) string {
	if key == "" {
		return ansinh.NewReceipt()
	}
	m := hmac.New(sha256.New, s.receiptKey)
	m.Write([]byte(beneficiaryID + "\x00" + key))
	return ansinh.ReceiptFrom(m.Sum(nil))
}

// Status returns a registration's public status by its receipt.
func (s *Service) Status(ctx context.Context, receipt string) (*ansinh.Registration, error) {
	code, ok := ansinh.NormalizeReceipt(receipt)
	if !ok {
		return nil, ansinh.FieldError("receipt", ansinh.MsgReceiptInvalid)
	}
	r, err := s.store.Registration(ctx, code)
	if err != nil {
		return nil, err
	}
	// A newer submission of the person still on its way may supersede this one.
	if waited, err := s.SettlePerson(ctx, r.BeneficiaryID, r.Receipt); err != nil || !waited {
		return r, nil // with an error: as stored, a moment behind
	}
	return s.store.Registration(ctx, code)
}

// IssueToken creates a personal QR code for a beneficiary: an opaque id and its
// HMAC, nothing personal in it.
func (s *Service) IssueToken(ctx context.Context, beneficiaryID, by string) (string, time.Time, error) {
	now := s.now()
	id := ansinh.RandomToken(12)
	exp := now.Add(s.TokenTTL)
	if err := s.store.CreateQRToken(ctx, id, beneficiaryID, by, now, exp); err != nil {
		return "", time.Time{}, err
	}
	return id + "." + s.sign(id), exp, nil
}

func (s *Service) sign(id string) string {
	m := hmac.New(sha256.New, s.qrKey)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// tokenID checks a token's signature and returns its id.
func (s *Service) tokenID(token string) (string, bool) {
	id, sig, ok := strings.Cut(strings.TrimSpace(token), ".")
	if !ok || len(id) != 16 || !hmac.Equal([]byte(sig), []byte(s.sign(id))) {
		return "", false
	}
	return id, true
}

// TokenBeneficiary returns the beneficiary id of a valid, unexpired, unrevoked code.
func (s *Service) TokenBeneficiary(ctx context.Context, token string) (string, error) {
	id, ok := s.tokenID(token)
	if !ok {
		return "", ansinh.FieldError("qr_token", ansinh.MsgQRInvalid)
	}
	t, err := s.store.LookupQRToken(ctx, id)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND || (err == nil && (t.Revoked || !s.now().Before(t.ExpiresAt))) {
		return "", ansinh.FieldError("qr_token", ansinh.MsgQRInvalid)
	}
	if err != nil {
		return "", err
	}
	return t.BeneficiaryID, nil
}

// TokenInfo returns the stored code (for staff, to check scope before revoking).
func (s *Service) TokenInfo(ctx context.Context, token string) (*ansinh.QRToken, error) {
	id, ok := s.tokenID(token)
	if !ok {
		return nil, ansinh.Errorf(ansinh.ENOTFOUND, ansinh.MsgNotFound)
	}
	return s.store.LookupQRToken(ctx, id)
}

// RevokeToken revokes a personal code.
func (s *Service) RevokeToken(ctx context.Context, t *ansinh.QRToken, by string) error {
	return s.store.RevokeQRToken(ctx, t.ID, by, s.now())
}

// proofTTL is how long the form keeps a proven identity between its pages.
const proofTTL = 30 * time.Minute

// Proof signs "this browser proved to be beneficiary id", for the form's later pages.
func (s *Service) Proof(beneficiaryID string) string {
	exp := strconv.FormatInt(s.now().Add(proofTTL).Unix(), 10)
	return beneficiaryID + "." + exp + "." + s.proofSig(beneficiaryID+"."+exp)
}

func (s *Service) proofSig(msg string) string {
	m := hmac.New(sha256.New, s.proofKey)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// CheckProof returns the beneficiary a proof was signed for, if it is genuine and
// fresh.
func (s *Service) CheckProof(ctx context.Context, proof string) (*ansinh.Beneficiary, error) {
	parts := strings.Split(proof, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(s.proofSig(parts[0]+"."+parts[1]))) {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgSessionExpired)
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || s.now().Unix() > exp {
		return nil, ansinh.Errorf(ansinh.EINVALID, ansinh.MsgSessionExpired)
	}
	return s.store.Beneficiary(ctx, parts[0])
}
