package ansinh

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"ansinh/refdata"
)

// A unit code means nothing without the set it belongs to: on 1 July 2025 every new
// commune code of Thành phố Cần Thơ was an old code, and 57 of the 103 now name another,
// larger unit. A UnitSet is one administrative structure with the dates it was in force;
// everything stored that holds a unit code also knows its set.

// The bundled unit sets.
const (
	SetSocTrang2024 = "soc-trang-2024"     // the letter's Sóc Trăng: 11 districts, 109 communes
	SetPreMerger    = "pre-merger-2025-03" // Cần Thơ, Hậu Giang, Sóc Trăng with districts, 1 March 2025
	SetCanTho2025   = "can-tho-2025"       // Thành phố Cần Thơ from 1 July 2025, two tiers
	DefaultUnitSet  = SetCanTho2025
)

// UnitSet is one administrative structure and the dates it was in force.
type UnitSet struct {
	ID     string
	Name   string
	From   time.Time // zero: since before anything ansinh knows
	Until  time.Time // the last day in force; zero: still in force
	Source string    // where the data comes from
	Units  *Units
}

// TwoTier reports whether the set has no level between the province and the communes.
func (s *UnitSet) TwoTier() bool {
	for _, c := range s.Units.Root.Children {
		if !c.Leaf() {
			return false
		}
	}
	return true
}

// Mapping is where a commune of an older set lies in a newer one: one commune, or for a
// unit that was split, the candidates a person chooses from (the village decides).
type Mapping struct {
	Communes []string
}

// Whole reports whether the old commune went into exactly one new commune.
func (m Mapping) Whole() bool { return len(m.Communes) == 1 }

// UnitSets are the sets ansinh knows, the current one, and the steps that lead from each
// older set to the next (the crosswalks).
type UnitSets struct {
	sets    []*UnitSet
	byID    map[string]*UnitSet
	current *UnitSet
	next    map[string]step // set id → the step to the set that followed it
}

// step maps the communes of one set to the next: an old code maps to the listed new
// codes, or (identity) to itself when the next set still has it.
type step struct {
	to       string
	codes    map[string][]string
	identity bool
}

// Current is the set the service works in.
func (s *UnitSets) Current() *UnitSet { return s.current }

// Get returns the set with the id.
func (s *UnitSets) Get(id string) (*UnitSet, bool) { b, ok := s.byID[id]; return b, ok }

// List returns every set, oldest first.
func (s *UnitSets) List() []*UnitSet { return s.sets }

// Map returns where a commune of set from lies in set to, following the crosswalks.
// It fails when the code is not a commune of from, or when no crosswalk leads to to.
func (s *UnitSets) Map(from, to, code string) (Mapping, error) {
	src, ok := s.byID[from]
	if !ok {
		return Mapping{}, fmt.Errorf("units: unknown unit set %q", from)
	}
	if u, ok := src.Units.Get(code); !ok || !u.Leaf() || u.Parent == "" {
		return Mapping{}, fmt.Errorf("units: %s is not a commune of %s", code, from)
	}
	codes := []string{code}
	for at := from; at != to; {
		st, ok := s.next[at]
		if !ok {
			return Mapping{}, fmt.Errorf("units: no crosswalk leads from %s to %s", from, to)
		}
		var out []string
		for _, c := range codes {
			for _, n := range st.apply(c) {
				if !contains(out, n) {
					out = append(out, n)
				}
			}
		}
		if len(out) == 0 {
			return Mapping{}, fmt.Errorf("units: %s of %s has no successor in %s", code, from, st.to)
		}
		codes, at = out, st.to
	}
	return Mapping{Communes: codes}, nil
}

// Leads reports whether a crosswalk leads from set from to set to (or they are one).
func (s *UnitSets) Leads(from, to string) bool {
	for at := from; ; {
		if at == to {
			return true
		}
		st, ok := s.next[at]
		if !ok {
			return false
		}
		at = st.to
	}
}

