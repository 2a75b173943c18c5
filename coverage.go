package ansinh

import "math"

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
}

// fields lists every figure, so that arithmetic cannot forget one.
func (c *Counts) fields() []*int64 {
	return []*int64{&c.Beneficiaries, &c.WithAccount, &c.Proxy, &c.NotEligible, &c.NCC, &c.NCCWithAccount,
		&c.BTXH, &c.BTXHWithAccount, &c.HTXH, &c.HTXHWithAccount, &c.NCCProxy, &c.NCCNotEligible,
		&c.BTXHProxy, &c.BTXHNotEligible, &c.HTXHProxy, &c.HTXHNotEligible, &c.ConfirmedByPayment}
}

// program returns pointers to one programme's beneficiaries, with account, proxy and
// not eligible; nil for an unknown programme.
func (c *Counts) program(g Group) []*int64 {
	switch g {
	case GroupNCC:
		return []*int64{&c.NCC, &c.NCCWithAccount, &c.NCCProxy, &c.NCCNotEligible}
	case GroupBTXH:
		return []*int64{&c.BTXH, &c.BTXHWithAccount, &c.BTXHProxy, &c.BTXHNotEligible}
	case GroupHTXH:
		return []*int64{&c.HTXH, &c.HTXHWithAccount, &c.HTXHProxy, &c.HTXHNotEligible}
	}
	return nil
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
	} else if !b.Eligible {
		c.NotEligible = 1
	}
	if p := c.program(b.Group); p != nil {
		*p[0], *p[1], *p[2], *p[3] = c.Beneficiaries, c.WithAccount, c.Proxy, c.NotEligible
	}
	return c
}

// Program returns only one programme's figures, as the totals of a Counts.
func (c Counts) Program(g Group) Counts {
	p := c.program(g)
	if p == nil {
		return Counts{}
	}
	out := Counts{Beneficiaries: *p[0], WithAccount: *p[1], Proxy: *p[2], NotEligible: *p[3]}
	if q := out.program(g); q != nil {
		*q[0], *q[1], *q[2], *q[3] = *p[0], *p[1], *p[2], *p[3]
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

// EligibleRatio is the share of those who may have an account that do.
func (c Counts) EligibleRatio() float64 { return ratio(c.WithAccount, c.Beneficiaries-c.NotEligible) }

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
}

// CoverageOptions choose the target and, optionally, one programme.
type CoverageOptions struct {
	Target  float64 // 0: Target
	Program Group   // empty: every programme
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
	cov := &Coverage{Unit: u.Code, Name: u.Name, Type: u.Type, Program: opt.Program, Children: []*Coverage{}}
	if u.Leaf() {
		cov.Counts = perCommune[u.Code]
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
		if n, ok := perCommune[UnassignedKey]; ok && !n.IsZero() {
			if opt.Program != "" {
				n = n.Program(opt.Program)
			}
			un := &Coverage{Unit: UnassignedKey, Name: UnassignedName, Program: opt.Program, Counts: n, Children: []*Coverage{}}
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
		Children: make([]*Coverage, 0, len(cov.Children))}
	for _, ch := range cov.Children {
		out.Children = append(out.Children, ch.ForProgram(g))
	}
	if cov.Unassigned != nil {
		out.Unassigned = cov.Unassigned.ForProgram(g)
	}
	out.finish(cov.Target)
	return out
}
