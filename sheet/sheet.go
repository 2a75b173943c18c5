// Package sheet reads an uploaded spreadsheet (CSV or XLSX) as a stream of rows,
// one row at a time, each with its row number as a spreadsheet program shows it.
//
// It knows nothing of what the rows mean: the caller maps header cells to fields
// (ansinh/fold helps with that) and validates each row.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Reader yields the rows of one sheet, header first. It is not safe for concurrent
// use.
type Reader interface {
	// Next returns the next non-blank row's cells (trimmed of surrounding spaces,
	// NFC-normalised, trailing empty cells dropped, so a row may have fewer cells than
	// the header) and its 1-based row number as the file shows it (header = 1 unless
	// blank rows precede it); io.EOF at the end. Any other error is final: every later
	// call returns it again.
	Next() (cells []string, row int, err error)
	// Close releases the reader (for XLSX, its temporary files). It is safe to call
	// more than once.
	Close() error
}

// Format errors a caller can show to the uploader. Returned errors wrap them with
// detail (file name, row or line); test with errors.Is. Other errors (reading r
// failed) are not the uploader's fault.
var (
	// ErrEmpty: the file has no non-blank row, so no header.
	ErrEmpty = errors.New("sheet: the file has no header row")
	// ErrNotSpreadsheet: binary junk, a broken ZIP, an XLSX with no sheet, text that
	// is not UTF-8, a line longer than 1 MB, an old .xls workbook.
	ErrNotSpreadsheet = errors.New("sheet: not a readable CSV (UTF-8) or XLSX file")
)

// maxLine is the longest physical CSV line (and the largest CSV record) accepted.
const maxLine = 1 << 20

// sniffLen is how much of the start of the file Open inspects.
const sniffLen = 8 << 10

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // .xls, or an encrypted .xlsx
	utf8BOM  = []byte("\xEF\xBB\xBF")
)

// Open detects the format from the content (XLSX = a ZIP starting with "PK\x03\x04";
// otherwise CSV) and returns a Reader positioned before the header row. name is only
// used in error messages. Open already reads the header row, so a file without one
// fails here with ErrEmpty, and an unreadable one with ErrNotSpreadsheet.
//
// Neither format is held in memory as a whole, except that an XLSX's compressed
// bytes (at most size) are copied into memory by the XLSX library. A file beyond the
// limits (limits.go) fails with ErrTooBig: at Open for a workbook whose parts are too
// large, or at the row that passes them.
func Open(r io.ReaderAt, size int64, name string) (Reader, error) {
	if size < 0 {
		return nil, fmt.Errorf("sheet: %s: negative size %d", name, size)
	}
	if size == 0 {
		return nil, formatError(ErrEmpty, name, "the file is empty")
	}
	head := make([]byte, min(size, sniffLen))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("sheet: %s: %w", name, err)
	}
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return openXLSX(r, size, name)
	case bytes.HasPrefix(head, oleMagic):
		return nil, formatError(ErrNotSpreadsheet, name,
			"an Excel 97-2003 (.xls) or password-protected workbook; save it as .xlsx without a password")
	case bytes.HasPrefix(head, []byte("\xFF\xFE")), bytes.HasPrefix(head, []byte("\xFE\xFF")):
		return nil, formatError(ErrNotSpreadsheet, name, "UTF-16 text; save it as CSV UTF-8")
	case bytes.IndexByte(head, 0) >= 0:
		return nil, formatError(ErrNotSpreadsheet, name, "binary content")
	}
	return openCSV(r, size, name, bytes.HasPrefix(head, utf8BOM))
}

// formatError wraps a sentinel with the file name and a detail.
func formatError(sentinel error, name, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", sentinel, name, fmt.Sprintf(format, args...))
}

// errClosed is returned by Next after Close.
var errClosed = fmt.Errorf("sheet: reader is closed: %w", os.ErrClosed)

// isSpace reports the runes trimmed around cells: Unicode white space (which
// includes the non-breaking space U+00A0), the zero-width space and a stray BOM.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF'
}

// cleanCells normalises cells in place to NFC and trims them, drops trailing empty
// cells, and returns nil when the row is blank. Cells must be valid UTF-8.
func cleanCells(cells []string, plainNumbers bool) []string {
	last := -1
	for i, c := range cells {
		c = strings.TrimFunc(norm.NFC.String(c), isSpace)
		if plainNumbers {
			c = plainNumber(c)
		}
		cells[i] = c
		if c != "" {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	return cells[:last+1]
}

// validText reports whether every cell is UTF-8 without control characters other
// than tab, CR and LF; it is the test that a CSV header is text at all.
func validText(cells []string) bool {
	for _, c := range cells {
		if !utf8.ValidString(c) {
			return false
		}
		for _, r := range c {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7F {
				return false
			}
		}
	}
	return true
}

// validUTF8 reports whether every cell is valid UTF-8.
func validUTF8(cells []string) bool {
	for _, c := range cells {
		if !utf8.ValidString(c) {
			return false
		}
	}
	return true
}
