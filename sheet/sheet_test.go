package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// gotRow is one row as Next returned it.
type gotRow struct {
	Row   int
	Cells []string
}

func (r gotRow) String() string { return fmt.Sprintf("%d:%q", r.Row, r.Cells) }

// collect opens data and reads it to the end. It returns the rows read and the error
// that stopped it (nil at io.EOF), whether from Open or from Next.
func collect(t testing.TB, data []byte) ([]gotRow, error) {
	t.Helper()
	r, err := Open(bytes.NewReader(data), int64(len(data)), "test-file")
	if err != nil {
		if r != nil {
			t.Errorf("Open returned a Reader with error %v", err)
		}
		return nil, err
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	var rows []gotRow
	for i := 0; ; i++ {
		if i > 2_000_000 {
			t.Fatal("Next never returned io.EOF")
		}
		cells, row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			// errors are final
			if _, _, err2 := r.Next(); !errors.Is(err2, err) {
				t.Errorf("Next after error %v returned %v", err, err2)
			}
			return rows, err
		}
		rows = append(rows, gotRow{row, cells})
	}
}

// checkRows compares rows and the final error with what a case wants.
func checkRows(t *testing.T, rows []gotRow, err error, want []gotRow, wantErr error) {
	t.Helper()
	if err != nil {
		t.Logf("error: %v", err)
	}
	if wantErr == nil && err != nil || wantErr != nil && !errors.Is(err, wantErr) {
		t.Errorf("error = %v, want %v", err, wantErr)
	}
	if err != nil && err.Error() == "" {
		t.Errorf("error has no text")
	}
	if len(rows) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got  %v\n want %v", rows, want)
	}
}

