package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ansinh/importer"
	"ansinh/store/storetest"
)

// writeList writes a beneficiary list of n rows as XLSX, streamed.
func writeList(tb testing.TB, path string, n int, communes []string) {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	header := []any{"Họ và tên", "Số CCCD", "Ngày sinh", "Giới tính", "Mã xã", "Nhóm đối tượng", "Mức hưởng", "Ngân hàng", "Số tài khoản", "Chủ tài khoản"}
	if err := sw.SetRow("A1", header); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		year := 1930 + i%70
		cccd := fmt.Sprintf("0940%02d%06d", year%100, i)
		row := []any{"Nguyễn Văn Thử " + strconv.Itoa(i), cccd, fmt.Sprintf("%02d/%02d/%d", 1+i%28, 1+i%12, year), "Nam",
			communes[i%len(communes)], "BTXH", 750000, "", "", ""}
		if i%2 == 0 { // half already paid through an account
			row[7], row[8], row[9] = "Agribank", fmt.Sprintf("7000%09d", i), "NGUYEN VAN THU"
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		tb.Fatal(err)
	}
}

// peakRSS returns the process's peak resident memory (VmHWM), in MiB; resetPeak starts
// a new measurement. The embedded store runs in this process, as in production.
func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkImport100kXLSX imports a generated 100,000-row XLSX into an empty store,
// then imports it again (every row unchanged).
func BenchmarkImport100kXLSX(b *testing.B) {
	const n = 100_000
	path := filepath.Join(b.TempDir(), "list.xlsx")
	writeList(b, path, n, units(b).Leaves("94"))
	info, _ := os.Stat(path)
	for range b.N {
		st := storetest.New(b)
		for _, pass := range []string{"first", "again"} {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			resetPeak()
			start := time.Now()
			res, err := importer.Import(context.Background(), st, units(b), f, info.Size(),
				importer.Options{Actor: province, File: "list.xlsx"})
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			if got := res.Inserted + res.Unchanged; got != n || len(res.Errors) != 0 {
				b.Fatalf("%s: %+v, %d errors", pass, res, len(res.Errors))
			}
			b.ReportMetric(float64(n)/elapsed.Seconds(), pass+"-rows/s")
			b.ReportMetric(peakRSS(), pass+"-peak-MiB")
		}
	}
}
