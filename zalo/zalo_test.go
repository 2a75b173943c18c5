package zalo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testAppID = "360846524940903967"
	testUser  = "246845883529197922"
	testOA    = "388613280878808645"
	testTS    = "154390853474"
)

// Example bodies, after the reference (/work/shared/reference/zalo-oa.md).
var (
	bodyText = `{"app_id":"360846524940903967","sender":{"id":"246845883529197922"},
 "user_id_by_app":"552177279717587730","recipient":{"id":"388613280878808645"},
 "event_name":"user_send_text",
 "message":{"text":"message","msg_id":"96d3cdf3af150460909"},
 "timestamp":"154390853474"}`
	bodyImage = `{"app_id":"360846524940903967","sender":{"id":"246845883529197922"},
 "user_id_by_app":"552177279717587730","recipient":{"id":"388613280878808645"},
 "event_name":"user_send_image",
 "message":{"msg_id":"img0001","attachments":[{"type":"image","payload":{"url":"https://photo.zdn.vn/a.jpg","thumbnail":"https://photo.zdn.vn/a_t.jpg"}}]},
 "timestamp":"154390853475"}`
	bodyFollow = `{"app_id":"360846524940903967","oa_id":"388613280878808645","user_id_by_app":"552177279717587730",
 "event_name":"follow","timestamp":"154390853476","source":"oa_profile","follower":{"id":"246845883529197922"}}`
	bodyUnfollow = `{"app_id":"360846524940903967","oa_id":"388613280878808645","user_id_by_app":"552177279717587730",
 "event_name":"unfollow","timestamp":"154390853477","source":"oa_profile","follower":{"id":"246845883529197922"}}`
	bodySubmitFlat = `{"app_id":"360846524940903967","sender":{"id":"246845883529197922"},"recipient":{"id":"388613280878808645"},
 "event_name":"user_submit_info","timestamp":"154390853478",
 "info":{"address":"12 Lê Lợi","phone":"84912345678","city":"Thừa Thiên Huế","district":"Phú Xuân","name":"Nguyễn Văn An","ward":"Phú Hội"}}`
	bodySubmitNested = `{"app_id":"360846524940903967","sender":{"id":"246845883529197922"},"recipient":{"id":"388613280878808645"},
 "event_name":"user_submit_info","timestamp":"154390853479",
 "info":{"name":"Trần Thị Bình","phone":"84987654321","user_dob":"01/02/1948","gender":"Nữ",
  "full_address":{"address":"5 Trần Hưng Đạo","city":"Hà Nội","district":"Hoàn Kiếm","ward":"Phan Chu Trinh"}}}`
	bodyOAEcho = `{"app_id":"360846524940903967","sender":{"id":"388613280878808645"},"recipient":{"id":"246845883529197922"},
 "event_name":"oa_send_text","message":{"text":"Xin chào","msg_id":"oa0001"},"timestamp":"154390853480"}`
	bodySeen = `{"app_id":"360846524940903967","sender":{"id":"246845883529197922"},"recipient":{"id":"388613280878808645"},
 "event_name":"user_seen_message","message":{"msg_ids":["oa0001"]},"timestamp":"154390853481"}`
	bodyReceived = `{"app_id":"360846524940903967","sender":{"id":"388613280878808645"},"recipient":{"id":"246845883529197922"},
 "event_name":"user_received_message","message":{"msg_ids":["oa0001"]},"timestamp":"154390853482"}`
	bodyProbe   = `{}`
	bodyNumbers = `{"app_id":360846524940903967,"sender":{"id":246845883529197922},"recipient":{"id":388613280878808645},
 "event_name":"user_send_text","message":{"text":"1","msg_id":96000000000000001},"timestamp":154390853474}`
)

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Event
	}{
		{"user_send_text", bodyText, Event{AppID: testAppID, Name: "user_send_text", Timestamp: testTS,
			UserID: testUser, OAID: testOA, MsgID: "96d3cdf3af150460909", Text: "message"}},
		{"user_send_image", bodyImage, Event{AppID: testAppID, Name: "user_send_image", Timestamp: "154390853475",
			UserID: testUser, OAID: testOA, MsgID: "img0001", ImageURL: "https://photo.zdn.vn/a.jpg"}},
		{"follow", bodyFollow, Event{AppID: testAppID, Name: "follow", Timestamp: "154390853476",
			UserID: testUser, OAID: testOA}},
		{"unfollow", bodyUnfollow, Event{AppID: testAppID, Name: "unfollow", Timestamp: "154390853477",
			UserID: testUser, OAID: testOA}},
		{"user_submit_info flat", bodySubmitFlat, Event{AppID: testAppID, Name: "user_submit_info", Timestamp: "154390853478",
			UserID: testUser, OAID: testOA, Info: &UserInfo{Name: "Nguyễn Văn An", Phone: "84912345678",
				Address: "12 Lê Lợi", City: "Thừa Thiên Huế", District: "Phú Xuân", Ward: "Phú Hội"}}},
		{"user_submit_info nested", bodySubmitNested, Event{AppID: testAppID, Name: "user_submit_info", Timestamp: "154390853479",
			UserID: testUser, OAID: testOA, Info: &UserInfo{Name: "Trần Thị Bình", Phone: "84987654321",
				Address: "5 Trần Hưng Đạo", City: "Hà Nội", District: "Hoàn Kiếm", Ward: "Phan Chu Trinh",
				DOB: "01/02/1948", Gender: "Nữ"}}},
		{"user_submit_info full_address string", `{"event_name":"user_submit_info","sender":{"id":"u"},
			"info":{"name":"A","phone":84900000000,"full_address":"1 Đường Số 2, Quận 3","dob":"1950"}}`,
			Event{Name: "user_submit_info", UserID: "u", Info: &UserInfo{Name: "A", Phone: "84900000000",
				Address: "1 Đường Số 2, Quận 3", DOB: "1950"}}},
		{"user_submit_info flat wins over full_address", `{"event_name":"user_submit_info",
			"info":{"city":"Huế","full_address":{"street":"7 Lê Duẩn","province":"Đà Nẵng","ward":"W"}}}`,
			Event{Name: "user_submit_info", Info: &UserInfo{Address: "7 Lê Duẩn", City: "Huế", Ward: "W"}}},
		{"oa_send_text echo", bodyOAEcho, Event{AppID: testAppID, Name: "oa_send_text", Timestamp: "154390853480",
			UserID: testOA, OAID: testUser, MsgID: "oa0001", Text: "Xin chào"}},
		{"user_seen_message", bodySeen, Event{AppID: testAppID, Name: "user_seen_message", Timestamp: "154390853481",
			UserID: testUser, OAID: testOA}},
		{"user_received_message", bodyReceived, Event{AppID: testAppID, Name: "user_received_message", Timestamp: "154390853482",
			UserID: testOA, OAID: testUser}},
		{"console probe", bodyProbe, Event{}},
		{"probe with white space", " \n{ }\n", Event{}},
		{"numbers as ids", bodyNumbers, Event{AppID: testAppID, Name: "user_send_text", Timestamp: testTS,
			UserID: testUser, OAID: testOA, MsgID: "96000000000000001", Text: "1"}},
		{"wrong types left empty", `{"app_id":true,"sender":"x","recipient":[1],"event_name":{"a":1},
			"message":{"text":null,"msg_id":[],"attachments":{"type":"image"}},"info":"x","timestamp":null}`, Event{}},
		{"non-image attachment skipped", `{"event_name":"user_send_image","message":{"attachments":[
			{"type":"sticker","payload":{"url":"https://s/1"}},{"type":"image","payload":{}},
			{"type":"image","payload":{"url":"https://i/2"}},{"type":"image","payload":{"url":"https://i/3"}}]}}`,
			Event{Name: "user_send_image", ImageURL: "https://i/2"}},
		{"unknown fields ignored", `{"event_name":"user_send_text","x":{"y":[1,2,{"z":null}]},"message":{"text":"hi","extra":1}}`,
			Event{Name: "user_send_text", Text: "hi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.body)
			assertEvent(t, got, tt.want)
		})
	}
}

