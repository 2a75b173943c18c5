// Package ratelimit bounds how many requests one key (an address) makes in a fixed
// window, counted in memory on the hot path and shared between instances through the
// store by reservations.
//
// Each instance holds, per key and window, a number of requests it was granted and how
// many it used. While it has some left, a request costs a map look-up under the key's
// own lock. When it runs out it takes the next slot of the window from the store (a
// tenth of the limit, or one) — one insert, made under that key's lock only, so other
// keys never wait for it. Slots are unique, so across every instance a key never gets
// more than the limit in a window; an instance that stops before using its slot leaves
// the rest unused (the limit errs towards refusing, by a slot per instance at most).
package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Reserver shares the windows' counts between instances. A window's limit is cut into
// numbered slots of a chunk each; an instance takes a slot by inserting it, so two
// instances can never take the same one (a unique insert is atomic on every store,
// where an increment is not: FerretDB loses concurrent updates).
type Reserver interface {
	// TakeSlot takes slot n of key's window starting at start, and reports false when
	// another instance has it.
	TakeSlot(ctx context.Context, key string, start time.Time, window time.Duration, n int) (bool, error)
}

// Limiter counts requests per key and fixed window.
type Limiter struct {
	limit  int
	window time.Duration
	chunk  int
	store  Reserver // nil: this instance alone
	now    func() time.Time

	mu   sync.Mutex
	keys map[string]*entry
	seen time.Time // the window of the last clean-up
}

type entry struct {
	mu      sync.Mutex
	start   atomic.Int64 // the window these counts are for (Unix nanoseconds)
	granted int
	used    int
	next    int  // the first slot not known to be taken
	spent   bool // every slot of the window is taken
}

// New returns a limiter of limit requests per window for each key. With a store, the
// windows are shared with every instance on it.
func New(limit int, window time.Duration, store Reserver, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{limit: limit, window: window, chunk: max(1, limit/10), store: store, now: now, keys: map[string]*entry{}}
}

// Allow counts one request of key and says whether it is within the limit, and when
// the window ends. A store that fails lets the request through: the limiter protects
// the service, it must not take it down with the store.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, time.Duration) {
	now := l.now()
	start := now.Truncate(l.window)
	return l.allow(ctx, key, start), start.Add(l.window).Sub(now)
}

func (l *Limiter) allow(ctx context.Context, key string, start time.Time) bool {
	e := l.entry(key, start)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.start.Load() != start.UnixNano() {
		e.start.Store(start.UnixNano())
		e.granted, e.used, e.next, e.spent = 0, 0, 0, false
	}
	if e.used >= e.granted {
		if e.spent || e.granted >= l.limit {
			return false
		}
		got := l.limit - e.granted
		if l.store != nil {
			var err error
			if got, err = l.take(ctx, e, key, start); err != nil {
				return true
			}
		}
		if got <= 0 {
			e.spent = true // nothing left anywhere: refuse without asking again
			return false
		}
		e.granted += got
	}
	e.used++
	return true
}

// take takes the next free slot of the window and returns its size (0: none left).
func (l *Limiter) take(ctx context.Context, e *entry, key string, start time.Time) (int, error) {
	slots := (l.limit + l.chunk - 1) / l.chunk
	for ; e.next < slots; e.next++ {
		ok, err := l.store.TakeSlot(ctx, key, start, l.window, e.next)
		if err != nil {
			return 0, err
		}
		if ok {
			n := e.next
			e.next++
			return min(l.chunk, l.limit-n*l.chunk), nil
		}
	}
	return 0, nil
}

// entry returns key's counts, dropping every entry of an earlier window once a window.
func (l *Limiter) entry(key string, start time.Time) *entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if start.After(l.seen) {
		for k, e := range l.keys {
			if e.start.Load() < start.UnixNano() {
				delete(l.keys, k)
			}
		}
		l.seen = start
	}
	e, ok := l.keys[key]
	if !ok {
		e = &entry{}
		e.start.Store(start.UnixNano())
		l.keys[key] = e
	}
	return e
}
