package ansinh_test

import (
	"strings"
	"testing"

	"ansinh"
)

// The permission table as the README shows it: each row a role, each column an
// action of ansinh.Actions, "x" where the role may.
var wantPermissions = map[ansinh.Role]string{
	//                    users import view payment export reveal cccd manage idlist identity subm assist decide qr report payments apiclients backlog coverage requests breaches manage-users audit contact remind
	ansinh.RoleAdmin:    "x x x x x . . . . . x . . x . . x x x . x x x x .",
	ansinh.RoleProvince: "x x x x x x x . x . x . . x x x . x x x . x x x x",
	ansinh.RoleDistrict: "x x x x x x x x x . x x x x x x . x x x . x . x x",
	ansinh.RoleCommune:  ". . x x x x x x x . x x x x x x . . x x . . . x x",
	ansinh.RolePolice:   ". . x . . . x . x x . . . . . . . . x . . . . . .",
}

func TestPermissionTable(t *testing.T) {
	for _, role := range ansinh.Roles {
		cells := strings.Fields(wantPermissions[role])
		if len(cells) != len(ansinh.Actions) {
			t.Fatalf("%s: %d cells for %d actions", role, len(cells), len(ansinh.Actions))
		}
		for i, a := range ansinh.Actions {
			if got, want := role.Can(a), cells[i] == "x"; got != want {
				t.Errorf("%s may %s: %v, want %v", role, a, got, want)
			}
		}
	}
	if ansinh.Role("visitor").Can(ansinh.ActReveal) {
		t.Fatal("an unknown role may reveal")
	}
}
