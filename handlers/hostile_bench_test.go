package handlers_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// The hostile-input benchmarks measure the peak memory of a process that answers one
// hostile file or body: each runs TestHostileChild in a child process of its own (a
// fresh embedded store, the real app) and reads the child's VmHWM, its peak resident
// set, from /proc/self/status. They fail when the peak passes hostileBudgetMB; the
// "baseline" case is the same process answering one ordinary request.

const hostileBudgetMB = 300

var hostileCases = []string{"baseline", "junk-csv-19mb", "junk-csv-300k-rows", "xlsx-huge-cell", "xlsx-huge-shared-string",
	"login-20mb-json", "registration-20mb-json", "gzip-body"}

func BenchmarkHostileInputPeakRSS(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc/self/status")
	}
	for _, name := range hostileCases {
		b.Run(name, func(b *testing.B) {
			var peak float64
			for range b.N {
				cmd := exec.Command(os.Args[0], "-test.run=^TestHostileChild$", "-test.bench=^$", "-test.count=1", "-test.v")
				cmd.Env = append(os.Environ(), "ANSINH_HOSTILE="+name)
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				kb := -1
				for _, line := range strings.Split(string(out), "\n") {
					if v, ok := strings.CutPrefix(line, "HOSTILE-PEAK-KB "); ok {
						kb, _ = strconv.Atoi(strings.TrimSpace(v))
					}
				}
				if kb < 0 {
					b.Fatalf("no peak in the child's output:\n%s", out)
				}
				peak = max(peak, float64(kb)/1024)
			}
			b.ReportMetric(peak, "peak-RSS-MB")
			if peak > hostileBudgetMB {
				b.Fatalf("%s: peak RSS %.0f MB, over the %d MB budget", name, peak, hostileBudgetMB)
			}
		})
	}
}

// TestHostileChild is the child of BenchmarkHostileInputPeakRSS: it writes one hostile
// request to a file, resets the process's peak RSS, streams the request from the file
// over a real connection (so that only the server's memory is measured) and prints the
// peak. It does nothing in an ordinary run.
func TestHostileChild(t *testing.T) {
	name := os.Getenv("ANSINH_HOSTILE")
	if name == "" {
		t.Skip("run by BenchmarkHostileInputPeakRSS")
	}
	e := staffEnv(t)
	token := e.login("so.ldtbxh")
	path := filepath.Join(t.TempDir(), "request")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var (
		target, ctype = "/api/v1/beneficiaries/import", ""
		headers       []string
		want          int
	)
	upload := func(name string, write func(io.Writer)) {
		mw := multipart.NewWriter(w)
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		write(fw)
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		ctype = mw.FormDataContentType()
	}
	jsonBody := func(to, field string, n int) {
		target, ctype = to, "application/json"
		fmt.Fprintf(w, `{"username":"a","%s":"`, field)
		repeat(w, 'x', n)
		fmt.Fprint(w, `"}`)
	}
	switch name {
	case "baseline":
		want = 200
		upload("ds.csv", func(w io.Writer) {
			fmt.Fprint(w, "ho_ten,cccd,ngay_sinh,ma_xa,nhom\nNguyễn Văn Sáu,094050001234,05/03/1950,31498,NCC\n")
		})
	case "junk-csv-19mb": // two million junk rows: refused whole at the row limit
		want = 422
		upload("rac.csv", func(w io.Writer) { junkCSVTo(w, 19<<20, 10) })
	case "junk-csv-300k-rows": // the most junk the limits let through: 1.5 million errors
		want = 200
		upload("rac.csv", func(w io.Writer) { junkCSVTo(w, 19<<20, 67) })
	case "xlsx-huge-cell": // 190 MB of one cell, a few hundred KB zipped
		want = 422
		upload("o.xlsx", func(w io.Writer) {
			hostileXLSX(t, w, func(w io.Writer) {
				fmt.Fprint(w, `<row><c t="inlineStr"><is><t>`)
				repeat(w, 'A', 190<<20)
				fmt.Fprint(w, `</t></is></c></row>`)
			}, nil)
		})
	case "xlsx-huge-shared-string":
		want = 422
		upload("o.xlsx", func(w io.Writer) {
			hostileXLSX(t, w, func(w io.Writer) { fmt.Fprint(w, `<row><c t="s"><v>0</v></c></row>`) },
				func(w io.Writer) { repeat(w, 'S', 150<<20) })
		})
	case "login-20mb-json":
		want = 413
		jsonBody("/api/v1/auth/login", "password", 20<<20)
	case "registration-20mb-json":
		want = 413
		jsonBody("/api/v1/registrations", "cccd", 20<<20)
	case "gzip-body": // 20 KB of gzip that would inflate to 20 MB
		want, target, ctype, headers = 400, "/api/v1/registrations", "application/json", []string{"Content-Encoding", "gzip"}
		zw := gzip.NewWriter(w)
		repeat(zw, '0', 20<<20)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("no case %q", name)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	base := e.serve()
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM to the current RSS
	req, err := http.NewRequest("POST", base+target, f)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("%s: %d, want %d: %.300s", name, res.StatusCode, want, body)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			fmt.Printf("HOSTILE-PEAK-KB %s\n", strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
}

// repeat writes n bytes c, a megabyte at a time.
func repeat(w io.Writer, c byte, n int) {
	chunk := bytes.Repeat([]byte{c}, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		_, _ = w.Write(chunk[:k])
		n -= k
	}
}

// junkCSVTo writes a CSV of about size bytes whose rows (of rowLen bytes) all fail.
func junkCSVTo(w io.Writer, size, rowLen int) {
	row := strings.Repeat("x", rowLen-9) + ",1,y,z,w\n"
	fmt.Fprint(w, "ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	for n := 0; n < size-len(row); n += len(row) {
		fmt.Fprint(w, row)
	}
}

// hostileXLSX writes a workbook of one sheet whose rows rows writes (and, when shared is
// given, one shared string it writes).
func hostileXLSX(t *testing.T, out io.Writer, rows, shared func(io.Writer)) {
	t.Helper()
	zw := zip.NewWriter(out)
	add := func(name string, body ...any) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range body {
			switch b := b.(type) {
			case string:
				fmt.Fprint(w, b)
			case func(io.Writer):
				b(w)
			}
		}
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	const rel = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0"?><workbook `+ns+` `+rel+`><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	add("xl/worksheets/sheet1.xml", `<?xml version="1.0"?><worksheet `+ns+`><sheetData>`+
		`<row><c t="inlineStr"><is><t>ho_ten</t></is></c></row>`, rows, `</sheetData></worksheet>`)
	if shared != nil {
		add("xl/sharedStrings.xml", `<?xml version="1.0"?><sst `+ns+` count="1" uniqueCount="1"><si><t>`, shared, `</t></si></sst>`)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
