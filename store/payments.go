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

// Payment results (registration.Service.PaymentResult runs the steps). A result is one
// inserted document per person and month; its steps are each safe to repeat, and the
// applied mark comes last, so that a retry (the same file again) finishes what a crash
// left, and a finished result changes nothing.
type paymentResultDoc struct {
	ID            string    `bson:"_id"` // month:beneficiary
	BeneficiaryID string    `bson:"beneficiary_id"`
	Commune       string    `bson:"commune"`
	Group         string    `bson:"group,omitempty"`
	Month         string    `bson:"month"`
	Result        string    `bson:"result"`
	Reason        string    `bson:"reason,omitempty"`
	AccountIndex  string    `bson:"account_index"`
	At            time.Time `bson:"at"`
	Applied       bool      `bson:"applied"`
}

// returnedQueueDoc is a person whose payment came back, in the small collection the
// commune's queue reads (by commune): they need a new account.
type returnedQueueDoc struct {
	ID      string    `bson:"_id"` // beneficiary
	Commune string    `bson:"commune"`
	Month   string    `bson:"month"`
	Reason  string    `bson:"reason,omitempty"`
	At      time.Time `bson:"at"`
}

// RecordPaymentResult stores p unless the person already has a result for the month.
// It returns the stored result (p, or the earlier one, which stands) and whether it is
// applied.
func (s *Store) RecordPaymentResult(ctx context.Context, p *ansinh.PaymentResult) (*ansinh.PaymentResult, bool, error) {
	d := paymentResultDoc{ID: p.ID(), BeneficiaryID: p.BeneficiaryID, Commune: p.Commune, Group: string(p.Group), Month: p.Month, Result: p.Result,
		Reason: p.Reason, AccountIndex: p.AccountIndex, At: p.At.UTC()}
	_, err := s.db.Collection(colPaymentResults).InsertOne(ctx, d)
	if err == nil {
		return p, false, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return nil, false, s.fail("payment result", err)
	}
	if err := s.db.Collection(colPaymentResults).FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&d); err != nil {
		return nil, false, s.fail("payment result", err)
	}
	return &ansinh.PaymentResult{Month: d.Month, BeneficiaryID: d.BeneficiaryID, Commune: d.Commune, Group: ansinh.Group(d.Group), Result: d.Result, Reason: d.Reason,
		AccountIndex: d.AccountIndex, At: d.At}, d.Applied, nil
}

// MarkPaymentApplied records that every step of a result is done.
func (s *Store) MarkPaymentApplied(ctx context.Context, p *ansinh.PaymentResult) error {
	if _, err := s.db.Collection(colPaymentResults).UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID()}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: true}}}}); err != nil {
		return s.fail("payment applied", err)
	}
	return nil
}

// CurrentAccountIndex is the blind index of the person's account ("" when none).
func (s *Store) CurrentAccountIndex(ctx context.Context, beneficiaryID string) (string, error) {
	d, err := s.beneficiaryDoc(ctx, beneficiaryID)
	if err != nil || d.Account == nil {
		return "", err
	}
	return d.Account.Index, nil
}

// ConfirmAccountByPayment marks the person's account index confirmed by a payment at
// at, once: the counters move first (once, keyed by the account), then the mark, so a
// crash between is finished by the retry and never counted twice. Nothing when the
// person's account is another one by now, or already confirmed.
func (s *Store) ConfirmAccountByPayment(ctx context.Context, beneficiaryID, index string, at time.Time) error {
	d, err := s.beneficiaryDoc(ctx, beneficiaryID)
	if err != nil {
		return err
	}
	if d.Account == nil || d.Account.Index != index || !d.Account.ConfirmedAt.IsZero() {
		return nil
	}
	before := d.beneficiary()
	after := *before
	acc := *before.Account
	acc.ConfirmedAt = at
	after.Account = &acc
	if err := s.addCountsOnce(ctx, before.CountedIn(), ansinh.Contribution(&after).Sub(ansinh.Contribution(before)), "paid:"+index+":"+beneficiaryID); err != nil {
		return err
	}
	if _, err := s.db.Collection(colBeneficiaries).UpdateOne(ctx, bson.D{{Key: "_id", Value: beneficiaryID}, {Key: "account.index", Value: index}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "account.confirmed_at", Value: at.UTC()}, {Key: "updated_at", Value: at.UTC()}}}}); err != nil {
		return s.fail("confirm account", err)
	}
	return nil
}

