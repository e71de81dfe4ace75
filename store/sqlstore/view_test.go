package sqlstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// TestViewSeesOneState has an Update change two rows between the first and
// the second read of a View: the View must see both as they were or both
// as they became, never the first as it was and the second as it became
// (it begins its transaction only at its second read).
func TestViewSeesOneState(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		ctx := context.Background()
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "before"}); err != nil {
				return err
			}
			return tx.PutUser(ctx, &store.User{ID: "u", Username: "u", Name: "before", Email: "u@example.com"})
		})
		if err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		type seen struct{ path, name string }
		var got []seen
		err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
			g, err := tx.Group(ctx, "g")
			if err != nil {
				return err
			}
			once.Do(func() {
				err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
					g, err := tx.Group(ctx, "g")
					if err != nil {
						return err
					}
					g.Path = "after"
					if err := tx.PutGroup(ctx, g); err != nil {
						return err
					}
					u, err := tx.User(ctx, "u")
					if err != nil {
						return err
					}
					u.Name = "after"
					return tx.PutUser(ctx, u)
				})
				if err != nil {
					t.Errorf("Update: %v", err)
				}
			})
			u, err := tx.User(ctx, "u")
			if err != nil {
				return err
			}
			got = append(got, seen{g.Path, u.Name})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if last := got[len(got)-1]; last.path != last.name {
			t.Errorf("View saw group %q with user %q (runs %v)", last.path, last.name, got)
		}
	})
}
