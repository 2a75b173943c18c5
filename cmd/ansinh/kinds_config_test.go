package main

import (
	"slices"
	"strings"
	"testing"

	"ansinh"
)

// TestCountedKindsPerProgramme: each programme's kinds of account counted toward the
// target default to bank and VNeID, are set by ANSINH_PROGRAM_<G>_COUNTED_KINDS, and a
// bad list refuses to start with a message naming the setting and the kinds it takes.
func TestCountedKindsPerProgramme(t *testing.T) {
	c, err := loadConfig(mapEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ansinh.Groups {
		if got := c.Programs[g].Kinds(); !slices.Equal(got, []string{ansinh.KindBank, ansinh.KindVNeID}) {
			t.Errorf("%s by default: %v", g, got)
		}
	}
	c, err = loadConfig(mapEnv(map[string]string{"ANSINH_PROGRAM_BTXH_COUNTED_KINDS": " Wallet, bank,vneid ",
		"ANSINH_PROGRAM_NCC_COUNTED_KINDS": "bank"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Programs[ansinh.GroupBTXH].Kinds(); !slices.Equal(got, ansinh.AccountKinds) {
		t.Errorf("BTXH: %v", got)
	}
	if got := c.Programs[ansinh.GroupNCC].Kinds(); !slices.Equal(got, []string{ansinh.KindBank}) {
		t.Errorf("NCC: %v", got)
	}
	if got := c.Programs[ansinh.GroupHTXH].Kinds(); !slices.Equal(got, ansinh.DefaultCountedKinds) {
		t.Errorf("HTXH untouched: %v", got)
	}
	for _, bad := range []string{"momo", "bank,bank", "bank,,vneid", ",", "bank;wallet", "{\"$gt\":\"\"}"} {
		problems := configProblems(t, map[string]string{"ANSINH_PROGRAM_HTXH_COUNTED_KINDS": bad})
		if !hasProblemFor(problems, "ANSINH_PROGRAM_HTXH_COUNTED_KINDS") ||
			!slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "bank") }) {
			t.Errorf("%q: problems %v", bad, problems)
		}
	}
}
