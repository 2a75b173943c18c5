package zalobot_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
	"ansinh/conversation"
	"ansinh/handlers"
	"ansinh/importer"
	"ansinh/refdata"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/store/storetest"
	"ansinh/zalo"
	"ansinh/zalobot"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	appID    = "360846524940903967"
	oaSecret = "oa-secret-key"
	userID   = "246845883529197922"
	sauCCCD  = "094050001234"
)

// fakeZalo speaks the OA API's JSON: it records sent messages and answers with the
// error codes queued for the next sends.
type fakeZalo struct {
	mu        sync.Mutex
	sent      []map[string]any
	errors    []int // error codes for the next sends, 0 = success
	status    int   // when set, every send is answered with this HTTP status
	attempts  int   // sends asked for, answered or not
	refreshes int
	access    string
}

func (f *fakeZalo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/v4/oa/access_token":
		f.refreshes++
		f.access = fmt.Sprintf("access-%d", f.refreshes)
		fmt.Fprintf(w, `{"access_token":%q,"refresh_token":"refresh-%d","expires_in":"90000"}`, f.access, f.refreshes)
	case "/v3.0/oa/message/cs":
		f.attempts++
		if f.status != 0 {
			http.Error(w, "refused", f.status)
			return
		}
		if r.Header.Get("access_token") != f.access {
			fmt.Fprint(w, `{"error":-216,"message":"Access token is invalid"}`)
			return
		}
		if len(f.errors) > 0 {
			code := f.errors[0]
			f.errors = f.errors[1:]
			if code != 0 {
				fmt.Fprintf(w, `{"error":%d,"message":"refused"}`, code)
				return
			}
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.sent = append(f.sent, body)
		fmt.Fprintf(w, `{"data":{"message_id":"m%d","user_id":%q},"error":0,"message":"Success"}`, len(f.sent), userID)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeZalo) texts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.sent {
		msg, _ := m["message"].(map[string]any)
		text, _ := msg["text"].(string)
		out = append(out, text)
	}
	return out
}

// lastButtons are the quick-reply payloads of the last message sent.
func (f *fakeZalo) lastButtons() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sent) == 0 {
		return nil
	}
	raw, _ := json.Marshal(f.sent[len(f.sent)-1])
	var m struct {
		Message struct {
			Attachment struct {
				Payload struct {
					Buttons []struct {
						Type    string `json:"type"`
						Payload any    `json:"payload"`
					} `json:"buttons"`
				} `json:"payload"`
			} `json:"attachment"`
		} `json:"message"`
	}
	_ = json.Unmarshal(raw, &m)
	var out []string
	for _, b := range m.Message.Attachment.Payload.Buttons {
		if s, ok := b.Payload.(string); ok && b.Type == "oa.query.hide" {
			out = append(out, s)
		}
	}
	return out
}

type rig struct {
	t     testing.TB
	st    *store.Store
	fake  *fakeZalo
	srv   *httptest.Server
	bot   *zalobot.Bot
	app   *fiber.App
	clock time.Time
	seq   int
}

