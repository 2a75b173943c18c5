package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ansinh"
	"ansinh/handlers"
	"ansinh/importer"
	"ansinh/store/storetest"
)

// load runs op from clients goroutines for d and returns the rate of successes, the
// p50 and p99 latencies and the number of failures.
func load(clients int, d time.Duration, op func(worker, i int) error) (rate float64, p50, p99 time.Duration, errs int) {
	var mu sync.Mutex
	var lat []time.Duration
	var failed atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				t0 := time.Now()
				err := op(w, i)
				took := time.Since(t0)
				if err != nil {
					failed.Add(1)
					continue
				}
				mu.Lock()
				lat = append(lat, took)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		return 0, 0, 0, int(failed.Load())
	}
	slices.Sort(lat)
	return float64(len(lat)) / d.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100], int(failed.Load())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchPeople imports n people born on 1 January 1950 (CCCD 0940500nnnnn), spread over
// the communes of the province.
func (e *env) benchPeople(n int) {
	e.t.Helper()
	var csv strings.Builder
	csv.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	communes := e.units.Leaves("94")
	for i := range n {
		fmt.Fprintf(&csv, "Nguyễn Văn Thử,0940500%05d,01/01/1950,%s,BTXH\n", i, communes[i%len(communes)])
	}
	if _, err := importer.Import(context.Background(), e.store, e.units, strings.NewReader(csv.String()), int64(csv.Len()),
		importer.Options{Actor: &ansinh.User{Username: "so", Role: ansinh.RoleProvince, Unit: "94"}, File: "bench.csv"}); err != nil {
		e.t.Fatal(err)
	}
}

// BenchmarkWritePath compares, in one run on one embedded store holding 20,000
// beneficiaries, raw inserts of a 1 KB document with registrations through the API, at
// 1 and 20 clients, and reports the ratio of their rates and of their p99s.
func BenchmarkWritePath(b *testing.B) {
	const people = 20000
	e := newEnv(b, func(c *ansinh.Config) { c.PublicRateLimit = 10_000_000 })
	e.benchPeople(people)
	base := e.serve()
	filler := strings.Repeat("x", 1000)
	var seq atomic.Int64
	for range b.N {
		for _, clients := range []int{1, 20} {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			rawRate, _, rawP99, rawErrs := load(clients, 2*time.Second, func(w, i int) error {
				return storetest.InsertRaw(context.Background(), e.store, "bench_raw",
					map[string]any{"_id": fmt.Sprintf("raw-%d", seq.Add(1)), "filler": filler})
			})
			regRate, regP50, regP99, regErrs := load(clients, 2*time.Second, func(w, i int) error {
				n := int(seq.Add(1)) % people
				body, _ := json.Marshal(map[string]any{"cccd": fmt.Sprintf("0940500%05d", n), "birth_date": "1950-01-01",
					"submitter": "self", "bank_bin": "970405", "account_number": fmt.Sprintf("7000%08d", n),
					"account_name": "Nguyen Van Thu", "consent": true, "idempotency_key": fmt.Sprintf("writepath-%08d", seq.Add(1))})
				res, err := client.Post(base+"/api/v1/registrations", "application/json", bytes.NewReader(body))
				if err != nil {
					return err
				}
				msg, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 201 {
					return fmt.Errorf("status %d: %.200s", res.StatusCode, msg)
				}
				return nil
			})
			label := fmt.Sprintf("c%d", clients)
			b.ReportMetric(rawRate, label+"-raw-inserts/s")
			b.ReportMetric(ms(rawP99), label+"-raw-p99-ms")
			b.ReportMetric(regRate, label+"-registrations/s")
			b.ReportMetric(ms(regP50), label+"-reg-p50-ms")
			b.ReportMetric(ms(regP99), label+"-reg-p99-ms")
			b.ReportMetric(100*regRate/rawRate, label+"-rate-%-of-raw")
			b.ReportMetric(float64(regP99)/float64(rawP99), label+"-p99-ratio")
			b.ReportMetric(float64(rawErrs+regErrs), label+"-errors")
		}
	}
}

