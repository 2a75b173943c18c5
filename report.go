package ansinh

import (
	"fmt"
	"time"
)

// Vietnam is UTC+7, the zone of every deadline and date people read.
var Vietnam = time.FixedZone("ICT", 7*3600)

// Report is a unit's monthly report on coverage: a live draft until submitted, then
// frozen.
type Report struct {
	Unit        string    `json:"unit"`
	Name        string    `json:"name"`
	Month       string    `json:"month"` // YYYY-MM
	Status      string    `json:"status"`
	Deadline    time.Time `json:"deadline"`
	SubmittedBy string    `json:"submitted_by,omitempty"`
	SubmittedAt time.Time `json:"submitted_at,omitempty"`
	Late        bool      `json:"late"`
	Coverage    *Coverage `json:"coverage"`
	// UnitSet is the set the report's units belong to: a frozen report keeps its own
	// set's names after the store moves to another.
	UnitSet string `json:"unit_set,omitempty"`
	// Programs are each programme's figures, department and deadline.
	Programs []ProgramReport `json:"programs,omitempty"`
	// Units below that report too (the province's districts), with their status.
	Reports []ReportStatus `json:"reports,omitempty"`
}

// ProgramReport is one programme's part of a monthly report.
type ProgramReport struct {
	Program    Group     `json:"program"`
	Name       string    `json:"name"`
	Department string    `json:"department"`
	Deadline   time.Time `json:"deadline"`
	Coverage   *Coverage `json:"coverage"`
	// PaymentListDue: the payment list is due at the payment provider before this day
	// (the social pension's 25th); zero when the programme sets none.
	PaymentListDue time.Time `json:"payment_list_due,omitempty"`
}

// SocialPensionStart is the first month of the social pension (Decree 176/2025).
var SocialPensionStart = time.Date(2025, 7, 1, 0, 0, 0, 0, Vietnam)

// ReportDeadlineOf is the earliest deadline of the programmes for a unit's report.
func ReportDeadlineOf(programs map[Group]Program, u *Unit, month time.Time) time.Time {
	var first time.Time
	for _, g := range Groups {
		p := ProgramOf(programs, g)
		if d := p.Deadline(u, month); first.IsZero() || d.Before(first) {
			first = d
		}
	}
	return first
}

// ReportStatus is whether a unit has sent its report for a month.
type ReportStatus struct {
	Unit        string    `json:"unit"`
	Name        string    `json:"name"`
	Deadline    time.Time `json:"deadline"`
	Submitted   bool      `json:"submitted"`
	SubmittedAt time.Time `json:"submitted_at,omitempty"`
	Late        bool      `json:"late"`
	Overdue     bool      `json:"overdue"` // not sent and past the deadline
}

// Report statuses.
const (
	ReportDraft     = "draft"
	ReportSubmitted = "submitted"
)

// ParseMonth reads "YYYY-MM".
func ParseMonth(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, Vietnam)
	if err != nil {
		return time.Time{}, FieldError("month", MsgMonth)
	}
	return t, nil
}

// ReportDeadline is the day a unit's report for a payment month is due with the
// letter's days: before the 13th for the lowest reporting unit, before the 15th for
// the department (letter 433/UBND-VX).
func ReportDeadline(u *Unit, month time.Time) time.Time {
	return DefaultPrograms()[GroupBTXH].Deadline(u, month)
}

// CheckReportMonth refuses a month still to come.
func CheckReportMonth(month, now time.Time) error {
	first := time.Date(now.In(Vietnam).Year(), now.In(Vietnam).Month(), 1, 0, 0, 0, 0, Vietnam)
	if month.After(first) {
		return FieldError("month", fmt.Sprintf(MsgMonthFuture, month.Format("01/2006")))
	}
	return nil
}
