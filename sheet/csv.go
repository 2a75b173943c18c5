package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// csvReader reads a CSV file record by record with encoding/csv.
type csvReader struct {
	name   string
	cr     *csv.Reader
	lines  *lineLimitReader
	header []string // read by Open, returned by the first Next
	row    int      // header's row number
	rows   int      // non-blank records read
	err    error    // sticky
}

func openCSV(r io.ReaderAt, size int64, name string, bom bool) (Reader, error) {
	var start int64
	if bom {
		start = int64(len(utf8BOM))
	}
	comma, err := detectComma(io.NewSectionReader(r, start, size-start), name)
	if err != nil {
		return nil, err
	}
	lines := &lineLimitReader{r: io.NewSectionReader(r, start, size-start), max: maxLine}
	cr := csv.NewReader(lines)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	c := &csvReader{name: name, cr: cr, lines: lines}

	header, row, err := c.read()
	switch {
	case err == io.EOF:
		return nil, formatError(ErrEmpty, name, "only blank lines")
	case err != nil:
		return nil, err
	case !validText(header):
		return nil, formatError(ErrNotSpreadsheet, name,
			"the header row (line %d) is not UTF-8 text; save the file as CSV UTF-8", row)
	}
	c.header, c.row = header, row
	return c, nil
}

// detectComma picks the delimiter from the first non-blank line: ';' if it has more
// semicolons than commas (outside double quotes), else ','.
func detectComma(r io.Reader, name string) (rune, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine+1) // + the '\n'
	line := 0
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if len(bytes.TrimFunc(text, func(r rune) bool { return isSpace(r) || r == ',' || r == ';' })) == 0 {
			continue
		}
		commas, semis, quoted := 0, 0, false
		for _, b := range text {
			switch {
			case b == '"':
				quoted = !quoted
			case quoted:
			case b == ',':
				commas++
			case b == ';':
				semis++
			}
		}
		if semis > commas {
			return ';', nil
		}
		return ',', nil
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return 0, formatError(ErrNotSpreadsheet, name, "line %d is longer than 1 MB", line+1)
	case err != nil:
		return 0, fmt.Errorf("sheet: %s: %w", name, err)
	}
	return 0, formatError(ErrEmpty, name, "only blank lines")
}

func (c *csvReader) Next() ([]string, int, error) {
	if c.header != nil {
		h := c.header
		c.header = nil
		return h, c.row, nil
	}
	if c.err != nil {
		return nil, 0, c.err
	}
	cells, row, err := c.read()
	if err != nil {
		c.err = err
		return nil, 0, err
	}
	return cells, row, nil
}

// read returns the next non-blank record and the line it starts on.
func (c *csvReader) read() ([]string, int, error) {
	for {
		start := c.cr.InputOffset()
		rec, err := c.cr.Read()
		switch {
		case err == io.EOF:
			return nil, 0, io.EOF
		case errors.Is(err, errLineTooLong):
			return nil, 0, formatError(ErrNotSpreadsheet, c.name, "line %d is longer than 1 MB", c.lines.line)
		case err != nil:
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, 0, formatError(ErrNotSpreadsheet, c.name, "line %d: %v", pe.StartLine, pe.Err)
			}
			return nil, 0, fmt.Errorf("sheet: %s: %w", c.name, err)
		}
		row, _ := c.cr.FieldPos(0)
		if c.cr.InputOffset()-start > maxLine {
			return nil, 0, formatError(ErrNotSpreadsheet, c.name,
				"row %d is longer than 1 MB (is a quoted cell missing its closing quote?)", row)
		}
		if !validUTF8(rec) {
			return nil, 0, formatError(ErrNotSpreadsheet, c.name,
				"row %d is not UTF-8 text; save the file as CSV UTF-8", row)
		}
		if err := checkRow(c.name, rec, row); err != nil {
			return nil, 0, err
		}
		if cells := cleanCells(rec, false); cells != nil {
			if c.rows++; c.rows > MaxRows+1 { // + the header
				return nil, 0, formatError(ErrTooBig, c.name, "more than %d rows", MaxRows)
			}
			return cells, row, nil
		}
	}
}

func (c *csvReader) Close() error {
	c.header = nil
	c.err = errClosed
	return nil
}

var errLineTooLong = errors.New("line too long")

// lineLimitReader fails with errLineTooLong once more than max bytes pass without a
// '\n', so that a file with no line breaks is not buffered whole. line is the
// 1-based number of the line being read.
type lineLimitReader struct {
	r    io.Reader
	max  int
	run  int // bytes since the last '\n'
	line int
	err  error
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.line == 0 {
		l.line = 1
	}
	n, err := l.r.Read(p)
	b := p[:n]
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.run += len(b)
			break
		}
		if l.run+i > l.max {
			l.run += i
			break
		}
		l.run = 0
		l.line++
		b = b[i+1:]
	}
	if l.run > l.max {
		l.err = errLineTooLong
		return 0, l.err
	}
	return n, err
}
