package store

import (
	"context"
	"errors"
	"strconv"
	"sync"
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
		if err == nil || mongo.IsDuplicateKeyError(err) {
			s.slotMemory().add(id, end) // taken, by this claim or before it
		}
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
	s.slotMemory().remove(slot)
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

// slotTaken looks the slot up by _id, or, on FerretDB, in this process's memory of them.
func (s *Store) slotTaken(ctx context.Context, id string) (bool, error) {
	if m := s.slotMemory(); m != nil {
		return m.taken(ctx, s, id)
	}
	return exists(ctx, s.rdb.Collection(colAttempts), id)
}

// exists reports whether col holds a document with this _id.
func exists(ctx context.Context, col *mongo.Collection, id string) (bool, error) {
	switch err := col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	default:
		return false, err
	}
}

// Slots in memory. On FerretDB this process is the store's only writer (SPEC §7), so
// once it has read the attempt slots it knows each one there is: whether a slot is taken
// is answered from memory, which spares every registration's identity check a store call
// (issue 18). The memory is the process's, per database, like the roster locks: loaded
// on first use, kept by ClaimAttempt and ReleaseAttempt, and forgetting the slots of
// ended windows (which the retention job deletes). A second process on one embedded
// store — not a supported way to run — would not see this one's slots: each would then
// allow a key its own limit.
type slots struct {
	mu     sync.Mutex
	loaded bool
	ends   map[string]time.Time // slot id → the end of its window
	pruned time.Time            // the window end of the last pruning
}

var slotMemories = struct {
	sync.Mutex
	m map[string]*slots
}{m: map[string]*slots{}}

// slotMemory is the memory of s's database; nil off FerretDB, where the store answers.
func (s *Store) slotMemory() *slots {
	if !s.ferret {
		return nil
	}
	slotMemories.Lock()
	defer slotMemories.Unlock()
	m := slotMemories.m[s.db.Name()]
	if m == nil {
		m = &slots{ends: map[string]time.Time{}}
		slotMemories.m[s.db.Name()] = m
	}
	return m
}

// forgetSlots drops the memory of s's database (the database is dropped).
func (s *Store) forgetSlots() {
	slotMemories.Lock()
	defer slotMemories.Unlock()
	delete(slotMemories.m, s.db.Name())
}

func (m *slots) taken(ctx context.Context, s *Store, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.loaded {
		cur, err := s.db.Collection(colAttempts).Find(ctx, bson.D{})
		if err != nil {
			return false, err
		}
		var all []attemptDoc
		if err := cur.All(ctx, &all); err != nil {
			return false, err
		}
		for _, d := range all {
			m.ends[d.ID] = d.ExpiresAt
		}
		m.loaded = true
	}
	_, ok := m.ends[id]
	return ok, nil
}

func (m *slots) add(id string, end time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ends[id] = end
	// The slots of windows ended a day before this one's (on the caller's clock: the
	// service's, which tests move) are never asked about again.
	if end.Sub(m.pruned) > time.Hour {
		for k, e := range m.ends {
			if e.Before(end.Add(-24 * time.Hour)) {
				delete(m.ends, k)
			}
		}
		m.pruned = end
	}
}

func (m *slots) remove(id string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.ends, id)
}
