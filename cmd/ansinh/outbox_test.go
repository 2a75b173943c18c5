package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
)

// openTestStore opens the store of env's data directory, as the commands do.
func openTestStore(t *testing.T, env map[string]string) *store.Store {
	t.Helper()
	vault, err := ansinh.Config{DataKey: env["ANSINH_DATA_KEY"]}.Vault()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), store.Options{DataDir: env["ANSINH_DATA_DIR"], EmbeddedAddr: "127.0.0.1:0", DBName: "ansinh", Vault: vault})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOutboxListAndRetryFailed(t *testing.T) {
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1",
		"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01"}
	ctx := t.Context()
	now := time.Now()
	st := openTestStore(t, env)
	ids := []string{"zalo:1:a", "zalo:2:b"}
	for _, id := range ids {
		if err := st.Enqueue(ctx, id, "zalo", "user-4471", []byte(`{"text":"Chào bác Sáu"}`), now.Add(-3*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if msgs, err := st.LeaseOutbox(ctx, now, time.Minute, 10); err != nil || len(msgs) != 2 {
		t.Fatalf("lease: %d, %v", len(msgs), err)
	}
	for _, id := range ids {
		if err := st.GiveUp(ctx, id, 8, "gave up after 8 attempts: zalo send: HTTP 503", now); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.Close(context.WithoutCancel(ctx))

	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"ansinh", "outbox"}, args...), envOf(env), nil, &out, io.Discard)
		return out.String(), err
	}
	out, err := cli("list", "-failed")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"zalo:1:a", "zalo:2:b", "ATTEMPTS", "HTTP 503", "3h0m0s"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"user-4471", "Sáu"} {
		if strings.Contains(out, secret) {
			t.Errorf("list shows %q (personal data or message text):\n%s", secret, out)
		}
	}
	if _, err := cli("retry", "zalo:1:a"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli("retry", "zalo:1:a"); err == nil || !strings.Contains(err.Error(), "has not failed") {
		t.Fatalf("retrying a queued message: %v", err)
	}
	if out, err := cli("retry", "-all-failed"); err != nil || !strings.Contains(out, "queued 1 ") {
		t.Fatalf("retry -all-failed: %q %v", out, err)
	}
	if out, _ := cli("list", "-failed"); !strings.Contains(out, "no failed messages") {
		t.Fatalf("after the retries:\n%s", out)
	}
	for _, bad := range [][]string{{"list"}, {"retry"}, {"retry", "x", "-all-failed"}, {"frob"}} {
		var ue usageError
		if _, err := cli(bad...); !errors.As(err, &ue) {
			t.Errorf("outbox %v: %v, want a usage error", bad, err)
		}
	}

	st = openTestStore(t, env)
	defer st.Close(context.WithoutCancel(ctx))
	for _, id := range ids {
		if status, attempts, _, err := st.OutboxStatus(ctx, id); err != nil || status != store.OutboxPending || attempts != 0 {
			t.Errorf("%s after retry: %s, %d attempts, %v", id, status, attempts, err)
		}
	}
	// Back in the queue and leased again, each once.
	if msgs, err := st.LeaseOutbox(ctx, time.Now(), time.Minute, 10); err != nil || len(msgs) != 2 {
		t.Fatalf("lease after retry: %d, %v", len(msgs), err)
	}
	events, err := st.AuditEvents(ctx, store.AuditFilter{Actor: "cli", Action: ansinh.ActionOutboxRetry})
	if err != nil || len(events) != 2 {
		t.Fatalf("audit: %d events, %v; want 2", len(events), err)
	}
}
