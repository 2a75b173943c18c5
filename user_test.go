package ansinh_test

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"

	"ansinh"
)

// goodPassword is 10 runes with Vietnamese diacritics, more than 10 bytes.
const goodPassword = "mậtkhẩuđẹp"

// validationFields returns the Fields of the *ansinh.Error in err, failing unless it is a
// validation error.
func validationFields(tb testing.TB, err error) map[string]string {
	tb.Helper()
	var e *ansinh.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %T %v, want *ansinh.Error", err, err)
	}
	if e.Code != ansinh.EINVALID {
		tb.Fatalf("code = %q, want %q", e.Code, ansinh.EINVALID)
	}
	return e.Fields
}

func TestNewUserValidate(t *testing.T) {
	units := socTrang(t)
	tests := []struct {
		name   string
		in     ansinh.NewUser
		fields map[string]string // nil: valid
	}{
		{name: "commune officer", in: ansinh.NewUser{Username: "canbo.xa5", Password: goodPassword, Role: ansinh.RoleCommune, Unit: "31498"}},
		{name: "shortest username", in: ansinh.NewUser{Username: "abc", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}},
		{name: "longest username", in: ansinh.NewUser{Username: strings.Repeat("a", 32), Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}},
		{name: "username with dot dash underscore digits", in: ansinh.NewUser{Username: "0a.b_c-d", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}},
		{name: "ascii password of 10", in: ansinh.NewUser{Username: "admin", Password: "0123456789", Role: ansinh.RoleAdmin, Unit: "94"}},
		{name: "password of 128 runes", in: ansinh.NewUser{Username: "admin", Password: strings.Repeat("ệ", 128), Role: ansinh.RoleAdmin, Unit: "94"}},

		{name: "username too short", in: ansinh.NewUser{Username: "ab", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"username": ansinh.MsgUsernameRule}},
		{name: "username too long", in: ansinh.NewUser{Username: strings.Repeat("a", 33), Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"username": ansinh.MsgUsernameRule}},
		{name: "username empty", in: ansinh.NewUser{Username: "  ", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"username": ansinh.MsgUsernameRule}},
		{name: "username starts with a dot", in: ansinh.NewUser{Username: ".admin", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"username": ansinh.MsgUsernameRule}},
		{name: "username with diacritics", in: ansinh.NewUser{Username: "nguyễn", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"username": ansinh.MsgUsernameRule}},
		{name: "username with inner space", in: ansinh.NewUser{Username: "can bo", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"username": ansinh.MsgUsernameRule}},
		{name: "username with at sign", in: ansinh.NewUser{Username: "a@b.vn", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"username": ansinh.MsgUsernameRule}},

		{name: "password of 9 runes", in: ansinh.NewUser{Username: "admin", Password: "012345678", Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"password": ansinh.MsgPasswordRule}},
		// Rune counting: 9 Vietnamese runes take well over 10 bytes and must still be refused.
		{name: "password of 9 Vietnamese runes", in: ansinh.NewUser{Username: "admin", Password: "mậtkhẩuđẹ", Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"password": ansinh.MsgPasswordRule}},
		{name: "password of 129 runes", in: ansinh.NewUser{Username: "admin", Password: strings.Repeat("a", 129), Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"password": ansinh.MsgPasswordRule}},
		{name: "empty password", in: ansinh.NewUser{Username: "admin", Role: ansinh.RoleAdmin, Unit: "94"}, fields: map[string]string{"password": ansinh.MsgPasswordRule}},

		{name: "unknown role", in: ansinh.NewUser{Username: "admin", Password: goodPassword, Role: "superuser", Unit: "94"}, fields: map[string]string{"role": ansinh.MsgUnknownRole}},
		{name: "role is case sensitive", in: ansinh.NewUser{Username: "admin", Password: goodPassword, Role: "Admin", Unit: "94"}, fields: map[string]string{"role": ansinh.MsgUnknownRole}},
		{name: "empty role", in: ansinh.NewUser{Username: "admin", Password: goodPassword, Unit: "94"}, fields: map[string]string{"role": ansinh.MsgUnknownRole}},
		{name: "unknown unit", in: ansinh.NewUser{Username: "admin", Password: goodPassword, Role: ansinh.RoleAdmin, Unit: "99999"}, fields: map[string]string{"unit": ansinh.MsgUnknownUnit}},
		{name: "empty unit", in: ansinh.NewUser{Username: "admin", Password: goodPassword, Role: ansinh.RoleAdmin}, fields: map[string]string{"unit": ansinh.MsgUnknownUnit}},
		{name: "unknown role and unknown unit", in: ansinh.NewUser{Username: "admin", Password: goodPassword, Role: "boss", Unit: "x"}, fields: map[string]string{"role": ansinh.MsgUnknownRole, "unit": ansinh.MsgUnknownUnit}},
		{
			name:   "every field wrong at once",
			in:     ansinh.NewUser{Username: "!", Password: "short", Role: "boss", Unit: "x"},
			fields: map[string]string{"username": ansinh.MsgUsernameRule, "password": ansinh.MsgPasswordRule, "role": ansinh.MsgUnknownRole, "unit": ansinh.MsgUnknownUnit},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.in
			err := n.Validate(units)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate(%+v): %v", tc.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%+v): no error, want fields %v", tc.in, tc.fields)
			}
			if got := validationFields(t, err); !maps.Equal(got, tc.fields) {
				t.Errorf("Fields = %v, want %v", got, tc.fields)
			}
			if ansinh.ErrorMessage(err) != ansinh.MsgInvalidInput {
				t.Errorf("message = %q, want %q", ansinh.ErrorMessage(err), ansinh.MsgInvalidInput)
			}
		})
	}
}

