package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
	var l latencies
	l.run(clients, d, op)
	return l.summary()
}

// latencies gathers the successes of several runs of a load.
type latencies struct {
	mu     sync.Mutex
	lat    []time.Duration
	wall   time.Duration
	failed atomic.Int64
}

// run runs op from clients goroutines for d.
func (l *latencies) run(clients int, d time.Duration, op func(worker, i int) error) {
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
					l.failed.Add(1)
					continue
				}
				l.mu.Lock()
				l.lat = append(l.lat, took)
				l.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	l.wall += d
}

// summary is the rate over every run, the p50 and p99 and the failures.
func (l *latencies) summary() (rate float64, p50, p99 time.Duration, errs int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lat) == 0 {
		return 0, 0, 0, int(l.failed.Load())
	}
	slices.Sort(l.lat)
	return float64(len(l.lat)) / l.wall.Seconds(), l.lat[len(l.lat)/2], l.lat[len(l.lat)*99/100], int(l.failed.Load())
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
// 1 and 20 clients, and reports the ratio of their rates and of their p99s. The two
// take turns, a second each, five times, so that both meet the disk as it is (on a
// shared machine its fsync time varies twofold from one minute to the next). The raw
// inserts go through the store's own client, whose one connection every write of the
// store takes on FerretDB.
func BenchmarkWritePath(b *testing.B) {
	const people, rounds = 20000, 5
	e := newEnv(b, func(c *ansinh.Config) { c.PublicRateLimit = 10_000_000 })
	e.benchPeople(people)
	base := e.serve()
	filler := strings.Repeat("x", 1000)
	var seq, person atomic.Int64
	raw := func(w, i int) error {
		return storetest.InsertRaw(context.Background(), e.store, "bench_raw",
			map[string]any{"_id": fmt.Sprintf("raw-%d", seq.Add(1)), "filler": filler})
	}
	for range b.N {
		for _, clients := range []int{1, 20} {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			register := func(w, i int) error {
				// Each registration a person's first (the whole run registers some 7,000 of
				// the 20,000): the raw inserts' ids used to move the same counter, so that
				// after a few rounds every registration was a second one, superseding
				// (those take the one-by-one steps; a person's first is the campaign's case).
				n := int(person.Add(1)) % people
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
			}
			var raws, regs latencies
			var behind time.Duration
			var rawCPU, regCPU time.Duration
			// ANSINH_BENCH_CPUPROFILE=file: a CPU profile of the registrations' rounds alone
			// (with the steps after them) at 1 client, without the raw inserts'.
			profile := os.Getenv("ANSINH_BENCH_CPUPROFILE")
			var prof bytes.Buffer
			for range rounds {
				c0 := cpuTime()
				raws.run(clients, time.Second, raw)
				c1 := cpuTime()
				if profile != "" && clients == 1 {
					_ = pprof.StartCPUProfile(&prof)
				}
				regs.run(clients, time.Second, register)
				rawCPU += c1 - c0
				// The steps the registrations left behind them are done before the next
				// round, on the registrations' clock: the rate is one the store sustains,
				// and the raw inserts meet a quiet store.
				t0 := time.Now()
				e.settle()
				behind += time.Since(t0)
				regCPU += cpuTime() - c1
				if profile != "" && clients == 1 {
					pprof.StopCPUProfile()
					_ = os.WriteFile(profile, prof.Bytes(), 0o600) // the last round's
					prof.Reset()
				}
			}
			answered := float64(len(regs.lat)) / regs.wall.Seconds() // answers alone, steps after left out
			regs.wall += behind
			rawRate, _, rawP99, rawErrs := raws.summary()
			regRate, regP50, regP99, regErrs := regs.summary()
			label := fmt.Sprintf("c%d", clients)
			b.ReportMetric(rawRate, label+"-raw-inserts/s")
			b.ReportMetric(ms(rawP99), label+"-raw-p99-ms")
			b.ReportMetric(regRate, label+"-registrations/s")
			b.ReportMetric(ms(regP50), label+"-reg-p50-ms")
			b.ReportMetric(ms(regP99), label+"-reg-p99-ms")
			b.ReportMetric(100*regRate/rawRate, label+"-rate-%-of-raw")
			b.ReportMetric(float64(regP99)/float64(rawP99), label+"-p99-ratio")
			b.ReportMetric(ms(behind)/rounds, label+"-steps-after-ms/round")
			b.ReportMetric(answered, label+"-answered/s")
			// The process's CPU (client, service and the embedded store alike) per operation.
			b.ReportMetric(ms(rawCPU)/float64(len(raws.lat)), label+"-raw-cpu-ms/insert")
			b.ReportMetric(ms(regCPU)/float64(len(regs.lat)), label+"-reg-cpu-ms/registration")
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
		e.settle() // the steps that follow the answers are the registrations' too
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

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
