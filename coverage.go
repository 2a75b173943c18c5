package ansinh

import (
	"math"
	"slices"
)

// Target is the default share of beneficiaries that the answering unit must reach paid
// through an account (letter 433/UBND-VX: every district; since districts were
// abolished, every commune). ANSINH_TARGET changes it.
const Target = 0.3

// UnassignedKey is where the counters keep the people of a split old commune who wait
// for an officer to choose their new commune ("cần chọn xã"). It is no unit: coverage
// adds it to the root only, so that the city's total never loses them.
const UnassignedKey = "_cho-chon-xa"

// Counts are a unit's figures. They are kept per commune as counters, moved with every
// change of a record, and summed up the unit tree; reading them never scans the
// beneficiaries. The per-programme fields make each programme's coverage complete.
type Counts struct {
	Beneficiaries   int64 `json:"beneficiaries"`
	WithAccount     int64 `json:"with_account"`
	Proxy           int64 `json:"with_account_proxy"`
	NotEligible     int64 `json:"not_eligible"` // not eligible to open an account and without one: paid directly
	NCC             int64 `json:"ncc"`
	NCCWithAccount  int64 `json:"ncc_with_account"`
	BTXH            int64 `json:"btxh"`
	BTXHWithAccount int64 `json:"btxh_with_account"`
	HTXH            int64 `json:"htxh"`
	HTXHWithAccount int64 `json:"htxh_with_account"`
	NCCProxy        int64 `json:"ncc_with_account_proxy"`
	NCCNotEligible  int64 `json:"ncc_not_eligible"`
	BTXHProxy       int64 `json:"btxh_with_account_proxy"`
	BTXHNotEligible int64 `json:"btxh_not_eligible"`
	HTXHProxy       int64 `json:"htxh_with_account_proxy"`
	HTXHNotEligible int64 `json:"htxh_not_eligible"`
	// ConfirmedByPayment: with an account into which a payment went through.
	ConfirmedByPayment int64 `json:"confirmed_by_payment"`
	// Accounts by kind (KindBank, KindWallet, KindVNeID), in total (shown as
	// accounts_by_kind) and per programme. The counters keep every kind whatever the
	// setting, so that changing which kinds a programme counts needs no recount:
	// Counted takes the others out of WithAccount.
	Bank       int64 `json:"-"`
	Wallet     int64 `json:"-"`
	VNeID      int64 `json:"-"`
	NCCBank    int64 `json:"ncc_bank"`
	NCCWallet  int64 `json:"ncc_wallet"`
	NCCVNeID   int64 `json:"ncc_vneid"`
	BTXHBank   int64 `json:"btxh_bank"`
	BTXHWallet int64 `json:"btxh_wallet"`
	BTXHVNeID  int64 `json:"btxh_vneid"`
	HTXHBank   int64 `json:"htxh_bank"`
	HTXHWallet int64 `json:"htxh_wallet"`
	HTXHVNeID  int64 `json:"htxh_vneid"`
	// PaidThisMonth: paid through an account in the payment month of the coverage
	// (Coverage.PaidMonth). Not in the counters of records: the paid counters of each
	// month hold it (store), and the coverage adds them (CoverageOptions.Paid).
	PaidThisMonth int64 `json:"paid_this_month"`
	NCCPaid       int64 `json:"ncc_paid_this_month"`
	BTXHPaid      int64 `json:"btxh_paid_this_month"`
	HTXHPaid      int64 `json:"htxh_paid_this_month"`
}

// fields lists every figure, so that arithmetic cannot forget one.
func (c *Counts) fields() []*int64 {
	return []*int64{&c.Beneficiaries, &c.WithAccount, &c.Proxy, &c.NotEligible, &c.NCC, &c.NCCWithAccount,
		&c.BTXH, &c.BTXHWithAccount, &c.HTXH, &c.HTXHWithAccount, &c.NCCProxy, &c.NCCNotEligible,
		&c.BTXHProxy, &c.BTXHNotEligible, &c.HTXHProxy, &c.HTXHNotEligible, &c.ConfirmedByPayment,
		&c.Bank, &c.Wallet, &c.VNeID, &c.NCCBank, &c.NCCWallet, &c.NCCVNeID, &c.BTXHBank, &c.BTXHWallet, &c.BTXHVNeID,
		&c.HTXHBank, &c.HTXHWallet, &c.HTXHVNeID, &c.PaidThisMonth, &c.NCCPaid, &c.BTXHPaid, &c.HTXHPaid}
}

// totals returns pointers to the figures that each programme also keeps, in the order
// of program.
func (c *Counts) totals() []*int64 {
	return []*int64{&c.Beneficiaries, &c.WithAccount, &c.Proxy, &c.NotEligible, &c.Bank, &c.Wallet, &c.VNeID, &c.PaidThisMonth}
}

// kinds are the indexes in totals and program of the accounts of each kind, in the
// order of AccountKinds.
var kinds = [...]int{4, 5, 6}

