package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	defaultAPIURL   = "https://openapi.zalo.me"
	defaultOAuthURL = "https://oauth.zaloapp.com"

	maxTextLen     = 2000    // characters (Unicode code points) per message
	maxButtons     = 5       // buttons per message, all kinds together
	maxResponseLen = 1 << 20 // bytes read from an API or OAuth answer

	opSend    = "send"
	opRefresh = "refresh"
	opFetch   = "fetch image"
)

// defaultHTTP is used when Client.HTTP is nil.
var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

// Button is a quick-reply button, sent as type "oa.query.hide": when the user
// taps it, Zalo delivers Payload back as the text of a user_send_text event
// (and, being "hide", does not show it in the chat as the user's message).
type Button struct {
	Title   string // label shown on the button
	Payload string // text delivered back when tapped, e.g. "#yes"
}

// URLButton is a button of type "oa.open.url" that opens a web page.
type URLButton struct {
	Title string // label shown on the button
	URL   string // http or https URL to open
}

// PhoneButton is a button of type "oa.open.phone" that starts a call.
type PhoneButton struct {
	Title string // label shown on the button
	Phone string // number to call, sent as payload.phone_code
}

// Message is one customer-service message to a user.
//
// Text is required and at most 2,000 characters (Unicode code points). The
// buttons, at most 5 of all kinds together, are sent in this order: Buttons,
// then URLButton, then PhoneButton.
type Message struct {
	UserID      string       // recipient: the user's id (Event.UserID)
	Text        string       // message text, 1–2,000 characters
	Buttons     []Button     // quick replies (oa.query.hide)
	URLButton   *URLButton   // optional link button (oa.open.url)
	PhoneButton *PhoneButton // optional call button (oa.open.phone)
}

// Client calls Zalo's OA API (sending) and OAuth server (token refresh).
// It holds no token: the caller stores the token pair and passes the access
// token to each call. A Client is safe for concurrent use.
type Client struct {
	// APIURL is the OA API base URL without a trailing slash;
	// "" means https://openapi.zalo.me.
	APIURL string
	// OAuthURL is the OAuth base URL without a trailing slash;
	// "" means https://oauth.zaloapp.com.
	OAuthURL string
	// BusinessURL is the base URL of template messages by phone without a trailing
	// slash; "" means https://business.openapi.zalo.me.
	BusinessURL string
	// AppID is the Zalo app id, sent when refreshing the token.
	AppID string
	// AppSecretKey is the app's secret key (not the OA secret key that
	// signs webhooks), sent as the secret_key header when refreshing.
	AppSecretKey string
	// HTTP is the client used for every request; nil means a shared client
	// with a 10 s timeout.
	HTTP *http.Client
}

// Token is an OA token pair. The refresh token is single use: store the new
// pair atomically, and let only one refresh run at a time.
type Token struct {
	Access    string        // access_token, valid for ExpiresIn (about 25 h)
	Refresh   string        // refresh_token, valid about 3 months, single use
	ExpiresIn time.Duration // expires_in seconds; 0 when absent or unreadable
}

// APIError is an error answer from Zalo: a non-zero "error" field (Zalo
// answers errors with HTTP 200). Use its methods to decide what to do.
type APIError struct {
	Code    int    // Zalo's error code, negative (e.g. -216)
	Message string // Zalo's message, as sent
	op      string // "send" or "refresh"; refresh errors are all terminal
}

// Error returns "zalo <op>: error <code>: <message>".
func (e *APIError) Error() string {
	op := e.op
	if op == "" {
		op = "api"
	}
	return fmt.Sprintf("zalo %s: error %d: %s", op, e.Code, e.Message)
}

// TokenInvalid reports an invalid or expired access token (-216, -220):
// refresh the token once and retry. Always false for an error of Refresh.
func (e *APIError) TokenInvalid() bool {
	return e.op != opRefresh && (e.Code == -216 || e.Code == -220)
}

// RateLimited reports the rate limit (-32, 4,000 requests a minute per app):
// back off and retry. Always false for an error of Refresh.
func (e *APIError) RateLimited() bool {
	return e.op != opRefresh && e.Code == -32
}

// Permanent reports an error that retrying will not cure: give up and record
// why. That is -201 (invalid parameter), -213 (the user does not follow the
// OA), -230 and -232 (no interaction within 7 days), any other non-zero code
// that is neither TokenInvalid nor RateLimited, and every error answer of
// Refresh (terminal: an admin must re-authorise the OA).
func (e *APIError) Permanent() bool {
	return e.Code != 0 && !e.TokenInvalid() && !e.RateLimited()
}

// transientError is a failure that may pass on retry: a transport error, a
// non-200 HTTP status, an unreadable answer.
type transientError struct {
	op  string
	err error
}

