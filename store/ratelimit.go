package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// rateDoc is one slot of one key's window, taken by one instance (_id "<key>@<window
// start, Unix seconds>#<slot>"); PurgeExpired removes it after the window.
type rateDoc struct {
	ID        string    `bson:"_id"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// TakeSlot takes slot n of key's window (ratelimit.Reserver): a unique insert, so of
// several instances exactly one gets it.
func (s *Store) TakeSlot(ctx context.Context, key string, start time.Time, window time.Duration, n int) (bool, error) {
	d := rateDoc{ID: fmt.Sprintf("%s@%d#%d", key, start.Unix(), n), ExpiresAt: start.Add(window).UTC()}
	_, err := s.db.Collection(colRate).InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, s.fail("rate slot", err)
	}
	return true, nil
}
