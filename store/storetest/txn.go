package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/store"
)

func testCopySemantics(t *testing.T, st store.Store) {
	g := &store.Group{ID: "g1", Path: "g1", TokenDigest: []byte{1, 2, 3}}
	u := newUser("u1")
	u.SecondaryEmails = []store.Email{{Address: "second@example.com", Verified: true}}
	s := newSCIM("s1", "g1", "u1", "x", 0)
	s.Document["emails"] = []any{map[string]any{"value": "u1@example.com", "type": "work"}}
	s.Document["name"] = map[string]any{"givenName": "Ada"}
	m := &store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleOwner}
	sa := &store.SAMLIdentity{GroupID: "g1", UserID: "u1", ExternUID: "x"}
	put(t, st, g, u, s, m, sa)
	wantG, wantU, wantS := g.Clone(), u.Clone(), s.Clone()
	wantM, wantSA := *m, *sa

	// Mutating what was passed to Put changes nothing stored.
	g.TokenDigest[0] = 9
	g.Path = "changed"
	u.SecondaryEmails[0].Address = "changed@example.com"
	s.Document["emails"].([]any)[0].(map[string]any)["value"] = "changed@example.com"
	s.Document["name"].(map[string]any)["givenName"] = "Changed"
	s.Document["title"] = "changed"
	m.Role = store.RoleGuest
	sa.ExternUID = "changed"

	check := func(when string) {
		t.Helper()
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			gotG, err := tx.Group(ctx, "g1")
			if err != nil {
				return err
			}
			gotU, err := tx.User(ctx, "u1")
			if err != nil {
				return err
			}
			gotS, err := tx.SCIMIdentity(ctx, "g1", "s1")
			if err != nil {
				return err
			}
			gotM, err := tx.Membership(ctx, "g1", "u1")
			if err != nil {
				return err
			}
			gotSA, err := tx.SAMLIdentityByUser(ctx, "g1", "u1")
			if err != nil {
				return err
			}
			for _, c := range []struct {
				name      string
				want, got any
			}{
				{"group", wantG, gotG}, {"user", wantU, gotU}, {"scim identity", wantS, gotS},
				{"membership", &wantM, gotM}, {"saml identity", &wantSA, gotSA},
			} {
				if d := diff(c.want, c.got); d != "" {
					t.Errorf("%s: stored %s changed (-want +got):\n%s", when, c.name, d)
				}
			}
			// Mutate what the reads returned, for the next check.
			gotG.TokenDigest[0] = 7
			gotU.SecondaryEmails[0].Verified = false
			gotS.Document["emails"].([]any)[0].(map[string]any)["type"] = "home"
			gotS.Document["name"].(map[string]any)["givenName"] = "Mutated"
			gotM.Role = store.RoleNone
			gotSA.ExternUID = "mutated"
			return nil
		})
	}
	check("after mutating the values put")
	check("after mutating the values read")

	// Values from a list are copies too.
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		items, _, err := store.ListSCIMIdentities(ctx, tx, "g1", store.Query{})
		if err != nil || len(items) != 1 {
			t.Fatalf("ListSCIMIdentities = %v, %v", items, err)
		}
		items[0].Document["name"].(map[string]any)["givenName"] = "Mutated"
		for s, err := range tx.SCIMIdentities(ctx, "g1") {
			if err != nil {
				return err
			}
			s.Document["name"].(map[string]any)["givenName"] = "Mutated"
		}
		return nil
	})
	check("after mutating listed values")
}

// errAbort is the error the rollback tests return from their functions.
var errAbort = errors.New("storetest: abort")

