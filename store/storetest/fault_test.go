package storetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
	"github.com/scimkit/scimkit/store/storetest"
)

// TestFaultyStoreFailsTheKthWrite checks the wrapper itself: for every k the
// k-th write of a three-write unit fails with ErrInjected, the unit (which
// gives up on the error) leaves nothing, and past the last write the unit
// commits.
func TestFaultyStoreFailsTheKthWrite(t *testing.T) {
	unit := func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "g"}); err != nil {
			return err
		}
		if err := tx.PutUser(ctx, &store.User{ID: "u", Username: "u", Email: "u@example.com"}); err != nil {
			return err
		}
		return tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: "u"})
	}
	for k := 1; ; k++ {
		st := storetest.NewFaultyStore(memstore.New(), k)
		err := st.Update(t.Context(), unit)
		if k > 3 {
			if err != nil || st.Writes() != 3 {
				t.Fatalf("k=%d past the last write: %v after %d writes, want success after 3", k, err, st.Writes())
			}
			return
		}
		if !errors.Is(err, storetest.ErrInjected) || st.Writes() != k {
			t.Fatalf("k=%d: %v after %d writes, want ErrInjected after %d", k, err, st.Writes(), k)
		}
		st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.Group(ctx, "g"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("k=%d: the group of a failed unit is stored (%v)", k, err)
			}
			return nil
		})
		st.Arm(0)
		if err := st.Update(t.Context(), unit); err != nil {
			t.Fatalf("k=%d: after Arm(0): %v", k, err)
		}
	}
}

// TestFaultyStoreStall checks Stall: the chosen write waits, past its
// context's deadline, and the wrapped store then rolls the unit back.
func TestFaultyStoreStall(t *testing.T) {
	st := storetest.NewFaultyStore(memstore.New(), 0)
	st.Stall(2, 60*time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "g"}); err != nil {
			return err
		}
		return tx.PutUser(ctx, &store.User{ID: "u", Username: "u", Email: "u@example.com"})
	})
	if took := time.Since(start); took < 60*time.Millisecond {
		t.Errorf("the stalled unit took %v, less than the stall", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a unit stalled past its deadline: %v, want context.DeadlineExceeded", err)
	}
	st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Group(ctx, "g"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the group of the stalled unit is stored (%v)", err)
		}
		return nil
	})
}
