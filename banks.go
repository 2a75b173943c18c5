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

// Bank is a bank that receives transfers through NAPAS.
type Bank struct {
	BIN       string `json:"bin"`
	ShortName string `json:"short_name"`
	Name      string `json:"name"`
}

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
	ix := &bankIndex{byBIN: map[string]Bank{}, byKey: map[string]Bank{}}
	for _, r := range rows[1:] {
		b := Bank{BIN: r[0], ShortName: r[1], Name: r[2]}
		ix.list = append(ix.list, b)
		ix.byBIN[b.BIN] = b
		ix.byKey[fold.Key(b.ShortName)] = b
		ix.byKey[fold.Key(b.Name)] = b
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