func TestCSV(t *testing.T) {
	nfd := "Nguye\u0302\u0303n Va\u0306n An" // decomposed, as some systems export
	nfc := "Nguy\u1ec5n V\u0103n An"         // "Nguyễn Văn An" precomposed
	if nfd == nfc || norm.NFC.String(nfd) != nfc {
		t.Fatal("test strings are wrong")
	}
	long := strings.Repeat("x", maxLine+10)
	openQuote := "h1,h2\n\"" + strings.Repeat(strings.Repeat("y", 1000)+"\n", 1100)

	tests := []struct {
		name    string
		in      string
		want    []gotRow
		wantErr error
	}{
		{
			name: "BOM, semicolons, CRLF, quoted newline, NFD, blank lines",
			in: "\ufeffHọ và tên;Số CCCD;Địa chỉ;Ghi chú\r\n" +
				"\"" + nfd + "\";001234567890;\"Số 1\r\nPhố Huế\";\r\n" + // lines 2-3
				"\r\n" + // 4
				" ; ;\u00a0\r\n" + // 5: blank cells
				"  Trần Thị Bình\u00a0;079123456789;Hà Nội;\"có \"\"ngoặc\"\"\"\r\n" + // 6
				"Lê Văn Cường,Jr;1;\"a;b\";x", // 7, no final newline
			want: []gotRow{
				{1, []string{"Họ và tên", "Số CCCD", "Địa chỉ", "Ghi chú"}},
				{2, []string{nfc, "001234567890", "Số 1\nPhố Huế"}},
				{6, []string{"Trần Thị Bình", "079123456789", "Hà Nội", `có "ngoặc"`}},
				{7, []string{"Lê Văn Cường,Jr", "1", "a;b", "x"}},
			},
		},
		{
			name: "commas, LF, leading blank lines, trailing empty cells",
			in:   "\n\n,,\nho_ten,cccd,,\nA,1,,\n\n  \n\u200bB\u200b, 2 \n",
			want: []gotRow{
				{4, []string{"ho_ten", "cccd"}},
				{5, []string{"A", "1"}},
				{8, []string{"B", "2"}},
			},
		},
		{
			name: "empty middle cells kept",
			in:   "a,b,c\n,x,\n",
			want: []gotRow{{1, []string{"a", "b", "c"}}, {2, []string{"", "x"}}},
		},
		{
			name: "more semicolons than commas",
			in:   "a;b,c;d\n1;2,5;3\n",
			want: []gotRow{{1, []string{"a", "b,c", "d"}}, {2, []string{"1", "2,5", "3"}}},
		},
		{
			name: "as many semicolons as commas",
			in:   "a;b,c\n",
			want: []gotRow{{1, []string{"a;b", "c"}}},
		},
		{
			name: "delimiters in quotes do not count",
			in:   "\"Họ, tên\";CCCD\n",
			want: []gotRow{{1, []string{"Họ, tên", "CCCD"}}},
		},
		{
			name: "lazy quotes",
			in:   "a,b\nx\"y,\"z\"w\n",
			want: []gotRow{{1, []string{"a", "b"}}, {2, []string{`x"y`, `z"w`}}},
		},
		{
			name: "quoted cell spanning three lines",
			in:   "a,b\n\"1\n2\n3\",x\ny,z\n",
			want: []gotRow{{1, []string{"a", "b"}}, {2, []string{"1\n2\n3", "x"}}, {5, []string{"y", "z"}}},
		},
		{
			// A stray opening quote swallows the rest of a small file into one cell:
			// the caller's validation has to catch it.
			name: "unclosed quote at the end",
			in:   "h1,h2\n\"abc,1\nx,2\n",
			want: []gotRow{{1, []string{"h1", "h2"}}, {2, []string{"abc,1\nx,2"}}},
		},
		{name: "empty", in: "", wantErr: ErrEmpty},
		{name: "only a BOM", in: "\ufeff", wantErr: ErrEmpty},
		{name: "only blank lines", in: "\n\r\n  \n;;\n,\n", wantErr: ErrEmpty},
		{name: "header not UTF-8", in: "H\xe7 t\xean,CCCD\nx,y\n", wantErr: ErrNotSpreadsheet},
		{name: "header with control characters", in: "a\x01b,c\n", wantErr: ErrNotSpreadsheet},
		{
			name:    "data row not UTF-8",
			in:      "ho_ten,cccd\nNguy\xec\xe3n,1\n",
			want:    []gotRow{{1, []string{"ho_ten", "cccd"}}},
			wantErr: ErrNotSpreadsheet,
		},
		{name: "header line over 1 MB", in: long + "\n", wantErr: ErrNotSpreadsheet},
		{name: "no line break over 1 MB", in: "a," + long, wantErr: ErrNotSpreadsheet},
		{
			name:    "data line over 1 MB",
			in:      "a,b\n1,2\n" + long + "\n3,4\n",
			want:    []gotRow{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}},
			wantErr: ErrNotSpreadsheet,
		},
		{
			name:    "unclosed quote over 1 MB",
			in:      openQuote,
			want:    []gotRow{{1, []string{"h1", "h2"}}},
			wantErr: ErrNotSpreadsheet,
		},
		{name: "UTF-16", in: "\xff\xfeh\x00o\x00\n\x00", wantErr: ErrNotSpreadsheet},
		{name: "old xls", in: "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + strings.Repeat("\x00", 100), wantErr: ErrNotSpreadsheet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := collect(t, []byte(tt.in))
			checkRows(t, rows, err, tt.want, tt.wantErr)
		})
	}
}

func TestBinaryJunk(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	random := func(n int, noNUL bool) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.Uint32())
			if noNUL && b[i] == 0 {
				b[i] = 1
			}
		}
		return b
	}
	xlsx := beneficiaryXLSX(t)
	tests := []struct {
		name string
		in   []byte
	}{
		{"random 64 KB", random(64<<10, false)},
		{"random 100 bytes without NUL", random(100, true)},
		{"random 5 bytes without NUL", random(5, true)},
		{"ZIP magic then junk", append([]byte("PK\x03\x04"), random(1000, false)...)},
		{"truncated XLSX", xlsx[:100]},
		{"XLSX missing its last byte", xlsx[:len(xlsx)-1]},
		{"ZIP magic only", []byte("PK\x03\x04")},
		{"ZIP without workbook", zipOf(t, [][2]string{{"hello.txt", "xin chào"}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := collect(t, tt.in)
			t.Logf("error: %v", err)
			if !errors.Is(err, ErrNotSpreadsheet) {
				t.Errorf("error = %v, want ErrNotSpreadsheet (rows %v)", err, rows)
			}
		})
	}
}

