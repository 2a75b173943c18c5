package zalobot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ansinh"
	"ansinh/handlers"
	"ansinh/refdata"
	"ansinh/registration"
	"ansinh/store/storetest"
	"ansinh/zalo"
	"ansinh/zalobot"
)

// timedZalo is the fake Zalo that also notes when each reply left, and to whom.
type timedZalo struct {
	fakeZalo
	mu    sync.Mutex
	times []time.Time
	users []string
}

func (f *timedZalo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v3.0/oa/message/cs" {
		var body struct {
			Recipient struct {
				UserID string `json:"user_id"`
			} `json:"recipient"`
		}
		raw := new(bytes.Buffer)
		_, _ = raw.ReadFrom(r.Body)
		_ = json.Unmarshal(raw.Bytes(), &body)
		r.Body = http.NoBody
		f.mu.Lock()
		f.times = append(f.times, time.Now())
		f.users = append(f.users, body.Recipient.UserID)
		f.mu.Unlock()
		r2 := r.Clone(r.Context())
		r2.Body = readCloser{bytes.NewReader(raw.Bytes())}
		f.fakeZalo.ServeHTTP(w, r2)
		return
	}
	f.fakeZalo.ServeHTTP(w, r)
}

// burstTexts are what a person writes, in turn: a greeting, the wish to register, a CCCD.
var burstTexts = []string{"xin chào", "đăng ký", "094050001234"}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// BenchmarkChatBurst: 500 messages from 200 people over 10 s, as after the OA's monthly
// broadcast, through the webhook to the worker and the fake Zalo; reports how soon the
// first reply left after the burst began and the last after it ended.
func BenchmarkChatBurst(b *testing.B) {
	for range b.N {
		st := storetest.New(b)
		fake := &timedZalo{}
		srv := httptest.NewServer(fake)
		cfg := ansinh.DefaultConfig()
		cfg.SecretKey, cfg.DataKey = "test-secret-key-test-secret-key-0123", storetest.TestDataKey
		cfg.Zalo.AppID, cfg.Zalo.OASecretKey, cfg.Zalo.AppSecretKey = appID, oaSecret, "app-secret"
		cfg.PublicRateLimit = 0
		units, _ := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
		client := &zalo.Client{APIURL: srv.URL, OAuthURL: srv.URL, AppID: appID, AppSecretKey: "app-secret"}
		bot := zalobot.New(st, registration.New(st, cfg.SecretKey, nil), client, storetest.Logger(), nil)
		app, err := handlers.New(handlers.Deps{Config: cfg, Store: st, Units: units, Logger: storetest.Logger(), Bot: bot, Notifier: bot})
		if err != nil {
			b.Fatal(err)
		}
		if err := bot.SeedToken(context.Background(), "refresh-0"); err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = app.Listener(ln) }()
		ctx, cancel := context.WithCancel(context.Background())
		go bot.Run(ctx)
		url := "http://" + ln.Addr().String() + "/webhooks/zalo"
		const messages, people, seconds = 500, 200, 10
		var failed atomic.Int64
		var wg sync.WaitGroup
		tick := time.NewTicker(seconds * time.Second / messages)
		start := time.Now()
		for i := range messages {
			<-tick.C
			ts := fmt.Sprint(start.UnixMilli() + int64(i))
			body, _ := json.Marshal(map[string]any{"app_id": appID, "sender": map[string]string{"id": fmt.Sprint(700000 + i%people)},
				"event_name": "user_send_text", "message": map[string]string{"text": burstTexts[(i/people)%len(burstTexts)], "msg_id": fmt.Sprintf("burst-%d-%d", start.UnixNano(), i)}, "timestamp": ts})
			sig := sign(body, ts)
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-ZEvent-Signature", sig)
				res, err := http.DefaultClient.Do(req)
				if err != nil || res.StatusCode != 200 {
					failed.Add(1)
				}
				if res != nil {
					res.Body.Close()
				}
			}()
		}
		tick.Stop()
		wg.Wait()
		end := time.Now()
		// The burst is answered when every person has been answered and nothing has
		// left for three seconds.
		last, quiet := 0, time.Now()
		for time.Since(quiet) < 3*time.Second && time.Since(end) < 2*time.Minute {
			time.Sleep(100 * time.Millisecond)
			fake.mu.Lock()
			n := len(fake.times)
			fake.mu.Unlock()
			if n != last {
				last, quiet = n, time.Now()
			}
		}
		cancel()
		_ = app.Shutdown()
		srv.Close()
		fake.mu.Lock()
		answered := map[string]bool{}
		for _, u := range fake.users {
			answered[u] = true
		}
		if len(fake.times) > 0 {
			b.ReportMetric(fake.times[0].Sub(start).Seconds(), "first-reply-s")
			b.ReportMetric(fake.times[len(fake.times)-1].Sub(end).Seconds(), "last-reply-after-burst-s")
		}
		b.ReportMetric(float64(len(fake.times)), "replies")
		b.ReportMetric(float64(len(answered)), "people-answered")
		b.ReportMetric(float64(failed.Load()), "webhook-errors")
		fake.mu.Unlock()
	}
}
