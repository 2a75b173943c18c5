// Package browser_test drives the public registration form in a real Chromium, as a
// person on a cheap phone would: commune code → form → receipt → status, with and
// without JavaScript, and checks its weight and accessibility.
//
// The tests skip when Chromium is missing, unless CI is set: CI must install it with
// `apt-get update && apt-get install -y chromium`. Screenshots go to ANSINH_ARTEFACTS
// (default: $TMPDIR/ansinh-artefacts).
package browser_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"ansinh"
	"ansinh/handlers"
	"ansinh/importer"
	"ansinh/refdata"
	"ansinh/store"
	"ansinh/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The one beneficiary every test starts with, in commune 31498 (Phường 5).
const (
	communeCode = "31498"
	communeName = "Phường 5"
	seedCSV     = "ho_ten,cccd,ngay_sinh,gioi_tinh,ma_xa,nhom\nNguyễn Văn Sáu,094050001234,05/03/1950,Nam,31498,NCC\n"
	seedName    = "Nguyễn Văn Sáu"
	seedCCCD    = "094050001234"
)

// browserTimeout bounds each test's browser, start-up included.
const browserTimeout = 60 * time.Second

// Viewport of a small phone.
const (
	viewportWidth  = 360
	viewportHeight = 740
	deviceScale    = 2
)

// server is the app on a loopback port, on a fresh database holding the seed
// beneficiary.
type server struct {
	URL  string // http://127.0.0.1:port
	Host string // 127.0.0.1:port
}

func startServer(t *testing.T) *server {
	t.Helper()
	return startServerWith(t, seedCSV, 1, nil)
}

// startServerWith runs the app on a loopback port over a fresh store holding the
// beneficiaries of csv (want of them), after seed, if any, has added to the store;
// with, if given, adds to the app's dependencies.
func startServerWith(t *testing.T, csv string, want int, seed func(*store.Store), with ...func(*store.Store, *handlers.Deps)) *server {
	t.Helper()
	units, err := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		t.Fatal(err)
	}
	cfg := ansinh.DefaultConfig()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	srv := &server{URL: "http://" + ln.Addr().String(), Host: ln.Addr().String()}
	cfg.BaseURL = srv.URL
	cfg.SecretKey = "browser-test-secret-key-0123456789-abcdef"
	cfg.DataKey = storetest.TestDataKey

	st := storetest.New(t)
	res, err := importer.Import(context.Background(), st, units, strings.NewReader(csv), int64(len(csv)), importer.Options{
		Actor: &ansinh.User{Username: "so", Role: ansinh.RoleProvince, Unit: "94"}, File: "x.csv"})
	if err != nil {
		t.Fatalf("seed import: %v", err)
	}
	if res.Inserted != want || len(res.Errors) != 0 {
		t.Fatalf("seed import: inserted %d, want %d, errors %+v", res.Inserted, want, res.Errors)
	}
	if seed != nil {
		seed(st)
	}

	deps := handlers.Deps{Config: cfg, Store: st, Units: units, Logger: storetest.Logger()}
	for _, f := range with {
		f(st, &deps)
	}
	app, err := handlers.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return srv
}

// chromiumPath finds Chromium, or skips the test (fails it when CI is set).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && fi.Mode().IsRegular() {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is missing and CI is set: CI must install it (apt-get update && apt-get install -y chromium)")
	}
	t.Skip("browser tests skipped: no chromium at /usr/bin/chromium or on PATH; install it with apt-get install -y chromium")
	return ""
}

// startBrowser opens a headless Chromium tab at a phone's viewport, with page scripts
// on or off. The browser ends with the test, or after browserTimeout.
func startBrowser(t *testing.T, js bool) context.Context {
	t.Helper()
	path := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		acancel()
		cancel()
	})
	do(t, bctx, "start the browser",
		chromedp.EmulateViewport(viewportWidth, viewportHeight, chromedp.EmulateScale(deviceScale), chromedp.EmulateMobile))
	if !js {
		if _, err := chromedp.Call(bctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
	}
	return bctx
}

// do runs actions that return nothing, failing the test on an error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// run runs one action and returns its value, failing the test on an error.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page (DevTools evaluation, which works
// even when the page's own scripts are disabled).
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return run(t, ctx, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// text returns the visible text of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(run(t, ctx, "text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// value returns the value of a form field.
func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return run(t, ctx, "value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// typeInto clicks a field and types into it, key by key.
func typeInto(t *testing.T, ctx context.Context, sel, s string) {
	t.Helper()
	do(t, ctx, "type into "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), s))
}

// navigate opens a URL and checks the HTTP status of the page.
func navigate(t *testing.T, ctx context.Context, url string, wantStatus int64) {
	t.Helper()
	resp := run(t, ctx, "open "+url, chromedp.NavigateResponse(url))
	if resp == nil || resp.Status != wantStatus {
		t.Fatalf("open %s: status %v, want %d", url, status(resp), wantStatus)
	}
}

// click clicks an element that loads a new page (a submit button, a link), waits for
// the page and checks its HTTP status (after redirects).
func click(t *testing.T, ctx context.Context, sel string, wantStatus int64) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	if resp == nil || resp.Status != wantStatus {
		t.Fatalf("click %s: the page came with status %v, want %d", sel, status(resp), wantStatus)
	}
}

func status(resp *network.Response) any {
	if resp == nil {
		return "none"
	}
	return resp.Status
}

// artefactDir is where screenshots go: ANSINH_ARTEFACTS, or $TMPDIR/ansinh-artefacts.
func artefactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ANSINH_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "ansinh-artefacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artefact directory: %v", err)
	}
	return dir
}

// screenshot saves a PNG of the whole page as a test artefact and logs its path.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := run(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(artefactDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
	t.Logf("screenshot %s", path)
}
