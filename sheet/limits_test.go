package sheet

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestLimits: a hostile file of each kind fails with ErrTooBig, before its cells are
// built, and a file at the limits still reads.
func TestLimits(t *testing.T) {
	defer func(rows, cells, cell int) { MaxRows, MaxCells, MaxCellBytes = rows, cells, cell }(MaxRows, MaxCells, MaxCellBytes)
	MaxRows, MaxCells, MaxCellBytes = 50, 20, 1000
	row := func(n int, cell string) string {
		return "<row>" + strings.Repeat(`<c t="inlineStr"><is><t>`+cell+`</t></is></c>`, n) + "</row>"
	}
	csvRows := func(rows, cells int, cell string) []byte {
		var b strings.Builder
		for range rows {
			b.WriteString(strings.TrimSuffix(strings.Repeat(cell+",", cells), ",") + "\n")
		}
		return []byte(b.String())
	}
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"csv at the limits", csvRows(51, 20, strings.Repeat("x", 1000)), true},
		{"csv too many rows", csvRows(52, 2, "x"), false},
		{"csv too many cells", csvRows(3, 21, "x"), false},
		{"csv cell too long", csvRows(3, 2, strings.Repeat("x", 1001)), false},
		{"xlsx at the limits", minimalXLSX(t, strings.Repeat(row(20, strings.Repeat("x", 900)), 51), nil), true},
		{"xlsx one huge cell", minimalXLSX(t, row(1, "a")+row(1, strings.Repeat("A", 1<<20)), nil), false},
		{"xlsx huge tag", minimalXLSX(t, `<row><c r="A1" x="`+strings.Repeat("A", 1<<20)+`"/></row>`, nil), false},
		{"xlsx too many cells", minimalXLSX(t, row(1, "a")+row(21, "b"), nil), false},
		{"xlsx too many rows", minimalXLSX(t, strings.Repeat(row(1, "a"), 52), nil), false},
		{"xlsx huge shared string", minimalXLSX(t, `<row><c t="s"><v>0</v></c></row>`, []string{strings.Repeat("S", 1<<20)}), false},
		{"xlsx huge styles part", minimalXLSX(t, row(1, "a"), nil, [2]string{"xl/styles.xml", strings.Repeat(" ", int(maxPartBytes)+1)}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := collect(t, tc.data)
			if tc.ok {
				if err != nil || len(rows) == 0 {
					t.Fatalf("%d rows, %v", len(rows), err)
				}
				return
			}
			if !errors.Is(err, ErrTooBig) {
				t.Fatalf("error = %v, want ErrTooBig", err)
			}
		})
	}
}

func TestLimitMessagesNameTheLimit(t *testing.T) {
	_, err := collect(t, []byte("a,b\n"+strings.Repeat("x,", MaxCells)+"x\n"))
	if !errors.Is(err, ErrTooBig) || !strings.Contains(err.Error(), fmt.Sprint(MaxCells)) {
		t.Fatalf("error = %v", err)
	}
}
