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

// AddAccountSubmission records that the submission receipt names the account index:
// an insert for an account nobody named before (most), an update otherwise.
func (s *Store) AddAccountSubmission(ctx context.Context, index, receipt string) error {
	err := s.insert(ctx, colAccountRefs, accountRefDoc{ID: index, Users: []string{}, Receipts: []string{receipt}})
	if mongo.IsDuplicateKeyError(err) {
		return s.addAccountRef(ctx, index, "receipts", receipt)
	}
	if err != nil {
		return s.fail("account ref", err)
	}
	return nil
}

// AddAccountUser records that the beneficiary is paid into the account index.
func (s *Store) AddAccountUser(ctx context.Context, index, beneficiaryID string) error {
	return s.addAccountRef(ctx, index, "users", beneficiaryID)
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
