package ansinh_test

import (
	"slices"
	"strings"
	"testing"

	"ansinh"
)

func bundled(t *testing.T, current string) *ansinh.UnitSets {
	t.Helper()
	sets, err := ansinh.BundledUnitSets(current)
	if err != nil {
		t.Fatal(err)
	}
	return sets
}

func TestBundledUnitSets(t *testing.T) {
	sets := bundled(t, "")
	cur := sets.Current()
	if cur.ID != ansinh.SetCanTho2025 {
		t.Fatalf("default set %s, want %s", cur.ID, ansinh.SetCanTho2025)
	}
	if !cur.TwoTier() || cur.Units.Root.Code != "92" {
		t.Fatalf("can-tho-2025: two tier %v, root %s", cur.TwoTier(), cur.Units.Root.Code)
	}
	types := map[string]int{}
	for _, c := range cur.Units.Root.Children {
		if !c.Leaf() || c.Level != "commune" {
			t.Fatalf("%s %s is not a commune directly under the city", c.Code, c.Name)
		}
		types[c.Type]++
	}
	if len(cur.Units.Root.Children) != 103 || types["Phường"] != 31 || types["Xã"] != 72 {
		t.Fatalf("can-tho-2025: %d communes %v, want 103 (31 phường, 72 xã)", len(cur.Units.Root.Children), types)
	}
	st, _ := sets.Get(ansinh.SetSocTrang2024)
	if len(st.Units.Root.Children) != 11 || len(st.Units.Leaves("94")) != 109 || st.TwoTier() {
		t.Fatalf("soc-trang-2024: %d districts, %d communes", len(st.Units.Root.Children), len(st.Units.Leaves("94")))
	}
	pre, _ := sets.Get(ansinh.SetPreMerger)
	if n := len(pre.Units.Leaves(pre.Units.Root.Code)); n != 263 {
		t.Fatalf("pre-merger-2025-03: %d communes, want 263", n)
	}
	for _, p := range []struct {
		code      string
		communes  int
		districts int
	}{{"92", 80, 9}, {"93", 75, 8}, {"94", 108, 11}} {
		u, ok := pre.Units.Get(p.code)
		if !ok || len(pre.Units.Leaves(p.code)) != p.communes || len(u.Children) != p.districts {
			t.Errorf("pre-merger province %s: %d communes in %d districts, want %d in %d", p.code,
				len(pre.Units.Leaves(p.code)), len(u.Children), p.communes, p.districts)
		}
	}
	if u, _ := pre.Units.Get("31178"); u == nil || u.Name != "Phường Bùi Hữu Nghĩa" {
		t.Fatalf("pre-merger 31178: %+v", u)
	}
	list := sets.List()
	if len(list) != 3 || !list[2].Until.IsZero() || list[0].Until.Format("2006-01-02") != "2025-06-30" ||
		list[2].From.Format("2006-01-02") != "2025-07-01" {
		t.Fatalf("sets and dates: %+v", list)
	}
}

func TestUnitSetsMap(t *testing.T) {
	sets := bundled(t, "")
	tests := []struct {
		name, from, code string
		want             []string
		err              string
	}{
		{"Phường 5 TP Sóc Trăng", ansinh.SetSocTrang2024, "31498", []string{"31507"}, ""},
		{"Phường 1 of 2024 follows the September 2024 merger", ansinh.SetSocTrang2024, "31513", []string{"31510"}, ""},
		{"Phường 9 became Phường 1 (31522)", ansinh.SetSocTrang2024, "31522", []string{"31510"}, ""},
		{"old Tân An is inside today's Ninh Kiều", ansinh.SetPreMerger, "31135", []string{"31135"}, ""},
		{"Bùi Hữu Nghĩa was split", ansinh.SetPreMerger, "31178", []string{"31120", "31168"}, ""},
		{"today's code in today's set", ansinh.SetCanTho2025, "31507", []string{"31507"}, ""},
		{"31498 is no commune of can-tho-2025", ansinh.SetCanTho2025, "31498", nil, "not a commune of can-tho-2025"},
		{"31513 no longer existed in March 2025", ansinh.SetPreMerger, "31513", nil, "not a commune of pre-merger-2025-03"},
		{"a district is no commune", ansinh.SetSocTrang2024, "941", nil, "not a commune"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := sets.Map(tc.from, ansinh.SetCanTho2025, tc.code)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Map: %v, want error with %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(m.Communes, tc.want) {
				t.Fatalf("Map(%s %s) = %v, %v; want %v", tc.from, tc.code, m.Communes, err, tc.want)
			}
		})
	}
	if _, err := sets.Map(ansinh.SetCanTho2025, ansinh.SetSocTrang2024, "31507"); err == nil {
		t.Fatal("mapped backwards in time")
	}
}

// Every commune of every older set reaches today's set, and each of today's codes
// contains the old unit that had the same code: the property that lets counters and
// printed QR codes keep their code where it survived.
func TestCrosswalkCoversEveryOldCommune(t *testing.T) {
	sets := bundled(t, "")
	cur := sets.Current().Units
	for _, id := range []string{ansinh.SetSocTrang2024, ansinh.SetPreMerger} {
		set, _ := sets.Get(id)
		splits := 0
		for _, code := range set.Units.Leaves(set.Units.Root.Code) {
			m, err := sets.Map(id, ansinh.SetCanTho2025, code)
			if err != nil {
				t.Fatalf("%s %s: %v", id, code, err)
			}
			if !m.Whole() {
				splits++
			}
			if _, still := cur.Get(code); still && !slices.Contains(m.Communes, code) {
				t.Errorf("%s %s: today's %s does not contain it (%v)", id, code, code, m.Communes)
			}
		}
		if want := map[string]int{ansinh.SetSocTrang2024: 0, ansinh.SetPreMerger: 3}[id]; splits != want {
			t.Errorf("%s: %d split communes, want %d", id, splits, want)
		}
	}
	// 43 of today's communes cover the former Sóc Trăng.
	st, _ := sets.Get(ansinh.SetSocTrang2024)
	got := map[string]bool{}
	for _, code := range st.Units.Leaves("94") {
		m, _ := sets.Map(ansinh.SetSocTrang2024, ansinh.SetCanTho2025, code)
		got[m.Communes[0]] = true
	}
	if len(got) != 43 {
		t.Fatalf("former Sóc Trăng lies in %d of today's communes, want 43", len(got))
	}
}
