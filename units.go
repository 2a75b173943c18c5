package ansinh

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Unit is an administrative unit (province, district, commune, …). Nothing assumes a
// fixed number of levels: since 2025 Vietnam has two tiers, before that three.
type Unit struct {
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Level    string  `json:"level"`
	Parent   string  `json:"parent,omitempty"`
	Children []*Unit `json:"children"`
}

// Leaf reports whether the unit has no units beneath it (a commune).
func (u *Unit) Leaf() bool { return len(u.Children) == 0 }

// Units is the loaded tree of administrative units.
type Units struct {
	Root   *Unit
	byCode map[string]*Unit
	answer string // the level that answers for the target and reports first; see AnswerLevel
}

// AnswerLevel is the level whose units answer for the target and send the first
// monthly report: the level below the root unless set (the district in the letter's
// three-tier province, the commune since districts were abolished).
func (t *Units) AnswerLevel() string {
	if t.answer != "" {
		return t.answer
	}
	if len(t.Root.Children) > 0 {
		return t.Root.Children[0].Level
	}
	return t.Root.Level
}

// SetAnswerLevel makes another level answer (ANSINH_TARGET_LEVEL); empty keeps the
// default. It fails for a level the tree does not have.
func (t *Units) SetAnswerLevel(level string) error {
	if level == "" {
		t.answer = ""
		return nil
	}
	for _, u := range t.byCode {
		if u.Level == level && u.Parent != "" {
			t.answer = level
			return nil
		}
	}
	return fmt.Errorf("units: the tree has no level %q below the root", level)
}

// Reports reports whether a unit sends a monthly report: the root (the department)
// and the units of the answering level.
func (t *Units) Reports(u *Unit) bool { return u.Parent == "" || u.Level == t.AnswerLevel() }

// Get returns the unit with the code.
func (t *Units) Get(code string) (*Unit, bool) {
	u, ok := t.byCode[code]
	return u, ok
}

// Within reports whether code is ancestor or lies beneath it.
func (t *Units) Within(code, ancestor string) bool {
	for u, ok := t.byCode[code]; ok; u, ok = t.byCode[u.Parent] {
		if u.Code == ancestor {
			return true
		}
	}
	return false
}

// Len returns the number of units.
func (t *Units) Len() int { return len(t.byCode) }

// Leaves returns the codes of the units without children beneath code, in file order.
func (t *Units) Leaves(code string) []string {
	u, ok := t.byCode[code]
	if !ok {
		return nil
	}
	if u.Leaf() {
		return []string{u.Code}
	}
	var out []string
	for _, c := range u.Children {
		out = append(out, t.Leaves(c.Code)...)
	}
	return out
}

// defaultTypes names a level's unit type when the file has no type column.
var defaultTypes = map[string]string{"province": "Tỉnh", "district": "Huyện", "commune": "Xã"}

// typePrefixes recognises a type from the start of a name ("Tỉnh Sóc Trăng").
var typePrefixes = []string{"Thành phố", "Tỉnh", "Thị xã", "Quận", "Huyện", "Phường", "Thị trấn", "Đặc khu", "Xã"}

// LoadUnits reads a units CSV. Each level is a group of columns `<level>_code`,
// `<level>_name` and optionally `<level>_type`, from the top level to the bottom, one
// row per bottom-level unit: `province_*, district_*, commune_*` or, for the two-tier
// country, `province_*, commune_*`. The file must describe exactly one root.
func LoadUnits(r io.Reader) (*Units, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("units: read header: %w", err)
	}
	col := map[string]int{}
	var levels []string
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		col[h] = i
		if lvl, ok := strings.CutSuffix(h, "_code"); ok {
			levels = append(levels, lvl)
		}
	}
	if len(levels) == 0 {
		return nil, errors.New("units: header has no <level>_code column")
	}
	for _, lvl := range levels {
		if _, ok := col[lvl+"_name"]; !ok {
			return nil, fmt.Errorf("units: header has %s_code but no %s_name", lvl, lvl)
		}
	}

	t := &Units{byCode: map[string]*Unit{}}
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("units: line %d: %w", line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		parent := ""
		for _, lvl := range levels {
			code, name := get(lvl+"_code"), get(lvl+"_name")
			if code == "" || name == "" {
				return nil, fmt.Errorf("units: line %d: empty %s_code or %s_name", line, lvl, lvl)
			}
			typ := get(lvl + "_type")
			if typ == "" {
				typ = unitType(lvl, name)
			}
			if u, ok := t.byCode[code]; ok {
				if u.Parent != parent || u.Name != name || (get(lvl+"_type") != "" && u.Type != typ) {
					return nil, fmt.Errorf("units: line %d: code %s appears twice with different data", line, code)
				}
			} else {
				u := &Unit{Code: code, Name: name, Type: typ, Level: lvl, Parent: parent, Children: []*Unit{}}
				t.byCode[code] = u
				if parent == "" {
					if t.Root != nil {
						return nil, fmt.Errorf("units: line %d: a second root unit %s (only one is allowed)", line, code)
					}
					t.Root = u
				} else {
					p := t.byCode[parent]
					p.Children = append(p.Children, u)
				}
			}
			parent = code
		}
	}
	if t.Root == nil {
		return nil, errors.New("units: the file lists no unit")
	}
	return t, nil
}

func unitType(level, name string) string {
	for _, p := range typePrefixes {
		if strings.HasPrefix(name, p+" ") {
			return p
		}
	}
	if t, ok := defaultTypes[level]; ok {
		return t
	}
	return level
}

// Subtree returns the codes of the unit and every unit beneath it.
func (t *Units) Subtree(code string) []string {
	u, ok := t.byCode[code]
	if !ok {
		return nil
	}
	out := []string{u.Code}
	for _, c := range u.Children {
		out = append(out, t.Subtree(c.Code)...)
	}
	return out
}