func TestParseEventGarbage(t *testing.T) {
	tests := []struct {
		name string
		body []byte
	}{
		{"nil", nil},
		{"empty", []byte("")},
		{"spaces", []byte("  \n")},
		{"text", []byte("not json")},
		{"null", []byte("null")},
		{"array", []byte(`[{"event_name":"user_send_text"}]`)},
		{"string", []byte(`"user_send_text"`)},
		{"number", []byte(`123`)},
		{"truncated", []byte(`{"event_name":"user_send_text","message":{"text":"hi"`)},
		{"trailing data", []byte(`{}x`)},
		{"two objects", []byte(`{}{}`)},
		{"binary", []byte{0x00, 0xff, 0xfe, '{'}},
		{"deep nesting", []byte(strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000))},
		{"1 MB of garbage", []byte("{" + strings.Repeat("x", 1<<20))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := ParseEvent(tt.body)
			if err == nil {
				t.Fatalf("ParseEvent = %+v, nil; want an error", ev)
			}
			if ev != nil {
				t.Errorf("ParseEvent returned an event with its error: %+v", ev)
			}
		})
	}
}

func TestParseEventLargeBody(t *testing.T) {
	text := strings.Repeat("ệ", (1<<20)/3) // about 1 MB of UTF-8
	body, err := json.Marshal(map[string]any{
		"app_id": testAppID, "event_name": "user_send_text", "timestamp": testTS,
		"sender": map[string]string{"id": testUser}, "message": map[string]string{"text": text, "msg_id": "big"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(body) < 1<<20 {
		t.Fatalf("body is %d bytes, want at least 1 MB", len(body))
	}
	ev := mustParse(t, string(body))
	if ev.Text != text || ev.MsgID != "big" || ev.UserID != testUser {
		t.Errorf("large body: Text %d bytes, MsgID %q, UserID %q", len(ev.Text), ev.MsgID, ev.UserID)
	}
}

func TestVerifySignature(t *testing.T) {
	const key = "oa-secret-key"
	body := []byte(bodyText)
	sig := sign(t, testAppID, body, testTS, key)
	altered := []byte(strings.Replace(bodyText, `"text":"message"`, `"text":"messagE"`, 1))
	if string(altered) == bodyText {
		t.Fatal("the altered body is not altered")
	}
	tests := []struct {
		name      string
		header    string
		body      []byte
		appID, ts string
		key       string
		want      bool
	}{
		{"correct", "mac=" + sig, body, testAppID, testTS, key, true},
		{"upper-case hex accepted", "mac=" + strings.ToUpper(sig), body, testAppID, testTS, key, true},
		{"upper-case prefix accepted", "MAC=" + sig, body, testAppID, testTS, key, true},
		{"surrounding space accepted", "  mac=" + sig + " ", body, testAppID, testTS, key, true},
		{"wrong key", "mac=" + sig, body, testAppID, testTS, "other-key", false},
		{"app secret key instead of OA key", "mac=" + sign(t, testAppID, body, testTS, "app-secret"), body, testAppID, testTS, key, false},
		{"altered body", "mac=" + sig, altered, testAppID, testTS, key, false},
		{"body with extra space", "mac=" + sig, append([]byte(bodyText), ' '), testAppID, testTS, key, false},
		{"wrong timestamp", "mac=" + sig, body, testAppID, "154390853475", key, false},
		{"wrong app id", "mac=" + sig, body, "1", testTS, key, false},
		{"missing header", "", body, testAppID, testTS, key, false},
		{"prefix only", "mac=", body, testAppID, testTS, key, false},
		{"non-hex", "mac=" + strings.Repeat("zz", 32), body, testAppID, testTS, key, false},
		{"short hex", "mac=" + sig[:62], body, testAppID, testTS, key, false},
		{"long hex", "mac=" + sig + "00", body, testAppID, testTS, key, false},
		{"odd hex", "mac=" + sig + "0", body, testAppID, testTS, key, false},
		{"no prefix", sig, body, testAppID, testTS, key, false},
		{"other prefix", "sha256=" + sig, body, testAppID, testTS, key, false},
		{"empty key never verifies", "mac=" + sign(t, testAppID, body, testTS, ""), body, testAppID, testTS, "", false},
		{"hash of nothing", "mac=" + hex.EncodeToString(sha256.New().Sum(nil)), body, testAppID, testTS, key, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifySignature(tt.header, tt.body, tt.appID, tt.ts, tt.key); got != tt.want {
				t.Errorf("VerifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerifySignatureParsedEvent(t *testing.T) {
	const key = "k"
	for _, body := range []string{bodyText, bodyNumbers, bodyFollow} {
		ev := mustParse(t, body)
		sig := sign(t, ev.AppID, []byte(body), ev.Timestamp, key)
		if !VerifySignature("mac="+sig, []byte(body), ev.AppID, ev.Timestamp, key) {
			t.Errorf("signature over %.40q… does not verify with the parsed app id and timestamp", body)
		}
	}
}

func TestEventKeyEchoHandled(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		key     string
		echo    bool
		handled bool
	}{
		{"user_send_text", bodyText, "msg:96d3cdf3af150460909", false, true},
		{"user_send_image", bodyImage, "msg:img0001", false, true},
		{"follow", bodyFollow, "follow:" + testUser + ":154390853476", false, true},
		{"unfollow", bodyUnfollow, "unfollow:" + testUser + ":154390853477", false, false},
		{"user_submit_info flat", bodySubmitFlat, "user_submit_info:" + testUser + ":154390853478", false, true},
		{"user_submit_info nested", bodySubmitNested, "user_submit_info:" + testUser + ":154390853479", false, true},
		{"oa_send_text", bodyOAEcho, "msg:oa0001", true, false},
		{"oa_send_image", `{"event_name":"oa_send_image","message":{"msg_id":"oa2"}}`, "msg:oa2", true, false},
		{"oa_send_list", `{"event_name":"oa_send_list","sender":{"id":"o"},"timestamp":"9"}`, "oa_send_list:o:9", true, false},
		{"user_seen_message", bodySeen, "user_seen_message:" + testUser + ":154390853481", true, false},
		{"user_received_message", bodyReceived, "user_received_message:" + testOA + ":154390853482", true, false},
		{"user_send_sticker", `{"event_name":"user_send_sticker","sender":{"id":"u"},"message":{"msg_id":"s1"}}`, "msg:s1", false, false},
		{"probe", bodyProbe, "::", false, false},
		{"numbers", bodyNumbers, "msg:96000000000000001", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := mustParse(t, tt.body)
			if got := ev.Key(); got != tt.key {
				t.Errorf("Key = %q, want %q", got, tt.key)
			}
			if got := ev.Echo(); got != tt.echo {
				t.Errorf("Echo = %v, want %v", got, tt.echo)
			}
			if got := ev.Handled(); got != tt.handled {
				t.Errorf("Handled = %v, want %v", got, tt.handled)
			}
		})
	}
}

func TestNilEvent(t *testing.T) {
	var ev *Event
	if ev.Key() != "" || ev.Echo() || ev.Handled() {
		t.Error("a nil *Event must give \"\", false, false")
	}
}

func TestSend(t *testing.T) {
	const token = "tok-123"
	success := `{"data":{"message_id":"mid-1","user_id":"u1","sent_time":"1700000000000"},"error":0,"message":"Success"}`
	textOnly := Message{UserID: "u1", Text: "Xin chào"}
	withButtons := Message{
		UserID:      "u1",
		Text:        "Chọn:",
		Buttons:     []Button{{Title: "Đồng ý", Payload: "#yes"}, {Title: "Không", Payload: "#no"}},
		URLButton:   &URLButton{Title: "Mở trang đăng ký", URL: "https://example.gov.vn/dk?a=1&b=2"},
		PhoneButton: &PhoneButton{Title: "Gọi cán bộ", Phone: "0901234567"},
	}
	wantTextOnly := `{"recipient":{"user_id":"u1"},"message":{"text":"Xin chào"}}`
	wantButtons := `{"recipient":{"user_id":"u1"},"message":{"text":"Chọn:","attachment":{"type":"template",
	 "payload":{"buttons":[{"title":"Đồng ý","type":"oa.query.hide","payload":"#yes"},
	 {"title":"Không","type":"oa.query.hide","payload":"#no"},
	 {"title":"Mở trang đăng ký","type":"oa.open.url","payload":{"url":"https://example.gov.vn/dk?a=1&b=2"}},
	 {"title":"Gọi cán bộ","type":"oa.open.phone","payload":{"phone_code":"0901234567"}}]}}}}`

	type class struct{ tokenInvalid, rateLimited, permanent, retryable bool }
	tests := []struct {
		name     string
		msg      Message
		wantBody string
		status   int
		answer   string
		wantID   string
		wantCode int // 0: no *APIError expected
		want     class
	}{
		{"text success", textOnly, wantTextOnly, 200, success, "mid-1", 0, class{}},
		{"buttons success", withButtons, wantButtons, 200, success, "mid-1", 0, class{}},
		{"numeric message id", textOnly, wantTextOnly, 200, `{"error":0,"data":{"message_id":12345}}`, "12345", 0, class{}},
		{"token invalid -216", textOnly, wantTextOnly, 200, `{"error":-216,"message":"Access token is invalid"}`, "", -216, class{tokenInvalid: true}},
		{"token expired -220", textOnly, wantTextOnly, 200, `{"error":-220,"message":"Access token has expired"}`, "", -220, class{tokenInvalid: true}},
		{"error code as string", textOnly, wantTextOnly, 200, `{"error":"-216","message":"x"}`, "", -216, class{tokenInvalid: true}},
		{"rate limit -32", textOnly, wantTextOnly, 200, `{"error":-32,"message":"Exceed rate limit"}`, "", -32, class{rateLimited: true, retryable: true}},
		{"not a follower -213", textOnly, wantTextOnly, 200, `{"error":-213,"message":"User has not followed OA"}`, "", -213, class{permanent: true}},
		{"outside window -230", textOnly, wantTextOnly, 200, `{"error":-230,"message":"User has not interacted with the OA in the last 7 days"}`, "", -230, class{permanent: true}},
		{"outside window -232", textOnly, wantTextOnly, 200, `{"error":-232,"message":"x"}`, "", -232, class{permanent: true}},
		{"invalid parameter -201", textOnly, wantTextOnly, 200, `{"error":-201,"message":"Parameters are invalid"}`, "", -201, class{permanent: true}},
		{"unknown code", textOnly, wantTextOnly, 200, `{"error":-999,"message":"?"}`, "", -999, class{permanent: true}},
		{"HTTP 500", textOnly, wantTextOnly, 500, `oops`, "", 0, class{retryable: true}},
		{"HTTP 502 with JSON error", textOnly, wantTextOnly, 502, `{"error":-213}`, "", 0, class{retryable: true}},
		{"HTTP 200 not JSON", textOnly, wantTextOnly, 200, `<html>busy</html>`, "", 0, class{retryable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v3.0/oa/message/cs" {
					t.Errorf("request %s %s, want POST /v3.0/oa/message/cs", r.Method, r.URL.Path)
				}
				if got := r.Header.Get("access_token"); got != token {
					t.Errorf("access_token header = %q, want %q", got, token)
				}
				if got := r.Header.Get("Authorization"); got != "" {
					t.Errorf("Authorization header = %q, want none", got)
				}
				if got := r.Header.Get("Content-Type"); got != "application/json" {
					t.Errorf("Content-Type = %q", got)
				}
				assertJSON(t, r.Body, tt.wantBody)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.answer)
			}))
			defer srv.Close()
			c := &Client{APIURL: srv.URL + "/"}
			id, err := c.Send(context.Background(), token, tt.msg)
			if id != tt.wantID {
				t.Errorf("message id = %q, want %q", id, tt.wantID)
			}
			wantErr := tt.wantCode != 0 || tt.want != class{}
			if (err != nil) != wantErr {
				t.Fatalf("err = %v, want error: %v", err, wantErr)
			}
			if err == nil {
				return
			}
			var apiErr *APIError
			if isAPI := errors.As(err, &apiErr); isAPI != (tt.wantCode != 0) {
				t.Fatalf("err %v: *APIError %v, want %v", err, isAPI, tt.wantCode != 0)
			}
			got := class{retryable: Retryable(err)}
			if apiErr != nil {
				if apiErr.Code != tt.wantCode {
					t.Errorf("Code = %d, want %d", apiErr.Code, tt.wantCode)
				}
				got.tokenInvalid, got.rateLimited, got.permanent = apiErr.TokenInvalid(), apiErr.RateLimited(), apiErr.Permanent()
			}
			if got != tt.want {
				t.Errorf("err %v: classified %+v, want %+v", err, got, tt.want)
			}
		})
	}
}

