package sheet

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXWriter writes a workbook row by row and reads it back with excelize: every
// cell as written (formulas escaped, characters XML cannot carry dropped), the text
// columns formatted as text, and bytes on the wire before the workbook ends.
func TestXLSXWriter(t *testing.T) {
	var out bytes.Buffer
	w, err := NewXLSXWriter(&out, 1)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{{"STT", "Số CCCD", "Họ tên"}}
	for i := range 3000 {
		rows = append(rows, []string{fmt.Sprint(i + 1), fmt.Sprintf("0940%08d", i), fmt.Sprintf("Nguyễn Văn <Thử> & %d", i)})
	}
	rows = append(rows, []string{"=SUM(A1)", "@x", "a\x01b  "})
	for i, r := range rows {
		if err := w.Write(r...); err != nil {
			t.Fatal(err)
		}
		if i == 2000 {
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if out.Len() < 10_000 {
				t.Fatalf("%d bytes written after 2,000 rows: not streamed", out.Len())
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	rows[len(rows)-1] = []string{"'=SUM(A1)", "'@x", "ab  "}
	if len(got) != len(rows) {
		t.Fatalf("%d rows read, %d written", len(got), len(rows))
	}
	for i := range rows {
		if !slices.Equal(got[i], rows[i]) {
			t.Fatalf("row %d: %q, want %q", i+1, got[i], rows[i])
		}
	}
	style, err := f.GetCellStyle("Sheet1", "B2")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(style); err != nil || s.NumFmt != 49 {
		t.Fatalf("CCCD column style %+v, %v: want text (49)", s, err)
	}
	// The project's own reader takes it too (an exported list can be imported again).
	r, err := Open(bytes.NewReader(out.Bytes()), int64(out.Len()), "x.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		if _, _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != len(rows) {
		t.Fatalf("sheet.Open read %d rows of %d", n, len(rows))
	}
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := columnName(i); got != want {
			t.Errorf("columnName(%d) = %s, want %s", i, got, want)
		}
	}
}
