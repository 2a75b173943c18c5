package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// The retention job erases personal data whose purpose is served (ansinh.RetentionConfig).
// Submissions are walked from a mark: the decisions and supersessions between the last
// run's cut-off and this one's, so a run costs what happened since, not the history;
// a run cut short is done again from the same mark (every step is safe to repeat).
// Chat documents are deleted by age, the web form's drafts once expired.

// retentionDoc is the mark: every rejection and supersession before DoneUntil has had
// its submission's personal data erased.
type retentionDoc struct {
	ID        string    `bson:"_id"` // "submissions"
	DoneUntil time.Time `bson:"done_until"`
}

// ApplyRetention erases what the policy says is due at now; with dry it only counts.
func (s *Store) ApplyRetention(ctx context.Context, p ansinh.RetentionConfig, now time.Time, dry bool) (*ansinh.RetentionReport, error) {
	rep := &ansinh.RetentionReport{DryRun: dry}
	if err := s.eraseSubmissions(ctx, now.Add(-p.Submissions), now, dry, rep); err != nil {
		return nil, err
	}
	drafts, err := s.deleteDrafts(ctx, now.Add(-ansinh.FormDraftTTL), dry, rep)
	if err != nil {
		return nil, err
	}
	if err := s.deleteChat(ctx, now.Add(-p.Chat), drafts, dry, rep); err != nil {
		return nil, err
	}
	if !dry && rep.Total() > 0 && s.embedded != nil {
		// Erased is erased: nothing of it left in the write-ahead log either.
		if err := s.embedded.Checkpoint(ctx, s.db.Name()); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func (s *Store) eraseSubmissions(ctx context.Context, cutoff, now time.Time, dry bool, rep *ansinh.RetentionReport) error {
	var mark retentionDoc
	err := s.db.Collection(colRetention).FindOne(ctx, bson.D{{Key: "_id", Value: "submissions"}}).Decode(&mark)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return s.fail("retention mark", err)
	}
	if !cutoff.After(mark.DoneUntil) {
		return nil
	}
	filter := bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: []string{ansinh.StatusRejected, ansinh.StatusSuperseded}}}},
		{Key: "at", Value: bson.D{{Key: "$gte", Value: mark.DoneUntil.UTC()}, {Key: "$lt", Value: cutoff.UTC()}}},
	}
	cur, err := s.db.Collection(colRegistrationEvents).Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "receipt", Value: 1}}))
	if err != nil {
		return s.fail("retention: submissions", err)
	}
	var evs []struct {
		Receipt string `bson:"receipt"`
	}
	if err := cur.All(ctx, &evs); err != nil {
		return s.fail("retention: submissions", err)
	}
	seen := map[string]bool{}
	for _, ev := range evs {
		if seen[ev.Receipt] {
			continue
		}
		seen[ev.Receipt] = true
		// A decision wins over a supersession: a submission verified after all keeps
		// its account.
		st, err := s.registrationStatus(ctx, ev.Receipt)
		if err != nil {
			return err
		}
		if st.Status != ansinh.StatusRejected && st.Status != ansinh.StatusSuperseded {
			continue
		}
		erased, err := s.eraseSubmission(ctx, ev.Receipt, now, dry)
		if err != nil {
			return err
		}
		if erased {
			rep.Submissions++
		}
	}
	if dry {
		return nil
	}
	_, err = s.db.Collection(colRetention).UpdateOne(ctx, bson.D{{Key: "_id", Value: "submissions"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "done_until", Value: cutoff.UTC()}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return s.fail("retention mark", err)
	}
	return nil
}

// eraseSubmission removes the personal data of one submission: its account (number,
// last digits, blind index, holder), phone and proxy; it leaves the fact of it.
func (s *Store) eraseSubmission(ctx context.Context, receipt string, now time.Time, dry bool) (bool, error) {
	d, err := s.registrationDoc(ctx, receipt)
	if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !d.ErasedAt.IsZero() {
		return false, nil
	}
	if dry {
		return true, nil
	}
	if d.AccountIndex != "" { // the "same account elsewhere" check no longer names it
		_, err := s.db.Collection(colAccountRefs).UpdateOne(ctx, bson.D{{Key: "_id", Value: d.AccountIndex}},
			bson.D{{Key: "$pull", Value: bson.D{{Key: "receipts", Value: receipt}}}})
		if err != nil {
			return false, s.fail("retention: account ref", err)
		}
	}
	// The photo of a proxy's authorisation first: the erasure mark comes last, so a
	// run stopped between the two repeats both.
	if _, err := s.db.Collection(colAuthorisations).DeleteOne(ctx, bson.D{{Key: "_id", Value: receipt}}); err != nil {
		return false, s.fail("retention: authorisation", err)
	}
	_, err = s.db.Collection(colRegistrations).UpdateOne(ctx, bson.D{{Key: "_id", Value: receipt}}, bson.D{
		{Key: "$unset", Value: bson.D{{Key: "account_enc", Value: ""}, {Key: "account_last4", Value: ""}, {Key: "account_index", Value: ""},
			{Key: "account_name", Value: ""}, {Key: "phone_enc", Value: ""}, {Key: "proxy", Value: ""}, {Key: "fingerprint", Value: ""},
			{Key: "proof_seen", Value: ""}}},
		{Key: "$set", Value: bson.D{{Key: "erased_at", Value: now.UTC()}}}})
	if err != nil {
		return false, s.fail("retention: erase submission", err)
	}
	return true, nil
}

