package demo_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"ansinh"
	"ansinh/demo"
	"ansinh/refdata"
)

func load(t *testing.T, data []byte) *ansinh.Units {
	t.Helper()
	u, err := ansinh.LoadUnits(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestProvinceHasTheLettersFigures(t *testing.T) {
	units := load(t, refdata.SocTrangUnits)
	rows, err := demo.Province(units, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2810 {
		t.Fatalf("%d beneficiaries, want 2810", len(rows))
	}
	perTop := map[string][2]int{}
	accounts := 0
	cccds := map[string]bool{}
	for _, r := range rows {
		b := r.Beneficiary
		if !b.Synthetic {
			t.Fatal("a record is not marked synthetic")
		}
		if cccd, msg := ansinh.NormalizeCCCD(b.CCCD); msg != "" || cccd != b.CCCD {
			t.Fatalf("CCCD %s: %s", b.CCCD, msg)
		}
		if w := ansinh.CCCDWarnings(b.CCCD, b.BirthDate, b.Sex); len(w) > 0 {
			t.Fatalf("CCCD %s disagrees with the record: %v", b.CCCD, w)
		}
		if cccds[b.CCCD] {
			t.Fatalf("CCCD %s twice", b.CCCD)
		}
		cccds[b.CCCD] = true
		top, _ := units.Get(b.Commune)
		if top == nil || !top.Leaf() {
			t.Fatalf("commune %s is not a commune", b.Commune)
		}
		c := perTop[top.Parent]
		c[0]++
		if b.Account != nil {
			c[1]++
			accounts++
		}
		perTop[top.Parent] = c
	}
	if accounts != 1457 {
		t.Fatalf("%d with an account, want 1457", accounts)
	}
	below, above := 0, 0
	for code, c := range perTop {
		if c[0] == 0 {
			t.Fatalf("district %s has nobody", code)
		}
		if float64(c[1])/float64(c[0]) < 0.3 {
			below++
		} else {
			above++
		}
	}
	if len(perTop) != 11 || below < 2 || above < 5 {
		t.Fatalf("%d districts, %d below 30 %%, %d above", len(perTop), below, above)
	}
	again, _ := demo.Province(units, 1, time.Now())
	if again[100].Beneficiary.CCCD != rows[100].Beneficiary.CCCD {
		t.Fatal("not deterministic for a seed")
	}
}

func TestProvinceOnTwoTierUnits(t *testing.T) {
	data, err := os.ReadFile("../testdata/units_two_tier.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := demo.Province(load(t, data), 1, time.Now())
	if err != nil || len(rows) != 2810 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}

func TestCityCarriesTheLettersListThroughTheCrosswalk(t *testing.T) {
	sets, err := ansinh.BundledUnitSets("")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := demo.City(sets, 7, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != demo.Beneficiaries+demo.Elsewhere {
		t.Fatalf("%d people, want %d", len(rows), demo.Beneficiaries+demo.Elsewhere)
	}
	units := sets.Current().Units
	formerSocTrang := map[string]bool{}
	groups := map[ansinh.Group]int{}
	waiting, accounts := 0, 0
	for i, r := range rows {
		b := r.Beneficiary
		groups[b.Group]++
		if b.Commune == "" {
			waiting++
			for _, c := range b.Candidates {
				if u, ok := units.Get(c); !ok || !u.Leaf() {
					t.Fatalf("candidate %s is no commune of today", c)
				}
			}
			continue
		}
		if u, ok := units.Get(b.Commune); !ok || u.Parent != "92" {
			t.Fatalf("%s is not one of today's communes", b.Commune)
		}
		if i < demo.Beneficiaries {
			formerSocTrang[b.Commune] = true
			if b.Account != nil {
				accounts++
			}
		}
	}
	if len(formerSocTrang) != 43 || accounts != demo.WithAccount {
		t.Fatalf("the letter's list lies in %d communes with %d accounts, want 43 and %d", len(formerSocTrang), accounts, demo.WithAccount)
	}
	if waiting != demo.Waiting || groups[ansinh.GroupHTXH] == 0 || groups[ansinh.GroupNCC] == 0 || groups[ansinh.GroupBTXH] == 0 {
		t.Fatalf("%d waiting, programmes %v", waiting, groups)
	}
}
