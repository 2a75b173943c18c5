package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
	"ansinh/g2p"
	"ansinh/i18n"
)

// codeStatus is the one place that maps the domain's error codes to HTTP statuses.
var codeStatus = map[string]int{
	ansinh.EBADREQUEST:     fiber.StatusBadRequest,
	ansinh.EINVALID:        fiber.StatusUnprocessableEntity,
	ansinh.EUNAUTHORIZED:   fiber.StatusUnauthorized,
	ansinh.EFORBIDDEN:      fiber.StatusForbidden,
	ansinh.EPASSWORDCHANGE: fiber.StatusForbidden,
	ansinh.ENOTFOUND:       fiber.StatusNotFound,
	ansinh.ECONFLICT:       fiber.StatusConflict,
	ansinh.ETOOLARGE:       fiber.StatusRequestEntityTooLarge,
	ansinh.ERATELIMIT:      fiber.StatusTooManyRequests,
	ansinh.EINTERNAL:       fiber.StatusInternalServerError,
}

// fiberErrors turns Fiber's own errors (no route, body too large, …) into domain ones.
var fiberErrors = map[int]*ansinh.Error{
	fiber.StatusBadRequest:                  {Code: ansinh.EBADREQUEST, Message: ansinh.MsgBadRequest},
	fiber.StatusNotFound:                    {Code: ansinh.ENOTFOUND, Message: ansinh.MsgNotFound},
	fiber.StatusMethodNotAllowed:            {Code: "method_not_allowed", Message: ansinh.MsgMethodNotAllowed},
	fiber.StatusRequestTimeout:              {Code: "timeout", Message: ansinh.MsgTimeout},
	fiber.StatusRequestEntityTooLarge:       {Code: ansinh.ETOOLARGE, Message: ansinh.MsgTooLarge},
	fiber.StatusRequestHeaderFieldsTooLarge: {Code: ansinh.ETOOLARGE, Message: ansinh.MsgTooLarge},
	fiber.StatusTooManyRequests:             {Code: ansinh.ERATELIMIT, Message: ansinh.MsgTooManyRequests},
}

