package store

import (
	"context"
	"errors"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// accountRefDoc says who uses an account (_id its blind index): the beneficiaries
// paid into it, and the receipts of submissions naming it. One lookup by _id answers
// "is this account someone else's?", whatever the store.
type accountRefDoc struct {
	ID       string   `bson:"_id"`
	Users    []string `bson:"users"`
	Receipts []string `bson:"receipts,omitempty"`
}

type accountHistoryDoc struct {
	ID            string      `bson:"_id"` // the receipt whose verification replaced it
	BeneficiaryID string      `bson:"beneficiary_id"`
	Previous      *accountDoc `bson:"previous"`
	ReplacedAt    time.Time   `bson:"replaced_at"`
}

// refAccounts records users of accounts, inserting first and falling back to an
// update for the rare account that several people share.
func (s *Store) refAccounts(ctx context.Context, refs map[string]string) error {
	if len(refs) == 0 {
		return nil
	}
	docs := make([]any, 0, len(refs))
	ids := make([]string, 0, len(refs))
	for index, user := range refs {
		docs = append(docs, accountRefDoc{ID: index, Users: []string{user}})
		ids = append(ids, index)
	}
	_, err := s.db.Collection(colAccountRefs).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) {
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return s.fail("account refs", err)
			}
			if err := s.addAccountRef(ctx, ids[we.Index], "users", refs[ids[we.Index]]); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return s.fail("account refs", err)
	}
	return nil
}

func (s *Store) addAccountRef(ctx context.Context, index, field, value string) error {
	_, err := s.db.Collection(colAccountRefs).UpdateOne(ctx, bson.D{{Key: "_id", Value: index}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: field, Value: value}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return s.fail("account ref", err)
	}
	return nil
}

// SharedAccount lists the other beneficiaries whose verified account or open
// submission uses the account of registration r.
func (s *Store) SharedAccount(ctx context.Context, r *ansinh.Registration) ([]ansinh.SharedUse, error) {
	d, err := s.registrationDoc(ctx, r.Receipt)
	if err != nil {
		return nil, err
	}
	var ref accountRefDoc
	err = s.db.Collection(colAccountRefs).FindOne(ctx, bson.D{{Key: "_id", Value: d.AccountIndex}}).Decode(&ref)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("account refs", err)
	}
	var out []ansinh.SharedUse
	seen := map[string]bool{r.BeneficiaryID: true}
	for _, id := range ref.Users {
		if seen[id] {
			continue
		}
		b, err := s.beneficiaryDoc(ctx, id)
		if err != nil || b.Account == nil || b.Account.Index != d.AccountIndex { // the account changed since
			continue
		}
		seen[id] = true
		out = append(out, ansinh.SharedUse{Name: b.Name, CCCDLast4: b.CCCDLast4, Verified: true})
	}
	for _, receipt := range ref.Receipts {
		var q queueDoc
		if err := s.db.Collection(colQueue).FindOne(ctx, bson.D{{Key: "_id", Value: receipt}}).Decode(&q); err != nil || seen[q.BeneficiaryID] {
			continue
		}
		b, err := s.beneficiaryDoc(ctx, q.BeneficiaryID)
		if err != nil {
			continue
		}
		seen[q.BeneficiaryID] = true
		out = append(out, ansinh.SharedUse{Name: b.Name, CCCDLast4: b.CCCDLast4})
	}
	return out, nil
}

// QueueQuery is ansinh.QueueQuery.
type QueueQuery = ansinh.QueueQuery

// QueueItem is ansinh.QueueItem.
type QueueItem = ansinh.QueueItem

