package handlers_test

import (
	"testing"

	"ansinh"
)

// A list that names another account for someone already paid into one does not move
// the payments: the new account waits in the commune's queue as a submission (channel
// import) like any other, and becomes the person's only once an officer verifies it.
// Importing the list again adds nothing; an admin's import is no shortcut.
func TestImportedNewAccountGoesToReview(t *testing.T) {
	e := staffEnv(t)
	const cccd = "094050001234"
	p := benP("Nguyễn Văn Sáu", cccd, "31498")
	p.bank, p.account, p.holder = "Agribank", "111122223333", "nguyen van sau"
	if res := e.benImport(e.login("so.ldtbxh"), benCSV(t, p)); res.Inserted != 1 || len(res.Errors) != 0 {
		t.Fatalf("first list: %+v", res)
	}
	id := e.store.BeneficiaryID(cccd)
	account := func() string {
		t.Helper()
		b, err := e.store.Beneficiary(t.Context(), id)
		if err != nil || b.Account == nil {
			t.Fatalf("beneficiary: %+v %v", b, err)
		}
		return b.Account.Last4
	}
	if account() != "3333" {
		t.Fatal("a first account from the list is the person's")
	}
	commune := e.login("xa31498")
	p.bank, p.account = "Vietcombank", "999988887777"
	for _, who := range []string{"so.ldtbxh", "so.ldtbxh", "admin"} {
		if res := e.benImport(e.login(who), benCSV(t, p)); len(res.Errors) != 0 {
			t.Fatalf("%s's list: %+v", who, res)
		}
		if account() != "3333" {
			t.Fatalf("%s's list switched the account", who)
		}
		items, total := e.queue(commune, "")
		if total != 1 || items[0].Channel != ansinh.ChannelImport || items[0].Status != ansinh.StatusPending {
			t.Fatalf("after %s's list, the queue holds %d: %+v", who, total, items)
		}
	}
	items, _ := e.queue(commune, "")
	if r := e.do("POST", "/api/v1/registrations/"+items[0].Receipt+"/verify", commune, map[string]any{}); r.StatusCode != 200 {
		t.Fatalf("verify: %d %s", r.StatusCode, r.body)
	}
	if account() != "7777" {
		t.Fatal("the verified account is not the person's")
	}
	if _, total := e.queue(commune, ""); total != 0 {
		t.Fatalf("%d still queued", total)
	}
}
