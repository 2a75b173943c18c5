package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ansinh/mapper"
	"ansinh/store"
)

type httpServer struct{ *httptest.Server }

func newHTTPServer(t *testing.T, h http.Handler) *httpServer {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return &httpServer{s}
}

func readAll(r *http.Request) string {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return string(b)
}

// deliver runs the callback worker once over everything due, as `ansinh serve` does
// every two seconds.
func (p *paymentSystem) deliver(e *env) int {
	e.t.Helper()
	d := &mapper.Deliverer{Queue: e.store, MaxAttempts: 3}
	n, err := d.DeliverDue(e.t.Context(), time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// The asynchronous resolve: ACK at once, the result posted to the payment system's
// /mapper/on-resolve, signed by ansinh, valid against the schema; a payment system
// that is down gets it on a retry, and one that stays down leaves it failed.
func TestG2PAsyncResolvePostsOnResolve(t *testing.T) {
	e := g2pEnv(t)
	fake := newPaymentSystem(t)
	token := e.addClient(map[string]any{"details": true, "callback_url": fake.URL + "/g2p/"})
	m := msg("a1", q("r1", "id", "cccd:"+sauCCCD+"@vn", "scope", "details"), q("r2", "fa", tamFA))
	m["header"].(map[string]any)["sender_uri"] = fake.URL + "/g2p"
	r := e.g2pDo("/g2p/mapper/resolve", token, m)
	var ack struct {
		Message struct {
			AckStatus     string `json:"ack_status"`
			CorrelationID string `json:"correlation_id"`
		}
	}
	r.decode(&ack)
	if r.StatusCode != 200 || ack.Message.AckStatus != "ACK" || ack.Message.CorrelationID == "" || strings.Contains(string(r.body), sauAccount) {
		t.Fatalf("ack: %d %s", r.StatusCode, r.body)
	}
	if len(fake.bodies()) != 0 {
		t.Fatal("posted before the worker ran")
	}
	if n := fake.deliver(e); n != 1 {
		t.Fatalf("delivered %d", n)
	}
	got := fake.bodies()
	if len(got) != 1 || fake.paths[0] != "/g2p/mapper/on-resolve" {
		t.Fatalf("received %d at %v", len(got), fake.paths)
	}
	checkG2PAnswer(t, "/mapper/sync/on-resolve", 200, got[0])
	verifyAnswer(t, e.g2pKey(), got[0])
	var out onResolve
	if err := json.Unmarshal(got[0], &out); err != nil {
		t.Fatal(err)
	}
	if out.Header.Action != "on-resolve" || out.Message.CorrelationID != ack.Message.CorrelationID || out.Message.TransactionID != "t-a1" {
		t.Fatalf("callback: %s", got[0])
	}
	wantAnswers(t, out.answers(), map[string]string{
		"r1": "succ succ.id.active fa=" + sauFA + " id=cccd:" + sauCCCD + "@vn bank=970405",
		"r2": "succ succ.fa.active fa=" + tamFA + " id= bank=",
	})
	if n := fake.deliver(e); n != 0 {
		t.Fatalf("delivered again: %d", n)
	}
	if st, attempts, _, err := e.store.CallbackStatus(t.Context(), ack.Message.CorrelationID); err != nil || st != store.CallbackSent || attempts != 1 {
		t.Fatalf("state: %s %d %v", st, attempts, err)
	}

	// Down: retried with back-off, then failed after the attempts allowed.
	fake.mu.Lock()
	fake.fail = true
	fake.mu.Unlock()
	r = e.g2pDo("/g2p/mapper/resolve", token, msg("a2", q("r1", "id", "cccd:"+sauCCCD+"@vn")))
	r.decode(&ack)
	d := &mapper.Deliverer{Queue: e.store, MaxAttempts: 3}
	now := time.Now()
	for i := range 3 {
		if _, err := d.DeliverDue(t.Context(), now); err != nil {
			t.Fatal(err)
		}
		st, attempts, reason, _ := e.store.CallbackStatus(t.Context(), ack.Message.CorrelationID)
		want := store.CallbackPending
		if i == 2 {
			want = store.CallbackFailed
		}
		if st != want || attempts != i+1 || !strings.Contains(reason, "HTTP 503") {
			t.Fatalf("attempt %d: %s %d %q", i+1, st, attempts, reason)
		}
		if n, _ := d.DeliverDue(t.Context(), now); n != 0 {
			t.Fatal("retried before its time")
		}
		now = now.Add(2 * time.Hour)
	}
	fake.mu.Lock()
	fake.fail = false
	fake.mu.Unlock()
	if n, _ := d.DeliverDue(t.Context(), now.Add(24*time.Hour)); n != 0 {
		t.Fatal("a failed callback was sent again")
	}
}

func TestG2PAsyncNeedsItsCallbackAddress(t *testing.T) {
	e := g2pEnv(t)
	fake := newPaymentSystem(t)
	none := e.addClient(map[string]any{"sender_id": "sync.only.vn"})
	token := e.addClient(map[string]any{"callback_url": fake.URL})
	m := msg("n1", q("r1", "id", "cccd:"+sauCCCD+"@vn"))
	m["header"].(map[string]any)["sender_id"] = "sync.only.vn"
	if r := e.g2pDo("/g2p/mapper/resolve", none, m); r.StatusCode != 400 || !strings.Contains(string(r.body), "err.sender_uri.invalid") {
		t.Errorf("no callback address: %d %s", r.StatusCode, r.body)
	}
	m = msg("n2", q("r1", "id", "cccd:"+sauCCCD+"@vn"))
	m["header"].(map[string]any)["sender_uri"] = "https://attacker.example/"
	if r := e.g2pDo("/g2p/mapper/resolve", token, m); r.StatusCode != 400 || !strings.Contains(string(r.body), "err.sender_uri.invalid") {
		t.Errorf("another sender_uri: %d %s", r.StatusCode, r.body)
	}
	m = msg("n3", q("r1", "id", "cccd:"+sauCCCD+"@vn"))
	m["header"].(map[string]any)["version"] = "0.9"
	r := e.g2pDo("/g2p/mapper/resolve", token, m)
	if r.StatusCode != 400 || !strings.Contains(string(r.body), `"ack_status":"ERR"`) || !strings.Contains(string(r.body), "err.version.not_supported") {
		t.Errorf("bad version async: %d %s", r.StatusCode, r.body)
	}
	if n := fake.deliver(e); n != 0 || len(fake.bodies()) != 0 {
		t.Errorf("refused requests were posted back: %d", n)
	}
}
