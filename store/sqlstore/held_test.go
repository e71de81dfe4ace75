package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// seedUser stores user u1 (u1@example.com) in group g.
func seedUser(t *testing.T, st store.Store) {
	t.Helper()
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "g"}); err != nil {
			return err
		}
		return tx.PutUser(ctx, &store.User{ID: "u1", Username: "u1", Email: "u1@example.com"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// lookUpFree makes the lookups a create makes before it writes a new
// account: the email and the username are free.
func lookUpFree(ctx context.Context, tx store.Tx, email, username string) error {
	if _, err := tx.UserByEmail(ctx, email); !errors.Is(err, store.ErrNotFound) {
		return errors.Join(errors.New("email lookup found something"), err)
	}
	if _, err := tx.UserByUsername(ctx, username); !errors.Is(err, store.ErrNotFound) {
		return errors.Join(errors.New("username lookup found something"), err)
	}
	return nil
}

// TestHeldWriteThatWritesNothing: on PostgreSQL a Put whose keys the
// Update saw free is held back for the commit. When it writes nothing all
// the same (its new entity's ID is taken, which no lookup checked), the
// Update runs fn again with immediate writes: fn gets the Put's conflict,
// the caller fn's error, the store keeps nothing, and the entity the
// caller made before the Update is as it was (Version 0) in the run
// again. On SQLite the Put fails at once.
func TestHeldWriteThatWritesNothing(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		seedUser(t, st)
		ctx := context.Background()
		before := st.Stats()
		dup := &store.User{ID: "u1", Username: "new", Email: "new@example.com"}
		var putErrs []error
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := lookUpFree(ctx, tx, dup.Email, dup.Username); err != nil {
				return err
			}
			err := tx.PutUser(ctx, dup)
			putErrs = append(putErrs, err)
			if err != nil {
				return err
			}
			return tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: dup.ID, Role: store.RoleGuest})
		})
		var ce *store.ConflictError
		if !errors.As(err, &ce) || ce.Key != store.KeyID {
			t.Fatalf("Update: %v, want a conflict on the ID", err)
		}
		if last := putErrs[len(putErrs)-1]; !errors.Is(last, store.ErrConflict) {
			t.Errorf("the last run's PutUser gave %v, want the conflict", last)
		}
		if dup.Version != 0 {
			t.Errorf("Version = %d after the failed Update, want 0", dup.Version)
		}
		if n := countRows(t, st.DB(), "scimkit_memberships"); n != 0 {
			t.Errorf("%d memberships stored, want 0", n)
		}
		if n := countRows(t, st.DB(), "scimkit_user_emails"); n != 1 {
			t.Errorf("%d user emails stored, want u1's 1", n)
		}
		var wantReplays uint64
		if strings.HasSuffix(t.Name(), "/postgres") {
			wantReplays = 1
		}
		if got := st.Stats().Replays - before.Replays; got != wantReplays {
			t.Errorf("Replays grew by %d, want %d", got, wantReplays)
		}
	})
}

// TestHeldWriteBeforeFailure: fn fails after a Put whose statement was
// held and would have written nothing: the caller gets the error fn gets
// when the Put runs at once, not fn's other error.
func TestHeldWriteBeforeFailure(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		seedUser(t, st)
		boom := errors.New("boom")
		err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if err := lookUpFree(ctx, tx, "new@example.com", "new"); err != nil {
				return err
			}
			if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: "new", Email: "new@example.com"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("Update: %v, want the Put's conflict", err)
		}
		// A held write that goes in leaves fn's own error as it is.
		err = st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if err := lookUpFree(ctx, tx, "new@example.com", "new"); err != nil {
				return err
			}
			if err := tx.PutUser(ctx, &store.User{ID: "u2", Username: "new", Email: "new@example.com"}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Errorf("Update: %v, want fn's error unchanged", err)
		}
		if n := countRows(t, st.DB(), "scimkit_users"); n != 1 {
			t.Errorf("%d users stored, want 1", n)
		}
	})
}

