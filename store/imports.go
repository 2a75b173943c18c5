package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

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
	Errors    []rowErrDoc `bson:"errors"`
	UnitSet   string      `bson:"unit_set,omitempty"` // the set Unit and the rows' codes belong to; empty: the store's first set
}

type rowErrDoc struct {
	Row     int    `bson:"row"`
	Column  string `bson:"column"`
	Message string `bson:"message"`
}

// maxReportErrors bounds a stored report well below MongoDB's 16 MB document limit.
const maxReportErrors = 50_000

// SaveImportReport stores a report under a new unguessable id, which it sets.
func (s *Store) SaveImportReport(ctx context.Context, r *ansinh.ImportReport) error {
	r.ID = ansinh.RandomToken(12)
	d := importDoc{ID: r.ID, By: r.By, Unit: r.Unit, File: r.File, FileSet: r.UnitSet, At: r.At.UTC(), Inserted: r.Inserted,
		Updated: r.Updated, Unchanged: r.Unchanged, Errors: make([]rowErrDoc, 0, min(len(r.Errors), maxReportErrors)), UnitSet: s.unitSet}
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
		Updated: d.Updated, Unchanged: d.Unchanged, Errors: make([]ansinh.RowError, len(d.Errors))}
	for i, e := range d.Errors {
		r.Errors[i] = ansinh.RowError(e)
	}
	return r, nil
}
