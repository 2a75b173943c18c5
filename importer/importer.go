// Package importer loads the department's beneficiary list (CSV or XLSX) into the
// registry: rows are read as a stream, checked one by one, matched by CCCD and
// upserted; a bad row never stops the import but comes back in the error report.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"ansinh"
	"ansinh/sheet"
)

// Store is what an import needs from the data layer.
type Store interface {
	BeneficiaryID(cccd string) string
	RowHash(r *ansinh.ImportRow) string
	ImportedRows(ctx context.Context) (map[string]ansinh.ImportedRow, error)
	InsertImported(ctx context.Context, rows []*ansinh.ImportRow, now time.Time) (conflicts []int, err error)
	UpdateImported(ctx context.Context, r *ansinh.ImportRow, now time.Time) ([]string, error)
	Beneficiary(ctx context.Context, id string) (*ansinh.Beneficiary, error)
	Audit(ctx context.Context, e *ansinh.AuditEvent) error
}

// Result counts what the import did. Errors holds the first MaxShownErrors row
// problems, ErrorCount all of them; the others went to Options.Errors as they came.
type Result struct {
	UnitSet    string            `json:"unit_set"` // the set the file's codes were read in
	Inserted   int               `json:"inserted"`
	Updated    int               `json:"updated"`
	Unchanged  int               `json:"unchanged"`
	Errors     []ansinh.RowError `json:"errors"`
	ErrorCount int               `json:"error_count"`
	ErrorPages int               `json:"-"` // pages handed to Options.Errors
	// ForReview counts the rows naming another account than the person's: each is a
	// pending submission in the commune's queue, not a switch of the account.
	ForReview int `json:"for_review"`

	page []ansinh.RowError
}

// A file of junk rows has several errors per row: kept whole, 19 MB of them took 8 GB
// and an answer of 1.5 GB. So the answer holds the first MaxShownErrors, and the
// errors go to storage a page at a time, at most MaxStoredErrors of them; past that
// they are only counted.
const (
	MaxShownErrors  = 200
	ErrorPageSize   = 1000
	MaxStoredErrors = 100 * ErrorPageSize
)

func (res *Result) addError(e ansinh.RowError) {
	res.ErrorCount++
	if len(res.Errors) < MaxShownErrors {
		res.Errors = append(res.Errors, e)
	}
	if res.ErrorCount <= MaxStoredErrors {
		res.page = append(res.page, e)
	}
}

// flushErrors hands the errors gathered to sink once a page is full (or, with all, what
// is left at the end).
func (res *Result) flushErrors(ctx context.Context, sink ErrorSink, all bool) error {
	if len(res.page) == 0 || (!all && len(res.page) < ErrorPageSize) {
		return nil
	}
	if sink != nil {
		if err := sink(ctx, res.ErrorPages, res.page); err != nil {
			return err
		}
	}
	res.ErrorPages++
	res.page = res.page[:0]
	return nil
}

// ErrorSink stores one page (numbered from 0) of an import's row errors.
type ErrorSink func(ctx context.Context, page int, errs []ansinh.RowError) error

// Review sends an account a list names for someone who has another to the commune's
// review queue (registration.Service.SubmitImported).
type Review interface {
	SubmitImported(ctx context.Context, b *ansinh.Beneficiary, a *ansinh.Account, actor *ansinh.User, file string) (string, error)
}

// Options say who imports (their unit bounds which rows they may write) and from where.
type Options struct {
	Actor *ansinh.User
	IP    string
	File  string
	Now   func() time.Time
	// Sets are the unit sets, and UnitSet the one the file's codes are in (default the
	// current set): rows of an older set are moved to today's communes through the
	// crosswalks. Without Sets the codes are those of the units given to Import.
	Sets    *ansinh.UnitSets
	UnitSet string
	// Errors receives the row errors a page at a time; nil keeps only the first
	// MaxShownErrors (in Result.Errors).
	Errors ErrorSink
	// Review takes the accounts of rows that name another account than the person's;
	// without it such accounts are left alone (and counted in ForReview all the same).
	Review Review
	// Job, when the import runs as a job, marks each record it writes with the job's id
	// (ImportRow.Job): run again after a crash, the import counts the rows marked as its
	// own as inserted or updated, not unchanged, so that its report says what it stored.
	Job string
	// AuditedTo is, for a job run again, how many rows the earlier run had finished
	// (their audit events are written): those are not audited twice.
	AuditedTo int
	// Progress hears, after each stored batch (and every thousand rows), how many of the
	// file's rows are done and how many row errors were found so far.
	Progress func(ctx context.Context, done, total, errors int) error
}