// TestHeldWritesAreRead: what a held write wrote is what later reads of the
// same Update see, and the Update commits it with its other writes.
func TestHeldWritesAreRead(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		seedUser(t, st)
		ctx := context.Background()
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.Group(ctx, "g"); err != nil {
				return err
			}
			if err := lookUpFree(ctx, tx, "ada@example.com", "ada"); err != nil {
				return err
			}
			u := &store.User{ID: "u2", Username: "ada", Email: "ada@example.com"}
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
			if err := tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: "u2", Role: store.RoleGuest}); err != nil {
				return err
			}
			got, err := tx.UserByEmail(ctx, "ADA@example.com")
			if err != nil {
				return err
			}
			if d := cmp.Diff(u, got); d != "" {
				t.Errorf("user read after its Put (-put +read):\n%s", d)
			}
			m, err := tx.Membership(ctx, "g", "u2")
			if err != nil {
				return err
			}
			if m.Version != 1 {
				t.Errorf("membership at version %d, want 1", m.Version)
			}
			// The user's second Put checks the version the first left.
			u.Name = "Ada"
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
			stale := *u
			stale.Version = 1
			if err := tx.PutUser(ctx, &stale); !errors.Is(err, store.ErrVersionMismatch) {
				t.Errorf("PutUser over version 1 of a user at 2: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
			u, err := tx.User(ctx, "u2")
			if err != nil {
				return err
			}
			if u.Name != "Ada" || u.Version != 2 {
				t.Errorf("stored user %+v, want Name Ada at version 2", u)
			}
			_, err = tx.Membership(ctx, "g", "u2")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadAheadSeesWrites: a lookup read ahead (the SAML identity of an
// extern_uid, with its SCIM identity) and then written is read again, not
// taken from what was read ahead.
func TestReadAheadSeesWrites(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		seedUser(t, st)
		err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.SCIMIdentityByExternUID(ctx, "g", "ext-1"); !errors.Is(err, store.ErrNotFound) {
				return errors.Join(errors.New("SCIM identity found"), err)
			}
			if err := tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: "g", UserID: "u1", ExternUID: "ext-1"}); err != nil {
				return err
			}
			s, err := tx.SAMLIdentityByExternUID(ctx, "g", "EXT-1")
			if err != nil {
				return err
			}
			if s.UserID != "u1" {
				t.Errorf("SAML identity of user %q, want u1", s.UserID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestStatementErrorKeepsNothing: an Update whose function carries on
// after a statement failed (here a lookup the database refuses) must not
// report a commit: the database rolled the transaction back.
func TestStatementErrorKeepsNothing(t *testing.T) {
	st := sqltest.OpenPostgres(t)
	seedUser(t, st)
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutUser(ctx, &store.User{ID: "u2", Username: "u2", Email: "u2@example.com"}); err != nil {
			return err
		}
		var x int
		if err := sqlstore.QueryRow(ctx, tx, "SELECT 1 / 0").Scan(&x); err == nil {
			t.Error("SELECT 1 / 0 succeeded")
		}
		return nil
	})
	if err == nil {
		t.Error("Update reported a commit after a failed statement")
	}
	if n := countRows(t, st.DB(), "scimkit_users"); n != 1 {
		t.Errorf("%d users stored, want 1", n)
	}
}

// TestContextEndsWithHeldWrites: an Update whose context ends before the
// commit keeps none of its held writes.
func TestContextEndsWithHeldWrites(t *testing.T) {
	st := sqltest.OpenPostgres(t)
	seedUser(t, st)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := lookUpFree(ctx, tx, "new@example.com", "new"); err != nil {
			return err
		}
		if err := tx.PutUser(ctx, &store.User{ID: "u2", Username: "new", Email: "new@example.com"}); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update: %v, want context.Canceled", err)
	}
	if n := countRows(t, st.DB(), "scimkit_users"); n != 1 {
		t.Errorf("%d users stored, want 1", n)
	}
}

// TestCreateRoundTrips counts the round trips of a create as the identity
// package makes it (look the group up, the extern_uid, the userName, the
// email, the username, the SAML extern_uid; write the account, its
// identities and its membership) on PostgreSQL: BEGIN goes with the first
// lookup, the SAML lookup with the SCIM one, the writes with COMMIT. Sent
// one by one the same Update takes 12.
func TestCreateRoundTrips(t *testing.T) {
	st := sqltest.OpenPostgres(t)
	seedUser(t, st)
	ctx := context.Background()
	create := func(ctx context.Context, tx store.Tx) error {
		g, err := tx.Group(ctx, "g")
		if err != nil {
			return err
		}
		if _, err := tx.SCIMIdentityByExternUID(ctx, g.ID, "ext-ada"); !errors.Is(err, store.ErrNotFound) {
			return errors.Join(errors.New("extern_uid lookup"), err)
		}
		eq := &filter.Compare{Attr: filter.AttrPath{Name: "userName"}, Op: filter.Eq, Value: "ada@example.com"}
		if held, _, err := store.ListSCIMIdentities(ctx, tx, g.ID, store.Query{Filter: eq, SkipDeleted: true, Count: 2}); err != nil || len(held) > 0 {
			return errors.Join(errors.New("userName lookup"), err)
		}
		if err := lookUpFree(ctx, tx, "ada@example.com", "ada"); err != nil {
			return err
		}
		if _, err := tx.SAMLIdentityByExternUID(ctx, g.ID, "ext-ada"); !errors.Is(err, store.ErrNotFound) {
			return errors.Join(errors.New("SAML lookup"), err)
		}
		u := &store.User{ID: "u2", Username: "ada", Email: "ada@example.com", ProvisionedByGroup: g.ID}
		if err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		s := &store.SCIMIdentity{ID: "s2", GroupID: g.ID, UserID: u.ID, ExternUID: "ext-ada", Active: true,
			Document: map[string]any{"userName": "ada@example.com", "emails": []any{map[string]any{"value": "ada@example.com"}}}}
		if err := tx.PutSCIMIdentity(ctx, s); err != nil {
			return err
		}
		if err := tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: g.ID, UserID: u.ID, ExternUID: "ext-ada"}); err != nil {
			return err
		}
		return tx.PutMembership(ctx, &store.Membership{GroupID: g.ID, UserID: u.ID, Role: g.DefaultRole})
	}
	before := sqlstore.RoundTrips(st)
	if err := st.Update(ctx, create); err != nil {
		t.Fatal(err)
	}
	if got := sqlstore.RoundTrips(st) - before; got != 6 {
		t.Errorf("a create took %d round trips, want 6", got)
	}
	err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.SAMLIdentityByExternUID(ctx, "g", "EXT-ADA")
		return err
	})
	if err != nil {
		t.Errorf("the create's last write: %v", err)
	}
}

