// Package zalo speaks the Zalo Official Account (OA) protocol for the
// chatbot's Zalo channel: it parses and verifies webhook deliveries, sends
// customer-service messages (OA API v3), refreshes OA access tokens and
// downloads images that users send.
//
// The package holds no state and stores nothing. The caller verifies and
// persists a webhook delivery, answers HTTP 200 within two seconds, runs the
// conversation afterwards and sends replies through its own outbox, using
// [Retryable] and the [APIError] methods to decide what to do on failure.
//
// Webhook handling, in order:
//
//	ev, err := zalo.ParseEvent(body)
//	// err != nil: not a JSON object; answer 200 and drop it.
//	// ev.Name == "": the unsigned {} console probe; answer 200, do nothing.
//	if !zalo.VerifySignature(r.Header.Get("X-ZEvent-Signature"), body,
//		ev.AppID, ev.Timestamp, oaSecretKey) {
//		// answer 200, store nothing, count and log it
//	}
//	// Store ev once under ev.Key(), answer 200, then: skip ev.Echo()
//	// events and run the conversation for ev.Handled() events.
package zalo

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Event names the package must recognise; any other name is carried
// through as sent.
const (
	eventUserSendText    = "user_send_text"
	eventUserSendImage   = "user_send_image"
	eventFollow          = "follow"
	eventUserSubmitInfo  = "user_submit_info"
	eventUserReceivedMsg = "user_received_message"
	eventUserSeenMsg     = "user_seen_message"
	eventOASendPrefix    = "oa_send_"
)

// signaturePrefix starts the X-ZEvent-Signature header value.
const signaturePrefix = "mac="

// Event is one webhook delivery, parsed.
//
// Every field is a string exactly as Zalo sent it; ids and the timestamp are
// also accepted as JSON numbers, in which case the number's text is kept
// verbatim (no float rounding of 18-digit ids). A field that is absent or of
// an unexpected JSON type is left empty.
type Event struct {
	// AppID is app_id, the Zalo app that delivered the event; it is part of
	// the signed string (see VerifySignature).
	AppID string
	// Name is event_name, e.g. "user_send_text". It is "" for the empty
	// object {} Zalo may post when the webhook URL is saved in the console.
	Name string
	// Timestamp is timestamp, epoch milliseconds as sent (a string); it is
	// part of the signed string.
	Timestamp string
	// UserID is sender.id, or follower.id for follow/unfollow (which have
	// no sender), or "". For oa_send_* echoes the sender is the OA itself,
	// so UserID is then the OA's id; echoes are never answered anyway.
	UserID string
	// OAID is recipient.id, or oa_id for events without a recipient.
	OAID string
	// MsgID is message.msg_id, or "" when the event carries none.
	MsgID string
	// Text is message.text: what the user typed for user_send_text,
	// including the payload of a tapped oa.query.* button. It is also set
	// when another event carries a message.text (an image caption, an
	// echo); look at Name before using it.
	Text string
	// ImageURL is payload.url of the first attachment of type "image"
	// (user_send_image), or "". Download it with Client.FetchImage.
	ImageURL string
	// Info is the info object of user_submit_info (the user's answer to a
	// request_user_info card), or nil when the event has none.
	Info *UserInfo
}

// UserInfo is what a user shared in answer to a request_user_info card.
//
// Zalo has been seen to send it in two shapes and both are read: flat
// address, city, district and ward fields; or user_dob, gender and a
// full_address object (with address or street, city or province, district,
// ward) or full_address string. Flat fields win when both are present. Any
// field the user did not share is "".
type UserInfo struct {
	Name     string // name
	Phone    string // phone, as sent (usually 84…)
	Address  string // address, or full_address.address / .street, or a full_address string
	City     string // city, or full_address.city / .province
	District string // district, or full_address.district
	Ward     string // ward, or full_address.ward
	DOB      string // user_dob (or dob), as sent
	Gender   string // gender (or user_gender), as sent
}

// ParseEvent parses one webhook body. It is tolerant: unknown fields are
// ignored, ids and the timestamp may be strings or numbers, and a known field
// with an unexpected type is left empty rather than failing the whole event.
// The empty object {} (the console probe) parses to an Event with Name "".
//
// It returns an error only when body is not a single JSON object (empty,
// malformed, an array, null, trailing data…). It never panics.
func ParseEvent(body []byte) (*Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("zalo: webhook body is not a JSON object")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, fmt.Errorf("zalo: webhook body: %w", err)
	}
	sender := object(top["sender"])
	recipient := object(top["recipient"])
	follower := object(top["follower"])
	message := object(top["message"])

	ev := &Event{
		AppID:     scalar(top["app_id"]),
		Name:      scalar(top["event_name"]),
		Timestamp: scalar(top["timestamp"]),
		UserID:    first(scalar(sender["id"]), scalar(follower["id"])),
		OAID:      first(scalar(recipient["id"]), scalar(top["oa_id"])),
		MsgID:     scalar(message["msg_id"]),
		Text:      scalar(message["text"]),
	}
	for _, a := range array(message["attachments"]) {
		att := object(a)
		if scalar(att["type"]) != "image" {
			continue
		}
		if u := scalar(object(att["payload"])["url"]); u != "" {
			ev.ImageURL = u
			break
		}
	}
	if info := object(top["info"]); info != nil {
		ev.Info = parseUserInfo(info)
	}
	return ev, nil
}

