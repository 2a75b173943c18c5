// Package demo builds a synthetic province on the real unit lists: the figures of
// letter 433/UBND-VX (2,810 beneficiaries, 1,457 paid through an account), spread
// unevenly so that some districts sit below the 30 % target; and today's Thành phố Cần
// Thơ, where the same list, coded in the letter's units, is carried through the 2025
// crosswalk, with more people elsewhere in the city. Every record is marked synthetic;
// names and numbers are made up.
package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"ansinh"
)

// The letter's figures.
const (
	Beneficiaries = 2810
	WithAccount   = 1457
)

// districtRates are the shares with an account, assigned to the top-level units in
// turn: most above the 30 % target, a few below.
var districtRates = []float64{0.82, 0.74, 0.66, 0.61, 0.57, 0.52, 0.47, 0.41, 0.26, 0.21, 0.14}

var (
	families = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Lâm", "Thạch", "Sơn", "Danh", "Lý", "Đặng", "Bùi"}
	middlesM = []string{"Văn", "Hữu", "Minh", "Thanh", "Quốc", "Công"}
	middlesF = []string{"Thị", "Ngọc", "Kim", "Thu", "Mỹ", "Thanh"}
	givenM   = []string{"Sáu", "Bảy", "Tám", "Chín", "Mười", "Hai", "Ba", "Bốn", "Năm", "Sơn", "Hùng", "Dũng", "Phước", "Lộc", "Tài"}
	givenF   = []string{"Lan", "Hoa", "Mai", "Cúc", "Đào", "Hồng", "Nga", "Hạnh", "Thủy", "Xuân", "Yến", "Liên", "Phượng", "Sương", "Hằng"}
	banks    = []string{"970405", "970405", "970405", "970418", "970415", "970436", "970449"} // Agribank most often
)

// Province returns the synthetic beneficiaries of the units' first level below the
// root (districts, or communes in a two-tier country), deterministic for a seed.
func Province(units *ansinh.Units, seed uint64, now time.Time) ([]*ansinh.ImportRow, error) {
	tops := units.Root.Children
	if len(tops) == 0 {
		return nil, fmt.Errorf("demo: the units file has no unit below %s", units.Root.Code)
	}
	rng := rand.New(rand.NewPCG(seed, 433))

	// People per top-level unit: roughly by its number of communes.
	sizes := make([]int, len(tops))
	leaves := 0
	for i, t := range tops {
		sizes[i] = len(units.Leaves(t.Code))
		leaves += sizes[i]
	}
	people := spread(Beneficiaries, sizes)

	// Accounts per top-level unit at its rate, then nudged to the letter's total,
	// adding to (or taking from) the units with the highest rates first.
	accounts := make([]int, len(tops))
	sum := 0
	for i := range tops {
		accounts[i] = int(float64(people[i]) * districtRates[i%len(districtRates)])
		sum += accounts[i]
	}
	order := make([]int, len(tops))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return districtRates[order[a]%len(districtRates)] > districtRates[order[b]%len(districtRates)]
	})
	for k := 0; sum != WithAccount; k++ {
		i := order[k%len(order)]
		switch {
		case sum < WithAccount && accounts[i] < people[i]:
			accounts[i]++
			sum++
		case sum > WithAccount && accounts[i] > 0:
			accounts[i]--
			sum--
		}
	}

	var rows []*ansinh.ImportRow
	seen := map[string]bool{}
	for i, t := range tops {
		communes := units.Leaves(t.Code)
		for p := range people[i] {
			b := person(rng, communes[p%len(communes)], "094", seen, now)
			if p < accounts[i] {
				b.Account = account(rng, b)
			} else if rng.IntN(25) == 0 {
				b.Eligible = false
			}
			rows = append(rows, &ansinh.ImportRow{Row: len(rows) + 2, Beneficiary: *b, EligibleGiven: true})
		}
	}
	return rows, nil
}

// spread divides total in proportion to weights, exactly.
func spread(total int, weights []int) []int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	out := make([]int, len(weights))
	given := 0
	for i, w := range weights {
		out[i] = total * w / sum
		given += out[i]
	}
	for i := 0; given < total; i = (i + 1) % len(out) {
		out[i]++
		given++
	}
	return out
}

