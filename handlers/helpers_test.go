package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"ansinh"
	"ansinh/handlers"
	"ansinh/refdata"
	"ansinh/registration"
	"ansinh/store"
	"ansinh/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is one test's app on a fresh database of the real store.
type env struct {
	t          testing.TB
	clock      *clock
	cfg        ansinh.Config
	csrfCookie *http.Cookie
	csrfToken  string
	app        *fiber.App
	store      *store.Store
	units      *ansinh.Units
	sets       *ansinh.UnitSets // nil: units alone
}

// newEnv is the app over the bundled Sóc Trăng units of 2024 as the only set.
func newEnv(t testing.TB, mutate ...func(*ansinh.Config)) *env {
	t.Helper()
	units, err := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		t.Fatal(err)
	}
	return newEnvUnits(t, units, nil, mutate...)
}

// newSetsEnv is the app over the bundled unit sets, can-tho-2025 current, as `ansinh
// serve` runs by default.
func newSetsEnv(t testing.TB, mutate ...func(*ansinh.Config)) *env {
	t.Helper()
	sets, err := ansinh.BundledUnitSets(ansinh.SetCanTho2025)
	if err != nil {
		t.Fatal(err)
	}
	return newEnvUnits(t, sets.Current().Units, sets, mutate...)
}

func newEnvUnits(t testing.TB, units *ansinh.Units, sets *ansinh.UnitSets, mutate ...func(*ansinh.Config)) *env {
	t.Helper()
	cfg := ansinh.DefaultConfig()
	cfg.SecretKey = "test-secret-key-test-secret-key-0123"
	cfg.DataKey = storetest.TestDataKey
	for _, m := range mutate {
		m(&cfg)
	}
	st := storetest.New(t)
	e := &env{t: t, clock: &clock{t: time.Now()}, cfg: cfg, store: st, units: units, sets: sets}
	e.app = e.rebuild(nil)
	return e
}

// rebuild makes the app again over the same store, with a notifier of the test's.
func (e *env) rebuild(n ansinh.Notifier) *fiber.App {
	e.t.Helper()
	app, err := handlers.New(handlers.Deps{Config: e.cfg, Store: e.store, Units: e.units, UnitSets: e.sets, Logger: storetest.Logger(), Now: e.clock.now, Notifier: n})
	if err != nil {
		e.t.Fatal(err)
	}
	return app
}

// clock is the app's time, moved on by tests instead of sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (e *env) now() time.Time { return e.clock.now() }

// advance moves the app's clock forward by seconds.
func (e *env) advance(seconds int) {
	e.clock.mu.Lock()
	defer e.clock.mu.Unlock()
	e.clock.t = e.clock.t.Add(time.Duration(seconds) * time.Second)
}

// addUser stores a user directly, as `ansinh user add` would.
func (e *env) addUser(username string, role ansinh.Role, unit string) {
	e.t.Helper()
	_, err := ansinh.CreateUser(context.Background(), e.store,
		&ansinh.NewUser{Username: username, Password: username + "-password", Role: role, Unit: unit}, "test", time.Now())
	if err != nil {
		e.t.Fatalf("add user %s: %v", username, err)
	}
}

// login returns a bearer token for a user made by addUser.
func (e *env) login(username string) string {
	e.t.Helper()
	res := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": username + "-password"})
	if res.StatusCode != 200 {
		e.t.Fatalf("login %s: %d %s", username, res.StatusCode, res.body)
	}
	var out struct{ Token string }
	res.decode(&out)
	return out.Token
}

type response struct {
	*http.Response
	body []byte
	t    testing.TB
}

func (r *response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorCode returns the code of a JSON error body, failing the test if the body is not
// the error shape of SPEC §5.
func (r *response) errorCode() string {
	r.t.Helper()
	var out struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		r.t.Fatalf("error body is %q, not JSON: %s", r.Header.Get("Content-Type"), r.body)
	}
	r.decode(&out)
	if out.Error.Code == "" || out.Error.Message == "" {
		r.t.Fatalf("not the error shape: %s", r.body)
	}
	return out.Error.Code
}

// do sends a request; body may be nil, a string (sent as is, as JSON) or a value to
// marshal.
func (e *env) do(method, path, token string, body any, headers ...string) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) *response {
	e.t.Helper()
	res, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return e.read(res)
}

func (e *env) read(res *http.Response) *response {
	e.t.Helper()
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return &response{Response: res, body: b, t: e.t}
}

// serve runs the app on a loopback port for tests that need a real connection, and
// returns its base URL.
func (e *env) serve() string {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	e.t.Cleanup(func() { _ = e.app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func (e *env) userCount() int {
	e.t.Helper()
	us, err := e.store.Users(context.Background(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(us)
}

// settle waits until the submissions the app accepted are through their steps, for a
// test that reads the store directly.
func (e *env) settle() {
	e.t.Helper()
	if err := registration.New(e.store, "settle", nil).Settle(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}
