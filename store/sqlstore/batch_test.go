package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// TestConcurrentUpdatesKeepTheirOutcome runs Updates at once, every other
// one failing (with an error, or a panic) after its writes: on SQLite they
// share transactions (group commit), and still every successful one is
// stored and nothing of a failed one is.
func TestConcurrentUpdatesKeepTheirOutcome(t *testing.T) {
	boom := errors.New("boom")
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		ctx := context.Background()
		const workers = 24
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				defer func() {
					if r := recover(); r != nil {
						errs[w] = fmt.Errorf("panic: %v", r)
					}
				}()
				errs[w] = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
					id := fmt.Sprint("u", w)
					if err := tx.PutUser(ctx, &store.User{ID: id, Username: id, Email: id + "@example.com"}); err != nil {
						return err
					}
					switch w % 4 {
					case 1:
						return boom
					case 3:
						panic(boom)
					}
					return nil
				})
			})
		}
		wg.Wait()
		err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
			for w := range workers {
				_, err := tx.User(ctx, fmt.Sprint("u", w))
				switch {
				case w%2 == 0 && errs[w] == nil && err == nil:
				case w%2 == 1 && errs[w] != nil && errors.Is(err, store.ErrNotFound):
				default:
					t.Errorf("worker %d: Update %v, then User %v", w, errs[w], err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestSharedCommitRespectsDeadlines: on SQLite, an Update whose context
// ends after its function ran but before the transaction it shares with
// another commits is not committed; the other Update runs again and is.
func TestSharedCommitRespectsDeadlines(t *testing.T) {
	st := sqltest.OpenSQLite(t)
	ctxA, cancelA := context.WithCancel(context.Background())
	defer cancelA()
	put := func(ctx context.Context, tx store.Tx, id string) error {
		return tx.PutUser(ctx, &store.User{ID: id, Username: id, Email: id + "@example.com"})
	}
	bQueued := make(chan struct{})
	var errA, errB error
	var runsB int
	var wg sync.WaitGroup
	wg.Go(func() {
		errA = st.Update(ctxA, func(ctx context.Context, tx store.Tx) error {
			close(bQueued)
			// Wait until B waits for the writer: A then leaves the
			// transaction open for B.
			for deadline := time.Now().Add(10 * time.Second); sqlstore.Queued(st) == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			return put(ctx, tx, "a")
		})
	})
	<-bQueued
	errB = st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		runsB++
		cancelA() // A's context ends while A's write waits for the commit
		return put(ctx, tx, "b")
	})
	wg.Wait()
	if !errors.Is(errA, context.Canceled) {
		t.Errorf("A: %v, want context.Canceled", errA)
	}
	if errB != nil || runsB != 2 {
		t.Errorf("B: %v after %d runs, want nil after 2", errB, runsB)
	}
	err := st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.User(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("A's user: %v, want ErrNotFound", err)
		}
		if _, err := tx.User(ctx, "b"); err != nil {
			t.Errorf("B's user: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
