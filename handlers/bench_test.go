package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ansinh"
	"ansinh/importer"
)

// BenchmarkRegistrationAPI submits registrations through a real HTTP listener from 50
// concurrent clients, each for a different beneficiary, and reports the throughput
// and the latency percentiles.
func BenchmarkRegistrationAPI(b *testing.B) {
	const clients, people = 50, 2000
	e := newEnv(b, func(c *ansinh.Config) { c.PublicRateLimit = 1_000_000 })
	var csv strings.Builder
	csv.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	communes := e.units.Leaves("94")
	for i := range people {
		fmt.Fprintf(&csv, "Nguyễn Văn Thử,0940500%05d,1950,%s,BTXH\n", i, communes[i%len(communes)])
	}
	if _, err := importer.Import(context.Background(), e.store, e.units, strings.NewReader(csv.String()), int64(csv.Len()),
		importer.Options{Actor: &ansinh.User{Username: "so", Role: ansinh.RoleProvince, Unit: "94"}, File: "bench.csv"}); err != nil {
		b.Fatal(err)
	}
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
