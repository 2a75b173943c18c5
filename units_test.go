package ansinh_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"ansinh"
	"ansinh/refdata"
)

// loadUnits parses a units CSV given inline, failing the test on error.
func loadUnits(tb testing.TB, csv string) *ansinh.Units {
	tb.Helper()
	u, err := ansinh.LoadUnits(strings.NewReader(csv))
	if err != nil {
		tb.Fatalf("LoadUnits: %v", err)
	}
	return u
}

// socTrang loads the bundled three-tier Sóc Trăng units.
func socTrang(tb testing.TB) *ansinh.Units {
	tb.Helper()
	u, err := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		tb.Fatalf("LoadUnits(refdata.SocTrangUnits): %v", err)
	}
	return u
}

// twoTier loads the post-2025 province → commune fixture.
func twoTier(tb testing.TB) *ansinh.Units {
	tb.Helper()
	f, err := os.Open("testdata/units_two_tier.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	u, err := ansinh.LoadUnits(f)
	if err != nil {
		tb.Fatalf("LoadUnits(testdata/units_two_tier.csv): %v", err)
	}
	return u
}

// mustGet returns the unit with the code, failing the test if it is absent.
func mustGet(tb testing.TB, units *ansinh.Units, code string) *ansinh.Unit {
	tb.Helper()
	u, ok := units.Get(code)
	if !ok {
		tb.Fatalf("Get(%q): not found", code)
	}
	return u
}

func TestSocTrangUnits(t *testing.T) {
	units := socTrang(t)

	if units.Root == nil || units.Root.Code != "94" || units.Root.Name != "Tỉnh Sóc Trăng" {
		t.Fatalf("Root = %+v, want 94 Tỉnh Sóc Trăng", units.Root)
	}
	if got := len(units.Root.Children); got != 11 {
		t.Errorf("districts = %d, want 11", got)
	}
	if got := len(units.Leaves("94")); got != 109 {
		t.Errorf("communes = %d, want 109", got)
	}
	if got := units.Len(); got != 121 {
		t.Errorf("Len() = %d, want 121 (1 + 11 + 109)", got)
	}

	tests := []struct {
		name                      string
		code                      string
		wantName, wantType, level string
		parent                    string
		leaf                      bool
	}{
		{name: "province", code: "94", wantName: "Tỉnh Sóc Trăng", wantType: "Tỉnh", level: "province", parent: "", leaf: false},
		{name: "city", code: "941", wantName: "Thành phố Sóc Trăng", wantType: "Thành phố", level: "district", parent: "94", leaf: false},
		{name: "rural district", code: "942", wantName: "Huyện Châu Thành", wantType: "Huyện", level: "district", parent: "94", leaf: false},
		{name: "ward", code: "31498", wantName: "Phường 5", wantType: "Phường", level: "commune", parent: "941", leaf: true},
		{name: "town", code: "31569", wantName: "Thị trấn Châu Thành", wantType: "Thị trấn", level: "commune", parent: "942", leaf: true},
		{name: "commune", code: "31570", wantName: "Xã Hồ Đắc Kiện", wantType: "Xã", level: "commune", parent: "942", leaf: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := mustGet(t, units, tc.code)
			if u.Code != tc.code || u.Name != tc.wantName || u.Type != tc.wantType || u.Level != tc.level || u.Parent != tc.parent {
				t.Errorf("Get(%q) = {Code:%q Name:%q Type:%q Level:%q Parent:%q}, want {%q %q %q %q %q}",
					tc.code, u.Code, u.Name, u.Type, u.Level, u.Parent, tc.code, tc.wantName, tc.wantType, tc.level, tc.parent)
			}
			if u.Leaf() != tc.leaf {
				t.Errorf("Leaf() = %v, want %v", u.Leaf(), tc.leaf)
			}
		})
	}

	// Every district sits directly under the root and has at least one commune.
	for _, d := range units.Root.Children {
		if d.Parent != "94" || d.Leaf() {
			t.Errorf("district %s: Parent=%q Leaf=%v", d.Code, d.Parent, d.Leaf())
		}
	}
	if _, ok := units.Get("nope"); ok {
		t.Error(`Get("nope") found a unit`)
	}
}

