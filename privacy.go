package ansinh

import (
	"strings"
	"time"
)

// Requests from the person (Law 91/2025/QH15, Decree 356/2025): to see the data held
// about them, to correct it, or to withdraw their consent. A request is made at the
// commune (an officer records it) or from the status page (the person, with the
// receipt and their birth date); it is recorded with its deadlines, answered by an
// officer of the commune or above, and every step is audited.

// Kinds of request.
const (
	RequestAccess   = "access"   // see the data held
	RequestCorrect  = "correct"  // correct it
	RequestWithdraw = "withdraw" // withdraw consent: no more processing for the purpose
)

// States of a request.
const (
	RequestOpen    = "open"
	RequestDone    = "done"    // answered and carried out
	RequestRefused = "refused" // answered with the reason it cannot be carried out
)

// Channels a request comes through.
const (
	RequestAtCommune  = "commune"     // in person, recorded by an officer
	RequestStatusPage = "status_page" // the person, online, from a receipt
)

// PurposeAccountPayment is the purpose the person consents to when registering an
// account, the one a withdrawal ends: receiving the allowance into that account.
const PurposeAccountPayment = "account_payment"

// The deadlines. Decree 356/2025 wants the request acknowledged within two working
// days, a withdrawal of consent carried out within 15 days, and access and correction
// within the decree's shorter period, 10 days (one extension of 15 days is allowed,
// with the reason told to the person; ansinh does not grant it by itself).
const (
	RequestAckWorkingDays = 2
	RequestWithdrawDays   = 15
	RequestAccessDays     = 10
	RequestCorrectDays    = 10
)

// PrivacyRequest is one request from a person about their data.
type PrivacyRequest struct {
	ID            string // the code the person keeps to follow it (unguessable)
	BeneficiaryID string
	Commune       string
	Kind          string
	Channel       string
	Receipt       string // the submission it came from (status page), if any
	Detail        string // what to correct, or what the person says
	ReceivedAt    time.Time
	AckDue        time.Time // acknowledged by then
	Due           time.Time // carried out by then
	RecordedBy    string    // the officer, at the commune; "" from the status page
	Status        string
	Answer        string // what the person is told
	AnsweredBy    string
	AnsweredAt    time.Time
}

// RequestKindLabel is a kind as a person reads it.
func RequestKindLabel(kind string) string {
	switch kind {
	case RequestAccess:
		return "Xem dữ liệu cá nhân đang được lưu"
	case RequestCorrect:
		return "Sửa dữ liệu cá nhân"
	case RequestWithdraw:
		return "Rút lại sự đồng ý nhận trợ cấp qua tài khoản"
	}
	return kind
}

// RequestStatusLabel is a state as a person reads it.
func RequestStatusLabel(status string) string {
	switch status {
	case RequestOpen:
		return "Đang xử lý"
	case RequestDone:
		return "Đã thực hiện"
	case RequestRefused:
		return "Không thực hiện được"
	}
	return status
}

// NewPrivacyRequest validates a request and sets its deadlines from now.
func NewPrivacyRequest(b *Beneficiary, kind, channel, receipt, detail, by string, now time.Time) (*PrivacyRequest, error) {
	detail = NormalizeName(strings.TrimSpace(detail))
	days := map[string]int{RequestAccess: RequestAccessDays, RequestCorrect: RequestCorrectDays, RequestWithdraw: RequestWithdrawDays}
	switch {
	case days[kind] == 0:
		return nil, FieldError("kind", MsgRequestKind)
	case len([]rune(detail)) > 500:
		return nil, FieldError("detail", MsgNoteTooLong)
	case kind == RequestCorrect && detail == "":
		return nil, FieldError("detail", MsgRequestCorrectWhat)
	}
	return &PrivacyRequest{ID: RandomToken(12), BeneficiaryID: b.ID, Commune: b.Commune, Kind: kind, Channel: channel, Receipt: receipt,
		Detail: detail, ReceivedAt: now, AckDue: AddWorkingDays(now, RequestAckWorkingDays), Due: now.AddDate(0, 0, days[kind]),
		RecordedBy: by, Status: RequestOpen}, nil
}

// AddWorkingDays is t plus n days that are not a Saturday or a Sunday (public holidays
// are not known here: the deadline errs early, never late).
func AddWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.In(Vietnam).Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// DaysLeft is how many days are left before due, a day begun counting whole
// (negative: how many whole days overdue, at least one).
func DaysLeft(due, now time.Time) int {
	day := 24 * time.Hour
	d := due.Sub(now)
	if d < 0 {
		return -max(1, int(-d/day))
	}
	return int((d + day - 1) / day)
}

