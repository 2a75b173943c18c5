package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"ansinh"
	"ansinh/store"
	"ansinh/store/storetest"
)

func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t)
	rows := []*ansinh.ImportRow{
		{Beneficiary: ansinh.Beneficiary{Name: "Nguyễn Văn Sáu", CCCD: "094050001234", BirthDate: "1950-03-05", Commune: "31498", Group: ansinh.GroupNCC, Eligible: true}},
		{Beneficiary: ansinh.Beneficiary{Name: "Trần Thị Bảy", CCCD: "094152000111", BirthDate: "1952", Commune: "31501", Group: ansinh.GroupBTXH, Eligible: true,
			Account: &ansinh.Account{BankBIN: "970405", Number: "123456789012", HolderName: "TRAN THI BAY", Source: ansinh.SourceImport}}},
	}
	if _, err := src.InsertImported(ctx, rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := src.CreateUser(ctx, &ansinh.User{Username: "admin", Role: ansinh.RoleAdmin, Unit: "94", PasswordHash: "h", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	r := &ansinh.Registration{Receipt: ansinh.NewReceipt(), BeneficiaryID: src.BeneficiaryID("094050001234"), Commune: "31498",
		Submitter: ansinh.SubmitterSelf, BankBIN: "970418", AccountNumber: "99887766", AccountName: "NGUYEN VAN SAU", Channel: ansinh.ChannelQR, SubmittedAt: time.Now()}
	if _, err := lifecycle(src).Record(ctx, r); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	n, err := src.Backup(ctx, &archive)
	if err != nil || n < 5 {
		t.Fatalf("backup: %d documents, %v", n, err)
	}
	if bytes.Contains(archive.Bytes(), []byte("094050001234")) {
		t.Fatal("the archive holds a CCCD in clear")
	}

	dst := storetest.New(t)
	got, err := dst.Restore(ctx, bytes.NewReader(archive.Bytes()))
	if err != nil || got != n {
		t.Fatalf("restore: %d of %d, %v", got, n, err)
	}
	b, err := dst.RevealBeneficiary(ctx, dst.BeneficiaryID("094152000111"))
	if err != nil || b.Account == nil || b.Account.Number != "123456789012" {
		t.Fatalf("restored record: %+v, %v", b, err)
	}
	if reg, err := dst.Registration(ctx, r.Receipt); err != nil || reg.Status != ansinh.StatusPending {
		t.Fatalf("restored registration: %+v, %v", reg, err)
	}
	if u, err := dst.User(ctx, "admin"); err != nil || u.Role != ansinh.RoleAdmin {
		t.Fatalf("restored user: %+v, %v", u, err)
	}
	if drift, _ := dst.Reconcile(ctx, false); len(drift) != 0 {
		t.Fatalf("restored counters drift: %v", drift)
	}
	if _, err := dst.Restore(ctx, bytes.NewReader(archive.Bytes())); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("restore into a full store: %v", err)
	}
	empty := storetest.New(t)
	for name, data := range map[string][]byte{"garbage": []byte("hello"), "truncated": archive.Bytes()[:archive.Len()/2]} {
		if _, err := empty.Restore(ctx, bytes.NewReader(data)); err == nil {
			t.Errorf("%s archive restored without an error", name)
		}
	}
}
