package ansinh

import (
	"time"

	"ansinh/pii"
)

// Group is the programme a beneficiary's allowance is paid under.
type Group string

const (
	GroupNCC  Group = "NCC"  // người có công với cách mạng (Sở Nội vụ since March 2025)
	GroupBTXH Group = "BTXH" // đối tượng bảo trợ xã hội (Sở Y tế since March 2025)
	GroupHTXH Group = "HTXH" // trợ cấp hưu trí xã hội, Decree 176/2025, from 1 July 2025 (Sở Y tế)
)

// Groups lists the programmes in the order reports show them.
var Groups = []Group{GroupBTXH, GroupHTXH, GroupNCC}

// Sex as the registry writes it.
const (
	SexMale   = "Nam"
	SexFemale = "Nữ"
)

// Identity check states, set by the police liaison against the population database.
const (
	IdentityUnchecked = "unchecked"
	IdentityMatched   = "matched"
	IdentityMismatch  = "mismatch"
	IdentityNotFound  = "not_found" // the population database has no such CCCD
)

// Account sources.
const (
	SourceImport       = "import"       // already used for payment, from the department's list
	SourceRegistration = "registration" // submitted by the beneficiary or proxy, verified by the commune
)

// Beneficiary is one person receiving a monthly allowance. CCCD is the plain number
// only while a record is being written or revealed; lists carry CCCDLast4.
type Beneficiary struct {
	ID         string // blind index of the CCCD, assigned by the store
	Name       string
	CCCD       string
	CCCDLast4  string
	BirthDate  string // "YYYY-MM-DD", or "YYYY" when only the year is known
	Sex        string
	Commune    string   // empty while Candidates wait for an officer's choice
	Candidates []string // the communes a person of a split old commune may belong to ("cần chọn xã")
	// OldCommune and OldUnitSet are the code and set an older list gave, when an import
	// moved the person through the crosswalk; empty for a list of the current set.
	OldCommune string
	OldUnitSet string
	Group      Group
	SubGroup   string
	Amount     int64 // đồng per month
	Eligible   bool  // may open a bank account
	Ineligible *Ineligibility
	Identity   IdentityCheck
	Account    *Account // the verified account, if any
	Warnings   []string // rule disagreements kept on the record (not rejections)
	// Phone is the person's mobile as a list gave it, 84…: plain only while imported;
	// sealed at rest, opened only to send a notice.
	Phone string
	// Returned: the last account was dropped because a payment into it came back; the
	// person needs a new one. Nil otherwise.
	Returned *ReturnedPayment
	// ConsentWithdrawn: the person withdrew consent to be paid into an account.
	ConsentWithdrawn *Withdrawal
	Synthetic        bool // made by `ansinh demo`
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Withdrawal records a withdrawn consent: when, by which officer's answer to which
// request, for which purpose.
type Withdrawal struct {
	At      time.Time
	By      string
	Request string
	Purpose string
}

// Ineligibility says why a person cannot open an account (and so is paid directly).
type Ineligibility struct {
	Reason string // one of IneligibleReasons
	Note   string
	By     string
	At     time.Time
}

// IneligibleReasons are the fixed reasons a commune officer chooses from.
var IneligibleReasons = map[string]string{
	"no_capacity":   "Mất hoặc hạn chế năng lực hành vi dân sự, không có người nhận thay",
	"bedridden":     "Già yếu, ốm đau nằm một chỗ, không thể đến ngân hàng",
	"no_documents":  "Chưa có giấy tờ tùy thân hợp lệ để mở tài khoản",
	"refuses":       "Không đồng ý mở tài khoản sau khi đã được vận động",
	"far_from_bank": "Ở vùng không có điểm giao dịch ngân hàng",
	"other":         "Lý do khác (ghi rõ)",
}

// IdentityCheck is the police liaison's verdict on the record's identity data.
type IdentityCheck struct {
	State string
	Note  string
	By    string
	At    time.Time
	// What the population database says where it differs from the record (a mismatch
	// reported in a results file).
	PopulationName      string
	PopulationBirthDate string
}

// Account is a bank account that receives the allowance: the beneficiary's own, or an
// authorised proxy's.
type Account struct {
	BankBIN    string
	Number     string // plain only while written or revealed
	Last4      string
	HolderName string // as the bank prints it: upper case, no accents
	Proxy      bool
	Source     string
	VerifiedAt time.Time
	// ConfirmedAt is when a payment into it first went through (zero: not yet): the
	// account is confirmed by payment, not only registered.
	ConfirmedAt time.Time
	// VNeID: the person linked this bank account in the VNeID app for social payments.
	VNeID bool
}

// ChangedAccountForReview, among the changes an import reports for a row, says that
// the row names another account than the person's: the list does not switch it, the
// commune reviews it as a submission (channel import).
const ChangedAccountForReview = "account_for_review"

// CountedIn is the counter that holds the person: the commune, or UnassignedKey while
// their commune waits for a choice.
func (b *Beneficiary) CountedIn() string {
	if b.Commune == "" {
		return UnassignedKey
	}
	return b.Commune
}

// Waiting reports whether the person waits for an officer to choose their commune.
func (b *Beneficiary) Waiting() bool { return b.Commune == "" && len(b.Candidates) > 0 }

// Within reports whether the person belongs to unit: their commune lies within it, or,
// while they wait, one of their candidate communes does.
func (b *Beneficiary) Within(units *Units, unit string) bool {
	if b.Commune != "" {
		return units.Within(b.Commune, unit)
	}
	for _, c := range b.Candidates {
		if units.Within(c, unit) {
			return true
		}
	}
	return false
}

// MaskedCCCD shows the CCCD as "••••••••1234".
func (b *Beneficiary) MaskedCCCD() string { return pii.MaskLast4(b.CCCDLast4) }

// PaidByAccount reports whether the allowance goes to a verified account.
func (b *Beneficiary) PaidByAccount() bool { return b.Account != nil }

// Masked shows the account number as "••••••••1234".
func (a *Account) Masked() string { return pii.MaskLast4(a.Last4) }

// NewIdentityCheck validates the police liaison's verdict: a mismatch needs a note
// saying what differs.
func NewIdentityCheck(state, note, by string, now time.Time) (IdentityCheck, error) {
	note = NormalizeName(note)
	switch {
	case state != IdentityMatched && state != IdentityMismatch && state != IdentityUnchecked && state != IdentityNotFound:
		return IdentityCheck{}, FieldError("state", MsgIdentityState)
	case len([]rune(note)) > 500:
		return IdentityCheck{}, FieldError("note", MsgNoteTooLong)
	case state == IdentityMismatch && note == "":
		return IdentityCheck{}, FieldError("note", MsgIdentityNote)
	}
	return IdentityCheck{State: state, Note: note, By: by, At: now}, nil
}

// NewIneligibility validates a commune officer's decision: not eligible needs a reason
// from the fixed list (and a note for "other"); eligible again clears it.
func NewIneligibility(eligible bool, reason, note, by string, now time.Time) (*Ineligibility, error) {
	if eligible {
		return nil, nil
	}
	note = NormalizeName(note)
	if _, ok := IneligibleReasons[reason]; !ok {
		return nil, FieldError("reason", MsgIneligibleReason)
	}
	if len([]rune(note)) > 500 {
		return nil, FieldError("note", MsgNoteTooLong)
	}
	if reason == "other" && note == "" {
		return nil, FieldError("note", MsgIneligibleNote)
	}
	return &Ineligibility{Reason: reason, Note: note, By: by, At: now}, nil
}

// BeneficiaryQuery selects beneficiaries: within Communes, and by name (accent- and
// case-free substring) or a whole CCCD.
type BeneficiaryQuery struct {
	Communes []string
	Name     string // folded with NameKey by the caller
	CCCD     string // a whole, normalised CCCD
	Identity string // an identity check state
	// Waiting selects, instead, the people whose commune waits for a choice with a
	// candidate within Communes.
	Waiting bool
	Skip    int64
	Limit   int64
}
