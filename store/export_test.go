package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// DamageCountsForTest makes a commune's counters wrong, as a crash between two writes
// would.
func (s *Store) DamageCountsForTest(ctx context.Context, commune string) {
	_ = s.addCounts(ctx, commune, ansinh.Counts{Beneficiaries: 5, WithAccount: 2})
}

// FailAfterForTest makes the store's multi-step writes fail after the named step
// ("" never).
func (s *Store) FailAfterForTest(step string) {
	if step == "" {
		s.failAfter = nil
		return
	}
	s.failAfter = func(at string) error {
		if at == step {
			return errors.New("injected failure after " + step)
		}
		return nil
	}
}

// OpenDecisionsForTest counts the decisions still marked as being applied.
func (s *Store) OpenDecisionsForTest(ctx context.Context) int64 {
	n, _ := s.db.Collection(colDecisionsOpen).CountDocuments(ctx, bson.D{})
	return n
}

// CounterMovesForTest lists the moves a commune's counter still remembers.
func (s *Store) CounterMovesForTest(ctx context.Context, commune string) []string {
	var d struct {
		Moves []string `bson:"moves"`
	}
	_ = s.db.Collection(colCounters).FindOne(ctx, bson.D{{Key: "_id", Value: commune}}).Decode(&d)
	return d.Moves
}

// FailAfterForTest makes the migration fail after the named point (a step, or
// "<collection>/<batch>", "users/<n>"), as a crash there would.
func FailAfterForTest(m *UnitMigration, f func(point string) error) { m.failAfter = f }

// SetMigrationBatchForTest makes the migration's bulk writes smaller, so that a test
// can interrupt one in the middle of a step; the returned func restores the size.
func SetMigrationBatchForTest(n int) func() {
	old := migrationBatch
	migrationBatch = n
	return func() { migrationBatch = old }
}

// InsertLegacyReportForTest stores a frozen report the way builds before unit sets
// did: _id "<unit>:<month>", no unit_set.
func (s *Store) InsertLegacyReportForTest(ctx context.Context, unit, month, coverage string, at time.Time) error {
	_, err := s.db.Collection(colReports).InsertOne(ctx, bson.D{{Key: "_id", Value: unit + ":" + month}, {Key: "unit", Value: unit},
		{Key: "month", Value: month}, {Key: "submitted_by", Value: "so.ldtbxh"}, {Key: "submitted_at", Value: at.UTC()},
		{Key: "late", Value: false}, {Key: "coverage", Value: coverage}})
	return err
}

// UnstampForTest removes the unit_set of every document of the collection, as in a
// store made before unit sets existed.
func (s *Store) UnstampForTest(ctx context.Context, collection string) error {
	_, err := s.db.Collection(collection).UpdateMany(ctx, bson.D{}, bson.D{{Key: "$unset", Value: bson.D{{Key: "unit_set", Value: ""}}}})
	return err
}

// RawForTest returns one stored document as it is.
func (s *Store) RawForTest(ctx context.Context, collection, id string) (bson.Raw, error) {
	return s.db.Collection(collection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
}

// DumpForTest returns every document of every collection as plain JSON values, by
// collection and _id; import reports (random ids) are keyed by their file name, and
// encrypted fields (sealed with a random nonce) are left out.
func (s *Store) DumpForTest(ctx context.Context) (map[string]map[string]any, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, name := range names {
		cur, err := s.db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			return nil, err
		}
		out[name] = map[string]any{}
		for cur.Next(ctx) {
			ext, err := bson.MarshalExtJSON(cur.Current, true, false)
			if err != nil {
				return nil, err
			}
			var d map[string]any
			if err := json.Unmarshal(ext, &d); err != nil {
				return nil, err
			}
			dropSealed(d)
			key := fmt.Sprint(d["_id"])
			if name == colImports {
				key = fmt.Sprint(d["file"])
				delete(d, "_id")
			}
			out[name][key] = d
		}
		if err := cur.Err(); err != nil {
			return nil, err
		}
		cur.Close(ctx)
	}
	return out, nil
}

func dropSealed(d map[string]any) {
	for k, v := range d {
		if strings.HasSuffix(k, "_enc") {
			delete(d, k)
		} else if m, ok := v.(map[string]any); ok {
			dropSealed(m)
		}
	}
}

