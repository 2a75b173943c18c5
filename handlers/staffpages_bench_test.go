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
// byte). Exports also report the most live heap one holds; they are requested at most
// 10 times.
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
			fmt.Printf("staff pages: %d beneficiaries built in %v (commune 31120 holds %d, %s %d)\n", size, time.Since(t0).Round(time.Millisecond),
				city.officers[0].held, fixedCommune, city.officers[1].held)
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
		s += fmt.Sprintf("  first byte p50 %6.1f p95 %6.1f ms  live heap +%.1f MiB  %.0f KB", t.ttfb50, t.ttfb95, t.heapMiB, t.bytesKB)
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
// one decided. Its officers: the commune officer of 31120, which grows with the city
// (about 1,400 people at 150,000); the officer of 31168, which holds 1,400 people at
// every size, so that its ratio is the city's growth alone; the province officer.
type benchCity struct {
	b        *testing.B
	e        *env
	base     string
	client   *http.Client
	life     *registration.Service
	rng      *rand.Rand
	communes []string // where the others live
	officers []*benchOfficer
	people   int
	// fixedWaiting counts the waiting people offered the fixed commune so far.
	fixedWaiting int
	tokens       map[string]string
	cookies      map[string]*http.Cookie
}

// benchOfficer is a staff user whose pages are timed, and what their unit holds.
type benchOfficer struct {
	label, user, unit string
	fixed             int // the commune holds this many people at every size (0: grows with the city)
	held              int
	lastID, lastCCCD  string // someone of the unit
	receipt           string // a pending submission of the unit
}

const fixedCommune = "31168"

// fixedWaiting is how many people waiting for a commune's choice have the fixed commune
// among their candidates: about what 2,810 people give (0.3 % of them).
const fixedWaiting = 8

