package ansinh

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Check is an automatic finding on a submission, shown to the officer who reviews it.
type Check struct {
	Code     string `json:"code"`
	Severity string `json:"severity"` // "error", "warning" or "info"
	Message  string `json:"message"`
}

// Check codes.
const (
	CheckHolderName    = "holder_name"
	CheckAccountShared = "account_shared"
	CheckSeveral       = "several_submissions"
	CheckIdentity      = "identity"
	CheckCCCD          = "cccd_structure"
	CheckBank          = "bank"
	CheckScript        = "mixed_script"
	// CheckProxy: the allowance would go to a proxy's account and nobody has recorded
	// seeing the authorisation yet.
	CheckProxy = "proxy_authorisation"
	// CheckAccountKind: an e-wallet, or an account said to be linked in VNeID.
	CheckAccountKind = "account_kind"
)

// ReviewFacts is what the checks look at besides the submission and the record.
type ReviewFacts struct {
	// SharedWith are the other beneficiaries whose verified account or open submission
	// uses the same account.
	SharedWith  []SharedUse
	Submissions int // how many times this person has submitted
}

// SharedUse is another beneficiary using an account: paid into it (Verified), or with a
// submission naming it still open.
type SharedUse struct {
	Name      string
	CCCDLast4 string
	Verified  bool
}

// String says it as the check shows it, the CCCD masked.
func (u SharedUse) String() string {
	if u.Verified {
		return MsgSharedVerified(u.Name, u.CCCDLast4)
	}
	return MsgSharedPending(u.Name, u.CCCDLast4)
}

// NameScore compares a holder name with a person's name without regard to accents,
// case or word order: the share of words in common (1 = the same words), and the words
// each has that the other lacks.
func NameScore(holder, name string) (score float64, onlyHolder, onlyName []string) {
	a, b := strings.Fields(NameKey(holder)), strings.Fields(NameKey(name))
	count := func(ws []string) map[string]int {
		m := map[string]int{}
		for _, w := range ws {
			m[w]++
		}
		return m
	}
	ca, cb := count(a), count(b)
	common := 0
	for w, n := range ca {
		common += min(n, cb[w])
	}
	for w, n := range ca {
		for range max(0, n-cb[w]) {
			onlyHolder = append(onlyHolder, w)
		}
	}
	for w, n := range cb {
		for range max(0, n-ca[w]) {
			onlyName = append(onlyName, w)
		}
	}
	sort.Strings(onlyHolder)
	sort.Strings(onlyName)
	if total := max(len(a), len(b)); total > 0 {
		score = float64(common) / float64(total)
	}
	return score, onlyHolder, onlyName
}

// RunChecks returns the findings on a submission against the registry record; a clean
// submission has none.
func RunChecks(r *Registration, b *Beneficiary, f ReviewFacts) []Check {
	checks := []Check{}
	add := func(code, severity, format string, args ...any) {
		checks = append(checks, Check{Code: code, Severity: severity, Message: fmt.Sprintf(format, args...)})
	}
	expected := b.Name
	if r.Proxy != nil {
		expected = r.Proxy.Name
	}
	if score, onlyHolder, onlyName := NameScore(r.AccountName, expected); score < 1 {
		who := "người hưởng"
		if r.Proxy != nil {
			who = "người nhận thay"
		}
		severity := "warning"
		if score < 0.5 {
			severity = "error"
		}
		add(CheckHolderName, severity, MsgCheckHolder, r.AccountName, who, HolderName(expected), int(score*100+0.5),
			words(onlyHolder), who, words(onlyName))
	}
	if r.Proxy != nil && strings.TrimSpace(r.ProofSeen) == "" {
		add(CheckProxy, "warning", MsgCheckProxy, r.Proxy.Name)
	}
	if len(f.SharedWith) > 0 {
		uses := make([]string, len(f.SharedWith))
		for i, u := range f.SharedWith {
			uses[i] = u.String()
		}
		add(CheckAccountShared, "error", MsgCheckShared, strings.Join(uses, "; "))
	}
	if f.Submissions > 1 {
		add(CheckSeveral, "info", MsgCheckSeveral, f.Submissions)
	}
	switch b.Identity.State {
	case IdentityMismatch:
		add(CheckIdentity, "error", MsgCheckIdentityMismatch, b.Identity.Note)
	case IdentityNotFound:
		add(CheckIdentity, "error", MsgCheckIdentityNotFound)
	case IdentityUnchecked, "":
		add(CheckIdentity, "info", MsgCheckIdentityUnchecked)
	}
	for _, w := range b.Warnings {
		add(CheckCCCD, "warning", "%s", w)
	}
	if bank, ok := BankByBIN(r.BankBIN); !ok {
		add(CheckBank, "error", MsgCheckBank, r.BankBIN)
	} else {
		// The kind decides whether the account counts toward the target: say it.
		switch (&Account{BankBIN: r.BankBIN, VNeID: r.VNeIDLinked}).Kind() {
		case KindWallet:
			add(CheckAccountKind, SeverityInfo, MsgCheckWallet, bank.ShortName)
		case KindVNeID:
			add(CheckAccountKind, SeverityInfo, MsgCheckVNeID)
		}
	}
	names := []struct{ who, name string }{{"người hưởng", b.Name}, {"chủ tài khoản", r.AccountName}}
	if r.Proxy != nil {
		names = append(names, struct{ who, name string }{"người nhận thay", r.Proxy.Name})
	}
	for _, n := range names {
		if ForeignLetters(n.name) {
			add(CheckScript, "error", MsgCheckScript, n.who, n.name)
		}
	}
	return checks
}

