package ansinh

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Role is what a staff user may do. Each user also belongs to one unit and sees only
// that unit's subtree.
type Role string

const (
	RoleAdmin    Role = "admin"
	RoleProvince Role = "province"
	RoleDistrict Role = "district"
	RoleCommune  Role = "commune"
	RolePolice   Role = "police"
)

// Roles lists every role, highest first.
var Roles = []Role{RoleAdmin, RoleProvince, RoleDistrict, RoleCommune, RolePolice}

// rank orders roles for "nobody creates a role above their own". The police liaison
// confirms identities and manages nobody, so it ranks with the commune officer.
var rank = map[Role]int{RoleAdmin: 4, RoleProvince: 3, RoleDistrict: 2, RoleCommune: 1, RolePolice: 1}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := rank[r]; return ok }

// Above reports whether r ranks strictly higher than other.
func (r Role) Above(other Role) bool { return rank[r] > rank[other] }

// CanCreateUsers reports whether the role may create staff accounts at all.
func (r Role) CanCreateUsers() bool { return r.Can(ActCreateUsers) }

// fitsUnit reports whether a user of role r may belong to unit u: province-wide roles
// sit on the root, commune officers on a leaf, district officers in between, and the
// police liaison on the province or a district.
func (r Role) fitsUnit(u *Unit) bool {
	root := u.Parent == ""
	switch r {
	case RoleAdmin, RoleProvince:
		return root
	case RoleDistrict:
		return !root && !u.Leaf()
	case RoleCommune:
		return !root && u.Leaf()
	case RolePolice:
		return !u.Leaf()
	}
	return false
}

// User is a staff account.
type User struct {
	Username     string `json:"username"`
	Role         Role   `json:"role"`
	Unit         string `json:"unit"`
	PasswordHash string `json:"-"`
	Disabled     bool   `json:"disabled"`
	// DisabledReason is the Vietnamese sentence shown at login when the account was
	// locked for a stated reason (a unit dissolved by a change of unit set); empty: none.
	DisabledReason string    `json:"disabled_reason,omitempty"`
	Phone          string    `json:"phone,omitempty"` // shown to beneficiaries who ask for an officer
	CreatedAt      time.Time `json:"created_at"`
	CreatedBy      string    `json:"created_by"`
	// MustChangePassword: the password is a one-time one (printed at first start, by
	// the demo, or set by a reset); until it is changed the user may do nothing else.
	MustChangePassword bool      `json:"must_change_password"`
	PasswordChangedAt  time.Time `json:"password_changed_at,omitzero"`
}

// Sees reports whether the user's scope contains the unit.
func (u *User) Sees(units *Units, code string) bool { return units.Within(code, u.Unit) }

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

// NormalizeUsername lower-cases and trims a username as typed.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NewUser is a request to create a staff account.
type NewUser struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     Role   `json:"role"`
	Unit     string `json:"unit"`
	Phone    string `json:"phone,omitempty"`
	// MustChangePassword makes Password a one-time password the user changes at
	// first login.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

// Validate checks the request on its own, field by field.
func (n *NewUser) Validate(units *Units) error {
	fields := map[string]string{}
	n.Username = NormalizeUsername(n.Username)
	n.Unit = strings.TrimSpace(n.Unit)
	if !usernameRE.MatchString(n.Username) {
		fields["username"] = MsgUsernameRule
	}
	if l := len([]rune(n.Password)); l < 10 || l > 128 {
		fields["password"] = MsgPasswordRule
	}
	if !n.Role.Valid() {
		fields["role"] = MsgUnknownRole
	}
	if n.Phone = NormalizePhone(n.Phone); n.Phone != "" && !ValidPhone(n.Phone) {
		fields["phone"] = MsgPhoneInvalid
	}
	u, ok := units.Get(n.Unit)
	if !ok {
		fields["unit"] = MsgUnknownUnit
	} else if n.Role.Valid() && !n.Role.fitsUnit(u) {
		fields["unit"] = MsgRoleUnitMismatch
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, Message: MsgInvalidInput, Fields: fields}
	}
	return nil
}

// AuthorizeCreate checks that creator may create the (already validated) account:
// inside their own subtree, with a role no higher than their own.
func AuthorizeCreate(creator *User, n *NewUser, units *Units) error {
	switch {
	case !creator.Role.CanCreateUsers():
		return Errorf(EFORBIDDEN, MsgCannotCreate)
	case n.Role.Above(creator.Role):
		return Errorf(EFORBIDDEN, MsgRoleAboveOwn)
	case !creator.Sees(units, n.Unit):
		return Errorf(EFORBIDDEN, MsgUnitOutOfScope)
	}
	return nil
}

// UserCreator stores new users.
type UserCreator interface {
	CreateUser(ctx context.Context, u *User) error
}

// CreateUser hashes the password and stores a validated request; a taken username is a
// conflict on the username field.
func CreateUser(ctx context.Context, s UserCreator, n *NewUser, createdBy string, now time.Time) (*User, error) {
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Username: n.Username, Role: n.Role, Unit: n.Unit, Phone: n.Phone, PasswordHash: hash, CreatedAt: now, CreatedBy: createdBy,
		MustChangePassword: n.MustChangePassword}
	if err := s.CreateUser(ctx, u); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return nil, &Error{Code: ECONFLICT, Message: MsgUsernameTaken, Fields: map[string]string{"username": MsgUsernameTaken}}
		}
		return nil, err
	}
	return u, nil
}
