package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// provision is the identity package's create rule in miniature: look the
// person up by email and extern_uid, create the account and identity when
// neither exists. Run concurrently through several stores on one database,
// exactly one run may create.
func provision(ctx context.Context, st store.Store, n int) (created bool, err error) {
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		created = false
		if _, err := tx.UserByEmail(ctx, "Grace@Example.com"); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if _, err := tx.SCIMIdentityByExternUID(ctx, "g", "grace"); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		id := fmt.Sprintf("u%d", n)
		if err := tx.PutUser(ctx, &store.User{ID: id, Username: "grace" + id, Email: "grace@example.com"}); err != nil {
			return err
		}
		if err := tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: id, Role: store.RoleGuest}); err != nil {
			return err
		}
		created = true
		return tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{ID: "s" + id, GroupID: "g", UserID: id, ExternUID: "GRACE", Active: true,
			Created: time.Unix(int64(n), 0)})
	})
	return created, err
}

// TestReplicasCreateOnce opens two stores on one database at the same
// moment (both migrate) and provisions the same person through both from
// many goroutines: exactly one account and identity come out.
func TestReplicasCreateOnce(t *testing.T) {
	cases := []struct {
		name string
		open func(t *testing.T) func() (*sqlstore.Store, error)
	}{
		{"sqlite", func(t *testing.T) func() (*sqlstore.Store, error) {
			file := filepath.Join(t.TempDir(), "shared.db")
			return func() (*sqlstore.Store, error) { return sqlite.Open(context.Background(), file) }
		}},
		{"postgres", func(t *testing.T) func() (*sqlstore.Store, error) {
			dsn := sqltest.FreshSchema(t)
			return func() (*sqlstore.Store, error) { return postgres.Open(context.Background(), dsn) }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			open := tc.open(t)
			ctx := context.Background()
			replicas := make([]*sqlstore.Store, 2)
			var wg sync.WaitGroup
			errs := make([]error, len(replicas))
			for i := range replicas {
				wg.Go(func() { replicas[i], errs[i] = open() })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("replica %d: %v", i, err)
				}
				t.Cleanup(func() { replicas[i].Close() })
			}
			if err := replicas[0].Update(ctx, func(ctx context.Context, tx store.Tx) error {
				return tx.PutGroup(ctx, &store.Group{ID: "g", Path: "g"})
			}); err != nil {
				t.Fatal(err)
			}
			for round := range 5 {
				const workers = 16
				results := make([]bool, workers)
				errs := make([]error, workers)
				start := make(chan struct{})
				for w := range workers {
					wg.Go(func() {
						<-start
						results[w], errs[w] = provision(ctx, replicas[w%2], round*workers+w)
					})
				}
				close(start)
				wg.Wait()
				creates := 0
				for w := range workers {
					var ce *store.ConflictError
					switch {
					case errs[w] == nil && results[w]:
						creates++
					case errs[w] == nil, errors.As(errs[w], &ce):
					default:
						t.Errorf("round %d worker %d: %v", round, w, errs[w])
					}
				}
				want := 0
				if round == 0 {
					want = 1
				}
				if creates != want {
					t.Errorf("round %d: %d creates, want %d", round, creates, want)
				}
			}
			var users, idents int
			db := replicas[1].DB()
			if err := db.QueryRow("SELECT COUNT(*) FROM scimkit_users").Scan(&users); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow("SELECT COUNT(*) FROM scimkit_scim_identities").Scan(&idents); err != nil {
				t.Fatal(err)
			}
			if users != 1 || idents != 1 {
				t.Errorf("%d users and %d identities, want 1 and 1", users, idents)
			}
		})
	}
}

// TestUserNameDecisionIsRaceFree has Updates decide on a userName the way
// the RFC profile's uniqueness check does (list the group's identities
// with userName eq "x"; none: create an identity holding it), for several
// people with different accounts and externalIds at once. No unique index
// forbids two identities one userName, so only the store's protection of
// the list keeps the decision race-free: exactly one is created each round.
func TestUserNameDecisionIsRaceFree(t *testing.T) {
	errTaken := errors.New("userName taken")
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		ctx := context.Background()
		if err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			return tx.PutGroup(ctx, &store.Group{ID: "g", Path: "g"})
		}); err != nil {
			t.Fatal(err)
		}
		for round := range 10 {
			name := fmt.Sprintf("Person-%d", round)
			eq, err := filter.Parse(fmt.Sprintf("userName eq %q", strings.ToUpper(name)))
			if err != nil {
				t.Fatal(err)
			}
			const workers = 8
			errs := make([]error, workers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					<-start
					errs[w] = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
						held, _, err := store.ListSCIMIdentities(ctx, tx, "g", store.Query{Filter: eq, SkipDeleted: true})
						if err != nil {
							return err
						}
						if len(held) > 0 {
							return errTaken
						}
						id := fmt.Sprintf("r%dw%d", round, w)
						if err := tx.PutUser(ctx, &store.User{ID: id, Username: id, Email: id + "@example.com"}); err != nil {
							return err
						}
						return tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{ID: id, GroupID: "g", UserID: id, ExternUID: id,
							Active: true, Document: map[string]any{"userName": name}})
					})
				})
			}
			close(start)
			wg.Wait()
			created := 0
			for w, err := range errs {
				switch {
				case err == nil:
					created++
				case !errors.Is(err, errTaken):
					t.Errorf("round %d worker %d: %v", round, w, err)
				}
			}
			if created != 1 {
				t.Errorf("round %d: %d identities created holding %s, want 1", round, created, name)
			}
		}
	})
}
