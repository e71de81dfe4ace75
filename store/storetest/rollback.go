package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// testRollbackIndexes checks that a failed Update leaves every lookup by a
// secondary key (username, email, extern_uid, user, membership, role
// count, list filters) as it was: the writes' new keys are free again and
// the old keys answer with the old entities. A store that keeps indexes
// beside its entities must undo both.
func testRollbackIndexes(t *testing.T, st store.Store) {
	u1 := newUser("u1")
	u1.SecondaryEmails = []store.Email{{Address: "alt1@example.com", Verified: true}}
	s1 := newSCIM("s1", "g1", "u1", "ext-1", 1)
	s1.Document["emails"] = []any{map[string]any{"value": "u1@example.com"}}
	put(t, st, newGroup("g1"), u1, s1,
		&store.SAMLIdentity{GroupID: "g1", UserID: "u1", ExternUID: "ext-1"},
		&store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleOwner})

	err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.User(ctx, "u1")
		if err != nil {
			return err
		}
		u.Username, u.Email, u.SecondaryEmails = "renamed", "new@example.com", nil
		s, err := tx.SCIMIdentity(ctx, "g1", "s1")
		if err != nil {
			return err
		}
		s.ExternUID, s.Deleted = "ext-new", true
		s.Document["userName"] = "renamed"
		saml, err := tx.SAMLIdentityByUser(ctx, "g1", "u1")
		if err != nil {
			return err
		}
		saml.ExternUID = "ext-new"
		steps := []func() error{
			func() error { return tx.PutUser(ctx, u) },
			func() error { return tx.PutSCIMIdentity(ctx, s) },
			func() error { return tx.PutSAMLIdentity(ctx, saml) },
			func() error { return tx.DeleteMembership(ctx, "g1", "u1") },
			func() error {
				return tx.PutMembership(ctx, &store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleGuest})
			},
		}
		for _, e := range u2Entities() {
			steps = append(steps, func() error { return putAny(ctx, tx, e) })
		}
		for i, step := range steps {
			if err := step(); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("Update returned %v, want errAbort", err)
	}

	view(t, st, func(ctx context.Context, tx store.Tx) error {
		found := []struct {
			name string
			get  func() (string, error)
			want string
		}{
			{"UserByUsername(U1)", idOf(tx.UserByUsername(ctx, "U1")), "u1"},
			{"UserByEmail(U1@)", idOf(tx.UserByEmail(ctx, "U1@example.com")), "u1"},
			{"UserByEmail(alt1@)", idOf(tx.UserByEmail(ctx, "ALT1@example.com")), "u1"},
			{"SCIMIdentityByExternUID(EXT-1)", idOf(tx.SCIMIdentityByExternUID(ctx, "g1", "EXT-1")), "s1"},
			{"SCIMIdentityByUser(u1)", idOf(tx.SCIMIdentityByUser(ctx, "g1", "u1")), "s1"},
			{"SAMLIdentityByExternUID(ext-1)", idOf(tx.SAMLIdentityByExternUID(ctx, "g1", "ext-1")), "u1"},
			{"SAMLIdentityByUser(u1)", idOf(tx.SAMLIdentityByUser(ctx, "g1", "u1")), "u1"},
			{"Membership(u1)", idOf(tx.Membership(ctx, "g1", "u1")), "u1"},
		}
		for _, f := range found {
			if got, err := f.get(); err != nil || got != f.want {
				t.Errorf("%s = %q, %v; want %q", f.name, got, err, f.want)
			}
		}
		gone := []struct {
			name string
			get  func() (string, error)
		}{
			{"UserByUsername(renamed)", idOf(tx.UserByUsername(ctx, "renamed"))},
			{"UserByUsername(u2)", idOf(tx.UserByUsername(ctx, "u2"))},
			{"UserByEmail(new@)", idOf(tx.UserByEmail(ctx, "new@example.com"))},
			{"UserByEmail(u2@)", idOf(tx.UserByEmail(ctx, "u2@example.com"))},
			{"User(u2)", idOf(tx.User(ctx, "u2"))},
			{"SCIMIdentityByExternUID(ext-new)", idOf(tx.SCIMIdentityByExternUID(ctx, "g1", "ext-new"))},
			{"SCIMIdentityByExternUID(ext-2)", idOf(tx.SCIMIdentityByExternUID(ctx, "g1", "ext-2"))},
			{"SCIMIdentityByUser(u2)", idOf(tx.SCIMIdentityByUser(ctx, "g1", "u2"))},
			{"SAMLIdentityByExternUID(ext-new)", idOf(tx.SAMLIdentityByExternUID(ctx, "g1", "ext-new"))},
			{"SAMLIdentityByExternUID(ext-2)", idOf(tx.SAMLIdentityByExternUID(ctx, "g1", "ext-2"))},
			{"Membership(u2)", idOf(tx.Membership(ctx, "g1", "u2"))},
		}
		for _, g := range gone {
			if got, err := g.get(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s = %q, %v; want store.ErrNotFound", g.name, got, err)
			}
		}
		if s, err := tx.SCIMIdentity(ctx, "g1", "s1"); err != nil || s.Deleted || s.ExternUID != "ext-1" {
			t.Errorf("SCIMIdentity(s1) = %+v, %v; want ext-1, not deleted", s, err)
		}
		for role, want := range map[store.Role]int{store.RoleOwner: 1, store.RoleGuest: 0} {
			if n, err := tx.CountMembers(ctx, "g1", role); err != nil || n != want {
				t.Errorf("CountMembers(%v) = %d, %v; want %d", role, n, err, want)
			}
		}
		return nil
	})
	lists := []struct {
		filter string
		want   []string
	}{
		{`userName eq "u1"`, []string{"s1"}},
		{`userName eq "renamed"`, nil},
		{`userName eq "u2"`, nil},
		{`externalId eq "ext-1"`, []string{"s1"}},
		{`externalId eq "ext-new"`, nil},
		{`emails.value eq "u1@example.com"`, []string{"s1"}},
		{`emails.value eq "u2@example.com"`, nil},
	}
	for _, l := range lists {
		ids, _, err := list(t, st, store.Query{Filter: mustParse(t, l.filter), SkipDeleted: true})
		if err != nil {
			t.Fatalf("list %s: %v", l.filter, err)
		}
		if d := diff(l.want, ids); d != "" {
			t.Errorf("list %s (-want +got):\n%s", l.filter, d)
		}
	}

	// The keys the failed Update took are free: a new user may take them.
	u3 := newUser("u3")
	u3.Username, u3.Email = "renamed", "new@example.com"
	put(t, st, append(u2Entities(), u3)...)
}

// u2Entities are a user u2 with its identities and membership in g1.
func u2Entities() []any {
	s2 := newSCIM("s2", "g1", "u2", "ext-2", 2)
	s2.Document["emails"] = []any{map[string]any{"value": "u2@example.com"}}
	return []any{
		newUser("u2"), s2,
		&store.SAMLIdentity{GroupID: "g1", UserID: "u2", ExternUID: "ext-2"},
		&store.Membership{GroupID: "g1", UserID: "u2", Role: store.RoleGuest},
	}
}

// idOf turns the result of a lookup into a function giving its ID (the
// user's ID for memberships and SAML identities).
func idOf[T any](v T, err error) func() (string, error) {
	return func() (string, error) {
		if err != nil {
			return "", err
		}
		switch v := any(v).(type) {
		case *store.User:
			return v.ID, nil
		case *store.SCIMIdentity:
			return v.ID, nil
		case *store.SAMLIdentity:
			return v.UserID, nil
		case *store.Membership:
			return v.UserID, nil
		}
		return "", fmt.Errorf("storetest: no ID in %T", v)
	}
}