// ReturnAccount drops the account p was paid into, because the payment came back: the
// account goes to the person's history (the step's own document, keyed by the result),
// the record loses it and shows why, the counters move once, the account no longer
// names the person, and the person enters the commune's list of those needing a new
// account. Each step is safe to repeat; the history document carries what the later
// steps need. Nothing when the person's account is another one by now.
func (s *Store) ReturnAccount(ctx context.Context, p *ansinh.PaymentResult) error {
	d, err := s.beneficiaryDoc(ctx, p.BeneficiaryID)
	if err != nil {
		return err
	}
	historyID := "returned:" + p.ID()
	var hist accountHistoryDoc
	err = s.db.Collection(colAccountHistory).FindOne(ctx, bson.D{{Key: "_id", Value: historyID}}).Decode(&hist)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments) && d.Account != nil && d.Account.Index == p.AccountIndex:
		hist = accountHistoryDoc{ID: historyID, BeneficiaryID: p.BeneficiaryID, Previous: d.Account, ReplacedAt: p.At.UTC()}
		if _, err := s.db.Collection(colAccountHistory).InsertOne(ctx, hist); err != nil && !mongo.IsDuplicateKeyError(err) {
			return s.fail("return account: history", err)
		}
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil
	case err != nil:
		return s.fail("return account: history", err)
	}
	prev := hist.Previous
	_, err = s.db.Collection(colBeneficiaries).UpdateOne(ctx, bson.D{{Key: "_id", Value: p.BeneficiaryID}, {Key: "account.index", Value: prev.Index}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "account", Value: ""}}}, {Key: "$set", Value: bson.D{
			{Key: "returned", Value: returnedDoc{Month: p.Month, Reason: p.Reason, BankBIN: prev.BankBIN, Last4: prev.Last4, At: p.At.UTC()}},
			{Key: "updated_at", Value: p.At.UTC()}}}})
	if err != nil {
		return s.fail("return account: account", err)
	}
	before := d.beneficiary()
	before.Account = &ansinh.Account{BankBIN: prev.BankBIN, Last4: prev.Last4, Proxy: prev.Proxy, Source: prev.Source, ConfirmedAt: prev.ConfirmedAt,
		VNeID: prev.VNeID}
	after := *before
	after.Account = nil
	if err := s.addCountsOnce(ctx, before.CountedIn(), ansinh.Contribution(&after).Sub(ansinh.Contribution(before)), historyID); err != nil {
		return err
	}
	if _, err := s.db.Collection(colAccountRefs).UpdateOne(ctx, bson.D{{Key: "_id", Value: prev.Index}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "users", Value: p.BeneficiaryID}}}}); err != nil {
		return s.fail("return account: account ref", err)
	}
	q := returnedQueueDoc{ID: p.BeneficiaryID, Commune: d.Commune, Month: p.Month, Reason: p.Reason, At: p.At.UTC()}
	if _, err := s.db.Collection(colReturnedAccounts).ReplaceOne(ctx, bson.D{{Key: "_id", Value: q.ID}}, q, options.Replace().SetUpsert(true)); err != nil {
		return s.fail("return account: queue", err)
	}
	return s.syncMember(ctx, p.BeneficiaryID) // the line loses its account
}

// ReturnedAccounts lists the people of the communes whose payment came back and who
// have no account yet, newest first.
func (s *Store) ReturnedAccounts(ctx context.Context, communes []string) ([]ansinh.Beneficiary, error) {
	cur, err := s.db.Collection(colReturnedAccounts).Find(ctx, bson.D{{Key: "commune", Value: bson.D{{Key: "$in", Value: communes}}}},
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}}).SetLimit(200))
	if err != nil {
		return nil, s.fail("returned accounts", err)
	}
	var docs []returnedQueueDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("returned accounts", err)
	}
	var out []ansinh.Beneficiary
	for _, q := range docs {
		d, err := s.beneficiaryDoc(ctx, q.ID)
		if err != nil {
			return nil, err
		}
		if d.Account == nil { // a new account since: no longer waiting
			out = append(out, *d.beneficiary())
		}
	}
	return out, nil
}

// PaymentResultOf is the person's stored result of a month and whether it is applied;
// ENOTFOUND when none.
func (s *Store) PaymentResultOf(ctx context.Context, month, beneficiaryID string) (*ansinh.PaymentResult, bool, error) {
	var d paymentResultDoc
	if err := s.db.Collection(colPaymentResults).FindOne(ctx, bson.D{{Key: "_id", Value: month + ":" + beneficiaryID}}).Decode(&d); err != nil {
		return nil, false, s.fail("payment result", err)
	}
	return &ansinh.PaymentResult{Month: d.Month, BeneficiaryID: d.BeneficiaryID, Commune: d.Commune, Group: ansinh.Group(d.Group), Result: d.Result, Reason: d.Reason,
		AccountIndex: d.AccountIndex, At: d.At}, d.Applied, nil
}
