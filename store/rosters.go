package store

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"
)

// Rosters (issue 16). On the embedded store every filter but _id scans the whole
// collection, so "who is in this commune" must never be asked of the beneficiaries:
// a commune officer would pay for the whole city. Each commune keeps instead a few
// documents reachable by _id that answer its staff pages:
//
//	m:<commune>  who is in it: a line per person (members.go), in rosters
//	q:<commune>  its review queue: a line per pending submission (queuerosters.go), in queue_rosters
//	d:<commune>  its decided submissions: a line per decision or supersession, in decided_rosters
//
// People waiting for a commune are in m:_cho-chon-xa, where the counters count them;
// their submissions in q: and d: of the same key. Lists read the roster of each commune
// in scope and fetch the page's people by _id.
//
// Shape: one document per commune and kind, its entries lines of text, deflated. FerretDB
// turns every field and array element of a document into objects of its own when it
// reads or writes one: 1,500 entries as sub-documents took 150 ms to read, as a map of
// strings 25 ms, as one string 4 ms (measured on this machine, 2 cores, busy). A line
// holds no name, CCCD, account or phone: only the record's id (the CCCD's blind
// index), codes, and the folded name key the beneficiaries already keep for search.
// At 150,000 people a commune's m: document holds about 80 KB of lines, 25 KB deflated
// (MongoDB's 16 MB would be some 900,000 people in one commune).
//
// Upkeep. A line is never moved by a delta: every write of a record rewrites the line
// of that record from the record as it is at that moment, read again under the
// roster's lock (a "fresh" rewrite). So a repeat, a retry, the sweep or a repair can
// only make a line right, in whatever order they come; a move between communes
// rewrites the roster it left and the one it joined. The one exception is an insert,
// whose lines are known and written only where the key has no line yet.
//
// Concurrency. Rewriting a line reads the document and writes it back. On FerretDB
// (embedded, or in front of PostgreSQL) this process is the only writer and each
// document's rewrites are serialised by a lock of this process, keyed by database and
// document, not by Store, so that two Store values on one database cannot lose each
// other's lines; the filter stays _id alone (anything more scans the collection). On
// MongoDB several instances write: each rewrite compares and sets the document's
// version v. Rewrites that queue up behind one in flight are done together in the
// next, as the inserter batches inserts.

// Roster kinds.
const (
	rosterMembers  = "m"
	rosterQueue    = "q"
	rosterDecided  = "d"
	rosterMaxTries = 20
)

type rosterDoc struct {
	ID   string `bson:"_id"` // "<kind>:<unit>"
	Kind string `bson:"kind"`
	Unit string `bson:"unit"`
	V    int64  `bson:"v"` // bumped by every rewrite: MongoDB's rewrites compare and set it
	N    int    `bson:"n"`
	// Lines holds the entries, one a line in the kind's order, deflated: FerretDB reads a
	// document at the speed of its JSON, and a members roster deflates to under a third
	// (76 KB to 23 KB at 1,456 people; 103 of them read in 170 ms instead of 300).
	Lines []byte `bson:"z"`
}

func rosterID(kind, unit string) string { return kind + ":" + unit }

// lines splits a roster's entries. A roster that does not inflate reads as empty, and
// the reconcile reports every line of it missing.
func (d *rosterDoc) lines() []string {
	if d == nil || len(d.Lines) == 0 {
		return nil
	}
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	_ = r.(flate.Resetter).Reset(bytes.NewReader(d.Lines), nil)
	text, err := io.ReadAll(r)
	if err != nil || len(text) == 0 {
		return nil
	}
	return strings.Split(string(text), "\n")
}

// A deflater holds some 600 KB of tables and an inflater 40 KB: one each per roster
// rewrite was most of what the rewrites allocated, and the collector's work with it.
var (
	deflaters = sync.Pool{New: func() any { w, _ := flate.NewWriter(nil, flate.BestSpeed); return w }}
	inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
)

// packLines deflates a roster's lines.
func packLines(lines []string) []byte {
	var b bytes.Buffer
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&b)
	_, _ = io.WriteString(w, strings.Join(lines, "\n"))
	_ = w.Close()
	return b.Bytes()
}

// lineKey is the first field of a line: the record's key.
func lineKey(line string) string {
	if i := strings.IndexByte(line, ' '); i >= 0 {
		return line[:i]
	}
	return line
}

// rosterEntry is where a record belongs and its line there.
type rosterEntry struct{ unit, line string }

