package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SMS is a gateway that sends one text message.
type SMS interface {
	SendSMS(ctx context.Context, to, text, reference string) (id string, err error)
}

// HTTPSMS speaks a small JSON protocol that a province's SMS provider (or an adapter
// in front of it) answers:
//
//	POST {URL}
//	Authorization: Bearer {Key}
//	Content-Type: application/json
//	{"to":"84…","text":"…","reference":"≤ 64 characters, ours, idempotent"}
//
//	200 {"id":"gateway id","status":"accepted"}
//	4xx {"error":{"code":"invalid_number","message":"…"}}   permanent: *SMSError
//	429, 5xx, transport failure                              passing: retry later
//
// The same reference sent again must not send a second message.
type HTTPSMS struct {
	URL  string
	Key  string
	HTTP *http.Client // nil: a client with a 10 s timeout
}

// SMSError is a gateway's refusal of a message: retrying will not help.
type SMSError struct {
	Status  int
	Code    string
	Message string
}

func (e *SMSError) Error() string { return fmt.Sprintf("sms: %d %s: %s", e.Status, e.Code, e.Message) }

var smsHTTP = &http.Client{Timeout: 10 * time.Second}

// SendSMS sends text to the number to (84…).
func (g *HTTPSMS) SendSMS(ctx context.Context, to, text, reference string) (string, error) {
	body, err := json.Marshal(map[string]string{"to": to, "text": text, "reference": reference})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+g.Key)
	c := g.HTTP
	if c == nil {
		c = smsHTTP
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("sms: %w", err) // passing
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var ans struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(data, &ans)
	switch {
	case resp.StatusCode == http.StatusOK && ans.ID != "":
		return ans.ID, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 408 && resp.StatusCode != 429:
		return "", &SMSError{Status: resp.StatusCode, Code: ans.Error.Code, Message: ans.Error.Message}
	}
	return "", fmt.Errorf("sms: HTTP %d", resp.StatusCode) // passing
}

func smsPermanent(err error) bool {
	var e *SMSError
	return errors.As(err, &e)
}
