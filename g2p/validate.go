package g2p

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Refusal is why a whole request is refused. Code is the header reason code, when
// the schema has one for the case; Err the transport error code (an acknowledgement's
// or an HTTP error body's); Status the HTTP status.
type Refusal struct {
	Status  int
	Code    string
	Err     string
	Message string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("g2p: refused: %s %s %s", r.Code, r.Err, r.Message)
}

func refuse(status int, code, err, format string, args ...any) *Refusal {
	return &Refusal{Status: status, Code: code, Err: err, Message: fmt.Sprintf(format, args...)}
}

// BadRequest refuses a body that cannot be read as the envelope.
func BadRequest(format string, args ...any) *Refusal {
	return refuse(400, "", ErrRequestBad, format, args...)
}

// Clock bounds on message_ts: a message older than MaxMessageAge, or dated more than
// MaxClockSkew ahead, is refused; its message_id is remembered for longer than that,
// so that every replay is seen.
const (
	MaxMessageAge = 7 * 24 * time.Hour
	MaxClockSkew  = 5 * time.Minute
)

// DecodeEnvelope reads the envelope; header and message must be JSON objects.
func DecodeEnvelope(body []byte) (*Envelope, *Refusal) {
	var env Envelope
	if err := strictDecode(body, &env); err != nil {
		return nil, BadRequest("the body is not a G2P Connect envelope: %v", err)
	}
	if !isObject(env.Header) {
		return nil, BadRequest("header is required and must be an object")
	}
	return &env, nil
}

// DecodeHeader reads the header.
func DecodeHeader(env *Envelope) (*Header, *Refusal) {
	var h Header
	if err := strictDecode(env.Header, &h); err != nil {
		return nil, BadRequest("header: %v", err)
	}
	return &h, nil
}

// CheckHeader checks a request header for action at now (senders are checked by the
// caller, who knows who is asking).
func CheckHeader(h *Header, action string, now time.Time) *Refusal {
	if h.Version != "" && h.Version != Version {
		return refuse(400, HdrVersionInvalid, ErrVersionNotSupported, "version %q is not supported; use %s", clip(h.Version), Version)
	}
	if h.MessageID == "" || len(h.MessageID) > MaxMessageID {
		return BadRequest("header.message_id is required, at most %d characters", MaxMessageID)
	}
	ts, err := time.Parse(time.RFC3339, h.MessageTS)
	if err != nil {
		return refuse(400, HdrMessageTSInvalid, ErrRequestBad, "header.message_ts must be a date-time with its zone, e.g. 2026-11-25T10:00:00+07:00")
	}
	if ts.Before(now.Add(-MaxMessageAge)) || ts.After(now.Add(MaxClockSkew)) {
		return refuse(400, HdrMessageTSInvalid, ErrRequestBad, "header.message_ts is more than %s old or in the future", MaxMessageAge)
	}
	if h.Action != action {
		return refuse(400, HdrActionInvalid, ErrRequestBad, "header.action must be %q at this address", action)
	}
	if h.TotalCount == nil {
		return refuse(400, HdrTotalCountInvalid, ErrRequestBad, "header.total_count is required")
	}
	if h.IsMsgEncrypted {
		return refuse(400, "", ErrEncryptionInvalid, "encrypted messages are not supported; send is_msg_encrypted false over TLS")
	}
	return nil
}

// DecodeResolve reads and checks a resolve message against its header: the
// transaction id and the item count. Items are checked one by one by CheckItems.
func DecodeResolve(env *Envelope, h *Header) (*ResolveRequest, *Refusal) {
	if !isObject(env.Message) {
		return nil, BadRequest("message is required and must be an object")
	}
	var m ResolveRequest
	if err := strictDecode(env.Message, &m); err != nil {
		return nil, BadRequest("message: %v", err)
	}
	if m.TransactionID == nil || *m.TransactionID == "" || len(*m.TransactionID) > MaxTransactionID {
		return nil, BadRequest("message.transaction_id is required, at most %d characters", MaxTransactionID)
	}
	if m.Items == nil {
		return nil, BadRequest("message.resolve_request is required (a list)")
	}
	if len(m.Items) > MaxItems {
		return nil, refuse(400, HdrTotalCountLimit, ErrRequestBad, "at most %d items in one message", MaxItems)
	}
	if *h.TotalCount != len(m.Items) {
		return nil, refuse(400, HdrTotalCountInvalid, ErrRequestBad, "header.total_count is %d but resolve_request has %d items", *h.TotalCount, len(m.Items))
	}
	return &m, nil
}