// rosterKind is what differs between the kinds of roster.
type rosterKind struct {
	name string
	// col is the kind's collection. The queue and decided rosters have their own, small
	// ones: a province's are read in one pass over it rather than a lookup per commune.
	col string
	// truth reads the records of keys as they are now: for each that exists, the roster
	// unit that holds it and its line.
	truth func(ctx context.Context, s *Store, keys []string) (map[string]rosterEntry, error)
	// scan reads every record of the kind, for a rebuild or a reconcile.
	scan func(ctx context.Context, db *mongo.Database, each func(key string, e rosterEntry)) error
	// less orders lines in the document.
	less func(a, b string) bool
}

func rosterKindOf(name string) *rosterKind {
	switch name {
	case rosterMembers:
		return membersRoster
	case rosterQueue:
		return queueRoster
	case rosterDecided:
		return decidedRoster
	}
	return nil
}

func allRosterKinds() []*rosterKind { return []*rosterKind{membersRoster, queueRoster, decidedRoster} }

// roster reads one roster; a roster never written is empty.
func (s *Store) roster(ctx context.Context, kind *rosterKind, unit string) (*rosterDoc, error) {
	var d rosterDoc
	err := s.rdb.Collection(kind.col).FindOne(ctx, bson.D{{Key: "_id", Value: rosterID(kind.name, unit)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return &rosterDoc{ID: rosterID(kind.name, unit), Kind: kind.name, Unit: unit}, nil
	}
	if err != nil {
		return nil, s.fail("read roster", err)
	}
	return &d, nil
}

// rosterScanAbove is how many rosters of a small kind (queue, decided) are read in one
// pass over its collection rather than one lookup each.
const rosterScanAbove = 8

// rosters reads the rosters of units, in their order: one _id lookup each on FerretDB
// (many of a small kind in one pass over its collection), one query on MongoDB, whose
// _id index answers $in.
func (s *Store) rosters(ctx context.Context, kind *rosterKind, units []string) ([]*rosterDoc, error) {
	out := make([]*rosterDoc, len(units))
	if s.ferret && (kind.col == colRosters || len(units) <= rosterScanAbove) || len(units) == 1 {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(lookupWorkers)
		for i, u := range units {
			g.Go(func() error {
				d, err := s.roster(gctx, kind, u)
				out[i] = d
				return err
			})
		}
		return out, g.Wait()
	}
	ids := make([]string, len(units))
	at := map[string]int{}
	for i, u := range units {
		ids[i] = rosterID(kind.name, u)
		at[ids[i]] = i
		out[i] = &rosterDoc{ID: ids[i], Kind: kind.name, Unit: u}
	}
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
	if s.ferret {
		filter = bson.D{}
	}
	cur, err := s.db.Collection(kind.col).Find(ctx, filter)
	if err != nil {
		return nil, s.fail("read rosters", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d rosterDoc
		if err := cur.Decode(&d); err != nil {
			return nil, s.fail("read rosters", err)
		}
		if i, ok := at[d.ID]; ok {
			out[i] = &d
		}
	}
	if err := cur.Err(); err != nil {
		return nil, s.fail("read rosters", err)
	}
	return out, nil
}

// rewrite brings the lines of keys in roster kind:unit up to date with their records
// (fresh), and adds the known lines of keys that have none. It returns once a rewrite
// that started after the call has ended.
func (s *Store) rewrite(ctx context.Context, kind *rosterKind, unit string, fresh []string, known map[string]string) error {
	if len(fresh) == 0 && len(known) == 0 {
		return nil
	}
	call := &rosterCall{fresh: fresh, known: known, done: make(chan error, 1)}
	w := rosterWriters.queue(s.db.Name(), rosterID(kind.name, unit))
	w.mu.Lock()
	w.calls = append(w.calls, call)
	lead := !w.busy
	w.busy = true
	w.mu.Unlock()
	if lead {
		go s.runRewrites(context.WithoutCancel(ctx), w, kind, unit)
	}
	if err := <-call.done; err != nil {
		return s.fail("rewrite roster", err)
	}
	return nil
}

// rewriteOne is rewrite of one key, fresh, in each of units (once each).
func (s *Store) rewriteOne(ctx context.Context, kind *rosterKind, key string, units ...string) error {
	var done []string
	for _, u := range units {
		if slices.Contains(done, u) {
			continue
		}
		done = append(done, u)
		if err := s.rewrite(ctx, kind, u, []string{key}, nil); err != nil {
			return err
		}
	}
	return nil
}

// rosterWriters holds, per database and roster, the rewrites waiting in this process.
// It is the process's, not a Store's: on FerretDB the lock must hold for every Store on
// the database.
var rosterWriters = &rosterWriterSet{queues: map[string]*rosterWriter{}}

type rosterWriterSet struct {
	mu     sync.Mutex
	queues map[string]*rosterWriter
}

type rosterWriter struct {
	mu    sync.Mutex
	busy  bool
	calls []*rosterCall
}

type rosterCall struct {
	fresh []string
	known map[string]string
	done  chan error
}

func (q *rosterWriterSet) queue(db, id string) *rosterWriter {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := db + "\x00" + id
	w := q.queues[k]
	if w == nil {
		w = &rosterWriter{}
		q.queues[k] = w
	}
	return w
}

// runRewrites does the waiting rewrites, all at once, until none waits.
func (s *Store) runRewrites(ctx context.Context, w *rosterWriter, kind *rosterKind, unit string) {
	for {
		w.mu.Lock()
		calls := w.calls
		w.calls = nil
		if len(calls) == 0 {
			w.busy = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		var fresh []string
		known := map[string]string{}
		for _, c := range calls {
			fresh = append(fresh, c.fresh...)
			for k, l := range c.known {
				known[k] = l
			}
		}
		slices.Sort(fresh)
		fresh = slices.Compact(fresh)
		tctx, cancel := context.WithTimeout(ctx, batchTimeout)
		err := s.rewriteNow(tctx, kind, unit, fresh, known)
		cancel()
		for _, c := range calls {
			c.done <- err
		}
	}
}

// rewriteNow reads the roster, applies the records' lines, and writes it back if it
// changed: compare-and-set on MongoDB, under this process's lock on FerretDB.
func (s *Store) rewriteNow(ctx context.Context, kind *rosterKind, unit string, fresh []string, known map[string]string) error {
	col := s.db.Collection(kind.col)
	for range rosterMaxTries {
		doc, err := s.roster(ctx, kind, unit)
		if err != nil {
			return err
		}
		truth, err := kind.truth(ctx, s, fresh)
		if err != nil {
			return err
		}
		lines := map[string]string{}
		for _, l := range doc.lines() {
			lines[lineKey(l)] = l
		}
		changed := false
		for _, k := range fresh {
			e, ok := truth[k]
			old, had := lines[k]
			switch {
			case ok && e.unit == unit && (!had || old != e.line):
				lines[k], changed = e.line, true
			case (!ok || e.unit != unit) && had:
				delete(lines, k)
				changed = true
			}
		}
		for k, l := range known {
			if _, had := lines[k]; !had {
				lines[k], changed = l, true
			}
		}
		if !changed {
			return nil
		}
		next := encodeRoster(kind, lines)
		versioned := s.ferret && kind == membersRoster
		if versioned { // no version while the roster changes (membercache.go)
			if err := s.setRosterVersion(ctx, doc.ID, 0); err != nil {
				return err
			}
		}
		if doc.V == 0 {
			d := rosterDoc{ID: doc.ID, Kind: kind.name, Unit: unit, V: 1, N: len(lines), Lines: next}
			if _, err := col.InsertOne(ctx, d); mongo.IsDuplicateKeyError(err) {
				continue // created meanwhile by another instance
			} else if err != nil {
				return err
			}
			if versioned {
				return s.setRosterVersion(ctx, doc.ID, 1)
			}
			return nil
		}
		filter := bson.D{{Key: "_id", Value: doc.ID}}
		if !s.ferret {
			filter = append(filter, bson.E{Key: "v", Value: doc.V})
		}
		res, err := col.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{
			{Key: "z", Value: next}, {Key: "n", Value: len(lines)}, {Key: "v", Value: doc.V + 1}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 1 {
			if versioned {
				return s.setRosterVersion(ctx, doc.ID, doc.V+1)
			}
			return nil
		}
		// another instance rewrote it first: read it again
	}
	return fmt.Errorf("roster %s: still changing after %d attempts", rosterID(kind.name, unit), rosterMaxTries)
}

func encodeRoster(kind *rosterKind, lines map[string]string) []byte {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return kind.less(out[i], out[j]) })
	return packLines(out)
}

// expectedRosters is every roster as the records say it should be.
func expectedRosters(ctx context.Context, db *mongo.Database) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, k := range allRosterKinds() {
		err := k.scan(ctx, db, func(key string, e rosterEntry) {
			id := rosterID(k.name, e.unit)
			if out[id] == nil {
				out[id] = map[string]string{}
			}
			out[id][key] = e.line
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rebuildRosters replaces every roster with one built from the records. Only for a
// store nobody writes to (a migration at start-up, a unit migration, a restore):
// lines rewritten during the rebuild would be lost.
func rebuildRosters(ctx context.Context, db *mongo.Database) error {
	want, err := expectedRosters(ctx, db)
	if err != nil {
		return err
	}
	if err := dropRosterVersions(ctx, db); err != nil {
		return err
	}
	for _, k := range allRosterKinds() {
		col := db.Collection(k.col)
		if _, err := col.DeleteMany(ctx, bson.D{}); err != nil {
			return err
		}
		var batch []any
		for id, lines := range want {
			kind, unit, _ := strings.Cut(id, ":")
			if kind != k.name {
				continue
			}
			batch = append(batch, rosterDoc{ID: id, Kind: kind, Unit: unit, V: 1, N: len(lines), Lines: encodeRoster(k, lines)})
			if len(batch) == 20 {
				if _, err := col.InsertMany(ctx, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			if _, err := col.InsertMany(ctx, batch); err != nil {
				return err
			}
		}
	}
	return nil
}

// RosterDrift is how one roster differs from its records: lines missing, lines of
// records that belong elsewhere (or nowhere), and lines that say something else than
// the record. Keys are record ids, receipts or event ids: no personal data.
type RosterDrift struct {
	Roster                string
	Missing, Extra, Wrong []string
}

// ReconcileRosters compares every roster with what the records say and, with repair,
// rewrites the lines that differ from their records. A line is rewritten from its
// record read again under the roster's lock, so a repair that meets a write in flight
// can only make it right: no second reading is needed, unlike the counters.
func (s *Store) ReconcileRosters(ctx context.Context, repair bool) ([]RosterDrift, error) {
	want, err := expectedRosters(ctx, s.db)
	if err != nil {
		return nil, s.fail("reconcile rosters", err)
	}
	have := map[string]map[string]string{}
	var docs []rosterDoc
	for _, k := range allRosterKinds() {
		cur, err := s.db.Collection(k.col).Find(ctx, bson.D{})
		if err != nil {
			return nil, s.fail("reconcile rosters", err)
		}
		var some []rosterDoc
		if err := cur.All(ctx, &some); err != nil {
			return nil, s.fail("reconcile rosters", err)
		}
		docs = append(docs, some...)
	}
	for i := range docs {
		m := map[string]string{}
		for _, l := range docs[i].lines() {
			m[lineKey(l)] = l
		}
		have[docs[i].ID] = m
	}
	ids := map[string]bool{}
	for id := range want {
		ids[id] = true
	}
	for id := range have {
		ids[id] = true
	}
	var out []RosterDrift
	for id := range ids {
		d := RosterDrift{Roster: id}
		for k, l := range want[id] {
			switch got, ok := have[id][k]; {
			case !ok:
				d.Missing = append(d.Missing, k)
			case got != l:
				d.Wrong = append(d.Wrong, k)
			}
		}
		for k := range have[id] {
			if _, ok := want[id][k]; !ok {
				d.Extra = append(d.Extra, k)
			}
		}
		if len(d.Missing)+len(d.Extra)+len(d.Wrong) == 0 {
			continue
		}
		slices.Sort(d.Missing)
		slices.Sort(d.Extra)
		slices.Sort(d.Wrong)
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Roster < out[j].Roster })
	if !repair {
		return out, nil
	}
	for _, d := range out {
		kind, unit, _ := strings.Cut(d.Roster, ":")
		keys := append(append(append([]string{}, d.Missing...), d.Extra...), d.Wrong...)
		if err := s.rewrite(ctx, rosterKindOf(kind), unit, keys, nil); err != nil {
			return out, err
		}
	}
	return out, nil
}

// unixMilli and fromMilli keep times in lines.
func unixMilli(t time.Time) string { return fmt.Sprint(t.UnixMilli()) }

// rosterLookups reads, by _id one at a time on FerretDB (where $in scans) or in one
// query on MongoDB, the documents of ids in collection col with the projection, and
// calls each with every one found.
func (s *Store) rosterLookups(ctx context.Context, col string, ids []string, projection bson.D, each func(bson.Raw) error) error {
	if len(ids) == 0 {
		return nil
	}
	c := s.rdb.Collection(col)
	one, many := options.FindOne(), options.Find()
	if projection != nil {
		one.SetProjection(projection)
		many.SetProjection(projection)
	}
	if s.ferret || len(ids) == 1 {
		for _, id := range ids {
			raw, err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, one).Raw()
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			if err != nil {
				return err
			}
			if err := each(raw); err != nil {
				return err
			}
		}
		return nil
	}
	cur, err := c.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, many)
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if err := each(cur.Current); err != nil {
			return err
		}
	}
	return cur.Err()
}
