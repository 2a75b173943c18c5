package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeZaloAPI counts the messages it is asked to send, per recipient.
type fakeZaloAPI struct {
	mu   sync.Mutex
	sent map[string]int
}

func (f *fakeZaloAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/v4/oa/access_token":
		fmt.Fprint(w, `{"access_token":"access","refresh_token":"refresh-next","expires_in":"90000"}`)
	case "/v3.0/oa/message/cs":
		var m struct {
			Recipient struct {
				UserID string `json:"user_id"`
			} `json:"recipient"`
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		f.sent[m.Recipient.UserID]++
		fmt.Fprint(w, `{"data":{"message_id":"m"},"error":0,"message":"Success"}`)
	}
}

func postJSON2(t *testing.T, url, token string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestTwoInstancesOneStore runs two `ansinh serve` processes on one store (the second
// through MONGODB_URI to the first's embedded store), races verifications across them,
// and has both deliver Zalo messages: every decision is taken once, every event is
// answered once.
func TestTwoInstancesOneStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	fake := &fakeZaloAPI{sent: map[string]int{}}
	zaloSrv := httptest.NewServer(fake)
	defer zaloSrv.Close()
	port := freePort(t)
	common := map[string]string{"ANSINH_ADMIN_PASSWORD": "the-admin-password",
		"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01", "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1",
		"ANSINH_PUBLIC_RATE_LIMIT": "100000", "ZALO_APP_ID": "app", "ZALO_OA_SECRET_KEY": "oa-secret", "ZALO_APP_SECRET_KEY": "app-secret",
		"ZALO_REFRESH_TOKEN": "refresh-0", "ZALO_API_URL": zaloSrv.URL, "ZALO_OAUTH_URL": zaloSrv.URL}
	// Sóc Trăng codes (31498 …): the letter's set.
	envA := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_EMBEDDED_ADDR": port, "ANSINH_UNITS_SET": "soc-trang-2024"}
	envB := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "MONGODB_URI": "mongodb://" + port + "/", "ANSINH_UNITS_SET": "soc-trang-2024"}
	for k, v := range common {
		envA[k], envB[k] = v, v
	}
	cccds := importPeople(t, envA, 30)
	a := startChild(t, envA)
	b := startChild(t, envB)
	uri := map[string]string{"MONGODB_URI": "mongodb://" + port + "/", "ANSINH_UNITS_SET": "soc-trang-2024"}
	for k, v := range common {
		uri[k] = v
	}
	for _, name := range []string{"xa.a", "xa.b"} {
		if err := run(t.Context(), []string{"ansinh", "user", "add", "-username", name, "-role", "commune", "-unit", "31507", "-password-stdin"},
			envOf(uri), strings.NewReader(name+"-password\n"), io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	_, tokA := login(t, a.url, "xa.a", "xa.a-password")
	_, tokB := login(t, b.url, "xa.b", "xa.b-password")
	// A session made on one instance works on the other.
	if code, _ := postJSON2(t, b.url+"/api/v1/auth/logout", tokA, nil); code != 204 {
		t.Fatalf("A's token on B: %d", code)
	}
	_, tokA = login(t, a.url, "xa.a", "xa.a-password")

	var receipts []string
	for i, cccd := range cccds {
		url := []string{a.url, b.url}[i%2]
		code, body := postJSON2(t, url+"/api/v1/registrations", "", registrationBody(cccd, "two-"+cccd))
		var out struct{ Receipt string }
		_ = json.Unmarshal(body, &out)
		if code != 201 {
			t.Fatalf("submit: %d %s", code, body)
		}
		receipts = append(receipts, out.Receipt)
	}
	var wg sync.WaitGroup
	results := make([][2]int, len(receipts))
	for i, r := range receipts {
		for j, target := range []struct{ url, token string }{{a.url, tokA}, {b.url, tokB}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i][j], _ = postJSON2(t, target.url+"/api/v1/registrations/"+r+"/verify", target.token, nil)
			}()
		}
	}
	wg.Wait()
	for i, r := range results {
		if !((r[0] == 200 && r[1] == 409) || (r[0] == 409 && r[1] == 200)) {
			t.Fatalf("receipt %d: A %d, B %d; want one 200 and one 409", i, r[0], r[1])
		}
	}

	// Zalo events delivered to both; both workers send; each user is answered once.
	users := 20
	for i := range users {
		ts := fmt.Sprint(1700000000000 + i)
		body, _ := json.Marshal(map[string]any{"app_id": "app", "sender": map[string]string{"id": fmt.Sprint("u", i)}, "event_name": "user_send_text",
			"message": map[string]string{"text": "hướng dẫn", "msg_id": fmt.Sprint("m", i)}, "timestamp": ts})
		sum := sha256.Sum256([]byte("app" + string(body) + ts + "oa-secret"))
		for _, url := range []string{a.url, b.url} { // Zalo retries: the same event reaches both
			req, _ := http.NewRequest("POST", url+"/webhooks/zalo", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-ZEvent-Signature", "mac="+hex.EncodeToString(sum[:]))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
	}
	deadline := time.Now().Add(45 * time.Second)
	for {
		fake.mu.Lock()
		answered := len(fake.sent)
		fake.mu.Unlock()
		if answered == users || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // a duplicate would come within a worker tick
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.sent) != users {
		t.Fatalf("%d of %d users answered\nA:\n%s\nB:\n%s", len(fake.sent), users, a.stderr, b.stderr)
	}
	counts := map[int]int{}
	for _, n := range fake.sent {
		counts[n]++
	}
	if len(counts) != 1 {
		t.Fatalf("messages per user vary: %v (a duplicate delivery)", counts)
	}
}