// program returns pointers to one programme's figures, in the order of totals; nil for
// an unknown programme.
func (c *Counts) program(g Group) []*int64 {
	switch g {
	case GroupNCC:
		return []*int64{&c.NCC, &c.NCCWithAccount, &c.NCCProxy, &c.NCCNotEligible, &c.NCCBank, &c.NCCWallet, &c.NCCVNeID, &c.NCCPaid}
	case GroupBTXH:
		return []*int64{&c.BTXH, &c.BTXHWithAccount, &c.BTXHProxy, &c.BTXHNotEligible, &c.BTXHBank, &c.BTXHWallet, &c.BTXHVNeID, &c.BTXHPaid}
	case GroupHTXH:
		return []*int64{&c.HTXH, &c.HTXHWithAccount, &c.HTXHProxy, &c.HTXHNotEligible, &c.HTXHBank, &c.HTXHWallet, &c.HTXHVNeID, &c.HTXHPaid}
	}
	return nil
}

// copyInto sets the programme's figures to the totals'.
func (c *Counts) copyInto(g Group) {
	if p := c.program(g); p != nil {
		for i, t := range c.totals() {
			*p[i] = *t
		}
	}
}

// Contribution is what one beneficiary adds to its commune's counts.
func Contribution(b *Beneficiary) Counts {
	c := Counts{Beneficiaries: 1}
	has := b.Account != nil
	if has {
		c.WithAccount = 1
		if b.Account.Proxy {
			c.Proxy = 1
		}
		if !b.Account.ConfirmedAt.IsZero() {
			c.ConfirmedByPayment = 1
		}
		*c.totals()[kinds[kindIndex(b.Account.Kind())]] = 1
	} else if !b.Eligible {
		c.NotEligible = 1
	}
	c.copyInto(b.Group)
	return c
}

// Paid is what one person paid through an account in a month adds to the paid counts
// of their commune.
func Paid(g Group) Counts {
	c := Counts{PaidThisMonth: 1}
	c.copyInto(g)
	return c
}

// Program returns only one programme's figures, as the totals of a Counts.
func (c Counts) Program(g Group) Counts {
	p := c.program(g)
	if p == nil {
		return Counts{}
	}
	var out Counts
	for i, t := range out.totals() {
		*t = *p[i]
	}
	out.copyInto(g)
	return out
}

// Counted returns c with only the kinds of account each programme counts in its
// with_account and in the total's (people of no programme count the default kinds).
// Apply it once, to a commune's counts. Counts without the split by kind (snapshots
// older than it) have nothing to take out and stay as they were.
func (c Counts) Counted(programs map[Group]Program) Counts {
	out := c
	var inPrograms [len(kinds)]int64
	for _, g := range Groups {
		p, counts := out.program(g), ProgramOf(programs, g)
		for i, kind := range AccountKinds {
			n := *p[kinds[i]]
			inPrograms[i] += n
			if !counts.Counts(kind) {
				*p[1] -= n
				out.WithAccount -= n
			}
		}
	}
	t := out.totals()
	for i, kind := range AccountKinds {
		if !slices.Contains(DefaultCountedKinds, kind) {
			out.WithAccount -= *t[kinds[i]] - inPrograms[i]
		}
	}
	return out
}

// ByKind is the number of accounts of each kind.
func (c Counts) ByKind() map[string]int64 {
	t := c.totals()
	out := make(map[string]int64, len(AccountKinds))
	for i, kind := range AccountKinds {
		out[kind] = *t[kinds[i]]
	}
	return out
}

// Add returns c + d.
func (c Counts) Add(d Counts) Counts {
	out := c
	of, df := out.fields(), d.fields()
	for i := range of {
		*of[i] += *df[i]
	}
	return out
}

// Sub returns c - d.
func (c Counts) Sub(d Counts) Counts {
	out := c
	of, df := out.fields(), d.fields()
	for i := range of {
		*of[i] -= *df[i]
	}
	return out
}

// IsZero reports whether nothing changes.
func (c Counts) IsZero() bool { return c == Counts{} }

// Ratio is with_account / beneficiaries, rounded to 4 decimals.
func (c Counts) Ratio() float64 { return ratio(c.WithAccount, c.Beneficiaries) }

// PaidRatio is paid_this_month / beneficiaries, rounded to 4 decimals.
func (c Counts) PaidRatio() float64 { return ratio(c.PaidThisMonth, c.Beneficiaries) }

// EligibleRatio is the share of those who may have an account that do.
func (c Counts) EligibleRatio() float64 { return ratio(c.WithAccount, c.Beneficiaries-c.NotEligible) }

// Ratio is a / b rounded to 4 decimals; 0 when b is not positive.
func Ratio(a, b int64) float64 { return ratio(a, b) }

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return math.Round(float64(a)/float64(b)*10000) / 10000
}

