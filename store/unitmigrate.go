package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// Moving a store to another unit set (issue 11). There are no transactions, so the
// move is a list of steps, each of which a re-run finishes: a step only writes what a
// scan shows still undone, by _id, and never maps a code twice (a beneficiary is moved
// with its unit_set in one single-document update; everything else follows the
// beneficiary's new commune, or is stamped when handled). A document in the schema
// collection, claimed by insert, records the steps done, so an interrupted run
// resumes and a finished one is a no-op. It runs with the service stopped: the
// counters are rebuilt by a recount, which would lose counts moved meanwhile.

const unitMigrationDocID = "unit_migration"

// The steps, in order.
const (
	stepStamp         = "stamp"         // frozen reports, snapshots, import reports keep their codes: stamp them with From
	stepBeneficiaries = "beneficiaries" // commune → the crosswalk's; a split commune → candidates
	stepRegistrations = "registrations" // submissions, the queue and decisions follow their beneficiary
	stepConversations = "conversations" // the chat's remembered commune follows the beneficiary
	stepCounters      = "counters"      // a recount
	stepRosters       = "rosters"       // every commune's rosters, rebuilt
	stepUsers         = "users"         // staff move to their unit's successor, or are locked with a reason
	stepRecord        = "record"        // the store's set is To
)

var unitMigrationSteps = []string{stepStamp, stepBeneficiaries, stepRegistrations, stepConversations, stepCounters, stepRosters, stepUsers, stepRecord}

// Unfinished and finished migrations.
const (
	migrationRunning = "running"
	migrationDone    = "done"
)

type unitMigrationDoc struct {
	ID         string    `bson:"_id"`
	From       string    `bson:"from"`
	To         string    `bson:"to"`
	State      string    `bson:"state"`
	Steps      []string  `bson:"steps"`
	StartedAt  time.Time `bson:"started_at"`
	FinishedAt time.Time `bson:"finished_at,omitempty"`
}

// UnitMigration asks to move the store's live data from one unit set to another. The
// store must write in To (Options.UnitSet).
type UnitMigration struct {
	Sets     *ansinh.UnitSets
	From, To string
	DryRun   bool // only plan
	Now      time.Time
	// FinishDecisions applies the decisions left half-done (registration.Service's
	// ApplyOpenDecisions); the migration runs it first and refuses while any is left.
	FinishDecisions func(context.Context) error
	// failAfter lets tests interrupt the run after a step or a batch (the point's name).
	failAfter func(point string) error
}

// ErrUnitBlockers refuses a migration whose plan has blockers.
var ErrUnitBlockers = errors.New("store: unit migration: the plan has blockers")

// ErrUnfinishedDecisions refuses a migration while decisions are left half-applied.
var ErrUnfinishedDecisions = errors.New("store: unit migration: decisions or submissions are left half-applied; finish them first (start the service once, or run the sweep)")

// UnitMove counts the people of one commune of the old set who go to one of the new.
type UnitMove struct {
	From, To string
	People   int
}

// UnitWait counts the people of a split commune who will wait for an officer's choice
// among the candidates ("cần chọn xã").
type UnitWait struct {
	From       string
	Candidates []string
	People     int
}

// UserUnitChange is what happens to one staff account.
type UserUnitChange struct {
	Username string
	Role     ansinh.Role
	From, To string // To empty when the account is locked
	Disabled bool
	Reason   string // the Vietnamese sentence shown at login
}

// UnitPlan is what a migration does (or did).
type UnitPlan struct {
	From, To      string
	Moves         []UnitMove // by From, To
	Waiting       []UnitWait
	People        int // beneficiaries still to move
	AlreadyMoved  int // beneficiaries already in To (a resumed migration)
	Registrations int // submissions, queue entries and decisions whose commune changes
	Conversations int
	Users         []UserUnitChange // still to move or lock
	Reports       int              // frozen reports, snapshots and import reports to stamp with From
	Blockers      []string
	StepsDone     []string // by an interrupted earlier run
	Done          bool     // the migration had finished before: nothing was done
}

// UsersMoved and UsersDisabled count the plan's staff accounts.
func (p *UnitPlan) UsersMoved() int    { return p.users(false) }
func (p *UnitPlan) UsersDisabled() int { return p.users(true) }

