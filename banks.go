package ansinh

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strings"
	"sync"

	"ansinh/fold"
	"ansinh/refdata"
)

// Bank is a bank, or an e-wallet or Mobile Money provider, that receives transfers.
type Bank struct {
	BIN       string `json:"bin"`
	ShortName string `json:"short_name"`
	Name      string `json:"name"`
	// Kind is KindBank or KindWallet.
	Kind string `json:"kind"`
	// OldNames are names it had before (still found by FindBank).
	OldNames []string `json:"old_names,omitempty"`
}

// Kinds of payment account.
const (
	KindBank   = "bank"   // a bank account
	KindWallet = "wallet" // an e-wallet or Mobile Money account (Decree 368/2025)
)

type bankIndex struct {
	list  []Bank
	byBIN map[string]Bank
	byKey map[string]Bank
}

var banks = sync.OnceValue(func() *bankIndex {
	rows, err := csv.NewReader(bytes.NewReader(refdata.Banks)).ReadAll()
	if err != nil {
		panic("refdata: banks.csv: " + err.Error())
	}
	changes, err := csv.NewReader(bytes.NewReader(refdata.Banks2025)).ReadAll()
	if err != nil {
		panic("refdata: banks_2025.csv: " + err.Error())
	}
	ix := &bankIndex{byBIN: map[string]Bank{}, byKey: map[string]Bank{}}
	pos := map[string]int{}
	for _, r := range rows[1:] {
		pos[r[0]] = len(ix.list)
		ix.list = append(ix.list, Bank{BIN: r[0], ShortName: r[1], Name: r[2], Kind: KindBank})
	}
	for _, r := range changes[1:] {
		b := Bank{BIN: r[0], Kind: r[1], ShortName: r[2], Name: r[3]}
		if r[4] != "" {
			b.OldNames = strings.Split(r[4], ";")
		}
		if i, ok := pos[b.BIN]; ok {
			ix.list[i] = b
		} else {
			ix.list = append(ix.list, b)
		}
	}
	for _, b := range ix.list {
		ix.byBIN[b.BIN] = b
		for _, name := range append([]string{b.ShortName, b.Name}, b.OldNames...) {
			ix.byKey[fold.Key(name)] = b
		}
	}
	return ix
})

// Banks lists every bank in the reference file.
func Banks() []Bank { return banks().list }

// BankByBIN returns the bank with the NAPAS BIN.
func BankByBIN(bin string) (Bank, bool) {
	b, ok := banks().byBIN[strings.TrimSpace(bin)]
	return b, ok
}

// FindBank accepts a BIN, a short name ("Agribank") or the full name, in any case and
// with or without accents.
func FindBank(s string) (Bank, bool) {
	if b, ok := BankByBIN(s); ok {
		return b, true
	}
	b, ok := banks().byKey[fold.Key(s)]
	return b, ok
}

// formFirst are the banks most beneficiaries in the Mekong delta use, shown first.
var formFirst = []string{"970405", "970415", "970418", "970436", "970449", "970403"}

// BanksForForm lists every bank, the common local ones first, then by name.
func BanksForForm() []Bank {
	var out []Bank
	first := map[string]bool{}
	for _, bin := range formFirst {
		if b, ok := BankByBIN(bin); ok {
			out = append(out, b)
			first[bin] = true
		}
	}
	rest := make([]Bank, 0, len(Banks()))
	for _, b := range Banks() {
		if !first[b.BIN] {
			rest = append(rest, b)
		}
	}
	sort.Slice(rest, func(i, j int) bool { return fold.Words(rest[i].ShortName) < fold.Words(rest[j].ShortName) })
	return append(out, rest...)
}