func (st step) apply(code string) []string {
	if n, ok := st.codes[code]; ok {
		return n
	}
	if st.identity {
		return []string{code}
	}
	return nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// day is a date in Vietnam.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, Vietnam) }

// BundledUnitSets loads the three bundled sets and their crosswalks, with current
// naming the one the service works in (DefaultUnitSet when empty).
func BundledUnitSets(current string) (*UnitSets, error) {
	st2024, err := LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		return nil, fmt.Errorf("units: %s: %w", SetSocTrang2024, err)
	}
	pre, cw, err := loadPreMerger()
	if err != nil {
		return nil, fmt.Errorf("units: %s: %w", SetPreMerger, err)
	}
	ct, err := LoadUnits(bytes.NewReader(refdata.CanThoUnits))
	if err != nil {
		return nil, fmt.Errorf("units: %s: %w", SetCanTho2025, err)
	}
	sets := &UnitSets{byID: map[string]*UnitSet{}, next: map[string]step{}}
	sets.add(&UnitSet{ID: SetSocTrang2024, Name: "Tỉnh Sóc Trăng, danh mục năm 2024 (Công văn 433/UBND-VX)", Until: day(2025, 6, 30),
		Source: "GSO, snapshot 01/05/2024 (daohoangson/dvhcvn)", Units: st2024})
	sets.add(&UnitSet{ID: SetPreMerger, Name: "Cần Thơ, Hậu Giang, Sóc Trăng, danh mục ngày 01/03/2025 (trước sáp nhập)", From: day(2025, 3, 1),
		Until: day(2025, 6, 30), Source: "GSO via daohoangson/dvhcvn @ v20250301", Units: pre})
	sets.add(&UnitSet{ID: SetCanTho2025, Name: "Thành phố Cần Thơ từ 01/07/2025 (103 xã, phường)", From: day(2025, 7, 1),
		Source: "Công văn 1027/CTK-CSCL, Quyết định 19/2025/QĐ-TTg; Nghị quyết 1668/NQ-UBTVQH15", Units: ct})
	// 1 September 2024 (Nghị quyết 1105/NQ-UBTVQH15): Phường 1 (31513) joined Phường 9,
	// which took the name Phường 1 and kept the code 31522; every other code stayed.
	sets.next[SetSocTrang2024] = step{to: SetPreMerger, codes: map[string][]string{"31513": {"31522"}}, identity: true}
	sets.next[SetPreMerger] = step{to: SetCanTho2025, codes: cw}
	if current == "" {
		current = DefaultUnitSet
	}
	if sets.current = sets.byID[current]; sets.current == nil {
		return nil, fmt.Errorf("units: unknown unit set %q (bundled: %s)", current, strings.Join(sets.ids(), ", "))
	}
	return sets, nil
}

// WithCustom adds a set loaded from a units file (ANSINH_UNITS_FILE) and makes it the
// current one. No crosswalk leads to it: its codes are its own.
func (s *UnitSets) WithCustom(id string, r io.Reader) error {
	if _, taken := s.byID[id]; taken {
		return fmt.Errorf("units: %q is a bundled unit set; give the file's set another name", id)
	}
	units, err := LoadUnits(r)
	if err != nil {
		return err
	}
	set := &UnitSet{ID: id, Name: units.Root.Name, Source: "ANSINH_UNITS_FILE", Units: units}
	s.add(set)
	s.current = set
	return nil
}

// CarryCounts moves communes' counts of an older set into the current one's communes,
// through the crosswalk: a split commune's count goes to UnassignedKey, as do codes no
// crosswalk leads from.
func CarryCounts(sets *UnitSets, from string, counts map[string]Counts) map[string]Counts {
	to := sets.Current().ID
	out := make(map[string]Counts, len(counts))
	for code, c := range counts {
		key := UnassignedKey
		if m, err := sets.Map(from, to, code); err == nil && m.Whole() {
			key = m.Communes[0]
		}
		out[key] = out[key].Add(c)
	}
	return out
}

// Active reports whether the set was in force at some time during the month.
func (s *UnitSet) Active(month time.Time) bool {
	end := time.Date(month.Year(), month.Month()+1, 0, 0, 0, 0, 0, Vietnam)
	return (s.From.IsZero() || !end.Before(s.From)) && (s.Until.IsZero() || !month.After(s.Until))
}