func TestSendInvalidNoRequest(t *testing.T) {
	long := strings.Repeat("ệ", 2001) // characters, not bytes
	sixButtons := make([]Button, 6)
	for i := range sixButtons {
		sixButtons[i] = Button{Title: fmt.Sprint(i), Payload: fmt.Sprint("#", i)}
	}
	tests := []struct {
		name  string
		token string
		msg   Message
	}{
		{"text over 2000 characters", "tok", Message{UserID: "u", Text: long}},
		{"empty text", "tok", Message{UserID: "u", Text: " "}},
		{"empty user", "tok", Message{Text: "hi"}},
		{"empty token", "", Message{UserID: "u", Text: "hi"}},
		{"six buttons", "tok", Message{UserID: "u", Text: "hi", Buttons: sixButtons}},
		{"five quick replies and a phone button", "tok", Message{UserID: "u", Text: "hi", Buttons: sixButtons[:5],
			PhoneButton: &PhoneButton{Title: "Gọi", Phone: "1"}}},
		{"button without payload", "tok", Message{UserID: "u", Text: "hi", Buttons: []Button{{Title: "A"}}}},
		{"button without title", "tok", Message{UserID: "u", Text: "hi", Buttons: []Button{{Payload: "#a"}}}},
		{"URL button with javascript:", "tok", Message{UserID: "u", Text: "hi", URLButton: &URLButton{Title: "A", URL: "javascript:alert(1)"}}},
		{"URL button relative", "tok", Message{UserID: "u", Text: "hi", URLButton: &URLButton{Title: "A", URL: "/dk"}}},
		{"phone button without phone", "tok", Message{UserID: "u", Text: "hi", PhoneButton: &PhoneButton{Title: "A"}}},
	}
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
	}))
	defer srv.Close()
	c := &Client{APIURL: srv.URL}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := c.Send(context.Background(), tt.token, tt.msg)
			if err == nil || id != "" {
				t.Fatalf("Send = %q, %v; want an error", id, err)
			}
			if Retryable(err) {
				t.Errorf("invalid message error %v is Retryable", err)
			}
		})
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests made for invalid messages, want 0", n)
	}
}

