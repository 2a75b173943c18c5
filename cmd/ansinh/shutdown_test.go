package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestShutdownUnderLoadClosesTheStoreLast stops `ansinh serve` while requests come in
// and the chat worker is busy sending (a slow Zalo), and checks that nothing reached
// the store after it closed: the store reports such calls ("called after close"), and
// the race detector sees the rest.
func TestShutdownUnderLoadClosesTheStoreLast(t *testing.T) {
	var sends atomic.Int32
	zaloAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v4/oa/access_token":
			fmt.Fprint(w, `{"access_token":"access","refresh_token":"refresh-next","expires_in":"90000"}`)
		case "/v3.0/oa/message/cs":
			select { // slow enough that a shutdown finds the worker mid-send
			case <-time.After(40 * time.Millisecond):
			case <-r.Context().Done():
			}
			sends.Add(1)
			fmt.Fprint(w, `{"data":{"message_id":"m"},"error":0,"message":"Success"}`)
		}
	}))
	defer zaloAPI.Close()
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_ADDR": "127.0.0.1:0", "ANSINH_ADMIN_PASSWORD": "the-admin-password",
		"ANSINH_PUBLIC_RATE_LIMIT": "100000", "ZALO_APP_ID": "app", "ZALO_OA_SECRET_KEY": "oa-secret", "ZALO_APP_SECRET_KEY": "app-secret",
		"ZALO_REFRESH_TOKEN": "refresh-0", "ZALO_API_URL": zaloAPI.URL, "ZALO_OAUTH_URL": zaloAPI.URL}
	s := startServer(t, env)

	stop := make(chan struct{})
	var load sync.WaitGroup
	var seq atomic.Int64
	for g := range 4 {
		load.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := seq.Add(1)
				if g == 0 {
					if res, err := http.Get(s.url + "/readyz"); err == nil {
						res.Body.Close()
					}
					continue
				}
				ts := fmt.Sprint(1700000000000 + n)
				body, _ := json.Marshal(map[string]any{"app_id": "app", "sender": map[string]string{"id": fmt.Sprint("u", n%7)}, "event_name": "user_send_text",
					"message": map[string]string{"text": "hướng dẫn", "msg_id": fmt.Sprint("m", n)}, "timestamp": ts})
				sum := sha256.Sum256([]byte("app" + string(body) + ts + "oa-secret"))
				req, _ := http.NewRequest("POST", s.url+"/webhooks/zalo", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-ZEvent-Signature", "mac="+hex.EncodeToString(sum[:]))
				if res, err := http.DefaultClient.Do(req); err == nil {
					res.Body.Close()
				}
				// Paced: an endless burst of events keeps the worker from ever sending.
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	for deadline := time.Now().Add(30 * time.Second); sends.Load() < 5; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the worker never sent:\n%s", s.stderr)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, s.stderr)
	}
	time.Sleep(300 * time.Millisecond) // a worker left running would call the closed store now
	close(stop)
	load.Wait()
	log := s.stderr.String()
	if strings.Contains(log, "called after close") {
		t.Fatalf("the store was called after it closed:\n%s", log)
	}
	if !strings.Contains(log, "msg=stopped") {
		t.Fatalf("no orderly stop:\n%s", log)
	}
}
