package handlers_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ansinh"
	"ansinh/registration"
)

// BenchmarkStaffPages builds today's city (Cần Thơ, 103 communes) at 2,810, 20,000 and
// 150,000 beneficiaries on the embedded store and times every staff page and API list,
// sequentially, for a commune officer and a province officer: p50 and p95 at each size
// and the ratio of the p95s, largest / smallest (for exports, of the time to the first
// byte). Exports also report the growth of the heap while one runs; they are requested
// at most 10 times.
//
// ANSINH_BENCH_SIZES (e.g. "2810,20000") and ANSINH_BENCH_REQUESTS (default 30) narrow
// a run; `make bench-pages` runs this benchmark alone.
func BenchmarkStaffPages(b *testing.B) {
	sizes := []int{2810, 20_000, 150_000}
	if v := os.Getenv("ANSINH_BENCH_SIZES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatalf("ANSINH_BENCH_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	requests := 30
	if v := os.Getenv("ANSINH_BENCH_REQUESTS"); v != "" {
		requests, _ = strconv.Atoi(v)
	}
	for range b.N {
		e := newSetsEnv(b)
		city := newBenchCity(b, e)
		results := map[string]map[int]timing{}
		var order []string
		for _, size := range sizes {
			t0 := time.Now()
			city.grow(size)
			fmt.Printf("staff pages: %d beneficiaries built in %v (commune %s holds %d)\n", size, time.Since(t0).Round(time.Millisecond),
				city.commune, city.inCommune)
			for _, p := range city.pages() {
				n := requests
				if p.export {
					n = min(requests, 10) // a province's export takes seconds
				}
				t := city.measure(p, n)
				if results[p.name] == nil {
					results[p.name] = map[int]timing{}
					order = append(order, p.name)
				}
				results[p.name][size] = t
				fmt.Printf("  %-34s %s\n", p.name, t)
			}
		}
		first, last := sizes[0], sizes[len(sizes)-1]
		fmt.Printf("\nstaff pages, p50 / p95 in ms (exports: first byte, then whole answer)\n%-34s", "page")
		for _, s := range sizes {
			fmt.Printf(" %22d", s)
		}
		fmt.Printf(" %10s\n", fmt.Sprintf("p95 %dk/%d", last/1000, first))
		for _, name := range order {
			fmt.Printf("%-34s", name)
			for _, s := range sizes {
				fmt.Printf(" %22s", results[name][s].short())
			}
			ratio := results[name][last].p95 / results[name][first].p95
			if results[name][first].export { // an export streams: its ratio is the first byte's
				ratio = results[name][last].ttfb95 / results[name][first].ttfb95
			}
			fmt.Printf(" %10.2f\n", ratio)
			metric := strings.ReplaceAll(name, " ", "-")
			b.ReportMetric(results[name][last].p95, metric+"-p95-ms")
			b.ReportMetric(ratio, metric+"-ratio")
		}
	}
}

// timing is one page's latencies in milliseconds.
type timing struct {
	p50, p95         float64
	ttfb50, ttfb95   float64 // exports: time to the first byte
	heapMiB, bytesKB float64
	export           bool
}

func (t timing) String() string {
	s := fmt.Sprintf("p50 %8.1f ms  p95 %8.1f ms", t.p50, t.p95)
	if t.export {
		s += fmt.Sprintf("  first byte p50 %6.1f p95 %6.1f ms  heap +%.1f MiB  %.0f KB", t.ttfb50, t.ttfb95, t.heapMiB, t.bytesKB)
	}
	return s
}

func (t timing) short() string {
	if t.export {
		return fmt.Sprintf("%.0f/%.0f · %.0f/%.0f", t.ttfb50, t.ttfb95, t.p50, t.p95)
	}
	return fmt.Sprintf("%.1f / %.1f", t.p50, t.p95)
}

// benchCity is the synthetic city the benchmark grows: people spread over the 103
// communes at random, about half with an account, some not eligible, some checked by
// the police, a few waiting for a commune, 2 % with a submission pending and 1 % with
// one decided.
type benchCity struct {
	b         *testing.B
	e         *env
	base      string
	client    *http.Client
	life      *registration.Service
	rng       *rand.Rand
	communes  []string
	commune   string // the commune officer's
	inCommune int
	people    int
	lastID    string // someone of the commune
	lastCCCD  string
	receipt   string // a pending submission of the commune
	tokens    map[string]string
	cookies   map[string]*http.Cookie
}

func newBenchCity(b *testing.B, e *env) *benchCity {
	e.addUser("so.yte", ansinh.RoleProvince, "92")
	e.addUser("xa31120", ansinh.RoleCommune, "31120")
	c := &benchCity{b: b, e: e, base: e.serve(), client: &http.Client{Transport: &http.Transport{}},
		life: registration.New(e.store, e.cfg.SecretKey, nil), rng: rand.New(rand.NewPCG(92, 2025)),
		communes: e.units.Leaves("92"), commune: "31120", tokens: map[string]string{}, cookies: map[string]*http.Cookie{}}
	for _, u := range []string{"so.yte", "xa31120"} {
		c.tokens[u] = e.login(u)
		c.cookies[u] = e.browser(u).cookie
	}
	return c
}

var (
	benchFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Thạch", "Lâm", "Danh", "Sơn", "Kim", "Trương"}
	benchMiddle = []string{"Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Kim", "Quốc", "Thị Kim", "Văn Út"}
	benchGiven  = []string{"Sáu", "Bảy", "Tám", "Chín", "Mười", "Hoa", "Lan", "Hùng", "Dũng", "Tuấn", "Hương", "Mai", "Cúc", "Đào", "Liên",
		"Phúc", "Lộc", "Thọ", "Nga", "Hiền", "Sương", "Tư", "Năm", "Ba", "Út", "Hạnh", "Sang", "Thảo", "Vân", "Xuân"}
)

// grow adds people until the city holds size of them.
func (c *benchCity) grow(size int) {
	ctx := context.Background()
	now := time.Now()
	var pending, decided []*ansinh.Registration
	var checks []string
	for c.people < size {
		n := min(size-c.people, 5000)
		rows := make([]*ansinh.ImportRow, 0, n)
		for i := c.people; i < c.people+n; i++ {
			rng := c.rng
			cccd := fmt.Sprintf("092%09d", i)
			bn := ansinh.Beneficiary{Name: benchFamily[rng.IntN(len(benchFamily))] + " " + benchMiddle[rng.IntN(len(benchMiddle))] + " " +
				benchGiven[rng.IntN(len(benchGiven))], CCCD: cccd, BirthDate: fmt.Sprintf("19%02d-%02d-%02d", 30+rng.IntN(40), 1+rng.IntN(12), 1+rng.IntN(28)),
				Sex: ansinh.SexMale, Commune: c.communes[rng.IntN(len(c.communes))], Group: ansinh.Groups[rng.IntN(len(ansinh.Groups))],
				Amount: 500_000, Eligible: true, Synthetic: true}
			if rng.IntN(2) == 0 {
				bn.Sex = ansinh.SexFemale
			}
			r := &ansinh.ImportRow{Beneficiary: bn}
			switch x := rng.IntN(10000); {
			case x < 5185: // letter 433's 51.85 %
				r.Beneficiary.Account = &ansinh.Account{BankBIN: "970405", Number: fmt.Sprintf("55%010d", i), HolderName: ansinh.HolderName(bn.Name),
					Proxy: rng.IntN(10) == 0, Source: ansinh.SourceImport}
			case x < 5600:
				r.EligibleGiven, r.Beneficiary.Eligible = true, false
			case x < 5630: // a person of a split old ward, waiting for an officer's choice
				r.Beneficiary.Commune, r.Beneficiary.Candidates = "", []string{"31120", "31168"}
			case x < 5830:
				pending = append(pending, c.submission(cccd, r.Beneficiary.Commune, now))
			case x < 5930:
				decided = append(decided, c.submission(cccd, r.Beneficiary.Commune, now))
			}
			if rng.IntN(100) < 3 {
				checks = append(checks, cccd)
			}
			if r.Beneficiary.Commune == c.commune {
				c.inCommune++
				c.lastID, c.lastCCCD = c.e.store.BeneficiaryID(cccd), cccd
			}
			rows = append(rows, r)
		}
		if _, err := c.e.store.InsertImported(ctx, rows, now); err != nil {
			c.b.Fatal(err)
		}
		c.people += n
	}
	for _, r := range append(pending, decided...) {
		if _, err := c.life.Record(ctx, r); err != nil {
			c.b.Fatal(err)
		}
		if r.Commune == c.commune && c.receipt == "" {
			c.receipt = r.Receipt
		}
	}
	if c.receipt == "" && c.lastID != "" { // the review page needs one of the commune's
		r := c.submission(c.lastCCCD, c.commune, now)
		if _, err := c.life.Record(ctx, r); err != nil {
			c.b.Fatal(err)
		}
		c.receipt = r.Receipt
	}
	for i, r := range decided {
		status := ansinh.StatusVerified
		if i%4 == 0 {
			status = ansinh.StatusRejected
		}
		if _, err := c.life.RecordDecision(ctx, r, &ansinh.Decision{Receipt: r.Receipt, Status: status, Reason: "account_name", By: "bench", At: now}); err != nil {
			c.b.Fatal(err)
		}
	}
	for i, cccd := range checks {
		check := ansinh.IdentityCheck{State: ansinh.IdentityMatched, By: "bench", At: now}
		if i%5 == 0 {
			check = ansinh.IdentityCheck{State: ansinh.IdentityMismatch, Note: "Sai ngày sinh", By: "bench", At: now}
		}
		if err := c.e.store.SetIdentity(ctx, c.e.store.BeneficiaryID(cccd), check); err != nil {
			c.b.Fatal(err)
		}
	}
}

// submission is a registration of the person with cccd, recorded once the records exist.
func (c *benchCity) submission(cccd, commune string, now time.Time) *ansinh.Registration {
	return &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: c.e.store.BeneficiaryID(cccd), AccountName: "NGUOI THU", Commune: commune, Submitter: ansinh.SubmitterSelf,
		BankBIN: "970418", AccountNumber: "88" + cccd[2:], Channel: ansinh.ChannelQR, SubmittedAt: now.Add(-time.Duration(c.rng.IntN(1e6)) * time.Second)}
}