func parseUserInfo(m map[string]json.RawMessage) *UserInfo {
	u := &UserInfo{
		Name:     scalar(m["name"]),
		Phone:    scalar(m["phone"]),
		Address:  scalar(m["address"]),
		City:     scalar(m["city"]),
		District: scalar(m["district"]),
		Ward:     scalar(m["ward"]),
		DOB:      first(scalar(m["user_dob"]), scalar(m["dob"])),
		Gender:   first(scalar(m["gender"]), scalar(m["user_gender"])),
	}
	if fa := object(m["full_address"]); fa != nil {
		u.Address = first(u.Address, scalar(fa["address"]), scalar(fa["street"]))
		u.City = first(u.City, scalar(fa["city"]), scalar(fa["province"]))
		u.District = first(u.District, scalar(fa["district"]))
		u.Ward = first(u.Ward, scalar(fa["ward"]))
	} else {
		u.Address = first(u.Address, scalar(m["full_address"]))
	}
	return u
}

// Key returns the de-duplication key of the event: "msg:"+MsgID when the
// event has a message id, else Name+":"+UserID+":"+Timestamp. Zalo re-sends
// a delivery it thinks failed; store each key once.
func (e *Event) Key() string {
	if e == nil {
		return ""
	}
	if e.MsgID != "" {
		return "msg:" + e.MsgID
	}
	return e.Name + ":" + e.UserID + ":" + e.Timestamp
}

// Echo reports whether the event is an echo of the OA's own message
// (any event name starting with "oa_send_") or a delivery/read receipt
// (user_received_message, user_seen_message). Never answer these: answering
// an echo loops.
func (e *Event) Echo() bool {
	if e == nil {
		return false
	}
	return strings.HasPrefix(e.Name, eventOASendPrefix) ||
		e.Name == eventUserReceivedMsg || e.Name == eventUserSeenMsg
}

// Handled reports whether the chatbot reacts to the event: user_send_text,
// user_send_image, follow or user_submit_info. Other events (unfollow,
// stickers, echoes, receipts, the {} probe…) are acknowledged and ignored.
func (e *Event) Handled() bool {
	if e == nil {
		return false
	}
	switch e.Name {
	case eventUserSendText, eventUserSendImage, eventFollow, eventUserSubmitInfo:
		return true
	}
	return false
}

// VerifySignature checks the X-ZEvent-Signature header of a webhook delivery.
//
// The header is "mac=" followed by the hex SHA-256 (plain, not HMAC) of
// appID + body + timestamp + oaSecretKey, where body is the exact bytes
// received, appID and timestamp come from the body (Event.AppID,
// Event.Timestamp) and oaSecretKey is the OA secret key (not the app secret
// key). Zalo sends lowercase hex; upper- or mixed-case hex and an upper-case
// "MAC=" are accepted too, as is surrounding white space. The comparison is
// constant-time.
//
// It returns false for a missing header, a header without the "mac=" prefix,
// a value that is not 64 hex digits, and an empty oaSecretKey (which would
// let anyone forge a signature).
func VerifySignature(header string, body []byte, appID, timestamp, oaSecretKey string) bool {
	if oaSecretKey == "" {
		return false
	}
	h := strings.TrimSpace(header)
	if len(h) < len(signaturePrefix) || !strings.EqualFold(h[:len(signaturePrefix)], signaturePrefix) {
		return false
	}
	got, err := hex.DecodeString(h[len(signaturePrefix):])
	if err != nil || len(got) != sha256.Size {
		return false
	}
	d := sha256.New()
	d.Write([]byte(appID))
	d.Write(body)
	d.Write([]byte(timestamp))
	d.Write([]byte(oaSecretKey))
	return subtle.ConstantTimeCompare(got, d.Sum(nil)) == 1
}

// scalar returns a JSON string's value, a JSON number's text verbatim, or ""
// for anything else (absent, null, bool, object, array, malformed).
func scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case c == '-' || (c >= '0' && c <= '9'):
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	}
	return ""
}

// object decodes raw when it is a JSON object, else returns nil (reading a
// nil map is safe, so callers chain lookups freely).
func object(raw json.RawMessage) map[string]json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// array decodes raw when it is a JSON array, else returns nil.
func array(raw json.RawMessage) []json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	var a []json.RawMessage
	if json.Unmarshal(raw, &a) != nil {
		return nil
	}
	return a
}

// first returns the first non-empty string.
func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