// Coverage is a unit's figures against the target, with its children's.
type Coverage struct {
	Unit          string      `json:"unit"`
	Name          string      `json:"name"`
	Type          string      `json:"type"`
	Counts                    // flattened
	Eligible      int64       `json:"eligible"`
	Ratio         float64     `json:"ratio"`
	EligibleRatio float64     `json:"eligible_ratio"`
	Target        float64     `json:"target"`
	MeetsTarget   bool        `json:"meets_target"`
	Program       Group       `json:"program,omitempty"` // only this programme's figures; empty: all
	Children      []*Coverage `json:"children"`
	// Unassigned (at the root only) are the people of a split old commune still waiting
	// for an officer to choose their commune; they are in the root's figures.
	Unassigned *Coverage `json:"unassigned,omitempty"`
	// AccountsByKind: every account by kind, counted toward the target or not;
	// CountedKinds: the kinds each programme counts in with_account.
	AccountsByKind map[string]int64   `json:"accounts_by_kind"`
	CountedKinds   map[Group][]string `json:"counted_kinds"`
	// PaidMonth is the payment month of paid_this_month (YYYY-MM).
	PaidMonth string `json:"paid_month"`
}

// CoverageOptions choose the target, the kinds of account each programme counts, the
// month's paid counts and, optionally, one programme.
type CoverageOptions struct {
	Target   float64           // 0: Target
	Program  Group             // empty: every programme
	Programs map[Group]Program // which kinds each counts; nil: the defaults
	// Paid are the communes' paid counts of PaidMonth (PaidThisMonth and per programme).
	Paid      map[string]Counts
	PaidMonth string
}

// countedKinds is what each programme (or only g) counts.
func countedKinds(programs map[Group]Program, g Group) map[Group][]string {
	out := map[Group][]string{}
	for _, p := range Groups {
		if g == "" || g == p {
			out[p] = ProgramOf(programs, p).Kinds()
		}
	}
	return out
}

// BuildCoverage sums the communes' counts up the tree below unit, against Target.
func BuildCoverage(units *Units, unit string, perCommune map[string]Counts) *Coverage {
	return BuildCoverageFor(units, unit, perCommune, CoverageOptions{})
}

// BuildCoverageFor sums the communes' counts up the tree below unit.
func BuildCoverageFor(units *Units, unit string, perCommune map[string]Counts, opt CoverageOptions) *Coverage {
	if opt.Target == 0 {
		opt.Target = Target
	}
	u, ok := units.Get(unit)
	if !ok {
		return nil
	}
	cov := &Coverage{Unit: u.Code, Name: u.Name, Type: u.Type, Program: opt.Program, Children: []*Coverage{},
		CountedKinds: countedKinds(opt.Programs, opt.Program), PaidMonth: opt.PaidMonth}
	commune := func(code string) Counts {
		return perCommune[code].Counted(opt.Programs).Add(opt.Paid[code])
	}
	if u.Leaf() {
		cov.Counts = commune(u.Code)
		if opt.Program != "" {
			cov.Counts = cov.Counts.Program(opt.Program)
		}
	}
	for _, child := range u.Children {
		cc := BuildCoverageFor(units, child.Code, perCommune, opt)
		cov.Counts = cov.Counts.Add(cc.Counts)
		cov.Children = append(cov.Children, cc)
	}
	if u.Parent == "" {
		if n := commune(UnassignedKey); !n.IsZero() {
			if opt.Program != "" {
				n = n.Program(opt.Program)
			}
			un := &Coverage{Unit: UnassignedKey, Name: UnassignedName, Program: opt.Program, Counts: n, Children: []*Coverage{},
				CountedKinds: cov.CountedKinds, PaidMonth: opt.PaidMonth}
			un.finish(opt.Target)
			cov.Unassigned = un
			cov.Counts = cov.Counts.Add(n)
		}
	}
	cov.finish(opt.Target)
	return cov
}

func (cov *Coverage) finish(target float64) {
	cov.Target = target
	cov.Eligible = cov.Beneficiaries - cov.NotEligible
	cov.Ratio, cov.EligibleRatio = cov.Counts.Ratio(), cov.Counts.EligibleRatio()
	cov.AccountsByKind = cov.Counts.ByKind()
	cov.MeetsTarget = cov.Beneficiaries > 0 && float64(cov.WithAccount) >= target*float64(cov.Beneficiaries)
}

// Gap is how many more people need an account to reach the target.
func (cov *Coverage) Gap() int64 {
	need := int64(math.Ceil(cov.Target*float64(cov.Beneficiaries)-1e-9)) - cov.WithAccount
	return max(0, need)
}

// ForProgram returns the same tree with only one programme's figures.
func (cov *Coverage) ForProgram(g Group) *Coverage {
	if cov == nil {
		return nil
	}
	out := &Coverage{Unit: cov.Unit, Name: cov.Name, Type: cov.Type, Counts: cov.Counts.Program(g), Program: g,
		Children: make([]*Coverage, 0, len(cov.Children)), CountedKinds: map[Group][]string{g: cov.CountedKinds[g]}, PaidMonth: cov.PaidMonth}
	for _, ch := range cov.Children {
		out.Children = append(out.Children, ch.ForProgram(g))
	}
	if cov.Unassigned != nil {
		out.Unassigned = cov.Unassigned.ForProgram(g)
	}
	out.finish(cov.Target)
	return out
}