// benchPage is one page or API list to time.
type benchPage struct {
	name, user, path string
	cookie, export   bool
}

func (c *benchCity) pages() []benchPage {
	var out []benchPage
	month := time.Now().In(ansinh.Vietnam).Format("2006-01")
	for _, role := range []struct{ label, user, unit string }{{"commune", "xa31120", "31120"}, {"province", "so.yte", "92"}} {
		api := func(name, path string) {
			out = append(out, benchPage{name: role.label + " " + name, user: role.user, path: path})
		}
		web := func(name, path string) {
			out = append(out, benchPage{name: role.label + " " + name, user: role.user, path: path, cookie: true})
		}
		export := func(name, path string) {
			out = append(out, benchPage{name: role.label + " " + name, user: role.user, path: path, export: true})
		}
		api("api list", "/api/v1/beneficiaries")
		api("api list page 3", "/api/v1/beneficiaries?page=3")
		api("api search name", "/api/v1/beneficiaries?q=sau")
		api("api search full name", "/api/v1/beneficiaries?q=nguyen+van+sau")
		api("api search cccd", "/api/v1/beneficiaries?q="+c.lastCCCD)
		api("api identity filter", "/api/v1/beneficiaries?identity=mismatch")
		api("api waiting", "/api/v1/beneficiaries?unit_choice=pending")
		api("api one beneficiary", "/api/v1/beneficiaries/"+c.lastID)
		api("api queue", "/api/v1/registrations")
		api("api decided", "/api/v1/registrations?status=verified")
		api("api backlog", "/api/v1/registrations/backlog")
		api("api coverage", "/api/v1/coverage?unit="+role.unit)
		api("api monthly report", "/api/v1/reports/monthly?unit="+role.unit+"&month="+month)
		web("page home", "/can-bo/")
		web("page list", "/can-bo/doi-tuong")
		web("page search", "/can-bo/doi-tuong?q=sau")
		web("page queue", "/can-bo/duyet")
		web("page waiting", "/can-bo/can-chon-xa")
		web("page dashboard", "/can-bo/tong-quan")
		web("page beneficiary", "/can-bo/doi-tuong/"+c.lastID)
		if c.receipt != "" {
			web("page review", "/can-bo/duyet/"+c.receipt)
		}
		export("export csv", "/api/v1/beneficiaries/export.csv")
		export("payments csv", "/api/v1/payments?format=csv")
		export("payments xlsx", "/api/v1/payments?format=xlsx")
	}
	return out
}

