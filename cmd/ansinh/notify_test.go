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
	"ansinh/registration"
)

// TestNotifyReminders: `ansinh notify reminders` queues the month's reminder to the
// person who agreed to be told, once: a second run finds it queued; a bad month or
// unit is a usage error; each run is audited as "cli".
func TestNotifyReminders(t *testing.T) {
	env := map[string]string{"ANSINH_DATA_DIR": t.TempDir(), "ANSINH_DATA_KEY": "data-key-data-key-data-key-data-key-1",
		"ANSINH_SECRET_KEY": "secret-key-secret-key-secret-key-01", "ANSINH_UNITS_SET": "soc-trang-2024"}
	ctx := t.Context()
	st := openTestStore(t, env)
	now := time.Now()
	rows := []*ansinh.ImportRow{
		{Beneficiary: ansinh.Beneficiary{Name: "Nguyễn Văn Sáu", CCCD: "094050001234", BirthDate: "1950-03-05", Commune: "31498", Group: ansinh.GroupNCC, Eligible: true}},
		{Beneficiary: ansinh.Beneficiary{Name: "Trần Thị Bảy", CCCD: "094152000111", BirthDate: "1952-01-01", Commune: "31498", Group: ansinh.GroupBTXH, Eligible: true, Phone: "84912000111"}},
	}
	if _, err := st.InsertImported(ctx, rows, now); err != nil {
		t.Fatal(err)
	}
	b, err := st.Beneficiary(ctx, st.BeneficiaryID("094050001234"))
	if err != nil {
		t.Fatal(err)
	}
	reg := registration.New(st, env["ANSINH_SECRET_KEY"], nil)
	receipt, _, err := reg.SubmitFor(ctx, b, &ansinh.RegistrationRequest{Submitter: ansinh.SubmitterSelf, BankBIN: "970405",
		AccountNumber: "123456789012", AccountName: "Nguyen Van Sau", Phone: "0912345678", Consent: true, NotifyConsent: true}, ansinh.ChannelQR)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Registration(ctx, receipt)
	if err != nil {
		t.Fatal(err)
	}
	officer := &ansinh.User{Username: "xa31498", Role: ansinh.RoleCommune, Unit: "31498"}
	if err := reg.Decide(ctx, officer, "127.0.0.1", r, &ansinh.Decision{Receipt: receipt, Status: ansinh.StatusRejected, Reason: "name_mismatch", By: officer.Username, At: now}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close(context.WithoutCancel(ctx))

	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"ansinh", "notify"}, args...), envOf(env), nil, &out, io.Discard)
		return out.String(), err
	}
	// Trần Thị Bảy has a phone from the list but never submitted: never asked, not told.
	out, err := cli("reminders", "-month", "2026-12", "-unit", "31498")
	if err != nil || !strings.Contains(out, "1 queued, 0 already queued this month, 1 without consent, 0 without a channel") {
		t.Fatalf("first run: %q %v", out, err)
	}
	if out, err := cli("reminders", "-month", "2026-12"); err != nil || !strings.Contains(out, "0 queued, 1 already queued") {
		t.Fatalf("second run: %q %v", out, err)
	}
	for _, args := range [][]string{{"reminders", "-month", "2026-13"}, {"reminders", "-unit", "nope"}, {"remind"}, {}, {"reminders", "extra"}} {
		if _, err := cli(args...); !errors.As(err, new(usageError)) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	st = openTestStore(t, env)
	defer st.Close(context.WithoutCancel(ctx))
	evs, err := st.AuditEvents(ctx, ansinh.AuditFilter{Action: ansinh.ActionNoticeReminders})
	if err != nil || len(evs) != 2 || evs[0].Actor != "cli" {
		t.Fatalf("audit: %d events, %v", len(evs), err)
	}
}
