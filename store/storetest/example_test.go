package storetest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
	"github.com/scimkit/scimkit/store/storetest"
)

// createAccount stands for code under test: it writes a group, a user and a
// membership in one Update.
func createAccount(ctx context.Context, st store.Store) error {
	return st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g1", Path: "acme"}); err != nil {
			return err
		}
		if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: "ada", Email: "ada@example.com"}); err != nil {
			return err
		}
		return tx.PutMembership(ctx, &store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleOwner})
	})
}

// Fail each write in turn and check that nothing was stored.
func ExampleFaultyStore() {
	ctx := context.Background()
	for k := 1; ; k++ {
		st := storetest.NewFaultyStore(memstore.New(), k)
		err := createAccount(ctx, st)
		if st.Writes() < k {
			fmt.Println("no write left to fail; last run:", err)
			break
		}
		_ = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
			_, gerr := tx.Group(ctx, "g1")
			_, uerr := tx.User(ctx, "u1")
			fmt.Println(k, errors.Is(err, storetest.ErrInjected),
				errors.Is(gerr, store.ErrNotFound), errors.Is(uerr, store.ErrNotFound))
			return nil
		})
	}
	// Output:
	// 1 true true true
	// 2 true true true
	// 3 true true true
	// no write left to fail; last run: <nil>
}
