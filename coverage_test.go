package ansinh_test

import (
	"reflect"
	"testing"

	"ansinh"
)

func TestContributionPerProgramme(t *testing.T) {
	pension := &ansinh.Beneficiary{Group: ansinh.GroupHTXH, Eligible: true, Account: &ansinh.Account{Proxy: true}}
	c := ansinh.Contribution(pension)
	want := ansinh.Counts{Beneficiaries: 1, WithAccount: 1, Proxy: 1, HTXH: 1, HTXHWithAccount: 1, HTXHProxy: 1, Bank: 1, HTXHBank: 1}
	if c != want {
		t.Fatalf("contribution %+v, want %+v", c, want)
	}
	paidDirectly := ansinh.Contribution(&ansinh.Beneficiary{Group: ansinh.GroupNCC, Eligible: false})
	if paidDirectly != (ansinh.Counts{Beneficiaries: 1, NotEligible: 1, NCC: 1, NCCNotEligible: 1}) {
		t.Fatalf("not eligible NCC: %+v", paidDirectly)
	}
	sum := c.Add(paidDirectly).Add(ansinh.Contribution(&ansinh.Beneficiary{Group: ansinh.GroupBTXH, Eligible: true}))
	if got := sum.Program(ansinh.GroupHTXH); got.Beneficiaries != 1 || got.WithAccount != 1 || got.Proxy != 1 || got.NotEligible != 0 {
		t.Fatalf("HTXH of the sum: %+v", got)
	}
	if got := sum.Program(ansinh.GroupNCC); got.Beneficiaries != 1 || got.NotEligible != 1 || got.WithAccount != 0 {
		t.Fatalf("NCC of the sum: %+v", got)
	}
	// Every field moves: adding and taking away the same figures leaves nothing.
	var all ansinh.Counts
	v := reflect.ValueOf(&all).Elem()
	for i := range v.NumField() {
		v.Field(i).SetInt(int64(i + 1))
	}
	if got := sum.Add(all).Sub(all); got != sum {
		t.Fatalf("add then sub: %+v, want %+v", got, sum)
	}
	if got := (ansinh.Counts{}).Add(all); got != all {
		t.Fatalf("a field is not added: %+v", got)
	}
}

func TestCoverageCountsThoseWaitingForACommune(t *testing.T) {
	sets, err := ansinh.BundledUnitSets("")
	if err != nil {
		t.Fatal(err)
	}
	units := sets.Current().Units
	waiting := ansinh.Contribution(&ansinh.Beneficiary{Group: ansinh.GroupBTXH, Eligible: true})
	counts := map[string]ansinh.Counts{
		"31507":              ansinh.Contribution(&ansinh.Beneficiary{Group: ansinh.GroupHTXH, Eligible: true, Account: &ansinh.Account{}}),
		ansinh.UnassignedKey: waiting.Add(waiting),
	}
	cov := ansinh.BuildCoverage(units, "92", counts)
	if cov.Beneficiaries != 3 || cov.WithAccount != 1 || cov.Unassigned == nil || cov.Unassigned.Beneficiaries != 2 || cov.Ratio != 0.3333 {
		t.Fatalf("root: %+v, unassigned %+v", cov.Counts, cov.Unassigned)
	}
	if sub := ansinh.BuildCoverage(units, "31507", counts); sub.Beneficiaries != 1 || sub.Unassigned != nil {
		t.Fatalf("a commune: %+v", sub)
	}
	htxh := cov.ForProgram(ansinh.GroupHTXH)
	if htxh.Beneficiaries != 1 || htxh.WithAccount != 1 || !htxh.MeetsTarget || htxh.Unassigned.Beneficiaries != 0 {
		t.Fatalf("HTXH: %+v", htxh)
	}
	// A higher target, from the settings.
	strict := ansinh.BuildCoverageFor(units, "92", counts, ansinh.CoverageOptions{Target: 0.5})
	if strict.MeetsTarget || strict.Gap() != 1 || strict.Target != 0.5 {
		t.Fatalf("target 50 %%: meets %v, gap %d", strict.MeetsTarget, strict.Gap())
	}
	// Snapshots of the letter's set are carried into today's communes.
	carried := ansinh.CarryCounts(sets, ansinh.SetSocTrang2024, map[string]ansinh.Counts{"31498": waiting, "31513": waiting, "31522": waiting})
	if carried["31507"].Beneficiaries != 1 || carried["31510"].Beneficiaries != 2 || len(carried) != 2 {
		t.Fatalf("carried: %+v", carried)
	}
}