func person(rng *rand.Rand, commune, province string, seen map[string]bool, now time.Time) *ansinh.Beneficiary {
	female := rng.IntN(2) == 1
	name := families[rng.IntN(len(families))] + " "
	sex := ansinh.SexMale
	if female {
		sex = ansinh.SexFemale
		name += middlesF[rng.IntN(len(middlesF))] + " " + givenF[rng.IntN(len(givenF))]
	} else {
		name += middlesM[rng.IntN(len(middlesM))] + " " + givenM[rng.IntN(len(givenM))]
	}
	year := 1930 + rng.IntN(70)
	birth := time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	// CCCD: the province's code, century and sex, the year, and a serial no one holds
	// twice in this set.
	centurySex := (year/100-19)*2 + map[bool]int{false: 0, true: 1}[female]
	var cccd string
	for cccd == "" || seen[cccd] {
		cccd = fmt.Sprintf("%s%d%02d%06d", province, centurySex, year%100, rng.IntN(1_000_000))
	}
	seen[cccd] = true
	group := ansinh.GroupBTXH
	amount := int64(500_000 + 250_000*rng.IntN(4))
	if rng.IntN(3) == 0 {
		group, amount = ansinh.GroupNCC, int64(1_500_000+500_000*rng.IntN(4))
	}
	return &ansinh.Beneficiary{
		Name: name, CCCD: cccd, CCCDLast4: cccd[8:], BirthDate: birth.Format("2006-01-02"), Sex: sex, Commune: commune,
		Group: group, Amount: amount, Eligible: true, Synthetic: true,
		Identity: ansinh.IdentityCheck{State: ansinh.IdentityUnchecked},
	}
}

func account(rng *rand.Rand, b *ansinh.Beneficiary) *ansinh.Account {
	number := fmt.Sprintf("%04d%09d", 6000+rng.IntN(1000), rng.IntN(1_000_000_000))
	a := &ansinh.Account{BankBIN: banks[rng.IntN(len(banks))], Number: number, Last4: number[len(number)-4:],
		HolderName: ansinh.HolderName(b.Name), Source: ansinh.SourceImport}
	if rng.IntN(8) == 0 { // an authorised proxy's account
		a.Proxy = true
		a.HolderName = ansinh.HolderName(families[rng.IntN(len(families))] + " Văn Con")
	}
	return a
}

// PendingSubmissions picks n people without an account and makes a submission for
// each, as if they had scanned their commune's code: most clean, one in six with a
// holder name that is someone else's, for the queue's checks to catch.
func PendingSubmissions(rows []*ansinh.ImportRow, n int, seed uint64) map[*ansinh.ImportRow]*ansinh.RegistrationRequest {
	rng := rand.New(rand.NewPCG(seed, 2024))
	out := map[*ansinh.ImportRow]*ansinh.RegistrationRequest{}
	var candidates []*ansinh.ImportRow
	for _, r := range rows {
		if r.Beneficiary.Account == nil && r.Beneficiary.Eligible && r.Beneficiary.Commune != "" {
			candidates = append(candidates, r)
		}
	}
	for i := 0; i < n && len(candidates) > 0; i++ {
		r := candidates[(i*7919)%len(candidates)]
		if _, dup := out[r]; dup {
			continue
		}
		holder := r.Beneficiary.Name
		if i%6 == 5 {
			holder = families[rng.IntN(len(families))] + " Văn Khác"
		}
		out[r] = &ansinh.RegistrationRequest{Submitter: ansinh.SubmitterSelf, BankBIN: banks[rng.IntN(len(banks))],
			AccountNumber: fmt.Sprintf("%04d%09d", 8000+rng.IntN(1000), rng.IntN(1_000_000_000)), AccountName: holder,
			Consent: true, IdempotencyKey: fmt.Sprintf("demo-%d-%d", seed, i)}
	}
	return out
}

// Elsewhere is how many people the city demo adds outside the former Sóc Trăng, and
// Waiting how many of them lived in a split old ward and wait for a commune's choice.
const (
	Elsewhere = 320
	Waiting   = 12
)