func (s *UnitSets) add(set *UnitSet) {
	s.sets = append(s.sets, set)
	s.byID[set.ID] = set
}

func (s *UnitSets) ids() []string {
	out := make([]string, len(s.sets))
	for i, set := range s.sets {
		out[i] = set.ID
	}
	return out
}

// preMergerProvinces names the three old provinces, which the crosswalk gives only by code.
var preMergerProvinces = []struct{ code, name, typ string }{
	{"92", "Thành phố Cần Thơ", "Thành phố"},
	{"93", "Tỉnh Hậu Giang", "Tỉnh"},
	{"94", "Tỉnh Sóc Trăng", "Tỉnh"},
}

// preMergerRoot stands above the three old provinces, so that the set is one tree.
const preMergerRoot = "92-93-94"

// loadPreMerger builds the set of 1 March 2025 (Sóc Trăng from its own list, Cần Thơ
// and Hậu Giang from the old columns of the crosswalk) and reads the crosswalk.
func loadPreMerger() (*Units, map[string][]string, error) {
	rows, err := readCSV(refdata.CanThoCrosswalk)
	if err != nil {
		return nil, nil, err
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"root_code", "root_name", "root_type", "province_code", "province_name", "province_type",
		"district_code", "district_name", "commune_code", "commune_name", "commune_type"})
	province := map[string][2]string{}
	for _, p := range preMergerProvinces {
		province[p.code] = [2]string{p.name, p.typ}
	}
	row := func(prov, dcode, dname, ccode, cname, ctype string) {
		p := province[prov]
		_ = w.Write([]string{preMergerRoot, "Cần Thơ, Hậu Giang và Sóc Trăng (trước 01/07/2025)", "Vùng",
			prov, p[0], p[1], dcode, dname, ccode, cname, ctype})
	}
	cw := map[string][]string{}
	seen := map[string]bool{}
	for _, r := range rows {
		old := r["old_commune_code"]
		cw[old] = append(cw[old], r["new_commune_code"])
		if r["whole"] == "true" && len(cw[old]) > 1 {
			return nil, nil, fmt.Errorf("crosswalk: %s is whole in one row and split in another", old)
		}
		if r["old_province_code"] == "94" || seen[old] {
			continue
		}
		if _, ok := province[r["old_province_code"]]; !ok {
			return nil, nil, fmt.Errorf("crosswalk: unknown old province %q", r["old_province_code"])
		}
		seen[old] = true
		row(r["old_province_code"], r["old_district_code"], r["old_district_name"], old, r["old_commune_name"], r["old_commune_type"])
	}
	st, err := readCSV(refdata.SocTrangUnits20250301)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range st {
		row("94", r["district_code"], r["district_name"], r["commune_code"], r["commune_name"], r["commune_type"])
	}
	w.Flush()
	units, err := LoadUnits(strings.NewReader(b.String()))
	if err != nil {
		return nil, nil, err
	}
	for old := range cw {
		if _, ok := units.Get(old); !ok {
			return nil, nil, fmt.Errorf("crosswalk: old commune %s is in no old province's list", old)
		}
		sort.Strings(cw[old])
	}
	return units, cw, nil
}

func readCSV(data []byte) ([]map[string]string, error) {
	cr := csv.NewReader(bufio.NewReader(bytes.NewReader(data)))
	header, err := cr.Read()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		m := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				m[h] = strings.TrimSpace(rec[i])
			}
		}
		out = append(out, m)
	}
}

// SingleUnitSet is a registry of one set, current, with no crosswalk: for callers that
// were given only a units tree (tests, tools).
func SingleUnitSet(id string, units *Units) *UnitSets {
	if id == "" {
		id = DefaultUnitSet
	}
	set := &UnitSet{ID: id, Name: units.Root.Name, Units: units}
	s := &UnitSets{byID: map[string]*UnitSet{}, next: map[string]step{}}
	s.add(set)
	s.current = set
	return s
}
