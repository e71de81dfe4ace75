package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

func TestSmoke(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "Acme", DefaultRole: store.RoleDeveloper}); err != nil {
				return err
			}
			u := &store.User{ID: "u1", Username: "Ada", Email: "Ada@Example.com", SecondaryEmails: []store.Email{{Address: "a2@x.org", Verified: true}, {Address: "ADA@example.com"}}}
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
			if err := tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: "u1", Role: store.RoleOwner}); err != nil {
				return err
			}
			return tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{ID: "s1", GroupID: "g", UserID: "u1", ExternUID: "X1", Active: true,
				Document: map[string]any{"userName": "Ada", "emails": []any{map[string]any{"value": "Ada@Example.com"}}}, Created: now, Updated: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			err := tx.PutUser(ctx, &store.User{ID: "u2", Username: "bob", Email: "a2@X.org"})
			var ce *store.ConflictError
			if !errors.As(err, &ce) || ce.Key != store.KeyEmail {
				t.Errorf("email conflict: %v", err)
			}
			err = tx.PutUser(ctx, &store.User{ID: "u2", Username: "ADA", Email: "b@X.org"})
			if !errors.As(err, &ce) || ce.Key != store.KeyUsername {
				t.Errorf("username conflict: %v", err)
			}
			if err := tx.PutUser(ctx, &store.User{ID: "u2", Username: "bob", Email: "b@X.org"}); err != nil {
				t.Errorf("after conflicts: %v", err)
			}
			u, err := tx.UserByEmail(ctx, "A2@x.ORG")
			if err != nil || u.ID != "u1" {
				t.Errorf("UserByEmail: %v %v", u, err)
			}
			s, err := tx.SCIMIdentityByExternUID(ctx, "g", "x1")
			if err != nil {
				t.Fatal(err)
			}
			if !s.Created.Equal(now) {
				t.Errorf("created %v", s.Created)
			}
			for _, f := range []string{`userName eq "ada"`, `emails.value eq "ADA@example.com"`, `externalId eq "X1"`, `emails[value eq "ada@example.com"]`, `userName sw "A"`} {
				e, err := filter.Parse(f)
				if err != nil {
					t.Fatal(err)
				}
				page, total, err := store.ListSCIMIdentities(ctx, tx, "g", store.Query{Filter: e})
				if err != nil || total != 1 || len(page) != 1 {
					t.Errorf("%s: %v %d %v", f, page, total, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
			u, err := tx.User(ctx, "u1")
			if err != nil {
				return err
			}
			want := &store.User{ID: "u1", Username: "Ada", Email: "Ada@Example.com", SecondaryEmails: []store.Email{{Address: "a2@x.org", Verified: true}, {Address: "ADA@example.com"}}, Version: 1}
			if d := cmp.Diff(want, u); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			return tx.PutGroup(ctx, &store.Group{ID: "x", Path: "x"})
		})
		if !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("write in View: %v", err)
		}
	})
}