func (p *UnitPlan) users(disabled bool) int {
	n := 0
	for _, u := range p.Users {
		if u.Disabled == disabled {
			n++
		}
	}
	return n
}

// WaitingPeople counts the people who will wait for a choice.
func (p *UnitPlan) WaitingPeople() int {
	n := 0
	for _, w := range p.Waiting {
		n += w.People
	}
	return n
}

// MigrateUnits plans the move and, unless m.DryRun, carries it out; a plan with
// blockers is returned with ErrUnitBlockers and nothing changed. Re-running after an
// interruption finishes the move; running a finished one again does nothing.
func (s *Store) MigrateUnits(ctx context.Context, m UnitMigration) (*UnitPlan, error) {
	if m.Sets == nil {
		return nil, errors.New("store: unit migration: no unit sets")
	}
	if m.Now.IsZero() {
		m.Now = time.Now()
	}
	if !m.DryRun && s.unitSet != m.To {
		return nil, fmt.Errorf("store: unit migration: the store writes in %s, not %s", s.unitSet, m.To)
	}
	prev, err := s.unitMigrationDoc(ctx)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.From == m.From && prev.To == m.To && prev.State == migrationDone {
		return &UnitPlan{From: m.From, To: m.To, Done: true, StepsDone: prev.Steps}, nil
	}
	if prev != nil && prev.State == migrationRunning && (prev.From != m.From || prev.To != m.To) {
		return nil, fmt.Errorf("store: unit migration: a migration from %s to %s is unfinished: finish it first (ansinh units migrate -to %s)",
			prev.From, prev.To, prev.To)
	}
	p, w, err := s.planUnits(ctx, m)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.State == migrationRunning {
		p.StepsDone = prev.Steps
	}
	if len(p.Blockers) > 0 {
		return p, ErrUnitBlockers
	}
	if m.DryRun {
		return p, nil
	}
	// A decision left half-applied would move counters under its old commune's code
	// after the recount: finish every one first.
	if m.FinishDecisions != nil {
		if err := m.FinishDecisions(ctx); err != nil {
			return p, err
		}
	}
	if n, err := s.UnfinishedDecisions(ctx); err != nil {
		return p, err
	} else if n > 0 {
		return p, ErrUnfinishedDecisions
	}
	// Likewise a submission accepted and not yet through its steps, whose commune is the
	// old set's (FinishDecisions takes them through first).
	if n, err := s.db.Collection(colAccepted).EstimatedDocumentCount(ctx); err != nil {
		return p, s.fail("unit migration: accepted registrations", err)
	} else if n > 0 {
		return p, ErrUnfinishedDecisions
	}
	doc, err := s.claimUnitMigration(ctx, m)
	if err != nil {
		return p, err
	}
	for _, step := range unitMigrationSteps {
		if slices.Contains(doc.Steps, step) {
			continue
		}
		if err := s.runUnitStep(ctx, m, doc, w, step); err != nil {
			return p, fmt.Errorf("store: unit migration: %s: %w", step, err)
		}
		if _, err := s.db.Collection(colSchema).UpdateOne(ctx, bson.D{{Key: "_id", Value: unitMigrationDocID}},
			bson.D{{Key: "$addToSet", Value: bson.D{{Key: "steps", Value: step}}}}); err != nil {
			return p, s.fail("unit migration: record step", err)
		}
		if err := m.fail(step); err != nil {
			return p, err
		}
	}
	_, err = s.db.Collection(colSchema).UpdateOne(ctx, bson.D{{Key: "_id", Value: unitMigrationDocID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: migrationDone}, {Key: "finished_at", Value: m.Now.UTC()}}}})
	if err != nil {
		return p, s.fail("unit migration: finish", err)
	}
	return p, nil
}

func (m *UnitMigration) fail(point string) error {
	if m.failAfter == nil {
		return nil
	}
	return m.failAfter(point)
}