// CheckUnitSet returns the set a file's codes are in: id, or the current set when id is
// empty. It fails for a set the service does not know, or one no crosswalk leads from.
func CheckUnitSet(sets *ansinh.UnitSets, id string) (*ansinh.UnitSet, error) {
	if id == "" {
		return sets.Current(), nil
	}
	set, ok := sets.Get(id)
	if !ok {
		return nil, &ansinh.Error{Code: ansinh.EBADREQUEST, Message: ansinh.MsgUnitSetUnknown,
			Fields: map[string]string{"unit_set": ansinh.MsgUnitSetUnknown}}
	}
	if !sets.Leads(set.ID, sets.Current().ID) {
		msg := fmt.Sprintf(ansinh.MsgUnitSetNoCrosswalk, set.Name)
		return nil, &ansinh.Error{Code: ansinh.EBADREQUEST, Message: msg, Fields: map[string]string{"unit_set": msg}}
	}
	return set, nil
}

// batchSize rows are inserted at once: the embedded store inserts about 11,000
// documents a second in batches, against 1–3 ms for each single insert, and each
// batch moves every commune's counter once (a few MB of memory).
const batchSize = BatchSize

// BatchSize is how many rows an import inserts at once.
const BatchSize = 5000

// Import reads every row of the file and stores it. A file that cannot be read at all
// (not a spreadsheet, no header, missing required columns) is an error; a bad row is
// not.
func Import(ctx context.Context, st Store, units *ansinh.Units, file io.ReaderAt, size int64, opt Options) (*Result, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	parse := func(h *ansinh.ImportHeader, cells []string, row int, today time.Time) (*ansinh.ImportRow, []ansinh.RowError) {
		return h.ParseImportRow(cells, row, units, today)
	}
	if opt.Sets != nil {
		set, err := CheckUnitSet(opt.Sets, opt.UnitSet)
		if err != nil {
			return nil, err
		}
		opt.UnitSet = set.ID
		parse = func(h *ansinh.ImportHeader, cells []string, row int, today time.Time) (*ansinh.ImportRow, []ansinh.RowError) {
			return h.ParseImportRowIn(cells, row, opt.Sets, set.ID, today)
		}
	}
	// The whole file must be readable and within the limits before anything is
	// stored: a file that breaks at row 200,000 changes nothing.
	total, err := checkFile(file, size, opt.File)
	if err != nil {
		return nil, err
	}
	rd, err := sheet.Open(file, size, opt.File)
	if err != nil {
		return nil, fileError(err)
	}
	defer rd.Close()
	cells, _, err := rd.Next()
	if err != nil {
		return nil, fileError(err)
	}
	header, err := ansinh.MapImportHeader(cells)
	if err != nil {
		return nil, err
	}
	existing, err := st.ImportedRows(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{UnitSet: opt.UnitSet, Errors: []ansinh.RowError{}}
	done := 0 // rows read
	progress := func() error {
		if opt.Progress == nil {
			return nil
		}
		return opt.Progress(ctx, done, total, res.ErrorCount)
	}
	if err := progress(); err != nil {
		return nil, err
	}
	res, err = importRows(ctx, st, units, rd, header, parse, existing, opt, res, &done, progress)
	if err != nil {
		return res, err
	}
	if err := progress(); err != nil {
		return res, err
	}
	return res, nil
}

// importRows stores the rows after the header. On an error, res counts what was
// stored before it.
func importRows(ctx context.Context, st Store, units *ansinh.Units, rd sheet.Reader, header *ansinh.ImportHeader,
	parse func(h *ansinh.ImportHeader, cells []string, row int, today time.Time) (*ansinh.ImportRow, []ansinh.RowError),
	existing map[string]ansinh.ImportedRow, opt Options, res *Result, done *int, progress func() error) (*Result, error) {
	addError := func(e ansinh.RowError) error {
		res.addError(e)
		return res.flushErrors(ctx, opt.Errors, false)
	}
	now := opt.Now()
	today := now.In(vietnam)
	seen := map[string]int{} // id → first row
	var batch []*ansinh.ImportRow
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		conflicts, err := st.InsertImported(ctx, batch, now)
		if err != nil {
			return err
		}
		res.Inserted += len(batch) - len(conflicts)
		for _, i := range conflicts { // inserted meanwhile by another import: compare instead
			if err := update(ctx, st, batch[i], now, opt, res); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return progress()
	}
	for {
		cells, row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, fileError(err)
		}
		if *done++; *done%1000 == 0 && len(batch) == 0 {
			if err := progress(); err != nil {
				return res, err
			}
		}
		audited := *done <= opt.AuditedTo // by the run a crash stopped
		r, rowErrs := parse(header, cells, row, today)
		if len(rowErrs) > 0 {
			for _, e := range rowErrs {
				if err := addError(e); err != nil {
					return res, err
				}
			}
			continue
		}
		// A person of a split old commune is the importer's when one candidate is.
		if !r.Beneficiary.Within(units, opt.Actor.Unit) {
			if err := addError(header.OutOfScope(row)); err != nil {
				return res, err
			}
			continue
		}
		id := st.BeneficiaryID(r.Beneficiary.CCCD)
		if first, dup := seen[id]; dup {
			if err := addError(header.RepeatedCCCD(row, first)); err != nil {
				return res, err
			}
			continue
		}
		seen[id] = row
		r.Job = opt.Job
		stored, known := existing[id]
		switch {
		case known && !stored.Within(units, opt.Actor.Unit):
			// The record is another unit's: changing it is not ours, and neither is
			// saying so (the message names no unit). The department sees the row in
			// the record's history and settles it.
			if err := addError(header.HeldElsewhere(row)); err != nil {
				return res, err
			}
			if audited {
				continue
			}
			if err := st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: opt.Actor.Username, Role: opt.Actor.Role,
				Action: ansinh.ActionImportElsewhere, Target: "beneficiary:" + id, Unit: stored.Commune, IP: opt.IP,
				Detail: map[string]any{"file": opt.File, "row": row, "importer_unit": opt.Actor.Unit}}); err != nil {
				return res, err
			}
		case !known:
			if batch = append(batch, r); len(batch) == batchSize {
				if err := flush(); err != nil {
					return res, err
				}
			}
		case stored.Hash == st.RowHash(r) && opt.Job != "" && stored.Job == opt.Job+":i":
			res.Inserted++ // by this job's run that a crash stopped
		case stored.Hash == st.RowHash(r) && opt.Job != "" && stored.Job == opt.Job+":u":
			res.Updated++
			if !audited {
				if err := auditUpdate(ctx, st, r, now, opt, []string{"resumed"}); err != nil {
					return res, err
				}
			}
		case stored.Hash == st.RowHash(r) && opt.Job != "" && stored.Job == opt.Job+":r":
			res.ForReview++
		case stored.Hash == st.RowHash(r):
			res.Unchanged++
		default:
			if err := update(ctx, st, r, now, opt, res); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	if err := res.flushErrors(ctx, opt.Errors, true); err != nil {
		return res, err
	}
	err := st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: opt.Actor.Username, Role: opt.Actor.Role, Action: ansinh.ActionImport,
		Unit: opt.Actor.Unit, IP: opt.IP, Detail: map[string]any{
			"file": opt.File, "unit_set": opt.UnitSet, "inserted": res.Inserted, "updated": res.Updated, "unchanged": res.Unchanged, "errors": res.ErrorCount}})
	return res, err
}

