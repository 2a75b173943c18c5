package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"ansinh"
)

type importDoc struct {
	ID        string      `bson:"_id"`
	By        string      `bson:"by"`
	Unit      string      `bson:"unit"`
	File      string      `bson:"file"`
	FileSet   string      `bson:"file_set,omitempty"` // the set the file's codes were in
	At        time.Time   `bson:"at"`
	Inserted  int         `bson:"inserted"`
	Updated   int         `bson:"updated"`
	Unchanged int         `bson:"unchanged"`
	Errors    []rowErrDoc `bson:"errors"`             // every error, or (with ErrorPages) the first few hundred
	UnitSet   string      `bson:"unit_set,omitempty"` // the set Unit and the rows' codes belong to; empty: the store's first set
	// ErrorCount counts every error of the file; ErrorPages are in import_errors.
	ErrorCount int `bson:"error_count,omitempty"`
	ErrorPages int `bson:"error_pages,omitempty"`
}

// importErrorsDoc is one page of an import's row errors, _id "report:page".
type importErrorsDoc struct {
	ID     string      `bson:"_id"`
	Errors []rowErrDoc `bson:"errors"`
}

func importErrorsID(report string, page int) string { return fmt.Sprintf("%s:%06d", report, page) }

type rowErrDoc struct {
	Row     int    `bson:"row"`
	Column  string `bson:"column"`
	Message string `bson:"message"`
}

// maxReportErrors bounds a stored report well below MongoDB's 16 MB document limit.
const maxReportErrors = 50_000

// NewImportID is a new unguessable report id, for the error pages stored before the
// report itself.
func NewImportID() string { return ansinh.RandomToken(12) }

// AddImportErrors stores one page of a running import's row errors.
func (s *Store) AddImportErrors(ctx context.Context, report string, page int, errs []ansinh.RowError) error {
	d := importErrorsDoc{ID: importErrorsID(report, page), Errors: make([]rowErrDoc, len(errs))}
	for i, e := range errs {
		d.Errors[i] = rowErrDoc(e)
	}
	// A job run again after a restart stores the same pages again: already there is done.
	if _, err := s.db.Collection(colImportErrors).InsertOne(ctx, d); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("save import errors", err)
	}
	return nil
}

// ImportErrors returns one page of a report's row errors (not found past the last).
func (s *Store) ImportErrors(ctx context.Context, report string, page int) ([]ansinh.RowError, error) {
	var d importErrorsDoc
	if err := s.db.Collection(colImportErrors).FindOne(ctx, bson.D{{Key: "_id", Value: importErrorsID(report, page)}}).Decode(&d); err != nil {
		return nil, s.fail("find import errors", err)
	}
	out := make([]ansinh.RowError, len(d.Errors))
	for i, e := range d.Errors {
		out[i] = ansinh.RowError(e)
	}
	return out, nil
}

// SaveImportReport stores a report under its id, or a new unguessable one it sets.
func (s *Store) SaveImportReport(ctx context.Context, r *ansinh.ImportReport) error {
	if r.ID == "" {
		r.ID = NewImportID()
	}
	d := importDoc{ID: r.ID, By: r.By, Unit: r.Unit, File: r.File, FileSet: r.UnitSet, At: r.At.UTC(), Inserted: r.Inserted,
		Updated: r.Updated, Unchanged: r.Unchanged, Errors: make([]rowErrDoc, 0, min(len(r.Errors), maxReportErrors)), UnitSet: s.unitSet,
		ErrorCount: r.ErrorCount, ErrorPages: r.ErrorPages}
	for _, e := range r.Errors[:min(len(r.Errors), maxReportErrors)] {
		d.Errors = append(d.Errors, rowErrDoc(e))
	}
	if _, err := s.db.Collection(colImports).InsertOne(ctx, d); err != nil {
		return s.fail("save import report", err)
	}
	return nil
}

// ImportReport returns a stored report.
func (s *Store) ImportReport(ctx context.Context, id string) (*ansinh.ImportReport, error) {
	var d importDoc
	if err := s.db.Collection(colImports).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, s.fail("find import report", err)
	}
	r := &ansinh.ImportReport{ID: d.ID, By: d.By, Unit: d.Unit, File: d.File, UnitSet: d.FileSet, At: d.At, Inserted: d.Inserted,
		Updated: d.Updated, Unchanged: d.Unchanged, Errors: make([]ansinh.RowError, len(d.Errors)), ErrorCount: d.ErrorCount, ErrorPages: d.ErrorPages}
	if r.ErrorCount == 0 {
		r.ErrorCount = len(d.Errors)
	}
	for i, e := range d.Errors {
		r.Errors[i] = ansinh.RowError(e)
	}
	return r, nil
}
