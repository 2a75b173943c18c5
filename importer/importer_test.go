package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ansinh"
	"ansinh/importer"
	"ansinh/refdata"
	"ansinh/store"
	"ansinh/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func units(t testing.TB) *ansinh.Units {
	t.Helper()
	u, err := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var province = &ansinh.User{Username: "so.ldtbxh", Role: ansinh.RoleProvince, Unit: "94"}

func run(t *testing.T, st *store.Store, file []byte, who *ansinh.User) *importer.Result {
	t.Helper()
	res, err := importer.Import(context.Background(), st, units(t), bytes.NewReader(file), int64(len(file)),
		importer.Options{Actor: who, IP: "127.0.0.1", File: "danh-sach.csv"})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

// messy is a list as it arrives from the districts: a BOM, semicolons, names typed
// with combining marks, CCCDs that lost their leading zero, three date formats, stray
// spaces, a blank line, unknown communes, a repeated CCCD.
const nfdSau = "Nguye\u0302\u0303n Va\u0306n Sa\u0301u"

var messy = "\ufeffHọ và tên;Số CCCD;Ngày sinh;Giới tính;Mã xã;Nhóm đối tượng;Mức hưởng;Ngân hàng;Số tài khoản;Chủ tài khoản;Đủ điều kiện mở TK\n" +
	nfdSau + ";94050001234;05/03/1950;Nam;31498;NCC;1.500.000;;;;\n" + // 2: lost zero, NFD name
	"\n" + // 3: blank
	"  Trần   Thị  Bảy  ; 094 152 000 111 ;1952-07-01;nữ;31501;bảo trợ xã hội;500000;Agribank;1234-5678-9012;tran thi bay;\n" + // 4
	"Lê Văn Tám;094050009999;01/01/1950;Nam;99999;NCC;1500000;;;;\n" + // 5: unknown commune
	"Nguyễn Văn Sáu;094050001234;05/03/1950;Nam;31498;NCC;1500000;;;;\n" + // 6: repeats row 2
	"Phạm Văn Chín;094060000777;31/02/1960;Nam;31498;NCC;1500000;;;;\n" + // 7: impossible date
	"Võ Văn Mười;94048000222;1948;Nam;31504;người có công;2000000;;;;\n" + // 8: bare year
	"Đặng Thị Hai;094154000333;20000;Nữ;31504;BTXH;750000;;;;\n" + // 9: Excel serial (1954-10-03)
	"Bùi Văn Ba;12345;01/01/1950;Nam;31498;NCC;1500000;;;;\n" + // 10: malformed CCCD
	"Hồ Văn Bốn;094040000444;01/01/1940;Nam;31498;BTXH;500000;;;;không\n" + // 11: not eligible
	"Mai Văn Năm;999050001234;01/01/1950;Nam;31498;NCC;1500000;;;;\n" + // 12: no such province code
	"Lý Văn Sáu;094060000555;01/01/1961;Nam;31498;NCC;1500000;;;;\n" // 13: CCCD says 1960: a warning

func TestImportMessyFile(t *testing.T) {
	st := storetest.New(t)
	res := run(t, st, []byte(messy), province)
	if res.Inserted != 6 || res.Updated != 0 || res.Unchanged != 0 {
		t.Fatalf("counts = %+v", res)
	}
	want := []ansinh.RowError{
		{Row: 5, Column: "Mã xã", Message: ansinh.MsgCommuneUnknown},
		{Row: 6, Column: "Số CCCD", Message: "Số CCCD này đã có ở dòng 2 của tệp."},
		{Row: 7, Column: "Ngày sinh", Message: ansinh.MsgDateFormat},
		{Row: 10, Column: "Số CCCD", Message: ansinh.MsgCCCDLength},
		{Row: 12, Column: "Số CCCD", Message: ansinh.MsgCCCDProvince},
	}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors = %+v", res.Errors)
	}
	for i := range want {
		if res.Errors[i] != want[i] {
			t.Errorf("error %d = %+v, want %+v", i, res.Errors[i], want[i])
		}
	}

	ctx := context.Background()
	sau, err := st.RevealBeneficiary(ctx, st.BeneficiaryID("094050001234"))
	if err != nil {
		t.Fatal(err)
	}
	if sau.Name != "Nguyễn Văn Sáu" || sau.CCCD != "094050001234" || sau.BirthDate != "1950-03-05" || sau.Amount != 1500000 || !sau.Eligible {
		t.Fatalf("row 2 stored as %+v", sau)
	}
	bay, _ := st.RevealBeneficiary(ctx, st.BeneficiaryID("094152000111"))
	if bay.Name != "Trần Thị Bảy" || bay.Sex != ansinh.SexFemale || bay.Group != ansinh.GroupBTXH || bay.Account == nil ||
		bay.Account.Number != "123456789012" || bay.Account.BankBIN != "970405" || bay.Account.HolderName != "TRAN THI BAY" ||
		bay.Account.Source != ansinh.SourceImport || bay.Account.Proxy {
		t.Fatalf("row 4 stored as %+v %+v", bay, bay.Account)
	}
	if b, _ := st.Beneficiary(ctx, st.BeneficiaryID("094048000222")); b.BirthDate != "1948" {
		t.Fatalf("bare year stored as %q", b.BirthDate)
	}
	if b, _ := st.Beneficiary(ctx, st.BeneficiaryID("094154000333")); b.BirthDate != "1954-10-03" {
		t.Fatalf("Excel serial stored as %q", b.BirthDate)
	}
	if b, _ := st.Beneficiary(ctx, st.BeneficiaryID("094040000444")); b.Eligible || b.Ineligible == nil {
		t.Fatalf("not-eligible row stored as %+v", b)
	}
	if b, _ := st.Beneficiary(ctx, st.BeneficiaryID("094060000555")); len(b.Warnings) != 1 || b.Identity.State != ansinh.IdentityUnchecked {
		t.Fatalf("warnings %v, identity %q", b.Warnings, b.Identity.State)
	}

	// The same file again writes nothing.
	before, _ := st.AuditEvents(ctx, store.AuditFilter{Action: ansinh.ActionBeneficiaryUpdate})
	again := run(t, st, []byte(messy), province)
	if again.Inserted != 0 || again.Updated != 0 || again.Unchanged != 6 || len(again.Errors) != 5 {
		t.Fatalf("re-import = %+v", again)
	}
	after, _ := st.AuditEvents(ctx, store.AuditFilter{Action: ansinh.ActionBeneficiaryUpdate})
	if len(after) != len(before) {
		t.Fatal("re-import wrote update events")
	}
	if b, _ := st.Beneficiary(ctx, st.BeneficiaryID("094050001234")); !b.UpdatedAt.Equal(sau.UpdatedAt) {
		t.Fatal("re-import touched an unchanged record")
	}

	// A changed amount is one update, audited with the field's name only.
	changed := strings.Replace(messy, "1.500.000", "1.600.000", 1)
	third := run(t, st, []byte(changed), province)
	if third.Updated != 1 || third.Unchanged != 5 {
		t.Fatalf("changed file = %+v", third)
	}
	evs, _ := st.AuditEvents(ctx, store.AuditFilter{Action: ansinh.ActionBeneficiaryUpdate})
	if len(evs) != 1 || evs[0].Target != "beneficiary:"+st.BeneficiaryID("094050001234") {
		t.Fatalf("update events = %+v", evs)
	}
	if f := fmt.Sprint(evs[0].Detail["fields"]); f != "[amount]" {
		t.Fatalf("update event fields = %v", evs[0].Detail["fields"])
	}
}