func update(ctx context.Context, st Store, r *ansinh.ImportRow, now time.Time, opt Options, res *Result) error {
	changed, err := st.UpdateImported(ctx, r, now)
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		res.Unchanged++
		return nil
	}
	if slices.Contains(changed, ansinh.ChangedAccountForReview) {
		if err := review(ctx, st, r, opt, res); err != nil {
			return err
		}
		if len(changed) == 1 {
			return nil
		}
	}
	res.Updated++
	return auditUpdate(ctx, st, r, now, opt, changed)
}

// auditUpdate records a change an import made to a record; after a restart, the
// fields of a change the earlier run made are not known any more: "resumed".
func auditUpdate(ctx context.Context, st Store, r *ansinh.ImportRow, now time.Time, opt Options, changed []string) error {
	return st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: opt.Actor.Username, Role: opt.Actor.Role, Action: ansinh.ActionBeneficiaryUpdate,
		Target: "beneficiary:" + st.BeneficiaryID(r.Beneficiary.CCCD), Unit: r.Beneficiary.Commune, IP: opt.IP,
		Detail: map[string]any{"source": "import", "file": opt.File, "unit_set": opt.UnitSet, "row": r.Row, "fields": changed}})
}

// review sends the row's account to the commune's queue.
func review(ctx context.Context, st Store, r *ansinh.ImportRow, opt Options, res *Result) error {
	res.ForReview++
	if opt.Review == nil {
		return nil
	}
	b, err := st.Beneficiary(ctx, st.BeneficiaryID(r.Beneficiary.CCCD))
	if err != nil {
		return err
	}
	_, err = opt.Review.SubmitImported(ctx, b, r.Beneficiary.Account, opt.Actor, opt.File)
	if ansinh.ErrorCode(err) == ansinh.EINVALID {
		res.ForReview--
		res.addError(ansinh.RowError{Row: r.Row, Column: "so_tai_khoan", Message: ansinh.ErrorMessage(err)})
		return nil
	}
	return err
}

