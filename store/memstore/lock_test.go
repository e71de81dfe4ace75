package memstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestLockWaitEndsWithContext checks the lock's waits: a writer or reader
// behind a held write lock gives up when its context ends, holds nothing
// afterwards, and a reader queued behind a writer that gave up gets in.
func TestLockWaitEndsWithContext(t *testing.T) {
	var l rwLock
	if err := l.lock(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, write := range []bool{true, false} {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		err := l.acquire(ctx, write)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("acquire(write=%v) behind a writer: %v, want context.DeadlineExceeded", write, err)
		}
	}
	l.unlock()
	if l.writer || l.readers != 0 || len(l.queue) != 0 {
		t.Fatalf("after the waiters gave up and the writer left: writer %v, readers %d, queue %d", l.writer, l.readers, len(l.queue))
	}

	// A reader queued behind a waiting writer that gives up gets in while
	// another reader still holds the lock.
	if err := l.rlock(t.Context()); err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithCancel(t.Context())
	werr := make(chan error, 1)
	go func() { werr <- l.lock(wctx) }()
	waitQueued(t, &l, 1)
	rdone := make(chan error, 1)
	go func() { rdone <- l.rlock(t.Context()) }()
	waitQueued(t, &l, 2)
	wcancel()
	if err := <-werr; !errors.Is(err, context.Canceled) {
		t.Fatalf("writer: %v, want context.Canceled", err)
	}
	if err := <-rdone; err != nil {
		t.Fatalf("reader behind the writer that gave up: %v", err)
	}
	l.runlock()
	l.runlock()
	if l.writer || l.readers != 0 || len(l.queue) != 0 {
		t.Fatalf("at the end: writer %v, readers %d, queue %d", l.writer, l.readers, len(l.queue))
	}
}

// waitQueued waits until n waiters are queued on l.
func waitQueued(t *testing.T, l *rwLock, n int) {
	t.Helper()
	for range 5000 {
		l.mu.Lock()
		q := len(l.queue)
		l.mu.Unlock()
		if q >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d waiters never queued", n)
}

// TestLockExcludes hammers the lock from many goroutines, some of which
// give up early, and checks under the race detector that a writer is
// always alone.
func TestLockExcludes(t *testing.T) {
	var l rwLock
	var mu sync.Mutex // checks the invariant; never contended by the lock's own waits
	writers, readers := 0, 0
	check := func() {
		mu.Lock()
		defer mu.Unlock()
		if writers > 1 || writers == 1 && readers > 0 {
			t.Errorf("%d writers and %d readers hold the lock at once", writers, readers)
		}
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 200 {
				write := (i+j)%3 == 0
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(j%4)*time.Microsecond*50)
				if j%5 != 0 {
					cancel()
					ctx, cancel = context.WithCancel(context.Background())
				}
				if err := l.acquire(ctx, write); err != nil {
					cancel()
					continue
				}
				mu.Lock()
				if write {
					writers++
				} else {
					readers++
				}
				mu.Unlock()
				check()
				mu.Lock()
				if write {
					writers--
				} else {
					readers--
				}
				mu.Unlock()
				l.release(write)
				cancel()
			}
		})
	}
	wg.Wait()
	if l.writer || l.readers != 0 || len(l.queue) != 0 {
		t.Fatalf("at the end: writer %v, readers %d, queue %d", l.writer, l.readers, len(l.queue))
	}
}

// BenchmarkLock measures an uncontended read and write of the lock, which
// every View and Update of the store takes.
func BenchmarkLock(b *testing.B) {
	ctx := context.Background()
	b.Run("read", func(b *testing.B) {
		var l rwLock
		b.ReportAllocs()
		for b.Loop() {
			if err := l.rlock(ctx); err != nil {
				b.Fatal(err)
			}
			l.runlock()
		}
	})
	b.Run("write", func(b *testing.B) {
		var l rwLock
		b.ReportAllocs()
		for b.Loop() {
			if err := l.lock(ctx); err != nil {
				b.Fatal(err)
			}
			l.unlock()
		}
	})
}
