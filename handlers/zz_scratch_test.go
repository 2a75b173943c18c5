package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"ansinh"
)

func BenchmarkScratchC1(b *testing.B) {
	const people = 20000
	e := newEnv(b, func(c *ansinh.Config) { c.PublicRateLimit = 10_000_000 })
	e.benchPeople(people)
	base := e.serve()
	client := &http.Client{}
	n := 0
	reg := func() {
		body, _ := json.Marshal(map[string]any{"cccd": fmt.Sprintf("0940500%05d", n), "birth_date": "1950-01-01",
			"submitter": "self", "bank_bin": "970405", "account_number": fmt.Sprintf("7100%08d", n),
			"account_name": "Nguyen Van Thu", "consent": true, "idempotency_key": fmt.Sprintf("scratch-%08d", n)})
		n++
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
	for range 300 {
		reg()
	}
	e.settle()
	f, _ := os.Create("/tmp/c1.prof")
	pprof.StartCPUProfile(f)
	t0 := time.Now()
	k := 0
	for round := 0; round < 6; round++ {
		stop := time.Now().Add(900 * time.Millisecond) // under the window: no batch runs
		for time.Now().Before(stop) {
			reg()
			k++
		}
		if round == 0 {
			pprof.StopCPUProfile()
		}
		e.settle()
	}
	fmt.Printf("%d regs, %.3f ms each\n", k, float64(time.Since(t0).Microseconds())/1000/float64(k))
}