// vietnam is UTC+7, for "today" when checking birth dates.
var vietnam = time.FixedZone("ICT", 7*3600)

// FileError is the uploader's error for a file that cannot be read as a spreadsheet
// (any list, not only the beneficiaries').
func FileError(err error) error { return fileError(err) }

// checkFile reads every row of the file once, storing nothing, and counts the rows
// after the header.
func checkFile(file io.ReaderAt, size int64, name string) (int, error) {
	rd, err := sheet.Open(file, size, name)
	if err != nil {
		return 0, fileError(err)
	}
	defer rd.Close()
	for n := -1; ; n++ {
		_, _, err := rd.Next()
		if err == io.EOF {
			return max(n, 0), nil
		}
		if err != nil {
			return 0, fileError(err)
		}
	}
}

// Check reads the file's header as Import does first, and with whole set the whole file,
// storing nothing: an upload answered before its import runs is refused here when it
// cannot be imported. (A large file answered at once is read whole by its job, which
// fails with the same message before it stores anything.)
func Check(file io.ReaderAt, size int64, name string, whole bool) error {
	if whole {
		if _, err := checkFile(file, size, name); err != nil {
			return err
		}
	}
	rd, err := sheet.Open(file, size, name)
	if err != nil {
		return fileError(err)
	}
	defer rd.Close()
	cells, _, err := rd.Next()
	if err != nil {
		return fileError(err)
	}
	_, err = ansinh.MapImportHeader(cells)
	return err
}

func fileError(err error) error {
	switch {
	case errors.Is(err, sheet.ErrTooBig):
		return ansinh.Errorf(ansinh.EINVALID, ansinh.MsgFileLimits)
	case errors.Is(err, sheet.ErrEmpty):
		return ansinh.Errorf(ansinh.EINVALID, ansinh.MsgFileEmpty)
	case errors.Is(err, sheet.ErrNotSpreadsheet):
		return ansinh.Errorf(ansinh.EINVALID, ansinh.MsgFileUnreadable)
	}
	return fmt.Errorf("importer: %w", err)
}
