package ansinh

import (
	"regexp"
	"time"
)

// Payment results: the payment provider's file of a month says, per person, whether
// the transfer into their account went through or came back.

// Outcomes of one person's payment.
const (
	PaymentPaid     = "paid"
	PaymentReturned = "returned"
)

// PaymentResult is one row of a payment result file, as stored: one per person and
// month (its identity), so that the same file again changes nothing.
type PaymentResult struct {
	Month         string // YYYY-MM
	BeneficiaryID string
	Commune       string
	Group         Group  // the person's programme when it was recorded
	Result        string // PaymentPaid or PaymentReturned
	Reason        string // why it came back, as the file says
	AccountIndex  string // the account it was paid into
	At            time.Time
}

// ID is the result's identity: a person has one result a month.
func (p *PaymentResult) ID() string { return p.Month + ":" + p.BeneficiaryID }

// ReturnedPayment is the mark a returned payment leaves on the record.
type ReturnedPayment struct {
	Month   string
	Reason  string
	BankBIN string
	Last4   string
	At      time.Time
}

// PaymentReport is what a payment result file did.
type PaymentReport struct {
	Confirmed int        `json:"confirmed"`
	Returned  int        `json:"returned"`
	Unchanged int        `json:"unchanged"`
	Errors    []RowError `json:"errors"`
}

var monthRE = regexp.MustCompile(`^(20[0-9]{2})-(0[1-9]|1[0-2])$`)

// ValidMonth reports whether s is a month as YYYY-MM.
func ValidMonth(s string) bool { return monthRE.MatchString(s) }

// PaymentOutcome reads the result column: paid (thành công, đã chuyển, ok) or returned
// (trả lại, thất bại, lỗi); "" when it is neither.
func PaymentOutcome(key string) string {
	switch key {
	case "paid", "thanh_cong", "da_chuyen", "da_tra", "ok", "success", "1":
		return PaymentPaid
	case "returned", "tra_lai", "bi_tra_lai", "that_bai", "loi", "failed", "0":
		return PaymentReturned
	}
	return ""
}