// beneficiaryXLSX builds a workbook like an uploaded beneficiary list, with a gap,
// blank rows, numbers and dates stored as numbers.
func beneficiaryXLSX(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sh = "Danh sách"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", sh))
	row := func(n int, values ...any) {
		t.Helper()
		must(f.SetSheetRow(sh, fmt.Sprintf("A%d", n), &values))
	}
	style, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"FFFF00"}, Pattern: 1}})
	must(err)
	date := func(d int) time.Time { return time.Date(2023, 3, 15+d, 0, 0, 0, 0, time.UTC) }

	row(1, "STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Giới tính", "Ghi chú")
	row(2, 1, "Nguyễn Văn An", date(0), int64(123456789012), "Nam")
	row(3, 2, "  Trần Thị Bình\u00a0", 45001.0, "001234567890", "Nữ")
	must(f.SetCellStyle(sh, "F3", "H3", style)) // present but empty trailing cells
	// row 4 is absent from the XML
	row(5, 3, "Lê Văn Cường", 45002, 987654321098.0, "Nam", "ghi chú")
	must(f.SetCellStyle(sh, "A6", "F6", style)) // only empty, styled cells
	row(7, "   ", "\u00a0")                     // only spaces
	row(8, 4, "Phạm Thị Dung", nil, nil, "Nữ")
	must(f.SetCellValue(sh, "B12", "Nguye\u0302\u0303n")) // NFD, after a gap
	must(f.SetCellValue(sh, "A12", 5))

	// A second sheet, made active: the first sheet is still the one read.
	idx, err := f.NewSheet("Khác")
	must(err)
	must(f.SetCellValue("Khác", "A1", "không đọc"))
	f.SetActiveSheet(idx)

	buf, err := f.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

var beneficiaryRows = []gotRow{
	{1, []string{"STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Giới tính", "Ghi chú"}},
	{2, []string{"1", "Nguyễn Văn An", "45000", "123456789012", "Nam"}},
	{3, []string{"2", "Trần Thị Bình", "45001", "001234567890", "Nữ"}},
	{5, []string{"3", "Lê Văn Cường", "45002", "987654321098", "Nam", "ghi chú"}},
	{8, []string{"4", "Phạm Thị Dung", "", "", "Nữ"}},
	{12, []string{"5", "Nguy\u1ec5n"}},
}

func TestXLSX(t *testing.T) {
	data := beneficiaryXLSX(t)
	tests := []struct {
		name        string
		xmlMemLimit int64
	}{
		{"worksheet in memory", xmlMemLimit},
		{"worksheet streamed from a temporary file", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			defer setLimits(t, unzipLimit, tt.xmlMemLimit)()

			r, err := Open(bytes.NewReader(data), int64(len(data)), "ds.xlsx")
			if err != nil {
				t.Fatal(err)
			}
			var rows []gotRow
			for {
				cells, row, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				rows = append(rows, gotRow{row, cells})
			}
			checkRows(t, rows, nil, beneficiaryRows, nil)
			if tt.xmlMemLimit == 1 && countFiles(t, tmp) == 0 {
				t.Error("no temporary file while streaming")
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if n := countFiles(t, tmp); n != 0 {
				t.Errorf("%d files left in TMPDIR after Close", n)
			}
			if err := r.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, _, err := r.Next(); err == nil || err == io.EOF {
				t.Errorf("Next after Close: %v", err)
			}
		})
	}
}

// setLimits sets the excelize limits and returns a function restoring them.
func setLimits(t *testing.T, unzip, xmlMem int64) func() {
	t.Helper()
	oldUnzip, oldXML := unzipLimit, xmlMemLimit
	unzipLimit, xmlMemLimit = unzip, xmlMem
	return func() { unzipLimit, xmlMemLimit = oldUnzip, oldXML }
}

