package ansinh

import (
	"fmt"
	"slices"
	"strings"
)

// KindVNeID is a bank account the person linked to their CCCD in the VNeID app for
// social payments (the "social-security account", SPEC §1a). It is a bank account, told
// apart because whether it counts toward the target is a setting of its own.
const KindVNeID = "vneid"

// AccountKinds are the kinds of payment account, in the order reports show them.
var AccountKinds = []string{KindBank, KindWallet, KindVNeID}

// DefaultCountedKinds are the kinds a programme counts toward the target unless its
// setting says otherwise: bank accounts and VNeID-linked ones (issue 14).
var DefaultCountedKinds = []string{KindBank, KindVNeID}

// Kind is the account's kind: an e-wallet or Mobile Money provider's BIN makes it a
// wallet; otherwise a bank account, linked in VNeID or not. VNeID links bank accounts
// only, so a wallet marked as linked stays a wallet.
func (a *Account) Kind() string {
	if b, ok := BankByBIN(a.BankBIN); ok && b.Kind == KindWallet {
		return KindWallet
	}
	if a.VNeID {
		return KindVNeID
	}
	return KindBank
}

// kindIndex is the position of kind in AccountKinds (bank for an unknown one).
func kindIndex(kind string) int {
	if i := slices.Index(AccountKinds, kind); i >= 0 {
		return i
	}
	return 0
}

// Kinds are the kinds of account the programme counts toward the target.
func (p Program) Kinds() []string {
	if len(p.CountedKinds) == 0 {
		return DefaultCountedKinds
	}
	return p.CountedKinds
}

// Counts reports whether the programme counts accounts of kind toward the target.
func (p Program) Counts(kind string) bool { return slices.Contains(p.Kinds(), kind) }

// ParseCountedKinds reads a setting's comma list of kinds ("bank,wallet,vneid"): each
// known, none twice, at least one; returned in the order of AccountKinds.
func ParseCountedKinds(s string) ([]string, error) {
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		k := strings.ToLower(strings.TrimSpace(part))
		if !slices.Contains(AccountKinds, k) {
			return nil, fmt.Errorf("unknown kind %q: use a comma list of %s", part, strings.Join(AccountKinds, ", "))
		}
		if seen[k] {
			return nil, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
	}
	var out []string
	for _, k := range AccountKinds {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// KindCount is the number of accounts of one kind, and whether the coverage's
// programmes count that kind toward the target: all of them (Counted), or only some
// (Partly).
type KindCount struct {
	Kind, Label     string
	N               int64
	Counted, Partly bool
}

// KindCounts are the coverage's accounts by kind, in the order of AccountKinds.
func (cov *Coverage) KindCounts() []KindCount {
	out := make([]KindCount, 0, len(AccountKinds))
	for _, k := range AccountKinds {
		n := 0
		for _, kinds := range cov.CountedKinds {
			if slices.Contains(kinds, k) {
				n++
			}
		}
		out = append(out, KindCount{Kind: k, Label: KindLabel(k), N: cov.AccountsByKind[k],
			Counted: n > 0 && n == len(cov.CountedKinds), Partly: n > 0 && n < len(cov.CountedKinds)})
	}
	return out
}

// CountedLabel says which kinds of account count toward the target: for one
// programme's coverage its kinds ("tài khoản ngân hàng, tài khoản liên kết VNeID"),
// for several each programme's.
func (cov *Coverage) CountedLabel() string {
	label := func(kinds []string) string {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = KindLabel(k)
		}
		return strings.Join(names, ", ")
	}
	if len(cov.CountedKinds) == 1 {
		for _, kinds := range cov.CountedKinds {
			return label(kinds)
		}
	}
	var parts []string
	for _, g := range Groups {
		if kinds, ok := cov.CountedKinds[g]; ok {
			parts = append(parts, g.Label()+": "+label(kinds))
		}
	}
	return strings.Join(parts, "; ")
}