func TestDistrictImportsOnlyItsCommunes(t *testing.T) {
	st := storetest.New(t)
	district := &ansinh.User{Username: "huyen942", Role: ansinh.RoleDistrict, Unit: "942"}
	file := "ho_ten,cccd,ngay_sinh,ma_xa,nhom\n" +
		"Nguyễn Văn A,094050001111,1950,31569,NCC\n" + // Thị trấn Châu Thành, in 942
		"Nguyễn Văn B,094050002222,1950,31498,NCC\n" // Phường 5, in 941
	res := run(t, st, []byte(file), district)
	if res.Inserted != 1 || len(res.Errors) != 1 || res.Errors[0].Row != 3 || res.Errors[0].Message != ansinh.MsgCommuneOutside {
		t.Fatalf("result = %+v", res)
	}
}

// A district cannot take over another district's beneficiary by importing the same
// CCCD under one of its own communes.
func TestDistrictCannotMoveAnotherDistrictsBeneficiary(t *testing.T) {
	st := storetest.New(t)
	run(t, st, []byte("ho_ten,cccd,ngay_sinh,ma_xa,nhom\nLê Văn Cường,094050000003,1950,31569,NCC\n"), province)
	district := &ansinh.User{Username: "huyen941", Role: ansinh.RoleDistrict, Unit: "941"}
	res := run(t, st, []byte("ho_ten,cccd,ngay_sinh,ma_xa,nhom\nKẻ Mạo Danh,094050000003,1950,31498,NCC\n"), district)
	if res.Inserted != 0 || res.Updated != 0 || len(res.Errors) != 1 || res.Errors[0].Message != ansinh.MsgHeldElsewhere {
		t.Fatalf("result = %+v", res)
	}
	b, _ := st.Beneficiary(context.Background(), st.BeneficiaryID("094050000003"))
	if b.Commune != "31569" || b.Name != "Lê Văn Cường" {
		t.Fatalf("record changed to %s in %s", b.Name, b.Commune)
	}
}

