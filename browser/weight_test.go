package browser_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// maxPageBytes is the budget for a form page with all its CSS and JS, gzipped.
const maxPageBytes = 30 * 1024

// TestFormPageWeight measures each form page in the browser (the Network domain, the
// cache off): every request must go to the test server, and the page with all it loads
// must weigh under 30 KB gzipped. The weight is the sum of Network.loadingFinished's
// encodedDataLength (headers and body as they came over the wire). A response that
// came without gzip is counted as it would have come gzipped (its headers plus its
// body through compress/gzip), so the budget measures what the issue means, and the
// missing compression is reported.
func TestFormPageWeight(t *testing.T) {
	chromiumPath(t) // skip before starting the store when there is no browser
	srv := startServer(t)
	ctx := startBrowser(t, true)
	rec := &recorder{reqs: map[network.RequestID]*request{}}
	if err := chromedp.Listen(ctx, rec.event); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}

	pages := []struct {
		name string
		load func(t *testing.T)
	}{
		{"identity", func(t *testing.T) { navigate(t, ctx, srv.URL+"/c/"+communeCode, 200) }},
		{"who", func(t *testing.T) {
			typeInto(t, ctx, "#cccd", seedCCCD)
			typeInto(t, ctx, "#ngay", "5")
			typeInto(t, ctx, "#thang", "3")
			typeInto(t, ctx, "#nam", "1950")
			click(t, ctx, identitySubmit, 200)
		}},
		{"account", func(t *testing.T) { click(t, ctx, "#submitter-self", 200) }},
		{"holder", func(t *testing.T) {
			do(t, ctx, "choose the bank", chromedp.SetValue(chromedp.CSS("#bank_bin"), agribankBIN))
			typeInto(t, ctx, "#account_number", typedAccount)
			click(t, ctx, stepSubmit, 200)
		}},
		{"phone", func(t *testing.T) { click(t, ctx, "#holder-self", 200) }},
		{"consent", func(t *testing.T) { click(t, ctx, stepSubmit, 200) }},
		{"check", func(t *testing.T) {
			do(t, ctx, "consent", chromedp.Click(chromedp.CSS("#consent")))
			click(t, ctx, stepSubmit, 200)
		}},
	}
	uncompressed := map[string]bool{}
	for _, p := range pages {
		rec.reset()
		p.load(t)
		reqs := rec.settle(t, ctx)
		t.Run(p.name, func(t *testing.T) {
			var wire, effective, bodies, gzipped int
			for _, r := range reqs {
				u, err := url.Parse(r.url)
				if err != nil || u.Host != srv.Host {
					t.Errorf("%s: request to %s, which is not the test server %s", p.name, r.url, srv.Host)
				}
				if !strings.Contains(r.acceptEncoding, "gzip") {
					t.Errorf("%s: the browser did not offer gzip for %s (Accept-Encoding %q)", p.name, r.url, r.acceptEncoding)
				}
				if r.failed != "" {
					t.Errorf("%s: %s failed: %s", p.name, r.url, r.failed)
					continue
				}
				body := bodyOf(t, ctx, r)
				gz := gzipLen(t, body)
				eff := int(r.encoded)
				if r.encoding == "" && len(body) > 0 {
					// Headers and framing as they came, the body as gzip would send it.
					eff = max(int(r.encoded)-len(body), 0) + gz
					uncompressed[strings.SplitN(r.url, "?", 2)[0]] = true
				}
				wire += int(r.encoded)
				effective += eff
				bodies += len(body)
				gzipped += gz
				t.Logf("%s: %s %s %d %s, encoding %q (sent Accept-Encoding %q): %d bytes on the wire, body %d bytes, %d gzipped, counted %d",
					p.name, r.method, r.url, r.status, r.mime, r.encoding, r.acceptEncoding, int(r.encoded), len(body), gz, eff)
			}
			if len(reqs) == 0 {
				t.Fatalf("%s: no request recorded", p.name)
			}
			t.Logf("%s: %d requests; %d bytes on the wire; bodies %d bytes, %d gzipped; weight counted gzipped %d bytes (budget %d)",
				p.name, len(reqs), wire, bodies, gzipped, effective, maxPageBytes)
			if effective >= maxPageBytes {
				t.Errorf("%s weighs %d bytes gzipped with its CSS and JS, want under %d", p.name, effective, maxPageBytes)
			}
		})
	}
	for u := range uncompressed {
		t.Logf("APP BUG: %s came without Content-Encoding although the browser accepts gzip: the app does not compress responses", u)
	}
}

// request is what the browser told about one request.
type request struct {
	id             network.RequestID
	url, method    string
	mime           string
	status         int64
	encoding       string // the response's Content-Encoding
	acceptEncoding string // the request's Accept-Encoding, as sent
	encoded        float64
	finished       bool
	failed         string
}

// recorder keeps the requests of the current page, from the tab's event loop.
type recorder struct {
	mu    sync.Mutex
	order []*request
	reqs  map[network.RequestID]*request
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.order, r.reqs = nil, map[network.RequestID]*request{}
}

func (r *recorder) get(id network.RequestID) *request {
	q := r.reqs[id]
	if q == nil {
		q = &request{id: id}
		r.reqs[id] = q
		r.order = append(r.order, q)
	}
	return q
}

// event runs in the tab's event loop: quick, and no commands.
func (r *recorder) event(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		q := r.get(ev.RequestID)
		q.url, q.method = ev.Request.URL, ev.Request.Method
	case *network.EventRequestWillBeSentExtraInfo:
		r.get(ev.RequestID).acceptEncoding = header(ev.Headers, "Accept-Encoding")
	case *network.EventResponseReceived:
		q := r.get(ev.RequestID)
		q.url, q.status, q.mime = ev.Response.URL, ev.Response.Status, ev.Response.MimeType
		q.encoding = header(ev.Response.Headers, "Content-Encoding")
	case *network.EventLoadingFinished:
		q := r.get(ev.RequestID)
		q.finished, q.encoded = true, ev.EncodedDataLength
	case *network.EventLoadingFailed:
		r.get(ev.RequestID).failed = ev.ErrorText
	}
}

// settle waits until every request of the page has finished or failed (and a little
// longer, for late ones), then returns them.
func (r *recorder) settle(t *testing.T, ctx context.Context) []request {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	quiet := 0
	for {
		r.mu.Lock()
		done := len(r.order) > 0
		for _, q := range r.order {
			done = done && (q.finished || q.failed != "")
		}
		out := make([]request, 0, len(r.order))
		for _, q := range r.order {
			out = append(out, *q)
		}
		r.mu.Unlock()
		if done {
			quiet++
		} else {
			quiet = 0
		}
		if quiet >= 3 { // 300 ms with nothing pending
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("requests still pending after 5 s: %+v", out)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// bodyOf is the decoded body of a response.
func bodyOf(t *testing.T, ctx context.Context, r request) []byte {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: r.id})
	if err != nil {
		t.Fatalf("body of %s: %v", r.url, err)
	}
	return res.Body
}

// gzipLen is the size of b gzipped at the default level, as a server would send it.
func gzipLen(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}