func TestNewUserValidateNormalizes(t *testing.T) {
	units := socTrang(t)
	tests := []struct {
		name               string
		username, unit     string
		wantUser, wantUnit string
	}{
		{name: "upper case", username: "CanBo.Xa5", unit: "31498", wantUser: "canbo.xa5", wantUnit: "31498"},
		{name: "surrounding spaces", username: "  canbo  ", unit: " 31498\t", wantUser: "canbo", wantUnit: "31498"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := ansinh.NewUser{Username: tc.username, Password: goodPassword, Role: ansinh.RoleCommune, Unit: tc.unit}
			if err := n.Validate(units); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if n.Username != tc.wantUser || n.Unit != tc.wantUnit {
				t.Errorf("after Validate: Username=%q Unit=%q, want %q %q", n.Username, n.Unit, tc.wantUser, tc.wantUnit)
			}
		})
	}
}

func TestNewUserValidateRoleFitsUnit(t *testing.T) {
	soc, two := socTrang(t), twoTier(t)
	tests := []struct {
		name  string
		units *ansinh.Units
		role  ansinh.Role
		unit  string
		fits  bool
	}{
		{name: "admin on root", units: soc, role: ansinh.RoleAdmin, unit: "94", fits: true},
		{name: "admin on district", units: soc, role: ansinh.RoleAdmin, unit: "941", fits: false},
		{name: "admin on commune", units: soc, role: ansinh.RoleAdmin, unit: "31498", fits: false},
		{name: "province on root", units: soc, role: ansinh.RoleProvince, unit: "94", fits: true},
		{name: "province on district", units: soc, role: ansinh.RoleProvince, unit: "941", fits: false},
		{name: "province on commune", units: soc, role: ansinh.RoleProvince, unit: "31498", fits: false},
		{name: "district on root", units: soc, role: ansinh.RoleDistrict, unit: "94", fits: false},
		{name: "district on district", units: soc, role: ansinh.RoleDistrict, unit: "941", fits: true},
		{name: "district on commune", units: soc, role: ansinh.RoleDistrict, unit: "31498", fits: false},
		{name: "commune on root", units: soc, role: ansinh.RoleCommune, unit: "94", fits: false},
		{name: "commune on district", units: soc, role: ansinh.RoleCommune, unit: "941", fits: false},
		{name: "commune on commune", units: soc, role: ansinh.RoleCommune, unit: "31498", fits: true},
		{name: "police on root", units: soc, role: ansinh.RolePolice, unit: "94", fits: true},
		{name: "police on district", units: soc, role: ansinh.RolePolice, unit: "942", fits: true},
		{name: "police on commune", units: soc, role: ansinh.RolePolice, unit: "31498", fits: false},

		{name: "two-tier admin on root", units: two, role: ansinh.RoleAdmin, unit: "92", fits: true},
		{name: "two-tier province on root", units: two, role: ansinh.RoleProvince, unit: "92", fits: true},
		{name: "two-tier district on root", units: two, role: ansinh.RoleDistrict, unit: "92", fits: false},
		{name: "two-tier district on commune", units: two, role: ansinh.RoleDistrict, unit: "31153", fits: false},
		{name: "two-tier commune on commune", units: two, role: ansinh.RoleCommune, unit: "31498", fits: true},
		{name: "two-tier commune on root", units: two, role: ansinh.RoleCommune, unit: "92", fits: false},
		{name: "two-tier police on root", units: two, role: ansinh.RolePolice, unit: "92", fits: true},
		{name: "two-tier police on commune", units: two, role: ansinh.RolePolice, unit: "31600", fits: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := ansinh.NewUser{Username: "canbo", Password: goodPassword, Role: tc.role, Unit: tc.unit}
			err := n.Validate(tc.units)
			if tc.fits {
				if err != nil {
					t.Fatalf("Validate(%s on %s): %v", tc.role, tc.unit, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%s on %s): no error, want a role-unit mismatch", tc.role, tc.unit)
			}
			want := map[string]string{"unit": ansinh.MsgRoleUnitMismatch}
			if got := validationFields(t, err); !maps.Equal(got, want) {
				t.Errorf("Fields = %v, want %v", got, want)
			}
		})
	}

	// After the 2025 reform there is no district level, so a district role fits nowhere.
	t.Run("two-tier district fits nowhere", func(t *testing.T) {
		for _, code := range two.Subtree("92") {
			n := ansinh.NewUser{Username: "canbo", Password: goodPassword, Role: ansinh.RoleDistrict, Unit: code}
			if err := n.Validate(two); err == nil {
				t.Errorf("district role accepted on %s", code)
			}
		}
	})
}