// Queue returns pending submissions, oldest first, and how many match.
func (s *Store) Queue(ctx context.Context, q QueueQuery) ([]QueueItem, int64, error) {
	filter := bson.D{{Key: "commune", Value: bson.D{{Key: "$in", Value: q.Communes}}}}
	if q.Channel != "" {
		filter = append(filter, bson.E{Key: "channel", Value: q.Channel})
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		r := bson.D{}
		if !q.From.IsZero() {
			r = append(r, bson.E{Key: "$gte", Value: q.From.UTC()})
		}
		if !q.To.IsZero() {
			r = append(r, bson.E{Key: "$lt", Value: q.To.UTC()})
		}
		filter = append(filter, bson.E{Key: "submitted_at", Value: r})
	}
	col := s.db.Collection(colQueue)
	total, err := col.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, s.fail("count queue", err)
	}
	opts := options.Find().SetSort(bson.D{{Key: "submitted_at", Value: 1}, {Key: "_id", Value: 1}}).SetSkip(q.Skip)
	if q.Limit > 0 {
		opts.SetLimit(q.Limit)
	}
	cur, err := col.Find(ctx, filter, opts)
	if err != nil {
		return nil, 0, s.fail("list queue", err)
	}
	var docs []queueDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, s.fail("list queue", err)
	}
	out := make([]QueueItem, len(docs))
	for i, d := range docs {
		out[i] = QueueItem(d)
	}
	return out, total, nil
}

// Backlog is ansinh.Backlog.
type Backlog = ansinh.Backlog

// Backlogs returns, per commune with any, the pending count and the oldest submission.
func (s *Store) Backlogs(ctx context.Context, communes []string) ([]Backlog, error) {
	items, _, err := s.Queue(ctx, QueueQuery{Communes: communes})
	if err != nil {
		return nil, err
	}
	by := map[string]*Backlog{}
	var out []Backlog
	for _, it := range items {
		b, ok := by[it.Commune]
		if !ok {
			b = &Backlog{Commune: it.Commune, Oldest: it.SubmittedAt}
			by[it.Commune] = b
		}
		b.Pending++
	}
	for _, b := range by {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Oldest.Before(out[j].Oldest) })
	return out, nil
}

// DecidedQuery is ansinh.DecidedQuery.
type DecidedQuery = ansinh.DecidedQuery

// Decided returns the receipts of decided submissions, newest first, and the total.
func (s *Store) Decided(ctx context.Context, q DecidedQuery) ([]string, int64, error) {
	filter := bson.D{{Key: "commune", Value: bson.D{{Key: "$in", Value: q.Communes}}}, {Key: "kind", Value: "decision"}}
	if q.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: q.Status})
	}
	if q.Status == ansinh.StatusSuperseded {
		filter[1] = bson.E{Key: "kind", Value: "superseded"}
	}
	col := s.db.Collection(colRegistrationEvents)
	total, err := col.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, s.fail("count decided", err)
	}
	cur, err := col.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: 1}}).
		SetSkip(q.Skip).SetLimit(q.Limit).SetProjection(bson.D{{Key: "receipt", Value: 1}}))
	if err != nil {
		return nil, 0, s.fail("list decided", err)
	}
	var docs []registrationEventDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, s.fail("list decided", err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Receipt
	}
	return out, total, nil
}

// Decide records a verdict on a pending submission and applies it. The decision is
// one inserted document whose _id is the receipt's: of two officers (or instances)
// deciding at once, exactly one succeeds and the other gets a conflict. It carries its
// plan (the account it replaces, the move of the counters), so that its steps — leave
// the queue, make the account the beneficiary's, keep the previous one in the history,
// move the counters once, mark the account as used — can be finished by a retry or by
// FinishDecisions after a crash. The same officer deciding again the same way finishes
// it and is answered again=true; anyone else, or another verdict, is a conflict.
func (s *Store) Decide(ctx context.Context, r *ansinh.Registration, d *ansinh.Decision) (again bool, err error) {
	if err := s.db.Collection(colRegistrationEvents).FindOne(ctx, bson.D{{Key: "_id", Value: r.Receipt + ":superseded"}}).Err(); err == nil {
		return false, &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgDecided}
	} else if !errors.Is(err, mongo.ErrNoDocuments) {
		return false, s.fail("decide", err)
	}
	applied := false
	ev := registrationEventDoc{ID: r.Receipt + ":decision", Receipt: r.Receipt, Kind: "decision", Status: d.Status,
		Reason: d.Reason, Note: d.Note, Commune: r.Commune, BeneficiaryID: r.BeneficiaryID, By: d.By, At: d.At.UTC(), Applied: &applied}
	if d.Status == ansinh.StatusVerified {
		if err := s.planVerification(ctx, &ev); err != nil {
			return false, err
		}
	}
	// The open marker first: a crash after it and before the decision leaves a marker
	// that the sweep drops; the other way round would leave a decision nobody finishes.
	if _, err := s.db.Collection(colDecisionsOpen).InsertOne(ctx, bson.D{{Key: "_id", Value: r.Receipt}, {Key: "at", Value: d.At.UTC()}}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return false, s.fail("decide: open", err)
	}
	if err := s.after("open"); err != nil {
		return false, err
	}
	_, err = s.db.Collection(colRegistrationEvents).InsertOne(ctx, ev)
	if err == nil {
		err = s.after("claim")
	}
	if mongo.IsDuplicateKeyError(err) {
		var had registrationEventDoc
		if err := s.db.Collection(colRegistrationEvents).FindOne(ctx, bson.D{{Key: "_id", Value: ev.ID}}).Decode(&had); err != nil {
			return false, s.fail("decide", err)
		}
		// Whoever comes second helps finish the first decision; only its own decider's
		// retry of the same verdict is answered as done.
		if err := s.applyDecision(ctx, &had); err != nil {
			return false, err
		}
		if had.Status != d.Status || had.By != d.By {
			return false, &ansinh.Error{Code: ansinh.ECONFLICT, Message: ansinh.MsgDecided}
		}
		return true, nil
	} else if err != nil {
		return false, s.fail("decide", err)
	}
	return false, s.applyDecision(ctx, &ev)
}

