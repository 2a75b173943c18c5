package sheet

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The bounds of a file, so that one hostile upload cannot take the memory of the
// service: a row is at most MaxCells cells of MaxCellBytes each, a file at most
// MaxRows non-blank rows. Variables so that tests can lower them.
var (
	MaxRows      = 300_000
	MaxCells     = 500
	MaxCellBytes = 32 << 10
	// maxParts and maxPartBytes bound the workbook's other parts (styles, themes …),
	// which excelize keeps in memory whole; inMemLimit their sum with the worksheets
	// small enough to be kept in memory too (under xmlMemLimit each).
	maxParts           = 2000
	maxPartBytes int64 = 8 << 20
	inMemLimit   int64 = 64 << 20
)

// ErrTooBig: more rows, cells or longer cells than the limits, or a workbook that
// unzips to more than they allow.
var ErrTooBig = errors.New("sheet: the file is beyond the limits")

// checkRow applies the cell limits to a row as read.
func checkRow(name string, cells []string, row int) error {
	if len(cells) > MaxCells {
		return formatError(ErrTooBig, name, "row %d has %d cells, more than %d", row, len(cells), MaxCells)
	}
	for _, c := range cells {
		if len(c) > MaxCellBytes {
			return formatError(ErrTooBig, name, "a cell of row %d is longer than %d bytes", row, MaxCellBytes)
		}
	}
	return nil
}

// checkXLSX walks the workbook's ZIP before excelize opens it: excelize keeps every
// part but the large worksheets in memory, and builds each cell's text whole, so a
// small file of one huge cell (a few kilobytes of ZIP) took a gigabyte. Every worksheet
// and the shared strings are decompressed as a stream and scanned for text or tags
// longer than a cell may be, rows with too many cells and sheets with too many rows;
// the other parts are bounded by their declared size, which archive/zip enforces
// while reading. Nothing is kept.
func checkXLSX(ra io.ReaderAt, size int64, name string) error {
	r := &errReaderAt{r: ra}
	zr, err := zip.NewReader(r, size)
	if r.err != nil {
		return fmt.Errorf("sheet: %s: %w", name, r.err)
	}
	if err != nil {
		return formatError(ErrNotSpreadsheet, name, "broken XLSX file (%v)", err)
	}
	if len(zr.File) > maxParts {
		return formatError(ErrTooBig, name, "%d parts in the workbook, more than %d", len(zr.File), maxParts)
	}
	var total, inMem int64
	for _, f := range zr.File {
		n := int64(f.UncompressedSize64)
		if n < 0 || f.UncompressedSize64 > uint64(unzipLimit) {
			return formatError(ErrTooBig, name, "part %s unzips to more than %d bytes", f.Name, unzipLimit)
		}
		total += n
		if total > unzipLimit {
			return formatError(ErrTooBig, name, "the workbook unzips to more than %d bytes", unzipLimit)
		}
		lower := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		sheet := strings.HasPrefix(lower, "xl/worksheets/sheet")
		strs := lower == "xl/sharedstrings.xml"
		switch {
		case !sheet && !strs && n > maxPartBytes:
			return formatError(ErrTooBig, name, "part %s unzips to more than %d bytes", f.Name, maxPartBytes)
		case !sheet && !strs, n <= xmlMemLimit:
			inMem += n
		}
		if inMem > inMemLimit {
			return formatError(ErrTooBig, name, "the workbook's parts kept in memory pass %d bytes", inMemLimit)
		}
		if !sheet && !strs {
			continue
		}
		if err := scanPart(f, sheet); err != nil {
			if r.err != nil {
				return fmt.Errorf("sheet: %s: %w", name, r.err)
			}
			var le *limitError
			if errors.As(err, &le) {
				return formatError(ErrTooBig, name, "%s: %s", f.Name, le.msg)
			}
			return formatError(ErrNotSpreadsheet, name, "broken part %s (%v)", f.Name, err)
		}
	}
	return nil
}

// errReaderAt remembers the first error of r other than io.EOF, to tell a failed
// read of the upload from a broken file.
type errReaderAt struct {
	r   io.ReaderAt
	err error
}

func (e *errReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := e.r.ReadAt(p, off)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// scanPart reads one XML part as a stream of bytes and fails on a run of text or a tag
// longer than MaxCellBytes (so no token the XML decoder builds is larger), and, in a
// worksheet, on more than MaxRows <row> or more than MaxCells <c> in one row; in the
// shared strings, on an <si> string longer than MaxCellBytes (rich text is built from
// its runs).
func scanPart(f *zip.File, sheet bool) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	var (
		inTag         bool
		run           int // bytes of the current text run or tag
		name          []byte
		naming        bool
		rows, cells   int
		siBytes, inSI int
		limit         = MaxCellBytes
		tagLimit      = MaxCellBytes
	)
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if inSI > 0 && !inTag && b != '<' {
			siBytes++
			if siBytes > limit {
				return &limitError{fmt.Sprintf("a shared string is longer than %d bytes", limit)}
			}
		}
		switch {
		case b == '<':
			inTag, run, name, naming = true, 0, name[:0], true
			continue
		case b == '>' && inTag:
			inTag, run = false, 0
			tag := string(name)
			if i := strings.IndexByte(tag, ':'); i >= 0 {
				tag = tag[i+1:]
			}
			switch {
			case sheet && tag == "row":
				rows++
				cells = 0
				if rows > MaxRows+1 { // + the header
					return &limitError{fmt.Sprintf("more than %d rows", MaxRows)}
				}
			case sheet && tag == "c":
				cells++
				if cells > MaxCells {
					return &limitError{fmt.Sprintf("row %d has more than %d cells", rows, MaxCells)}
				}
			case !sheet && tag == "si":
				inSI, siBytes = 1, 0
			case !sheet && tag == "/si":
				inSI = 0
			}
			continue
		}
		run++
		if inTag {
			if naming {
				if b == ' ' || b == '\t' || b == '\n' || b == '\r' || (b == '/' && len(name) > 0) || len(name) >= 16 {
					naming = false
				} else {
					name = append(name, b)
				}
			}
			if run > tagLimit {
				return &limitError{fmt.Sprintf("a tag longer than %d bytes", tagLimit)}
			}
		} else if run > limit {
			return &limitError{fmt.Sprintf("a cell longer than %d bytes", limit)}
		}
	}
}
