package memstore

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Store is an in-memory [store.Store]. Create it with [New]; it is safe for
// concurrent use.
type Store struct {
	mu rwLock
	db *db
	rt *schema.ResourceType // schema.User(), built once; read-only
	// undo is the undo log's storage, reused by one Update after another
	// under the write lock and cleared after each.
	undo []undoStep
}

// New returns an empty Store.
func New() *Store {
	return &Store{db: newDB(), rt: schema.User()}
}

var _ store.Store = (*Store)(nil)

// Update runs fn in a read-write transaction; see [store.Store.Update].
// Updates run one at a time. If fn returns an error or panics, every write it
// made is undone before Update returns (or re-panics).
//
// Waiting for the lock ends with ctx: Update then returns ctx's error
// (wrapped; errors.Is finds context.DeadlineExceeded) without running fn.
// Nothing is committed once ctx is done: when ctx ended while fn ran, fn's
// writes are undone and ctx's error returned, so that a client told its
// request timed out never finds it applied.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	if err := s.mu.lock(ctx); err != nil {
		return fmt.Errorf("memstore: waiting for the write lock: %w", err)
	}
	defer s.mu.unlock()
	t := &tx{db: s.db, rt: s.rt, write: true, undo: s.undo}
	committed := false
	defer func() {
		t.done.Store(true)
		if !committed {
			t.rollback()
		}
		s.keepUndo(t.undo)
	}()
	if err := fn(ctx, t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: not committed: %w", err)
	}
	committed = true
	return nil
}

// View runs fn in a read-only transaction; see [store.Store.View]. Views run
// in parallel with each other, never with an Update. Waiting for the lock
// ends with ctx, as in [Store.Update].
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	if err := s.mu.rlock(ctx); err != nil {
		return fmt.Errorf("memstore: waiting for the read lock: %w", err)
	}
	defer s.mu.runlock()
	t := &tx{db: s.db, rt: s.rt}
	defer t.done.Store(true)
	return fn(ctx, t)
}

// tx is a transaction over db. Writes go straight to db (the caller holds
// the write lock) and push their inverse on undo.
type tx struct {
	db    *db
	rt    *schema.ResourceType
	write bool
	done  atomic.Bool
	undo  []undoStep
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i].apply(t.db)
	}
}

// maxKeptUndo bounds the undo log kept for the next Update, so that one
// bulk load does not hold its log's memory for good.
const maxKeptUndo = 256

// keepUndo keeps log's storage for the next Update, without the references
// to old and new values it holds.
func (s *Store) keepUndo(log []undoStep) {
	if cap(log) > maxKeptUndo {
		s.undo = nil
		return
	}
	clear(log)
	s.undo = log[:0]
}

// check reports whether t may still be used, and for writing if write.
func (t *tx) check(write bool) error {
	if t.done.Load() {
		return store.ErrTxDone
	}
	if write && !t.write {
		return store.ErrReadOnly
	}
	return nil
}
