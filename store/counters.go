package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// counterDoc holds one commune's counts (_id the commune code, or
// ansinh.UnassignedKey for the people whose commune waits for a choice). It is small
// and changes with every record it counts, by $inc, so readers never scan
// beneficiaries. The codes are those of the store's unit set (StoredUnitSet).
type counterDoc struct {
	ID              string `bson:"_id"`
	Beneficiaries   int64  `bson:"beneficiaries"`
	WithAccount     int64  `bson:"with_account"`
	Proxy           int64  `bson:"proxy"`
	NotEligible     int64  `bson:"not_eligible"`
	NCC             int64  `bson:"ncc"`
	NCCWithAccount  int64  `bson:"ncc_with_account"`
	BTXH            int64  `bson:"btxh"`
	BTXHWithAccount int64  `bson:"btxh_with_account"`
	HTXH            int64  `bson:"htxh"`
	HTXHWithAccount int64  `bson:"htxh_with_account"`
	NCCProxy        int64  `bson:"ncc_proxy"`
	NCCNotEligible  int64  `bson:"ncc_not_eligible"`
	BTXHProxy       int64  `bson:"btxh_proxy"`
	BTXHNotEligible int64  `bson:"btxh_not_eligible"`
	HTXHProxy       int64  `bson:"htxh_proxy"`
	HTXHNotEligible int64  `bson:"htxh_not_eligible"`
	// ConfirmedByPayment: missing in counters older than payment results (none then).
	ConfirmedByPayment int64 `bson:"confirmed_by_payment"`
	// Accounts by kind, in total and per programme: missing in counters older than the
	// split (migration 19 recounts them).
	Bank       int64 `bson:"bank"`
	Wallet     int64 `bson:"wallet"`
	VNeID      int64 `bson:"vneid"`
	NCCBank    int64 `bson:"ncc_bank"`
	NCCWallet  int64 `bson:"ncc_wallet"`
	NCCVNeID   int64 `bson:"ncc_vneid"`
	BTXHBank   int64 `bson:"btxh_bank"`
	BTXHWallet int64 `bson:"btxh_wallet"`
	BTXHVNeID  int64 `bson:"btxh_vneid"`
	HTXHBank   int64 `bson:"htxh_bank"`
	HTXHWallet int64 `bson:"htxh_wallet"`
	HTXHVNeID  int64 `bson:"htxh_vneid"`
}

func (d counterDoc) counts() ansinh.Counts {
	return ansinh.Counts{Beneficiaries: d.Beneficiaries, WithAccount: d.WithAccount, Proxy: d.Proxy, NotEligible: d.NotEligible,
		NCC: d.NCC, NCCWithAccount: d.NCCWithAccount, BTXH: d.BTXH, BTXHWithAccount: d.BTXHWithAccount,
		HTXH: d.HTXH, HTXHWithAccount: d.HTXHWithAccount, NCCProxy: d.NCCProxy, NCCNotEligible: d.NCCNotEligible,
		BTXHProxy: d.BTXHProxy, BTXHNotEligible: d.BTXHNotEligible, HTXHProxy: d.HTXHProxy, HTXHNotEligible: d.HTXHNotEligible,
		ConfirmedByPayment: d.ConfirmedByPayment, Bank: d.Bank, Wallet: d.Wallet, VNeID: d.VNeID,
		NCCBank: d.NCCBank, NCCWallet: d.NCCWallet, NCCVNeID: d.NCCVNeID, BTXHBank: d.BTXHBank, BTXHWallet: d.BTXHWallet, BTXHVNeID: d.BTXHVNeID,
		HTXHBank: d.HTXHBank, HTXHWallet: d.HTXHWallet, HTXHVNeID: d.HTXHVNeID}
}

