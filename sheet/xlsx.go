package sheet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Limits for excelize, variables so that tests can lower them.
var (
	// unzipLimit caps the total uncompressed size of the workbook's parts.
	unzipLimit int64 = 200 << 20
	// xmlMemLimit is the largest worksheet (or shared strings) XML kept in memory;
	// larger ones are unzipped to a temporary file and streamed from it.
	xmlMemLimit int64 = 16 << 20
)

// xlsxReader streams the first worksheet of a workbook with excelize's row
// iterator.
//
// Row numbers: excelize's Rows.Next advances one spreadsheet row per call, even
// across rows absent from the XML (it reads each <row>'s r attribute and, on a gap,
// returns true with no cells until it reaches that row; see rows.go). So the number
// of calls to Next is the row number, as excelize's own GetRows also assumes.
//
// excelize swallows some faults of a worksheet: an XML syntax error ends the sheet
// early without an error, and a shared string index out of range reads as an empty
// cell. Cells come as stored (RawCellValue): numbers and date serials unformatted,
// booleans as 1 and 0, formulas as their cached value.
type xlsxReader struct {
	name     string
	dir      string // private temporary directory for excelize, removed by Close
	f        *excelize.File
	rows     *excelize.Rows
	row      int      // calls to rows.Next so far
	header   []string // read by Open, returned by the first Next
	hrow     int
	nonBlank int   // non-blank rows read
	err      error // sticky
	closed   bool
}

func openXLSX(r io.ReaderAt, size int64, name string) (_ Reader, err error) {
	// excelize leaves its temporary files behind when opening fails half-way, so
	// give it a directory of its own and remove that.
	dir, err := os.MkdirTemp("", "sheet-xlsx-")
	if err != nil {
		return nil, fmt.Errorf("sheet: %s: %w", name, err)
	}
	x := &xlsxReader{name: name, dir: dir}
	defer func() {
		if p := recover(); p != nil {
			err = formatError(ErrNotSpreadsheet, name, "broken workbook (%v)", p)
		}
		if err != nil {
			_ = x.Close()
		}
	}()

	if err := checkXLSX(r, size, name); err != nil {
		return nil, err
	}
	src := &errReader{r: io.NewSectionReader(r, 0, size)}
	x.f, err = excelize.OpenReader(src, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    unzipLimit,
		UnzipXMLSizeLimit: xmlMemLimit,
		TmpDir:            dir,
	})
	if err != nil {
		if src.err != nil {
			return nil, fmt.Errorf("sheet: %s: %w", name, src.err)
		}
		return nil, formatError(ErrNotSpreadsheet, name, "broken XLSX file (%v)", err)
	}
	sheets := x.f.GetSheetList()
	if len(sheets) == 0 {
		return nil, formatError(ErrNotSpreadsheet, name, "the workbook has no sheet")
	}
	if x.rows, err = x.f.Rows(sheets[0]); err != nil {
		return nil, formatError(ErrNotSpreadsheet, name, "sheet %q: %v", sheets[0], err)
	}
	header, row, err := x.read()
	switch {
	case err == io.EOF:
		return nil, formatError(ErrEmpty, name, "sheet %q has no non-blank row", sheets[0])
	case err != nil:
		return nil, err
	}
	x.header, x.hrow = header, row
	return x, nil
}

func (x *xlsxReader) Next() (_ []string, _ int, err error) {
	if x.header != nil {
		h := x.header
		x.header = nil
		return h, x.hrow, nil
	}
	if x.err != nil {
		return nil, 0, x.err
	}
	defer func() {
		if p := recover(); p != nil {
			err = formatError(ErrNotSpreadsheet, x.name, "broken worksheet after row %d (%v)", x.row, p)
		}
		if err != nil {
			x.err = err
		}
	}()
	cells, row, err := x.read()
	return cells, row, err
}

// read returns the next non-blank row and its number.
func (x *xlsxReader) read() ([]string, int, error) {
	for {
		if !x.rows.Next() {
			if err := x.rows.Error(); err != nil {
				return nil, 0, formatError(ErrNotSpreadsheet, x.name, "after row %d: %v", x.row, err)
			}
			return nil, 0, io.EOF
		}
		x.row++
		cols, err := x.rows.Columns()
		if errors.Is(err, excelize.ErrMaxRows) { // found reading past this row's end
			return nil, 0, formatError(ErrNotSpreadsheet, x.name, "after row %d: %v", x.row, err)
		}
		if err != nil {
			return nil, 0, formatError(ErrNotSpreadsheet, x.name, "row %d: %v", x.row, err)
		}
		if !validUTF8(cols) { // cannot come out of encoding/xml, but cheap to be sure
			return nil, 0, formatError(ErrNotSpreadsheet, x.name, "row %d is not UTF-8 text", x.row)
		}
		if err := checkRow(x.name, cols, x.row); err != nil {
			return nil, 0, err
		}
		if cells := cleanCells(cols, true); cells != nil {
			if x.nonBlank++; x.nonBlank > MaxRows+1 { // + the header
				return nil, 0, formatError(ErrTooBig, x.name, "more than %d rows", MaxRows)
			}
			return cells, x.row, nil
		}
	}
}

// Close closes the row iterator and the workbook and removes the temporary files.
func (x *xlsxReader) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	x.header = nil
	x.err = errClosed
	var errs []error
	if x.rows != nil {
		if err := x.rows.Close(); err != nil && err != x.rows.Error() {
			errs = append(errs, err)
		}
	}
	if x.f != nil {
		errs = append(errs, x.f.Close())
	}
	errs = append(errs, os.RemoveAll(x.dir))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sheet: %s: close: %w", x.name, err)
	}
	return nil
}

// errReader remembers the first error of r other than io.EOF, to tell a failed
// read of the upload from a broken file.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// plainNumber rewrites a number stored in exponent form ("1.23456789012E+11") or
// with a zero fraction ("45000.0"), as some writers store whole numbers, to plain
// digits when it is a whole number that a float64 holds exactly (< 1e15).
// Anything else, including text, is returned unchanged. Excel itself writes whole
// numbers as plain digits already.
//
// The cell type is not visible through excelize's row iterator, so a text cell
// that reads exactly like such a number ("1E5") is rewritten too.
func plainNumber(s string) string {
	if len(s) == 0 || len(s) > 32 || !numberSyntax(s) {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) >= 1e15 {
		return s
	}
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// numberSyntax reports whether s is -?digits[.digits](e[+-]digits) with an
// exponent, or -?digits.0+ (whole number with a zero fraction).
func numberSyntax(s string) bool {
	i := 0
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if digits() == 0 {
		return false
	}
	zeroFraction := false
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		if digits() == 0 {
			return false
		}
		zeroFraction = true
		for k := j; k < i; k++ {
			if s[k] != '0' {
				zeroFraction = false
			}
		}
	}
	if i == len(s) {
		return zeroFraction
	}
	if s[i] != 'e' && s[i] != 'E' {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	return digits() > 0 && i == len(s)
}
