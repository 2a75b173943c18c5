package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ansinh"
)

// A person of a split old commune is stored with no commune and the candidates an
// officer chooses from ("cần chọn xã"). The choice is claimed by inserting a document
// whose _id names the record as it was read, so that of two officers choosing at once
// exactly one goes on (FerretDB's conditional updates are not atomic across
// connections); the record, the counters and the person's submissions follow.

// choiceDoc is the claim of one choice, kept in the claims collection.
type choiceDoc struct {
	ID        string    `bson:"_id"`
	Commune   string    `bson:"commune"`
	By        string    `bson:"by"`
	At        time.Time `bson:"at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// choiceStale is how old a claim must be, its record still waiting, before a retry may
// finish what the claimant left undone (well past any request's timeout).
const choiceStale = 2 * time.Minute

// ChooseCommune settles the commune of a person who waits for it: commune must be one
// of the candidates. It moves the person's counts from ansinh.UnassignedKey to the
// commune and gives the person's submissions that had no commune this one, so that they
// reach its queue. It returns the record as it was before.
func (s *Store) ChooseCommune(ctx context.Context, id, commune, by string, now time.Time) (*ansinh.Beneficiary, error) {
	d, err := s.beneficiaryDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	before := d.beneficiary()
	if !before.Waiting() {
		return nil, ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgCommuneChosen)
	}
	if !slices.Contains(before.Candidates, commune) {
		return nil, ansinh.FieldError("commune", ansinh.MsgCommuneNotCandidate)
	}
	claim := choiceDoc{ID: fmt.Sprintf("commune-choice:%s:%d", id, d.UpdatedAt.UnixNano()), Commune: commune, By: by,
		At: now.UTC(), ExpiresAt: now.Add(30 * 24 * time.Hour).UTC()}
	claims := s.db.Collection(colClaims)
	if _, err := claims.InsertOne(ctx, claim); mongo.IsDuplicateKeyError(err) {
		var held choiceDoc
		if err := claims.FindOne(ctx, bson.D{{Key: "_id", Value: claim.ID}}).Decode(&held); err != nil {
			return nil, s.fail("choose commune: claim", err)
		}
		if held.Commune != commune || now.Sub(held.At) < choiceStale {
			return nil, ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgCommuneChoosing)
		}
	} else if err != nil {
		return nil, s.fail("choose commune: claim", err)
	}
	// On MongoDB the update also checks that the commune is still unchosen. On FerretDB
	// any filter beyond _id scans every record of the city (SPEC §7), and the claim above
	// already lets one chooser alone through.
	filter := bson.D{{Key: "_id", Value: id}}
	if !s.ferret {
		filter = append(filter, bson.E{Key: "commune", Value: ""})
	}
	res, err := s.db.Collection(colBeneficiaries).UpdateOne(ctx, filter,
		bson.D{{Key: "$set", Value: bson.D{{Key: "commune", Value: commune}, {Key: "updated_at", Value: now.UTC()}}},
			{Key: "$unset", Value: bson.D{{Key: "candidates", Value: ""}}}})
	if err != nil {
		return nil, s.fail("choose commune", err)
	}
	if res.ModifiedCount == 0 {
		return nil, ansinh.Errorf(ansinh.ECONFLICT, ansinh.MsgCommuneChosen)
	}
	after := *before
	after.Commune, after.Candidates = commune, nil
	if err := s.moveCounts(ctx, before, &after); err != nil {
		return nil, err
	}
	if err := s.syncMember(ctx, id, before.CountedIn()); err != nil {
		return nil, err
	}
	if err := s.routeRegistrations(ctx, id, commune); err != nil {
		return nil, err
	}
	return before, nil
}

// routeRegistrations gives the person's submissions stored without a commune (made
// while it waited for a choice) the chosen one: the pending ones then appear in its
// queue. Each step is a lookup by _id then a write by _id (a filter on the commune as
// well would scan the collection on FerretDB), and safe to repeat.
func (s *Store) routeRegistrations(ctx context.Context, beneficiaryID, commune string) error {
	receipts, err := s.RegistrationReceipts(ctx, beneficiaryID)
	if err != nil {
		return err
	}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "commune", Value: commune}}}}
	for _, r := range receipts {
		for _, step := range []struct{ col, id string }{
			{colRegistrations, r}, {colQueue, r}, {colRegistrationEvents, r + ":superseded"},
		} {
			var d struct {
				Commune string `bson:"commune"`
			}
			err := s.db.Collection(step.col).FindOne(ctx, bson.D{{Key: "_id", Value: step.id}},
				options.FindOne().SetProjection(bson.D{{Key: "commune", Value: 1}})).Decode(&d)
			if errors.Is(err, mongo.ErrNoDocuments) || err == nil && d.Commune != "" {
				continue
			}
			if err == nil {
				_, err = s.db.Collection(step.col).UpdateOne(ctx, bson.D{{Key: "_id", Value: step.id}}, set)
			}
			if err != nil {
				return s.fail("choose commune: route registrations", err)
			}
		}
		if err := s.syncQueued(ctx, r, ""); err != nil {
			return err
		}
		if err := s.syncDecided(ctx, r+":superseded", ""); err != nil {
			return err
		}
	}
	return nil
}