func (s *Store) unitMigrationDoc(ctx context.Context) (*unitMigrationDoc, error) {
	var d unitMigrationDoc
	err := s.db.Collection(colSchema).FindOne(ctx, bson.D{{Key: "_id", Value: unitMigrationDocID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("unit migration: read", err)
	}
	return &d, nil
}

// claimUnitMigration inserts the migration document, or takes up the unfinished one
// of the same move. A finished document of an earlier move makes way for this one.
func (s *Store) claimUnitMigration(ctx context.Context, m UnitMigration) (*unitMigrationDoc, error) {
	col := s.db.Collection(colSchema)
	doc := &unitMigrationDoc{ID: unitMigrationDocID, From: m.From, To: m.To, State: migrationRunning, Steps: []string{},
		StartedAt: m.Now.UTC().Truncate(time.Millisecond)}
	for range 2 {
		_, err := col.InsertOne(ctx, doc)
		if err == nil {
			break
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, s.fail("unit migration: claim", err)
		}
		prev, err := s.unitMigrationDoc(ctx)
		if err != nil {
			return nil, err
		}
		if prev == nil {
			continue
		}
		if prev.From == m.From && prev.To == m.To && prev.State == migrationRunning {
			doc = prev
			break
		}
		if prev.State != migrationDone {
			return nil, fmt.Errorf("store: unit migration: a migration from %s to %s is unfinished", prev.From, prev.To)
		}
		if _, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: unitMigrationDocID}, {Key: "state", Value: migrationDone}}); err != nil {
			return nil, s.fail("unit migration: claim", err)
		}
	}
	// A store made before unit sets recorded none: its history starts with From, so
	// that documents stamped with no set are read as From's.
	stored, err := s.StoredUnitSet(ctx)
	if err != nil {
		return nil, err
	}
	if stored == "" {
		if err := s.RecordUnitSet(ctx, m.From, m.Now); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// unitWork is what the plan found, for the steps to write.
type unitWork struct {
	commune map[string]string   // beneficiary id → its commune in To ("" while waiting)
	moves   map[string]benMove  // beneficiaries still to move
	regs    map[string][]docFix // collection → documents whose commune changes
	convs   []docFix
	users   []UserUnitChange
	stamps  map[string][]string // collection → ids to stamp with From
}

type benMove struct {
	commune    string
	candidates []string
	hadCands   bool
}

type docFix struct {
	id      string
	commune string // "" with unset: drop the field
	unset   bool
}

// planUnits scans everything that holds a unit code, once, and works out the move.
func (s *Store) planUnits(ctx context.Context, m UnitMigration) (*UnitPlan, *unitWork, error) {
	p := &UnitPlan{From: m.From, To: m.To}
	w := &unitWork{commune: map[string]string{}, moves: map[string]benMove{}, regs: map[string][]docFix{}, stamps: map[string][]string{}}
	from, okFrom := m.Sets.Get(m.From)
	to, okTo := m.Sets.Get(m.To)
	switch {
	case !okFrom:
		p.Blockers = append(p.Blockers, fmt.Sprintf("unknown unit set %q", m.From))
	case !okTo:
		p.Blockers = append(p.Blockers, fmt.Sprintf("unknown unit set %q", m.To))
	case m.From == m.To:
		p.Blockers = append(p.Blockers, fmt.Sprintf("the store is already in %s", m.To))
	case !m.Sets.Leads(m.From, m.To):
		p.Blockers = append(p.Blockers, fmt.Sprintf("no crosswalk leads from %s to %s", m.From, m.To))
	}
	if len(p.Blockers) > 0 {
		return p, w, nil
	}
	if err := s.planStamps(ctx, p, w); err != nil {
		return nil, nil, err
	}
	if err := s.planBeneficiaries(ctx, m, p, w); err != nil {
		return nil, nil, err
	}
	if err := s.planRegistrations(ctx, m, p, w); err != nil {
		return nil, nil, err
	}
	if err := s.planConversations(ctx, p, w); err != nil {
		return nil, nil, err
	}
	if err := s.planUsers(ctx, m, from, to, p, w); err != nil {
		return nil, nil, err
	}
	return p, w, nil
}

// mapCommune is where a commune of From (or a person waiting among candidates of
// From) lies in To: one commune, or the candidates of a split.
func mapCommune(m UnitMigration, commune string, candidates []string) ([]string, error) {
	olds := candidates
	if commune != "" {
		olds = []string{commune}
	}
	if len(olds) == 0 {
		return nil, errors.New("no commune")
	}
	var out []string
	for _, c := range olds {
		mp, err := m.Sets.Map(m.From, m.To, c)
		if err != nil {
			return nil, err
		}
		for _, n := range mp.Communes {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *Store) planStamps(ctx context.Context, p *UnitPlan, w *unitWork) error {
	for _, name := range []string{colReports, colSnapshots, colImports} {
		cur, err := s.db.Collection(name).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "unit_set", Value: 1}}))
		if err != nil {
			return s.fail("unit migration: scan "+name, err)
		}
		var docs []struct {
			ID      string `bson:"_id"`
			UnitSet string `bson:"unit_set"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return s.fail("unit migration: scan "+name, err)
		}
		for _, d := range docs {
			if d.UnitSet == "" {
				w.stamps[name] = append(w.stamps[name], d.ID)
				p.Reports++
			}
		}
	}
	return nil
}

// blockerLimit keeps the plan readable when a whole list is wrong.
const blockerLimit = 20

func (p *UnitPlan) block(format string, args ...any) {
	if len(p.Blockers) == blockerLimit {
		p.Blockers = append(p.Blockers, "… and more")
	}
	if len(p.Blockers) < blockerLimit {
		p.Blockers = append(p.Blockers, fmt.Sprintf(format, args...))
	}
}

func (s *Store) planBeneficiaries(ctx context.Context, m UnitMigration, p *UnitPlan, w *unitWork) error {
	cur, err := s.db.Collection(colBeneficiaries).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "_id", Value: 1}, {Key: "commune", Value: 1}, {Key: "unit_set", Value: 1}, {Key: "candidates", Value: 1}}).SetBatchSize(5000))
	if err != nil {
		return s.fail("unit migration: scan beneficiaries", err)
	}
	defer cur.Close(ctx)
	type key struct{ from, to string }
	moves := map[key]int{}
	waits := map[string]*UnitWait{}
	bad := map[string]int{}
	for cur.Next(ctx) {
		var d struct {
			ID         string   `bson:"_id"`
			Commune    string   `bson:"commune"`
			UnitSet    string   `bson:"unit_set"`
			Candidates []string `bson:"candidates"`
		}
		if err := cur.Decode(&d); err != nil {
			return s.fail("unit migration: scan beneficiaries", err)
		}
		if d.UnitSet == m.To {
			w.commune[d.ID] = d.Commune
			p.AlreadyMoved++
			continue
		}
		if d.UnitSet != "" && d.UnitSet != m.From {
			bad[fmt.Sprintf("beneficiaries of unit set %s (neither %s nor %s)", d.UnitSet, m.From, m.To)]++
			continue
		}
		news, err := mapCommune(m, d.Commune, d.Candidates)
		if err != nil {
			bad[fmt.Sprintf("beneficiaries in commune %q: %v", d.Commune, err)]++
			continue
		}
		oldKey := d.Commune
		if oldKey == "" {
			oldKey = "(" + strings.Join(d.Candidates, "|") + ")"
		}
		mv := benMove{hadCands: len(d.Candidates) > 0}
		if len(news) == 1 {
			mv.commune = news[0]
			moves[key{oldKey, news[0]}]++
		} else {
			mv.candidates = news
			if waits[oldKey] == nil {
				waits[oldKey] = &UnitWait{From: oldKey, Candidates: news}
			}
			waits[oldKey].People++
		}
		w.moves[d.ID] = mv
		w.commune[d.ID] = mv.commune
		p.People++
	}
	if err := cur.Err(); err != nil {
		return s.fail("unit migration: scan beneficiaries", err)
	}
	for k, n := range moves {
		p.Moves = append(p.Moves, UnitMove{From: k.from, To: k.to, People: n})
	}
	sort.Slice(p.Moves, func(i, j int) bool {
		a, b := p.Moves[i], p.Moves[j]
		return a.From < b.From || a.From == b.From && a.To < b.To
	})
	for _, wt := range waits {
		p.Waiting = append(p.Waiting, *wt)
	}
	sort.Slice(p.Waiting, func(i, j int) bool { return p.Waiting[i].From < p.Waiting[j].From })
	reasons := make([]string, 0, len(bad))
	for r := range bad {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		p.block("%d %s", bad[r], r)
	}
	return nil
}

// planRegistrations: a submission, its queue entry and its decisions carry the
// commune of their beneficiary, so they take the beneficiary's new one; a person of a
// split commune waits with commune "" and so do their submissions, until an officer
// chooses (the one who settles the person moves them).
func (s *Store) planRegistrations(ctx context.Context, m UnitMigration, p *UnitPlan, w *unitWork) error {
	for _, name := range []string{colRegistrations, colQueue, colRegistrationEvents} {
		cur, err := s.db.Collection(name).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
			{Key: "_id", Value: 1}, {Key: "commune", Value: 1}, {Key: "beneficiary_id", Value: 1}}).SetBatchSize(5000))
		if err != nil {
			return s.fail("unit migration: scan "+name, err)
		}
		var docs []struct {
			ID            string `bson:"_id"`
			Commune       string `bson:"commune"`
			BeneficiaryID string `bson:"beneficiary_id"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return s.fail("unit migration: scan "+name, err)
		}
		orphans := 0
		for _, d := range docs {
			target, ok := w.commune[d.BeneficiaryID]
			if !ok {
				orphans++
				continue
			}
			if d.Commune != target {
				w.regs[name] = append(w.regs[name], docFix{id: d.ID, commune: target})
				p.Registrations++
			}
		}
		if orphans > 0 {
			p.block("%d %s name no beneficiary of the store", orphans, name)
		}
	}
	return nil
}