// BenchmarkPublicLimiter serves the commune form at 20 clients from one address, in one
// run, with the limiter shared through the store and without any limiter, and reports
// both rates and their ratio.
func BenchmarkPublicLimiter(b *testing.B) {
	e := newEnv(b)
	mk := func(limit int) string {
		cfg := e.cfg
		cfg.PublicRateLimit = limit
		app, err := handlers.New(handlers.Deps{Config: cfg, Store: e.store, Units: e.units, Logger: storetest.Logger(), Rates: e.store})
		if err != nil {
			b.Fatal(err)
		}
		e.app = app
		return e.serve()
	}
	limited, open := mk(10_000_000), mk(0)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 20}}
	get := func(base string) func(int, int) error {
		return func(int, int) error {
			res, err := client.Get(base + "/c/31498")
			if err != nil {
				return err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				return fmt.Errorf("status %d", res.StatusCode)
			}
			return nil
		}
	}
	for range b.N {
		withRate, _, withP99, e1 := load(20, 2*time.Second, get(limited))
		withoutRate, _, withoutP99, e2 := load(20, 2*time.Second, get(open))
		b.ReportMetric(withRate, "limited-req/s")
		b.ReportMetric(ms(withP99), "limited-p99-ms")
		b.ReportMetric(withoutRate, "unlimited-req/s")
		b.ReportMetric(ms(withoutP99), "unlimited-p99-ms")
		b.ReportMetric(100*withRate/withoutRate, "limited-%-of-unlimited")
		b.ReportMetric(float64(e1+e2), "errors")
	}
}

// BenchmarkRegistrationProfile is the store-call profile of a registration through the
// API: it registers new people one after the other and prints, per registration, each
// kind of command the store sent (command and collection), how many and how long, and
// the share of the request's time spent waiting for the store. The CPU side comes from
// `go test -bench BenchmarkRegistrationProfile -cpuprofile`.
func BenchmarkRegistrationProfile(b *testing.B) {
	const people, registrations = 2000, 300
	e := newEnv(b, func(c *ansinh.Config) { c.PublicRateLimit = 10_000_000 })
	e.benchPeople(people)
	base := e.serve()
	client := &http.Client{}
	type kind struct{ command, collection string }
	for range b.N {
		var mu sync.Mutex
		count := map[kind]int{}
		took := map[kind]time.Duration{}
		storetest.TraceCommands(b, func(command, collection string, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			k := kind{command, collection}
			count[k]++
			took[k] += d
		})
		t0 := time.Now()
		for n := range registrations {
			body, _ := json.Marshal(map[string]any{"cccd": fmt.Sprintf("0940500%05d", n), "birth_date": "1950-01-01",
				"submitter": "self", "bank_bin": "970405", "account_number": fmt.Sprintf("7100%08d", n),
				"account_name": "Nguyen Van Thu", "consent": true, "idempotency_key": fmt.Sprintf("profile-%08d", n)})
			res, err := client.Post(base+"/api/v1/registrations", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 201 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
		wall := time.Since(t0)
		storetest.TraceCommands(b, nil)
		mu.Lock()
		var kinds []kind
		var calls int
		var store time.Duration
		for k := range count {
			kinds = append(kinds, k)
			calls += count[k]
			store += took[k]
		}
		slices.SortFunc(kinds, func(x, y kind) int { return int(took[y] - took[x]) })
		fmt.Printf("\nstore calls of one registration (mean of %d, each a new person)\n%-16s %-22s %8s %10s\n",
			registrations, "command", "collection", "calls", "ms")
		for _, k := range kinds {
			fmt.Printf("%-16s %-22s %8.2f %10.3f\n", k.command, k.collection, float64(count[k])/registrations,
				ms(took[k])/registrations)
		}
		perReg := wall / registrations
		fmt.Printf("%-39s %8.2f %10.3f\nrequest %.3f ms; waiting for the store %.0f %% of it\n", "total", float64(calls)/registrations,
			ms(store)/registrations, ms(perReg), 100*float64(store)/float64(wall))
		mu.Unlock()
		b.ReportMetric(float64(calls)/registrations, "store-calls/registration")
		b.ReportMetric(ms(store)/registrations, "store-ms/registration")
		b.ReportMetric(ms(perReg), "ms/registration")
	}
}
