package sheet

import (
	"encoding/csv"
	"io"
	"strings"
)

// EscapeFormula keeps a spreadsheet from running a cell as a formula: a value that
// starts with = + - @ (or a tab or carriage return) gets a leading apostrophe, which
// Excel and LibreOffice show as text.
func EscapeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSVWriter writes CSV that Excel opens with the right accents (UTF-8 with a BOM),
// escaping every cell against formula injection.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter writes the BOM and returns the writer.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	return &CSVWriter{w: csv.NewWriter(w)}, nil
}

// Write writes one row.
func (c *CSVWriter) Write(cells ...string) error {
	row := make([]string, len(cells))
	for i, s := range cells {
		row[i] = EscapeFormula(s)
	}
	return c.w.Write(row)
}

// Flush writes any buffered data and returns the first error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