// TestHeldWritesStatementByStatement: on a PostgreSQL connection that sends
// no batches (a *sql.DB the host opened itself) held writes go out one by
// one before the statement after them, with the same outcomes: a held
// write that wrote nothing replays the Update with the Put's conflict, and
// an Update whose context ended before its commit keeps nothing.
func TestHeldWritesStatementByStatement(t *testing.T) {
	db, err := sql.Open("pgx", sqltest.FreshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(context.Background(), db, sqlstore.PostgreSQL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	seedUser(t, st)
	before := st.Stats()
	err = st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if err := lookUpFree(ctx, tx, "new@example.com", "new"); err != nil {
			return err
		}
		if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: "new", Email: "new@example.com"}); err != nil {
			return err
		}
		return tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: "u1", Role: store.RoleGuest})
	})
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.Key != store.KeyID {
		t.Errorf("Update: %v, want a conflict on the ID", err)
	}
	if got := st.Stats().Replays - before.Replays; got != 1 {
		t.Errorf("Replays grew by %d, want 1", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := lookUpFree(ctx, tx, "new@example.com", "new"); err != nil {
			return err
		}
		if err := tx.PutUser(ctx, &store.User{ID: "u2", Username: "new", Email: "new@example.com"}); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update: %v, want context.Canceled", err)
	}
	if n := countRows(t, st.DB(), "scimkit_users"); n != 1 {
		t.Errorf("%d users stored, want u1 alone", n)
	}
	if n := countRows(t, st.DB(), "scimkit_memberships"); n != 0 {
		t.Errorf("%d memberships stored, want 0", n)
	}
}
