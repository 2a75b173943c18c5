package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ansinh"
	"ansinh/registration"
	"ansinh/store"
)

// child is `ansinh serve` in its own process (this test binary, re-executed).
type child struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	url    string
	done   chan error
}

func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$")
	c := &child{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = io.Discard, c.stderr
	cmd.Env = append(os.Environ(), "ANSINH_TEST_HELPER=serve", "ANSINH_ADDR=127.0.0.1:0")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { c.done <- cmd.Wait(); close(exited) }()
	c.url = waitReady(t, c.stderr, c.done)
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	return c
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// importPeople loads n beneficiaries of commune 31507 (Phường Sóc Trăng) into the data dir.
func importPeople(t *testing.T, env map[string]string, n int) []string {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	var cccds []string
	for i := range n {
		cccd := fmt.Sprintf("0940500%05d", i)
		cccds = append(cccds, cccd)
		fmt.Fprintf(&csv, "Người Thử %d,%s,01/01/1950,31507,BTXH\n", i, cccd)
	}
	file := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"ansinh", "import", file}, envOf(env), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	return cccds
}

func registrationBody(cccd, key string) []byte {
	b, _ := json.Marshal(map[string]any{"cccd": cccd, "birth_date": "1950-01-01", "submitter": "self", "bank_bin": "970405",
		"account_number": "70" + cccd[2:], "account_name": "Nguoi Thu", "consent": true, "idempotency_key": key})
	return b
}

// TestKillDuringSubmissionsLosesNothing submits registrations from 16 clients, kills
// the server with SIGKILL in the middle, and checks on the files, before anything
// retries, that every acknowledged registration is there exactly once with its
// receipt; then restarts the server, retries every submission with its idempotency
// key, and checks that each person has exactly one registration.
func TestKillDuringSubmissionsLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	env := map[string]string{"ANSINH_DATA_DIR": dir, "ANSINH_ADMIN_PASSWORD": "the-admin-password", "ANSINH_UNITS_SET": "soc-trang-2024",
		"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01", "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1",
		"ANSINH_PUBLIC_RATE_LIMIT": "100000"}
	cccds := importPeople(t, env, 300)
	srv := startChild(t, env)

	var mu sync.Mutex
	acked := map[string]string{} // cccd → receipt
	work := make(chan string)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for cccd := range work {
				res, err := client.Post(srv.url+"/api/v1/registrations", "application/json", bytes.NewReader(registrationBody(cccd, "fault-"+cccd)))
				if err != nil {
					continue // the server died: not acknowledged
				}
				var out struct{ Receipt string }
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if res.StatusCode == 201 {
					mu.Lock()
					acked[cccd] = out.Receipt
					mu.Unlock()
				}
			}
		}()
	}
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= 40 {
				_ = srv.cmd.Process.Signal(syscall.SIGKILL)
				return
			}
		}
	}()
	for _, c := range cccds {
		select {
		case work <- c:
		case <-killed:
		}
		select {
		case <-killed:
		default:
			continue
		}
		break
	}
	close(work)
	wg.Wait()
	_ = srv.cmd.Process.Signal(syscall.SIGKILL) // had fewer than 40 gone through: kill now
	<-srv.done
	if len(acked) < 40 {
		t.Fatalf("only %d acknowledged before the kill", len(acked))
	}
	// Before anything retries (a retry would store again under the same derived
	// receipt): every acknowledged registration is on disk exactly once, with its
	// receipt, waiting in the queue.
	checkStored(t, env, acked, nil)

	// Back up, and retry everything that was sent, acknowledged or not.
	srv = startChild(t, env)
	for _, cccd := range cccds[:len(acked)+40] {
		res, err := client.Post(srv.url+"/api/v1/registrations", "application/json", bytes.NewReader(registrationBody(cccd, "fault-"+cccd)))
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Receipt string }
		_ = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if res.StatusCode != 201 {
			t.Fatalf("retry %s: %d", cccd, res.StatusCode)
		}
		if r, ok := acked[cccd]; ok && r != out.Receipt {
			t.Fatalf("%s: acknowledged %s, retry answered %s", cccd, r, out.Receipt)
		}
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done

	checkStored(t, env, acked, cccds[:len(acked)+40])
	t.Logf("%d acknowledged before SIGKILL; all there exactly once", len(acked))
}

// checkStored opens the server's files and checks that each acknowledged CCCD has
// exactly one registration, its receipt, pending in the queue; and that each of also
// has exactly one.
func checkStored(t *testing.T, env map[string]string, acked map[string]string, also []string) {
	t.Helper()
	ctx := context.Background()
	vault, _ := ansinh.Config{DataKey: env["ANSINH_DATA_KEY"]}.Vault()
	st, err := store.Open(ctx, store.Options{DataDir: env["ANSINH_DATA_DIR"], EmbeddedAddr: "127.0.0.1:0", DBName: "ansinh", Vault: vault,
		UnitSet: env["ANSINH_UNITS_SET"]})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	// Each acknowledged submission is on disk as the kill found it (stored, or accepted
	// with its steps still to come), and readable by its receipt.
	for cccd, receipt := range acked {
		if r, err := st.Registration(ctx, receipt); err != nil || r.BeneficiaryID != st.BeneficiaryID(cccd) {
			t.Fatalf("%s: acknowledged %s, on disk %+v %v", cccd, receipt, r, err)
		}
	}
	// What a start does before anything else: the steps the kill cut short.
	if _, err := registration.New(st, env["ANSINH_SECRET_KEY"], nil).FinishDecisions(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	queued := map[string]bool{}
	items, _, err := st.Queue(ctx, store.QueueQuery{Communes: []string{"31507"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		queued[it.Receipt] = true
	}
	for cccd, receipt := range acked {
		receipts, err := st.RegistrationReceipts(ctx, st.BeneficiaryID(cccd))
		if err != nil {
			t.Fatal(err)
		}
		if len(receipts) != 1 || receipts[0] != receipt {
			t.Fatalf("%s: acknowledged %s, stored %v", cccd, receipt, receipts)
		}
		if r, err := st.Registration(ctx, receipt); err != nil || r.Status != ansinh.StatusPending || !queued[receipt] {
			t.Fatalf("%s: registration %s: %+v %v, queued %v", cccd, receipt, r, err, queued[receipt])
		}
	}
	for _, cccd := range also {
		if receipts, err := st.RegistrationReceipts(ctx, st.BeneficiaryID(cccd)); err != nil || len(receipts) != 1 {
			t.Fatalf("%s has %d registrations: %v (%v)", cccd, len(receipts), receipts, err)
		}
	}
}
