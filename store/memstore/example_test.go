package memstore_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// A host provisions an account and its SCIM identity in one Update, then
// lists the group's identities with a SCIM filter.
func ExampleNew() {
	ctx := context.Background()
	st := memstore.New()

	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g1", Path: "acme", DefaultRole: store.RoleGuest}); err != nil {
			return err
		}
		u := &store.User{ID: "u1", Username: "ada", Email: "ada@example.com", State: store.UserActive}
		if err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		return tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{
			ID: "3f1c", GroupID: "g1", UserID: u.ID, ExternUID: "00u1ada", Active: true,
			Document: map[string]any{"userName": "ada", "title": "Engineer"},
		})
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Email is unique across the host, case-insensitively.
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutUser(ctx, &store.User{ID: "u2", Username: "ada2", Email: "ADA@example.com"})
	})
	var ce *store.ConflictError
	fmt.Println(errors.As(err, &ce), ce.Key)

	expr, _ := filter.Parse(`title eq "engineer" and active eq true`)
	_ = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		items, total, err := store.ListSCIMIdentities(ctx, tx, "g1", store.Query{Filter: expr, Count: 10})
		if err != nil {
			return err
		}
		fmt.Println(total, items[0].ExternUID, items[0].Version)
		return nil
	})
	// Output:
	// true email
	// 1 00u1ada 1
}
