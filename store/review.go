package store

import (
	"context"
	"errors"
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
	index := r.AccountIndex // as Registration read it; read again only when the caller built r
	if index == "" {
		d, err := s.registrationDoc(ctx, r.Receipt)
		if err != nil {
			return nil, err
		}
		index = d.AccountIndex
	}
	var ref accountRefDoc
	err := s.db.Collection(colAccountRefs).FindOne(ctx, bson.D{{Key: "_id", Value: index}}).Decode(&ref)
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
		if err != nil || b.Account == nil || b.Account.Index != index { // the account changed since
			continue
		}
		seen[id] = true
		out = append(out, ansinh.SharedUse{Name: b.Name, CCCDLast4: b.CCCDLast4, Verified: true})
	}
	for _, receipt := range ref.Receipts {
		if receipt == r.Receipt {
			continue
		}
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

// Backlog is ansinh.Backlog.
type Backlog = ansinh.Backlog

// DecidedQuery is ansinh.DecidedQuery.
type DecidedQuery = ansinh.DecidedQuery

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
		accounts[i] = ansinh.Account{BankBIN: a.BankBIN, Last4: a.Last4, HolderName: a.HolderName, Proxy: a.Proxy, Source: a.Source, VerifiedAt: a.VerifiedAt, VNeID: a.VNeID}
		until[i] = d.ReplacedAt
	}
	return accounts, until, nil
}