func TestUnitsWithin(t *testing.T) {
	units := socTrang(t)
	tests := []struct {
		name           string
		code, ancestor string
		want           bool
	}{
		{name: "commune within its district", code: "31498", ancestor: "941", want: true},
		{name: "commune within the province", code: "31498", ancestor: "94", want: true},
		{name: "district within the province", code: "941", ancestor: "94", want: true},
		{name: "unit within itself", code: "31498", ancestor: "31498", want: true},
		{name: "root within itself", code: "94", ancestor: "94", want: true},
		{name: "commune not within another district", code: "31498", ancestor: "942", want: false},
		{name: "commune not within a sibling commune", code: "31498", ancestor: "31501", want: false},
		{name: "district not within its commune", code: "941", ancestor: "31498", want: false},
		{name: "province not within a district", code: "94", ancestor: "941", want: false},
		{name: "unknown code", code: "99999", ancestor: "94", want: false},
		{name: "unknown ancestor", code: "31498", ancestor: "99", want: false},
		{name: "empty code", code: "", ancestor: "94", want: false},
		{name: "empty ancestor", code: "31498", ancestor: "", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := units.Within(tc.code, tc.ancestor); got != tc.want {
				t.Errorf("Within(%q, %q) = %v, want %v", tc.code, tc.ancestor, got, tc.want)
			}
		})
	}
}

func TestUnitsSubtreeAndLeaves(t *testing.T) {
	units := socTrang(t)
	tests := []struct {
		name              string
		code              string
		subtree, leaves   int
		firstLeaf, errMsg string
	}{
		{name: "province", code: "94", subtree: 121, leaves: 109, firstLeaf: "31498"},
		{name: "city of 10 wards", code: "941", subtree: 11, leaves: 10, firstLeaf: "31498"},
		{name: "district of 8 communes", code: "942", subtree: 9, leaves: 8, firstLeaf: "31569"},
		{name: "commune", code: "31498", subtree: 1, leaves: 1, firstLeaf: "31498"},
		{name: "unknown", code: "nope", subtree: 0, leaves: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, leaves := units.Subtree(tc.code), units.Leaves(tc.code)
			if len(sub) != tc.subtree {
				t.Errorf("len(Subtree(%q)) = %d, want %d", tc.code, len(sub), tc.subtree)
			}
			if len(leaves) != tc.leaves {
				t.Errorf("len(Leaves(%q)) = %d, want %d", tc.code, len(leaves), tc.leaves)
			}
			if tc.subtree > 0 && sub[0] != tc.code {
				t.Errorf("Subtree(%q)[0] = %q, want the unit itself first", tc.code, sub[0])
			}
			// Leaves come back in file order.
			if tc.leaves > 0 && leaves[0] != tc.firstLeaf {
				t.Errorf("Leaves(%q)[0] = %q, want %q", tc.code, leaves[0], tc.firstLeaf)
			}
			for _, c := range sub {
				if !units.Within(c, tc.code) {
					t.Errorf("Subtree(%q) holds %q which is not Within it", tc.code, c)
				}
			}
			for _, c := range leaves {
				if !mustGet(t, units, c).Leaf() || !slices.Contains(sub, c) {
					t.Errorf("Leaves(%q) holds %q which is not a leaf of its subtree", tc.code, c)
				}
			}
		})
	}
}

func TestTwoTierUnits(t *testing.T) {
	units := twoTier(t)
	if units.Root == nil || units.Root.Code != "92" || units.Root.Name != "Thành phố Cần Thơ" || units.Root.Type != "Thành phố" {
		t.Fatalf("Root = %+v, want 92 Thành phố Cần Thơ", units.Root)
	}
	leaves := units.Leaves("92")
	if want := []string{"31153", "31498", "31600"}; !slices.Equal(leaves, want) {
		t.Errorf("Leaves(92) = %v, want %v", leaves, want)
	}
	if units.Len() != 4 {
		t.Errorf("Len() = %d, want 4", units.Len())
	}
	for _, code := range leaves {
		t.Run(code, func(t *testing.T) {
			u := mustGet(t, units, code)
			if u.Parent != "92" || u.Level != "commune" || !u.Leaf() {
				t.Errorf("%s: Parent=%q Level=%q Leaf=%v, want a commune directly under 92", code, u.Parent, u.Level, u.Leaf())
			}
		})
	}
	// Nothing may sit between the province and its communes.
	for _, code := range units.Subtree("92") {
		if u := mustGet(t, units, code); u.Level == "district" || (u.Parent != "" && !u.Leaf()) {
			t.Errorf("unexpected middle-level unit %+v", u)
		}
	}
}

