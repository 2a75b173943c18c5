package ansinh

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// AuthorizeManage checks that manager may disable, re-enable or reset the password of
// target: a user of their unit's subtree (any user for the root's officers, also one
// whose unit a change of unit set removed), never themselves, and of a role below
// their own — except the admin, who may manage another admin. A user outside the
// scope is not found, so that nobody learns who works elsewhere.
func AuthorizeManage(manager, target *User, units *Units) error {
	switch {
	case !manager.Role.Can(ActManageUsers):
		return Errorf(EFORBIDDEN, MsgCannotManage)
	case manager.Unit != units.Root.Code && !manager.Sees(units, target.Unit):
		return Errorf(ENOTFOUND, MsgUserNotFound)
	case manager.Username == target.Username:
		return Errorf(EFORBIDDEN, MsgManageSelf)
	case manager.Role != RoleAdmin && !manager.Role.Above(target.Role):
		return Errorf(EFORBIDDEN, MsgManageRank)
	}
	return nil
}

// PasswordChange is a user's request to change their own password.
type PasswordChange struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// ValidateNew checks the new password on its own: the length rule, not the current
// one again, not the username.
func (p *PasswordChange) ValidateNew(username string) error {
	fields := map[string]string{}
	if p.Current == "" {
		fields["current"] = MsgRequired
	}
	switch l := len([]rune(p.New)); {
	case l < 10 || l > 128:
		fields["new"] = MsgPasswordRule
	case p.New == p.Current:
		fields["new"] = MsgPasswordSame
	case strings.Contains(strings.ToLower(p.New), username):
		fields["new"] = MsgPasswordUsername
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, Message: MsgInvalidInput, Fields: fields}
	}
	return nil
}

// oneTimeAlphabet leaves out letters read alike (0/o, 1/l/i): the password is read out
// or copied by hand.
const oneTimeAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// OneTimePassword returns a fresh random password of three groups of four characters
// (about 59 bits), for the user to change at first login.
func OneTimePassword() string {
	var b strings.Builder
	max := big.NewInt(int64(len(oneTimeAlphabet)))
	for i := range 12 {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b.WriteByte(oneTimeAlphabet[n.Int64()])
	}
	return b.String()
}