// classify returns the HTTP status and the user-facing error for any error.
func classify(err error) (int, *ansinh.Error) {
	var de *ansinh.Error
	if errors.As(err, &de) {
		status, ok := codeStatus[de.Code]
		if !ok {
			status = fiber.StatusInternalServerError
		}
		if status >= 500 {
			return status, &ansinh.Error{Code: ansinh.EINTERNAL, Message: ansinh.MsgInternal}
		}
		return status, de
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		if e, ok := fiberErrors[fe.Code]; ok {
			return fe.Code, e
		}
	}
	return fiber.StatusInternalServerError, &ansinh.Error{Code: ansinh.EINTERNAL, Message: ansinh.MsgInternal}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// ErrorHandler is the one place that turns an error into a response: the JSON error
// shape for machine routes, a Vietnamese page for people. 5xx bodies say nothing of
// the cause; the cause goes to the log.
func (h *Handler) ErrorHandler(c *fiber.Ctx, err error) error {
	status, e := classify(err)
	if status >= 500 {
		h.log.Error("request failed", "method", methodLabel(c), "route", routeLabel(c, status), "err", err)
	}
	h.setSecureHeaders(c)
	if status == fiber.StatusTooManyRequests && len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
		c.Set(fiber.HeaderRetryAfter, retryAfter(err))
	}
	c.Status(status)
	if strings.HasPrefix(c.Path(), "/g2p/") {
		if status == fiber.StatusUnauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="g2p"`)
		}
		return c.JSON(g2p.HTTPError{Errors: []g2p.Error{{Code: g2pErrorCode(status), Message: http.StatusText(status)}}})
	}
	if wantsJSON(c) {
		return c.JSON(errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}})
	}
	if rerr := c.Render("error", h.errorPage(c, status, e)); rerr != nil {
		h.log.Error("render error page", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(e.Message)
	}
	return nil
}

// retryAfter is the Retry-After of a throttled request, in seconds: the throttle's
// wait, or a minute (the public limiter's window).
func retryAfter(err error) string {
	var we *waitError
	if errors.As(err, &we) {
		return strconv.Itoa(int(max(we.wait, time.Second).Round(time.Second) / time.Second))
	}
	return "60"
}

// wantsJSON reports whether the route answers machines rather than people. A request
// refused before it was parsed (headers too large, a broken request line) has no path
// to go by; no browser sends one, so it gets JSON too.
func wantsJSON(c *fiber.Ctx) bool {
	if len(c.Route().Handlers) == 0 {
		return true
	}
	p := c.Path()
	return strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/webhooks/") || strings.HasPrefix(p, "/g2p/")
}

// decodeJSON reads a JSON object into v. A body that is not JSON is a 400; a value of
// the wrong type (an object such as {"$ne":null} where a string is due) is a 422 that
// names the field. Nothing is half-applied: v is only used when this returns nil.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return ansinh.Errorf(ansinh.EBADREQUEST, ansinh.MsgNeedJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return ansinh.Errorf(ansinh.EBADREQUEST, ansinh.MsgMalformedJSON)
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return ansinh.FieldError(field, ansinh.MsgWrongType)
	}
	return ansinh.Errorf(ansinh.EBADREQUEST, ansinh.MsgMalformedJSON)
}

func (h *Handler) logPanic(c *fiber.Ctx, e any) {
	h.log.Error("panic", "method", c.Method(), "route", c.Route().Path, "panic", slog.AnyValue(e))
}

// pageMessage is what a page shows for an error: the field's message when there is
// one (it says what to fix), else the general one.
func pageMessage(e *ansinh.Error) string {
	for _, m := range e.Fields {
		return m
	}
	return e.Message
}

// errorPage is what an error page shows a person: "Lỗi:" and a short title, the
// message, a way to start again and, through the layout, whom to call (the commune's
// officer when the address names a commune).
func (h *Handler) errorPage(c *fiber.Ctx, status int, e *ansinh.Error) fiber.Map {
	data := fiber.Map{"Title": ansinh.MsgErrorPrefix + errorTitle(status), "Status": status, "Message": e.Message,
		"Restart": "/", "RestartLabel": ansinh.MsgStartAgain, "ContactUnit": ""}
	if u := currentUser(c); u != nil && strings.HasPrefix(c.Path(), "/can-bo") {
		data["User"], data["Restart"], data["RestartLabel"] = u, "/can-bo/", ansinh.MsgStaffHome
		return data
	}
	lang := h.lang(c)
	data["Lang"], data["Title"] = lang, i18n.Chat(lang, data["Title"].(string))
	if code, ok := strings.CutPrefix(c.Path(), "/c/"); ok {
		if u, known := h.units.Get(code); known && u.Leaf() && u.Parent != "" {
			data["ContactUnit"], data["Restart"] = code, "/c/"+code
		} else if status == fiber.StatusNotFound {
			// A code misread from a poster, or one that no longer exists.
			data["Message"], data["Restart"], data["RestartLabel"] = ansinh.MsgCommuneCodeGone, "/#chon-xa", ansinh.MsgChooseCommune
		}
	}
	if status == fiber.StatusNotFound && strings.HasPrefix(c.Path(), "/r/") {
		data["Message"] = ansinh.MsgQRInvalid
	}
	return data
}

// errorTitle is an error page's title after "Lỗi:".
func errorTitle(status int) string {
	switch {
	case status == fiber.StatusNotFound:
		return ansinh.MsgTitleNotFound
	case status == fiber.StatusTooManyRequests:
		return ansinh.MsgTitleTooMany
	case status == fiber.StatusUnauthorized || status == fiber.StatusForbidden:
		return ansinh.MsgTitleForbidden
	case status == fiber.StatusRequestEntityTooLarge || status == fiber.StatusRequestHeaderFieldsTooLarge:
		return ansinh.MsgTitleTooLarge
	case status >= 500:
		return ansinh.MsgTitleInternal
	}
	return ansinh.MsgTitleBadRequest
}
