package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
)

// syncBuffer is a log sink read while the server writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var readyRE = regexp.MustCompile(`msg=ready addr=(\S+)`)

// waitReady waits for the "ready" log line and returns the base URL.
func waitReady(t *testing.T, log fmt.Stringer, done <-chan error) string {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		if m := readyRE.FindStringSubmatch(log.String()); m != nil {
			return "http://" + m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped before ready: %v\n%s", err, log)
		case <-deadline:
			t.Fatalf("server not ready after 60s:\n%s", log)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// server is `ansinh serve` running in this process until stop is called.
type server struct {
	url    string
	stdout *syncBuffer
	stderr *syncBuffer
	stop   func() error
}

func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"ansinh"}, envOf(env), strings.NewReader(""), s.stdout, s.stderr) }()
	s.url = waitReady(t, s.stderr, done)
	stopped := false
	s.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = s.stop() })
	return s
}

func postJSON(t *testing.T, url, token string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func login(t *testing.T, base, user, password string) (int, string) {
	t.Helper()
	status, out := postJSON(t, base+"/api/v1/auth/login", "", map[string]string{"username": user, "password": password})
	token, _ := out["token"].(string)
	return status, token
}

func TestDataSurvivesRestartAndAdminIsNeverReset(t *testing.T) {
	env := map[string]string{
		"ANSINH_DATA_DIR":       t.TempDir(),
		"ANSINH_UNITS_SET":      "soc-trang-2024", // the user below is on 31498
		"ANSINH_ADDR":           "127.0.0.1:0",
		"ANSINH_ADMIN_PASSWORD": "first-admin-password",
	}
	s := startServer(t, env)
	status, token := login(t, s.url, "admin", "first-admin-password")
	if status != 200 {
		t.Fatalf("admin login: %d", status)
	}
	if status, out := postJSON(t, s.url+"/api/v1/users", token, map[string]string{
		"username": "xa.phuong5", "password": "xa-phuong5-password", "role": "commune", "unit": "31507"}); status != 201 {
		t.Fatalf("create user: %d %v", status, out)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	env["ANSINH_ADMIN_PASSWORD"] = "second-admin-password"
	s = startServer(t, env)
	if status, _ := login(t, s.url, "xa.phuong5", "xa-phuong5-password"); status != 200 {
		t.Fatalf("user created before the restart: login %d", status)
	}
	if status, _ := login(t, s.url, "admin", "first-admin-password"); status != 200 {
		t.Fatalf("admin's first password after restart: %d", status)
	}
	if status, _ := login(t, s.url, "admin", "second-admin-password"); status != 401 {
		t.Fatalf("a new ANSINH_ADMIN_PASSWORD changed the admin: %d", status)
	}
}

func TestRandomAdminPasswordIsPrintedOnce(t *testing.T) {
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_ADDR": "127.0.0.1:0"}
	s := startServer(t, env)
	m := regexp.MustCompile(`Created user admin with password: (\S+)`).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no password printed:\n%s", s.stdout)
	}
	if strings.Contains(s.stderr.String(), m[1]) {
		t.Fatal("the admin password reached the log")
	}
	status, out := postJSON(t, s.url+"/api/v1/auth/login", "", map[string]string{"username": "admin", "password": m[1]})
	if status != 200 || out["must_change_password"] != true {
		t.Fatalf("printed password: %d %v, want a login that must change it", status, out)
	}
	token, _ := out["token"].(string)
	if status, out := postJSON(t, s.url+"/api/v1/users", token, map[string]string{"username": "so.x", "password": "mat-khau-du-dai",
		"role": "province", "unit": "92"}); status != 403 || out["error"].(map[string]any)["code"] != ansinh.EPASSWORDCHANGE {
		t.Fatalf("the printed password opens the API before it is changed: %d %v", status, out)
	}
	_ = s.stop()
	s = startServer(t, env)
	if strings.Contains(s.stdout.String(), "password") {
		t.Fatalf("second start printed a password again:\n%s", s.stdout)
	}
}

func TestConfigErrorsExitWithTwoAndNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad address", map[string]string{"ANSINH_ADDR": "nonsense"}, nil, "ANSINH_ADDR"},
		{"short key", map[string]string{"ANSINH_DATA_KEY": "short"}, nil, "ANSINH_DATA_KEY"},
		{"embedded store off loopback", map[string]string{"ANSINH_EMBEDDED_ADDR": "0.0.0.0:27017"}, nil, "ANSINH_EMBEDDED_ADDR"},
		{"missing units file", map[string]string{"ANSINH_UNITS_FILE": "/no/such/file.csv"}, nil, "ANSINH_UNITS_FILE"},
		{"unknown command", nil, []string{"frobnicate"}, "frobnicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), append([]string{"ansinh"}, tc.args...), envOf(tc.env), nil, io.Discard, &stderr)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a usage error naming %s", err, tc.want)
			}
			f, _ := os.CreateTemp(t.TempDir(), "stderr")
			if code := exitCode(err, f); code != 2 {
				t.Fatalf("exit code %d, want 2", code)
			}
		})
	}
}

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"ansinh", "help"}, envOf(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"serve", "user add"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestUserAddRespectsScope(t *testing.T) {
	dir := t.TempDir()
	// Scopes with a district between province and commune: the letter's structure.
	env := map[string]string{"ANSINH_DATA_DIR": dir, "ANSINH_ADMIN_PASSWORD": "the-admin-password", "ANSINH_UNITS_SET": "soc-trang-2024"}
	userAdd := func(stdin string, args ...string) error {
		return run(context.Background(), append([]string{"ansinh", "user", "add"}, args...), envOf(env), strings.NewReader(stdin), io.Discard, io.Discard)
	}
	if err := userAdd("huyen-941-password\n", "-username", "huyen941", "-role", "district", "-unit", "941", "-password-stdin"); err != nil {
		t.Fatal(err)
	}
	if err := userAdd("", "-as", "huyen941", "-username", "xa31569", "-role", "commune", "-unit", "31569"); err == nil {
		t.Fatal("a district officer created a user in another district")
	}
	if err := userAdd("", "-as", "huyen941", "-username", "so2", "-role", "province", "-unit", "94"); err == nil {
		t.Fatal("a district officer created a province officer")
	}
	if err := userAdd("xa-31498-password\n", "-as", "huyen941", "-username", "xa31498", "-role", "commune", "-unit", "31498", "-password-stdin"); err != nil {
		t.Fatal(err)
	}
	env["ANSINH_ADDR"] = "127.0.0.1:0"
	s := startServer(t, env)
	if status, _ := login(t, s.url, "xa31498", "xa-31498-password"); status != 200 {
		t.Fatalf("login as the added user: %d", status)
	}
	if status, _ := login(t, s.url, "xa31569", "anything-at-all"); status != 401 {
		t.Fatalf("refused user exists: %d", status)
	}
}

// TestSIGTERMLetsASlowRequestFinish runs the real binary's code in a child process (this
// test binary, re-executed), sends SIGTERM while a slow request is in flight, and
// checks that the request completes and the process exits 0.
func TestSIGTERMLetsASlowRequestFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$")
	stderr := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	cmd.Env = append(os.Environ(), "ANSINH_TEST_HELPER=serve", "ANSINH_DATA_DIR="+t.TempDir(),
		"ANSINH_ADDR=127.0.0.1:0", "ANSINH_ADMIN_PASSWORD=helper-admin-password")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	base := waitReady(t, stderr, done)

	type result struct {
		status int
		body   string
		err    error
	}
	res := make(chan result, 1)
	go func() {
		r, err := http.Get(base + "/slow")
		if err != nil {
			res <- result{err: err}
			return
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		res <- result{status: r.StatusCode, body: string(b)}
	}()
	for start := time.Now(); !strings.Contains(stderr.String(), "slow request started"); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the slow request never started:\n%s", stderr)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-res
	if r.err != nil || r.status != 200 || r.body != "done" {
		t.Fatalf("slow request: %d %q %v\n%s", r.status, r.body, r.err, stderr)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("process did not exit\n%s", stderr)
	}
	if !strings.Contains(stderr.String(), "msg=stopped") {
		t.Fatalf("no orderly stop in the log:\n%s", stderr)
	}
}

// TestHelperServe is the child process of TestSIGTERMLetsASlowRequestFinish: main with
// one extra slow route.
func TestHelperServe(t *testing.T) {
	if os.Getenv("ANSINH_TEST_HELPER") != "serve" {
		t.Skip("only as a child process")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := runWith(ctx, []string{"ansinh", "serve"}, os.Getenv, os.Stdin, os.Stdout, os.Stderr, func(app *fiber.App) {
		app.Get("/slow", func(c *fiber.Ctx) error {
			fmt.Fprintln(os.Stderr, "slow request started")
			time.Sleep(1500 * time.Millisecond)
			return c.SendString("done")
		})
	})
	os.Exit(exitCode(err, os.Stderr))
}
