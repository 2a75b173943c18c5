package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// auditDoc is one event of the append-only audit trail. Nothing in the code updates
// or deletes it.
type auditDoc struct {
	ID     bson.ObjectID  `bson:"_id"`
	At     time.Time      `bson:"at"`
	Actor  string         `bson:"actor"`
	Role   string         `bson:"role,omitempty"`
	Action string         `bson:"action"`
	Target string         `bson:"target,omitempty"`
	Unit   string         `bson:"unit,omitempty"`
	Set    string         `bson:"unit_set,omitempty"` // the unit set Unit belongs to
	IP     string         `bson:"ip,omitempty"`
	Detail map[string]any `bson:"detail,omitempty"`
}

// Audit appends an event to the audit trail.
func (s *Store) Audit(ctx context.Context, e *ansinh.AuditEvent) error {
	id := bson.NewObjectID()
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.ID = id.Hex()
	err := s.insert(ctx, colAudit, auditDoc{
		ID: id, At: e.At.UTC(), Actor: e.Actor, Role: string(e.Role), Action: e.Action,
		Target: e.Target, Unit: e.Unit, IP: e.IP, Detail: e.Detail, Set: s.unitSetOf(e.Unit),
	})
	if err != nil {
		return s.fail("audit", err)
	}
	return nil
}

// AuditFilter is ansinh.AuditFilter.
type AuditFilter = ansinh.AuditFilter

func auditQuery(f AuditFilter) bson.D {
	filter := bson.D{}
	for _, kv := range [][2]string{{"actor", f.Actor}, {"action", f.Action}, {"target", f.Target}} {
		if kv[1] != "" {
			filter = append(filter, bson.E{Key: kv[0], Value: kv[1]})
		}
	}
	if len(f.Actions) > 0 {
		filter = append(filter, bson.E{Key: "action", Value: bson.D{{Key: "$in", Value: f.Actions}}})
	}
	if f.Units != nil {
		filter = append(filter, bson.E{Key: "unit", Value: bson.D{{Key: "$in", Value: f.Units}}})
	}
	at := bson.D{}
	if !f.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: f.From.UTC()})
	}
	if !f.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: f.To.UTC()})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	return filter
}

// CountAuditEvents counts the events matching f (its Skip and Limit aside).
func (s *Store) CountAuditEvents(ctx context.Context, f AuditFilter) (int64, error) {
	n, err := s.db.Collection(colAudit).CountDocuments(ctx, auditQuery(f))
	if err != nil {
		return 0, s.fail("count audit", err)
	}
	return n, nil
}

// AuditEvents returns matching events, newest first.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]*ansinh.AuditEvent, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, ansinh.MaxAuditRows)
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(limit)
	if f.Skip > 0 {
		opts.SetSkip(f.Skip)
	}
	cur, err := s.db.Collection(colAudit).Find(ctx, auditQuery(f), opts)
	if err != nil {
		return nil, s.fail("list audit", err)
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("list audit", err)
	}
	out := make([]*ansinh.AuditEvent, 0, len(docs))
	for _, d := range docs {
		out = append(out, &ansinh.AuditEvent{ID: d.ID.Hex(), At: d.At, Actor: d.Actor, Role: ansinh.Role(d.Role),
			Action: d.Action, Target: d.Target, Unit: d.Unit, IP: d.IP, Detail: d.Detail})
	}
	return out, nil
}