// HTTPError is a non-200 answer from the API (inside a Retryable error): callers that
// must tell a refused request (4xx) from an outage (5xx) look at StatusCode.
type HTTPError struct {
	StatusCode int
	Status     string // as sent, e.g. "403 Forbidden"
}

func (e *HTTPError) Error() string { return "HTTP " + e.Status }

func (e *transientError) Error() string { return "zalo " + e.op + ": " + e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// Retryable reports whether the failed call may succeed if repeated later:
// true for a RateLimited *APIError, transport errors, unreadable answers and
// non-200 HTTP answers (for FetchImage only 5xx, 408 and 429);
// false for nil, for Permanent and TokenInvalid *APIErrors (refresh first,
// then retry once) and for errors found before sending (invalid Message,
// text too long, bad URL, missing token…). It looks through wrapping.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.RateLimited()
	}
	var tErr *transientError
	return errors.As(err, &tErr)
}

// Send sends m as a customer-service message and returns Zalo's message id.
//
// It POSTs {APIURL}/v3.0/oa/message/cs with the bare header
// "access_token: <accessToken>" (not Bearer). An invalid m (no UserID, empty
// text, text over 2,000 characters, more than 5 buttons, a button without
// title or payload, a URL button that is not http/https) or an empty
// accessToken is an error before any request is made. Zalo's error answers
// (HTTP 200 with a negative "error") are returned as *APIError; a non-200
// answer or a transport failure is an error for which Retryable is true.
//
// A transport failure after Zalo accepted the message (a timeout) cannot be
// told from one before it: retrying may deliver the message twice.
func (c *Client) Send(ctx context.Context, accessToken string, m Message) (messageID string, err error) {
	body, err := m.encode()
	if err != nil {
		return "", err
	}
	if accessToken == "" {
		return "", errors.New("zalo send: empty access token")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base(c.APIURL, defaultAPIURL)+"/v3.0/oa/message/cs", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("zalo send: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header["access_token"] = []string{accessToken} // sent verbatim, lower case
	top, err := c.call(req, opSend)
	if err != nil {
		return "", err
	}
	if err := apiError(top, opSend); err != nil {
		return "", err
	}
	return scalar(object(top["data"])["message_id"]), nil
}

// Refresh exchanges refreshToken for a new token pair.
//
// It POSTs {OAuthURL}/v4/oa/access_token with the form refresh_token,
// app_id (Client.AppID) and grant_type=refresh_token, and the header
// "secret_key: <Client.AppSecretKey>". expires_in may be a string or a
// number of seconds. A non-zero "error" answer is a *APIError that is
// Permanent (terminal: an admin re-authorises the OA). A non-200 answer or a
// transport failure is Retryable. An answer without access_token or
// refresh_token is a non-retryable error (returned with whatever Token was
// read, since the old refresh token may already be spent).
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	switch {
	case refreshToken == "":
		return Token{}, errors.New("zalo refresh: empty refresh token")
	case c.AppID == "" || c.AppSecretKey == "":
		return Token{}, errors.New("zalo refresh: Client.AppID and Client.AppSecretKey are required")
	}
	form := url.Values{
		"refresh_token": {refreshToken},
		"app_id":        {c.AppID},
		"grant_type":    {"refresh_token"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base(c.OAuthURL, defaultOAuthURL)+"/v4/oa/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("zalo refresh: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header["secret_key"] = []string{c.AppSecretKey} // sent verbatim, lower case
	top, err := c.call(req, opRefresh)
	if err != nil {
		return Token{}, err
	}
	if err := apiError(top, opRefresh); err != nil {
		return Token{}, err
	}
	tok := Token{
		Access:    scalar(top["access_token"]),
		Refresh:   scalar(top["refresh_token"]),
		ExpiresIn: seconds(scalar(top["expires_in"])),
	}
	if tok.Access == "" || tok.Refresh == "" {
		return tok, errors.New("zalo refresh: answer lacks access_token or refresh_token")
	}
	return tok, nil
}

// FetchImage downloads the image at rawURL (Event.ImageURL) with a GET and
// returns its bytes. Only absolute http and https URLs are fetched. An answer
// larger than max bytes is an error (max must be positive), as is any status
// but 200; 5xx, 408 and 429 answers and transport failures are Retryable,
// other statuses (an expired link: 403, 404…) are not.
func (c *Client) FetchImage(ctx context.Context, rawURL string, max int64) ([]byte, error) {
	if max <= 0 {
		return nil, errors.New("zalo fetch image: max must be positive")
	}
	if !httpURL(rawURL) {
		return nil, errors.New("zalo fetch image: not an http or https URL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("zalo fetch image: %w", err)
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, &transientError{op: opFetch, err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		status := fmt.Errorf("HTTP %s", resp.Status)
		switch {
		case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout:
			return nil, &transientError{op: opFetch, err: status}
		}
		return nil, fmt.Errorf("zalo %s: %w", opFetch, status)
	}
	tooLarge := fmt.Errorf("zalo fetch image: larger than %d bytes", max)
	if resp.ContentLength > max {
		return nil, tooLarge
	}
	limit := max
	if limit < math.MaxInt64 {
		limit++
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, &transientError{op: opFetch, err: err}
	}
	if int64(len(data)) > max {
		return nil, tooLarge
	}
	return data, nil
}

// call performs req and decodes a 200 answer's JSON object. Transport
// failures, non-200 statuses and unreadable answers are transient.
func (c *Client) call(req *http.Request, op string) (map[string]json.RawMessage, error) {
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, &transientError{op: op, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseLen))
	if resp.StatusCode != http.StatusOK {
		return nil, &transientError{op: op, err: &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status}}
	}
	if err != nil {
		return nil, &transientError{op: op, err: err}
	}
	top := object(data)
	if top == nil {
		return nil, &transientError{op: op, err: errors.New("answer is not a JSON object")}
	}
	return top, nil
}

// apiError returns the *APIError an answer carries, or nil when its "error"
// field is absent or zero. The code may be a number or a numeric string.
func apiError(top map[string]json.RawMessage, op string) error {
	s := scalar(top["error"])
	if s == "" || s == "0" {
		return nil
	}
	code, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
			return fmt.Errorf("zalo %s: unreadable error code %q", op, s)
		}
		code = int(f)
	}
	if code == 0 {
		return nil
	}
	msg := first(scalar(top["message"]), scalar(top["error_description"]),
		scalar(top["error_reason"]), scalar(top["error_name"]))
	return &APIError{Code: code, Message: msg, op: op}
}

// encode validates m and returns the JSON body of the send request.
// Validate reports what Send would refuse in m before making any request (no user id,
// empty or too long text, bad buttons): retrying such a message never helps.
func (m Message) Validate() error {
	_, err := m.encode()
	return err
}

func (m Message) encode() ([]byte, error) {
	if m.UserID == "" {
		return nil, errors.New("zalo send: empty user id")
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, errors.New("zalo send: empty text")
	}
	if n := utf8.RuneCountInString(m.Text); n > maxTextLen {
		return nil, fmt.Errorf("zalo send: text is %d characters, more than %d", n, maxTextLen)
	}
	type button struct {
		Title   string `json:"title"`
		Type    string `json:"type"`
		Payload any    `json:"payload"`
	}
	var buttons []button
	for _, b := range m.Buttons {
		if b.Title == "" || b.Payload == "" {
			return nil, errors.New("zalo send: a button needs a title and a payload")
		}
		buttons = append(buttons, button{b.Title, "oa.query.hide", b.Payload})
	}
	if b := m.URLButton; b != nil {
		if b.Title == "" || !httpURL(b.URL) {
			return nil, errors.New("zalo send: a URL button needs a title and an http or https URL")
		}
		buttons = append(buttons, button{b.Title, "oa.open.url", map[string]string{"url": b.URL}})
	}
	if b := m.PhoneButton; b != nil {
		if b.Title == "" || b.Phone == "" {
			return nil, errors.New("zalo send: a phone button needs a title and a phone number")
		}
		buttons = append(buttons, button{b.Title, "oa.open.phone", map[string]string{"phone_code": b.Phone}})
	}
	if len(buttons) > maxButtons {
		return nil, fmt.Errorf("zalo send: %d buttons, more than %d", len(buttons), maxButtons)
	}

	type attachment struct {
		Type    string `json:"type"`
		Payload struct {
			Buttons []button `json:"buttons"`
		} `json:"payload"`
	}
	var body struct {
		Recipient struct {
			UserID string `json:"user_id"`
		} `json:"recipient"`
		Message struct {
			Text       string      `json:"text"`
			Attachment *attachment `json:"attachment,omitempty"`
		} `json:"message"`
	}
	body.Recipient.UserID = m.UserID
	body.Message.Text = m.Text
	if len(buttons) > 0 {
		a := &attachment{Type: "template"}
		a.Payload.Buttons = buttons
		body.Message.Attachment = a
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep & < > in texts and URLs as typed
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("zalo send: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

// base returns u without trailing slashes, or def when u is empty.
func base(u, def string) string {
	if u == "" {
		return def
	}
	return strings.TrimRight(u, "/")
}

// httpURL reports whether s is an absolute http or https URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// seconds reads a number of seconds (integer or decimal text); 0 when
// unreadable or negative.
func seconds(s string) time.Duration {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 || n > math.MaxInt64/int64(time.Second) {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > float64(math.MaxInt64/int64(time.Second)) {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}
