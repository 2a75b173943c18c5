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

// AuditEvents returns matching events, newest first.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]*ansinh.AuditEvent, error) {
	filter := bson.D{}
	for k, v := range map[string]string{"actor": f.Actor, "action": f.Action, "target": f.Target} {
		if v != "" {
			filter = append(filter, bson.E{Key: k, Value: v})
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	cur, err := s.db.Collection(colAudit).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(limit))
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
