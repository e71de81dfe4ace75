package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "scimkit-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "scimkit.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	// One Update is one transaction: all of it is stored, durably, or none.
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g1", Path: "acme"}); err != nil {
			return err
		}
		u := &store.User{ID: "u1", Username: "ada", Email: "Ada@Example.com", State: store.UserActive}
		if err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		return tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{
			ID: "s1", GroupID: "g1", UserID: "u1", ExternUID: "ada-1", Active: true,
			Document: map[string]any{"userName": "ada"},
			Created:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		})
	})
	fmt.Println("provisioned:", err)

	// The database enforces unique keys, case-insensitively.
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutUser(ctx, &store.User{ID: "u2", Username: "grace", Email: "ADA@example.com"})
	})
	var ce *store.ConflictError
	fmt.Println("second account with the email:", errors.As(err, &ce), ce.Key)

	// Filters on indexed attributes run as SQL.
	e, _ := filter.Parse(`userName eq "ADA"`)
	err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		page, total, err := store.ListSCIMIdentities(ctx, tx, "g1", store.Query{Filter: e})
		if err != nil {
			return err
		}
		fmt.Println("found:", total, page[0].ExternUID)
		return nil
	})
	fmt.Println("listed:", err)
	// Output:
	// provisioned: <nil>
	// second account with the email: true email
	// found: 1 ada-1
	// listed: <nil>
}
