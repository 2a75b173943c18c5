package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// A job's record is small and changes a few dozen times (its progress): it is read
// and written by _id alone. Its file is kept in job_files, sealed like every other
// personal number (a list holds CCCDs and accounts), in chunks keyed "job:000000",
// until the job ends; job_locks holds one document per file being worked on, keyed by
// kind and content, so that an insert is the claim and a second upload of the same
// file is a duplicate key.
type jobDoc struct {
	ID        string    `bson:"_id"`
	Kind      string    `bson:"kind"`
	Status    string    `bson:"status"`
	By        string    `bson:"by"`
	Role      string    `bson:"role"`
	Unit      string    `bson:"unit"`
	IP        string    `bson:"ip"`
	File      string    `bson:"file"`
	FileHash  string    `bson:"file_hash"`
	UnitSet   string    `bson:"unit_set,omitempty"`
	Size      int64     `bson:"size"`
	Chunks    int       `bson:"chunks"`
	Started   time.Time `bson:"started"`
	Finished  time.Time `bson:"finished,omitempty"`
	Done      int       `bson:"done"`
	Total     int       `bson:"total"`
	Errors    int       `bson:"errors"`
	Runs      int       `bson:"runs"`
	Message   string    `bson:"message,omitempty"`
	Inserted  int       `bson:"inserted"`
	Updated   int       `bson:"updated"`
	Unchanged int       `bson:"unchanged"`
}

type jobFileDoc struct {
	ID   string `bson:"_id"`
	Data string `bson:"data_enc"` // sealed, context "job_file"
}

type jobLockDoc struct {
	ID  string    `bson:"_id"` // kind:file hash
	Job string    `bson:"job"`
	At  time.Time `bson:"at"`
}

const (
	colJobs     = "jobs"
	colJobFiles = "job_files"
	colJobLocks = "job_locks"

	jobChunk   = 1 << 20
	ctxJobFile = "job_file"
)

func jobFileID(job string, i int) string { return fmt.Sprintf("%s:%06d", job, i) }

// FileHash is the keyed hash of a file's content that makes one job per file.
func (s *Store) FileHash(file []byte) string {
	sum := sha256.Sum256(file)
	return s.vault.Index("job_file", hex.EncodeToString(sum[:]))
}

// CreateJob stores a new running job and its file. It fails with ECONFLICT (and the
// running job's id in the error's Fields["job"]) while a job of the same kind works on
// the same file. In order: the claim, the file, the record; a crash before the record
// leaves a claim that the next attempt, finding no running job behind it, takes over.
func (s *Store) CreateJob(ctx context.Context, j *ansinh.Job, file []byte) error {
	if j.ID == "" {
		j.ID = NewImportID()
	}
	j.FileHash, j.Size, j.Status = s.FileHash(file), int64(len(file)), ansinh.JobRunning
	if err := s.claimJobFile(ctx, j); err != nil {
		return err
	}
	chunks := 0
	for off := 0; off < len(file) || off == 0; off += jobChunk {
		end := min(off+jobChunk, len(file))
		d := jobFileDoc{ID: jobFileID(j.ID, chunks), Data: s.vault.Seal(string(file[off:end]), ctxJobFile)}
		if _, err := s.db.Collection(colJobFiles).InsertOne(ctx, d); err != nil {
			return s.fail("save job file", err)
		}
		chunks++
		if end == len(file) {
			break
		}
	}
	d := jobDoc{ID: j.ID, Kind: j.Kind, Status: j.Status, By: j.By, Role: string(j.Role), Unit: j.Unit, IP: j.IP, File: j.File,
		FileHash: j.FileHash, UnitSet: j.UnitSet, Size: j.Size, Chunks: chunks, Started: j.Started.UTC(), Total: j.Total}
	if _, err := s.db.Collection(colJobs).InsertOne(ctx, d); err != nil {
		return s.fail("save job", err)
	}
	return nil
}

// claimJobFile inserts the file's lock; a lock whose job is over (or was never
// recorded) is stale and taken over.
func (s *Store) claimJobFile(ctx context.Context, j *ansinh.Job) error {
	lockID := j.Kind + ":" + j.FileHash
	locks := s.db.Collection(colJobLocks)
	for range 2 {
		_, err := locks.InsertOne(ctx, jobLockDoc{ID: lockID, Job: j.ID, At: j.Started.UTC()})
		if err == nil {
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return s.fail("claim job file", err)
		}
		var held jobLockDoc
		if err := locks.FindOne(ctx, bson.D{{Key: "_id", Value: lockID}}).Decode(&held); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue // released meanwhile
			}
			return s.fail("claim job file", err)
		}
		other, err := s.Job(ctx, held.Job)
		switch {
		case err == nil && other.Status == ansinh.JobRunning:
			return &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgJobSameFile, Fields: map[string]string{"job": other.ID}}
		case err != nil && ansinh.ErrorCode(err) != ansinh.ENOTFOUND:
			return err
		}
		// Stale: its job ended, or a crash came before the job was recorded.
		if _, err := locks.DeleteOne(ctx, bson.D{{Key: "_id", Value: lockID}, {Key: "job", Value: held.Job}}); err != nil {
			return s.fail("claim job file", err)
		}
	}
	return &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgJobSameFile}
}

// Job returns a job's record.
func (s *Store) Job(ctx context.Context, id string) (*ansinh.Job, error) {
	var d jobDoc
	if err := s.db.Collection(colJobs).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, s.fail("find job", err)
	}
	return d.job(), nil
}

