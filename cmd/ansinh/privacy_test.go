package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/registration"
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

// TestPrivacyReport: the records of processing from the running store: every data set
// with where it lives and how many records, what is sealed, who sees it, how long it is
// kept; and the checks say when a number is found in clear or a collection is not
// described.
func TestPrivacyReport(t *testing.T) {
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1",
		"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01"}
	ctx := t.Context()
	now := time.Now()
	st := openTestStore(t, env)
	row := &ansinh.ImportRow{Beneficiary: ansinh.Beneficiary{Name: "Người Báo Cáo", CCCD: "094050007001", BirthDate: "1950",
		Commune: "31507", Group: ansinh.GroupBTXH, Eligible: true, Account: &ansinh.Account{BankBIN: "970405", Number: "700170017001",
			HolderName: "NGUOI BAO CAO", Source: ansinh.SourceImport}}}
	if _, err := st.InsertImported(ctx, []*ansinh.ImportRow{row}, now); err != nil {
		t.Fatal(err)
	}
	r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: st.BeneficiaryID("094050007001"), Commune: "31507",
		Submitter: ansinh.SubmitterSelf, BankBIN: "970418", AccountNumber: "700270027002", AccountName: "NGUOI BAO CAO",
		Phone: "0970070070", Channel: ansinh.ChannelZalo, SubmittedAt: now}
	if _, err := registration.New(st, "privacy-test-secret", nil).Record(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveConversation(ctx, "zalo:4471", "phone", map[string]string{"phone": "0970070070"}, now); err != nil {
		t.Fatal(err)
	}
	if err := st.Enqueue(ctx, "zalo:1:m", "zalo", "246845883529197922", []byte(`{"text":"x"}`), now); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, &ansinh.User{Username: "xa.31507", Role: ansinh.RoleCommune, Unit: "31507", Phone: "0299388001", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close(context.WithoutCancel(ctx))

	report := func() string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "ho-so.md")
		if err := run(ctx, []string{"ansinh", "privacy", "report", "-o", path}, envOf(env), nil, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	out := report()
	for _, ds := range ansinh.Inventory {
		if !strings.Contains(out, ds.Name) {
			t.Errorf("the report lacks %q", ds.Name)
		}
	}
	for _, want := range []string{"`beneficiaries`: 1 bản ghi", "`cccd_enc` 1", "`account_enc` 1", "`sealed_enc` 1", "90 ngày", "30 ngày",
		"Không bản ghi đọc thử nào chứa số", "Cán bộ công an phối hợp", "Lưu dạng rõ có chủ ý:** `phone`"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"094050007001", "700170017001", "700270027002", "0970070070"} {
		if strings.Contains(out, secret) {
			t.Errorf("the report shows %s", secret)
		}
	}
	if strings.Contains(out, "chưa được mô tả") || strings.Contains(out, "CẢNH BÁO") {
		t.Fatalf("a clean store reported as not clean:\n%s", out)
	}

	// A number in clear, and a collection nobody described, are reported.
	st = openTestStore(t, env)
	if err := st.Audit(ctx, &ansinh.AuditEvent{Actor: "x", Action: "test", Detail: map[string]any{"phone": "0970070070"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateScratchCollectionForTest(ctx, "ghi_chu_rieng"); err != nil {
		t.Fatal(err)
	}
	_ = st.Close(context.WithoutCancel(ctx))
	out = report()
	if !strings.Contains(out, "CẢNH BÁO: có số dạng rõ ở `detail.phone`") || !strings.Contains(out, "`ghi_chu_rieng`") {
		t.Fatalf("the check misses a clear number or an undescribed collection:\n%s", out)
	}
	if strings.Contains(out, "0970070070") {
		t.Fatal("the report shows the number it found")
	}
}
