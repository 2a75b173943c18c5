package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/importer"
	"ansinh/jobs"
	"ansinh/refdata"
	"ansinh/store"
	"ansinh/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var province = &ansinh.User{Username: "so.ldtbxh", Role: ansinh.RoleProvince, Unit: "94"}

func units(t testing.TB) *ansinh.Units {
	t.Helper()
	u, err := ansinh.LoadUnits(bytes.NewReader(refdata.SocTrangUnits))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func row(b *strings.Builder, i int, name string) {
	fmt.Fprintf(b, "%s %d,0940500%05d,01/01/1950,31507,BTXH\n", name, i, i)
}

// crashing stops the runner's context right after its after-th batch of inserts went
// in: as a kill would, between a stored batch and the job's record of it.
type crashing struct {
	*store.Store
	after int
	stop  context.CancelFunc
	calls int
}

func (c *crashing) InsertImported(ctx context.Context, rows []*ansinh.ImportRow, now time.Time) ([]int, error) {
	conflicts, err := c.Store.InsertImported(ctx, rows, now)
	if c.calls++; c.calls == c.after {
		c.stop()
	}
	return conflicts, err
}

// TestJobRunAgainReportsWhatWasStored: an import stopped after two stored batches (and
// after the updates between them) is run again by the next runner, from its stored
// file; its report counts every row once, as what was done to it, and matches the
// store: inserted = the records that are new, updated and unchanged = the earlier ones.
func TestJobRunAgainReportsWhatWasStored(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	u := units(t)
	// Before: 100 people the list repeats as they are, 50 it renames.
	var before strings.Builder
	before.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	for i := range 150 {
		row(&before, i, "Người Cũ")
	}
	if _, err := importer.Import(ctx, st, u, strings.NewReader(before.String()), int64(before.Len()),
		importer.Options{Actor: province, File: "truoc.csv"}); err != nil {
		t.Fatal(err)
	}
	// The list: 6,000 new, the 150 (50 renamed), 3 bad rows, 6,000 new.
	var list strings.Builder
	list.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	for i := 1000; i < 7000; i++ {
		row(&list, i, "Người Mới")
	}
	for i := range 150 {
		name := "Người Cũ"
		if i < 50 {
			name = "Người Đổi Tên"
		}
		row(&list, i, name)
	}
	list.WriteString("x,1,y,z,w\nx,2,y,z,w\nx,3,y,z,w\n")
	for i := 7000; i < 13000; i++ {
		row(&list, i, "Người Mới")
	}
	file := []byte(list.String())

	killed, kill := context.WithCancel(ctx)
	first := jobs.New(killed, jobs.Config{Store: &crashing{Store: st, after: 2, stop: kill}, Units: u, Log: storetest.Logger()})
	j, finished, err := first.SubmitImport(ctx, jobs.ImportRequest{Actor: province, IP: "127.0.0.1", File: "ds.csv", Data: file})
	if err != nil {
		t.Fatal(err)
	}
	<-finished
	first.Stop()
	stopped, err := st.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stopped.Status != ansinh.JobRunning {
		t.Fatalf("the stopped job is %q, not left running for the next start", stopped.Status)
	}
	n, _ := st.CountBeneficiaries(ctx, false)
	if n <= 150 || n >= 150+12000 {
		t.Fatalf("%d records after the stop: the test did not stop the import in its middle", n)
	}

	second := jobs.New(ctx, jobs.Config{Store: st, Units: u, Log: storetest.Logger()})
	if err := second.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	second.Wait()
	done, err := st.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != ansinh.JobDone || done.Runs != 2 || done.Done != done.Total || done.Total != 12153 {
		t.Fatalf("job after the restart: %+v", done)
	}
	rep, err := st.ImportReport(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, _ = st.CountBeneficiaries(ctx, false)
	if rep.Inserted != int(n)-150 || rep.Inserted != 12000 || rep.Updated != 50 || rep.Unchanged != 100 || rep.ErrorCount != 12 { // 3 rows of 4 errors
		t.Fatalf("report: inserted %d (store: %d new), updated %d, unchanged %d, errors %d", rep.Inserted, n-150, rep.Updated,
			rep.Unchanged, rep.ErrorCount)
	}
	if done.Inserted != rep.Inserted || done.Updated != rep.Updated || done.Unchanged != rep.Unchanged {
		t.Fatalf("job %+v and report %+v disagree", done, rep)
	}
	// The file is gone with the job, and so is its claim: the same list may come again.
	if _, err := st.JobFile(ctx, j.ID); ansinh.ErrorCode(err) != ansinh.ENOTFOUND {
		t.Fatalf("the file of a done job: %v", err)
	}
	again, finished, err := second.SubmitImport(ctx, jobs.ImportRequest{Actor: province, File: "ds.csv", Data: file})
	if err != nil {
		t.Fatalf("the same list after its job: %v", err)
	}
	<-finished
	rep, err = st.ImportReport(ctx, again.ID)
	if err != nil || rep.Inserted != 0 || rep.Updated != 0 || rep.Unchanged != 12150 {
		t.Fatalf("the list again: %+v %v", rep, err)
	}
}