func TestLoadUnitsFormats(t *testing.T) {
	tests := []struct {
		name     string
		csv      string
		root     string
		len      int
		leafType map[string]string
	}{
		{
			name: "UTF-8 BOM before the header",
			csv:  "\ufeffprovince_code,province_name,commune_code,commune_name\n92,Thành phố Cần Thơ,31153,Phường Ninh Kiều\n",
			root: "92", len: 2, leafType: map[string]string{"31153": "Phường"},
		},
		{
			name: "UTF-8 BOM before a quoted header",
			csv:  "\ufeff\"province_code\",\"province_name\",\"commune_code\",\"commune_name\"\n92,Thành phố Cần Thơ,31153,Phường Ninh Kiều\n",
			root: "92", len: 2, leafType: map[string]string{"31153": "Phường"},
		},
		{
			name: "header case and spaces ignored",
			csv:  " Province_Code , PROVINCE_NAME ,commune_code,commune_name\n92,Thành phố Cần Thơ,31600,Xã Kế Sách\n",
			root: "92", len: 2, leafType: map[string]string{"31600": "Xã"},
		},
		{
			name: "type from the level when the name has no known prefix",
			csv:  "province_code,province_name,district_code,district_name,commune_code,commune_name\n94,Sóc Trăng,941,Mỹ Xuyên,31498,Tài Văn\n",
			root: "94", len: 3, leafType: map[string]string{"31498": "Xã"},
		},
		{
			name: "type column wins over the name",
			csv:  "province_code,province_name,commune_code,commune_name,commune_type\n92,Thành phố Cần Thơ,31160,Côn Đảo,Đặc khu\n",
			root: "92", len: 2, leafType: map[string]string{"31160": "Đặc khu"},
		},
		{
			name: "blank lines and CRLF",
			csv:  "province_code,province_name,commune_code,commune_name\r\n\r\n92,Cần Thơ,1,Xã A\r\n\r\n92,Cần Thơ,2,Xã B\r\n",
			root: "92", len: 3, leafType: map[string]string{"1": "Xã", "2": "Xã"},
		},
		{
			name: "repeated parent rows are merged",
			csv:  "province_code,province_name,commune_code,commune_name\n92,Cần Thơ,1,Xã A\n92,Cần Thơ,1,Xã A\n",
			root: "92", len: 2, leafType: map[string]string{"1": "Xã"},
		},
		{
			name: "single level",
			csv:  "province_code,province_name\n92,Cần Thơ\n",
			root: "92", len: 1, leafType: map[string]string{"92": "Tỉnh"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units := loadUnits(t, tc.csv)
			if units.Root == nil || units.Root.Code != tc.root {
				t.Fatalf("Root = %+v, want code %q", units.Root, tc.root)
			}
			if units.Len() != tc.len {
				t.Errorf("Len() = %d, want %d", units.Len(), tc.len)
			}
			for code, typ := range tc.leafType {
				if u := mustGet(t, units, code); u.Type != typ || !u.Leaf() {
					t.Errorf("%s: Type=%q Leaf=%v, want a leaf of type %q", code, u.Type, u.Leaf(), typ)
				}
			}
		})
	}
}

func TestLoadUnitsErrors(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		wantErr string
	}{
		{name: "empty file", csv: "", wantErr: "header"},
		{name: "header only", csv: "province_code,province_name\n", wantErr: "no unit"},
		{name: "no _code column", csv: "province,name\n94,Sóc Trăng\n", wantErr: "_code"},
		{name: "_code without _name", csv: "province_code,province_label\n94,Sóc Trăng\n", wantErr: "province_name"},
		{name: "lower level _code without _name", csv: "province_code,province_name,commune_code\n94,Sóc Trăng,1\n", wantErr: "commune_name"},
		{name: "empty code", csv: "province_code,province_name,commune_code,commune_name\n94,Sóc Trăng,,Xã A\n", wantErr: "line 2"},
		{name: "empty root code", csv: "province_code,province_name,commune_code,commune_name\n94,Sóc Trăng,1,Xã A\n,Sóc Trăng,2,Xã B\n", wantErr: "line 3"},
		{name: "short row", csv: "province_code,province_name,commune_code,commune_name\n94,Sóc Trăng\n", wantErr: "commune_code"},
		{name: "second root", csv: "province_code,province_name,commune_code,commune_name\n94,Sóc Trăng,1,Xã A\n92,Cần Thơ,2,Xã B\n", wantErr: "root"},
		{name: "same code different names", csv: "province_code,province_name,commune_code,commune_name\n94,Sóc Trăng,1,Xã A\n94,Sóc Trăng,1,Xã B\n", wantErr: "code 1"},
		{name: "same root code different names", csv: "province_code,province_name,commune_code,commune_name\n94,Sóc Trăng,1,Xã A\n94,Soc Trang,2,Xã B\n", wantErr: "code 94"},
		{name: "same code under two parents", csv: "province_code,province_name,district_code,district_name,commune_code,commune_name\n94,P,941,D1,1,Xã A\n94,P,942,D2,1,Xã A\n", wantErr: "code 1"},
		{name: "code reused across levels", csv: "province_code,province_name,commune_code,commune_name\n94,Sóc Trăng,94,Sóc Trăng\n", wantErr: "code 94"},
		{name: "broken quoting", csv: "province_code,province_name,commune_code,commune_name\n94,\"Sóc Trăng,1,Xã A\n", wantErr: "line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units, err := ansinh.LoadUnits(strings.NewReader(tc.csv))
			if err == nil {
				t.Fatalf("LoadUnits: no error, got %d units", units.Len())
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
			if units != nil {
				t.Errorf("units = %+v alongside an error, want nil", units)
			}
		})
	}
}