func testRollback(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newUser("u1"), &store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleOwner})
	before := snapshot(t, st)

	writes := func(ctx context.Context, tx store.Tx) error {
		g, err := tx.Group(ctx, "g1")
		if err != nil {
			return err
		}
		g.Name = "changed"
		u2 := newUser("u2")
		u1, err := tx.User(ctx, "u1")
		if err != nil {
			return err
		}
		u1.Email = "moved@example.com"
		steps := []func() error{
			func() error { return tx.PutGroup(ctx, g) },
			func() error { return tx.PutGroup(ctx, newGroup("g2")) },
			func() error { return tx.PutUser(ctx, u1) },
			func() error { return tx.PutUser(ctx, u2) },
			func() error { return tx.DeleteMembership(ctx, "g1", "u1") },
			func() error {
				return tx.PutMembership(ctx, &store.Membership{GroupID: "g1", UserID: "u2", Role: store.RoleOwner})
			},
			func() error { return tx.PutSCIMIdentity(ctx, newSCIM("s2", "g1", "u2", "ext-2", 1)) },
			func() error {
				return tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: "g1", UserID: "u2", ExternUID: "ext-2"})
			},
		}
		for i, step := range steps {
			if err := step(); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
		return nil
	}

	t.Run("error", func(t *testing.T) {
		err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
			if err := writes(ctx, tx); err != nil {
				return err
			}
			return errAbort
		})
		if err != errAbort {
			t.Fatalf("Update returned %v, want fn's error unchanged", err)
		}
		if d := diff(before, snapshot(t, st)); d != "" {
			t.Errorf("state changed by a failed Update (-before +after):\n%s", d)
		}
	})
	t.Run("panic", func(t *testing.T) {
		func() {
			defer func() {
				if r := recover(); r != errAbort {
					t.Errorf("recovered %v, want the panic value errAbort", r)
				}
			}()
			_ = st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
				if err := writes(ctx, tx); err != nil {
					t.Errorf("writes: %v", err)
				}
				panic(errAbort)
			})
		}()
		if d := diff(before, snapshot(t, st)); d != "" {
			t.Errorf("state changed by a panicking Update (-before +after):\n%s", d)
		}
	})
	t.Run("failed write inside a successful Update", func(t *testing.T) {
		// A Put that fails changes nothing, and fn may carry on.
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			dup := newUser("u3")
			dup.Email = "U1@example.com"
			wantConflict(t, tx.PutUser(ctx, dup), store.KeyEmail)
			if _, err := tx.User(ctx, "u3"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("User(u3) after a failed put: %v", err)
			}
			return nil
		})
		if d := diff(before, snapshot(t, st)); d != "" {
			t.Errorf("state changed by a failed write (-before +after):\n%s", d)
		}
	})
	t.Run("commit", func(t *testing.T) {
		update(t, st, writes)
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.SAMLIdentityByExternUID(ctx, "g1", "EXT-2"); err != nil {
				t.Errorf("the last write of a committed Update is missing: %v", err)
			}
			return nil
		})
	})
	t.Run("canceled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		called := false
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			called = true
			return nil
		})
		if err == nil || called {
			t.Errorf("Update with a canceled context = %v, fn called %v; want an error and no call", err, called)
		}
	})
}

// state is what snapshot reads: the entities reachable from the suite's
// fixed IDs.
type state struct {
	Groups  []*store.Group
	Users   []*store.User
	Members []*store.Membership
	SCIM    []*store.SCIMIdentity
	SAML    []*store.SAMLIdentity
	Owners  int
}