func toCounterDoc(id string, c ansinh.Counts) counterDoc {
	return counterDoc{ID: id, Beneficiaries: c.Beneficiaries, WithAccount: c.WithAccount, Proxy: c.Proxy, NotEligible: c.NotEligible,
		NCC: c.NCC, NCCWithAccount: c.NCCWithAccount, BTXH: c.BTXH, BTXHWithAccount: c.BTXHWithAccount,
		HTXH: c.HTXH, HTXHWithAccount: c.HTXHWithAccount, NCCProxy: c.NCCProxy, NCCNotEligible: c.NCCNotEligible,
		BTXHProxy: c.BTXHProxy, BTXHNotEligible: c.BTXHNotEligible, HTXHProxy: c.HTXHProxy, HTXHNotEligible: c.HTXHNotEligible,
		ConfirmedByPayment: c.ConfirmedByPayment, Bank: c.Bank, Wallet: c.Wallet, VNeID: c.VNeID,
		NCCBank: c.NCCBank, NCCWallet: c.NCCWallet, NCCVNeID: c.NCCVNeID, BTXHBank: c.BTXHBank, BTXHWallet: c.BTXHWallet, BTXHVNeID: c.BTXHVNeID,
		HTXHBank: c.HTXHBank, HTXHWallet: c.HTXHWallet, HTXHVNeID: c.HTXHVNeID}
}

// countsInc is the $inc of every figure of the document but _id, from its bson tags,
// so that none is forgotten.
func countsInc(delta ansinh.Counts) (bson.D, error) {
	raw, err := bson.Marshal(toCounterDoc("", delta))
	if err != nil {
		return nil, err
	}
	var inc bson.D
	if err := bson.Unmarshal(raw, &inc); err != nil {
		return nil, err
	}
	return inc[1:], nil
}

// addCounts moves one commune's counters by delta.
func (s *Store) addCounts(ctx context.Context, commune string, delta ansinh.Counts) error {
	if delta.IsZero() {
		return nil
	}
	inc, err := countsInc(delta)
	if err != nil {
		return s.fail("count", err)
	}
	for range 3 {
		_, err = s.db.Collection(colCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: commune}},
			bson.D{{Key: "$inc", Value: inc}}, options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break // a duplicate key: two upserts created the document at once; the update now matches
		}
	}
	if err != nil {
		return s.fail("count", err)
	}
	return nil
}

// addCountsOnce moves a commune's counters by delta once for the move id, however often
// it is called: the counter document remembers the moves it holds, and the filter and
// the increment are one single-document update. A duplicate key from the upsert means
// the document exists and already holds the move.
func (s *Store) addCountsOnce(ctx context.Context, commune string, delta ansinh.Counts, move string) error {
	if delta.IsZero() {
		return nil
	}
	inc, err := countsInc(delta)
	if err != nil {
		return s.fail("count once", err)
	}
	filter := bson.D{{Key: "_id", Value: commune}, {Key: "moves", Value: bson.D{{Key: "$ne", Value: move}}}}
	update := bson.D{{Key: "$inc", Value: inc}, {Key: "$push", Value: bson.D{{Key: "moves", Value: move}}}}
	for range 3 {
		_, err = s.db.Collection(colCounters).UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
		// The document exists: either it holds the move already, or another writer
		// created it between our filter and our insert; then the update matches now.
		n, cerr := s.db.Collection(colCounters).CountDocuments(ctx, bson.D{{Key: "_id", Value: commune}, {Key: "moves", Value: move}})
		if cerr != nil {
			return s.fail("count once", cerr)
		}
		if n > 0 {
			return nil
		}
	}
	if err != nil {
		return s.fail("count once", err)
	}
	return nil
}

// moveCounts applies the change of one record from before to after (either may be nil).
func (s *Store) moveCounts(ctx context.Context, before, after *ansinh.Beneficiary) error {
	switch {
	case before != nil && after != nil && before.CountedIn() == after.CountedIn():
		return s.addCounts(ctx, after.CountedIn(), ansinh.Contribution(after).Sub(ansinh.Contribution(before)))
	case before != nil:
		if err := s.addCounts(ctx, before.CountedIn(), ansinh.Counts{}.Sub(ansinh.Contribution(before))); err != nil {
			return err
		}
	}
	if after != nil && (before == nil || before.CountedIn() != after.CountedIn()) {
		return s.addCounts(ctx, after.CountedIn(), ansinh.Contribution(after))
	}
	return nil
}