// DamageRosterForTest breaks roster kind:unit ("m", "q" or "d") as a crash or a lost
// write would: its first line dropped, its last line's flags changed (members) or time
// moved (queue, decided), and a line of a stranger added.
func (s *Store) DamageRosterForTest(ctx context.Context, kind, unit, stranger string) {
	d, err := s.roster(ctx, rosterKindOf(kind), unit)
	if err != nil {
		panic(err)
	}
	lines := d.lines()
	if len(lines) > 2 {
		lines = lines[1:]
		f := strings.SplitN(lines[len(lines)-1], " ", 3)
		f[1] = strings.Repeat("z", len(f[1]))
		lines[len(lines)-1] = strings.Join(f, " ")
	}
	lines = append(lines, stranger+" Baeu - nguoi la")
	if err := dropRosterVersions(ctx, s.db); err != nil {
		panic(err)
	}
	if _, err := s.db.Collection(rosterKindOf(kind).col).UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "kind", Value: kind}, {Key: "unit", Value: unit}, {Key: "z", Value: packLines(lines)},
			{Key: "v", Value: d.V + 1}}}}, options.UpdateOne().SetUpsert(true)); err != nil {
		panic(err)
	}
}

// RosterLinesForTest returns the lines of roster kind:unit.
func (s *Store) RosterLinesForTest(ctx context.Context, kind, unit string) []string {
	d, err := s.roster(ctx, rosterKindOf(kind), unit)
	if err != nil {
		panic(err)
	}
	return d.lines()
}

// SetExportScanForTest makes exports of at least n people (and a tenth of the store)
// read in one pass; the returned func restores the rule.
func SetExportScanForTest(n int64) func() {
	old := exportScanAbove
	exportScanAbove = n
	return func() { exportScanAbove = old }
}

// InsertLegacyChatForTest stores a conversation, an event and two outbox messages
// (one sent, one pending) the way builds before schema 9 did: in clear.
func (s *Store) InsertLegacyChatForTest(ctx context.Context, convID string, data map[string]string, eventKey, body, pendingID, sentID, payload string, at time.Time) error {
	if _, err := s.db.Collection(colConversations).InsertOne(ctx, bson.D{{Key: "_id", Value: convID}, {Key: "step", Value: "bank"},
		{Key: "data", Value: data}, {Key: "updated", Value: at.UTC()}}); err != nil {
		return err
	}
	if _, err := s.db.Collection(colEvents).InsertOne(ctx, bson.D{{Key: "_id", Value: eventKey}, {Key: "user", Value: "u"},
		{Key: "body", Value: body}, {Key: "received_at", Value: at.UTC()}}); err != nil {
		return err
	}
	for _, m := range []struct{ id, status string }{{pendingID, OutboxPending}, {sentID, OutboxSent}} {
		if _, err := s.db.Collection(colOutbox).InsertOne(ctx, bson.D{{Key: "_id", Value: m.id}, {Key: "channel", Value: "zalo"},
			{Key: "user", Value: "u"}, {Key: "payload", Value: payload}, {Key: "status", Value: m.status}, {Key: "created", Value: at.UTC()}}); err != nil {
			return err
		}
	}
	_, err := s.db.Collection(colOutboxPending).InsertOne(ctx, bson.D{{Key: "_id", Value: pendingID}, {Key: "next_at", Value: at.UTC()},
		{Key: "lease_until", Value: time.Time{}}, {Key: "attempts", Value: 0}, {Key: "gen", Value: int64(0)}})
	return err
}

// SetSchemaVersionForTest records an older schema version, so that the next open runs
// the steps after it again.
func (s *Store) SetSchemaVersionForTest(ctx context.Context, v int) error {
	_, err := s.db.Collection(colSchema).UpdateOne(ctx, bson.D{{Key: "_id", Value: "schema"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: v}}}})
	return err
}

// SealedForTest is how many documents the migrations of this open sealed in place.
func (s *Store) SealedForTest() int { return s.sealed }

// DropJobForTest removes a job's record alone, as a crash between its claim and its
// record would leave it.
func (s *Store) DropJobForTest(ctx context.Context, id string) error {
	_, err := s.db.Collection(colJobs).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return err
}

// ForgetSlotsForTest empties this process's memory of the attempt slots, as a restart
// would.
func (s *Store) ForgetSlotsForTest() { s.forgetSlots() }