func TestImportRejectsUnreadableFiles(t *testing.T) {
	st := storetest.New(t)
	tests := []struct {
		name string
		file []byte
	}{
		{"empty", nil},
		{"binary", []byte{0x00, 0x01, 0xff, 0xfe, 0x00, 0x13, 0x37}},
		{"broken xlsx", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{7}, 200)...)},
		{"missing columns", []byte("ten,tuoi\nA,80\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importer.Import(context.Background(), st, units(t), bytes.NewReader(tc.file), int64(len(tc.file)),
				importer.Options{Actor: province, File: "x"})
			if ansinh.ErrorCode(err) != ansinh.EINVALID {
				t.Fatalf("err = %v, want a validation error", err)
			}
		})
	}
	if n, _ := st.CountBeneficiaries(context.Background(), false); n != 0 {
		t.Fatalf("%d records stored from unreadable files", n)
	}
}

func TestImportXLSXWithNumbersAndDates(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"HỌ VÀ TÊN", "CCCD/CMND", "Ngày sinh", "Mã xã", "Nhóm", "Mức hưởng"},
		{"Nguyễn Thị Xuân", 94152000999, 19500, 31498, "BTXH", 1500000}, // CCCD stored as a number: zero lost
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	res := run(t, st, buf.Bytes(), province)
	if res.Inserted != 1 || len(res.Errors) != 0 {
		t.Fatalf("result = %+v", res)
	}
	b, err := st.Beneficiary(context.Background(), st.BeneficiaryID("094152000999"))
	if err != nil || b.BirthDate != "1953-05-21" || b.Amount != 1500000 {
		t.Fatalf("stored %+v, %v", b, err)
	}
}

// TestNoPlainCCCDInStoreFiles reads the embedded store's SQLite files after an import
// and looks for the personal numbers in clear.
func TestNoPlainCCCDInStoreFiles(t *testing.T) {
	if storetest.External() {
		t.Skip("the store's files are not on this machine")
	}
	st := storetest.New(t)
	run(t, st, []byte(messy), province)
	secrets := []string{"094050001234", "94050001234", "094152000111", "123456789012", "094040000444"}
	found := 0
	err := filepath.WalkDir(storetest.DataDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() { // directories, the store's socket
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found++
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %s in plain text", path, s)
			}
		}
		return nil
	})
	if err != nil || found == 0 {
		t.Fatalf("walked %d files: %v", found, err)
	}
}

// TestImportedNamesLoseBidiControls: a right-to-left override in a list is not kept.
func TestImportedNamesLoseBidiControls(t *testing.T) {
	st := storetest.New(t)
	res := run(t, st, []byte("ho_ten,cccd,ngay_sinh,ma_xa,nhom\nNguyễn Văn \u202euáS\u202c,094050000007,1950,31569,NCC\n"), province)
	if res.Inserted != 1 {
		t.Fatalf("result = %+v", res)
	}
	b, err := st.Beneficiary(context.Background(), st.BeneficiaryID("094050000007"))
	if err != nil || strings.ContainsAny(b.Name, "\u202e\u202c") || b.Name != "Nguyễn Văn uáS" {
		t.Fatalf("stored name %q, %v", b.Name, err)
	}
}
