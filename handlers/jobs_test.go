package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ansinh"
	"ansinh/handlers"
)

// bigList is a list past handlers.SyncImportBytes: n people of commune 31498, and one
// bad row.
func bigList(n int) []byte {
	var b strings.Builder
	b.WriteString("ho_ten,cccd,ngay_sinh,ma_xa,nhom\n")
	for i := range n {
		fmt.Fprintf(&b, "Người Thử Nghiệm Nhập Danh Sách %d,0940500%05d,01/01/1950,31498,BTXH\n", i, i)
	}
	b.WriteString("Lê Văn Tám,12,1950,Nam,31498\n")
	return []byte(b.String())
}

type jobProgress struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Errors int    `json:"errors"`
	Report *struct {
		ID         string `json:"id"`
		Inserted   int    `json:"inserted"`
		Updated    int    `json:"updated"`
		Unchanged  int    `json:"unchanged"`
		ErrorCount int    `json:"error_count"`
		ErrorsCSV  string `json:"errors_csv"`
	} `json:"report"`
}

// waitJob polls an import's progress until it is no longer running (no time is
// asserted: the loop only keeps a broken job from hanging the test for ever).
func (e *env) waitJob(token, id string) jobProgress {
	e.t.Helper()
	var p jobProgress
	for range 6000 {
		r := e.do("GET", "/api/v1/imports/"+id, token, nil)
		if r.StatusCode != 200 {
			e.t.Fatalf("progress: %d %.300s", r.StatusCode, r.body)
		}
		r.decode(&p)
		if p.Status != ansinh.JobRunning {
			return p
		}
		if p.Done > p.Total {
			e.t.Fatalf("progress %d of %d", p.Done, p.Total)
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("the job %s still runs", id)
	return p
}

// TestLargeImportRunsAsAJob: a list past the synchronous size is answered 202 with the
// job's id; the progress endpoint shows it running and then done with its report,
// which matches the store; the same file while it runs is refused; another user does
// not see the job.
func TestLargeImportRunsAsAJob(t *testing.T) {
	e := staffEnv(t)
	token := e.login("so.ldtbxh")
	file := bigList(16_000)
	if len(file) <= handlers.SyncImportBytes {
		t.Fatalf("the list is %d bytes: not past the synchronous size", len(file))
	}
	r := e.benUpload(token, "file", "lon.csv", file)
	var started struct{ ID, Status, Progress string }
	r.decode(&started)
	if r.StatusCode != 202 || started.Status != ansinh.JobRunning || started.ID == "" || started.Progress != "/api/v1/imports/"+started.ID {
		t.Fatalf("import: %d %.300s", r.StatusCode, r.body)
	}
	again := e.benUpload(token, "file", "lon-lan-2.csv", file)
	if again.StatusCode != 409 || !strings.Contains(string(again.body), ansinh.MsgJobSameFile) {
		// Only a job that ended in between may let the same file in.
		if j, err := e.store.Job(context.Background(), started.ID); err != nil || j.Status == ansinh.JobRunning {
			t.Fatalf("the same file while its job runs: %d %.300s", again.StatusCode, again.body)
		}
	}
	if other := e.do("GET", "/api/v1/imports/"+started.ID, e.login("huyen941"), nil); other.StatusCode != 404 {
		t.Fatalf("another user's job: %d", other.StatusCode)
	}
	p := e.waitJob(token, started.ID)
	n, _ := e.store.CountBeneficiaries(context.Background(), false)
	if p.Status != ansinh.JobDone || p.Report == nil || p.Done != p.Total || p.Total != 16_001 {
		t.Fatalf("job: %+v", p)
	}
	if p.Report.Inserted != int(n) || n != 16_000 || p.Report.ErrorCount != p.Errors || p.Errors == 0 || p.Report.ID != started.ID {
		t.Fatalf("report %+v, %d stored", *p.Report, n)
	}
	if csv := e.do("GET", p.Report.ErrorsCSV, token, nil); csv.StatusCode != 200 || !strings.Contains(string(csv.body), ansinh.MsgCCCDLength) {
		t.Fatalf("errors csv: %d", csv.StatusCode)
	}
}

// TestImportPageFollowsTheJob: the page sends a large list to its job's page, which
// shows a progress bar that refreshes itself without JavaScript, and the report once
// the job is done.
func TestImportPageFollowsTheJob(t *testing.T) {
	e := staffEnv(t)
	p := e.browser("so.ldtbxh")
	r, _ := p.upload("/can-bo/nhap-danh-sach", "lon.csv", bigList(16_000))
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !strings.HasPrefix(loc, "/can-bo/nhap-danh-sach/viec/") {
		t.Fatalf("upload: %d %q", r.StatusCode, loc)
	}
	r, doc := p.get(loc)
	if r.StatusCode != 200 {
		t.Fatalf("job page: %d", r.StatusCode)
	}
	if doc.Find("#job progress").Length() == 1 {
		if doc.Find(`#job noscript`).Length() != 1 || !strings.Contains(string(r.body), `http-equiv="refresh"`) {
			t.Fatalf("the progress page does not refresh itself without JavaScript")
		}
	} else if doc.Find("#report").Length() != 1 {
		t.Fatalf("job page shows neither progress nor report: %.500s", r.body)
	}
	id := strings.TrimPrefix(loc, "/can-bo/nhap-danh-sach/viec/")
	for range 6000 {
		if j, err := e.store.Job(context.Background(), id); err != nil || j.Status != ansinh.JobRunning {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, doc = p.get(loc)
	if r.StatusCode != 200 || text(doc, "#inserted") != "16000" || text(doc, "#errors") == "0" {
		t.Fatalf("report page: %d inserted=%q", r.StatusCode, text(doc, "#inserted"))
	}
	if other, _ := e.browser("huyen941").get(loc); other.StatusCode != 404 {
		t.Fatalf("another user's job page: %d", other.StatusCode)
	}
}