// measure requests p sequentially and returns its latencies.
func (c *benchCity) measure(p benchPage, n int) timing {
	var total, first []time.Duration
	var heap float64
	var size int64
	for range n {
		req, _ := http.NewRequest("GET", c.base+p.path, nil)
		if p.cookie {
			req.AddCookie(c.cookies[p.user])
		} else {
			req.Header.Set("Authorization", "Bearer "+c.tokens[p.user])
		}
		var t0, got time.Time
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotFirstResponseByte: func() { got = time.Now() }}))
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var before runtime.MemStats
		if p.export {
			runtime.GC()
			runtime.ReadMemStats(&before)
			wg.Add(1)
			go func() { // the heap's high-water mark while the export runs
				defer wg.Done()
				for {
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}()
		}
		t0 = time.Now()
		res, err := c.client.Do(req)
		if err != nil {
			c.b.Fatalf("%s: %v", p.name, err)
		}
		nb, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		took := time.Since(t0)
		close(stop)
		wg.Wait()
		if res.StatusCode != 200 {
			c.b.Fatalf("%s: %s: status %d", p.name, p.path, res.StatusCode)
		}
		total = append(total, took)
		first = append(first, got.Sub(t0))
		size = nb
		if p.export {
			heap = max(heap, float64(int64(peak.Load())-int64(before.HeapInuse))/(1<<20))
		}
	}
	t := timing{export: p.export, heapMiB: heap, bytesKB: float64(size) / 1024}
	t.p50, t.p95 = percentiles(total)
	t.ttfb50, t.ttfb95 = percentiles(first)
	return t
}

func percentiles(d []time.Duration) (p50, p95 float64) {
	slices.Sort(d)
	return ms(d[len(d)/2]), ms(d[min(len(d)-1, len(d)*95/100)])
}