// NewRequestAnswer validates an officer's answer: done or refused, with what the
// person is told (a refusal must say why).
func NewRequestAnswer(status, answer string) (string, string, error) {
	answer = NormalizeName(strings.TrimSpace(answer))
	switch {
	case status != RequestDone && status != RequestRefused:
		return "", "", FieldError("status", MsgRequestOutcome)
	case len([]rune(answer)) > 1000:
		return "", "", FieldError("answer", MsgNoteTooLong)
	case answer == "":
		return "", "", FieldError("answer", MsgRequestAnswer)
	}
	return status, answer, nil
}

// The breach register: an admin records a suspected breach of personal data as soon as
// it is known; the specialised agency (the Ministry of Public Security's A05) must be
// told within 72 hours of its discovery (Law 91/2025/QH15), and the page counts down.

// BreachReportWindow is how long after discovery the breach must be reported.
const BreachReportWindow = 72 * time.Hour

// BreachData are the kinds of data a breach may touch, with their labels.
var BreachData = []struct{ Code, Label string }{
	{"cccd", "Số CCCD"},
	{"account", "Số tài khoản, tên chủ tài khoản (dữ liệu nhạy cảm)"},
	{"phone", "Số điện thoại"},
	{"identity", "Họ tên, ngày sinh, giới tính, nơi cư trú"},
	{"allowance", "Nhóm đối tượng, mức hưởng"},
	{"chat", "Nội dung trò chuyện Zalo, web"},
	{"staff", "Tài khoản cán bộ, mật khẩu"},
}

// BreachReportContents is what the report to the agency must say.
var BreachReportContents = []string{
	"Mô tả vi phạm: thời gian, địa điểm, hành vi, tổ chức hoặc cá nhân liên quan.",
	"Các loại dữ liệu cá nhân và số lượng người, số bản ghi bị ảnh hưởng (ước tính).",
	"Thông tin liên lạc của người phụ trách bảo vệ dữ liệu cá nhân.",
	"Hậu quả, thiệt hại có thể xảy ra.",
	"Các biện pháp đã thực hiện và dự kiến để xử lý, giảm thiểu tác hại.",
}

// Breach is one entry of the register.
type Breach struct {
	ID           string
	DiscoveredAt time.Time
	RecordedAt   time.Time
	RecordedBy   string
	Description  string
	Data         []string // codes of BreachData
	People       int      // estimated people touched, 0 when not known yet
	Measures     string
	ReportedAt   time.Time // told to the agency
	ReportedBy   string
	Reference    string // how, and the agency's reference
	ClosedAt     time.Time
	ClosedBy     string
}

// Deadline is when the report to the agency is due.
func (b *Breach) Deadline() time.Time { return b.DiscoveredAt.Add(BreachReportWindow) }

// NewBreach validates a new entry: when it was discovered (not in the future), what
// happened, which data.
func NewBreach(discovered time.Time, description string, data []string, people int, measures, by string, now time.Time) (*Breach, error) {
	description, measures = strings.TrimSpace(description), strings.TrimSpace(measures)
	known := map[string]bool{}
	for _, d := range BreachData {
		known[d.Code] = true
	}
	switch {
	case discovered.IsZero():
		return nil, FieldError("discovered_at", MsgBreachDiscovered)
	case discovered.After(now.Add(time.Minute)) || discovered.Before(now.AddDate(-1, 0, 0)):
		return nil, FieldError("discovered_at", MsgBreachDiscoveredRange)
	case description == "":
		return nil, FieldError("description", MsgBreachDescription)
	case len([]rune(description)) > 2000 || len([]rune(measures)) > 2000:
		return nil, FieldError("description", MsgNoteTooLong)
	case len(data) == 0:
		return nil, FieldError("data", MsgBreachData)
	case people < 0 || people > 100_000_000:
		return nil, FieldError("people", MsgBreachPeople)
	}
	for _, d := range data {
		if !known[d] {
			return nil, FieldError("data", MsgBreachData)
		}
	}
	return &Breach{ID: RandomToken(9), DiscoveredAt: discovered, RecordedAt: now, RecordedBy: by, Description: description,
		Data: data, People: people, Measures: measures}, nil
}