// countFiles counts the files (not directories) under dir.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// zipOf builds a ZIP of the given (name, content) files in that order.
func zipOf(t testing.TB, files [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	relDoc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

// minimalXLSX builds, by hand, the smallest workbook excelize opens, with one sheet
// holding sheetData and the given shared strings, followed by extra files. It
// stands for writers other than Excel and for broken files.
func minimalXLSX(t testing.TB, sheetData string, shared []string, extra ...[2]string) []byte {
	t.Helper()
	var sst strings.Builder
	fmt.Fprintf(&sst, `<sst %s count="%d" uniqueCount="%d">`, nsMain, len(shared), len(shared))
	for _, s := range shared {
		sst.WriteString("<si><t xml:space=\"preserve\">")
		xmlEscape(&sst, s)
		sst.WriteString("</t></si>")
	}
	sst.WriteString("</sst>")
	files := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + relDoc + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook ` + nsMain + ` xmlns:r="` + relDoc + `"><sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + relDoc + `/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="` + relDoc + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/sharedStrings.xml", sst.String()},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet ` + nsMain + `><sheetData>` + sheetData + `</sheetData></worksheet>`},
	}
	return zipOf(t, append(files, extra...))
}

func xmlEscape(b *strings.Builder, s string) {
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").WriteString(b, s)
}

func TestXLSXOtherWriters(t *testing.T) {
	shared := []string{"Họ và tên", "CCCD", "Ngày sinh", " Lê Thị Hoa ", "1E5"}
	tests := []struct {
		name    string
		sheet   string
		want    []gotRow
		wantErr error
	}{
		{
			name: "rows and cells without r attributes",
			sheet: `<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>` +
				`<row><c t="inlineStr"><is><t>Nguyễn Văn An</t></is></c><c><v>1.23456789012E+11</v></c><c><v>45000.0</v></c></row>` +
				`<row><c t="s"><v>3</v></c><c><v>79123456789</v></c><c><v>45000.5</v></c></row>`,
			want: []gotRow{
				{1, []string{"Họ và tên", "CCCD", "Ngày sinh"}},
				{2, []string{"Nguyễn Văn An", "123456789012", "45000"}},
				{3, []string{"Lê Thị Hoa", "79123456789", "45000.5"}},
			},
		},
		{
			name: "row without r after a gap",
			sheet: `<row r="1"><c r="A1" t="s"><v>0</v></c></row>` +
				`<row r="3"><c r="B3" t="inlineStr"><is><t>x</t></is></c></row>` +
				`<row><c t="inlineStr"><is><t>y</t></is></c></row>` +
				`<row r="6"><c r="C6"><v>2</v></c></row>`,
			want: []gotRow{
				{1, []string{"Họ và tên"}},
				{3, []string{"", "x"}},
				{4, []string{"y"}},
				{6, []string{"", "", "2"}},
			},
		},
		{
			name:  "header below blank rows",
			sheet: `<row r="2"/><row r="3"><c r="A3" t="s"><v>1</v></c></row><row r="4"><c r="A4" t="str"><v>1E5</v></c><c r="B4" t="s"><v>4</v></c><c r="C4" t="b"><v>1</v></c><c r="D4"><v>1E+20</v></c><c r="E4"><v>-2.50E+2</v></c></row>`,
			want: []gotRow{
				{3, []string{"CCCD"}},
				{4, []string{"100000", "100000", "1", "1E+20", "-250"}},
			},
		},
		{name: "no rows", sheet: ``, wantErr: ErrEmpty},
		{name: "only blank rows", sheet: `<row r="1"/><row r="2"><c r="A2"/></row>`, wantErr: ErrEmpty},
		{
			// excelize drops the error and yields an empty cell.
			name:  "shared string index out of range",
			sheet: `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>99</v></c><c r="B2"><v>7</v></c></row>`,
			want:  []gotRow{{1, []string{"Họ và tên"}}, {2, []string{"", "7"}}},
		},
		{
			// excelize reports it while reading the row before, whose cells are lost.
			name:    "row number over the Excel maximum",
			sheet:   `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1</v></c></row><row r="2000000"><c r="A2000000"><v>1</v></c></row>`,
			want:    []gotRow{{1, []string{"Họ và tên"}}},
			wantErr: ErrNotSpreadsheet,
		},
		{
			name:    "bad cell reference",
			sheet:   `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="1A"><v>1</v></c></row>`,
			want:    []gotRow{{1, []string{"Họ và tên"}}},
			wantErr: ErrNotSpreadsheet,
		},
		{
			// excelize ignores XML syntax errors in a worksheet and stops there.
			name:  "worksheet XML cut short",
			sheet: `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row><row r="3"><c r="A3" t=`,
			want:  []gotRow{{1, []string{"Họ và tên"}}, {2, []string{"x"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := collect(t, minimalXLSX(t, tt.sheet, shared))
			checkRows(t, rows, err, tt.want, tt.wantErr)
		})
	}
}

func TestXLSXTempFilesRemovedWhenOpenFails(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	defer setLimits(t, 64<<10, 1<<10)()
	sheetData := strings.Repeat(`<row><c t="inlineStr"><is><t>xin chào</t></is></c></row>`, 200) // > 1 KB: to a temp file
	data := minimalXLSX(t, sheetData, nil, [2]string{"xl/media/pad.bin", strings.Repeat("0", 100<<10)})
	_, err := collect(t, data)
	// Over the unzip limit: refused by the check before excelize starts (ErrTooBig).
	if !errors.Is(err, ErrTooBig) {
		t.Errorf("error = %v, want ErrTooBig", err)
	}
	if n := countFiles(t, tmp); n != 0 {
		t.Errorf("%d files left in TMPDIR", n)
	}
}

func TestOpenReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	data := beneficiaryXLSX(t)
	tests := []struct {
		name string
		data []byte
		at   int64 // reads from this offset on fail
	}{
		{"CSV header", []byte("a,b\n1,2\n"), 0},
		{"XLSX body", data, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := failingReaderAt{bytes.NewReader(tt.data), tt.at, boom}
			_, err := Open(r, int64(len(tt.data)), "x")
			if !errors.Is(err, boom) || errors.Is(err, ErrNotSpreadsheet) || errors.Is(err, ErrEmpty) {
				t.Errorf("error = %v, want the read error only", err)
			}
		})
	}
}

type failingReaderAt struct {
	r   io.ReaderAt
	at  int64
	err error
}

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.at {
		return 0, f.err
	}
	return f.r.ReadAt(p, off)
}

