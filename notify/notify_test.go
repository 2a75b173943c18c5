package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ansinh"
	"ansinh/notify"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/store/storetest"
	"ansinh/zalo"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	zaloUser = "246845883529197922"
	phone    = "0912345678"
)

// fakeZalo speaks the OA API's JSON for consultation messages, the quota, template
// messages by user id (/v3.0/oa/message/template) and by phone (/message/template),
// and answers each endpoint with the error codes queued for it.
type fakeZalo struct {
	mu       sync.Mutex
	errors   map[string][]int // path → next error codes (0 = success)
	last     time.Time        // the user's last interaction; zero: Zalo does not say
	requests map[string][]map[string]any
}

func newFakeZalo() *fakeZalo {
	return &fakeZalo{errors: map[string][]int{}, requests: map[string][]map[string]any{}}
}

func (f *fakeZalo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("access_token") != "token" {
		fmt.Fprint(w, `{"error":-216,"message":"Access token is invalid"}`)
		return
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	path := r.URL.Path
	if codes := f.errors[path]; len(codes) > 0 {
		f.errors[path] = codes[1:]
		if codes[0] != 0 {
			fmt.Fprintf(w, `{"error":%d,"message":"refused"}`, codes[0])
			return
		}
	}
	switch path {
	case "/v3.0/oa/quota/message":
		last := int64(0)
		if !f.last.IsZero() {
			last = f.last.UnixMilli()
		}
		fmt.Fprintf(w, `{"data":{"last_interaction":%d,"cs_reply":{"remain":-1,"total":-1}},"error":0,"message":"Success"}`, last)
		return
	case "/v3.0/oa/message/cs", "/v3.0/oa/message/template", "/message/template":
		f.requests[path] = append(f.requests[path], body)
		fmt.Fprintf(w, `{"data":{"message_id":"m%d","quota":{"quota_type":"daily","remain":"99"}},"error":0,"message":"Success"}`, len(f.requests[path]))
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeZalo) sent(path string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[path]
}

func (f *fakeZalo) fail(path string, codes ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors[path] = append(f.errors[path], codes...)
}

// fakeSMS speaks HTTPSMS's JSON.
type fakeSMS struct {
	mu   sync.Mutex
	sent []map[string]string
	code int // when set, answers with this status and an error body
}

func (f *fakeSMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer sms-key" {
		http.Error(w, `{"error":{"code":"unauthorized","message":"no"}}`, http.StatusUnauthorized)
		return
	}
	if f.code != 0 {
		w.WriteHeader(f.code)
		fmt.Fprint(w, `{"error":{"code":"invalid_number","message":"no such number"}}`)
		return
	}
	var body map[string]string
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.sent = append(f.sent, body)
	fmt.Fprintf(w, `{"id":"sms-%d","status":"accepted"}`, len(f.sent))
}

type tokens struct{}

func (tokens) AccessToken(context.Context, bool) (string, error) { return "token", nil }

type rig struct {
	t     testing.TB
	st    *store.Store
	reg   *registration.Service
	svc   *notify.Service
	zalo  *fakeZalo
	sms   *fakeSMS
	clock time.Time
	b     *ansinh.Beneficiary
}

// at is a time in Vietnam on 2 December 2026.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, ansinh.Vietnam)
}

func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{t: t, st: storetest.New(t), zalo: newFakeZalo(), sms: &fakeSMS{}, clock: at(1, 9, 0)}
	zs, ss := httptest.NewServer(r.zalo), httptest.NewServer(r.sms)
	t.Cleanup(zs.Close)
	t.Cleanup(ss.Close)
	now := func() time.Time { return r.clock }
	r.reg = registration.New(r.st, "test-secret-key-test-secret-key-0123", now)
	r.svc = &notify.Service{Store: r.st, Zalo: &zalo.Client{APIURL: zs.URL, BusinessURL: zs.URL}, Tokens: tokens{},
		SMS: &notify.HTTPSMS{URL: ss.URL, Key: "sms-key"}, Now: now, Log: storetest.Logger(),
		Templates: notify.Templates{Verified: "tpl-verified", Rejected: "tpl-rejected", Returned: "tpl-returned"}}
	r.reg.Notifier = r.svc
	ctx := context.Background()
	rows := []*ansinh.ImportRow{{Beneficiary: ansinh.Beneficiary{Name: "Nguyễn Văn Sáu", CCCD: "094050001234", BirthDate: "1950-03-05",
		Commune: "31498", Group: ansinh.GroupNCC, Eligible: true}}}
	if _, err := r.st.InsertImported(ctx, rows, r.clock); err != nil {
		t.Fatal(err)
	}
	b, err := r.st.Beneficiary(ctx, r.st.BeneficiaryID("094050001234"))
	if err != nil {
		t.Fatal(err)
	}
	r.b = b
	return r
}

