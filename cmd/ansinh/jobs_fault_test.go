package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
)

// listOf is a list of n people of commune 31507 (Phường Sóc Trăng).
func listOf(n int) []byte {
	var b strings.Builder
	b.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	for i := range n {
		fmt.Fprintf(&b, "Người Thử Nhập Việc Nền %d,0940500%05d,01/01/1950,31507,BTXH\n", i, i)
	}
	return []byte(b.String())
}

// uploadList posts a list to the import API.
func uploadList(t testing.TB, base, token, name string, file []byte) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/beneficiaries/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

type importProgress struct {
	Status string `json:"status"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Report *struct {
		Inserted  int `json:"inserted"`
		Unchanged int `json:"unchanged"`
	} `json:"report"`
}

func progressOf(t testing.TB, base, token, id string) importProgress {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/imports/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var p importProgress
	if res.StatusCode != 200 {
		t.Fatalf("progress: %d", res.StatusCode)
	}
	_ = json.NewDecoder(res.Body).Decode(&p)
	return p
}

// TestKillDuringImportJob uploads a list that runs as a job, kills the server with
// SIGKILL once part of it is stored, checks on the files that the job is recorded as
// running (and what it stored so far is within the file), restarts the server and
// checks that the job is run again to its end, with a report that counts every
// stored record as inserted, matching the store.
func TestKillDuringImportJob(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const rows = 30_000
	dir := t.TempDir()
	env := map[string]string{"ANSINH_DATA_DIR": dir, "ANSINH_ADMIN_PASSWORD": "the-admin-password", "ANSINH_UNITS_SET": "soc-trang-2024",
		"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01", "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1"}
	srv := startChild(t, env)
	status, token := login(t, srv.url, "admin", "the-admin-password")
	if status != 200 {
		t.Fatalf("login: %d", status)
	}
	status, out := uploadList(t, srv.url, token, "ds.csv", listOf(rows))
	id, _ := out["id"].(string)
	if status != 202 || out["status"] != ansinh.JobRunning || id == "" {
		t.Fatalf("import: %d %v", status, out)
	}
	// Kill once a batch or two is stored, before the end.
	for p := progressOf(t, srv.url, token, id); p.Done < 10_000; p = progressOf(t, srv.url, token, id) {
		if p.Status != ansinh.JobRunning {
			t.Fatalf("the job ended before the kill: %+v", p)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGKILL)
	<-srv.done

	ctx := context.Background()
	open := func() *store.Store {
		vault, _ := ansinh.Config{DataKey: env["ANSINH_DATA_KEY"]}.Vault()
		st, err := store.Open(ctx, store.Options{DataDir: dir, EmbeddedAddr: "127.0.0.1:0", DBName: "ansinh", Vault: vault, UnitSet: env["ANSINH_UNITS_SET"]})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	j, err := st.Job(ctx, id)
	stored, _ := st.CountBeneficiaries(ctx, false)
	_ = st.Close(ctx)
	if err != nil || j.Status != ansinh.JobRunning || stored == 0 || stored >= rows {
		t.Fatalf("after the kill: job %+v (%v), %d stored of %d", j, err, stored, rows)
	}

	srv = startChild(t, env)
	// The job is taken up before the server says it is ready.
	if !strings.Contains(srv.stderr.String(), "running again a job a stop left running") {
		t.Fatalf("the restarted server did not take up the job:\n%s", srv.stderr.String())
	}
	var p importProgress
	for range 60_000 { // no time asserted: only a bound on a hung job
		if p = progressOf(t, srv.url, token, id); p.Status != ansinh.JobRunning {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done
	st = open()
	defer st.Close(ctx)
	n, _ := st.CountBeneficiaries(ctx, false)
	j, _ = st.Job(ctx, id)
	if p.Status != ansinh.JobDone || p.Report == nil || p.Report.Inserted != rows || p.Report.Unchanged != 0 || int(n) != rows ||
		j.Runs != 2 || j.Inserted != rows {
		t.Fatalf("after the restart: %+v, report %+v, %d stored, job %+v", p, p.Report, n, j)
	}
	t.Logf("killed with %d of %d stored; the restart finished the job: %d inserted", stored, rows, p.Report.Inserted)
}

func TestDrawBar(t *testing.T) {
	tests := []struct {
		name              string
		done, total, errs int
		want              string
	}{
		{"start", 0, 100000, 0, "[..............................]   0%  0/100000 rows, 0 errors"},
		{"half", 50000, 100000, 3, "[###############...............]  50%  50000/100000 rows, 3 errors"},
		{"end", 7, 7, 0, "[##############################] 100%  7/7 rows, 0 errors"},
		{"empty file", 0, 0, 0, "[##############################] 100%  0/0 rows, 0 errors"},
	}
	for _, tt := range tests {
		if got := drawBar(tt.done, tt.total, tt.errs); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
