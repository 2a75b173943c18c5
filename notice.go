package ansinh

import (
	"context"
	"strings"
	"time"
)

// A notice tells a person something after the fact (a decision, a returned payment): by
// a Zalo consultation message inside the 7-day window, else a Zalo template message by
// user id or by phone, else an SMS. Each try is a NoticeAttempt on the person's record.

// Kinds of notice; each has its own approved Zalo template.
const (
	NoticeVerified = "verified"
	NoticeRejected = "rejected"
	NoticeReturned = "returned" // a payment came back: the account needs replacing
	NoticeReminder = "reminder"
)

// Channels a notice goes by.
const (
	NoticeByConsultation  = "zalo_cs"             // free within 48 h, billed up to 7 days
	NoticeByTemplateUser  = "zalo_template_user"  // ZBS template, by Zalo user id
	NoticeByTemplatePhone = "zalo_template_phone" // ZBS template, by phone number
	NoticeBySMS           = "sms"
	NoticeByNone          = "none" // nothing sent: no consent, no address, or waiting
)

// Cost classes of an attempt (what the province pays for it).
const (
	CostFree     = "free"     // consultation message within 48 h
	CostBilled   = "billed"   // consultation message 48 h – 7 days
	CostTemplate = "template" // ZBS template message, paid per message
	CostSMS      = "sms"      // SMS gateway, paid per message
	CostNone     = "none"
)

// Results of an attempt.
const (
	NoticeSent      = "sent"
	NoticeRefused   = "refused"    // this channel refused; the next one is tried
	NoticeWaiting   = "waiting"    // held: night hours or Zalo's daily quota
	NoticeRetry     = "retry"      // a passing failure; tried again later
	NoticeFailed    = "failed"     // no channel reached the person
	NoticeNoConsent = "no_consent" // the person did not agree to be told
)

// Notice is one thing to tell one person, stored before any attempt; its ID makes a
// repeat (a retried decision) the same notice.
type Notice struct {
	ID            string
	BeneficiaryID string
	Receipt       string
	Kind          string
	ZaloUser      string            // "" when the person never wrote to the OA
	Phone         string            // 84…; plain only in memory, sealed at rest
	Params        map[string]string // the template's parameters, also the text's
	Attempts      int               // failed tries so far
	Queued        time.Time
}

// NoticeAttempt is one try of a notice on one channel, as the person's record shows it.
type NoticeAttempt struct {
	NoticeID      string
	BeneficiaryID string
	Kind          string
	At            time.Time
	Channel       string
	Cost          string
	Result        string
	Detail        string // Zalo's or the gateway's code and message; never the phone or text
	Seq           int    // orders the steps of one try
}

// NoticeStore is what the record page reads of the notices.
type NoticeStore interface {
	NoticeAttempts(ctx context.Context, beneficiaryID string) ([]NoticeAttempt, error)
}

// Zalo shows template pushes only from 06:00 to 21:59 Vietnam time; notices keep to it.
const (
	NoticeFromHour  = 6
	NoticeUntilHour = 22 // exclusive
)

// NoticeHours reports whether t is inside the sending hours, and when they next open
// (t itself when inside).
func NoticeHours(t time.Time) (bool, time.Time) {
	v := t.In(Vietnam)
	if v.Hour() >= NoticeFromHour && v.Hour() < NoticeUntilHour {
		return true, t
	}
	open := time.Date(v.Year(), v.Month(), v.Day(), NoticeFromHour, 0, 0, 0, Vietnam)
	if v.Hour() >= NoticeUntilHour {
		open = open.AddDate(0, 0, 1)
	}
	return false, open
}

// NextMorning is the next 06:00 in Vietnam strictly after t: when a daily quota renews.
func NextMorning(t time.Time) time.Time {
	v := t.In(Vietnam)
	open := time.Date(v.Year(), v.Month(), v.Day(), NoticeFromHour, 0, 0, 0, Vietnam)
	if !open.After(t) {
		open = open.AddDate(0, 0, 1)
	}
	return open
}

// InternationalPhone turns a Vietnamese number as stored (0…) into the 84… form that
// Zalo and SMS gateways take; "" when it is not a valid number.
func InternationalPhone(s string) string {
	p := NormalizePhone(s)
	if len(p) == 9 && strings.ContainsRune("35789", rune(p[0])) {
		p = "0" + p // a spreadsheet dropped the leading zero
	}
	if !ValidPhone(p) {
		return ""
	}
	return "84" + strings.TrimPrefix(p, "0")
}

// MaskPhone shows a phone number as staff may see it on screen: the last three digits.
func MaskPhone(s string) string {
	if len(s) <= 3 {
		return "***"
	}
	return strings.Repeat("•", len(s)-3) + s[len(s)-3:]
}

// ActionNoticeReminders is the audit action of an officer (or `ansinh notify
// reminders`) queueing a month's reminders for a unit.
const ActionNoticeReminders = "notice.reminders"

// ReminderCounts is what queueing a month's reminders for a unit did, person by person
// among those with no account: queued now, queued by an earlier run this month, not
// told for want of consent (never asked, said no, or withdrew), no Zalo and no phone
// to reach them by, or not reminded because their latest submission awaits the
// commune.
type ReminderCounts struct {
	Queued    int `json:"queued"`
	Already   int `json:"already"`
	NoConsent int `json:"no_consent"`
	NoChannel int `json:"no_channel"`
	Pending   int `json:"pending"`
}

// AuditDetail is what the audit keeps of a reminder run of month; unfinished: the run
// stopped part-way (what it queued stands).
func (c ReminderCounts) AuditDetail(month string, unfinished bool) map[string]any {
	d := map[string]any{"month": month, "queued": c.Queued, "already": c.Already, "no_consent": c.NoConsent,
		"no_channel": c.NoChannel, "pending": c.Pending}
	if unfinished {
		d["unfinished"] = true
	}
	return d
}