// planVerification fills in what a verification replaces and how it moves the counts.
func (s *Store) planVerification(ctx context.Context, ev *registrationEventDoc) error {
	reg, err := s.registrationDoc(ctx, ev.Receipt)
	if err != nil {
		return err
	}
	b, err := s.beneficiaryDoc(ctx, ev.BeneficiaryID)
	if err != nil {
		return err
	}
	before := b.beneficiary()
	after := *before
	after.Account = &ansinh.Account{BankBIN: reg.BankBIN, Proxy: reg.Proxy != nil, Source: ansinh.SourceRegistration}
	delta := toCounterDoc(before.CountedIn(), ansinh.Contribution(&after).Sub(ansinh.Contribution(before)))
	ev.Previous, ev.Delta = b.Account, &delta
	return nil
}

// applyDecision does a decision's steps; each is safe to repeat.
func (s *Store) applyDecision(ctx context.Context, ev *registrationEventDoc) error {
	if ev.Applied == nil || *ev.Applied {
		return s.closeDecision(ctx, ev)
	}
	if err := s.dequeue(ctx, ev.Receipt); err != nil {
		return err
	}
	if ev.Status == ansinh.StatusVerified {
		if err := s.after("dequeue"); err != nil {
			return err
		}
		reg, err := s.registrationDoc(ctx, ev.Receipt)
		if err != nil {
			return err
		}
		account := &accountDoc{BankBIN: reg.BankBIN, NumberEnc: reg.AccountEnc, Index: reg.AccountIndex, Last4: reg.AccountLast4,
			HolderName: reg.AccountName, Proxy: reg.Proxy != nil, Source: ansinh.SourceRegistration, VerifiedAt: ev.At}
		if err := s.setFields(ctx, "verify: set account", ev.BeneficiaryID, bson.D{
			{Key: "account", Value: account}, {Key: "updated_at", Value: ev.At}}); err != nil {
			return err
		}
		if err := s.after("account"); err != nil {
			return err
		}
		if ev.Previous != nil {
			h := accountHistoryDoc{ID: ev.Receipt, BeneficiaryID: ev.BeneficiaryID, Previous: ev.Previous, ReplacedAt: ev.At}
			if _, err := s.db.Collection(colAccountHistory).InsertOne(ctx, h); err != nil && !mongo.IsDuplicateKeyError(err) {
				return s.fail("verify: account history", err)
			}
		}
		if err := s.after("history"); err != nil {
			return err
		}
		if ev.Delta != nil {
			if err := s.addCountsOnce(ctx, ev.Delta.ID, ev.Delta.counts(), "decision:"+ev.Receipt); err != nil {
				return err
			}
		}
		if err := s.after("count"); err != nil {
			return err
		}
		if err := s.addAccountRef(ctx, reg.AccountIndex, "users", ev.BeneficiaryID); err != nil {
			return err
		}
	}
	if err := s.after("ref"); err != nil {
		return err
	}
	if _, err := s.db.Collection(colRegistrationEvents).UpdateOne(ctx, bson.D{{Key: "_id", Value: ev.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}}); err != nil {
		return s.fail("decide: applied", err)
	}
	if err := s.after("applied"); err != nil {
		return err
	}
	return s.closeDecision(ctx, ev)
}

