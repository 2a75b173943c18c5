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

// privacyRequestDoc is a person's request about their data, _id its code. The answer is
// written on the same small document (the collection holds requests, not people).
type privacyRequestDoc struct {
	ID            string    `bson:"_id"`
	BeneficiaryID string    `bson:"beneficiary_id"`
	Commune       string    `bson:"commune"`
	Kind          string    `bson:"kind"`
	Channel       string    `bson:"channel"`
	Receipt       string    `bson:"receipt,omitempty"`
	Detail        string    `bson:"detail,omitempty"`
	ReceivedAt    time.Time `bson:"received_at"`
	AckDue        time.Time `bson:"ack_due"`
	Due           time.Time `bson:"due"`
	RecordedBy    string    `bson:"recorded_by,omitempty"`
	Status        string    `bson:"status"`
	Answer        string    `bson:"answer,omitempty"`
	AnsweredBy    string    `bson:"answered_by,omitempty"`
	AnsweredAt    time.Time `bson:"answered_at,omitempty"`
}

func (d *privacyRequestDoc) request() *ansinh.PrivacyRequest {
	return &ansinh.PrivacyRequest{ID: d.ID, BeneficiaryID: d.BeneficiaryID, Commune: d.Commune, Kind: d.Kind, Channel: d.Channel,
		Receipt: d.Receipt, Detail: d.Detail, ReceivedAt: d.ReceivedAt, AckDue: d.AckDue, Due: d.Due, RecordedBy: d.RecordedBy,
		Status: d.Status, Answer: d.Answer, AnsweredBy: d.AnsweredBy, AnsweredAt: d.AnsweredAt}
}

// CreatePrivacyRequest stores a new request.
func (s *Store) CreatePrivacyRequest(ctx context.Context, r *ansinh.PrivacyRequest) error {
	_, err := s.db.Collection(colPrivacyRequests).InsertOne(ctx, privacyRequestDoc{ID: r.ID, BeneficiaryID: r.BeneficiaryID,
		Commune: r.Commune, Kind: r.Kind, Channel: r.Channel, Receipt: r.Receipt, Detail: r.Detail, ReceivedAt: r.ReceivedAt.UTC(),
		AckDue: r.AckDue.UTC(), Due: r.Due.UTC(), RecordedBy: r.RecordedBy, Status: ansinh.RequestOpen})
	if err != nil {
		return s.fail("create privacy request", err)
	}
	return nil
}

// PrivacyRequest returns a request by its code.
func (s *Store) PrivacyRequest(ctx context.Context, id string) (*ansinh.PrivacyRequest, error) {
	var d privacyRequestDoc
	if err := s.db.Collection(colPrivacyRequests).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, s.fail("privacy request", err)
	}
	return d.request(), nil
}

// PrivacyRequests lists the requests of the communes, open ones first by deadline,
// then the answered ones newest first; at most limit.
func (s *Store) PrivacyRequests(ctx context.Context, communes []string, open bool, limit int64) ([]*ansinh.PrivacyRequest, error) {
	filter := bson.D{{Key: "commune", Value: bson.D{{Key: "$in", Value: communes}}}}
	sort := bson.D{{Key: "answered_at", Value: -1}, {Key: "_id", Value: 1}}
	if open {
		filter = append(filter, bson.E{Key: "status", Value: ansinh.RequestOpen})
		sort = bson.D{{Key: "due", Value: 1}, {Key: "_id", Value: 1}}
	} else {
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$ne", Value: ansinh.RequestOpen}}})
	}
	cur, err := s.db.Collection(colPrivacyRequests).Find(ctx, filter, options.Find().SetSort(sort).SetLimit(limit))
	if err != nil {
		return nil, s.fail("privacy requests", err)
	}
	var docs []privacyRequestDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("privacy requests", err)
	}
	out := make([]*ansinh.PrivacyRequest, len(docs))
	for i := range docs {
		out[i] = docs[i].request()
	}
	return out, nil
}

// AnswerPrivacyRequest records the answer of an open request; conflict when it has
// been answered already.
func (s *Store) AnswerPrivacyRequest(ctx context.Context, id, status, answer, by string, now time.Time) error {
	res, err := s.db.Collection(colPrivacyRequests).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: ansinh.RequestOpen}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "answer", Value: answer}, {Key: "answered_by", Value: by},
			{Key: "answered_at", Value: now.UTC()}}}})
	if err != nil {
		return s.fail("answer privacy request", err)
	}
	if res.MatchedCount == 0 {
		return ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgRequestAnswered)
	}
	return nil
}

