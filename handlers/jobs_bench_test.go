package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ansinh"
)

// BenchmarkImportJob100k uploads a 100,000-row list through the API on a fresh store
// and reports the time to the answer (202: the job is stored and started) and the time
// until the job's progress says done, with its report matching the store.
func BenchmarkImportJob100k(b *testing.B) {
	const rows = 100_000
	var csv strings.Builder
	csv.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom,ngan_hang,so_tai_khoan,chu_tai_khoan\n")
	communes := []string{"31498", "31501", "31504", "31507", "31510", "31513"}
	for i := range rows {
		fmt.Fprintf(&csv, "Nguyễn Văn Thử %d,0940500%05d,01/01/1950,%s,BTXH,970405,70%010d,NGUYEN VAN THU\n", i, i, communes[i%len(communes)], i)
	}
	file := []byte(csv.String())
	var answer, total time.Duration
	for range b.N {
		b.StopTimer()
		e := newEnv(b)
		e.addUser("so.ldtbxh", ansinh.RoleProvince, "94")
		token := e.login("so.ldtbxh")
		b.StartTimer()
		start := time.Now()
		r := e.benUpload(token, "file", "100k.csv", file)
		answer += time.Since(start)
		var started struct{ ID, Status string }
		r.decode(&started)
		if r.StatusCode != 202 || started.Status != ansinh.JobRunning {
			b.Fatalf("import: %d %.300s", r.StatusCode, r.body)
		}
		var p jobProgress
		for p.Status = ansinh.JobRunning; p.Status == ansinh.JobRunning; {
			time.Sleep(200 * time.Millisecond) // a staff page's pace, not the job's
			e.do("GET", "/api/v1/imports/"+started.ID, token, nil).decode(&p)
		}
		total += time.Since(start)
		b.StopTimer()
		n, _ := e.store.CountBeneficiaries(context.Background(), false)
		if p.Status != ansinh.JobDone || p.Report == nil || p.Report.Inserted != rows || n != rows {
			b.Fatalf("job %+v, %d stored", p, n)
		}
	}
	b.ReportMetric(answer.Seconds()/float64(b.N), "s-to-202")
	b.ReportMetric(total.Seconds()/float64(b.N), "s-total")
}
