// Package jobs runs long work apart from the request that asked for it: the request
// stores the job (its file included) and answers at once; a runner does the work one
// job at a time and records its progress and its end. A job a stop or a crash left
// running is run again at start-up, from its stored file; an import run again counts
// the records its earlier run stored as its own (importer.Options.Job), so its report
// says exactly what was stored.
package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"ansinh"
	"ansinh/importer"
)

// Store is what the jobs need from the data layer.
type Store interface {
	importer.Store
	CreateJob(ctx context.Context, j *ansinh.Job, file []byte) error
	Job(ctx context.Context, id string) (*ansinh.Job, error)
	JobFile(ctx context.Context, id string) ([]byte, error)
	StartJobRun(ctx context.Context, id string) error
	JobProgress(ctx context.Context, id string, done, total, errs int) error
	FinishJob(ctx context.Context, j *ansinh.Job) error
	RunningJobs(ctx context.Context) ([]*ansinh.Job, error)
	SweepJobFiles(ctx context.Context) (int, error)
	AddImportErrors(ctx context.Context, report string, page int, errs []ansinh.RowError) error
	SaveImportReport(ctx context.Context, r *ansinh.ImportReport) error
}

// Runner runs the jobs, one at a time: the embedded store has one connection, and two
// imports at once would only take turns on it.
type Runner struct {
	st     Store
	units  *ansinh.Units
	sets   *ansinh.UnitSets
	review importer.Review
	log    *slog.Logger
	now    func() time.Time

	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
	one  sync.Mutex

	mu      sync.Mutex
	running map[string]chan struct{} // closed when the job's run ends
}

// Config is what a Runner is built from.
type Config struct {
	Store  Store
	Units  *ansinh.Units
	Sets   *ansinh.UnitSets
	Review importer.Review
	Log    *slog.Logger
	Now    func() time.Time
}

// New returns a runner whose jobs run until ctx ends or Stop is called.
func New(ctx context.Context, c Config) *Runner {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	r := &Runner{st: c.Store, units: c.Units, sets: c.Sets, review: c.Review, log: c.Log, now: c.Now, running: map[string]chan struct{}{}}
	r.ctx, r.stop = context.WithCancel(ctx)
	return r
}

// Stop ends the running job (it stays "running" in the store, to be run again at the
// next start) and waits for the runner's goroutines.
func (r *Runner) Stop() {
	r.stop()
	r.wg.Wait()
}

// Wait waits until no job is running (for tests and the CLI).
func (r *Runner) Wait() { r.wg.Wait() }

// ImportRequest is an uploaded list to import.
type ImportRequest struct {
	Actor   *ansinh.User
	IP      string
	File    string // its name
	UnitSet string
	Data    []byte
}

// SubmitImport stores an import job and starts it. It fails with ECONFLICT while a
// job imports the same file (same content). The file has been checked
// (importer.Check) by the caller.
func (r *Runner) SubmitImport(ctx context.Context, req ImportRequest) (*ansinh.Job, <-chan struct{}, error) {
	j := &ansinh.Job{Kind: ansinh.JobImportBeneficiaries, By: req.Actor.Username, Role: req.Actor.Role, Unit: req.Actor.Unit,
		IP: req.IP, File: req.File, UnitSet: req.UnitSet, Started: r.now()}
	if err := r.st.CreateJob(ctx, j, req.Data); err != nil {
		return nil, nil, err
	}
	if err := r.st.Audit(ctx, &ansinh.AuditEvent{At: j.Started, Actor: j.By, Role: j.Role, Action: ansinh.ActionImportJob,
		Target: "job:" + j.ID, Unit: j.Unit, IP: j.IP, Detail: map[string]any{"file": j.File, "unit_set": j.UnitSet, "bytes": j.Size}}); err != nil {
		return nil, nil, err
	}
	return j, r.start(j.ID), nil
}

// Resume drops what earlier ended jobs left behind and runs again every job a stop or
// a crash left running, in the background.
func (r *Runner) Resume(ctx context.Context) error {
	if n, err := r.st.SweepJobFiles(ctx); err != nil {
		return err
	} else if n > 0 {
		r.log.Info("jobs: dropped the files of ended jobs", "documents", n)
	}
	list, err := r.st.RunningJobs(ctx)
	if err != nil {
		return err
	}
	for _, j := range list {
		r.log.Info("jobs: running again a job a stop left running", "job", j.ID, "kind", j.Kind, "done", j.Done, "total", j.Total)
		r.start(j.ID)
	}
	return nil
}