func newRig(t testing.TB) *rig {
	t.Helper()
	units, err := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	csv := "ho_ten,cccd,ngay_sinh,gioi_tinh,ma_xa,nhom\nNguyễn Văn Sáu,094050001234,05/03/1950,Nam,31498,NCC\n"
	if _, err := importer.Import(context.Background(), st, units, strings.NewReader(csv), int64(len(csv)),
		importer.Options{Actor: &ansinh.User{Username: "so", Role: ansinh.RoleProvince, Unit: "94"}, File: "x.csv"}); err != nil {
		t.Fatal(err)
	}
	fake := &fakeZalo{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	r := &rig{t: t, st: st, fake: fake, srv: srv, clock: time.Now()}
	r.restart()
	if err := r.bot.SeedToken(context.Background(), "refresh-0"); err != nil {
		t.Fatal(err)
	}
	return r
}

// restart builds a new bot and app over the same store, as after a crash.
func (r *rig) restart() {
	r.t.Helper()
	cfg := ansinh.DefaultConfig()
	cfg.SecretKey, cfg.DataKey = "test-secret-key-test-secret-key-0123", storetest.TestDataKey
	cfg.Zalo.AppID, cfg.Zalo.OASecretKey, cfg.Zalo.AppSecretKey = appID, oaSecret, "app-secret"
	units, _ := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	client := &zalo.Client{APIURL: r.srv.URL, OAuthURL: r.srv.URL, AppID: appID, AppSecretKey: "app-secret"}
	now := func() time.Time { return r.clock }
	r.bot = zalobot.New(r.st, registration.New(r.st, cfg.SecretKey, now), client, storetest.Logger(), now)
	app, err := handlers.New(handlers.Deps{Config: cfg, Store: r.st, Units: units, Logger: storetest.Logger(), Bot: r.bot, Notifier: r.bot, Now: now})
	if err != nil {
		r.t.Fatal(err)
	}
	r.app = app
}

func sign(body []byte, ts string) string {
	sum := sha256.Sum256([]byte(appID + string(body) + ts + oaSecret))
	return "mac=" + hex.EncodeToString(sum[:])
}

// deliver posts one webhook delivery and returns the HTTP status.
func (r *rig) deliver(body []byte, signature string) int {
	r.t.Helper()
	req := httptest.NewRequest("POST", "/webhooks/zalo", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-ZEvent-Signature", signature)
	}
	res, err := r.app.Test(req, -1)
	if err != nil {
		r.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

func (r *rig) textEvent(text string) ([]byte, string) {
	r.seq++
	ts := fmt.Sprint(1700000000000 + r.seq)
	body, _ := json.Marshal(map[string]any{"app_id": appID, "sender": map[string]string{"id": userID}, "recipient": map[string]string{"id": "388613280878808645"},
		"event_name": "user_send_text", "message": map[string]string{"text": text, "msg_id": fmt.Sprintf("msg-%d", r.seq)}, "timestamp": ts})
	return body, sign(body, ts)
}

// say sends a user's text through the webhook and lets the bot work.
func (r *rig) say(text string) {
	r.t.Helper()
	body, sig := r.textEvent(text)
	if code := r.deliver(body, sig); code != 200 {
		r.t.Fatalf("webhook: %d", code)
	}
	r.step()
}

func (r *rig) step() {
	r.t.Helper()
	if err := r.bot.Step(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) convStep() string {
	step, _, _, _ := r.st.Conversation(context.Background(), "zalo:"+userID)
	return step
}

func TestWholeRegistrationByZalo(t *testing.T) {
	r := newRig(t)
	r.say("xin chào")
	answers := map[string]string{
		conversation.StepCCCD: sauCCCD, conversation.StepBirth: "5/3/1950", conversation.StepBank: "Agribank", conversation.StepAccount: "1234 5678 9012",
		conversation.StepHolder: "Nguyen Van Sau", conversation.StepPhone: "0912345678",
	}
	r.say("đăng ký")
	for i := 0; i < 20 && r.convStep() != conversation.StepDone && r.convStep() != conversation.StepMenu; i++ {
		step := r.convStep()
		text, ok := answers[step]
		if !ok { // a choice: take the first button (self, yes, agree, send)
			buttons := r.fake.lastButtons()
			if len(buttons) == 0 {
				t.Fatalf("step %s offers no button; sent %q", step, r.fake.texts())
			}
			text = buttons[0]
		}
		r.say(text)
	}
	r.settle()
	receipts, _ := r.st.RegistrationReceipts(context.Background(), r.st.BeneficiaryID(sauCCCD))
	if len(receipts) != 1 {
		t.Fatalf("%d registrations after the conversation (step %s); sent %q", len(receipts), r.convStep(), r.fake.texts())
	}
	reg, _ := r.st.Registration(context.Background(), receipts[0])
	if reg.Status != ansinh.StatusPending || reg.Channel != ansinh.ChannelZalo || reg.AccountLast4 != "9012" {
		t.Fatalf("registration %+v", reg)
	}
	texts := r.fake.texts()
	if !strings.Contains(strings.Join(texts, "\n"), ansinh.FormatReceipt(receipts[0])) {
		t.Fatalf("the receipt was not sent: %q", texts)
	}
	// A decision reaches the user through Zalo.
	if err := r.bot.Decided(context.Background(), reg, &ansinh.Decision{Receipt: reg.Receipt, Status: ansinh.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	r.step()
	texts = r.fake.texts()
	if !strings.Contains(texts[len(texts)-1], "đã được xã xác nhận") {
		t.Fatalf("decision message: %q", texts[len(texts)-1])
	}
}

func TestRedeliveredForgedAndEchoEventsAreNotAnswered(t *testing.T) {
	r := newRig(t)
	body, sig := r.textEvent("xin chào")
	for range 3 { // Zalo retries the same delivery
		if code := r.deliver(body, sig); code != 200 {
			t.Fatalf("webhook %d", code)
		}
	}
	r.step()
	if n := len(r.fake.texts()); n == 0 {
		t.Fatal("no answer at all")
	}
	answered := len(r.fake.texts())
	// Forged, unsigned, the console probe, garbage, an echo of our own message, a receipt.
	forged, _ := r.textEvent("xin chào")
	echo, _ := json.Marshal(map[string]any{"app_id": appID, "sender": map[string]string{"id": "388613280878808645"},
		"recipient": map[string]string{"id": userID}, "event_name": "oa_send_text", "message": map[string]string{"text": "x", "msg_id": "e1"}, "timestamp": "1"})
	seen, _ := json.Marshal(map[string]any{"app_id": appID, "sender": map[string]string{"id": userID}, "event_name": "user_seen_message", "timestamp": "2"})
	for name, d := range map[string]struct {
		body []byte
		sig  string
	}{
		"forged":  {forged, "mac=" + strings.Repeat("0", 64)},
		"no sig":  {forged, ""},
		"probe":   {[]byte(`{}`), ""},
		"garbage": {[]byte(`not json`), "mac=00"},
		"echo":    {echo, sign(echo, "1")},
		"seen":    {seen, sign(seen, "2")},
	} {
		if code := r.deliver(d.body, d.sig); code != 200 {
			t.Fatalf("%s: %d, want 200", name, code)
		}
	}
	r.step()
	if n := len(r.fake.texts()); n != answered {
		t.Fatalf("answered %d more messages", n-answered)
	}
}

func TestInvalidTokenIsRefreshedOnceAndTheMessageResent(t *testing.T) {
	r := newRig(t)
	r.say("xin chào") // first send: no access token yet → one refresh
	if r.fake.refreshes != 1 || len(r.fake.texts()) == 0 {
		t.Fatalf("refreshes %d, sent %d", r.fake.refreshes, len(r.fake.texts()))
	}
	r.fake.mu.Lock()
	r.fake.access = "rotated-by-zalo" // our token is now invalid: -216
	r.fake.mu.Unlock()
	before := len(r.fake.texts())
	r.say("hướng dẫn")
	if r.fake.refreshes != 2 || len(r.fake.texts()) <= before {
		t.Fatalf("after -216: refreshes %d, sent %d → %d", r.fake.refreshes, before, len(r.fake.texts()))
	}
	_, refresh, _, _ := r.st.Token(context.Background(), "zalo")
	if refresh != "refresh-2" {
		t.Fatalf("stored refresh token %q", refresh)
	}
}

func TestRateLimitedMessageIsDeliveredAfterARestart(t *testing.T) {
	r := newRig(t)
	r.say("xin chào")
	before := len(r.fake.texts())
	r.fake.mu.Lock()
	r.fake.errors = []int{-32, -32, -32}
	r.fake.mu.Unlock()
	r.say("hướng dẫn mở tài khoản") // refused with -32: kept for a retry
	if len(r.fake.texts()) != before {
		t.Fatal("sent despite the rate limit")
	}
	r.restart() // the process dies and comes back
	r.fake.mu.Lock()
	r.fake.errors = nil
	r.fake.mu.Unlock()
	r.clock = r.clock.Add(time.Minute)
	r.step()
	if len(r.fake.texts()) <= before {
		t.Fatal("the refused message was never delivered after the restart")
	}
}

func TestPermanentRefusalIsRecordedAndDropped(t *testing.T) {
	r := newRig(t)
	r.fake.mu.Lock()
	r.fake.errors = []int{-213, -213, -213}
	r.fake.mu.Unlock()
	r.say("xin chào")
	for range 6 { // a bot that kept retrying would get through once the refusals ran out
		r.clock = r.clock.Add(13 * time.Hour)
		r.step()
	}
	if n := len(r.fake.texts()); n != 0 {
		t.Fatalf("sent %d to a user who does not follow", n)
	}
	r.wantFailed(1, "-213")
}

// wantFailed checks, by the stored state, that the one message given up on failed
// after attempts with a reason containing reason.
func (r *rig) wantFailed(attempts int, reason string) {
	r.t.Helper()
	failed, err := r.st.FailedOutbox(context.Background(), 10)
	if err != nil {
		r.t.Fatal(err)
	}
	if len(failed) != 1 {
		r.t.Fatalf("%d messages failed, want 1: %+v", len(failed), failed)
	}
	status, n, why, err := r.st.OutboxStatus(context.Background(), failed[0].ID)
	if err != nil || status != store.OutboxFailed || n != attempts || !strings.Contains(why, reason) {
		r.t.Fatalf("outbox state %q after %d attempts, reason %q (%v); want failed after %d, reason with %q", status, n, why, err, attempts, reason)
	}
}

func TestOutboxGivesUp(t *testing.T) {
	tests := []struct {
		name     string
		status   int // the API's HTTP answer to every send
		limits   ansinh.OutboxConfig
		steps    int
		attempts int // sends the API saw
		want     string
	}{
		{"a 4xx answer is permanent", http.StatusForbidden, ansinh.OutboxConfig{}, 4, 1, "403"},
		{"an outage, at the attempt cap", http.StatusServiceUnavailable, ansinh.OutboxConfig{MaxAttempts: 3}, 6, 3, "after 3 attempts"},
		{"an outage, at the maximum age", http.StatusBadGateway, ansinh.OutboxConfig{MaxAge: 90 * time.Minute}, 6, 2, "unsent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.bot.SetOutboxLimits(tc.limits)
			r.say("xin chào") // fetches a token, then the send fails
			r.fake.mu.Lock()
			r.fake.status = tc.status
			r.fake.attempts = 0
			r.fake.mu.Unlock()
			r.say("hướng dẫn")
			for range tc.steps {
				r.clock = r.clock.Add(time.Hour)
				r.step()
			}
			r.fake.mu.Lock()
			attempts := r.fake.attempts
			r.fake.mu.Unlock()
			if attempts != tc.attempts {
				t.Errorf("the API saw %d sends, want %d", attempts, tc.attempts)
			}
			r.wantFailed(tc.attempts, tc.want)
		})
	}
}

func TestMessageOnAnUnknownChannelFails(t *testing.T) {
	r := newRig(t)
	if err := r.st.Enqueue(context.Background(), "sms:1", "sms", userID, []byte(`{"user_id":"x","text":"y"}`), r.clock); err != nil {
		t.Fatal(err)
	}
	r.step()
	r.wantFailed(0, "unknown channel")
	r.fake.mu.Lock()
	defer r.fake.mu.Unlock()
	if r.fake.attempts != 0 {
		t.Fatalf("sent through Zalo: %d", r.fake.attempts)
	}
}

// TestEventStoredBeforeACrashIsProcessedAfterRestart stores an event, "crashes" before
// the worker runs, and starts again.
func TestEventStoredBeforeACrashIsProcessedAfterRestart(t *testing.T) {
	r := newRig(t)
	body, sig := r.textEvent("xin chào")
	r.deliver(body, sig) // stored; the worker never ran
	r.restart()
	r.step()
	if len(r.fake.texts()) == 0 {
		t.Fatal("the stored event was never answered")
	}
}

func TestWebChatRunsTheSameConversation(t *testing.T) {
	r := newRig(t)
	get := httptest.NewRequest("GET", "/chat", nil)
	res, err := r.app.Test(get, -1)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(page), `name="text"`) {
		t.Fatalf("chat page: %d", res.StatusCode)
	}
	var cookies []string
	for _, c := range res.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	csrf := strings.Split(strings.Split(string(page), `name="_csrf" value="`)[1], `"`)[0]
	post := func(text string) string {
		req := httptest.NewRequest("POST", "/chat", strings.NewReader("_csrf="+csrf+"&text="+text))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
		res, err := r.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("chat post %q: %d", text, res.StatusCode)
		}
		return string(b)
	}
	if out := post("dang+ky"); !strings.Contains(out, "CCCD") {
		t.Fatalf("after 'dang ky': %s", out)
	}
	if out := post("gap+can+bo"); !strings.Contains(out, "cán bộ") {
		t.Fatalf("after 'gap can bo': %s", out)
	}
}

// BenchmarkWebhookAck posts signed text events at 200 a second for five seconds, over
// a real connection, while the worker answers them, and reports the acknowledgement
// latency Zalo waits for (it wants 2 s at most).
func BenchmarkWebhookAck(b *testing.B) {
	r := newRig(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = r.app.Listener(ln) }()
	defer r.app.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.bot.Run(ctx)
	url := "http://" + ln.Addr().String() + "/webhooks/zalo"
	const rate, seconds = 200, 5
	for range b.N {
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / rate)
		for i := range rate * seconds {
			<-tick.C
			r.seq++
			ts := fmt.Sprint(1700000000000 + r.seq)
			body, _ := json.Marshal(map[string]any{"app_id": appID, "sender": map[string]string{"id": fmt.Sprint(9000 + i%50)},
				"event_name": "user_send_text", "message": map[string]string{"text": "xin chào", "msg_id": fmt.Sprintf("bench-%d", r.seq)}, "timestamp": ts})
			sig := sign(body, ts)
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-ZEvent-Signature", sig)
				t0 := time.Now()
				res, err := http.DefaultClient.Do(req)
				d := time.Since(t0)
				if err != nil {
					b.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}()
		}
		tick.Stop()
		wg.Wait()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	}
}

// settle waits until the submissions the bot accepted are through their steps (the
// waiting list is the database's, whichever service asks).
func (r *rig) settle() {
	r.t.Helper()
	if err := registration.New(r.st, "settle", nil).Settle(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}