// City returns today's Thành phố Cần Thơ: the letter's province, generated in its own
// units (soc-trang-2024) and carried through the crosswalk into the 43 communes of the
// former Sóc Trăng; Elsewhere more people of old Cần Thơ and Hậu Giang, coded as of
// March 2025 (pre-merger-2025-03) and carried the same way, Waiting of them from the
// split wards with their candidate communes; and the social pension (HTXH, since July
// 2025) for some of the oldest. The current set of sets must be can-tho-2025.
func City(sets *ansinh.UnitSets, seed uint64, now time.Time) ([]*ansinh.ImportRow, error) {
	to := sets.Current().ID
	st, ok := sets.Get(ansinh.SetSocTrang2024)
	pre, ok2 := sets.Get(ansinh.SetPreMerger)
	if !ok || !ok2 || !sets.Leads(ansinh.SetSocTrang2024, to) {
		return nil, fmt.Errorf("demo: no crosswalk leads from %s to %s", ansinh.SetSocTrang2024, to)
	}
	rows, err := Province(st.Units, seed, now)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 2025))
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Beneficiary.CCCD] = true
	}
	// The rest of the city: every fourth old commune of Cần Thơ and Hậu Giang, the split
	// wards among them.
	var elsewhere, split []string
	for _, prov := range []string{"92", "93"} {
		for i, code := range pre.Units.Leaves(prov) {
			m, err := sets.Map(ansinh.SetPreMerger, to, code)
			if err != nil {
				return nil, err
			}
			if !m.Whole() {
				split = append(split, code)
			} else if i%4 == 0 {
				elsewhere = append(elsewhere, code)
			}
		}
	}
	for i := range Elsewhere {
		code, province := elsewhere[i%len(elsewhere)], "092"
		if i < Waiting {
			code = split[i%len(split)]
		}
		if p, _ := pre.Units.Get(code); p != nil && pre.Units.Within(code, "93") {
			province = "093"
		}
		b := person(rng, code, province, seen, now)
		if rng.IntN(10) < 4 {
			b.Account = account(rng, b)
		}
		rows = append(rows, &ansinh.ImportRow{Row: len(rows) + 2, Beneficiary: *b, EligibleGiven: true})
	}
	for i, r := range rows {
		b := &r.Beneficiary
		from := ansinh.SetSocTrang2024
		if i >= Beneficiaries {
			from = ansinh.SetPreMerger
		}
		m, err := sets.Map(from, to, b.Commune)
		if err != nil {
			return nil, err
		}
		if m.Whole() {
			b.Commune = m.Communes[0]
		} else {
			b.Commune, b.Candidates = "", m.Communes
		}
		// The social pension for one in four of those aged 75 and over on social assistance.
		if year, _ := strconv.Atoi(b.BirthDate[:4]); b.Group == ansinh.GroupBTXH && now.Year()-year >= 75 && rng.IntN(4) == 0 {
			b.Group, b.Amount, b.SubGroup = ansinh.GroupHTXH, 500_000, "Người từ đủ 75 tuổi không có lương hưu"
		}
	}
	return rows, nil
}

// CommuneSubmissions makes up to n submissions more in one commune (the demo commune
// officer's own), from people with no account whom skip does not exclude, so that the
// officer's queue is never empty: most carry only information (the police have not
// checked anyone) and can be verified together, one goes into a proxy's account and
// one names someone else as the holder, for the warnings.
func CommuneSubmissions(rows []*ansinh.ImportRow, commune string, n int, seed uint64,
	skip func(*ansinh.ImportRow) bool) map[*ansinh.ImportRow]*ansinh.RegistrationRequest {
	rng := rand.New(rand.NewPCG(seed, 2026))
	out := map[*ansinh.ImportRow]*ansinh.RegistrationRequest{}
	for _, r := range rows {
		b := r.Beneficiary
		if len(out) == n {
			break
		}
		if b.Commune != commune || b.Account != nil || !b.Eligible || skip(r) {
			continue
		}
		i := len(out)
		req := &ansinh.RegistrationRequest{Submitter: ansinh.SubmitterSelf, BankBIN: banks[rng.IntN(len(banks))],
			AccountNumber: fmt.Sprintf("%04d%09d", 7000+rng.IntN(1000), rng.IntN(1_000_000_000)), AccountName: b.Name,
			Consent: true, IdempotencyKey: fmt.Sprintf("demo-commune-%d-%d", seed, i)}
		switch i {
		case 1: // into a son's account: the authorisation is to be seen
			son := b.Name[:strings.Index(b.Name, " ")] + " Văn " + givenM[rng.IntN(len(givenM))]
			req.Submitter, req.AccountName = ansinh.SubmitterProxy, son
			req.Proxy = &ansinh.ProxyRequest{Name: son, CCCD: fmt.Sprintf("094080%06d", rng.IntN(1_000_000)),
				Phone: fmt.Sprintf("09%08d", rng.IntN(100_000_000)), Relationship: "con"}
		case 2: // someone else's account
			req.AccountName = families[rng.IntN(len(families))] + " Văn Khác"
		}
		out[r] = req
	}
	return out
}

// TryPeople are n people to try the public form with, of the commune first, then of
// the others: no account, eligible, a whole date of birth (a record with the year
// alone cannot register by CCCD), and none whom skip excludes (a submission made).
func TryPeople(rows []*ansinh.ImportRow, commune string, n int, skip func(*ansinh.ImportRow) bool) []*ansinh.ImportRow {
	var out []*ansinh.ImportRow
	for _, own := range []bool{true, false} {
		for _, r := range rows {
			b := &r.Beneficiary
			if len(out) == n {
				return out
			}
			if (b.Commune == commune) != own || b.Commune == "" || b.Account != nil || !b.Eligible ||
				len(b.BirthDate) != len("2006-01-02") || skip(r) {
				continue
			}
			out = append(out, r)
		}
	}
	return out
}