func TestPlainNumber(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"integer", "123456789012", "123456789012"},
		{"exponent", "1.23456789012E+11", "123456789012"},
		{"lower-case exponent", "7.9123456789e10", "79123456789"},
		{"zero fraction", "45000.0", "45000"},
		{"negative zero", "-0.0", "0"},
		{"fraction", "45000.5", "45000.5"},
		{"not whole with exponent", "4.5E-3", "4.5E-3"},
		{"beyond float precision", "1.2345678901234567E+18", "1.2345678901234567E+18"},
		{"leading zeros in text", "001234567890", "001234567890"},
		{"text", "Nam", "Nam"},
		{"phone", "+84912345678", "+84912345678"},
		{"dot only", "1.", "1."},
		{"exponent without digits", "1E", "1E"},
		{"date text", "15.03.2023", "15.03.2023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainNumber(tt.in); got != tt.want {
				t.Errorf("plainNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzOpenCSV(f *testing.F) {
	for _, s := range []string{"", "a,b\n1,2\n", "\ufeffa;b\r\n\"x\ny\";2", "\"", "a\n\"b", "\x00\x01", "PK\x03\x04"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := collect(t, data)
		if err != nil && !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrNotSpreadsheet) && !errors.Is(err, ErrTooBig) {
			t.Errorf("error %v is not a format error", err)
		}
		last := 0
		for _, r := range rows {
			if r.Row <= last || len(r.Cells) == 0 {
				t.Errorf("bad row %v after row %d", r, last)
			}
			last = r.Row
		}
	})
}

