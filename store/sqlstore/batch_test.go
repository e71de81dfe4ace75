package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
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

// TestFullDiskLosesNoSharedWrite: on SQLite, an Update that fills the disk
// (SQLITE_FULL) makes SQLite roll back the whole transaction it shares
// with the Update before it, and the Update after it would begin a new
// one. The batch then ends without a commit: the Update before runs again
// and is stored, the one after runs in a new transaction, and only the
// Update that filled the disk fails, even when its function ignores the
// error and writes on. None that reported success is lost.
func TestFullDiskLosesNoSharedWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// Room for a few small rows, not for a large one.
	db.Close()
	db, err = sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=max_page_count(%d)", path, pages+4))
	if err != nil {
		t.Fatal(err)
	}
	st, err = sqlstore.New(context.Background(), db, sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	put := func(ctx context.Context, tx store.Tx, id, name string) error {
		return tx.PutUser(ctx, &store.User{ID: id, Username: id, Name: name, Email: id + "@example.com"})
	}
	waitQueued := func(n int64) {
		for deadline := time.Now().Add(10 * time.Second); sqlstore.Queued(st) < n && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	ctx := context.Background()
	startC := make(chan struct{})
	var errA, errB, errC error
	var wg sync.WaitGroup
	aStarted := make(chan struct{})
	wg.Go(func() {
		runs := 0
		errA = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if runs++; runs == 1 {
				close(aStarted)
				// B and then C wait for the writer: A leaves the
				// transaction open for them, and they run in it in turn.
				waitQueued(1)
				close(startC)
				waitQueued(2)
			}
			return put(ctx, tx, "a", "A")
		})
	})
	<-aStarted
	wg.Go(func() {
		errB = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			// A statement of one row, without a statement journal:
			// SQLite rolls the transaction back, not the statement.
			// B goes on as if nothing happened: its next write must
			// not run outside the transaction.
			tx.PutGroup(ctx, &store.Group{ID: "b", Path: "b", Name: strings.Repeat("b", 1<<20)})
			return put(ctx, tx, "b2", "B2")
		})
	})
	<-startC
	errC = st.Update(ctx, func(ctx context.Context, tx store.Tx) error { return put(ctx, tx, "c", "C") })
	wg.Wait()
	if !errors.Is(errB, store.ErrUnavailable) {
		t.Errorf("B: %v, want the full disk (ErrUnavailable)", errB)
	}
	err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		for id, err := range map[string]error{"a": errA, "c": errC} {
			_, lerr := tx.User(ctx, id)
			if (err == nil) != (lerr == nil) {
				t.Errorf("%s: Update %v, then User %v", id, err, lerr)
			}
			if err != nil {
				t.Errorf("%s: Update %v, want it stored", id, err)
			}
		}
		if _, err := tx.Group(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("B's group: %v, want ErrNotFound", err)
		}
		if _, err := tx.User(ctx, "b2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("B's user: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