func newBenchCity(b *testing.B, e *env) *benchCity {
	c := &benchCity{b: b, e: e, base: e.serve(), client: &http.Client{Transport: &http.Transport{}},
		life: registration.New(e.store, e.cfg.SecretKey, nil), rng: rand.New(rand.NewPCG(92, 2025)),
		officers: []*benchOfficer{{label: "commune", user: "xa31120", unit: "31120"}, {label: "commune-1400", user: "xa31168", unit: fixedCommune, fixed: 1400},
			{label: "province", user: "so.yte", unit: "92"}},
		tokens: map[string]string{}, cookies: map[string]*http.Cookie{}}
	for _, code := range e.units.Leaves("92") {
		if code != fixedCommune {
			c.communes = append(c.communes, code)
		}
	}
	for _, o := range c.officers {
		role := ansinh.RoleCommune
		if o.unit == "92" {
			role = ansinh.RoleProvince
		}
		e.addUser(o.user, role, o.unit)
		c.tokens[o.user] = e.login(o.user)
		c.cookies[o.user] = e.browser(o.user).cookie
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
			if f := c.officers[1]; f.held < f.fixed {
				bn.Commune = f.unit
			}
			r := &ansinh.ImportRow{Beneficiary: bn}
			switch x := rng.IntN(10000); {
			case x < 5185: // letter 433's 51.85 %
				r.Beneficiary.Account = &ansinh.Account{BankBIN: "970405", Number: fmt.Sprintf("55%010d", i), HolderName: ansinh.HolderName(bn.Name),
					Proxy: rng.IntN(10) == 0, Source: ansinh.SourceImport}
			case x < 5600:
				r.EligibleGiven, r.Beneficiary.Eligible = true, false
			case x < 5630: // a person of a split old ward, waiting for an officer's choice
				// The fixed commune is offered as many at every size as at 2,810 (its
				// ratio is the city's growth alone); the others go to a growing one.
				other := c.communes[rng.IntN(len(c.communes))]
				if c.fixedWaiting < fixedWaiting {
					c.fixedWaiting++
					other = fixedCommune
				}
				r.Beneficiary.Commune, r.Beneficiary.Candidates = "", []string{"31120", other}
			case x < 5830:
				pending = append(pending, c.submission(cccd, r.Beneficiary.Commune, now))
			case x < 5930:
				decided = append(decided, c.submission(cccd, r.Beneficiary.Commune, now))
			}
			if rng.IntN(100) < 3 {
				checks = append(checks, cccd)
			}
			for _, o := range c.officers {
				if r.Beneficiary.Commune == o.unit || o.unit == "92" && r.Beneficiary.Commune == "31120" {
					o.held++
					o.lastID, o.lastCCCD = c.e.store.BeneficiaryID(cccd), cccd
				}
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
		for _, o := range c.officers {
			if (r.Commune == o.unit || o.unit == "92" && r.Commune == "31120") && o.receipt == "" {
				o.receipt = r.Receipt
			}
		}
	}
	for _, o := range c.officers {
		if o.receipt == "" && o.lastID != "" { // the review page needs one of the unit's
			b, _ := c.e.store.Beneficiary(ctx, o.lastID)
			r := c.submission(o.lastCCCD, b.Commune, now)
			if _, err := c.life.Record(ctx, r); err != nil {
				c.b.Fatal(err)
			}
			o.receipt = r.Receipt
		}
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
	for _, role := range c.officers {
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
		api("api search cccd", "/api/v1/beneficiaries?q="+role.lastCCCD)
		api("api identity filter", "/api/v1/beneficiaries?identity=mismatch")
		api("api waiting", "/api/v1/beneficiaries?unit_choice=pending")
		api("api one beneficiary", "/api/v1/beneficiaries/"+role.lastID)
		api("api queue", "/api/v1/registrations")
		api("api decided", "/api/v1/registrations?status=verified")
		if role.label == "province" { // the communes' backlogs are a province's or district's page
			api("api backlog", "/api/v1/registrations/backlog")
		}
		api("api coverage", "/api/v1/coverage?unit="+role.unit)
		api("api monthly report", "/api/v1/reports/monthly?unit="+role.unit+"&month="+month)
		web("page home", "/can-bo/")
		web("page list", "/can-bo/doi-tuong")
		web("page search", "/can-bo/doi-tuong?q=sau")
		web("page queue", "/can-bo/duyet")
		web("page waiting", "/can-bo/can-chon-xa")
		web("page dashboard", "/can-bo/tong-quan")
		web("page beneficiary", "/can-bo/doi-tuong/"+role.lastID)
		if role.receipt != "" {
			web("page review", "/can-bo/duyet/"+role.receipt)
		}
		export("export csv", "/api/v1/beneficiaries/export.csv")
		export("payments csv", "/api/v1/payments?format=csv")
		export("payments xlsx", "/api/v1/payments?format=xlsx")
	}
	return out
}

// measure requests p sequentially and returns its latencies. An export is then
// requested once more with the live heap sampled (a collection, then the heap in use,
// every 100 ms): the most it held above what the process held before it.
func (c *benchCity) measure(p benchPage, n int) timing {
	var total, first []time.Duration
	var size int64
	for range n {
		took, got, nb := c.get(p)
		total, first, size = append(total, took), append(first, got), nb
	}
	t := timing{export: p.export, bytesKB: float64(size) / 1024}
	t.p50, t.p95 = percentiles(total)
	t.ttfb50, t.ttfb95 = percentiles(first)
	if p.export {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}()
		c.get(p)
		close(stop)
		wg.Wait()
		t.heapMiB = max(0, float64(int64(peak.Load())-int64(before.HeapAlloc))/(1<<20))
	}
	return t
}

// get requests p once: the whole answer's time, the first byte's, and its size.
func (c *benchCity) get(p benchPage) (time.Duration, time.Duration, int64) {
	req, _ := http.NewRequest("GET", c.base+p.path, nil)
	if p.cookie {
		req.AddCookie(c.cookies[p.user])
	} else {
		req.Header.Set("Authorization", "Bearer "+c.tokens[p.user])
	}
	var got time.Time
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotFirstResponseByte: func() { got = time.Now() }}))
	t0 := time.Now()
	res, err := c.client.Do(req)
	if err != nil {
		c.b.Fatalf("%s: %v", p.name, err)
	}
	nb, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(t0)
	if res.StatusCode != 200 {
		c.b.Fatalf("%s: %s: status %d", p.name, p.path, res.StatusCode)
	}
	return took, got.Sub(t0), nb
}

func percentiles(d []time.Duration) (p50, p95 float64) {
	slices.Sort(d)
	return ms(d[len(d)/2]), ms(d[min(len(d)-1, len(d)*95/100)])
}
