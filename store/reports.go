package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// reportDoc is a submitted monthly report (_id "<set>/<unit>:<YYYY-MM>"), frozen:
// inserted once, so a second submission is a conflict. Codes are reused across sets
// (old province 92 and the new city 92), hence the set in the key. Reports sent
// before sets existed keep their _id "<unit>:<YYYY-MM>" and are found by their stamp.
type reportDoc struct {
	ID          string    `bson:"_id"`
	Unit        string    `bson:"unit"`
	Month       string    `bson:"month"`
	SubmittedBy string    `bson:"submitted_by"`
	SubmittedAt time.Time `bson:"submitted_at"`
	Late        bool      `bson:"late"`
	Coverage    string    `bson:"coverage"`           // the frozen figures, JSON
	UnitSet     string    `bson:"unit_set,omitempty"` // the set its units belong to; empty: the store's first set
}

func reportID(set, unit, month string) string { return set + "/" + unit + ":" + month }

// SubmitReport freezes a report of the store's unit set.
func (s *Store) SubmitReport(ctx context.Context, r *ansinh.Report) error {
	cov, err := json.Marshal(r.Coverage)
	if err != nil {
		return err
	}
	// A report sent under the legacy key is the same report: sending again conflicts.
	if old, err := s.SubmittedReportIn(ctx, s.unitSet, r.Unit, r.Month); err != nil {
		return err
	} else if old != nil {
		return &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgReportSent}
	}
	_, err = s.db.Collection(colReports).InsertOne(ctx, reportDoc{ID: reportID(s.unitSet, r.Unit, r.Month), Unit: r.Unit, Month: r.Month,
		SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt.UTC(), Late: r.Late, Coverage: string(cov), UnitSet: s.unitSet})
	if mongo.IsDuplicateKeyError(err) {
		return &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgReportSent}
	}
	if err != nil {
		return s.fail("submit report", err)
	}
	return nil
}

// SubmittedReport returns a frozen report of the store's unit set, or nil when the
// unit has not sent it.
func (s *Store) SubmittedReport(ctx context.Context, unit, month string) (*ansinh.Report, error) {
	return s.SubmittedReportIn(ctx, s.unitSet, unit, month)
}

// SubmittedReportIn returns the frozen report of a unit of set, or nil when none was
// sent: under its own key, or under the legacy key when that report's set (stamped,
// or implied by the store's history) is set.
func (s *Store) SubmittedReportIn(ctx context.Context, set, unit, month string) (*ansinh.Report, error) {
	d, err := s.findReport(ctx, reportID(set, unit, month))
	if err != nil {
		return nil, err
	}
	if d == nil {
		if d, err = s.findReport(ctx, unit+":"+month); err != nil || d == nil {
			return nil, err
		}
		implied := d.UnitSet
		if implied == "" {
			if implied, err = s.firstUnitSet(ctx); err != nil {
				return nil, err
			}
		}
		if implied != set {
			return nil, nil
		}
		d.UnitSet = implied
	}
	r := &ansinh.Report{Unit: d.Unit, Month: d.Month, Status: ansinh.ReportSubmitted, SubmittedBy: d.SubmittedBy,
		SubmittedAt: d.SubmittedAt, Late: d.Late, Coverage: &ansinh.Coverage{}, UnitSet: d.UnitSet}
	if err := json.Unmarshal([]byte(d.Coverage), r.Coverage); err != nil {
		return nil, s.fail("read report", err)
	}
	return r, nil
}

func (s *Store) findReport(ctx context.Context, id string) (*reportDoc, error) {
	var d reportDoc
	err := s.db.Collection(colReports).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("find report", err)
	}
	return &d, nil
}

// snapshotDoc is the counters of every commune on one day (_id "YYYY-MM-DD") and in
// one month (_id "YYYY-MM"), each rewritten through the period so that it ends as the
// period's last state.
type snapshotDoc struct {
	ID       string                `bson:"_id"`
	At       time.Time             `bson:"at"`
	Communes map[string]counterDoc `bson:"communes"`
	UnitSet  string                `bson:"unit_set,omitempty"` // the set of the communes' codes; empty: the store's first set
}

// Snapshot records the current counters as today's and this month's figures.
func (s *Store) Snapshot(ctx context.Context, now time.Time) error {
	counts, err := s.Counts(ctx)
	if err != nil {
		return err
	}
	communes := make(map[string]counterDoc, len(counts))
	for code, c := range counts {
		communes[code] = toCounterDoc(code, c)
	}
	local := now.In(ansinh.Vietnam)
	for _, id := range []string{local.Format("2006-01-02"), local.Format("2006-01")} {
		_, err := s.db.Collection(colSnapshots).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
			snapshotDoc{ID: id, At: now.UTC(), Communes: communes, UnitSet: s.unitSet}, options.Replace().SetUpsert(true))
		if err != nil {
			return s.fail("snapshot", err)
		}
	}
	return nil
}

// SnapshotCounts returns the communes' counts of a day ("YYYY-MM-DD") or a month
// ("YYYY-MM") and the unit set of their codes; not found when none was taken.
func (s *Store) SnapshotCounts(ctx context.Context, period string) (map[string]ansinh.Counts, string, error) {
	var d snapshotDoc
	if err := s.db.Collection(colSnapshots).FindOne(ctx, bson.D{{Key: "_id", Value: period}}).Decode(&d); err != nil {
		return nil, "", s.fail("find snapshot", err)
	}
	// Another set's codes name other units: the caller carries them over (CarryCounts).
	set := d.UnitSet
	if set == "" {
		var err error
		if set, err = s.firstUnitSet(ctx); err != nil {
			return nil, "", err
		}
	}
	out := make(map[string]ansinh.Counts, len(d.Communes))
	for code, c := range d.Communes {
		out[code] = c.counts()
	}
	return out, set, nil
}
