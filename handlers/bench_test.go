package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ansinh"
)

// BenchmarkRegistrationAPI submits registrations through a real HTTP listener from 50
// concurrent clients, each for a different beneficiary, and reports the throughput
// and the latency percentiles.
func BenchmarkRegistrationAPI(b *testing.B) {
	const clients, people = 50, 2000
	e := newEnv(b, func(c *ansinh.Config) { c.PublicRateLimit = 1_000_000 })
	e.benchPeople(people)
	base := e.serve()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	b.ResetTimer()
	for n := range b.N {
		var mu sync.Mutex
		var latencies []time.Duration
		work := make(chan int)
		var wg sync.WaitGroup
		start := time.Now()
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					body, _ := json.Marshal(map[string]any{"cccd": fmt.Sprintf("0940500%05d", i), "birth_date": "1950-01-01",
						"submitter": "self", "bank_bin": "970405", "account_number": fmt.Sprintf("7000%08d", i),
						"account_name": "Nguyen Van Thu", "consent": true, "idempotency_key": fmt.Sprintf("bench-%d-%d", n, i)})
					t0 := time.Now()
					res, err := client.Post(base+"/api/v1/registrations", "application/json", bytes.NewReader(body))
					d := time.Since(t0)
					if err != nil {
						b.Error(err)
						return
					}
					res.Body.Close()
					if res.StatusCode != 201 {
						b.Errorf("status %d", res.StatusCode)
					}
					mu.Lock()
					latencies = append(latencies, d)
					mu.Unlock()
				}
			}()
		}
		for i := range people {
			work <- i
		}
		close(work)
		wg.Wait()
		elapsed := time.Since(start)
		slices.Sort(latencies)
		b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "registrations/s")
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkCoverage reads the province's coverage through the API at 10,000, 100,000
// and 1,000,000 beneficiaries on the embedded store, and reports p50/p95 at each and
// the 1,000,000 / 10,000 ratio of the p95s: the counters keep it flat.
func BenchmarkCoverage(b *testing.B) {
	sizes := []int{10_000, 100_000, 1_000_000}
	p95 := map[int]float64{}
	for n := range b.N {
		_ = n
		e := newEnv(b)
		prov := "admin"
		e.addUser(prov, ansinh.RoleAdmin, "94")
		token := e.login(prov)
		communes := e.units.Leaves("94")
		have := 0
		for _, size := range sizes {
			for have < size {
				batch := make([]*ansinh.ImportRow, 0, 5000)
				for i := have; i < min(size, have+5000); i++ {
					r := &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Người Thử", CCCD: fmt.Sprintf("09405%07d", i),
						BirthDate: "1950", Commune: communes[i%len(communes)], Group: ansinh.GroupBTXH, Eligible: true}}
					if i%2 == 0 {
						r.Beneficiary.Account = &ansinh.Account{BankBIN: "970405", Number: fmt.Sprintf("77%010d", i), HolderName: "NGUOI THU", Source: ansinh.SourceImport}
					}
					batch = append(batch, r)
				}
				if _, err := e.store.InsertImported(context.Background(), batch, time.Now()); err != nil {
					b.Fatal(err)
				}
				have += len(batch)
			}
			var lat []time.Duration
			for range 200 {
				t0 := time.Now()
				r := e.do("GET", "/api/v1/coverage?unit=94", token, nil)
				lat = append(lat, time.Since(t0))
				if r.StatusCode != 200 || !strings.Contains(string(r.body), fmt.Sprintf(`"beneficiaries":%d`, size)) {
					b.Fatalf("coverage at %d: %d %.200s", size, r.StatusCode, r.body)
				}
			}
			slices.Sort(lat)
			label := map[int]string{10_000: "10k", 100_000: "100k", 1_000_000: "1M"}[size]
			p95[size] = float64(lat[len(lat)*95/100].Microseconds()) / 1000
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms-"+label)
			b.ReportMetric(p95[size], "p95-ms-"+label)
		}
	}
	b.ReportMetric(p95[1_000_000]/p95[10_000], "ratio-1M/10k")
}

// BenchmarkLoad drives the public form page and the registration API at rising
// concurrency for two seconds each, on the embedded store, and reports throughput,
// p50/p99, errors, and the process's resident memory (the service runs in this
// process, with its embedded store).
func BenchmarkLoad(b *testing.B) {
	const people = 20000
	e := newEnv(b, func(c *ansinh.Config) { c.PublicRateLimit = 10_000_000 })
	e.benchPeople(people)
	base := e.serve()
	next := 0
	var nextMu sync.Mutex
	take := func() int {
		nextMu.Lock()
		defer nextMu.Unlock()
		next++
		return next % people
	}
	for range b.N {
		for _, target := range []string{"form", "api"} {
			for _, clients := range []int{1, 10, 50, 100} {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
				var mu sync.Mutex
				var lat []time.Duration
				errs := 0
				stop := time.Now().Add(2 * time.Second)
				var wg sync.WaitGroup
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for time.Now().Before(stop) {
							var res *http.Response
							var err error
							t0 := time.Now()
							if target == "form" {
								res, err = client.Get(base + "/c/31498")
							} else {
								i := take()
								body, _ := json.Marshal(map[string]any{"cccd": fmt.Sprintf("0940500%05d", i), "birth_date": "1950-01-01",
									"submitter": "self", "bank_bin": "970405", "account_number": fmt.Sprintf("7000%08d", i),
									"account_name": "Nguyen Van Thu", "consent": true, "idempotency_key": fmt.Sprintf("load-%d-%d", i, time.Now().UnixNano())})
								res, err = client.Post(base+"/api/v1/registrations", "application/json", bytes.NewReader(body))
							}
							d := time.Since(t0)
							ok := err == nil && (res.StatusCode == 200 || res.StatusCode == 201)
							if res != nil {
								io.Copy(io.Discard, res.Body)
								res.Body.Close()
							}
							mu.Lock()
							if ok {
								lat = append(lat, d)
							} else {
								errs++
							}
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				slices.Sort(lat)
				label := fmt.Sprintf("%s-c%d", target, clients)
				if len(lat) > 0 {
					b.ReportMetric(float64(len(lat))/2, label+"-req/s")
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, label+"-p50-ms")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, label+"-p99-ms")
				}
				b.ReportMetric(float64(errs), label+"-errors")
			}
		}
		b.ReportMetric(rssMiB(), "rss-MiB")
	}
}

// rssMiB is this process's resident memory.
func rssMiB() float64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