func TestSendLimits(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"error":0,"data":{"message_id":"ok"}}`)
	}))
	defer srv.Close()
	c := &Client{APIURL: srv.URL}
	m := Message{UserID: "u", Text: strings.Repeat("ệ", 2000), Buttons: make([]Button, 4),
		URLButton: &URLButton{Title: "W", URL: "http://x.vn"}}
	for i := range m.Buttons {
		m.Buttons[i] = Button{Title: "b", Payload: "p"}
	}
	if id, err := c.Send(context.Background(), "tok", m); err != nil || id != "ok" {
		t.Errorf("2000 characters and 5 buttons: Send = %q, %v; want ok", id, err)
	}
}

func TestSendTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := &Client{APIURL: url}
	_, err := c.Send(context.Background(), "tok", Message{UserID: "u", Text: "hi"})
	if err == nil || !Retryable(err) {
		t.Errorf("Send to a closed server: err %v, Retryable %v; want a retryable error", err, Retryable(err))
	}
}

// roundTripper answers every request with a canned 200 JSON answer.
type roundTripper func(*http.Request) string

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{},
		Body: io.NopCloser(strings.NewReader(f(r))), Request: r}, nil
}

func TestHeadersSentVerbatim(t *testing.T) {
	// Zalo's SDKs send the lower-case header names; Go would otherwise
	// canonicalise them to Access_token and Secret_key.
	var keys []string
	c := &Client{AppID: "a", AppSecretKey: "s", HTTP: &http.Client{Transport: roundTripper(func(r *http.Request) string {
		for k := range r.Header {
			keys = append(keys, k)
		}
		return `{"error":0,"data":{"message_id":"m"},"access_token":"A","refresh_token":"R","expires_in":"1"}`
	})}}
	if _, err := c.Send(context.Background(), "tok", Message{UserID: "u", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refresh(context.Background(), "rt"); err != nil {
		t.Fatal(err)
	}
	have := strings.Join(keys, ",")
	for _, k := range []string{"access_token", "secret_key"} {
		if !strings.Contains(","+have+",", ","+k+",") {
			t.Errorf("header %q not sent verbatim; headers: %s", k, have)
		}
	}
}

func TestRefresh(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		answer    string
		want      Token
		wantErr   bool
		wantAPI   bool
		retryable bool
	}{
		{"expires_in string", 200, `{"access_token":"AT2","refresh_token":"RT2","expires_in":"90000"}`,
			Token{Access: "AT2", Refresh: "RT2", ExpiresIn: 25 * time.Hour}, false, false, false},
		{"expires_in number", 200, `{"access_token":"AT2","refresh_token":"RT2","expires_in":90000}`,
			Token{Access: "AT2", Refresh: "RT2", ExpiresIn: 25 * time.Hour}, false, false, false},
		{"expires_in absent", 200, `{"access_token":"AT2","refresh_token":"RT2","error":0}`,
			Token{Access: "AT2", Refresh: "RT2"}, false, false, false},
		{"error answer", 200, `{"error_name":"Invalid parameter","error_reason":"Invalid refresh token","error_description":"Refresh token is invalid","error":-14014}`,
			Token{}, true, true, false},
		{"rate limit on refresh is terminal too", 200, `{"error":-32,"message":"limit"}`, Token{}, true, true, false},
		{"HTTP 500", 500, `{}`, Token{}, true, false, true},
		{"not JSON", 200, `Bad Gateway`, Token{}, true, false, true},
		{"no refresh token", 200, `{"access_token":"AT2","expires_in":"90000"}`,
			Token{Access: "AT2", ExpiresIn: 25 * time.Hour}, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v4/oa/access_token" {
					t.Errorf("request %s %s, want POST /v4/oa/access_token", r.Method, r.URL.Path)
				}
				if got := r.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
					t.Errorf("Content-Type = %q", got)
				}
				if got := r.Header.Get("secret_key"); got != "app-secret" {
					t.Errorf("secret_key header = %q, want app-secret", got)
				}
				if err := r.ParseForm(); err != nil {
					t.Errorf("ParseForm: %v", err)
				}
				want := map[string][]string{"refresh_token": {"RT1"}, "app_id": {testAppID}, "grant_type": {"refresh_token"}}
				if !reflect.DeepEqual(map[string][]string(r.PostForm), want) {
					t.Errorf("form = %v, want %v", r.PostForm, want)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.answer)
			}))
			defer srv.Close()
			c := &Client{OAuthURL: srv.URL, AppID: testAppID, AppSecretKey: "app-secret"}
			got, err := c.Refresh(context.Background(), "RT1")
			if got != tt.want {
				t.Errorf("Token = %+v, want %+v", got, tt.want)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			var apiErr *APIError
			if isAPI := errors.As(err, &apiErr); isAPI != tt.wantAPI {
				t.Errorf("err %v: *APIError %v, want %v", err, isAPI, tt.wantAPI)
			}
			if apiErr != nil && (!apiErr.Permanent() || apiErr.TokenInvalid() || apiErr.RateLimited() || apiErr.Message == "") {
				t.Errorf("refresh error %v: want Permanent with a message", apiErr)
			}
			if got := Retryable(err); got != tt.retryable {
				t.Errorf("Retryable(%v) = %v, want %v", err, got, tt.retryable)
			}
		})
	}
}

func TestRefreshMisconfigured(t *testing.T) {
	tests := []struct {
		name string
		c    Client
		rt   string
	}{
		{"no refresh token", Client{AppID: "a", AppSecretKey: "s"}, ""},
		{"no app id", Client{AppSecretKey: "s"}, "rt"},
		{"no secret", Client{AppID: "a"}, "rt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.OAuthURL = "http://127.0.0.1:1" // never reached
			if _, err := tt.c.Refresh(context.Background(), tt.rt); err == nil || Retryable(err) {
				t.Errorf("Refresh: err %v; want a non-retryable error", err)
			}
		})
	}
}

func TestFetchImage(t *testing.T) {
	img := []byte(strings.Repeat("\x89PNG", 250)) // 1000 bytes
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("method %s, want GET", r.Method)
		}
		switch r.URL.Path {
		case "/img.png":
			w.Write(img)
		case "/stream.png": // no Content-Length
			for range 5 {
				w.Write(img)
				w.(http.Flusher).Flush()
			}
		case "/gone":
			http.NotFound(w, r)
		case "/busy":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name      string
		url       string
		max       int64
		want      []byte
		retryable bool
	}{
		{"ok", srv.URL + "/img.png", 1000, img, false},
		{"ok with room", srv.URL + "/img.png", 1 << 20, img, false},
		{"too large by Content-Length", srv.URL + "/img.png", 999, nil, false},
		{"too large streamed", srv.URL + "/stream.png", 4999, nil, false},
		{"not found", srv.URL + "/gone", 1000, nil, false},
		{"server busy", srv.URL + "/busy", 1000, nil, true},
		{"file scheme", "file:///etc/passwd", 1000, nil, false},
		{"ftp scheme", "ftp://example.com/a.png", 1000, nil, false},
		{"javascript", "javascript:alert(1)", 1000, nil, false},
		{"no host", "http:///a.png", 1000, nil, false},
		{"relative", "/img.png", 1000, nil, false},
		{"empty", "", 1000, nil, false},
		{"zero max", srv.URL + "/img.png", 0, nil, false},
	}
	c := &Client{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.FetchImage(context.Background(), tt.url, tt.max)
			if tt.want != nil {
				if err != nil || string(got) != string(tt.want) {
					t.Fatalf("FetchImage = %d bytes, %v; want %d bytes", len(got), err, len(tt.want))
				}
				return
			}
			if err == nil || got != nil {
				t.Fatalf("FetchImage = %d bytes, %v; want an error", len(got), err)
			}
			if r := Retryable(err); r != tt.retryable {
				t.Errorf("Retryable(%v) = %v, want %v", err, r, tt.retryable)
			}
		})
	}
	// The streamed image fits when max allows it.
	if got, err := c.FetchImage(context.Background(), srv.URL+"/stream.png", 5000); err != nil || len(got) != 5000 {
		t.Errorf("streamed image at its exact size: %d bytes, %v", len(got), err)
	}
}

func TestAPIErrorClassification(t *testing.T) {
	tests := []struct {
		name                                    string
		err                                     *APIError
		tokenInvalid, rateLimited, permanent, r bool
	}{
		{"-32", &APIError{Code: -32, op: opSend}, false, true, false, true},
		{"-201", &APIError{Code: -201, op: opSend}, false, false, true, false},
		{"-213", &APIError{Code: -213, op: opSend}, false, false, true, false},
		{"-216", &APIError{Code: -216, op: opSend}, true, false, false, false},
		{"-220", &APIError{Code: -220, op: opSend}, true, false, false, false},
		{"-230", &APIError{Code: -230, op: opSend}, false, false, true, false},
		{"-232", &APIError{Code: -232, op: opSend}, false, false, true, false},
		{"other negative", &APIError{Code: -124}, false, false, true, false},
		{"refresh -216 is terminal", &APIError{Code: -216, op: opRefresh}, false, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.err
			if e.TokenInvalid() != tt.tokenInvalid || e.RateLimited() != tt.rateLimited || e.Permanent() != tt.permanent {
				t.Errorf("%v: TokenInvalid %v RateLimited %v Permanent %v", e, e.TokenInvalid(), e.RateLimited(), e.Permanent())
			}
			if got := Retryable(fmt.Errorf("outbox: %w", e)); got != tt.r {
				t.Errorf("Retryable(wrapped %v) = %v, want %v", e, got, tt.r)
			}
			if !strings.Contains(e.Error(), fmt.Sprint(e.Code)) {
				t.Errorf("Error() = %q lacks the code", e.Error())
			}
		})
	}
	if Retryable(nil) || Retryable(errors.New("x")) {
		t.Error("Retryable(nil) and Retryable(plain error) must be false")
	}
}

func FuzzParseEvent(f *testing.F) {
	for _, b := range []string{bodyText, bodyImage, bodyFollow, bodyUnfollow, bodySubmitFlat, bodySubmitNested,
		bodyOAEcho, bodySeen, bodyReceived, bodyProbe, bodyNumbers, "", "null", "[]", `{"a":`} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if (ev == nil) == (err == nil) {
			t.Fatalf("ParseEvent = %v, %v: want exactly one of event and error", ev, err)
		}
		if ev != nil {
			_, _, _ = ev.Key(), ev.Echo(), ev.Handled()
			VerifySignature("mac="+strings.Repeat("0", 64), body, ev.AppID, ev.Timestamp, "k")
		}
	})
}

// mustParse parses body or fails the test.
func mustParse(t *testing.T, body string) *Event {
	t.Helper()
	ev, err := ParseEvent([]byte(body))
	if err != nil {
		t.Fatalf("ParseEvent: %v", err)
	}
	if ev == nil {
		t.Fatal("ParseEvent returned nil, nil")
	}
	return ev
}

// assertEvent compares two events field by field, Info by value.
func assertEvent(t *testing.T, got *Event, want Event) {
	t.Helper()
	g := *got
	gi, wi := g.Info, want.Info
	g.Info, want.Info = nil, nil
	if g != want {
		t.Errorf("event =\n%+v\nwant\n%+v", g, want)
	}
	switch {
	case (gi == nil) != (wi == nil):
		t.Errorf("Info = %+v, want %+v", gi, wi)
	case gi != nil && *gi != *wi:
		t.Errorf("Info =\n%+v\nwant\n%+v", *gi, *wi)
	}
}

// sign computes the reference's signature: lowercase hex
// SHA-256(app_id + rawBody + timestamp + OA secret key).
func sign(t *testing.T, appID string, body []byte, timestamp, key string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(appID + string(body) + timestamp + key))
	return hex.EncodeToString(sum[:])
}

// assertJSON checks that r holds JSON equal (as decoded values) to want.
func assertJSON(t *testing.T, r io.Reader, want string) {
	t.Helper()
	var got, exp any
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("request body is not JSON: %v: %s", err, data)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("request body =\n%s\nwant\n%s", data, want)
	}
}