// register submits for the person on channel (a Zalo one is linked to the user), with
// or without consent to be told.
func (r *rig) register(channel string, consent bool, withPhone bool) string {
	r.t.Helper()
	ctx := context.Background()
	req := &ansinh.RegistrationRequest{Submitter: ansinh.SubmitterSelf, BankBIN: "970405", AccountNumber: "123456789012",
		AccountName: "Nguyen Van Sau", Consent: true, NotifyConsent: consent, IdempotencyKey: "key-" + ansinh.RandomToken(8)}
	if withPhone {
		req.Phone = phone
	}
	receipt, _, err := r.reg.SubmitFor(ctx, r.b, req, channel)
	if err != nil {
		r.t.Fatal(err)
	}
	if channel == ansinh.ChannelZalo {
		if err := r.st.LinkReceipt(ctx, receipt, "zalo", zaloUser); err != nil {
			r.t.Fatal(err)
		}
	}
	return receipt
}

func (r *rig) decide(receipt, status string) {
	r.t.Helper()
	ctx := context.Background()
	reg, err := r.st.Registration(ctx, receipt)
	if err != nil {
		r.t.Fatal(err)
	}
	d := &ansinh.Decision{Receipt: receipt, Status: status, By: "xa31498", At: r.clock}
	if status == ansinh.StatusRejected {
		d.Reason = "name_mismatch"
	}
	if err := r.reg.Decide(ctx, &ansinh.User{Username: "xa31498", Role: ansinh.RoleCommune, Unit: "31498"}, "127.0.0.1", reg, d); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) send() {
	r.t.Helper()
	if _, err := r.svc.SendDue(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

// attempts are the person's record: "channel/result" of each try.
func (r *rig) attempts() []string {
	r.t.Helper()
	as, err := r.st.NoticeAttempts(context.Background(), r.b.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		out = append(out, a.Channel+"/"+a.Result)
	}
	return out
}

func (r *rig) wantAttempts(want ...string) {
	r.t.Helper()
	if got := r.attempts(); strings.Join(got, " ") != strings.Join(want, " ") {
		r.t.Fatalf("attempts on the record:\n got %v\nwant %v", got, want)
	}
}

func TestWebRegistrationDecidedTenDaysLaterGoesByTemplateByPhone(t *testing.T) {
	r := newRig(t)
	receipt := r.register(ansinh.ChannelQR, true, true)
	r.clock = at(11, 10, 0)
	r.decide(receipt, ansinh.StatusVerified)
	r.send()
	got := r.zalo.sent("/message/template")
	if len(got) != 1 || got[0]["phone"] != "84912345678" || got[0]["template_id"] != "tpl-verified" {
		t.Fatalf("template by phone: %v", got)
	}
	data, _ := got[0]["template_data"].(map[string]any)
	if data[notify.ParamReceipt] != ansinh.FormatReceipt(receipt) {
		t.Fatalf("template data: %v", data)
	}
	if n := len(r.zalo.sent("/v3.0/oa/message/cs")) + len(r.sms.sent); n != 0 {
		t.Fatalf("%d other messages sent", n)
	}
	r.wantAttempts(ansinh.NoticeByTemplatePhone + "/" + ansinh.NoticeSent)
	as, _ := r.st.NoticeAttempts(context.Background(), r.b.ID)
	if as[0].Cost != ansinh.CostTemplate {
		t.Fatalf("cost class %q", as[0].Cost)
	}
	r.send() // sent: nothing goes again
	if len(r.zalo.sent("/message/template")) != 1 {
		t.Fatal("the notice went twice")
	}
}

func TestZaloRegistrationDecidedTheSameDayGoesByConsultation(t *testing.T) {
	r := newRig(t)
	r.zalo.last = r.clock
	receipt := r.register(ansinh.ChannelZalo, true, false)
	r.clock = r.clock.Add(3 * time.Hour)
	r.decide(receipt, ansinh.StatusRejected)
	r.send()
	got := r.zalo.sent("/v3.0/oa/message/cs")
	if len(got) != 1 {
		t.Fatalf("consultation messages: %v", got)
	}
	text, _ := got[0]["message"].(map[string]any)["text"].(string)
	if !strings.Contains(text, ansinh.FormatReceipt(receipt)) || !strings.Contains(text, "chưa được chấp nhận") {
		t.Fatalf("text %q", text)
	}
	r.wantAttempts(ansinh.NoticeByConsultation + "/" + ansinh.NoticeSent)
	if as, _ := r.st.NoticeAttempts(context.Background(), r.b.ID); as[0].Cost != ansinh.CostFree {
		t.Fatalf("cost %q", as[0].Cost)
	}
}

func TestADecisionAt23IsSentAt06(t *testing.T) {
	r := newRig(t)
	receipt := r.register(ansinh.ChannelQR, true, true)
	r.clock = at(2, 23, 0)
	r.decide(receipt, ansinh.StatusVerified)
	r.send()
	r.clock = at(3, 5, 59)
	r.send()
	if n := len(r.zalo.sent("/message/template")); n != 0 {
		t.Fatalf("%d sent before 06:00", n)
	}
	r.clock = at(3, 6, 0)
	r.send()
	if n := len(r.zalo.sent("/message/template")); n != 1 {
		t.Fatalf("%d sent at 06:00", n)
	}
	r.wantAttempts(ansinh.NoticeByTemplatePhone + "/" + ansinh.NoticeSent)
}

func TestALeaseTakenAt2159SendsNothingAt22(t *testing.T) {
	r := newRig(t)
	receipt := r.register(ansinh.ChannelQR, true, true)
	r.clock = at(2, 21, 59)
	r.decide(receipt, ansinh.StatusVerified)
	r.zalo.fail("/message/template", -32) // rate limited: tried again a minute later, at 22:00
	r.send()
	r.clock = at(2, 22, 1)
	r.send()
	if n := len(r.zalo.sent("/message/template")); n != 0 {
		t.Fatalf("%d sent at night", n)
	}
	r.wantAttempts(ansinh.NoticeByTemplatePhone+"/"+ansinh.NoticeRetry, ansinh.NoticeByNone+"/"+ansinh.NoticeWaiting)
}

func TestOutsideTheWindowConsultationFallsBackToTemplate(t *testing.T) {
	r := newRig(t) // the quota does not say when the user last wrote: the message is tried
	receipt := r.register(ansinh.ChannelZalo, true, true)
	r.clock = at(20, 10, 0)
	r.decide(receipt, ansinh.StatusVerified)
	r.zalo.fail("/v3.0/oa/message/cs", -230)
	r.send()
	got := r.zalo.sent("/v3.0/oa/message/template")
	if len(got) != 1 || got[0]["user_id"] != zaloUser || got[0]["template_id"] != "tpl-verified" {
		t.Fatalf("template by user id: %v", got)
	}
	r.wantAttempts(ansinh.NoticeByConsultation+"/"+ansinh.NoticeRefused, ansinh.NoticeByTemplateUser+"/"+ansinh.NoticeSent)
}

func TestTheQuotaSaysOutsideTheWindow(t *testing.T) {
	r := newRig(t)
	r.zalo.last = r.clock
	receipt := r.register(ansinh.ChannelZalo, true, true)
	r.clock = at(9, 10, 0) // 8 days later
	r.decide(receipt, ansinh.StatusVerified)
	r.send()
	if n := len(r.zalo.sent("/v3.0/oa/message/cs")); n != 0 {
		t.Fatalf("%d consultation messages outside the window", n)
	}
	r.wantAttempts(ansinh.NoticeByConsultation+"/"+ansinh.NoticeRefused, ansinh.NoticeByTemplateUser+"/"+ansinh.NoticeSent)
}

func TestDailyLimitWaitsForTomorrow(t *testing.T) {
	r := newRig(t)
	receipt := r.register(ansinh.ChannelQR, true, true)
	r.clock = at(5, 14, 0)
	r.decide(receipt, ansinh.StatusVerified)
	r.zalo.fail("/message/template", -144)
	r.send()
	if n := len(r.zalo.sent("/message/template")) + len(r.sms.sent); n != 0 {
		t.Fatalf("%d sent over the quota", n)
	}
	r.clock = at(6, 5, 0)
	r.send()
	r.clock = at(6, 6, 0)
	r.send()
	if n := len(r.zalo.sent("/message/template")); n != 1 {
		t.Fatalf("%d sent the next morning", n)
	}
	r.wantAttempts(ansinh.NoticeByNone+"/"+ansinh.NoticeWaiting, ansinh.NoticeByTemplatePhone+"/"+ansinh.NoticeSent)
}

func TestTemplateByPhoneOnlyThenSMS(t *testing.T) {
	r := newRig(t)
	receipt := r.register(ansinh.ChannelZalo, true, true)
	r.clock = at(20, 10, 0)
	r.decide(receipt, ansinh.StatusRejected)
	r.zalo.fail("/v3.0/oa/message/cs", -230)
	r.zalo.fail("/v3.0/oa/message/template", -249)
	r.zalo.fail("/message/template", -118) // no Zalo account on that number
	r.send()
	if len(r.sms.sent) != 1 || r.sms.sent[0]["to"] != "84912345678" || !strings.Contains(r.sms.sent[0]["text"], "chưa được chấp nhận") {
		t.Fatalf("sms: %v", r.sms.sent)
	}
	r.wantAttempts(ansinh.NoticeByConsultation+"/"+ansinh.NoticeRefused, ansinh.NoticeByTemplateUser+"/"+ansinh.NoticeRefused,
		ansinh.NoticeByTemplatePhone+"/"+ansinh.NoticeRefused, ansinh.NoticeBySMS+"/"+ansinh.NoticeSent)
}

func TestNothingIsSentWithoutConsent(t *testing.T) {
	r := newRig(t)
	r.zalo.last = r.clock
	receipt := r.register(ansinh.ChannelZalo, false, true)
	r.decide(receipt, ansinh.StatusVerified)
	r.send()
	r.clock = r.clock.Add(24 * time.Hour)
	r.send()
	if n := len(r.zalo.sent("/v3.0/oa/message/cs")) + len(r.zalo.sent("/v3.0/oa/message/template")) +
		len(r.zalo.sent("/message/template")) + len(r.sms.sent); n != 0 {
		t.Fatalf("%d messages sent without consent", n)
	}
	r.wantAttempts(ansinh.NoticeByNone + "/" + ansinh.NoticeNoConsent)
}

func TestNoChannelLeftFails(t *testing.T) {
	r := newRig(t)
	receipt := r.register(ansinh.ChannelQR, true, true)
	r.sms.code = http.StatusUnprocessableEntity
	r.zalo.fail("/message/template", -131) // template not approved
	r.decide(receipt, ansinh.StatusVerified)
	r.send()
	r.wantAttempts(ansinh.NoticeByTemplatePhone+"/"+ansinh.NoticeRefused, ansinh.NoticeBySMS+"/"+ansinh.NoticeRefused,
		ansinh.NoticeByNone+"/"+ansinh.NoticeFailed)
	if st, _ := r.st.NoticeStatus(context.Background(), "decision:"+receipt); st != "failed" {
		t.Fatalf("status %q", st)
	}
}

// BenchmarkNoticeSend is the notices' send throughput against the fake Zalo (template
// by phone), with the real embedded store.
func BenchmarkNoticeSend(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		reg := &ansinh.Registration{Receipt: fmt.Sprintf("BENCH%05d", i), BeneficiaryID: r.b.ID, Channel: ansinh.ChannelQR, NotifyConsent: true}
		n := &ansinh.Notice{ID: "bench:" + reg.Receipt, BeneficiaryID: r.b.ID, Receipt: reg.Receipt, Kind: ansinh.NoticeVerified,
			Phone: "84912345678", Params: map[string]string{notify.ParamReceipt: reg.Receipt}, Queued: r.clock}
		if err := r.st.QueueNotice(ctx, n, r.clock); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if n, err := r.svc.SendDue(ctx); err != nil || n != 1 {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notices/s")
}

func TestThePhoneFromTheListIsUsedWhenTheRegistrationGaveNone(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	rows := []*ansinh.ImportRow{{Beneficiary: ansinh.Beneficiary{Name: "Trần Thị Bảy", CCCD: "094160001235", BirthDate: "1960-03-05",
		Commune: "31498", Group: ansinh.GroupNCC, Eligible: true, Phone: "84987654321"}}}
	if _, err := r.st.InsertImported(ctx, rows, r.clock); err != nil {
		t.Fatal(err)
	}
	b, err := r.st.Beneficiary(ctx, r.st.BeneficiaryID("094160001235"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Phone != "" {
		t.Fatal("the phone is opened on every read of the record")
	}
	r.b = b
	receipt := r.register(ansinh.ChannelQR, true, false)
	r.decide(receipt, ansinh.StatusVerified)
	r.send()
	if got := r.zalo.sent("/message/template"); len(got) != 1 || got[0]["phone"] != "84987654321" {
		t.Fatalf("template by phone: %v", got)
	}
}