// Counts returns every commune's counts.
func (s *Store) Counts(ctx context.Context) (map[string]ansinh.Counts, error) {
	cur, err := s.db.Collection(colCounters).Find(ctx, bson.D{})
	if err != nil {
		return nil, s.fail("read counts", err)
	}
	var docs []counterDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, s.fail("read counts", err)
	}
	out := make(map[string]ansinh.Counts, len(docs))
	for _, d := range docs {
		out[d.ID] = d.counts()
	}
	return out, nil
}

// RecountAll recomputes every commune's counts from the records, one pass. It returns
// them without writing: see Reconcile.
func (s *Store) RecountAll(ctx context.Context) (map[string]ansinh.Counts, error) {
	out, err := recount(ctx, s.db)
	if err != nil {
		return nil, s.fail("recount", err)
	}
	return out, nil
}

// recountInto replaces every counter with a recount. Only for a store nobody writes to
// (a migration at start-up): counts moved during the recount would be lost.
func recountInto(ctx context.Context, db *mongo.Database) error {
	counts, err := recount(ctx, db)
	if err != nil {
		return err
	}
	col := db.Collection(colCounters)
	if _, err := col.DeleteMany(ctx, bson.D{}); err != nil {
		return err
	}
	for id, c := range counts {
		if _, err := col.InsertOne(ctx, toCounterDoc(id, c)); err != nil {
			return err
		}
	}
	return nil
}

// recountKeepingMoves sets every counter to a recount and keeps the moves it holds, so
// that a step a crash left half-done, retried later, still finds its move counted.
// Only for a store nobody writes to (a migration at start-up).
func recountKeepingMoves(ctx context.Context, db *mongo.Database) error {
	counts, err := recount(ctx, db)
	if err != nil {
		return err
	}
	col := db.Collection(colCounters)
	cur, err := col.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	var stored []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &stored); err != nil {
		return err
	}
	for _, d := range stored {
		if _, ok := counts[d.ID]; !ok {
			counts[d.ID] = ansinh.Counts{} // nobody left there
		}
	}
	for id, c := range counts {
		fields, err := countsInc(c)
		if err != nil {
			return err
		}
		if _, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: fields}},
			options.UpdateOne().SetUpsert(true)); err != nil {
			return err
		}
	}
	return nil
}

func recount(ctx context.Context, db *mongo.Database) (map[string]ansinh.Counts, error) {
	cur, err := db.Collection(colBeneficiaries).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "commune", Value: 1}, {Key: "candidates", Value: 1}, {Key: "group", Value: 1}, {Key: "eligible", Value: 1}, {Key: "account.proxy", Value: 1}, {Key: "account.confirmed_at", Value: 1},
		{Key: "account.bin", Value: 1}, {Key: "account.vneid", Value: 1}}).SetBatchSize(5000))
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	out := map[string]ansinh.Counts{}
	for cur.Next(ctx) {
		var d beneficiaryDoc
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		b := d.beneficiary()
		out[b.CountedIn()] = out[b.CountedIn()].Add(ansinh.Contribution(b))
	}
	return out, cur.Err()
}

// Reconcile compares the counters with a recount and, with repair, corrects the
// communes that drifted (by the difference, so counts moved meanwhile are kept). It
// returns the drift of each commune that had any.
//
// A live store moves records and counters in two writes, so a recount taken between
// them sees a drift that the second write is about to remove; repairing it would count
// that move twice. So repair takes two readings, settle apart, and corrects only the
// communes whose counters, recount and drift all stood still between them: a drift
// that persists is a crash's, one in motion is a write's. Communes still moving are
// reported by the second reading and left for the next run.
func (s *Store) Reconcile(ctx context.Context, repair bool) (map[string]ansinh.Counts, error) {
	return s.ReconcileSettled(ctx, repair, 2*time.Second)
}

