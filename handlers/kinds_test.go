package handlers_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"ansinh"
	"ansinh/importer"
)

// kindsList: Sáu (NCC) without an account, Bảy (BTXH) with a bank account, Tám (NCC)
// with the bank account he linked in VNeID, all of commune 31498.
const kindsList = "ho_ten,cccd,ngay_sinh,gioi_tinh,ma_xa,nhom,ma_ngan_hang,so_tai_khoan,chu_tai_khoan,TK VNeID\n" +
	"Nguyễn Văn Sáu,094050001234,05/03/1950,Nam,31498,NCC,,,,\n" +
	"Trần Thị Bảy,094152000111,01/01/1952,Nữ,31498,BTXH,970405,111122223333,TRAN THI BAY,không\n" +
	"Lê Văn Tám,094048000222,01/01/1948,Nam,31498,NCC,970418,444455556666,LE VAN TAM,có\n"

type kindsCoverage struct {
	WithAccount    int64                     `json:"with_account"`
	NCCWithAccount int64                     `json:"ncc_with_account"`
	BTXHWith       int64                     `json:"btxh_with_account"`
	AccountsByKind map[string]int64          `json:"accounts_by_kind"`
	CountedKinds   map[ansinh.Group][]string `json:"counted_kinds"`
	MeetsTarget    bool                      `json:"meets_target"`
}

func (e *env) importList(list string) {
	e.t.Helper()
	rep, err := importer.Import(context.Background(), e.store, e.units, strings.NewReader(list), int64(len(list)),
		importer.Options{Actor: &ansinh.User{Username: "so", Role: ansinh.RoleProvince, Unit: "94"}, File: "x.csv"})
	if err != nil || len(rep.Errors) > 0 {
		e.t.Fatalf("import: %+v %v", rep, err)
	}
}