// RejectReasons are the reasons an officer picks from, written for the beneficiary to
// act on.
var RejectReasons = map[string]string{
	"holder_mismatch":    "Tên chủ tài khoản không khớp với người hưởng hoặc người nhận thay. Hãy kiểm tra tên in trên thẻ hoặc ứng dụng ngân hàng rồi đăng ký lại.",
	"account_invalid":    "Số tài khoản không đúng hoặc tài khoản không nhận được tiền. Hãy hỏi ngân hàng rồi đăng ký lại.",
	"proxy_unauthorized": "Chưa có giấy ủy quyền nhận thay hợp lệ. Hãy mang giấy ủy quyền có xác nhận đến UBND xã.",
	"identity":           "Thông tin căn cước chưa khớp với hồ sơ. Hãy mang CCCD đến UBND xã để đối chiếu.",
	"account_shared":     "Tài khoản này đã được đăng ký cho một người hưởng khác. Mỗi người cần một tài khoản riêng hoặc người nhận thay riêng.",
	"other":              "Lý do khác.",
}

// Decision is an officer's verdict on a submission.
type Decision struct {
	Receipt string
	Status  string // StatusVerified or StatusRejected
	Reason  string // the code, for a rejection
	Note    string
	By      string
	At      time.Time
	// What a stored decision carries so that a retry or the sweep can finish it (see
	// registration.Service.Decide): whose it is, whether every step is done, and the
	// move of the counters a verification makes.
	BeneficiaryID string
	Commune       string
	Applied       bool
	Move          *Move
}

// Move is one change of a unit's counters, applied once under its id.
type Move struct {
	Unit  string
	Delta Counts
}

// ReasonText is what the beneficiary reads about a rejection.
func (d *Decision) ReasonText() string {
	t := RejectReasons[d.Reason]
	if d.Note != "" {
		if d.Reason == "other" {
			return d.Note
		}
		t += " " + d.Note
	}
	return t
}

// NewRejection validates a rejection: a reason from the list, and a note for "other".
func NewRejection(receipt, reason, note, by string, now time.Time) (*Decision, error) {
	note = NormalizeName(note)
	switch _, ok := RejectReasons[reason]; {
	case reason == "":
		return nil, FieldError("reason", MsgRejectReason)
	case !ok:
		return nil, FieldError("reason", MsgRejectReason)
	case len([]rune(note)) > 500:
		return nil, FieldError("note", MsgNoteTooLong)
	case reason == "other" && note == "":
		return nil, FieldError("note", MsgRejectNote)
	}
	return &Decision{Receipt: receipt, Status: StatusRejected, Reason: reason, Note: note, By: by, At: now}, nil
}

func words(ws []string) string {
	if len(ws) == 0 {
		return "—"
	}
	return strings.ToUpper(strings.Join(ws, " "))
}

// Notifier tells a beneficiary about a decision on their submission, on the channel
// they used (Zalo answers through Zalo).
type Notifier interface {
	Decided(ctx context.Context, r *Registration, d *Decision) error
}

// OpenDecision is the mark of a decision not yet finished and told: its receipt, and
// when it was opened.
type OpenDecision struct {
	Receipt string
	At      time.Time
}