var localeRE = regexp.MustCompile(`^[a-z]{3}$`)

// ItemProblem is why one item is rejected: a reason code (may be empty where the
// schema has none) and a message.
type ItemProblem struct {
	Code    string
	Message string
}

// CheckItems returns, for each item, why it is rejected, or nil when it may be
// answered. A reference id used by several items rejects all of them: their answers
// could not be told apart.
func CheckItems(items []ResolveItem) []*ItemProblem {
	seen := make(map[string]int, len(items))
	for _, it := range items {
		seen[it.ReferenceID]++
	}
	out := make([]*ItemProblem, len(items))
	for i, it := range items {
		p := func(code, msg string) { out[i] = &ItemProblem{Code: code, Message: msg} }
		switch {
		case it.ReferenceID == "" || len(it.ReferenceID) > MaxReferenceID:
			p(RjctReferenceIDInvalid, fmt.Sprintf("reference_id is required, at most %d characters", MaxReferenceID))
		case seen[it.ReferenceID] > 1:
			p(RjctReferenceIDDuplicate, "reference_id is used by more than one item of the message")
		case !validTime(it.Timestamp):
			p(RjctTimestampInvalid, "timestamp must be a date-time with its zone")
		case it.Scope != "" && it.Scope != ScopeYesNo && it.Scope != ScopeDetails:
			p(RjctResolveTypeNotSupported, "scope must be yes_no (the default) or details")
		case it.Locale != "" && !localeRE.MatchString(it.Locale):
			p("", "locale must be an ISO 639-3 code of three lower-case letters, e.g. vie")
		case it.ID == "" && it.FA == "":
			p(RjctFAInvalid, "fa or id is required")
		case it.ID != "" && !validID(it.ID):
			p(RjctIDInvalid, "id must be cccd:<12 digits>@vn")
		case it.FA != "" && !validFA(it.FA):
			p(RjctFAInvalid, "fa must be account:<number>@<bank BIN>")
		}
	}
	return out
}

// Ids and financial addresses are case-insensitive normative forms
// (cdpi_PersonId, cdpi_FinancialAddress): they are compared lower-cased.
var (
	idRE = regexp.MustCompile(`^cccd:([0-9]{12})@vn$`)
	faRE = regexp.MustCompile(`^account:([0-9]{6,19})@([0-9]{6})$`)
)

// ParseID returns the CCCD of a person id "cccd:<12 digits>@vn", in any case.
func ParseID(id string) (cccd string, ok bool) {
	m := idRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(id)))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// ParseFA returns the account number and bank BIN of "account:<number>@<BIN>".
func ParseFA(fa string) (number, bin string, ok bool) {
	m := faRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(fa)))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// PersonID writes a CCCD as a person id.
func PersonID(cccd string) string { return "cccd:" + cccd + "@vn" }

// FinancialAddress writes a bank account as a financial address.
func FinancialAddress(number, bin string) string { return "account:" + number + "@" + bin }

func validID(s string) bool { _, ok := ParseID(s); return ok }
func validFA(s string) bool { _, _, ok := ParseFA(s); return ok }

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

// strictDecode decodes one JSON value, nothing after it.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s", describeJSON(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("more than one JSON value")
	}
	return nil
}

func describeJSON(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("%s must be a %s", te.Field, te.Type)
	}
	return "malformed JSON"
}

func isObject(raw json.RawMessage) bool {
	b := bytes.TrimSpace(raw)
	return len(b) > 0 && b[0] == '{'
}

// clip bounds caller text echoed in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}
