package memstore

import (
	"context"
	"sync"
)

// rwLock is the Store's readers-writer lock. Unlike sync.RWMutex, a wait
// for it ends when the waiter's context does: an Update or View stuck
// behind a long transaction gives up at its request's deadline instead of
// running (and committing) after the client was told it failed.
//
// Waiters are served in arrival order: a waiting Update keeps Views that
// arrive after it waiting, so that a stream of Views cannot starve it, and
// the Views queued one after the other behind it are let in together.
type rwLock struct {
	mu      sync.Mutex
	readers int // Views holding the lock
	writer  bool
	queue   []*waiter // in arrival order
}

// waiter is one Update (write) or View waiting for the lock. ready is
// closed once the lock is granted to it.
type waiter struct {
	write bool
	ready chan struct{}
}

// lock takes the lock for writing, or returns ctx's error (and holds
// nothing) when ctx ends first.
func (l *rwLock) lock(ctx context.Context) error { return l.acquire(ctx, true) }

// rlock takes the lock for reading, or returns ctx's error when ctx ends
// first.
func (l *rwLock) rlock(ctx context.Context) error { return l.acquire(ctx, false) }

func (l *rwLock) acquire(ctx context.Context, write bool) error {
	l.mu.Lock()
	if len(l.queue) == 0 && l.free(write) {
		l.take(write)
		l.mu.Unlock()
		return nil
	}
	w := &waiter{write: write, ready: make(chan struct{})}
	l.queue = append(l.queue, w)
	l.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	select {
	case <-w.ready:
		// Granted while ctx ended: give it back, so that the caller's
		// failure leaves the lock as it found it.
		l.mu.Unlock()
		l.release(write)
	default:
		for i, q := range l.queue {
			if q == w {
				l.queue = append(l.queue[:i], l.queue[i+1:]...)
				break
			}
		}
		// Views queued behind a writer that gave up may go in now.
		l.grant()
		l.mu.Unlock()
	}
	return ctx.Err()
}

// unlock releases the write lock.
func (l *rwLock) unlock() { l.release(true) }

// runlock releases a read lock.
func (l *rwLock) runlock() { l.release(false) }

func (l *rwLock) release(write bool) {
	l.mu.Lock()
	if write {
		l.writer = false
	} else {
		l.readers--
	}
	l.grant()
	l.mu.Unlock()
}

// free reports whether the lock can be taken for writing (or reading)
// now; l.mu is held.
func (l *rwLock) free(write bool) bool {
	if write {
		return !l.writer && l.readers == 0
	}
	return !l.writer
}

// take records the lock as held; l.mu is held.
func (l *rwLock) take(write bool) {
	if write {
		l.writer = true
	} else {
		l.readers++
	}
}

// grant hands the lock to the waiters at the head of the queue that can
// have it now: one writer, or every reader up to the next writer; l.mu is
// held.
func (l *rwLock) grant() {
	n := 0
	for _, w := range l.queue {
		if !l.free(w.write) {
			break
		}
		l.take(w.write)
		close(w.ready)
		n++
		if w.write {
			break
		}
	}
	if n > 0 {
		clear(l.queue[:n])
		l.queue = l.queue[n:]
		if len(l.queue) == 0 {
			l.queue = nil
		}
	}
}
