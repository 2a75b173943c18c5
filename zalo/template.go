package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Template messages (ZBS, formerly ZNS) reach a person outside the 7-day window of
// consultation messages: a template approved in advance, with named parameters, sent by
// Zalo user id or by phone number.

const (
	defaultBusinessURL = "https://business.openapi.zalo.me"
	opTemplate         = "template"
	opQuota            = "quota"
)

// TemplateMessage is one template message: to UserID, or else to Phone (84…).
type TemplateMessage struct {
	UserID     string
	Phone      string
	TemplateID string
	Data       map[string]string
	TrackingID string // ≤ 48 characters, ours; sent with phone messages
}

// TemplateResult is Zalo's answer to a template message.
type TemplateResult struct {
	MessageID   string
	QuotaRemain int // -1 when Zalo said nothing
}

// Quota is what Zalo says about sending to one user: when they last interacted with
// the OA and how many consultation replies remain.
type Quota struct {
	LastInteraction time.Time // zero when unknown
	Remain          int       // -1 when unknown
	Total           int
}

// Error codes of template messages and the quota that decide what to do next.
const (
	CodeOutsideWindow    = -230 // no interaction within 7 days: use a template
	CodeNeverInteracted  = -232
	CodeTemplateByPhone  = -249 // this template goes by phone only
	CodeDailyLimit       = -144 // the day's quota is used: wait for tomorrow
	CodeTemplateDisabled = -146
	CodeNoBalance        = -115
	CodeNotApproved      = -131
)

// SendTemplate sends a template message by user id ({APIURL}/v3.0/oa/message/template)
// or, with no user id, by phone ({BusinessURL}/message/template). Errors are as Send's.
func (c *Client) SendTemplate(ctx context.Context, accessToken string, m TemplateMessage) (TemplateResult, error) {
	res := TemplateResult{QuotaRemain: -1}
	if accessToken == "" {
		return res, errors.New("zalo template: empty access token")
	}
	if m.TemplateID == "" || (m.UserID == "" && m.Phone == "") {
		return res, errors.New("zalo template: no template or no recipient")
	}
	if len(m.TrackingID) > 48 {
		return res, errors.New("zalo template: tracking id over 48 characters")
	}
	var url string
	var body any
	if m.UserID != "" {
		url = base(c.APIURL, defaultAPIURL) + "/v3.0/oa/message/template"
		body = map[string]any{"user_id": m.UserID, "template_id": m.TemplateID, "template_data": m.Data}
	} else {
		url = base(c.BusinessURL, defaultBusinessURL) + "/message/template"
		body = map[string]any{"phone": m.Phone, "template_id": m.TemplateID, "template_data": m.Data, "tracking_id": m.TrackingID}
	}
	top, err := c.post(ctx, accessToken, url, body, opTemplate)
	if err != nil {
		return res, err
	}
	data := object(top["data"])
	res.MessageID = scalar(data["message_id"])
	if q := object(data["quota"]); q != nil {
		if n, err := strconv.Atoi(scalar(q["remain"])); err == nil {
			res.QuotaRemain = n
		}
	}
	return res, nil
}

// Quota asks Zalo about sending to userID ({APIURL}/v3.0/oa/quota/message).
func (c *Client) Quota(ctx context.Context, accessToken, userID string) (Quota, error) {
	q := Quota{Remain: -1}
	if accessToken == "" || userID == "" {
		return q, errors.New("zalo quota: empty access token or user id")
	}
	top, err := c.post(ctx, accessToken, base(c.APIURL, defaultAPIURL)+"/v3.0/oa/quota/message", map[string]any{"user_id": userID}, opQuota)
	if err != nil {
		return q, err
	}
	data := object(top["data"])
	if ms, err := strconv.ParseInt(scalar(data["last_interaction"]), 10, 64); err == nil && ms > 0 {
		q.LastInteraction = time.UnixMilli(ms)
	}
	if cs := object(data["cs_reply"]); cs != nil {
		if n, err := strconv.Atoi(scalar(cs["remain"])); err == nil {
			q.Remain = n
		}
		q.Total, _ = strconv.Atoi(scalar(cs["total"]))
	}
	return q, nil
}

func (c *Client) post(ctx context.Context, accessToken, url string, body any, op string) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("zalo %s: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("zalo %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header["access_token"] = []string{accessToken}
	top, err := c.call(req, op)
	if err != nil {
		return nil, err
	}
	return top, apiError(top, op)
}
