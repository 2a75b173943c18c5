package ansinh_test

import (
	"testing"

	"ansinh"
)

// The 2025 names are shown, the old ones still find their bank, e-wallets are listed
// as such, and no old name takes another bank's place.
func TestBanksOf2025(t *testing.T) {
	for typed, want := range map[string]string{
		"CB Bank": "970444", "VCBNeo": "970444", "ngan hang xay dung": "970444",
		"GPBank": "970408", "Ngân hàng Dầu khí Toàn cầu": "970408",
		"PG Bank": "970430", "PGBank": "970430", "Maritime Bank": "970426",
		"VBSP": "999888", "ngân hàng chính sách xã hội": "999888",
		"Viettel Money": "971005", "ViettelPay": "971005", "MoMo": "971025", "VNPT Money": "971011", "PVcomBank Pay": "971133",
		"PVcomBank": "970412", "Agribank": "970405",
	} {
		if b, ok := ansinh.FindBank(typed); !ok || b.BIN != want {
			t.Errorf("%q finds %+v %v, want %s", typed, b, ok, want)
		}
	}
	if b, _ := ansinh.BankByBIN("970444"); b.ShortName != "VCBNeo" || b.Kind != ansinh.KindBank {
		t.Errorf("970444 is shown as %+v", b)
	}
	seen := map[string]bool{}
	for _, b := range ansinh.Banks() {
		if seen[b.BIN] {
			t.Errorf("BIN %s listed twice", b.BIN)
		}
		seen[b.BIN] = true
		for _, name := range []string{b.ShortName, b.Name} {
			if got, _ := ansinh.FindBank(name); got.BIN != b.BIN {
				t.Errorf("%q finds %s, not its own %s", name, got.BIN, b.BIN)
			}
		}
		wallet := map[string]bool{"971005": true, "971011": true, "971025": true, "971133": true}[b.BIN]
		if (b.Kind == ansinh.KindWallet) != wallet {
			t.Errorf("%s %s is of kind %s", b.BIN, b.ShortName, b.Kind)
		}
	}
}