// deleteDrafts deletes the web form's drafts whose last answer is older than cutoff
// (the form refuses them already), and the authorisation photos kept beside them. A
// photo goes with its draft, not by its own age: it is older than the draft's later
// answers, and a living draft keeps it; one whose draft is gone goes too. It returns
// what it deleted (or, dry, would delete), for the chat's sweep to leave alone.
func (s *Store) deleteDrafts(ctx context.Context, cutoff time.Time, dry bool, rep *ansinh.RetentionReport) ([]string, error) {
	// "form;" is the first string after every "form:…".
	end := strings.TrimSuffix(ansinh.FormDraftPrefix, ":") + ";"
	old, err := s.ids(ctx, colConversations, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$gte", Value: ansinh.FormDraftPrefix}, {Key: "$lt", Value: end}}},
		{Key: "updated", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}})
	if err != nil {
		return nil, s.fail("retention: drafts", err)
	}
	expired := map[string]bool{}
	for _, id := range old {
		if !strings.HasSuffix(id, ansinh.FormDraftPhotoSuffix) {
			expired[id] = true
		}
	}
	var gone []string
	for _, id := range old {
		draft, photo := strings.CutSuffix(id, ansinh.FormDraftPhotoSuffix)
		if photo && !expired[draft] {
			n, err := s.db.Collection(colConversations).CountDocuments(ctx, bson.D{{Key: "_id", Value: draft}})
			if err != nil {
				return nil, s.fail("retention: draft of a photo", err)
			}
			if n > 0 {
				continue // its draft is still answered
			}
		}
		if !dry {
			if _, err := s.db.Collection(colConversations).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
				return nil, s.fail("retention: delete draft", err)
			}
		}
		if photo {
			rep.DraftPhotos++
		} else {
			rep.Drafts++
		}
		gone = append(gone, id)
	}
	return gone, nil
}

// deleteChat deletes the chat's documents older than cutoff; skip are conversations
// the drafts' sweep has counted already.
func (s *Store) deleteChat(ctx context.Context, cutoff time.Time, skip []string, dry bool, rep *ansinh.RetentionReport) error {
	before := func(field string) bson.D {
		return bson.D{{Key: field, Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}}
	}
	conversations := before("updated")
	if len(skip) > 0 {
		conversations = append(conversations, bson.E{Key: "_id", Value: bson.D{{Key: "$nin", Value: skip}}})
	}
	n, err := s.deleteOrCount(ctx, colConversations, conversations, dry)
	if err != nil {
		return err
	}
	rep.Conversations = n
	// Events still waiting to be processed stay, whatever their age.
	pending, err := s.ids(ctx, colEventsPending, bson.D{})
	if err != nil {
		return s.fail("retention: events", err)
	}
	events := append(before("received_at"), bson.E{Key: "_id", Value: bson.D{{Key: "$nin", Value: pending}}})
	if rep.Events, err = s.deleteOrCount(ctx, colEvents, events, dry); err != nil {
		return err
	}
	messages := append(before("created"), bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: []string{OutboxSent, OutboxFailed}}}})
	if rep.Messages, err = s.deleteOrCount(ctx, colOutbox, messages, dry); err != nil {
		return err
	}
	// A submission's link to its chat user is kept until the person has been told the
	// decision (or a newer submission replaced it), and a chat period more.
	links, err := s.ids(ctx, colChatReceipts, bson.D{})
	if err != nil {
		return s.fail("retention: chat links", err)
	}
	for _, receipt := range links {
		st, err := s.registrationStatus(ctx, receipt)
		if err != nil {
			return err
		}
		if st.Status == ansinh.StatusPending || !st.At.Before(cutoff) {
			continue
		}
		if st.Kind == "decision" {
			var open struct {
				ID string `bson:"_id"`
			}
			err := s.db.Collection(colDecisionsOpen).FindOne(ctx, bson.D{{Key: "_id", Value: receipt}}).Decode(&open)
			if err == nil {
				continue // not told yet
			}
			if !errors.Is(err, mongo.ErrNoDocuments) {
				return s.fail("retention: chat links", err)
			}
		}
		rep.ChatLinks++
		if dry {
			continue
		}
		if _, err := s.db.Collection(colChatReceipts).DeleteOne(ctx, bson.D{{Key: "_id", Value: receipt}}); err != nil {
			return s.fail("retention: chat links", err)
		}
	}
	return nil
}

func (s *Store) deleteOrCount(ctx context.Context, col string, filter bson.D, dry bool) (int, error) {
	if dry {
		n, err := s.db.Collection(col).CountDocuments(ctx, filter)
		if err != nil {
			return 0, s.fail("retention: count "+col, err)
		}
		return int(n), nil
	}
	res, err := s.db.Collection(col).DeleteMany(ctx, filter)
	if err != nil {
		return 0, s.fail("retention: delete "+col, err)
	}
	return int(res.DeletedCount), nil
}
