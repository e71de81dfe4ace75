package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// TestListEqMatchesSelect checks that the index-only answers to lone
// userName and externalId equalities give what store.Select gives, on
// documents in shapes the index cannot vouch for alone.
func TestListEqMatchesSelect(t *testing.T) {
	docs := []map[string]any{
		{"userName": "alice"},
		{"userName": "ALICE"},
		{"USERNAME": "alice"},
		{"userName": []any{"alice", "bob"}},
		{"userName": map[string]any{"value": "alice"}},
		{"userName": "K"}, // Kelvin sign folds to k
		{"userName": "k"},
		{"userName": 7.0},
		{"externalId": "alice", "userName": "carol"},
	}
	ctx := context.Background()
	st := memstore.New()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g1", Path: "acme", DefaultRole: store.RoleGuest}); err != nil {
			return err
		}
		for i, d := range docs {
			u := &store.User{ID: fmt.Sprint("u", i), Username: fmt.Sprint("user", i), Email: fmt.Sprint("u", i, "@example.com"), State: store.UserActive}
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
			// Later rows are created earlier, so the default order is not
			// insertion order.
			s := &store.SCIMIdentity{
				ID: fmt.Sprint("s", i), GroupID: "g1", UserID: u.ID, ExternUID: fmt.Sprint("Ext-", i%5, "-", i),
				Active: true, Deleted: i == 1, Document: d,
				Created: base.Add(-time.Duration(i) * time.Minute), Updated: base,
			}
			if err := tx.PutSCIMIdentity(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	filters := []string{
		`userName eq "alice"`, `USERNAME eq "Alice"`, `userName eq "bob"`, `userName eq "k"`,
		`userName eq "carol"`, `userName eq "nobody"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "alice"`,
		`externalId eq "Ext-0-0"`, `externalId eq "ext-0-0"`, `EXTERNALID eq "Ext-3-3"`,
		`externalId eq "alice"`, `externalId eq "Ext-1-1"`,
	}
	queries := []store.Query{{}, {SkipDeleted: true}, {StartIndex: 2}, {Count: 1}, {StartIndex: 2, Count: 1}}
	for _, f := range filters {
		for _, q := range queries {
			t.Run(fmt.Sprintf("%s/%+v", f, q), func(t *testing.T) {
				expr, err := filter.Parse(f)
				if err != nil {
					t.Fatal(err)
				}
				q.Filter = expr
				err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
					got, gotN, err := store.ListSCIMIdentities(ctx, tx, "g1", q)
					if err != nil {
						return err
					}
					want, wantN, err := store.Select(tx.SCIMIdentities(ctx, "g1"), q)
					if err != nil {
						return err
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("list (-select +memstore):\n%s", diff)
					}
					if gotN != wantN {
						t.Errorf("total = %d, want %d", gotN, wantN)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestLookupMissIsNotFound checks that every lookup by a secondary key
// reports a miss as store.ErrNotFound, and that doing so does not allocate.
func TestLookupMissIsNotFound(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	lookups := map[string]func(tx store.Tx) error{
		"GroupByPath":             func(tx store.Tx) error { _, err := tx.GroupByPath(ctx, "nope"); return err },
		"UserByUsername":          func(tx store.Tx) error { _, err := tx.UserByUsername(ctx, "nope"); return err },
		"UserByEmail":             func(tx store.Tx) error { _, err := tx.UserByEmail(ctx, "nope@example.com"); return err },
		"SCIMIdentityByExternUID": func(tx store.Tx) error { _, err := tx.SCIMIdentityByExternUID(ctx, "g1", "nope"); return err },
		"SAMLIdentityByExternUID": func(tx store.Tx) error { _, err := tx.SAMLIdentityByExternUID(ctx, "g1", "nope"); return err },
		"Membership":              func(tx store.Tx) error { _, err := tx.Membership(ctx, "g1", "nope"); return err },
	}
	for name, lookup := range lookups {
		t.Run(name, func(t *testing.T) {
			err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				err := lookup(tx)
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("err = %v, want store.ErrNotFound", err)
				}
				if n := testing.AllocsPerRun(10, func() { _ = lookup(tx) }); n != 0 {
					t.Errorf("a miss allocates %v times, want 0", n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