// ReconcileSettled is Reconcile with the pause between the two readings of a repair.
func (s *Store) ReconcileSettled(ctx context.Context, repair bool, settle time.Duration) (map[string]ansinh.Counts, error) {
	stored, actual, drift, err := s.reading(ctx)
	if err != nil || !repair || len(drift) == 0 {
		return drift, err
	}
	select {
	case <-ctx.Done():
		return drift, ctx.Err()
	case <-time.After(settle):
	}
	stored2, actual2, drift2, err := s.reading(ctx)
	if err != nil {
		return drift, err
	}
	for commune, d := range drift2 {
		if drift[commune] != d || stored[commune] != stored2[commune] || actual[commune] != actual2[commune] {
			continue // still moving
		}
		if err := s.addCounts(ctx, commune, d); err != nil {
			return drift2, err
		}
	}
	return drift2, nil
}

// reading is the counters, a recount, and their difference per commune.
func (s *Store) reading(ctx context.Context) (stored, actual, drift map[string]ansinh.Counts, err error) {
	if stored, err = s.Counts(ctx); err != nil {
		return nil, nil, nil, err
	}
	if actual, err = s.RecountAll(ctx); err != nil {
		return nil, nil, nil, err
	}
	drift = map[string]ansinh.Counts{}
	for _, m := range []map[string]ansinh.Counts{stored, actual} {
		for commune := range m {
			if d := actual[commune].Sub(stored[commune]); !d.IsZero() {
				drift[commune] = d
			}
		}
	}
	return stored, actual, drift, nil
}

// recountAfterID names the schema document that asks for the counters to be recounted
// once more: a recount (migration 19's) that meets a decision or a payment result a
// crash left half-applied counts what its step already changed, and the step's retry
// may count it again. The service recounts after its sweep has finished them.
const recountAfterID = "recount_after_unfinished"

// markRecountIfUnfinished leaves that request when anything is half-applied.
func markRecountIfUnfinished(ctx context.Context, db *mongo.Database) error {
	n, err := migratingStore(ctx).UnfinishedDecisions(ctx)
	if err != nil {
		return err
	}
	unapplied, err := db.Collection(colPaymentResults).CountDocuments(ctx, bson.D{{Key: "applied", Value: false}})
	if err != nil {
		return err
	}
	if n == 0 && unapplied == 0 {
		return nil
	}
	_, err = db.Collection(colSchema).UpdateOne(ctx, bson.D{{Key: "_id", Value: recountAfterID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "decisions", Value: n}, {Key: "payments", Value: unapplied}}}}, options.UpdateOne().SetUpsert(true))
	return err
}

// RecountAfterUnfinished does the recount a migration asked for (recountAfterID), once no
// decision is left half-applied: the counters and the paid counters repaired from the
// records, then the request removed. It reports whether it recounted. A payment result
// still half-applied is finished by the same file imported again; its step may then
// leave a drift that the next reconcile finds.
func (s *Store) RecountAfterUnfinished(ctx context.Context) (bool, error) {
	err := s.db.Collection(colSchema).FindOne(ctx, bson.D{{Key: "_id", Value: recountAfterID}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("recount after unfinished", err)
	}
	if n, err := s.UnfinishedDecisions(ctx); err != nil || n > 0 {
		return false, err
	}
	if _, err := s.Reconcile(ctx, true); err != nil {
		return false, err
	}
	if _, err := s.ReconcilePaid(ctx, true); err != nil {
		return false, err
	}
	if _, err := s.db.Collection(colSchema).DeleteOne(ctx, bson.D{{Key: "_id", Value: recountAfterID}}); err != nil {
		return false, s.fail("recount after unfinished", err)
	}
	return true, nil
}
