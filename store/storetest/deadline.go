package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Deadlines. A SCIM request runs under a deadline shorter than the server's
// write timeout; when it passes, the client is told the request failed, so
// the store must not commit it afterwards (an identity provider that retries
// would otherwise meet its own write as a conflict).

// deadlineErr reports whether err is how a store says a context's deadline
// ended a transaction: the deadline itself, or ErrUnavailable.
func deadlineErr(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, store.ErrUnavailable)
}

// testDeadlineNoCommit runs an Update whose function writes and then
// outlives its context's deadline: the Update must fail with the deadline
// and leave nothing written.
func testDeadlineNoCommit(t *testing.T, st store.Store) {
	put(t, st, newUser("u1"))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	runs := 0
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		runs++
		u, err := tx.User(ctx, "u1")
		if err != nil {
			return err
		}
		u.Name = "written after the deadline"
		if err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		<-ctx.Done() // the function outlives the deadline, then succeeds
		return nil
	})
	if !deadlineErr(err) {
		t.Fatalf("Update whose function outlived its deadline: error %v, want one matching context.DeadlineExceeded or store.ErrUnavailable", err)
	}
	if runs != 1 {
		t.Errorf("the function ran %d times, want 1 (no retry after the deadline)", runs)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.User(ctx, "u1")
		if err != nil {
			return err
		}
		if u.Name != "User u1" || u.Version != 1 {
			t.Errorf("after the timed-out Update: Name %q, Version %d; want the user as it was", u.Name, u.Version)
		}
		return nil
	})
}

// testDeadlineWhileWaiting has one Update hold a write to a user while
// another, with a short deadline, writes the same user: the second must not
// wait for the first past its deadline. A store that locks the row on write
// makes it give up at its deadline and write nothing, even once the first
// is done; a store whose writes take no lock until commit lets it finish at
// once, and the first, whose snapshot it changed, runs again over it. Either
// way the first's write is the last.
func testDeadlineWhileWaiting(t *testing.T, st store.Store) {
	put(t, st, newUser("u1"))
	holding, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			u, err := tx.User(ctx, "u1")
			if err != nil {
				return err
			}
			u.Name = "first"
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
			select {
			case <-holding:
			default:
				close(holding)
			}
			<-release
			return nil
		})
	}()
	<-holding

	const deadline = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	start := time.Now()
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.User(ctx, "u1")
		if err != nil {
			return err
		}
		u.Name = "second"
		return tx.PutUser(ctx, u)
	})
	waited := time.Since(start)
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("the first Update: %v", err)
	}
	wantVersion := int64(2)
	switch {
	case err == nil:
		wantVersion = 3 // the second went first; the first ran again over it
	case !deadlineErr(err):
		t.Fatalf("Update waiting behind another past its deadline: error %v, want none or one matching context.DeadlineExceeded or store.ErrUnavailable", err)
	}
	// Generous: the point is that it did not wait for the first Update,
	// which holds on until it returns.
	if waited > deadline+5*time.Second {
		t.Errorf("the Update gave up after %v, its deadline was %v", waited, deadline)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.User(ctx, "u1")
		if err != nil {
			return err
		}
		if u.Name != "first" || u.Version != wantVersion {
			t.Errorf("after both Updates (the second's error %v): Name %q, Version %d; want the first's write last, at version %d", err, u.Name, u.Version, wantVersion)
		}
		return nil
	})
}