// FuzzOpenXLSXSheet: whatever the worksheet XML, reading neither panics nor loops.
func FuzzOpenXLSXSheet(f *testing.F) {
	for _, s := range []string{
		`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`,
		`<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="5"><c r="C5"><v>1E3</v></c></row>`,
		`<row><c t="s"><v>-1</v></c></row>`,
		`<row r="0"><c r="A0"><v>1</v></c></row>`,
		`<row r="3"/><row r="2"><c r="A2"><v>1</v></c></row>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sheetData string) {
		rows, err := collect(t, minimalXLSX(t, sheetData, []string{"a", "b"}))
		if err != nil && !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrNotSpreadsheet) && !errors.Is(err, ErrTooBig) {
			t.Errorf("error %v is not a format error", err)
		}
		_ = rows
	})
}

// BenchmarkReadXLSX100k reads a 100,000-row, 9-column beneficiary list, written by
// excelize's StreamWriter (inline strings) and, as Excel writes it, with shared
// strings.
func BenchmarkReadXLSX100k(b *testing.B) {
	if testing.Short() {
		b.Skip("slow")
	}
	const n = 100_000
	for _, bb := range []struct {
		name  string
		write func(b *testing.B, path string, n int)
	}{
		{"streamwriter", writeStreamXLSX},
		{"sharedstrings", writeSharedStringsXLSX},
	} {
		b.Run(bb.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "ds.xlsx")
			bb.write(b, path, n)
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC() // the generator's garbage is not the reader's
			peak := watchHeap()
			b.ReportAllocs()
			b.ResetTimer()
			total := 0
			for b.Loop() {
				total += readFile(b, path)
			}
			if total%(n+1) != 0 {
				b.Fatalf("read %d rows, want multiples of %d", total, n+1)
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak())/1e6, "peak-heap-MB")
			b.ReportMetric(float64(st.Size())/1e6, "file-MB")
		})
	}
}

// readFile reads every row of the file and returns how many there were.
func readFile(b *testing.B, path string) int {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	r, err := Open(f, st.Size(), filepath.Base(path))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	rows := 0
	for {
		cells, _, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			b.Fatal(err)
		}
		if len(cells) != 9 {
			b.Fatalf("row %d has %d cells: %q", rows+1, len(cells), cells)
		}
		rows++
	}
}

// watchHeap samples the heap size until the returned function is called, which
// returns the largest size seen.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak.Load()
	}
}

var benchHeader = []any{"STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Mã xã", "Địa chỉ", "Số tiền"}

// beneficiary returns row i (1-based) of a made-up beneficiary list.
func beneficiary(i int) []any {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"}
	middle := []string{"Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc"}
	given := []string{"An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân", "Thảo", "Trang", "Tuấn", "Yến"}
	sex := "Nam"
	if i%2 == 0 {
		sex = "Nữ"
	}
	return []any{
		i,
		family[i%len(family)] + " " + middle[i%len(middle)] + " " + given[i%len(given)],
		20000 + i%25000, // date serial
		sex,
		int64(100_000_000_000) + int64(i)*7919, // 12-digit CCCD stored as a number
		fmt.Sprintf("09%08d", i),
		fmt.Sprintf("%05d", 100+i%600),
		fmt.Sprintf("Số %d, thôn %d, xã Hòa Phú, huyện Chư Păh", i%300+1, i%17+1),
		500_000 + i%3*250_000,
	}
}

func writeStreamXLSX(b *testing.B, path string, n int) {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	if err := sw.SetRow("A1", benchHeader); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, beneficiary(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}

// writeSharedStringsXLSX writes the same list the way Excel does: text in the
// shared strings table, cells referring to it by index.
func writeSharedStringsXLSX(b *testing.B, path string, n int) {
	b.Helper()
	index := map[string]int{}
	var strs []string
	var sheet strings.Builder
	writeRow := func(r int, values []any) {
		fmt.Fprintf(&sheet, `<row r="%d">`, r)
		for c, v := range values {
			ref, _ := excelize.CoordinatesToCellName(c+1, r)
			if s, ok := v.(string); ok {
				i, ok := index[s]
				if !ok {
					i = len(strs)
					index[s] = i
					strs = append(strs, s)
				}
				fmt.Fprintf(&sheet, `<c r="%s" t="s"><v>%d</v></c>`, ref, i)
			} else {
				fmt.Fprintf(&sheet, `<c r="%s"><v>%v</v></c>`, ref, v)
			}
		}
		sheet.WriteString("</row>")
	}
	writeRow(1, benchHeader)
	for i := 1; i <= n; i++ {
		writeRow(i+1, beneficiary(i))
	}
	if err := os.WriteFile(path, minimalXLSX(b, sheet.String(), strs), 0o600); err != nil {
		b.Fatal(err)
	}
}
