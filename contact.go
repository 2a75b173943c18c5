package ansinh

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Contact is the person a beneficiary can call about the service: for a commune, its
// welfare officer; for the province (the root unit), the city-level line and the
// Zalo Official Account's follow link. It is the officer's work phone, not personal
// data of a beneficiary, and it is shown on the commune's public pages, posters,
// notice cards and in the chat's "gặp cán bộ".
type Contact struct {
	Unit      string    // the unit's code: the store's _id
	Name      string    // "Nguyễn Thị Lan"
	Phone     string    // "02993821234" or a mobile number
	Hours     string    // "7 giờ – 11 giờ, 13 giờ – 17 giờ, thứ Hai đến thứ Sáu"
	ZaloOA    string    // the root unit only: https://zalo.me/<OA id>, "" none
	UpdatedBy string    // the staff user who last changed it
	UpdatedAt time.Time //
}

// ActionContactUpdate is the audit action of a change of a unit's contact.
const ActionContactUpdate = "contact.update"

// Bounds of a contact's fields.
const (
	maxContactName  = 80
	maxContactHours = 120
	maxZaloOA       = 200
)

// NormalizeContact tidies what the officer typed and checks it: a field error (the
// form's field names) for the first thing wrong, nil when the contact can be stored.
// An empty name, phone and hours is allowed: it clears the contact.
func NormalizeContact(c *Contact) *Error {
	c.Name, c.Hours = NormalizeName(c.Name), NormalizeName(c.Hours)
	c.Phone = NormalizePhone(c.Phone)
	c.ZaloOA = strings.TrimSpace(c.ZaloOA)
	switch {
	case utf8.RuneCountInString(c.Name) > maxContactName || !printable(c.Name):
		return FieldError("name", MsgContactName)
	case c.Name == "" && c.Phone != "":
		return FieldError("name", MsgContactName)
	case c.Phone == "" && c.Name != "":
		return FieldError("phone", MsgContactPhone)
	case c.Phone != "" && !ValidPhone(c.Phone):
		return FieldError("phone", MsgContactPhone)
	case utf8.RuneCountInString(c.Hours) > maxContactHours || !printable(c.Hours):
		return FieldError("hours", MsgContactHours)
	case c.ZaloOA != "" && !validZaloOA(c.ZaloOA):
		return FieldError("zalo_oa", MsgContactZaloOA)
	}
	return nil
}

// Empty reports whether the contact says nothing (no one to call).
func (c *Contact) Empty() bool { return c == nil || c.Phone == "" }

// printable refuses markup-like and control characters in a text shown on posters.
func printable(s string) bool { return !strings.ContainsAny(s, "<>{}\\") }

// validZaloOA accepts an OA's follow link: https on zalo.me or oa.zalo.me, no more.
func validZaloOA(s string) bool {
	if len(s) > maxZaloOA {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	return (u.Host == "zalo.me" || u.Host == "oa.zalo.me") && len(u.Path) > 1
}
