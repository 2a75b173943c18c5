// Package ansinh holds the domain of the service: units, staff users, roles, the
// audit trail and the rules that apply to them. It knows nothing of HTTP or MongoDB.
package ansinh

import (
	"errors"
	"fmt"
)

// Error codes. Exactly one place (handlers.ErrorHandler) maps them to HTTP statuses.
const (
	EBADREQUEST   = "bad_request"  // the body cannot be read at all (malformed JSON, wrong content type)
	EINVALID      = "validation"   // a field has the wrong type or breaks a rule
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // credentials valid, action outside the caller's rights
	ENOTFOUND     = "not_found"    // no such record (or not visible to the caller)
	ECONFLICT     = "conflict"     // the record changed or already exists
	ETOOLARGE     = "too_large"    // the body or file is over the limit
	ERATELIMIT    = "rate_limited" // too many attempts
	EINTERNAL     = "internal"     // anything else; never shown in detail
)

// Error is the one error type that carries a code and a message meant for the user
// (in Vietnamese). Fields names input fields with their own messages.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	return fmt.Sprintf("ansinh error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns a validation error for a single input field.
func FieldError(field, message string) *Error {
	return &Error{Code: EINVALID, Message: MsgInvalidInput, Fields: map[string]string{field: message}}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return MsgInternal
}