func TestAuthorizeCreate(t *testing.T) {
	units := socTrang(t)
	tests := []struct {
		name              string
		creatorRole       ansinh.Role
		creatorUnit       string
		newRole           ansinh.Role
		newUnit           string
		wantCode, wantMsg string // wantCode "" means allowed
	}{
		{name: "admin creates admin", creatorRole: ansinh.RoleAdmin, creatorUnit: "94", newRole: ansinh.RoleAdmin, newUnit: "94"},
		{name: "admin creates province", creatorRole: ansinh.RoleAdmin, creatorUnit: "94", newRole: ansinh.RoleProvince, newUnit: "94"},
		{name: "admin creates district", creatorRole: ansinh.RoleAdmin, creatorUnit: "94", newRole: ansinh.RoleDistrict, newUnit: "945"},
		{name: "admin creates commune", creatorRole: ansinh.RoleAdmin, creatorUnit: "94", newRole: ansinh.RoleCommune, newUnit: "31569"},
		{name: "admin creates police", creatorRole: ansinh.RoleAdmin, creatorUnit: "94", newRole: ansinh.RolePolice, newUnit: "94"},

		{name: "province creates admin", creatorRole: ansinh.RoleProvince, creatorUnit: "94", newRole: ansinh.RoleAdmin, newUnit: "94", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgRoleAboveOwn},
		{name: "province creates province", creatorRole: ansinh.RoleProvince, creatorUnit: "94", newRole: ansinh.RoleProvince, newUnit: "94"},
		{name: "province creates district", creatorRole: ansinh.RoleProvince, creatorUnit: "94", newRole: ansinh.RoleDistrict, newUnit: "941"},
		{name: "province creates commune", creatorRole: ansinh.RoleProvince, creatorUnit: "94", newRole: ansinh.RoleCommune, newUnit: "31498"},
		{name: "province creates police on district", creatorRole: ansinh.RoleProvince, creatorUnit: "94", newRole: ansinh.RolePolice, newUnit: "942"},

		{name: "district creates admin", creatorRole: ansinh.RoleDistrict, creatorUnit: "941", newRole: ansinh.RoleAdmin, newUnit: "94", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgRoleAboveOwn},
		{name: "district creates province", creatorRole: ansinh.RoleDistrict, creatorUnit: "941", newRole: ansinh.RoleProvince, newUnit: "94", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgRoleAboveOwn},
		{name: "district creates commune of own district", creatorRole: ansinh.RoleDistrict, creatorUnit: "941", newRole: ansinh.RoleCommune, newUnit: "31498"},
		{name: "district creates commune of another district", creatorRole: ansinh.RoleDistrict, creatorUnit: "941", newRole: ansinh.RoleCommune, newUnit: "31569", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgUnitOutOfScope},
		{name: "district creates colleague in own district", creatorRole: ansinh.RoleDistrict, creatorUnit: "941", newRole: ansinh.RoleDistrict, newUnit: "941"},
		{name: "district creates district elsewhere", creatorRole: ansinh.RoleDistrict, creatorUnit: "941", newRole: ansinh.RoleDistrict, newUnit: "942", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgUnitOutOfScope},
		{name: "district creates police in own district", creatorRole: ansinh.RoleDistrict, creatorUnit: "941", newRole: ansinh.RolePolice, newUnit: "941"},
		{name: "district creates police on root", creatorRole: ansinh.RoleDistrict, creatorUnit: "941", newRole: ansinh.RolePolice, newUnit: "94", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgUnitOutOfScope},

		{name: "commune creates commune", creatorRole: ansinh.RoleCommune, creatorUnit: "31498", newRole: ansinh.RoleCommune, newUnit: "31498", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgCannotCreate},
		{name: "commune creates police", creatorRole: ansinh.RoleCommune, creatorUnit: "31498", newRole: ansinh.RolePolice, newUnit: "941", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgCannotCreate},
		{name: "police on root creates commune", creatorRole: ansinh.RolePolice, creatorUnit: "94", newRole: ansinh.RoleCommune, newUnit: "31498", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgCannotCreate},
		{name: "police creates police", creatorRole: ansinh.RolePolice, creatorUnit: "941", newRole: ansinh.RolePolice, newUnit: "941", wantCode: ansinh.EFORBIDDEN, wantMsg: ansinh.MsgCannotCreate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			creator := &ansinh.User{Username: "creator", Role: tc.creatorRole, Unit: tc.creatorUnit}
			n := &ansinh.NewUser{Username: "moi", Password: goodPassword, Role: tc.newRole, Unit: tc.newUnit}
			// AuthorizeCreate expects a validated request; make sure each case is one.
			if err := n.Validate(units); err != nil {
				t.Fatalf("case is not a valid request: %v", err)
			}
			err := ansinh.AuthorizeCreate(creator, n, units)
			if got := ansinh.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("ErrorCode = %q (err %v), want %q", got, err, tc.wantCode)
			}
			if tc.wantMsg != "" && ansinh.ErrorMessage(err) != tc.wantMsg {
				t.Errorf("message = %q, want %q", ansinh.ErrorMessage(err), tc.wantMsg)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	if len(ansinh.Roles) != 5 {
		t.Errorf("len(Roles) = %d, want 5", len(ansinh.Roles))
	}
	labels := map[string]ansinh.Role{}
	for _, r := range ansinh.Roles {
		t.Run(string(r), func(t *testing.T) {
			if !r.Valid() {
				t.Errorf("%q.Valid() = false", r)
			}
			l := r.Label()
			if l == "" || l == string(r) || !utf8.ValidString(l) {
				t.Fatalf("Label() = %q, want a Vietnamese name", l)
			}
			// Vietnamese labels carry diacritics; a plain-ASCII label is an English leftover.
			if !strings.ContainsFunc(l, func(c rune) bool { return c >= utf8.RuneSelf }) {
				t.Errorf("Label() = %q has no Vietnamese letters", l)
			}
			if other, dup := labels[l]; dup {
				t.Errorf("Label() = %q, same as %q", l, other)
			}
			labels[l] = r
		})
	}
	tests := []struct {
		name        string
		role, other ansinh.Role
		above       bool
	}{
		{name: "admin above province", role: ansinh.RoleAdmin, other: ansinh.RoleProvince, above: true},
		{name: "province above district", role: ansinh.RoleProvince, other: ansinh.RoleDistrict, above: true},
		{name: "district above commune", role: ansinh.RoleDistrict, other: ansinh.RoleCommune, above: true},
		{name: "district above police", role: ansinh.RoleDistrict, other: ansinh.RolePolice, above: true},
		{name: "police not above commune", role: ansinh.RolePolice, other: ansinh.RoleCommune, above: false},
		{name: "commune not above police", role: ansinh.RoleCommune, other: ansinh.RolePolice, above: false},
		{name: "not above itself", role: ansinh.RoleDistrict, other: ansinh.RoleDistrict, above: false},
		{name: "unknown role is not valid", role: "boss", other: ansinh.RoleCommune, above: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.role.Above(tc.other); got != tc.above {
				t.Errorf("%q.Above(%q) = %v, want %v", tc.role, tc.other, got, tc.above)
			}
		})
	}
	if ansinh.Role("boss").Valid() {
		t.Error(`Role("boss").Valid() = true`)
	}
}
