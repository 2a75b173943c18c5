package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
)

// TestPrivacyRetentionCommand: -dry-run counts and erases nothing; the run erases,
// prints what it removed and audits it; the period is the setting's.
func TestPrivacyRetentionCommand(t *testing.T) {
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1",
		"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01", "ANSINH_RETENTION_CHAT": "10d"}
	ctx := t.Context()
	now := time.Now()
	st := openTestStore(t, env)
	for id, age := range map[string]int{"zalo:old": 11, "zalo:new": 9} {
		if err := st.SaveConversation(ctx, id, "bank", map[string]string{"cccd": "094050001234"}, now.Add(-time.Duration(age)*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.Close(context.WithoutCancel(ctx))
	cli := func(args ...string) ansinh.RetentionReport {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, append([]string{"ansinh", "privacy", "retention"}, args...), envOf(env), nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		var rep ansinh.RetentionReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%v: %s", err, out.String())
		}
		return rep
	}
	if rep := cli("-dry-run"); rep.Conversations != 1 || !rep.DryRun {
		t.Fatalf("dry run %+v", rep)
	}
	if rep := cli(); rep.Conversations != 1 || rep.DryRun {
		t.Fatalf("run %+v", rep)
	}
	if rep := cli(); rep.Total() != 0 {
		t.Fatalf("second run %+v", rep)
	}
	st = openTestStore(t, env)
	defer st.Close(context.WithoutCancel(ctx))
	if _, data, _, _ := st.Conversation(ctx, "zalo:new"); data["cccd"] == "" {
		t.Fatal("the conversation inside the period is gone")
	}
	evs, err := st.AuditEvents(ctx, store.AuditFilter{Action: ansinh.ActionRetention})
	if err != nil || len(evs) != 1 || evs[0].Actor != "cli" || evs[0].Detail["conversations"] != int32(1) || evs[0].Detail["chat_days"] != int32(10) {
		t.Fatalf("audit %+v %v", evs, err)
	}
	for _, bad := range []string{"5d", "soon", "-3d"} {
		env["ANSINH_RETENTION_CHAT"] = "10d"
		env["ANSINH_RETENTION_SUBMISSIONS"] = bad
		if err := run(ctx, []string{"ansinh", "privacy", "retention"}, envOf(env), nil, io.Discard, io.Discard); err == nil {
			t.Errorf("ANSINH_RETENTION_SUBMISSIONS=%s accepted", bad)
		}
	}
}
