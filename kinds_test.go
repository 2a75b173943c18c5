package ansinh_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/refdata"
)

// TestImportReadsTheVNeIDColumn: the column answers to its aliases and takes có/không,
// x, 1/0; another word, or "có" on a row without an account, is the row's error.
func TestImportReadsTheVNeIDColumn(t *testing.T) {
	units, err := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, header, cell, account string
		want                        bool
		bad                         string
	}{
		{"TK VNeID có", "TK VNeID", "có", "970405,111122223333,TRAN THI BAY", true, ""},
		{"liên kết VNeID x", "Liên kết VNeID", "x", "970405,111122223333,TRAN THI BAY", true, ""},
		{"tk_vneid 1", "tk_vneid", "1", "970405,111122223333,TRAN THI BAY", true, ""},
		{"tk_vneid 0", "tk_vneid", "0", "970405,111122223333,TRAN THI BAY", false, ""},
		{"empty", "tk_vneid", "", "970405,111122223333,TRAN THI BAY", false, ""},
		{"a word", "TK VNeID", "có lẽ", "970405,111122223333,TRAN THI BAY", false, ansinh.MsgYesNo},
		{"có without an account", "TK VNeID", "có", ",,", false, ansinh.MsgVNeIDWithoutAccount},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header, _ := ansinh.MapImportHeader(strings.Split("ho_ten,cccd,ngay_sinh,ma_xa,nhom,ma_ngan_hang,so_tai_khoan,chu_tai_khoan,"+tc.header, ","))
			cells := strings.Split("Trần Thị Bảy,094152000111,01/01/1952,31498,BTXH,"+tc.account+","+tc.cell, ",")
			row, errs := header.ParseImportRow(cells, 2, units, time.Now())
			if tc.bad != "" {
				if len(errs) != 1 || errs[0].Message != tc.bad || errs[0].Column != tc.header {
					t.Fatalf("errors %+v, want %q in %s", errs, tc.bad, tc.header)
				}
				return
			}
			if len(errs) > 0 || row.Beneficiary.Account == nil || row.Beneficiary.Account.VNeID != tc.want {
				t.Fatalf("row %+v, errors %+v", row, errs)
			}
		})
	}
}

func TestAccountKindAndCountedKinds(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    ansinh.Account
		want string
	}{
		{"a bank account", ansinh.Account{BankBIN: "970405"}, ansinh.KindBank},
		{"linked in VNeID", ansinh.Account{BankBIN: "970405", VNeID: true}, ansinh.KindVNeID},
		{"MoMo", ansinh.Account{BankBIN: "971025"}, ansinh.KindWallet},
		{"Viettel Money", ansinh.Account{BankBIN: "971005"}, ansinh.KindWallet},
		{"a wallet marked linked stays a wallet", ansinh.Account{BankBIN: "971011", VNeID: true}, ansinh.KindWallet},
	} {
		if got := tc.a.Kind(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	wallet := ansinh.Contribution(&ansinh.Beneficiary{Group: ansinh.GroupNCC, Eligible: true, Account: &ansinh.Account{BankBIN: "971025"}})
	vneid := ansinh.Contribution(&ansinh.Beneficiary{Group: ansinh.GroupBTXH, Eligible: true, Account: &ansinh.Account{BankBIN: "970405", VNeID: true}})
	if wallet.Wallet != 1 || wallet.NCCWallet != 1 || wallet.WithAccount != 1 || vneid.VNeID != 1 || vneid.BTXHVNeID != 1 {
		t.Fatalf("contributions: %+v %+v", wallet, vneid)
	}
	sum := wallet.Add(vneid)
	if got := sum.Counted(nil); got.WithAccount != 1 || got.NCCWithAccount != 0 || got.BTXHWithAccount != 1 || got.Wallet != 1 {
		t.Fatalf("by default the wallet does not count: %+v", got)
	}
	programs := ansinh.DefaultPrograms()
	p := programs[ansinh.GroupNCC]
	p.CountedKinds = []string{ansinh.KindWallet}
	programs[ansinh.GroupNCC] = p
	if got := sum.Counted(programs); got.WithAccount != 2 || got.NCCWithAccount != 1 {
		t.Fatalf("NCC counting wallets: %+v", got)
	}
	// Counts older than the split (a snapshot) have nothing to take out.
	old := ansinh.Counts{Beneficiaries: 3, WithAccount: 2, NCC: 3, NCCWithAccount: 2}
	if got := old.Counted(nil); got != old {
		t.Fatalf("counts without the split: %+v", got)
	}
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"bank,vneid", []string{"bank", "vneid"}},
		{" VNeID , wallet,bank", []string{"bank", "wallet", "vneid"}},
		{"wallet", []string{"wallet"}},
	} {
		if got, err := ansinh.ParseCountedKinds(tc.in); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v %v", tc.in, got, err)
		}
	}
	for _, bad := range []string{"", "momo", "bank,bank", "bank,", "bank wallet"} {
		if _, err := ansinh.ParseCountedKinds(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