// snapshot reads every entity the rollback test may write.
func snapshot(t *testing.T, st store.Store) state {
	t.Helper()
	var s state
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		for _, gid := range []string{"g1", "g2"} {
			if g, err := tx.Group(ctx, gid); err == nil {
				s.Groups = append(s.Groups, g)
			}
			for _, uid := range []string{"u1", "u2", "u3"} {
				if m, err := tx.Membership(ctx, gid, uid); err == nil {
					s.Members = append(s.Members, m)
				}
				if x, err := tx.SAMLIdentityByUser(ctx, gid, uid); err == nil {
					s.SAML = append(s.SAML, x)
				}
			}
			for x, err := range tx.SCIMIdentities(ctx, gid) {
				if err != nil {
					return err
				}
				s.SCIM = append(s.SCIM, x)
			}
			n, err := tx.CountMembers(ctx, gid, store.RoleOwner)
			if err != nil {
				return err
			}
			s.Owners += n
		}
		for _, uid := range []string{"u1", "u2", "u3"} {
			if u, err := tx.User(ctx, uid); err == nil {
				s.Users = append(s.Users, u)
			}
		}
		for _, email := range []string{"u1@example.com", "moved@example.com", "u2@example.com"} {
			if u, err := tx.UserByEmail(ctx, email); err == nil {
				s.Users = append(s.Users, u)
			}
		}
		if g, err := tx.GroupByPath(ctx, "g2"); err == nil {
			s.Groups = append(s.Groups, g)
		}
		return nil
	})
	return s
}

func testReadOnlyView(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newUser("u1"), &store.Membership{GroupID: "g1", UserID: "u1"},
		&store.SAMLIdentity{GroupID: "g1", UserID: "u1", ExternUID: "x"})
	err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		writes := []struct {
			name string
			fn   func() error
		}{
			{"PutGroup", func() error { return tx.PutGroup(ctx, newGroup("g2")) }},
			{"PutUser", func() error { return tx.PutUser(ctx, newUser("u2")) }},
			{"PutMembership", func() error { return tx.PutMembership(ctx, &store.Membership{GroupID: "g1", UserID: "u1", Version: 1}) }},
			{"DeleteMembership", func() error { return tx.DeleteMembership(ctx, "g1", "u1") }},
			{"PutSCIMIdentity", func() error { return tx.PutSCIMIdentity(ctx, newSCIM("s1", "g1", "u1", "x", 0)) }},
			{"PutSAMLIdentity", func() error {
				return tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: "g1", UserID: "u1", ExternUID: "y", Version: 1})
			}},
			{"DeleteSAMLIdentity", func() error { return tx.DeleteSAMLIdentity(ctx, "g1", "u1") }},
		}
		for _, w := range writes {
			if err := w.fn(); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("%s in View: got %v, want store.ErrReadOnly", w.name, err)
			}
		}
		return errAbort
	})
	if err != errAbort {
		t.Errorf("View returned %v, want fn's error unchanged", err)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Group(ctx, "g2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a write in View was stored: %v", err)
		}
		if _, err := tx.Membership(ctx, "g1", "u1"); err != nil {
			t.Errorf("a delete in View took effect: %v", err)
		}
		return nil
	})
}

func testTxDone(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"))
	var kept store.Tx
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		kept = tx
		return nil
	})
	if _, err := kept.Group(t.Context(), "g1"); !errors.Is(err, store.ErrTxDone) {
		t.Errorf("read through a finished Update's Tx: got %v, want store.ErrTxDone", err)
	}
	if err := kept.PutGroup(t.Context(), newGroup("g2")); !errors.Is(err, store.ErrTxDone) {
		t.Errorf("write through a finished Update's Tx: got %v, want store.ErrTxDone", err)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		kept = tx
		return nil
	})
	if _, err := kept.Group(t.Context(), "g1"); !errors.Is(err, store.ErrTxDone) {
		t.Errorf("read through a finished View's Tx: got %v, want store.ErrTxDone", err)
	}
}

