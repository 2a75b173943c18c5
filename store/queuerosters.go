package store

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// A commune's review queue and its decided submissions are rosters too (rosters.go),
// so that its queue page reads one small document instead of the city's queue:
//
//	q:<commune>  <receipt> <submitted, unix ms> <channel> <beneficiary id> [<submissions>]   oldest first
//	d:<commune>  <event id> <at, unix ms> <status>                            newest first
//
// A q: line mirrors a queue document (the pending submission; the person's count of
// submissions where the queue document has it, so that the queue page need not walk
// the person's chain), a d: line a decision or
// supersession event ("<receipt>:decision", "<receipt>:superseded"). Submissions of a
// person waiting for a commune are stored with no commune; their lines are under
// ansinh.UnassignedKey until an officer chooses.

var queueRoster = &rosterKind{name: rosterQueue, col: colQueueRosters, truth: queueTruth, scan: scanQueue,
	less: func(a, b string) bool {
		qa, qb := parseQueueLine(a), parseQueueLine(b)
		return qa.at < qb.at || qa.at == qb.at && qa.receipt < qb.receipt
	}}

var decidedRoster = &rosterKind{name: rosterDecided, col: colDecidedRosters, truth: decidedTruth, scan: scanDecided,
	less: func(a, b string) bool {
		da, db := parseDecidedLine(a), parseDecidedLine(b)
		return da.at > db.at || da.at == db.at && da.id < db.id
	}}

// reviewUnit is the roster unit of a submission's commune.
func reviewUnit(commune string) string {
	if commune == "" {
		return ansinh.UnassignedKey
	}
	return commune
}

func queueEntry(d *queueDoc) rosterEntry {
	line := d.Receipt + " " + unixMilli(d.SubmittedAt) + " " + d.Channel + " " + d.BeneficiaryID
	if d.Submissions > 0 {
		line += " " + strconv.Itoa(d.Submissions)
	}
	return rosterEntry{unit: reviewUnit(d.Commune), line: line}
}

type queueLine struct {
	receipt, channel, beneficiary string
	at                            int64
	submissions                   int    // 0 in lines older than the count
	commune                       string // the commune whose roster it is in (not in the line)
}

func parseQueueLine(l string) queueLine {
	f := strings.SplitN(l, " ", 5)
	for len(f) < 5 {
		f = append(f, "")
	}
	at, _ := strconv.ParseInt(f[1], 10, 64)
	n, _ := strconv.Atoi(f[4])
	return queueLine{receipt: f[0], at: at, channel: f[2], beneficiary: f[3], submissions: n}
}

func queueTruth(ctx context.Context, s *Store, keys []string) (map[string]rosterEntry, error) {
	out := map[string]rosterEntry{}
	err := s.rosterLookups(ctx, colQueue, keys, nil, func(raw bson.Raw) error {
		var d queueDoc
		if err := bson.Unmarshal(raw, &d); err != nil {
			return err
		}
		out[d.Receipt] = queueEntry(&d)
		return nil
	})
	return out, err
}

func scanQueue(ctx context.Context, db *mongo.Database, each func(string, rosterEntry)) error {
	cur, err := db.Collection(colQueue).Find(ctx, bson.D{})
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d queueDoc
		if err := cur.Decode(&d); err != nil {
			return err
		}
		each(d.Receipt, queueEntry(&d))
	}
	return cur.Err()
}

func decidedEntry(d *registrationEventDoc) rosterEntry {
	return rosterEntry{unit: reviewUnit(d.Commune), line: d.ID + " " + unixMilli(d.At) + " " + d.Status}
}

type decidedLine struct {
	id, status string
	at         int64
}

func parseDecidedLine(l string) decidedLine {
	f := strings.SplitN(l, " ", 3)
	for len(f) < 3 {
		f = append(f, "")
	}
	at, _ := strconv.ParseInt(f[1], 10, 64)
	return decidedLine{id: f[0], at: at, status: f[2]}
}

var decidedProjection = bson.D{{Key: "_id", Value: 1}, {Key: "commune", Value: 1}, {Key: "at", Value: 1}, {Key: "status", Value: 1}}

func decidedTruth(ctx context.Context, s *Store, keys []string) (map[string]rosterEntry, error) {
	out := map[string]rosterEntry{}
	err := s.rosterLookups(ctx, colRegistrationEvents, keys, decidedProjection, func(raw bson.Raw) error {
		var d registrationEventDoc
		if err := bson.Unmarshal(raw, &d); err != nil {
			return err
		}
		out[d.ID] = decidedEntry(&d)
		return nil
	})
	return out, err
}

func scanDecided(ctx context.Context, db *mongo.Database, each func(string, rosterEntry)) error {
	cur, err := db.Collection(colRegistrationEvents).Find(ctx, bson.D{}, options.Find().SetProjection(decidedProjection).SetBatchSize(5000))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d registrationEventDoc
		if err := cur.Decode(&d); err != nil {
			return err
		}
		each(d.ID, decidedEntry(&d))
	}
	return cur.Err()
}

// syncQueued rewrites the queue line of receipt where its submission is queued now
// and in the rosters of communes (where it may have been).
func (s *Store) syncQueued(ctx context.Context, receipt string, communes ...string) error {
	var q queueDoc
	err := s.db.Collection(colQueue).FindOne(ctx, bson.D{{Key: "_id", Value: receipt}}).Decode(&q)
	if err == nil {
		communes = append(communes, q.Commune)
	} else if !errors.Is(err, mongo.ErrNoDocuments) {
		return s.fail("sync queue", err)
	}
	return s.rewriteOne(ctx, queueRoster, receipt, reviewUnits(communes)...)
}

