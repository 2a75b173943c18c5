package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"

	"ansinh"
	"ansinh/store"
)

func TestG2PClientCommands(t *testing.T) {
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1",
		"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01", "ANSINH_BASE_URL": "https://ansinh.cantho.gov.vn"}
	ctx := t.Context()
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"ansinh", "g2p-client"}, args...), envOf(env), nil, &out, io.Discard)
		return out.String(), err
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	out, err := cli("add", "-sender-id", "KBNN.cantho.gov.vn", "-name", "Kho bạc Nhà nước Cần Thơ", "-units", "92", "-details",
		"-rate-limit", "30", "-public-key", base64.StdEncoding.EncodeToString(pub), "-callback-url", "https://kbnn.cantho.gov.vn/g2p")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kbnn.cantho.gov.vn", "Bearer token (shown only this once): ", "ansinh.cantho.gov.vn|", "details allowed"} {
		if !strings.Contains(out, want) {
			t.Errorf("add lacks %q:\n%s", want, out)
		}
	}
	if _, err := cli("add", "-sender-id", "kbnn.cantho.gov.vn", "-name", "Again", "-units", "92"); err == nil {
		t.Error("the same sender registered twice")
	}
	var ue usageError
	for _, bad := range [][]string{{"add", "-sender-id", "x y", "-name", "A", "-units", "92"}, {"add", "-sender-id", "a.vn", "-name", "A", "-units", "00000"},
		{"frob"}, {"pause"}, {"list", "x"}, {}} {
		if _, err := cli(bad...); !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
	if _, err := cli("pause", "kbnn.cantho.gov.vn"); err != nil {
		t.Fatal(err)
	}
	out, _ = cli("list")
	if !strings.Contains(out, "kbnn.cantho.gov.vn") || !strings.Contains(out, "paused") || !strings.Contains(out, "details") || !strings.Contains(out, "30/min") {
		t.Errorf("list:\n%s", out)
	}
	if _, err := cli("revoke", "KBNN.cantho.gov.vn"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli("resume", "kbnn.cantho.gov.vn"); err == nil {
		t.Error("a revoked client resumed")
	}
	if _, err := cli("pause", "nobody.vn"); err == nil || !strings.Contains(err.Error(), "no client") {
		t.Errorf("pause of nobody: %v", err)
	}
	st := openTestStore(t, env)
	defer st.Close(t.Context())
	for _, action := range []string{ansinh.ActionAPIClient, ansinh.ActionAPIClientPause, ansinh.ActionAPIClientRevoke} {
		if ev, err := st.AuditEvents(ctx, store.AuditFilter{Actor: "cli", Action: action}); err != nil || len(ev) != 1 {
			t.Errorf("audit %s: %d events, %v", action, len(ev), err)
		}
	}
}
