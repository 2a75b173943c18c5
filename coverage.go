package ansinh

import "math"

// Target is the share of beneficiaries every district must reach paid through an
// account (letter 433/UBND-VX).
const Target = 0.3

// Counts are a unit's figures. They are kept per commune as counters, moved with every
// change of a record, and summed up the unit tree; reading them never scans the
// beneficiaries.
type Counts struct {
	Beneficiaries   int64 `json:"beneficiaries"`
	WithAccount     int64 `json:"with_account"`
	Proxy           int64 `json:"with_account_proxy"`
	NotEligible     int64 `json:"not_eligible"` // not eligible to open an account and without one: paid directly
	NCC             int64 `json:"ncc"`
	NCCWithAccount  int64 `json:"ncc_with_account"`
	BTXH            int64 `json:"btxh"`
	BTXHWithAccount int64 `json:"btxh_with_account"`
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
	} else if !b.Eligible {
		c.NotEligible = 1
	}
	switch b.Group {
	case GroupNCC:
		c.NCC = 1
		if has {
			c.NCCWithAccount = 1
		}
	case GroupBTXH:
		c.BTXH = 1
		if has {
			c.BTXHWithAccount = 1
		}
	}
	return c
}

// Add returns c + d.
func (c Counts) Add(d Counts) Counts {
	return Counts{c.Beneficiaries + d.Beneficiaries, c.WithAccount + d.WithAccount, c.Proxy + d.Proxy,
		c.NotEligible + d.NotEligible, c.NCC + d.NCC, c.NCCWithAccount + d.NCCWithAccount, c.BTXH + d.BTXH,
		c.BTXHWithAccount + d.BTXHWithAccount}
}

// Sub returns c - d.
func (c Counts) Sub(d Counts) Counts {
	return c.Add(Counts{-d.Beneficiaries, -d.WithAccount, -d.Proxy, -d.NotEligible, -d.NCC, -d.NCCWithAccount, -d.BTXH, -d.BTXHWithAccount})
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
	Children      []*Coverage `json:"children"`
}

// BuildCoverage sums the communes' counts up the tree below unit.
func BuildCoverage(units *Units, unit string, perCommune map[string]Counts) *Coverage {
	u, ok := units.Get(unit)
	if !ok {
		return nil
	}
	cov := &Coverage{Unit: u.Code, Name: u.Name, Type: u.Type, Target: Target, Children: []*Coverage{}}
	if u.Leaf() {
		cov.Counts = perCommune[u.Code]
	}
	for _, child := range u.Children {
		cc := BuildCoverage(units, child.Code, perCommune)
		cov.Counts = cov.Counts.Add(cc.Counts)
		cov.Children = append(cov.Children, cc)
	}
	cov.Eligible = cov.Beneficiaries - cov.NotEligible
	cov.Ratio, cov.EligibleRatio = cov.Counts.Ratio(), cov.Counts.EligibleRatio()
	cov.MeetsTarget = cov.Beneficiaries > 0 && float64(cov.WithAccount) >= Target*float64(cov.Beneficiaries)
	return cov
}