// syncDecided rewrites the decided line of event id (a decision or a supersession)
// where its commune's roster is now, and in the rosters of communes.
func (s *Store) syncDecided(ctx context.Context, id string, communes ...string) error {
	var ev registrationEventDoc
	err := s.db.Collection(colRegistrationEvents).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(decidedProjection)).Decode(&ev)
	if err == nil {
		communes = append(communes, ev.Commune)
	} else if !errors.Is(err, mongo.ErrNoDocuments) {
		return s.fail("sync decided", err)
	}
	return s.rewriteOne(ctx, decidedRoster, id, reviewUnits(communes)...)
}

// reviewUnits are the roster units of communes.
func reviewUnits(communes []string) []string {
	units := make([]string, len(communes))
	for i, c := range communes {
		units[i] = reviewUnit(c)
	}
	return units
}

// queueLines reads the queue rosters of q's communes and keeps the lines of its
// filters, oldest first.
func (s *Store) queueLines(ctx context.Context, q QueueQuery) ([]queueLine, error) {
	docs, err := s.rosters(ctx, queueRoster, reviewUnits(q.Communes))
	if err != nil {
		return nil, err
	}
	from, to := int64(-1<<62), int64(1<<62)
	if !q.From.IsZero() {
		from = q.From.UnixMilli()
	}
	if !q.To.IsZero() {
		to = q.To.UnixMilli()
	}
	var out []queueLine
	for i, d := range docs {
		for _, l := range d.lines() {
			ql := parseQueueLine(l)
			ql.commune = q.Communes[i]
			if (q.Channel == "" || ql.channel == q.Channel) && ql.at >= from && ql.at < to {
				out = append(out, ql)
			}
		}
	}
	if len(docs) > 1 {
		sort.Slice(out, func(i, j int) bool {
			return out[i].at < out[j].at || out[i].at == out[j].at && out[i].receipt < out[j].receipt
		})
	}
	return out, nil
}

// Queue returns pending submissions, oldest first, and how many match: from the queue
// rosters of the communes. Each item's status comes from the decided rosters of the
// page's communes: a queued submission is pending unless a decision or a supersession
// was recorded and its step out of the queue is still to come.
func (s *Store) Queue(ctx context.Context, q QueueQuery) ([]QueueItem, int64, error) {
	lines, err := s.queueLines(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	end := int64(len(lines))
	if q.Limit > 0 {
		end = min(end, q.Skip+q.Limit)
	}
	out := []QueueItem{}
	var communes []string
	seen := map[string]bool{}
	for i := q.Skip; i < end; i++ {
		l := lines[i]
		out = append(out, QueueItem{Receipt: l.receipt, Commune: l.commune, BeneficiaryID: l.beneficiary, Channel: l.channel,
			SubmittedAt: time.UnixMilli(l.at).UTC(), Status: ansinh.StatusPending, Submissions: l.submissions})
		if !seen[l.commune] {
			seen[l.commune] = true
			communes = append(communes, l.commune)
		}
	}
	if len(out) == 0 {
		return out, int64(len(lines)), nil
	}
	ended, err := s.endedStatuses(ctx, communes)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		if st, ok := ended[out[i].Receipt]; ok {
			out[i].Status = st
		}
	}
	return out, int64(len(lines)), nil
}

// endedStatuses reads the decided rosters of communes: receipt → the status its events
// give (a decision wins over a supersession, as registrationStatus reads them).
func (s *Store) endedStatuses(ctx context.Context, communes []string) (map[string]string, error) {
	docs, err := s.rosters(ctx, decidedRoster, reviewUnits(communes))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, d := range docs {
		for _, l := range d.lines() {
			dl := parseDecidedLine(l)
			receipt, kind, _ := strings.Cut(dl.id, ":")
			if _, had := out[receipt]; !had || kind == "decision" {
				out[receipt] = dl.status
			}
		}
	}
	return out, nil
}

// Backlogs returns, per commune with any, the pending count and the oldest submission.
func (s *Store) Backlogs(ctx context.Context, communes []string) ([]Backlog, error) {
	docs, err := s.rosters(ctx, queueRoster, reviewUnits(communes))
	if err != nil {
		return nil, err
	}
	var out []Backlog
	for i, d := range docs {
		lines := d.lines()
		if len(lines) == 0 {
			continue
		}
		out = append(out, Backlog{Commune: communes[i], Pending: len(lines), Oldest: time.UnixMilli(parseQueueLine(lines[0]).at).UTC()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Oldest.Before(out[j].Oldest) })
	return out, nil
}

// Decided returns the receipts of decided submissions, newest first, and the total:
// from the decided rosters of the communes.
func (s *Store) Decided(ctx context.Context, q DecidedQuery) ([]string, int64, error) {
	docs, err := s.rosters(ctx, decidedRoster, reviewUnits(q.Communes))
	if err != nil {
		return nil, 0, err
	}
	var lines []decidedLine
	for _, d := range docs {
		for _, l := range d.lines() {
			dl := parseDecidedLine(l)
			kind := "decision"
			if q.Status == ansinh.StatusSuperseded {
				kind = "superseded"
			}
			if !strings.HasSuffix(dl.id, ":"+kind) || q.Status != "" && dl.status != q.Status {
				continue
			}
			lines = append(lines, dl)
		}
	}
	if len(docs) > 1 {
		sort.Slice(lines, func(i, j int) bool {
			return lines[i].at > lines[j].at || lines[i].at == lines[j].at && lines[i].id < lines[j].id
		})
	}
	end := int64(len(lines))
	if q.Limit > 0 {
		end = min(end, q.Skip+q.Limit)
	}
	out := []string{}
	for i := q.Skip; i < end; i++ {
		receipt, _, _ := strings.Cut(lines[i].id, ":")
		out = append(out, receipt)
	}
	return out, int64(len(lines)), nil
}
