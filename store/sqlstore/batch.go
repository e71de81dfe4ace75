package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/scimkit/scimkit/store"
)

// Group commit on SQLite. SQLite writes one transaction at a time, and a
// commit waits for its fsync (synchronous=FULL), which takes longer than
// the rest of a create. So concurrent Updates share transactions: the
// Update that takes the writer and finds no transaction open begins one,
// and each Update runs its function in a savepoint of the open one, on its
// own goroutine, one after the other; a function that fails is undone
// alone. The Update that finishes while no other waits for the writer (or
// fills the batch) commits for all of them, and every one returns only once
// that commit is on disk: an acknowledged write is durable, and each
// function saw the writes of the ones before it, as if they had run one by
// one.

// maxBatch bounds the Updates one transaction serves, and so the time the
// first of them waits.
const maxBatch = 16

// batch is a SQLite transaction that several Updates share.
type batch struct {
	done chan struct{} // closed once the transaction ended
	err  error         // how it ended: nil when committed
	// ctxs are the contexts of the Updates whose writes it holds: none
	// may be committed once its context is done.
	ctxs []context.Context
	runs int
	// lost is set when an Update's savepoint was gone when it was to be
	// undone: an error rolled back the whole transaction, and with it the
	// writes of the Updates before it. The batch then ends at once, and
	// does not commit.
	lost bool
}

// errBatchUndone is the end of a batch rolled back because the context of
// one of its Updates ended before the commit: the others run again.
const errBatchUndone = retryable("the transaction was shared with an Update whose context ended")

// errBatchLost is the end of a batch whose transaction an error of one of
// its Updates rolled back (batch.lost): the others run again.
const errBatchLost = retryable("the transaction was shared with an Update whose error rolled it back")

// runInBatch runs fn once in the open batch (beginning one if none is
// open) and waits for the batch to end. It returns a non-nil retry error
// when fn should run again, else fn's error or the commit's.
func (s *Store) runInBatch(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) (retry, err error) {
	s.queued.Add(1)
	select {
	case s.writers <- struct{}{}:
		s.queued.Add(-1)
	case <-ctx.Done():
		s.queued.Add(-1)
		return nil, ctx.Err()
	}
	b, err := s.joinBatch(ctx)
	if err != nil {
		<-s.writers
		if s.d.classify(err) == classRetry {
			return err, nil
		}
		return nil, s.d.wrap(err)
	}
	t := &tx{s: s, q: s.writer, stmt: s.prepared}
	if _, err := t.exec(ctx, "SAVEPOINT scimkit_update"); err != nil {
		// The batch is still usable; this Update failed to start in it.
		s.settle(b)
		if s.d.classify(err) == classRetry {
			return err, nil
		}
		return nil, s.d.wrap(err)
	}
	settled := false
	defer func() {
		if !settled { // fn panicked: undo it, let the others go on
			t.done = true
			if s.undo(t) != nil {
				b.lost = true
			}
			s.settle(b)
		}
	}()
	ferr := fn(ctx, t)
	t.done = true
	// ctx ended while fn ran: its writes are undone, and the Update fails
	// with ctx's error rather than report a write it did not keep.
	ctxErr := ctx.Err()
	var undoErr error
	if t.retry != nil || ferr != nil || t.broken != nil || ctxErr != nil {
		if undoErr = s.undo(t); undoErr != nil {
			b.lost = true
		}
	} else {
		// The savepoint stays, unreleased: the next Update's nests in
		// it, ROLLBACK TO finds the latest of the name, and COMMIT ends
		// them all. That is a statement less per Update.
		b.ctxs = append(b.ctxs, ctx)
	}
	b.runs++
	settled = true
	s.settle(b)
	berr := s.await(b)
	switch {
	case errors.Is(berr, errBatchUndone) && ctx.Err() != nil:
		return nil, ctx.Err()
	case t.retry != nil:
		t.restore()
		return t.retry, nil
	case berr != nil && undoErr == nil && s.d.classify(berr) == classRetry:
		t.restore()
		return berr, nil
	case berr != nil && undoErr == nil:
		// The writes fn's decisions saw are gone.
		return nil, s.d.wrap(berr)
	case ferr != nil:
		return nil, ferr
	case t.broken != nil:
		return nil, t.broken
	case ctxErr != nil:
		return nil, ctxErr
	}
	return nil, nil
}

// joinBatch returns the open batch, beginning one if none is open. The
// caller holds the writer.
func (s *Store) joinBatch(ctx context.Context) (*batch, error) {
	if s.open != nil {
		return s.open, nil
	}
	if s.writer == nil {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		s.writer, s.stmts = c, map[string]*sql.Stmt{}
	}
	// database/sql does not know of this transaction: the writer
	// connection is the store's alone, used by whoever holds s.writers.
	if _, err := s.writer.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		if s.d.classify(err) == classUnavailable {
			s.dropWriter()
		}
		return nil, err
	}
	s.open = &batch{done: make(chan struct{})}
	return s.open, nil
}

// undo rolls back what t's function wrote, to its savepoint. An error
// means the savepoint is gone: the transaction is no longer open.
func (s *Store) undo(t *tx) error {
	ctx := context.Background()
	if _, err := s.writer.ExecContext(ctx, "ROLLBACK TO scimkit_update"); err != nil {
		return err
	}
	s.writer.ExecContext(ctx, "RELEASE scimkit_update")
	return nil
}

// settle, called by the holder of the writer after its function ran in b,
// commits b unless another Update waits for the writer to run in it too,
// and gives the writer up.
func (s *Store) settle(b *batch) {
	defer func() { <-s.writers }()
	if s.open != b || s.queued.Load() > 0 && b.runs < maxBatch && !b.lost {
		return
	}
	s.open = nil
	defer close(b.done)
	ctx := context.Background()
	if b.lost {
		s.writer.ExecContext(ctx, "ROLLBACK") // in case a statement began another
		b.err = errBatchLost
		return
	}
	for _, c := range b.ctxs {
		if c.Err() != nil {
			s.writer.ExecContext(ctx, "ROLLBACK")
			b.err = errBatchUndone
			return
		}
	}
	if _, err := s.writer.ExecContext(ctx, "COMMIT"); err != nil {
		// A failed COMMIT may leave the transaction open.
		s.writer.ExecContext(ctx, "ROLLBACK")
		if s.d.classify(err) == classUnavailable {
			s.dropWriter()
		}
		b.err = err
	}
}

// await waits until b ended and returns how. An Update that left b open
// for others to join may find itself the last one: when the writer comes
// back free while b is still open, it settles b itself.
func (s *Store) await(b *batch) error {
	for {
		select {
		case <-b.done:
			return b.err
		case s.writers <- struct{}{}:
			s.settle(b)
		}
	}
}