// start runs the job in the background; the channel closes when this run ends.
func (r *Runner) start(id string) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ch, ok := r.running[id]; ok {
		return ch
	}
	ch := make(chan struct{})
	r.running[id] = ch
	r.wg.Go(func() {
		defer func() {
			r.mu.Lock()
			delete(r.running, id)
			r.mu.Unlock()
			close(ch)
		}()
		if err := r.run(r.ctx, id); err != nil && r.ctx.Err() == nil {
			r.log.Error("jobs: run", "job", id, "err", err)
		}
	})
	return ch
}

func (r *Runner) run(ctx context.Context, id string) error {
	r.one.Lock()
	defer r.one.Unlock()
	if ctx.Err() != nil {
		return nil
	}
	j, err := r.st.Job(ctx, id)
	if err != nil || j.Status != ansinh.JobRunning {
		return err
	}
	switch j.Kind {
	case ansinh.JobImportBeneficiaries:
		return r.runImport(ctx, j)
	}
	j.Status, j.Finished, j.Message = ansinh.JobFailed, r.now(), ansinh.MsgJobFailed
	return r.st.FinishJob(ctx, j)
}

func (r *Runner) runImport(ctx context.Context, j *ansinh.Job) error {
	if err := r.st.StartJobRun(ctx, j.ID); err != nil {
		return err
	}
	file, err := r.st.JobFile(ctx, j.ID)
	if err != nil {
		return err
	}
	actor := &ansinh.User{Username: j.By, Role: j.Role, Unit: j.Unit}
	audited := j.Done // rows an earlier run finished (0 on the first run)
	opt := importer.Options{Actor: actor, IP: j.IP, File: j.File, Now: r.now, Sets: r.sets, UnitSet: j.UnitSet, Review: r.review,
		Job: j.ID, AuditedTo: audited,
		Errors: func(ctx context.Context, page int, errs []ansinh.RowError) error {
			return r.st.AddImportErrors(ctx, j.ID, page, errs)
		},
		Progress: func(ctx context.Context, done, total, errs int) error {
			return r.st.JobProgress(ctx, j.ID, max(done, audited), total, errs)
		}}
	res, err := importer.Import(ctx, r.st, r.units, bytes.NewReader(file), int64(len(file)), opt)
	file = nil
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped: run again at the next start
		}
		j.Status, j.Finished, j.Message = ansinh.JobFailed, r.now(), ansinh.MsgJobFailed
		if code := ansinh.ErrorCode(err); code != ansinh.EINTERNAL {
			j.Message = ansinh.ErrorMessage(err)
		} else {
			r.log.Error("jobs: import failed", "job", j.ID, "err", err)
		}
		if res != nil {
			j.Inserted, j.Updated, j.Unchanged, j.Errors = res.Inserted, res.Updated, res.Unchanged, res.ErrorCount
		}
		if cur, err := r.st.Job(ctx, j.ID); err == nil {
			j.Done, j.Total = cur.Done, cur.Total
		}
		return r.st.FinishJob(ctx, j)
	}
	rep := &ansinh.ImportReport{ID: j.ID, By: j.By, Unit: j.Unit, File: j.File, UnitSet: res.UnitSet, At: r.now(), Inserted: res.Inserted,
		Updated: res.Updated, Unchanged: res.Unchanged, Errors: res.Errors, ErrorCount: res.ErrorCount, ErrorPages: res.ErrorPages}
	// Saved before a crash that came before the job's end: the same report.
	if err := r.st.SaveImportReport(ctx, rep); err != nil && ansinh.ErrorCode(err) != ansinh.ECONFLICT {
		return err
	}
	cur, err := r.st.Job(ctx, j.ID)
	if err != nil {
		return err
	}
	j.Status, j.Finished = ansinh.JobDone, r.now()
	j.Done, j.Total, j.Errors = cur.Total, cur.Total, res.ErrorCount
	j.Inserted, j.Updated, j.Unchanged = res.Inserted, res.Updated, res.Unchanged
	return r.st.FinishJob(ctx, j)
}
