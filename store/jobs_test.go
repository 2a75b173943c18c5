package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"ansinh"
	"ansinh/store/storetest"
)

// TestOneJobPerFile: while a job works on a file, the same content is refused (with
// the running job's id), another file is not; once the job ends the file may come
// again, and a claim a crash left without its job is taken over.
func TestOneJobPerFile(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	file := bytes.Repeat([]byte("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n"), 70_000) // 2.3 MB: three chunks
	a := &ansinh.Job{Kind: ansinh.JobImportBeneficiaries, By: "so.ldtbxh", File: "a.csv", Started: time.Now()}
	if err := st.CreateJob(ctx, a, file); err != nil {
		t.Fatal(err)
	}
	b := &ansinh.Job{Kind: ansinh.JobImportBeneficiaries, By: "huyen", File: "b.csv", Started: time.Now()}
	err := st.CreateJob(ctx, b, file)
	if e, ok := err.(*ansinh.Error); !ok || e.Code != ansinh.ECONFLICT || e.Fields["job"] != a.ID || e.Message != ansinh.MsgJobSameFile {
		t.Fatalf("the same file again: %v", err)
	}
	other := &ansinh.Job{Kind: ansinh.JobImportBeneficiaries, By: "huyen", File: "c.csv", Started: time.Now()}
	if err := st.CreateJob(ctx, other, append([]byte("x"), file...)); err != nil {
		t.Fatalf("another file: %v", err)
	}
	got, err := st.JobFile(ctx, a.ID)
	if err != nil || !bytes.Equal(got, file) {
		t.Fatalf("the stored file: %d bytes, %v", len(got), err)
	}
	a.Status, a.Finished = ansinh.JobDone, time.Now()
	if err := st.FinishJob(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateJob(ctx, b, file); err != nil {
		t.Fatalf("the same file after its job ended: %v", err)
	}
	// b's claim stays, its record is lost (as if a crash came between): taken over.
	if err := st.DropJobForTest(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	c := &ansinh.Job{Kind: ansinh.JobImportBeneficiaries, By: "so.ldtbxh", File: "a.csv", Started: time.Now()}
	if err := st.CreateJob(ctx, c, file); err != nil {
		t.Fatalf("a claim without its job: %v", err)
	}
}
