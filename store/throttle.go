package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// attemptDoc is one claimed attempt: slot n of key's window that starts at start.
type attemptDoc struct {
	ID        string    `bson:"_id"` // key|window start (unix seconds)|n
	ExpiresAt time.Time `bson:"expires_at"`
}

// ClaimAttempt takes one of the limit attempts that key has in the fixed window of
// length window holding now, before the attempt is checked. Each attempt is a document
// with a unique _id (slot 1, 2, … limit): the insert either takes a slot or meets a
// duplicate key and tries the next, so however many attempts run at once, on one
// instance or several, at most limit get one. It returns the slot's id (for
// ReleaseAttempt), or "" and the time left in the window when every slot is taken.
//
// A count of documents could not do this: a count taken after a check lets every
// parallel attempt through, and a count on a field other than _id scans the
// collection on the embedded store (SPEC §7).
func (s *Store) ClaimAttempt(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (string, time.Duration, error) {
	end := now.UTC().Truncate(window).Add(window)
	for n := 1; n <= limit; n++ {
		if n == 2 {
			// The first slot is taken: once the last is too, one lookup by _id says so
			// (a slot released before then is taken again; after, the window is full
			// until it ends). Most claims take the first slot and never look.
			full, err := s.slotTaken(ctx, attemptSlot(key, now, window, limit))
			if err != nil {
				return "", 0, s.fail("claim attempt", err)
			}
			if full {
				return "", end.Sub(now), nil
			}
		}
		id := attemptSlot(key, now, window, n)
		err := s.insert(ctx, colAttempts, attemptDoc{ID: id, ExpiresAt: end})
		if err == nil {
			return id, 0, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return "", 0, s.fail("claim attempt", err)
		}
	}
	return "", end.Sub(now), nil
}

// AttemptsUsed reports whether the window's limit attempts of key are all claimed (one
// lookup by _id: slots are claimed in order, and a full window's last one is taken).
func (s *Store) AttemptsUsed(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (bool, error) {
	full, err := s.slotTaken(ctx, attemptSlot(key, now, window, limit))
	if err != nil {
		return false, s.fail("attempts used", err)
	}
	return full, nil
}

// ReleaseAttempt gives a claimed slot back (an attempt that turned out not to count:
// a successful login). Releasing a slot that is gone is not an error.
func (s *Store) ReleaseAttempt(ctx context.Context, slot string) error {
	if _, err := s.db.Collection(colAttempts).DeleteOne(ctx, bson.D{{Key: "_id", Value: slot}}); err != nil {
		return s.fail("release attempt", err)
	}
	return nil
}

// AttemptsTaken counts the slots of key's window holding now that are taken (at most
// limit lookups by _id), so that a page can warn before the last attempt.
func (s *Store) AttemptsTaken(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (int, error) {
	taken := 0
	for n := 1; n <= limit; n++ {
		ok, err := s.slotTaken(ctx, attemptSlot(key, now, window, n))
		if err != nil {
			return 0, s.fail("count attempts", err)
		}
		if ok {
			taken++
		}
	}
	return taken, nil
}

// attemptSlot is the _id of slot n of key's window holding now.
func attemptSlot(key string, now time.Time, window time.Duration, n int) string {
	return key + "|" + strconv.FormatInt(now.UTC().Truncate(window).Unix(), 10) + "|" + strconv.Itoa(n)
}

// slotTaken looks the slot up by _id.
func (s *Store) slotTaken(ctx context.Context, id string) (bool, error) {
	switch err := s.rdb.Collection(colAttempts).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	default:
		return false, err
	}
}
