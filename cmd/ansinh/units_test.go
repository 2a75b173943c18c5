package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeMovesASocTrangStoreToCanThoBeforeListening builds a store in
// soc-trang-2024 with the CLI, prints the plan with `units migrate -dry-run`, then
// starts serve configured for can-tho-2025: it moves the store before it is ready.
func TestServeMovesASocTrangStoreToCanThoBeforeListening(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "danh-sach.csv")
	csv := "ho_ten,cccd,ngay_sinh,ma_xa,nhom\nNguyễn Văn A,094050001111,1950,31498,NCC\nTrần Thị B,094050001112,1951,31522,BTXH\nLê Văn C,094050001113,1952,31569,NCC\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ANSINH_DATA_DIR": filepath.Join(dir, "data"), "ANSINH_ADMIN_PASSWORD": "the-admin-password",
		"ANSINH_UNITS_SET": "soc-trang-2024"}
	cli := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"ansinh"}, args...), envOf(env), strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	if out, err := cli("", "import", file); err != nil || !strings.Contains(out, "inserted 3") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, u := range [][]string{{"xa31498", "commune", "31498"}, {"huyen941", "district", "941"}} {
		if _, err := cli(u[0]+"-password-long\n", "user", "add", "-username", u[0], "-role", u[1], "-unit", u[2], "-password-stdin"); err != nil {
			t.Fatal(err)
		}
	}
	out, err := cli("", "units", "migrate", "-to", "can-tho-2025", "-dry-run")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	for _, want := range []string{"31498 (Phường 5) → 31507 (Phường Sóc Trăng): 1", "31522 (Phường 9) → 31510 (Phường Phú Lợi): 1",
		"huyen941 (district) 941: locked", "xa31498 (commune) 31498 → 31507", "blockers: none", "dry run: nothing changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}

	env["ANSINH_UNITS_SET"] = "can-tho-2025"
	env["ANSINH_ADDR"] = "127.0.0.1:0"
	s := startServer(t, env)
	log := s.stderr.String()
	plan, done, ready := strings.Index(log, "unit migration: plan"), strings.Index(log, "unit migration: done"), strings.Index(log, "msg=ready")
	if plan < 0 || done < plan || ready < done {
		t.Fatalf("no migration before ready:\n%s", log)
	}
	status, token := login(t, s.url, "admin", "the-admin-password")
	if status != 200 {
		t.Fatalf("admin login: %d", status)
	}
	if status, out := postJSON(t, s.url+"/api/v1/auth/login", "", map[string]string{"username": "xa31498", "password": "xa31498-password-long"}); status != 200 || out["user"].(map[string]any)["unit"] != "31507" {
		t.Fatalf("commune officer: %d %v", status, out)
	}
	status, body := postJSON(t, s.url+"/api/v1/auth/login", "", map[string]string{"username": "huyen941", "password": "huyen941-password-long"})
	if msg, _ := body["error"].(map[string]any)["message"].(string); status != 401 || !strings.Contains(msg, "Thành phố Sóc Trăng đã giải thể từ 01/07/2025; tài khoản tạm khóa.") {
		t.Fatalf("district officer: %d %v", status, body)
	}
	req, _ := http.NewRequest("GET", s.url+"/api/v1/coverage?unit=92", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var cov struct {
		Beneficiaries int `json:"beneficiaries"`
	}
	if err := json.NewDecoder(res.Body).Decode(&cov); err != nil || cov.Beneficiaries != 3 {
		t.Fatalf("coverage of the city: %+v %v", cov, err)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	env["ANSINH_UNITS_SET"] = "soc-trang-2024"
	if _, err := cli("", "import", file); err == nil || !strings.Contains(err.Error(), "unit set can-tho-2025") {
		t.Fatalf("import in the old set after the move: %v", err)
	}
}