// closeDecision forgets the decision's mark on the counters, needed only until it is
// applied. Its open marker stays until the person is told (CloseDecision).
func (s *Store) closeDecision(ctx context.Context, ev *registrationEventDoc) error {
	if ev.Delta != nil {
		if _, err := s.db.Collection(colCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: ev.Delta.ID}},
			bson.D{{Key: "$pull", Value: bson.D{{Key: "moves", Value: "decision:" + ev.Receipt}}}}); err != nil {
			return s.fail("decide: close", err)
		}
	}
	return nil
}

// CloseDecision drops a decision's open marker: the last step, once the decision is
// applied and its person told.
func (s *Store) CloseDecision(ctx context.Context, receipt string) error {
	if _, err := s.db.Collection(colDecisionsOpen).DeleteOne(ctx, bson.D{{Key: "_id", Value: receipt}}); err != nil {
		return s.fail("decide: close", err)
	}
	return nil
}

// FinishDecisions applies every decision still open (left half-done by a crash or a
// time-out, or not yet told) and drops the markers, opened before abandoned, of
// decisions never recorded. It returns the open decisions, now applied: the caller
// tells their people and closes them.
func (s *Store) FinishDecisions(ctx context.Context, abandoned time.Time) ([]ansinh.Decision, error) {
	cur, err := s.db.Collection(colDecisionsOpen).Find(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("finish decisions", err)
	}
	var open []struct {
		ID string    `bson:"_id"`
		At time.Time `bson:"at"`
	}
	if err := cur.All(ctx, &open); err != nil {
		return nil, s.fail("finish decisions", err)
	}
	var done []ansinh.Decision
	for _, o := range open {
		var ev registrationEventDoc
		err := s.db.Collection(colRegistrationEvents).FindOne(ctx, bson.D{{Key: "_id", Value: o.ID + ":decision"}}).Decode(&ev)
		if errors.Is(err, mongo.ErrNoDocuments) {
			// The decision itself was never written. A decider still running will write
			// it and apply it itself; give it time before dropping its marker.
			if o.At.Before(abandoned) {
				if _, err := s.db.Collection(colDecisionsOpen).DeleteOne(ctx, bson.D{{Key: "_id", Value: o.ID}}); err != nil {
					return done, s.fail("finish decisions", err)
				}
			}
			continue
		}
		if err != nil {
			return done, s.fail("finish decisions", err)
		}
		if err := s.applyDecision(ctx, &ev); err != nil {
			return done, err
		}
		done = append(done, ansinh.Decision{Receipt: ev.Receipt, Status: ev.Status, Reason: ev.Reason, Note: ev.Note, By: ev.By, At: ev.At})
	}
	return done, nil
}

// AccountHistory returns the accounts a beneficiary had before, newest first.
func (s *Store) AccountHistory(ctx context.Context, beneficiaryID string) ([]ansinh.Account, []time.Time, error) {
	cur, err := s.db.Collection(colAccountHistory).Find(ctx, bson.D{{Key: "beneficiary_id", Value: beneficiaryID}},
		options.Find().SetSort(bson.D{{Key: "replaced_at", Value: -1}}))
	if err != nil {
		return nil, nil, s.fail("account history", err)
	}
	var docs []accountHistoryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, nil, s.fail("account history", err)
	}
	accounts := make([]ansinh.Account, len(docs))
	until := make([]time.Time, len(docs))
	for i, d := range docs {
		a := d.Previous
		accounts[i] = ansinh.Account{BankBIN: a.BankBIN, Last4: a.Last4, HolderName: a.HolderName, Proxy: a.Proxy, Source: a.Source, VerifiedAt: a.VerifiedAt}
		until[i] = d.ReplacedAt
	}
	return accounts, until, nil
}