func (d *jobDoc) job() *ansinh.Job {
	return &ansinh.Job{ID: d.ID, Kind: d.Kind, Status: d.Status, By: d.By, Role: ansinh.Role(d.Role), Unit: d.Unit, IP: d.IP,
		File: d.File, FileHash: d.FileHash, UnitSet: d.UnitSet, Size: d.Size, Started: d.Started, Finished: d.Finished,
		Done: d.Done, Total: d.Total, Errors: d.Errors, Runs: d.Runs, Message: d.Message,
		Inserted: d.Inserted, Updated: d.Updated, Unchanged: d.Unchanged}
}

// JobFile returns the file a running job works on.
func (s *Store) JobFile(ctx context.Context, id string) ([]byte, error) {
	var d jobDoc
	if err := s.db.Collection(colJobs).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, s.fail("find job", err)
	}
	out := make([]byte, 0, d.Size)
	for i := range d.Chunks {
		var c jobFileDoc
		if err := s.db.Collection(colJobFiles).FindOne(ctx, bson.D{{Key: "_id", Value: jobFileID(id, i)}}).Decode(&c); err != nil {
			return nil, s.fail("find job file", err)
		}
		plain, err := s.vault.Open(c.Data, ctxJobFile)
		if err != nil {
			return nil, fmt.Errorf("store: job file %s: %w", id, err)
		}
		out = append(out, plain...)
	}
	return out, nil
}

// StartJobRun counts one more run of a job (the first, or one after a restart).
func (s *Store) StartJobRun(ctx context.Context, id string) error {
	_, err := s.db.Collection(colJobs).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "runs", Value: 1}}}})
	if err != nil {
		return s.fail("start job run", err)
	}
	return nil
}

// JobProgress records how far a running job got.
func (s *Store) JobProgress(ctx context.Context, id string, done, total, errs int) error {
	_, err := s.db.Collection(colJobs).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: done}, {Key: "total", Value: total}, {Key: "errors", Value: errs}}}})
	if err != nil {
		return s.fail("job progress", err)
	}
	return nil
}

// FinishJob records a job's end (its status done or failed, its counts), then drops
// its file and releases the file's lock; a crash between the steps leaves only a
// stale lock (taken over) and chunks that SweepJobFiles removes.
func (s *Store) FinishJob(ctx context.Context, j *ansinh.Job) error {
	var d jobDoc
	if err := s.db.Collection(colJobs).FindOne(ctx, bson.D{{Key: "_id", Value: j.ID}}).Decode(&d); err != nil {
		return s.fail("finish job", err)
	}
	_, err := s.db.Collection(colJobs).UpdateOne(ctx, bson.D{{Key: "_id", Value: j.ID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: j.Status}, {Key: "finished", Value: j.Finished.UTC()}, {Key: "done", Value: j.Done},
		{Key: "total", Value: j.Total}, {Key: "errors", Value: j.Errors}, {Key: "message", Value: j.Message},
		{Key: "inserted", Value: j.Inserted}, {Key: "updated", Value: j.Updated}, {Key: "unchanged", Value: j.Unchanged}}}})
	if err != nil {
		return s.fail("finish job", err)
	}
	return s.dropJobFile(ctx, &d)
}

func (s *Store) dropJobFile(ctx context.Context, d *jobDoc) error {
	for i := range d.Chunks {
		if _, err := s.db.Collection(colJobFiles).DeleteOne(ctx, bson.D{{Key: "_id", Value: jobFileID(d.ID, i)}}); err != nil {
			return s.fail("drop job file", err)
		}
	}
	_, err := s.db.Collection(colJobLocks).DeleteOne(ctx, bson.D{{Key: "_id", Value: d.Kind + ":" + d.FileHash}, {Key: "job", Value: d.ID}})
	if err != nil {
		return s.fail("release job file", err)
	}
	return nil
}

// RunningJobs returns the jobs a stop or a crash left running (the collection holds
// one small record per job).
func (s *Store) RunningJobs(ctx context.Context) ([]*ansinh.Job, error) {
	cur, err := s.db.Collection(colJobs).Find(ctx, bson.D{{Key: "status", Value: ansinh.JobRunning}})
	if err != nil {
		return nil, s.fail("running jobs", err)
	}
	var docs []jobDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("running jobs", err)
	}
	out := make([]*ansinh.Job, len(docs))
	for i := range docs {
		out[i] = docs[i].job()
	}
	return out, nil
}

// SweepJobFiles removes the file chunks and locks no running job needs: those of a
// job that ended before it dropped them, or of an upload that crashed before its job
// was recorded. Run at start-up, before any job starts.
func (s *Store) SweepJobFiles(ctx context.Context) (int, error) {
	running := map[string]bool{}
	jobs, err := s.RunningJobs(ctx)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		running[j.ID] = true
	}
	n := 0
	for _, col := range []string{colJobFiles, colJobLocks} {
		cur, err := s.db.Collection(col).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "job", Value: 1}}))
		if err != nil {
			return n, s.fail("sweep job files", err)
		}
		var docs []bson.M
		if err := cur.All(ctx, &docs); err != nil {
			return n, s.fail("sweep job files", err)
		}
		for _, d := range docs {
			id, _ := d["_id"].(string)
			job, _ := d["job"].(string)
			if col == colJobFiles && len(id) > 7 {
				job = id[:len(id)-7]
			}
			if running[job] {
				continue
			}
			if _, err := s.db.Collection(col).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
				return n, s.fail("sweep job files", err)
			}
			n++
		}
	}
	return n, nil
}