// planConversations: the chat remembers the commune of the person it talks with; it
// follows the beneficiary, and is dropped when the chat knows no beneficiary (the next
// look-up fills it in again).
func (s *Store) planConversations(ctx context.Context, p *UnitPlan, w *unitWork) error {
	cur, err := s.db.Collection(colConversations).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "_id", Value: 1}, {Key: "data.commune", Value: 1}, {Key: "data.beneficiary_id", Value: 1}}))
	if err != nil {
		return s.fail("unit migration: scan conversations", err)
	}
	var docs []struct {
		ID   string            `bson:"_id"`
		Data map[string]string `bson:"data"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return s.fail("unit migration: scan conversations", err)
	}
	for _, d := range docs {
		commune, has := d.Data["commune"]
		if !has {
			continue
		}
		target, known := w.commune[d.Data["beneficiary_id"]]
		switch {
		case !known:
			w.convs = append(w.convs, docFix{id: d.ID, unset: true})
		case commune != target:
			w.convs = append(w.convs, docFix{id: d.ID, commune: target})
		default:
			continue
		}
		p.Conversations++
	}
	return nil
}

// planUsers: a user on the root moves to the new root, a commune officer to the
// commune's successor; an officer of a unit that has no single successor (a dissolved
// district, a merged province, a split commune, a code in no list) is locked with the
// reason, which login shows: giving a district officer the whole city would show them
// every commune's personal data (least privilege, Law 91/2025).
func (s *Store) planUsers(ctx context.Context, m UnitMigration, from, to *ansinh.UnitSet, p *UnitPlan, w *unitWork) error {
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return s.fail("unit migration: scan users", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return s.fail("unit migration: scan users", err)
	}
	date := to.From
	if date.IsZero() {
		date = m.Now
	}
	when := date.In(ansinh.Vietnam).Format("02/01/2006")
	for _, d := range docs {
		if d.UnitSet == m.To {
			continue
		}
		c := UserUnitChange{Username: d.Username, Role: ansinh.Role(d.Role), From: d.Unit}
		u, ok := from.Units.Get(d.Unit)
		switch {
		case !ok:
			c.Disabled, c.Reason = true, ansinh.MsgUnitUnknown(d.Unit, when)
		case u.Parent == "":
			c.To = to.Units.Root.Code
		case u.Leaf():
			mp, err := m.Sets.Map(m.From, m.To, u.Code)
			switch {
			case err != nil:
				c.Disabled, c.Reason = true, ansinh.MsgUnitUnknown(d.Unit, when)
			case !mp.Whole():
				c.Disabled, c.Reason = true, ansinh.MsgUnitSplit(u.Name, when)
			default:
				c.To = mp.Communes[0]
			}
		case u.Level == "district":
			c.Disabled, c.Reason = true, ansinh.MsgUnitDissolved(u.Name, when)
		default:
			c.Disabled, c.Reason = true, ansinh.MsgUnitMerged(u.Name, when)
		}
		w.users = append(w.users, c)
	}
	p.Users = w.users
	return nil
}

func (s *Store) runUnitStep(ctx context.Context, m UnitMigration, doc *unitMigrationDoc, w *unitWork, step string) error {
	switch step {
	case stepStamp:
		for _, name := range []string{colReports, colSnapshots, colImports} {
			var models []mongo.WriteModel
			for _, id := range w.stamps[name] {
				models = append(models, mongo.NewUpdateOneModel().
					SetFilter(bson.D{{Key: "_id", Value: id}}).
					SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "unit_set", Value: m.From}}}}))
			}
			if err := s.bulk(ctx, m, name, models); err != nil {
				return err
			}
		}
	case stepBeneficiaries:
		ids := make([]string, 0, len(w.moves))
		for id := range w.moves {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		models := make([]mongo.WriteModel, 0, len(ids))
		for _, id := range ids {
			mv := w.moves[id]
			set := bson.D{{Key: "commune", Value: mv.commune}, {Key: "unit_set", Value: m.To}}
			update := bson.D{}
			if mv.candidates != nil {
				set = append(set, bson.E{Key: "candidates", Value: mv.candidates})
			} else if mv.hadCands {
				update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "candidates", Value: ""}}})
			}
			update = append(bson.D{{Key: "$set", Value: set}}, update...)
			// _id alone: any other condition makes the embedded store scan per document.
			// The scan just before, with the service stopped, is what keeps a code from
			// being mapped twice: commune and unit_set change in one document update.
			models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).SetUpdate(update))
		}
		return s.bulk(ctx, m, colBeneficiaries, models)
	case stepRegistrations:
		for _, name := range []string{colRegistrations, colQueue, colRegistrationEvents} {
			models := make([]mongo.WriteModel, 0, len(w.regs[name]))
			for _, f := range w.regs[name] {
				models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: f.id}}).
					SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: "commune", Value: f.commune}}}}))
			}
			if err := s.bulk(ctx, m, name, models); err != nil {
				return err
			}
		}
	case stepConversations:
		models := make([]mongo.WriteModel, 0, len(w.convs))
		for _, f := range w.convs {
			update := bson.D{{Key: "$set", Value: bson.D{{Key: "data.commune", Value: f.commune}}}}
			if f.unset {
				update = bson.D{{Key: "$unset", Value: bson.D{{Key: "data.commune", Value: ""}}}}
			}
			models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: f.id}}).SetUpdate(update))
		}
		return s.bulk(ctx, m, colConversations, models)
	case stepCounters:
		if err := recountInto(ctx, s.db); err != nil {
			return s.fail("unit migration: recount", err)
		}
	case stepRosters:
		if err := rebuildRosters(ctx, s.db); err != nil {
			return s.fail("unit migration: rosters", err)
		}
	case stepUsers:
		for i, c := range w.users {
			if err := s.migrateUser(ctx, m, doc, c); err != nil {
				return err
			}
			if err := m.fail(fmt.Sprintf("%s/%d", stepUsers, i)); err != nil {
				return err
			}
		}
	case stepRecord:
		return s.recordUnitMigration(ctx, m, doc, w)
	}
	return nil
}

// migrationBatch bounds one bulk write. Embedded FerretDB v1.24 was seen to stall on a
// bulk whose updates come to about 16 KB (100 of these, 150 smaller ones): its update
// command keeps the read of every update in it open until the command ends
// (handler/msg_update.go defers each iterator's Close inside its loop). On PostgreSQL
// each open read holds one of the pool's 50 connections, so a bulk of 50 waits forever
// for the connection its first write needs. 20 stay well below both and still save
// most of the round trips.
var migrationBatch = 20

func (s *Store) bulk(ctx context.Context, m UnitMigration, name string, models []mongo.WriteModel) error {
	for i := 0; i < len(models); i += migrationBatch {
		batch := models[i:min(i+migrationBatch, len(models))]
		if _, err := s.db.Collection(name).BulkWrite(ctx, batch, options.BulkWrite().SetOrdered(false)); err != nil {
			return s.fail("unit migration: write "+name, err)
		}
		if err := m.fail(fmt.Sprintf("%s/%d", name, i/migrationBatch)); err != nil {
			return err
		}
	}
	return nil
}

// migrateUser audits, ends the sessions of a locked account, then moves or locks it
// and stamps it with To. Each write is safe to replay: the audit event's _id is fixed
// by the migration and the user, the user update is guarded by the stamp.
func (s *Store) migrateUser(ctx context.Context, m UnitMigration, doc *unitMigrationDoc, c UserUnitChange) error {
	e := auditDoc{ID: migrationEventID(doc, "user:"+c.Username), At: m.Now.UTC(), Actor: "system", Action: ansinh.ActionUserUnitMove,
		Target: "user:" + c.Username, Unit: c.To, Set: s.unitSetOf(c.To), Detail: map[string]any{
			"role": string(c.Role), "from_set": m.From, "from_unit": c.From, "to_set": m.To, "to_unit": c.To, "disabled": c.Disabled}}
	if c.Disabled {
		e.Detail["reason"] = c.Reason
	}
	if _, err := s.db.Collection(colAudit).InsertOne(ctx, e); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("unit migration: audit user", err)
	}
	set := bson.D{{Key: "unit_set", Value: m.To}}
	if c.Disabled {
		if _, err := s.db.Collection(colSessions).DeleteMany(ctx, bson.D{{Key: "username", Value: c.Username}}); err != nil {
			return s.fail("unit migration: end sessions", err)
		}
		// The old code stays beside the lock: an administrator who re-opens the account
		// gives it a unit of the new set.
		set = append(set, bson.E{Key: "disabled", Value: true}, bson.E{Key: "disabled_reason", Value: c.Reason})
	} else {
		set = append(set, bson.E{Key: "unit", Value: c.To})
	}
	_, err := s.db.Collection(colUsers).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: c.Username}, {Key: "unit_set", Value: bson.D{{Key: "$ne", Value: m.To}}}},
		bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return s.fail("unit migration: user", err)
	}
	return nil
}

// recordUnitMigration writes the migration's own audit event and records To as the
// store's set, once.
func (s *Store) recordUnitMigration(ctx context.Context, m UnitMigration, doc *unitMigrationDoc, w *unitWork) error {
	e := auditDoc{ID: migrationEventID(doc, "store"), At: m.Now.UTC(), Actor: "system", Action: ansinh.ActionUnitsMigrate,
		Target: "units:" + m.To, Detail: map[string]any{"from_set": m.From, "to_set": m.To, "started_at": doc.StartedAt}}
	if _, err := s.db.Collection(colAudit).InsertOne(ctx, e); err != nil && !mongo.IsDuplicateKeyError(err) {
		return s.fail("unit migration: audit", err)
	}
	stored, err := s.StoredUnitSet(ctx)
	if err != nil || stored == m.To {
		return err
	}
	return s.RecordUnitSet(ctx, m.To, m.Now)
}

// migrationEventID is the _id of an audit event of this migration about what: the
// same on every re-run, so an event is written once. Its time part is the start.
func migrationEventID(doc *unitMigrationDoc, what string) bson.ObjectID {
	var id bson.ObjectID
	binary.BigEndian.PutUint32(id[:4], uint32(doc.StartedAt.Unix()))
	sum := sha256.Sum256([]byte(doc.From + ">" + doc.To + "|" + what))
	copy(id[4:], sum[:8])
	return id
}

// UnfinishedUnitMigration returns the move an interrupted migration was making; ok
// is false when none is unfinished.
func (s *Store) UnfinishedUnitMigration(ctx context.Context) (from, to string, ok bool, err error) {
	d, err := s.unitMigrationDoc(ctx)
	if err != nil || d == nil || d.State != migrationRunning {
		return "", "", false, err
	}
	return d.From, d.To, true, nil
}
