package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// inserter groups the inserts that concurrent callers make into one collection: while
// one batch is on its way to the store, the inserts that arrive wait and go together
// in the next, as one unordered insertMany. Each caller still returns only once its
// own document is stored (or refused, with its own error: a duplicate key is the
// caller's, never its neighbours'), so an insert through it means what InsertOne
// means. One caller alone waits for nobody. On the embedded store every write is a
// commit of SQLite's single writer, so twenty registrations at once cost a handful of
// commits instead of a hundred.
type inserter struct {
	col *mongo.Collection

	mu      sync.Mutex
	pending []*insertCall
	busy    bool
}

type insertCall struct {
	doc  any
	done chan error
}

// maxBatch bounds one insertMany (well under the 16 MB message limit for our documents).
const maxBatch = 256

// batchTimeout bounds one batch: it runs for every caller in it, whichever gave up.
const batchTimeout = 30 * time.Second

func newInserter(col *mongo.Collection) *inserter { return &inserter{col: col} }

// insert stores doc, with the others arriving meanwhile.
func (b *inserter) insert(ctx context.Context, doc any) error {
	call := &insertCall{doc: doc, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, call)
	lead := !b.busy
	b.busy = true
	b.mu.Unlock()
	if lead {
		go b.run(context.WithoutCancel(ctx))
	}
	return <-call.done
}

// run sends batches until nobody waits.
func (b *inserter) run(ctx context.Context) {
	for {
		b.mu.Lock()
		n := min(len(b.pending), maxBatch)
		if n == 0 {
			b.busy = false
			b.mu.Unlock()
			return
		}
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		b.mu.Unlock()
		b.send(ctx, batch)
	}
}

func (b *inserter) send(ctx context.Context, batch []*insertCall) {
	ctx, cancel := context.WithTimeout(ctx, batchTimeout)
	defer cancel()
	if len(batch) == 1 {
		_, err := b.col.InsertOne(ctx, batch[0].doc)
		batch[0].done <- err
		return
	}
	docs := make([]any, len(batch))
	for i, c := range batch {
		docs[i] = c.doc
	}
	for i, err := range insertEach(ctx, b.col, docs) {
		batch[i].done <- err
	}
}

// insertEach inserts docs into col in one unordered insertMany and returns each one's
// error: a duplicate key is its own, never its neighbours'.
func insertEach(ctx context.Context, col *mongo.Collection, docs []any) []error {
	errs := make([]error, len(docs))
	if len(docs) == 0 {
		return errs
	}
	_, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	switch {
	case err == nil:
	case errors.As(err, &bwe) && bwe.WriteConcernError == nil:
		for _, we := range bwe.WriteErrors {
			if we.Index >= 0 && we.Index < len(errs) {
				errs[we.Index] = we
			}
		}
	default:
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}