// WithdrawConsent ends the processing of a person's data for receiving the allowance
// into an account, for the request id: the consent's withdrawal is written on the
// record; a verified account is no longer used (it stays in the account history, the
// record of past payments; the counters move once). It returns the person's pending
// submissions, which registration.Service.WithdrawConsent closes. Every step is safe
// to repeat, so a retry after a failure finishes it.
func (s *Store) WithdrawConsent(ctx context.Context, beneficiaryID, request, by string, now time.Time) ([]string, error) {
	d, err := s.beneficiaryDoc(ctx, beneficiaryID)
	if err != nil {
		return nil, err
	}
	if err := s.setFields(ctx, "withdraw consent", beneficiaryID, bson.D{{Key: "consent_withdrawn", Value: bson.D{
		{Key: "at", Value: now.UTC()}, {Key: "by", Value: by}, {Key: "request", Value: request},
		{Key: "purpose", Value: ansinh.PurposeAccountPayment}}}}); err != nil {
		return nil, err
	}
	historyID := "withdraw:" + request
	var hist accountHistoryDoc
	err = s.db.Collection(colAccountHistory).FindOne(ctx, bson.D{{Key: "_id", Value: historyID}}).Decode(&hist)
	if errors.Is(err, mongo.ErrNoDocuments) && d.Account != nil {
		hist = accountHistoryDoc{ID: historyID, BeneficiaryID: beneficiaryID, Previous: d.Account, ReplacedAt: now.UTC()}
		if _, err := s.db.Collection(colAccountHistory).InsertOne(ctx, hist); err != nil && !mongo.IsDuplicateKeyError(err) {
			return nil, s.fail("withdraw consent: history", err)
		}
	} else if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, s.fail("withdraw consent: history", err)
	}
	if prev := hist.Previous; prev != nil {
		_, err := s.db.Collection(colBeneficiaries).UpdateOne(ctx, bson.D{{Key: "_id", Value: beneficiaryID}, {Key: "account.index", Value: prev.Index}},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "account", Value: ""}}}, {Key: "$set", Value: bson.D{{Key: "updated_at", Value: now.UTC()}}}})
		if err != nil {
			return nil, s.fail("withdraw consent: account", err)
		}
		before := d.beneficiary()
		before.Account = &ansinh.Account{BankBIN: prev.BankBIN, Last4: prev.Last4, Proxy: prev.Proxy, Source: prev.Source, ConfirmedAt: prev.ConfirmedAt,
			VNeID: prev.VNeID}
		after := *before
		after.Account = nil
		delta := ansinh.Contribution(&after).Sub(ansinh.Contribution(before))
		if err := s.addCountsOnce(ctx, before.CountedIn(), delta, historyID); err != nil {
			return nil, err
		}
		if _, err := s.db.Collection(colAccountRefs).UpdateOne(ctx, bson.D{{Key: "_id", Value: prev.Index}},
			bson.D{{Key: "$pull", Value: bson.D{{Key: "users", Value: beneficiaryID}}}}); err != nil {
			return nil, s.fail("withdraw consent: account ref", err)
		}
		if err := s.syncMember(ctx, beneficiaryID); err != nil { // the line loses its account
			return nil, err
		}
	}
	receipts, err := s.RegistrationReceipts(ctx, beneficiaryID)
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, receipt := range receipts {
		st, err := s.RegistrationStatus(ctx, receipt)
		if err != nil {
			return nil, err
		}
		if st == ansinh.StatusPending {
			pending = append(pending, receipt)
		}
	}
	return pending, nil
}

// breachDoc is one entry of the breach register.
type breachDoc struct {
	ID           string    `bson:"_id"`
	DiscoveredAt time.Time `bson:"discovered_at"`
	RecordedAt   time.Time `bson:"recorded_at"`
	RecordedBy   string    `bson:"recorded_by"`
	Description  string    `bson:"description"`
	Data         []string  `bson:"data"`
	People       int       `bson:"people"`
	Measures     string    `bson:"measures,omitempty"`
	ReportedAt   time.Time `bson:"reported_at,omitempty"`
	ReportedBy   string    `bson:"reported_by,omitempty"`
	Reference    string    `bson:"reference,omitempty"`
	ClosedAt     time.Time `bson:"closed_at,omitempty"`
	ClosedBy     string    `bson:"closed_by,omitempty"`
}

func (d *breachDoc) breach() *ansinh.Breach {
	b := ansinh.Breach(*d)
	return &b
}

// CreateBreach adds an entry to the register.
func (s *Store) CreateBreach(ctx context.Context, b *ansinh.Breach) error {
	d := breachDoc(*b)
	d.DiscoveredAt, d.RecordedAt = d.DiscoveredAt.UTC(), d.RecordedAt.UTC()
	if _, err := s.db.Collection(colBreaches).InsertOne(ctx, d); err != nil {
		return s.fail("create breach", err)
	}
	return nil
}

// Breaches lists the register, newest discovery first.
func (s *Store) Breaches(ctx context.Context, limit int64) ([]*ansinh.Breach, error) {
	cur, err := s.db.Collection(colBreaches).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "discovered_at", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(limit))
	if err != nil {
		return nil, s.fail("breaches", err)
	}
	var docs []breachDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("breaches", err)
	}
	out := make([]*ansinh.Breach, len(docs))
	for i := range docs {
		out[i] = docs[i].breach()
	}
	return out, nil
}

// Breach returns one entry.
func (s *Store) Breach(ctx context.Context, id string) (*ansinh.Breach, error) {
	var d breachDoc
	if err := s.db.Collection(colBreaches).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, s.fail("breach", err)
	}
	return d.breach(), nil
}

// ReportBreach records that the agency was told; CloseBreach that the matter is over.
// Each applies once: conflict when done already.
func (s *Store) ReportBreach(ctx context.Context, id, reference, by string, now time.Time) error {
	return s.breachStep(ctx, id, "reported_at", bson.D{{Key: "reported_at", Value: now.UTC()}, {Key: "reported_by", Value: by},
		{Key: "reference", Value: reference}})
}

// CloseBreach: see ReportBreach.
func (s *Store) CloseBreach(ctx context.Context, id, by string, now time.Time) error {
	return s.breachStep(ctx, id, "closed_at", bson.D{{Key: "closed_at", Value: now.UTC()}, {Key: "closed_by", Value: by}})
}

func (s *Store) breachStep(ctx context.Context, id, field string, set bson.D) error {
	res, err := s.db.Collection(colBreaches).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: field, Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "closed_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return s.fail("breach "+field, err)
	}
	if res.MatchedCount == 0 {
		if _, err := s.Breach(ctx, id); err != nil {
			return err
		}
		return ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgBreachState)
	}
	return nil
}