// testConcurrentProvisioning runs 64 goroutines that each provision the same
// person the way identity does (look up by extern_uid, then by email, else
// create account, identities and membership) and checks that exactly one
// account and one identity exist afterwards.
func testConcurrentProvisioning(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"))
	const workers = 64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	created := make(chan string, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				if _, err := tx.SCIMIdentityByExternUID(ctx, "g1", "ADA-1"); err == nil {
					return nil
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
				if _, err := tx.UserByEmail(ctx, "Ada@Example.com"); err == nil {
					return errors.New("account exists without an identity")
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
				uid := fmt.Sprintf("u%d", i)
				u := &store.User{ID: uid, Username: "ada", Email: "ada@example.com", ProvisionedByGroup: "g1", State: store.UserActive}
				if err := tx.PutUser(ctx, u); err != nil {
					return err
				}
				if err := tx.PutSCIMIdentity(ctx, newSCIM(fmt.Sprintf("s%d", i), "g1", uid, "ada-1", i)); err != nil {
					return err
				}
				if err := tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: "g1", UserID: uid, ExternUID: "ada-1"}); err != nil {
					return err
				}
				if err := tx.PutMembership(ctx, &store.Membership{GroupID: "g1", UserID: uid, Role: store.RoleGuest}); err != nil {
					return err
				}
				created <- uid
				return nil
			})
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(created)
	for err := range errs {
		t.Errorf("provisioning: %v", err)
	}
	// A store that retries fn may report a creation more than once; the
	// state decides.
	seen := map[string]bool{}
	for uid := range created {
		seen[uid] = true
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.UserByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatalf("no account: %v", err)
		}
		if !seen[u.ID] {
			t.Errorf("account %s was not created by a committed Update", u.ID)
		}
		var ids []*store.SCIMIdentity
		for s, err := range tx.SCIMIdentities(ctx, "g1") {
			if err != nil {
				return err
			}
			ids = append(ids, s)
		}
		if len(ids) != 1 || ids[0].UserID != u.ID {
			t.Errorf("SCIM identities = %v, want exactly one, of %s", ids, u.ID)
		}
		n, err := tx.CountMembers(ctx, "g1", store.RoleGuest)
		if err != nil || n != 1 {
			t.Errorf("members = %d, %v; want 1", n, err)
		}
		for i := range workers {
			uid := fmt.Sprintf("u%d", i)
			if uid == u.ID {
				continue
			}
			if _, err := tx.User(ctx, uid); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a second account %s exists (%v)", uid, err)
			}
		}
		return nil
	})
}

// testNoLostUpdates has goroutines read-modify-write one user concurrently;
// every increment must survive.
func testNoLostUpdates(t *testing.T, st store.Store) {
	put(t, st, newUser("u1"))
	const workers = 32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				u, err := tx.User(ctx, "u1")
				if err != nil {
					return err
				}
				u.Name += "+"
				return tx.PutUser(ctx, u)
			})
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		}()
	}
	wg.Wait()
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.User(ctx, "u1")
		if err != nil {
			return err
		}
		if u.Version != workers+1 || len(u.Name) != len("User u1")+workers {
			t.Errorf("after %d increments: Version %d, Name %q", workers, u.Version, u.Name)
		}
		return nil
	})
}

// testNoWriteSkew has two owners leave a group at the same moment, each
// only if another owner stays (the last-owner rule): serialisable Updates
// never let both go.
func testNoWriteSkew(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newUser("u1"), newUser("u2"))
	for round := range 20 {
		put(t, st, &store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleOwner},
			&store.Membership{GroupID: "g1", UserID: "u2", Role: store.RoleOwner})
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, uid := range []string{"u1", "u2"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
					n, err := tx.CountMembers(ctx, "g1", store.RoleOwner)
					if err != nil || n < 2 {
						return err
					}
					return tx.DeleteMembership(ctx, "g1", uid)
				})
				if err != nil {
					t.Errorf("round %d: Update: %v", round, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		var n int
		view(t, st, func(ctx context.Context, tx store.Tx) (err error) {
			n, err = tx.CountMembers(ctx, "g1", store.RoleOwner)
			return err
		})
		if n != 1 {
			t.Fatalf("round %d: %d owners left, want 1", round, n)
		}
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			for _, uid := range []string{"u1", "u2"} {
				if err := tx.DeleteMembership(ctx, "g1", uid); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			return nil
		})
	}
}
