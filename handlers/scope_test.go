package handlers_test

import (
	"testing"

	"ansinh"
)

// The staff of one unit: the province, district 941 (TP Sóc Trăng) with its commune
// 31498 (Phường 5), and district 942 (Châu Thành) with its commune 31569.
func staffEnv(t *testing.T) *env {
	e := newEnv(t)
	e.addUser("admin", ansinh.RoleAdmin, "94")
	e.addUser("so.ldtbxh", ansinh.RoleProvince, "94")
	e.addUser("ca.tinh", ansinh.RolePolice, "94")
	e.addUser("huyen941", ansinh.RoleDistrict, "941")
	e.addUser("huyen942", ansinh.RoleDistrict, "942")
	e.addUser("xa31498", ansinh.RoleCommune, "31498")
	e.addUser("xa31569", ansinh.RoleCommune, "31569")
	return e
}

func TestCreateUserScope(t *testing.T) {
	e := staffEnv(t)
	tests := []struct {
		name    string
		creator string
		role    ansinh.Role
		unit    string
		status  int
	}{
		{"admin creates a province officer", "admin", ansinh.RoleProvince, "94", 201},
		{"admin creates another admin", "admin", ansinh.RoleAdmin, "94", 201},
		{"province creates a district officer", "so.ldtbxh", ansinh.RoleDistrict, "942", 201},
		{"province creates a police liaison", "so.ldtbxh", ansinh.RolePolice, "941", 201},
		{"province cannot create an admin", "so.ldtbxh", ansinh.RoleAdmin, "94", 403},
		{"district creates a commune officer of its commune", "huyen941", ansinh.RoleCommune, "31498", 201},
		{"district creates a colleague in its district", "huyen941", ansinh.RoleDistrict, "941", 201},
		{"district cannot reach another district's commune", "huyen941", ansinh.RoleCommune, "31569", 403},
		{"district cannot reach another district", "huyen941", ansinh.RoleDistrict, "942", 403},
		{"district cannot create a province officer", "huyen941", ansinh.RoleProvince, "94", 403},
		{"commune creates nobody, even in its commune", "xa31498", ansinh.RoleCommune, "31498", 403},
		{"police creates nobody", "ca.tinh", ansinh.RolePolice, "94", 403},
		{"role that does not fit the unit", "admin", ansinh.RoleCommune, "941", 422},
	}
	tokens := map[string]string{}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tokens[tc.creator] == "" {
				tokens[tc.creator] = e.login(tc.creator)
			}
			before := e.userCount()
			body := map[string]string{"username": "new" + string(rune('a'+i)), "password": "mat-khau-du-dai", "role": string(tc.role), "unit": tc.unit}
			r := e.do("POST", "/api/v1/users", tokens[tc.creator], body)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			want := before
			if tc.status == 201 {
				want++
			} else {
				r.errorCode()
			}
			if got := e.userCount(); got != want {
				t.Fatalf("users %d → %d, want %d", before, got, want)
			}
		})
	}
	r := e.do("POST", "/api/v1/users", e.login("admin"), map[string]string{"username": "so.ldtbxh", "password": "mat-khau-du-dai", "role": "province", "unit": "94"})
	if r.StatusCode != 409 || r.errorCode() != ansinh.ECONFLICT {
		t.Fatalf("taken username: %d %s", r.StatusCode, r.body)
	}
}

func TestUnitTreeAndUserListAreScoped(t *testing.T) {
	e := staffEnv(t)
	type unitNode struct {
		Code     string
		Name     string
		Type     string
		Children []unitNode
	}
	var count func(unitNode) int
	count = func(u unitNode) int {
		n := 1
		for _, c := range u.Children {
			n += count(c)
		}
		return n
	}
	tests := []struct {
		user      string
		root      string
		units     int
		usernames []string
	}{
		{"so.ldtbxh", "94", 121, []string{"admin", "ca.tinh", "huyen941", "huyen942", "so.ldtbxh", "xa31498", "xa31569"}},
		{"huyen941", "941", 11, []string{"huyen941", "xa31498"}},
		{"xa31498", "31498", 1, []string{"xa31498"}},
		{"xa31569", "31569", 1, []string{"xa31569"}},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			token := e.login(tc.user)
			var tree unitNode
			e.do("GET", "/api/v1/units", token, nil).decode(&tree)
			if tree.Code != tc.root || count(tree) != tc.units || tree.Name == "" || tree.Type == "" {
				t.Fatalf("tree root %s with %d units, want %s with %d", tree.Code, count(tree), tc.root, tc.units)
			}
			var list struct {
				Items []struct{ Username string }
				Total int
			}
			e.do("GET", "/api/v1/users", token, nil).decode(&list)
			var got []string
			for _, it := range list.Items {
				got = append(got, it.Username)
			}
			if list.Total != len(tc.usernames) || len(got) != len(tc.usernames) {
				t.Fatalf("users %v, want %v", got, tc.usernames)
			}
			for i := range got {
				if got[i] != tc.usernames[i] {
					t.Fatalf("users %v, want %v", got, tc.usernames)
				}
			}
		})
	}
}
