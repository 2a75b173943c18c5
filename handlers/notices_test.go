package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ansinh"
	"ansinh/notify"
	"ansinh/zalo"
)

// templateZalo answers template messages by phone, refusing the first with code.
type templateZalo struct {
	mu    sync.Mutex
	codes []int
	sent  int
}

func (z *templateZalo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if len(z.codes) > 0 {
		code := z.codes[0]
		z.codes = z.codes[1:]
		fmt.Fprintf(w, `{"error":%d,"message":"refused"}`, code)
		return
	}
	z.sent++
	fmt.Fprint(w, `{"data":{"message_id":"m1"},"error":0,"message":"Success"}`)
}

type staticToken struct{}

func (staticToken) AccessToken(context.Context, bool) (string, error) { return "t", nil }

// TestTheRecordShowsEveryNoticeAttempt: a web registration, rejected; the notice waits
// out Zalo's daily limit, then goes by template by phone; the record page lists both
// tries with their channel, cost class and result, and never the phone number.
func TestTheRecordShowsEveryNoticeAttempt(t *testing.T) {
	e := newEnv(t)
	z := &templateZalo{codes: []int{zalo.CodeDailyLimit}}
	srv := httptest.NewServer(z)
	t.Cleanup(srv.Close)
	e.clock.t = time.Date(2026, 12, 2, 10, 0, 0, 0, ansinh.Vietnam)
	svc := &notify.Service{Store: e.store, Zalo: &zalo.Client{APIURL: srv.URL, BusinessURL: srv.URL}, Tokens: staticToken{},
		Templates: notify.Templates{Rejected: "tpl-r"}, Now: e.clock.now}
	e.app = e.rebuild(svc)
	e.addUser("xa31498", ansinh.RoleCommune, "31498")
	e.withBeneficiaries()
	body := validRegistration("key-notice-001")
	body["notify_consent"] = true
	_, receipt := e.submit(body)
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/reject", e.login("xa31498"), map[string]string{"reason": "account_invalid"}); r.StatusCode != 200 {
		t.Fatalf("reject: %d", r.StatusCode)
	}
	ctx := context.Background()
	if _, err := svc.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.t = time.Date(2026, 12, 3, 6, 0, 0, 0, ansinh.Vietnam)
	if _, err := svc.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if z.sent != 1 {
		t.Fatalf("%d template messages", z.sent)
	}
	res, doc := e.browser("xa31498").get("/can-bo/doi-tuong/" + e.store.BeneficiaryID(sauCCCD))
	rows := doc.Find("#notices tbody tr")
	if res.StatusCode != 200 || rows.Length() != 2 {
		t.Fatalf("record page: %d, %d notice rows", res.StatusCode, rows.Length())
	}
	first, second := rows.Eq(0).Text(), rows.Eq(1).Text()
	if !strings.Contains(first, ansinh.NoticeResultNames[ansinh.NoticeWaiting]) || !strings.Contains(first, "-144") ||
		!strings.Contains(second, ansinh.NoticeChannelNames[ansinh.NoticeByTemplatePhone]) ||
		!strings.Contains(second, ansinh.NoticeCostNames[ansinh.CostTemplate]) || !strings.Contains(second, ansinh.NoticeResultNames[ansinh.NoticeSent]) {
		t.Fatalf("notice rows:\n%s\n%s", first, second)
	}
	if strings.Contains(string(res.body), "912345678") {
		t.Fatal("the phone number is on the page")
	}
}
