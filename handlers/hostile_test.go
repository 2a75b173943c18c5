package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ansinh"
	"ansinh/importer"
)

// junkCSV is a list of rows that each fail several checks: a header, then n rows.
func junkCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	for range n {
		b.WriteString("x,1,y,z,w\n")
	}
	return []byte(b.String())
}

// TestImportOfJunkIsBounded: a file whose every row is wrong answers with the first
// few hundred errors and the count; the rest are in the stored pages (up to their
// limit), the CSV lists them, and nothing is stored.
func TestImportOfJunkIsBounded(t *testing.T) {
	e := staffEnv(t)
	token := e.login("so.ldtbxh")
	const rows = 30_000 // 5 errors each: past MaxStoredErrors
	r := e.benUpload(token, "file", "rac.csv", junkCSV(rows))
	if r.StatusCode != 200 {
		t.Fatalf("import: %d %.300s", r.StatusCode, r.body)
	}
	var out struct {
		ID         string            `json:"id"`
		Inserted   int               `json:"inserted"`
		Errors     []ansinh.RowError `json:"errors"`
		ErrorCount int               `json:"error_count"`
		ErrorsCSV  string            `json:"errors_csv"`
	}
	r.decode(&out)
	if len(out.Errors) != importer.MaxShownErrors || out.ErrorCount < rows*4 || out.Inserted != 0 {
		t.Fatalf("%d errors shown, %d counted, %d inserted", len(out.Errors), out.ErrorCount, out.Inserted)
	}
	if len(r.body) > 100<<10 {
		t.Fatalf("the answer is %d bytes", len(r.body))
	}
	csv := e.do("GET", out.ErrorsCSV, token, nil)
	lines := strings.Count(string(csv.body), "\n")
	if csv.StatusCode != 200 || lines != importer.MaxStoredErrors+2 || !strings.Contains(string(csv.body), "không liệt kê") {
		t.Fatalf("error CSV: %d, %d lines", csv.StatusCode, lines)
	}
	if n, _ := e.store.CountBeneficiaries(context.Background(), false); n != 0 {
		t.Fatalf("%d records stored from junk", n)
	}
}

// TestImportBeyondTheLimitsStoresNothing: a file that passes the limits at its last
// row is refused whole, the good rows before it unstored.
func TestImportBeyondTheLimitsStoresNothing(t *testing.T) {
	e := staffEnv(t)
	token := e.login("so.ldtbxh")
	// More good rows than one batch of the import, so that a single pass would have
	// stored some before it met the bad row.
	var b strings.Builder
	b.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	for i := range importer.BatchSize + 10 {
		fmt.Fprintf(&b, "Nguyễn Văn Thử,0940500%05d,1950,31498,NCC\n", i)
	}
	file := b.String() + strings.Repeat("x,", 600) + "x\n"
	r := e.benUpload(token, "file", "ds.csv", []byte(file))
	if r.StatusCode != 422 || r.errorCode() != ansinh.EINVALID || !strings.Contains(string(r.body), "giới hạn") {
		t.Fatalf("import: %d %.300s", r.StatusCode, r.body)
	}
	if n, _ := e.store.CountBeneficiaries(context.Background(), false); n != 0 {
		t.Fatalf("%d records stored from a refused file", n)
	}
}
