package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDemoLoadsTheLettersFiguresOnlyOnAnEmptyStore(t *testing.T) {
	// The letter's structure, served as it was: the store is recorded in that set.
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_ADMIN_PASSWORD": "demo-admin-password", "ANSINH_UNITS_SET": "soc-trang-2024"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"ansinh", "demo", "-units", "soc-trang-2024"}, envOf(env), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2810 beneficiaries, 1457 with a verified account, 6", "so.yte", "so.noivu", "huyen.941", "xa.31498", "congan.tinh"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	err := run(context.Background(), []string{"ansinh", "demo"}, envOf(env), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already loaded") {
		t.Fatalf("second demo: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"ansinh", "coverage", "reconcile"}, envOf(env), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "counters match the records: no drift") || !strings.Contains(out.String(), "rosters match the records: no drift") {
		t.Fatalf("reconcile after demo: %v %s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"ansinh", "report", "-format", "csv"}, envOf(env), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "Tổng cộng,94,2810,1457") {
		t.Fatalf("report after demo: %v %s", err, out.String())
	}
	env["ANSINH_ADDR"] = "127.0.0.1:0"
	s := startServer(t, env)
	status, token := login(t, s.url, "admin", "demo-admin-password")
	if status != 200 {
		t.Fatalf("admin login after demo: %d", status)
	}
	req, _ := http.NewRequest("GET", s.url+"/api/v1/coverage?unit=94", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var cov struct {
		Beneficiaries int64   `json:"beneficiaries"`
		WithAccount   int64   `json:"with_account"`
		Ratio         float64 `json:"ratio"`
		Children      []struct {
			MeetsTarget bool `json:"meets_target"`
		} `json:"children"`
	}
	if err := json.NewDecoder(res.Body).Decode(&cov); err != nil {
		t.Fatal(err)
	}
	below := 0
	for _, c := range cov.Children {
		if !c.MeetsTarget {
			below++
		}
	}
	if cov.Beneficiaries != 2810 || cov.WithAccount != 1457 || cov.Ratio != 0.5185 || len(cov.Children) != 11 || below == 0 {
		t.Fatalf("coverage after demo: %d/%d ratio %v, %d districts, %d below target", cov.WithAccount, cov.Beneficiaries, cov.Ratio, len(cov.Children), below)
	}
}

// With no configuration the demo is today's city: the letter's list carried through the
// crosswalk into the former Sóc Trăng's communes, more people elsewhere in the city,
// some waiting for their commune to be chosen.
func TestDemoLoadsTodaysCity(t *testing.T) {
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_ADMIN_PASSWORD": "demo-admin-password"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"ansinh", "demo"}, envOf(env), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	printed := out.String()
	for _, want := range []string{"Thành phố Cần Thơ (unit set can-tho-2025): 3130 beneficiaries", "12 waiting for their commune",
		"the letter's 2810 (1457 with an account)", "so.yte", "so.noivu", "xa.31507", "xa.31120", "xa.31168", "congan.tinh"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "huyen.") {
		t.Errorf("a district officer in a city without districts:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"ansinh", "coverage", "reconcile"}, envOf(env), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "counters match the records: no drift") || !strings.Contains(out.String(), "rosters match the records: no drift") {
		t.Fatalf("reconcile after demo: %v %s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"ansinh", "report", "-format", "csv"}, envOf(env), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "Tổng cộng,92,3130,") || !strings.Contains(out.String(), "Chờ chọn xã") {
		t.Fatalf("report after demo: %v %s", err, out.String())
	}
	// Served with no configuration: today's city, 103 communes directly under it.
	env["ANSINH_ADDR"] = "127.0.0.1:0"
	s := startServer(t, env)
	_, token := login(t, s.url, "admin", "demo-admin-password")
	get := func(path string, v any) {
		req, _ := http.NewRequest("GET", s.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(v); err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %d %v", path, res.StatusCode, err)
		}
	}
	var sets []struct {
		ID      string `json:"id"`
		Current bool   `json:"current"`
	}
	get("/api/v1/unit-sets", &sets)
	var root struct {
		Code     string `json:"code"`
		Children []struct {
			Children []any `json:"children"`
		} `json:"children"`
	}
	get("/api/v1/units", &root)
	if len(sets) != 3 || !sets[2].Current || sets[2].ID != "can-tho-2025" || root.Code != "92" || len(root.Children) != 103 || len(root.Children[0].Children) != 0 {
		t.Fatalf("served: sets %+v, root %s with %d children", sets, root.Code, len(root.Children))
	}
	// The demo commune officer's queue has its own submissions, and the three people
	// printed register on the public form (by CCCD and the whole birth date).
	var queue struct{ Total int }
	get("/api/v1/registrations?unit=31507", &queue)
	if queue.Total < 6 {
		t.Fatalf("the demo commune's queue holds %d submissions", queue.Total)
	}
	people := regexp.MustCompile(`CCCD (\d{12})  born (\d\d)/(\d\d)/(\d{4})  Phường Sóc Trăng  http://localhost:\d+/c/31507`).FindAllStringSubmatch(printed, -1)
	if len(people) != 3 {
		t.Fatalf("%d people to try, want 3:\n%s", len(people), printed)
	}
	for i, p := range people {
		status, out := postJSON(t, s.url+"/api/v1/registrations", "", map[string]any{"cccd": p[1], "birth_date": p[4] + "-" + p[3] + "-" + p[2],
			"submitter": "self", "bank_bin": "970405", "account_number": fmt.Sprintf("12345678901%d", i), "account_name": "Thu Nghiem",
			"consent": true})
		if status != 201 {
			t.Errorf("person %s registers: %d %v", p[1], status, out)
		}
	}
	if !strings.Contains(printed, "one-time demo passwords") {
		t.Errorf("the demo passwords are not said to be one-time:\n%s", printed)
	}
}

func TestImportCommandAndDemoRefusesRealData(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "danh-sach.csv")
	csv := "ho_ten,cccd,ngay_sinh,ma_xa,nhom\nNguyễn Văn A,094050001111,1950,31498,NCC\nNguyễn Văn B,12,1950,31498,NCC\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ANSINH_DATA_DIR": filepath.Join(dir, "data"), "ANSINH_ADMIN_PASSWORD": "the-admin-password"}
	var out bytes.Buffer
	// The list has Sóc Trăng's codes of 2024: read as today's set, 31498 is no commune.
	if err := run(context.Background(), []string{"ansinh", "import", file}, envOf(env), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "unit set can-tho-2025: inserted 0") || !strings.Contains(out.String(), "(can-tho-2025)") {
		t.Fatalf("import output:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"ansinh", "import", "-units", "soc-trang-2024", file}, envOf(env), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "inserted 1, updated 0, unchanged 0, rows with errors: 1") || !strings.Contains(out.String(), "row 3") {
		t.Fatalf("import output:\n%s", out.String())
	}
	err := run(context.Background(), []string{"ansinh", "import", "-units", "soc-trang-1999", file}, envOf(env), nil, io.Discard, io.Discard)
	if _, usage := err.(usageError); !usage || !strings.Contains(err.Error(), "soc-trang-2024, pre-merger-2025-03, can-tho-2025") {
		t.Fatalf("unknown -units: %v", err)
	}
	err = run(context.Background(), []string{"ansinh", "demo"}, envOf(env), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "real beneficiaries") {
		t.Fatalf("demo on real data: %v", err)
	}
}

func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	keys := map[string]string{"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01", "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1",
		"ANSINH_ADMIN_PASSWORD": "the-admin-password"}
	envFor := func(data string) map[string]string {
		e := map[string]string{"ANSINH_DATA_DIR": data}
		for k, v := range keys {
			e[k] = v
		}
		return e
	}
	src := envFor(filepath.Join(dir, "src"))
	if err := run(context.Background(), []string{"ansinh", "demo"}, envOf(src), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "ansinh.archive")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"ansinh", "backup", archive}, envOf(src), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "backed up") {
		t.Fatalf("backup: %v %s", err, out.String())
	}
	dst := envFor(filepath.Join(dir, "dst"))
	out.Reset()
	if err := run(context.Background(), []string{"ansinh", "restore", archive}, envOf(dst), nil, &out, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := run(context.Background(), []string{"ansinh", "restore", archive}, envOf(dst), nil, io.Discard, io.Discard); err == nil {
		t.Fatal("restored twice into the same store")
	}
	out.Reset()
	if err := run(context.Background(), []string{"ansinh", "coverage", "reconcile"}, envOf(dst), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "counters match the records: no drift") || !strings.Contains(out.String(), "rosters match the records: no drift") {
		t.Fatalf("restored store: %v %s", err, out.String())
	}
}

// TestDemoOnPostgreSQL runs `ansinh demo` and `coverage reconcile` with
// ANSINH_POSTGRES_URL, when the tests are given a PostgreSQL database
// (ANSINH_TEST_POSTGRES_URL; `make test-postgres` and .ci/run do): the embedded FerretDB
// keeps the data there, and the counters and rosters agree with the records.
func TestDemoOnPostgreSQL(t *testing.T) {
	url := os.Getenv("ANSINH_TEST_POSTGRES_URL")
	if url == "" {
		t.Skip("no ANSINH_TEST_POSTGRES_URL")
	}
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_POSTGRES_URL": url, "ANSINH_DB": fmt.Sprintf("demo_%d", time.Now().UnixNano())}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"ansinh", "demo"}, envOf(env), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"ansinh", "coverage", "reconcile"}, envOf(env), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "counters match the records: no drift") || !strings.Contains(out.String(), "rosters match the records: no drift") {
		t.Fatalf("reconcile after demo on PostgreSQL: %v %s", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(env["ANSINH_DATA_DIR"], env["ANSINH_DB"]+".sqlite")); err == nil {
		t.Fatal("the data went to SQLite files")
	}
}
