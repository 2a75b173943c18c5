package g2p

import (
	"bytes"
	"encoding/json"
	"time"
)

// Envelope is a request as received. Header and message stay raw: the signature is
// over their bytes exactly as sent.
type Envelope struct {
	Signature string          `json:"signature"`
	Header    json.RawMessage `json:"header"`
	Message   json.RawMessage `json:"message"`
}

// Header is a request's header (MsgHeader_V1.0.0). TotalCount is a pointer to tell a
// missing count from zero.
type Header struct {
	Version        string `json:"version"`
	MessageID      string `json:"message_id"`
	MessageTS      string `json:"message_ts"`
	Action         string `json:"action"`
	SenderID       string `json:"sender_id"`
	SenderURI      string `json:"sender_uri"`
	ReceiverID     string `json:"receiver_id"`
	TotalCount     *int   `json:"total_count"`
	IsMsgEncrypted bool   `json:"is_msg_encrypted"`
}

// CallbackHeader is an answer's header (MsgCallbackHeader_V1.0.0): the synchronous
// answer's and the on-resolve callback's. Reason code and message are absent, never
// null, when there is nothing to say.
type CallbackHeader struct {
	Version             string `json:"version"`
	MessageID           string `json:"message_id"`
	MessageTS           string `json:"message_ts"`
	Action              string `json:"action"`
	Status              string `json:"status"`
	StatusReasonCode    string `json:"status_reason_code,omitempty"`
	StatusReasonMessage string `json:"status_reason_message,omitempty"`
	TotalCount          int    `json:"total_count"`
	CompletedCount      int    `json:"completed_count"`
	SenderID            string `json:"sender_id,omitempty"`
	ReceiverID          string `json:"receiver_id,omitempty"`
	IsMsgEncrypted      bool   `json:"is_msg_encrypted"`
}

// ResolveRequest is a resolve message. TransactionID is a pointer to tell it missing;
// Items is nil when resolve_request is missing or null.
type ResolveRequest struct {
	TransactionID *string       `json:"transaction_id"`
	Items         []ResolveItem `json:"resolve_request"`
}

// ResolveItem is one question: which account pays this person (id), whose is this
// account (fa), or is this account this person's (both).
type ResolveItem struct {
	ReferenceID string `json:"reference_id"`
	Timestamp   string `json:"timestamp"`
	FA          string `json:"fa"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Scope       string `json:"scope"`
	Locale      string `json:"locale"`
}

// ResolveResponse is the answer's message. Answers is never nil: no answers is [].
type ResolveResponse struct {
	TransactionID string          `json:"transaction_id"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	Answers       []ResolveAnswer `json:"resolve_response"`
}

// ResolveAnswer answers one item.
type ResolveAnswer struct {
	ReferenceID         string               `json:"reference_id"`
	Timestamp           string               `json:"timestamp"`
	FA                  string               `json:"fa,omitempty"`
	ID                  string               `json:"id,omitempty"`
	AccountProviderInfo *AccountProviderInfo `json:"account_provider_info,omitempty"`
	Status              string               `json:"status"`
	StatusReasonCode    string               `json:"status_reason_code,omitempty"`
	StatusReasonMessage string               `json:"status_reason_message,omitempty"`
}

// AccountProviderInfo names the store of value: for a bank, its name and NAPAS BIN.
type AccountProviderInfo struct {
	Name    string `json:"name"`
	Code    string `json:"code"`
	Subcode string `json:"subcode,omitempty"`
}

// Ack is the immediate answer of an asynchronous call.
type Ack struct {
	Message AckMessage `json:"message"`
}

// AckMessage says whether the request was taken (ACK), and if not, why.
type AckMessage struct {
	AckStatus     string `json:"ack_status"`
	Timestamp     string `json:"timestamp"`
	Error         *Error `json:"error,omitempty"`
	CorrelationID string `json:"correlation_id"`
}

// Error is a transport-level error.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// HTTPError is the body of a 401, 403 or 500 (HttpErrorResponse).
type HTTPError struct {
	Errors []Error `json:"errors"`
}

// Timestamp writes t as the schema's date-time.
func Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Reason bounds a status reason message to the schema's 999 characters.
func Reason(msg string) string {
	if len(msg) <= maxReasonMessageLength {
		return msg
	}
	r := []rune(msg)
	for len(string(r)) > maxReasonMessageLength {
		r = r[:len(r)-1]
	}
	return string(r)
}

// Encode writes an answer envelope {signature, header, message}; message nil is left
// out. With sign, the signature is made over the very bytes written for header and
// message.
func Encode(header, message any, sign func(header, message []byte) string) ([]byte, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	var m []byte
	if message != nil {
		if m, err = json.Marshal(message); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	if sign != nil {
		s, _ := json.Marshal(sign(h, m))
		b.WriteString(`"signature":`)
		b.Write(s)
		b.WriteByte(',')
	}
	b.WriteString(`"header":`)
	b.Write(h)
	if m != nil {
		b.WriteString(`,"message":`)
		b.Write(m)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
