package ansinh

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"
)

// The input rules shared by the web form and the API, as validator tags:
// cccd, bin, account, vnphone, holder, birthdate, idemkey.
var validate = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	rules := map[string]func(string) bool{
		"cccd":      func(s string) bool { _, msg := NormalizeCCCD(s); return msg == "" },
		"bin":       func(s string) bool { _, ok := BankByBIN(s); return ok },
		"account":   func(s string) bool { _, msg := NormalizeAccountNumber(s); return msg == "" },
		"vnphone":   ValidPhone,
		"holder":    ValidHolder,
		"birthdate": validBirthDate,
		"idemkey":   func(s string) bool { return idemRE.MatchString(s) },
	}
	for tag, rule := range rules {
		_ = v.RegisterValidation(tag, func(fl validator.FieldLevel) bool { return rule(fl.Field().String()) })
	}
	return v
})

var (
	phoneRE  = regexp.MustCompile(`^(0[35789][0-9]{8}|02[0-9]{9})$`)
	holderRE = regexp.MustCompile(`^[A-Z][A-Z .'-]*$`)
	idemRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{8,100}$`)
)

// ValidPhone reports whether a normalised number is a Vietnamese mobile or landline
// number (the tag vnphone).
func ValidPhone(s string) bool { return phoneRE.MatchString(s) }

// ValidHolder reports whether s, as banks print it, can be an account holder's name
// (the tag holder).
func ValidHolder(s string) bool {
	h := HolderName(s)
	return h != "" && len(h) <= 70 && holderRE.MatchString(h)
}

func validBirthDate(s string) bool {
	t, err := time.Parse("2006-01-02", s)
	return err == nil && t.Year() >= 1900 && t.Before(time.Now())
}

// NormalizePhone reads a phone number as people type it: spaces, dots, +84 or 84.
func NormalizePhone(s string) string {
	d := digitsOnly(strings.TrimPrefix(strings.TrimSpace(s), "+"))
	if strings.HasPrefix(d, "84") && len(d) >= 11 {
		d = "0" + d[2:]
	}
	return d
}

// fieldMessages names, per field, what to tell the person when it is wrong.
var fieldMessages = map[string]string{
	"cccd":               MsgCCCDLength,
	"qr_token":           MsgQRInvalid,
	"birth_date":         MsgBirthDateInvalid,
	"submitter":          MsgSubmitterInvalid,
	"proxy":              MsgProxyNameRequired,
	"proxy.name":         MsgProxyNameRequired,
	"proxy.cccd":         MsgCCCDLength,
	"proxy.phone":        MsgPhoneInvalid,
	"proxy.relationship": MsgProxyRelation,
	"bank_bin":           MsgBankRequired,
	"account_number":     MsgAccountLength,
	"account_name":       MsgHolderInvalid,
	"phone":              MsgPhoneInvalid,
	"consent":            MsgConsentRequired,
	"idempotency_key":    MsgIdempotencyKey,
}

// Validate checks a request struct against its `validate` tags and returns an *Error
// whose Fields name each wrong field (by its JSON name) with a Vietnamese message.
func Validate(v any) error { return fieldErrors(validate().Struct(v)) }

// ValidateExcept is Validate leaving out the named Go fields (e.g. the identity fields
// of a request whose sender is already identified).
func ValidateExcept(v any, fields ...string) error {
	return fieldErrors(validate().StructExcept(v, fields...))
}

func fieldErrors(err error) error {
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err
	}
	fields := map[string]string{}
	for _, fe := range verrs {
		// "RegistrationRequest.proxy.name" → "proxy.name"
		_, name, _ := strings.Cut(fe.Namespace(), ".")
		msg, ok := fieldMessages[name]
		switch {
		case fe.Tag() == "max":
			msg = MsgFieldTooLong
		case strings.HasPrefix(fe.Tag(), "required") && name == "cccd":
			msg = MsgCCCDRequired
		case fe.Tag() == "required" && name == "account_number":
			msg = MsgAccountRequired
		case !ok:
			msg = MsgInvalidInput
		}
		if _, seen := fields[name]; !seen {
			fields[name] = msg
		}
	}
	return &Error{Code: EINVALID, Message: MsgInvalidInput, Fields: fields}
}

// RegistrationRequest is a submission as the API and the form receive it.
type RegistrationRequest struct {
	CCCD          string        `json:"cccd" validate:"required_without=QRToken,omitempty,cccd"`
	QRToken       string        `json:"qr_token" validate:"omitempty,max=200"`
	BirthDate     string        `json:"birth_date" validate:"required,birthdate"`
	Submitter     string        `json:"submitter" validate:"required,oneof=self proxy"`
	Proxy         *ProxyRequest `json:"proxy" validate:"required_if=Submitter proxy,omitempty"`
	BankBIN       string        `json:"bank_bin" validate:"required,bin"`
	AccountNumber string        `json:"account_number" validate:"required,account"`
	AccountName   string        `json:"account_name" validate:"required,holder"`
	Phone         string        `json:"phone" validate:"omitempty,vnphone"`
	Consent       bool          `json:"consent" validate:"eq=true"`
	NotifyConsent bool          `json:"notify_consent"`
	// VNeIDLinked: the account is the one the person linked in VNeID (an officer or a
	// client asks; the public form does not).
	VNeIDLinked    bool   `json:"vneid_linked"`
	IdempotencyKey string `json:"idempotency_key" validate:"omitempty,idemkey"`
}

// ProxyRequest describes the authorised proxy.
type ProxyRequest struct {
	Name         string `json:"name" validate:"required,max=100"`
	CCCD         string `json:"cccd" validate:"required,cccd"`
	Phone        string `json:"phone" validate:"required,vnphone"`
	Relationship string `json:"relationship" validate:"required,max=50"`
}

// Normalize cleans what people type (separators in numbers, spaces, accents in the
// holder name) before validation.
func (r *RegistrationRequest) Normalize() {
	r.CCCD = padCCCD(digitsOnly(r.CCCD))
	r.QRToken = strings.TrimSpace(r.QRToken)
	r.BirthDate = strings.TrimSpace(r.BirthDate)
	r.Submitter = strings.TrimSpace(r.Submitter)
	r.BankBIN = strings.TrimSpace(r.BankBIN)
	r.AccountNumber = digitsOnly(r.AccountNumber)
	r.AccountName = HolderName(r.AccountName)
	r.Phone = NormalizePhone(r.Phone)
	r.IdempotencyKey = strings.TrimSpace(r.IdempotencyKey)
	if r.Submitter == SubmitterSelf {
		r.Proxy = nil
	}
	if p := r.Proxy; p != nil {
		p.Name = NormalizeName(p.Name)
		p.CCCD = padCCCD(digitsOnly(p.CCCD))
		p.Phone = NormalizePhone(p.Phone)
		p.Relationship = NormalizeName(p.Relationship)
	}
}