// TestWalletCountsAccordingToTheSetting is acceptance 3 of issue 14: a person registers
// an e-wallet (MoMo, 971025) through the API, an officer verifies it, and the coverage
// API counts it in with_account or not as the programme's setting says, over the same
// counters (changing the setting needs no recount).
func TestWalletCountsAccordingToTheSetting(t *testing.T) {
	e := newEnv(t)
	e.addUser("xa31498", ansinh.RoleCommune, "31498")
	e.addUser("so.tc", ansinh.RoleProvince, "94")
	e.importList(kindsList)
	reg := validRegistration("key-momo-0001")
	reg["bank_bin"], reg["account_number"] = "971025", "0912345678"
	_, receipt := e.submit(reg)
	// The officer is told it is a wallet, for information (bulk verification stays open).
	var review struct {
		Registration struct {
			Checks   []ansinh.Check
			Blocking bool
		}
	}
	e.do("GET", "/api/v1/registrations/"+receipt+"/review", e.login("xa31498"), nil).decode(&review)
	if i := slices.IndexFunc(review.Registration.Checks, func(c ansinh.Check) bool { return c.Code == ansinh.CheckAccountKind }); i < 0 ||
		review.Registration.Checks[i].Severity != ansinh.SeverityInfo || !strings.Contains(review.Registration.Checks[i].Message, "MoMo") {
		t.Fatalf("review of the wallet: %+v", review.Registration.Checks)
	}
	if _, doc := e.browser("xa31498").get("/can-bo/duyet/" + receipt); !strings.Contains(doc.Text(), "ví điện tử, Mobile Money (MoMo)") {
		t.Fatal("the review page does not say it is a wallet")
	}
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498"), nil); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	var b struct {
		Account struct{ Kind string }
	}
	e.do("GET", "/api/v1/beneficiaries/"+e.store.BeneficiaryID(sauCCCD), e.login("so.tc"), nil).decode(&b)
	if b.Account.Kind != ansinh.KindWallet {
		t.Fatalf("Sáu's account kind %q, want wallet", b.Account.Kind)
	}
	counters := e.totals()
	coverage := func(query string) kindsCoverage {
		t.Helper()
		var cov kindsCoverage
		if r := e.do("GET", "/api/v1/coverage?unit=31498"+query, e.login("so.tc"), nil); r.StatusCode != 200 {
			t.Fatalf("coverage: %d %s", r.StatusCode, r.body)
		} else {
			r.decode(&cov)
		}
		return cov
	}
	wantKinds := map[string]int64{ansinh.KindBank: 1, ansinh.KindWallet: 1, ansinh.KindVNeID: 1}
	// Default: bank and VNeID count, the wallet does not.
	cov := coverage("")
	if cov.WithAccount != 2 || cov.NCCWithAccount != 1 || cov.BTXHWith != 1 || !mapsEqual(cov.AccountsByKind, wantKinds) ||
		!slices.Equal(cov.CountedKinds[ansinh.GroupNCC], []string{"bank", "vneid"}) {
		t.Fatalf("default setting: %+v", cov)
	}
	if ncc := coverage("&program=NCC"); ncc.WithAccount != 1 || len(ncc.CountedKinds) != 1 {
		t.Fatalf("NCC alone by default: %+v", ncc)
	}
	_, doc := e.browser("so.tc").get("/can-bo/tong-quan?unit=31498")
	if text(doc, "#kind-wallet") != "1" || !strings.Contains(text(doc, "#kinds"), "Mobile Money 1 (không tính vào mục tiêu)") ||
		!strings.Contains(doc.Find("#programs").Text(), "tài khoản ngân hàng, tài khoản liên kết VNeID") {
		t.Fatalf("dashboard: kinds %q, programmes %q", text(doc, "#kinds"), doc.Find("#programs").Text())
	}
	// Another programme counting wallets changes nothing for an NCC wallet.
	e.cfg.Programs = ansinh.DefaultPrograms()
	btxh := e.cfg.Programs[ansinh.GroupBTXH]
	btxh.CountedKinds = ansinh.AccountKinds
	e.cfg.Programs[ansinh.GroupBTXH] = btxh
	e.app = e.rebuild(nil)
	if cov := coverage(""); cov.WithAccount != 2 || cov.NCCWithAccount != 1 {
		t.Fatalf("BTXH counting wallets: %+v", cov)
	}
	// NCC counting wallets: Sáu's MoMo counts.
	ncc := e.cfg.Programs[ansinh.GroupNCC]
	ncc.CountedKinds = []string{ansinh.KindBank, ansinh.KindWallet, ansinh.KindVNeID}
	e.cfg.Programs[ansinh.GroupNCC] = ncc
	e.app = e.rebuild(nil)
	cov = coverage("")
	if cov.WithAccount != 3 || cov.NCCWithAccount != 2 || !mapsEqual(cov.AccountsByKind, wantKinds) ||
		!slices.Equal(cov.CountedKinds[ansinh.GroupNCC], ansinh.AccountKinds) {
		t.Fatalf("NCC counting wallets: %+v", cov)
	}
	// NCC counting bank accounts only: neither the wallet nor Tám's VNeID account.
	ncc.CountedKinds = []string{ansinh.KindBank}
	e.cfg.Programs[ansinh.GroupNCC] = ncc
	e.app = e.rebuild(nil)
	if cov := coverage(""); cov.WithAccount != 1 || cov.NCCWithAccount != 0 {
		t.Fatalf("NCC counting bank accounts only: %+v", cov)
	}
	if after := e.totals(); after != counters {
		t.Fatalf("the counters moved with the setting: %+v → %+v", counters, after)
	}
	e.wantExactCounters()
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestVNeIDCapturedWhereOfficersAndClientsGiveIt: the API's "vneid_linked", the
// officer's checkbox (never ticked in advance) and the list's tk_vneid column make the
// account a VNeID one; the public form does not ask.
func TestVNeIDCapturedWhereOfficersAndClientsGiveIt(t *testing.T) {
	e := newEnv(t)
	e.addUser("xa31498", ansinh.RoleCommune, "31498")
	e.addUser("xa31498.b", ansinh.RoleCommune, "31498")
	e.addUser("so.tc", ansinh.RoleProvince, "94")
	e.importList(kindsList)
	kindOf := func(cccd string) string {
		t.Helper()
		var b struct {
			Account *struct{ Kind string }
		}
		e.do("GET", "/api/v1/beneficiaries/"+e.store.BeneficiaryID(cccd), e.login("so.tc"), nil).decode(&b)
		if b.Account == nil {
			return ""
		}
		return b.Account.Kind
	}
	if got := kindOf("094048000222"); got != ansinh.KindVNeID {
		t.Fatalf("Tám from the list (TK VNeID: có): %q", got)
	}
	if got := kindOf("094152000111"); got != ansinh.KindBank {
		t.Fatalf("Bảy from the list (TK VNeID: không): %q", got)
	}
	// The officer's page: one checkbox, not ticked.
	p := e.browser("xa31498")
	if _, doc := p.get("/can-bo/doi-tuong/" + e.store.BeneficiaryID("094048000222")); !strings.Contains(text(doc, "#account"), "đã liên kết VNeID") {
		t.Fatalf("Tám's record: %q", text(doc, "#account"))
	}
	sau := e.store.BeneficiaryID(sauCCCD)
	_, doc := p.get("/can-bo/doi-tuong/" + sau + "/dang-ky-ho")
	box := doc.Find(`input[type=checkbox][name=vneid_linked]`)
	if box.Length() != 1 {
		t.Fatalf("assisted page: %d VNeID checkboxes", box.Length())
	}
	if _, checked := box.Attr("checked"); checked {
		t.Fatal("the VNeID checkbox is ticked in advance")
	}
	r, _ := p.post("/can-bo/doi-tuong/"+sau+"/dang-ky-ho", url.Values{"submitter": {"self"}, "bank_bin": {"970405"},
		"account_number": {"123456789012"}, "account_name": {"Nguyễn Văn Sáu"}, "proof_seen": {"CCCD, ứng dụng VNeID"},
		"vneid_linked": {"1"}, "idempotency_key": {"key-assisted-vneid-1"}})
	if r.StatusCode != 303 {
		t.Fatalf("assisted page post: %d %s", r.StatusCode, r.body)
	}
	receipt := strings.TrimPrefix(r.Header.Get("Location"), "/can-bo/duyet/")
	var review struct {
		Registration struct{ Checks []ansinh.Check }
	}
	e.do("GET", "/api/v1/registrations/"+receipt+"/review", e.login("xa31498.b"), nil).decode(&review)
	if !slices.ContainsFunc(review.Registration.Checks, func(c ansinh.Check) bool {
		return c.Code == ansinh.CheckAccountKind && strings.Contains(c.Message, "VNeID")
	}) {
		t.Fatalf("review of the VNeID account: %+v", review.Registration.Checks)
	}
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/verify", e.login("xa31498.b"), nil); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	if got := kindOf(sauCCCD); got != ansinh.KindVNeID {
		t.Fatalf("Sáu after the officer's registration: %q", got)
	}
	// The officer's API: vneid_linked false leaves a bank account.
	body := validRegistration("key-assist-vneid-2")
	delete(body, "cccd")
	delete(body, "birth_date")
	body["account_number"], body["proof_seen"], body["vneid_linked"] = "999988887777", "CCCD", false
	r = e.do("POST", "/api/v1/beneficiaries/"+sau+"/registrations", e.login("xa31498"), body)
	var out struct{ Receipt string }
	r.decode(&out)
	if r.StatusCode != 201 {
		t.Fatalf("assisted API: %d %s", r.StatusCode, r.body)
	}
	if r := e.do("POST", "/api/v1/registrations/"+out.Receipt+"/verify", e.login("xa31498.b"), nil); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	if got := kindOf(sauCCCD); got != ansinh.KindBank {
		t.Fatalf("Sáu's new account without VNeID: %q", got)
	}
	// A wrong type is a clear error, nothing stored.
	body["vneid_linked"], body["idempotency_key"] = "có", "key-assist-vneid-3"
	if r := e.do("POST", "/api/v1/beneficiaries/"+sau+"/registrations", e.login("xa31498"), body); r.StatusCode != 400 && r.StatusCode != 422 {
		t.Fatalf("vneid_linked as a string: %d %s", r.StatusCode, r.body)
	}
	e.wantExactCounters()
	cov := kindsCoverage{}
	e.do("GET", "/api/v1/coverage?unit=31498", e.login("so.tc"), nil).decode(&cov)
	if !mapsEqual(cov.AccountsByKind, map[string]int64{ansinh.KindBank: 2, ansinh.KindWallet: 0, ansinh.KindVNeID: 1}) {
		t.Fatalf("by kind: %+v", cov.AccountsByKind)
	}
}
