package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimkit/scimkit/store"
)

// cmpOpts compares entities the way a store must preserve them: times by
// instant, nil and empty slices and maps alike.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	cmpopts.EquateEmpty(),
}

func diff(want, got any) string { return cmp.Diff(want, got, cmpOpts) }

// getCase is a named lookup for checkGets.
type getCase[T any] struct {
	name string
	get  func() (T, error)
}

// checkGets runs each lookup and compares its result with want.
func checkGets[T any](t *testing.T, want T, cases []getCase[T]) {
	t.Helper()
	for _, c := range cases {
		got, err := c.get()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d := diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

func testGroups(t *testing.T, st store.Store) {
	g := &store.Group{ID: "g1", Path: "Acme", Name: "Acme Inc", TokenDigest: []byte{1, 2, 3}, DefaultRole: store.RoleDeveloper, EnforceSSO: true}
	put(t, st, g)
	if g.Version != 1 {
		t.Errorf("Version after insert = %d, want 1", g.Version)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		checkGets(t, g, []getCase[*store.Group]{
			{"Group", func() (*store.Group, error) { return tx.Group(ctx, "g1") }},
			{"GroupByPath exact", func() (*store.Group, error) { return tx.GroupByPath(ctx, "Acme") }},
			{"GroupByPath folded", func() (*store.Group, error) { return tx.GroupByPath(ctx, "aCME") }},
		})
		return nil
	})
	wantConflict(t, tryPut(t, st, &store.Group{ID: "g2", Path: "ACME"}), store.KeyGroupPath)

	// Renaming the path frees the old one.
	g.Path = "acme-renamed"
	put(t, st, g)
	put(t, st, &store.Group{ID: "g2", Path: "acme"})
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GroupByPath(ctx, "ACME-RENAMED")
		if err != nil || got.ID != "g1" {
			t.Errorf("GroupByPath(ACME-RENAMED) = %v, %v; want g1", got, err)
		}
		got, err = tx.GroupByPath(ctx, "Acme")
		if err != nil || got.ID != "g2" {
			t.Errorf("GroupByPath(Acme) = %v, %v; want g2", got, err)
		}
		return nil
	})
}

func testUsers(t *testing.T, st store.Store) {
	u := &store.User{
		ID: "u1", Username: "Ada.Lovelace", Name: "Ada Lovelace", Email: "Ada@Example.com",
		SecondaryEmails:    []store.Email{{Address: "ada@home.example", Verified: true}, {Address: "ada@old.example"}},
		ProvisionedByGroup: "", Confirmed: true, State: store.UserActive,
	}
	put(t, st, newGroup("g1"))
	u.ProvisionedByGroup = "g1"
	put(t, st, u)
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		checkGets(t, u, []getCase[*store.User]{
			{"User", func() (*store.User, error) { return tx.User(ctx, "u1") }},
			{"UserByUsername exact", func() (*store.User, error) { return tx.UserByUsername(ctx, "Ada.Lovelace") }},
			{"UserByUsername folded", func() (*store.User, error) { return tx.UserByUsername(ctx, "ada.LOVELACE") }},
			{"UserByEmail primary", func() (*store.User, error) { return tx.UserByEmail(ctx, "Ada@Example.com") }},
			{"UserByEmail primary folded", func() (*store.User, error) { return tx.UserByEmail(ctx, "aDA@eXAMPLE.COM") }},
			{"UserByEmail secondary", func() (*store.User, error) { return tx.UserByEmail(ctx, "ADA@home.example") }},
			{"UserByEmail unverified secondary", func() (*store.User, error) { return tx.UserByEmail(ctx, "ada@OLD.example") }},
		})
		return nil
	})

	// Username uniqueness is case-insensitive.
	other := newUser("u2")
	other.Username = "ADA.lovelace"
	wantConflict(t, tryPut(t, st, other), store.KeyUsername)

	// Changing the username and emails frees the old ones.
	u.Username = "ada"
	u.Email = "ada@new.example"
	u.SecondaryEmails = nil
	put(t, st, u)
	other.Email = "ada@example.com"
	other.SecondaryEmails = []store.Email{{Address: "ada@home.example"}}
	put(t, st, other)
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		for _, c := range []struct{ lookup, key, want string }{
			{"username", "ada.lovelace", "u2"},
			{"username", "ADA", "u1"},
			{"email", "ada@example.com", "u2"},
			{"email", "ada@home.example", "u2"},
			{"email", "ADA@NEW.EXAMPLE", "u1"},
		} {
			var got *store.User
			var err error
			if c.lookup == "username" {
				got, err = tx.UserByUsername(ctx, c.key)
			} else {
				got, err = tx.UserByEmail(ctx, c.key)
			}
			if err != nil || got.ID != c.want {
				t.Errorf("user by %s %q = %v, %v; want %s", c.lookup, c.key, got, err, c.want)
			}
		}
		_, err := tx.UserByEmail(ctx, "ada@old.example")
		wantIs(t, err, store.ErrNotFound)
		return nil
	})
}

func testUserEmailUniqueness(t *testing.T, st store.Store) {
	first := newUser("u1")
	first.Email = "Grace@Example.com"
	first.SecondaryEmails = []store.Email{{Address: "grace@navy.example", Verified: true}}
	put(t, st, first)

	tests := []struct {
		name      string
		primary   string
		secondary []string
	}{
		{"same primary", "Grace@Example.com", nil},
		{"primary differs in case", "GRACE@example.COM", nil},
		{"primary is another user's secondary", "Grace@Navy.Example", nil},
		{"secondary is another user's primary", "other@example.com", []string{"grace@example.com"}},
		{"secondary is another user's secondary", "other@example.com", []string{"x@example.com", "GRACE@NAVY.EXAMPLE"}},
		{"non-ASCII case folding", "other@example.com", []string{"ÄDA@example.com"}},
	}
	// A user holding a non-ASCII address, for the last case.
	uni := newUser("u9")
	uni.Email = "äda@example.com"
	put(t, st, uni)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := newUser("u2")
			u.Email = tc.primary
			for _, s := range tc.secondary {
				u.SecondaryEmails = append(u.SecondaryEmails, store.Email{Address: s})
			}
			wantConflict(t, tryPut(t, st, u), store.KeyEmail)
			view(t, st, func(ctx context.Context, tx store.Tx) error {
				_, err := tx.User(ctx, "u2")
				wantIs(t, err, store.ErrNotFound)
				return nil
			})
		})
	}

	// Addresses strings.EqualFold keeps apart are different addresses,
	// even where a lower-casing would merge them (U+0130 lower-cases to i).
	dotted := newUser("u4")
	dotted.Email = "\u0130nfo@example.com"
	plain := newUser("u5")
	plain.Email = "info@example.com"
	put(t, st, dotted, plain)
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		for addr, id := range map[string]string{"\u0130NFO@example.com": "u4", "INFO@example.com": "u5"} {
			if u, err := tx.UserByEmail(ctx, addr); err != nil || u.ID != id {
				t.Errorf("UserByEmail(%q) = %v, %v; want %s", addr, u, err, id)
			}
		}
		return nil
	})

	// A user may repeat their own address, and keep it across updates.
	self := newUser("u3")
	self.SecondaryEmails = []store.Email{{Address: "U3@example.com"}}
	put(t, st, self)
	self.Name = "renamed"
	put(t, st, self)
}

func testMemberships(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newGroup("g2"), newUser("u1"), newUser("u2"), newUser("u3"))
	m1 := &store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleOwner}
	m2 := &store.Membership{GroupID: "g1", UserID: "u2", Role: store.RoleOwner}
	m3 := &store.Membership{GroupID: "g1", UserID: "u3", Role: store.RoleDeveloper}
	m4 := &store.Membership{GroupID: "g2", UserID: "u1", Role: store.RoleOwner}
	put(t, st, m1, m2, m3, m4)

	counts := func(want map[store.Role]int) {
		t.Helper()
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			for role, n := range want {
				got, err := tx.CountMembers(ctx, "g1", role)
				if err != nil || got != n {
					t.Errorf("CountMembers(g1, %v) = %d, %v; want %d", role, got, err, n)
				}
			}
			return nil
		})
	}
	counts(map[store.Role]int{store.RoleOwner: 2, store.RoleDeveloper: 1, store.RoleGuest: 0})

	view(t, st, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.Membership(ctx, "g1", "u3")
		if err != nil {
			t.Fatalf("Membership: %v", err)
		}
		if d := diff(m3, got); d != "" {
			t.Errorf("Membership (-want +got):\n%s", d)
		}
		_, err = tx.Membership(ctx, "g2", "u2")
		wantIs(t, err, store.ErrNotFound)
		return nil
	})

	wantConflict(t, tryPut(t, st, &store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleGuest}), store.KeyMembership)

	// A role change moves the counts.
	m2.Role = store.RoleMaintainer
	put(t, st, m2)
	counts(map[store.Role]int{store.RoleOwner: 1, store.RoleMaintainer: 1, store.RoleDeveloper: 1})

	update(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteMembership(ctx, "g1", "u1")
	})
	counts(map[store.Role]int{store.RoleOwner: 0, store.RoleMaintainer: 1})
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Membership(ctx, "g1", "u1")
		wantIs(t, err, store.ErrNotFound)
		// The other group and the account are untouched.
		if _, err := tx.Membership(ctx, "g2", "u1"); err != nil {
			t.Errorf("Membership(g2, u1): %v", err)
		}
		if _, err := tx.User(ctx, "u1"); err != nil {
			t.Errorf("User(u1) after membership removal: %v", err)
		}
		return nil
	})
	err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteMembership(ctx, "g1", "u1")
	})
	wantIs(t, err, store.ErrNotFound)

	// Re-adding after a delete is an insert again.
	m1.Version = 0
	put(t, st, m1)
	if m1.Version != 1 {
		t.Errorf("Version after re-insert = %d, want 1", m1.Version)
	}
}

func testSCIMIdentities(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newGroup("g2"), newUser("u1"), newUser("u2"))
	s := newSCIM("s1", "g1", "u1", "Ext-One", 0)
	s.Document["name"] = map[string]any{"givenName": "Ada", "familyName": "Lovelace"}
	s.Document["emails"] = []any{map[string]any{"value": "u1@example.com", "type": "work", "primary": true}}
	put(t, st, s)
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		checkGets(t, s, []getCase[*store.SCIMIdentity]{
			{"SCIMIdentity", func() (*store.SCIMIdentity, error) { return tx.SCIMIdentity(ctx, "g1", "s1") }},
			{"SCIMIdentityByExternUID exact", func() (*store.SCIMIdentity, error) { return tx.SCIMIdentityByExternUID(ctx, "g1", "Ext-One") }},
			{"SCIMIdentityByExternUID folded", func() (*store.SCIMIdentity, error) { return tx.SCIMIdentityByExternUID(ctx, "g1", "eXT-oNE") }},
			{"SCIMIdentityByUser", func() (*store.SCIMIdentity, error) { return tx.SCIMIdentityByUser(ctx, "g1", "u1") }},
		})
		// Lookups are scoped to the group.
		_, err := tx.SCIMIdentity(ctx, "g2", "s1")
		wantIs(t, err, store.ErrNotFound)
		_, err = tx.SCIMIdentityByExternUID(ctx, "g2", "Ext-One")
		wantIs(t, err, store.ErrNotFound)
		_, err = tx.SCIMIdentityByUser(ctx, "g2", "u1")
		wantIs(t, err, store.ErrNotFound)
		return nil
	})

	// Deprovision: inactive and deleted, with a new extern_uid.
	s.Active = false
	s.Deleted = true
	s.ExternUID = "ext-1-renamed"
	s.Updated = base.Add(time.Hour)
	put(t, st, s)
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.SCIMIdentityByExternUID(ctx, "g1", "EXT-1-RENAMED")
		if err != nil {
			t.Fatalf("lookup by new extern_uid: %v", err)
		}
		if d := diff(s, got); d != "" {
			t.Errorf("after update (-want +got):\n%s", d)
		}
		_, err = tx.SCIMIdentityByExternUID(ctx, "g1", "Ext-One")
		wantIs(t, err, store.ErrNotFound)
		return nil
	})

	// The group of an identity cannot change.
	moved := s.Clone()
	moved.GroupID = "g2"
	wantIs(t, tryPut(t, st, moved), store.ErrInvalid)
}

func testSCIMIdentityUniqueness(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newGroup("g2"), newUser("u1"), newUser("u2"))
	put(t, st, newSCIM("s1", "g1", "u1", "Alice", 0))
	tests := []struct {
		name string
		s    *store.SCIMIdentity
		key  string
	}{
		{"extern_uid in the same group", newSCIM("s2", "g1", "u2", "Alice", 1), store.KeyExternUID},
		{"extern_uid differs in case", newSCIM("s2", "g1", "u2", "aLICE", 1), store.KeyExternUID},
		{"second identity of a user in a group", newSCIM("s2", "g1", "u1", "other", 1), store.KeySCIMIdentityUser},
		{"ID taken, even in another group", newSCIM("s1", "g2", "u2", "other", 1), store.KeyID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantConflict(t, tryPut(t, st, tc.s), tc.key)
		})
	}
	// The same extern_uid and user are fine in another group.
	put(t, st, newSCIM("s3", "g2", "u1", "ALICE", 2))
	// Changing the extern_uid of an identity onto a taken one conflicts.
	s4 := newSCIM("s4", "g1", "u2", "bob", 3)
	put(t, st, s4)
	s4.ExternUID = "alice"
	wantConflict(t, tryPut(t, st, s4), store.KeyExternUID)
	// An identity may change the case of its own extern_uid.
	s4.ExternUID = "BOB"
	put(t, st, s4)
}

func testSAMLIdentities(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newGroup("g2"), newUser("u1"), newUser("u2"))
	s := &store.SAMLIdentity{GroupID: "g1", UserID: "u1", ExternUID: "NameID-1"}
	put(t, st, s)
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.SAMLIdentityByExternUID(ctx, "g1", "nameid-1")
		if err != nil {
			t.Fatalf("SAMLIdentityByExternUID: %v", err)
		}
		if d := diff(s, got); d != "" {
			t.Errorf("SAMLIdentityByExternUID (-want +got):\n%s", d)
		}
		got, err = tx.SAMLIdentityByUser(ctx, "g1", "u1")
		if err != nil {
			t.Fatalf("SAMLIdentityByUser: %v", err)
		}
		if d := diff(s, got); d != "" {
			t.Errorf("SAMLIdentityByUser (-want +got):\n%s", d)
		}
		_, err = tx.SAMLIdentityByUser(ctx, "g2", "u1")
		wantIs(t, err, store.ErrNotFound)
		return nil
	})
	wantConflict(t, tryPut(t, st, &store.SAMLIdentity{GroupID: "g1", UserID: "u2", ExternUID: "NAMEID-1"}), store.KeyExternUID)
	wantConflict(t, tryPut(t, st, &store.SAMLIdentity{GroupID: "g1", UserID: "u1", ExternUID: "other"}), store.KeySAMLIdentityUser)
	put(t, st, &store.SAMLIdentity{GroupID: "g2", UserID: "u2", ExternUID: "nameid-1"})

	// A NameID change frees the old NameID.
	s.ExternUID = "NameID-2"
	put(t, st, s)
	put(t, st, &store.SAMLIdentity{GroupID: "g1", UserID: "u2", ExternUID: "nameid-1"})

	update(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteSAMLIdentity(ctx, "g1", "u1")
	})
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.SAMLIdentityByExternUID(ctx, "g1", "NameID-2")
		wantIs(t, err, store.ErrNotFound)
		return nil
	})
	wantIs(t, tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteSAMLIdentity(ctx, "g1", "u1")
	}), store.ErrNotFound)
}

func testReferences(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newUser("u1"))
	tests := []struct {
		name string
		e    any
	}{
		{"membership of a missing group", &store.Membership{GroupID: "nope", UserID: "u1"}},
		{"membership of a missing user", &store.Membership{GroupID: "g1", UserID: "nope"}},
		{"scim identity of a missing group", newSCIM("s1", "nope", "u1", "x", 0)},
		{"scim identity of a missing user", newSCIM("s1", "g1", "nope", "x", 0)},
		{"saml identity of a missing group", &store.SAMLIdentity{GroupID: "nope", UserID: "u1", ExternUID: "x"}},
		{"saml identity of a missing user", &store.SAMLIdentity{GroupID: "g1", UserID: "nope", ExternUID: "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantIs(t, tryPut(t, st, tc.e), store.ErrNotFound)
		})
	}
	// Entities created in the same Update may refer to each other.
	put(t, st, newGroup("g2"), newUser("u2"), &store.Membership{GroupID: "g2", UserID: "u2"},
		newSCIM("s2", "g2", "u2", "x", 0), &store.SAMLIdentity{GroupID: "g2", UserID: "u2", ExternUID: "x"})
}

func testInvalid(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newUser("u1"))
	noID := newUser("")
	noUsername := newUser("u2")
	noUsername.Username = ""
	noEmail := newUser("u2")
	noEmail.Email = ""
	emptySecondary := newUser("u2")
	emptySecondary.SecondaryEmails = []store.Email{{Address: ""}}
	negative := newUser("u2")
	negative.Version = -1
	tests := []struct {
		name string
		e    any
	}{
		{"group without ID", &store.Group{Path: "p"}},
		{"group without path", &store.Group{ID: "g2"}},
		{"user without ID", noID},
		{"user without username", noUsername},
		{"user without email", noEmail},
		{"user with an empty secondary email", emptySecondary},
		{"negative version", negative},
		{"membership without group", &store.Membership{UserID: "u1"}},
		{"scim identity without ID", newSCIM("", "g1", "u1", "x", 0)},
		{"scim identity without extern_uid", newSCIM("s1", "g1", "u1", "", 0)},
		{"saml identity without extern_uid", &store.SAMLIdentity{GroupID: "g1", UserID: "u1"}},
		{"nil group", (*store.Group)(nil)},
		{"nil user", (*store.User)(nil)},
		{"nil membership", (*store.Membership)(nil)},
		{"nil scim identity", (*store.SCIMIdentity)(nil)},
		{"nil saml identity", (*store.SAMLIdentity)(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantIs(t, tryPut(t, st, tc.e), store.ErrInvalid)
		})
	}
}

func testNotFound(t *testing.T, st store.Store) {
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		lookups := []struct {
			name string
			fn   func() error
		}{
			{"Group", func() error { _, err := tx.Group(ctx, "x"); return err }},
			{"GroupByPath", func() error { _, err := tx.GroupByPath(ctx, "x"); return err }},
			{"User", func() error { _, err := tx.User(ctx, "x"); return err }},
			{"UserByUsername", func() error { _, err := tx.UserByUsername(ctx, "x"); return err }},
			{"UserByEmail", func() error { _, err := tx.UserByEmail(ctx, "x@example.com"); return err }},
			{"Membership", func() error { _, err := tx.Membership(ctx, "g", "u"); return err }},
			{"SCIMIdentity", func() error { _, err := tx.SCIMIdentity(ctx, "g", "x"); return err }},
			{"SCIMIdentityByExternUID", func() error { _, err := tx.SCIMIdentityByExternUID(ctx, "g", "x"); return err }},
			{"SCIMIdentityByUser", func() error { _, err := tx.SCIMIdentityByUser(ctx, "g", "u"); return err }},
			{"SAMLIdentityByExternUID", func() error { _, err := tx.SAMLIdentityByExternUID(ctx, "g", "x"); return err }},
			{"SAMLIdentityByUser", func() error { _, err := tx.SAMLIdentityByUser(ctx, "g", "u"); return err }},
		}
		for _, l := range lookups {
			if err := l.fn(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s on an empty store: got %v, want store.ErrNotFound", l.name, err)
			}
		}
		n, err := tx.CountMembers(ctx, "g", store.RoleOwner)
		if err != nil || n != 0 {
			t.Errorf("CountMembers on an empty store = %d, %v; want 0, nil", n, err)
		}
		for s, err := range tx.SCIMIdentities(ctx, "g") {
			t.Errorf("SCIMIdentities on an empty store yielded %v, %v", s, err)
		}
		items, total, err := store.ListSCIMIdentities(ctx, tx, "g", store.Query{})
		if err != nil || total != 0 || len(items) != 0 {
			t.Errorf("ListSCIMIdentities on an empty store = %v, %d, %v", items, total, err)
		}
		return nil
	})
}

func testVersions(t *testing.T, st store.Store) {
	g := newGroup("g1")
	u := newUser("u1")
	m := &store.Membership{GroupID: "g1", UserID: "u1", Role: store.RoleGuest}
	sc := newSCIM("s1", "g1", "u1", "x", 0)
	sa := &store.SAMLIdentity{GroupID: "g1", UserID: "u1", ExternUID: "x"}
	type entity struct {
		name    string
		e       any
		version func() *int64
		pk      string
		edit    func()
	}
	entities := []entity{
		{"group", g, func() *int64 { return &g.Version }, store.KeyID, func() { g.Name += "!" }},
		{"user", u, func() *int64 { return &u.Version }, store.KeyID, func() { u.Name += "!" }},
		{"membership", m, func() *int64 { return &m.Version }, store.KeyMembership, func() { m.Role++ }},
		{"scim identity", sc, func() *int64 { return &sc.Version }, store.KeyID, func() { sc.Active = !sc.Active }},
		{"saml identity", sa, func() *int64 { return &sa.Version }, store.KeySAMLIdentityUser, func() { sa.ExternUID += "!" }},
	}
	for _, e := range entities {
		t.Run(e.name, func(t *testing.T) {
			v := e.version()
			put(t, st, e.e)
			if *v != 1 {
				t.Fatalf("Version after insert = %d, want 1", *v)
			}
			for want := int64(2); want <= 3; want++ {
				e.edit()
				put(t, st, e.e)
				if *v != want {
					t.Fatalf("Version after update = %d, want %d", *v, want)
				}
			}
			// Stale and future versions are refused, and change nothing.
			for _, bad := range []int64{2, 4} {
				*v = bad
				e.edit()
				wantIs(t, tryPut(t, st, e.e), store.ErrVersionMismatch)
			}
			*v = 0
			wantConflict(t, tryPut(t, st, e.e), e.pk)
			got := stored(t, st, e.e)
			if gv := versionOf(got); gv != 3 {
				t.Errorf("stored Version = %d, want 3", gv)
			}
			*v = 3
		})
	}
	// Version > 0 for an entity that is not stored.
	missing := []any{
		&store.Group{ID: "nope", Path: "nope", Version: 1},
		&store.User{ID: "nope", Username: "nope", Email: "nope@example.com", Version: 1},
		&store.Membership{GroupID: "g1", UserID: "u2", Version: 1},
		&store.SCIMIdentity{ID: "nope", GroupID: "g1", UserID: "u2", ExternUID: "nope", Version: 1},
		&store.SAMLIdentity{GroupID: "g1", UserID: "u2", ExternUID: "nope", Version: 1},
	}
	put(t, st, newUser("u2"))
	for _, e := range missing {
		wantIs(t, tryPut(t, st, e), store.ErrNotFound)
	}
}

// stored reads back the stored copy of e by its key.
func stored(t *testing.T, st store.Store, e any) any {
	t.Helper()
	var got any
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		var err error
		switch e := e.(type) {
		case *store.Group:
			got, err = tx.Group(ctx, e.ID)
		case *store.User:
			got, err = tx.User(ctx, e.ID)
		case *store.Membership:
			got, err = tx.Membership(ctx, e.GroupID, e.UserID)
		case *store.SCIMIdentity:
			got, err = tx.SCIMIdentity(ctx, e.GroupID, e.ID)
		case *store.SAMLIdentity:
			got, err = tx.SAMLIdentityByUser(ctx, e.GroupID, e.UserID)
		}
		return err
	})
	return got
}

func versionOf(e any) int64 {
	switch e := e.(type) {
	case *store.Group:
		return e.Version
	case *store.User:
		return e.Version
	case *store.Membership:
		return e.Version
	case *store.SCIMIdentity:
		return e.Version
	case *store.SAMLIdentity:
		return e.Version
	}
	return -1
}

// testDocumentValues stores documents with odd strings and checks that each
// comes back as it was, byte for byte, or is refused with store.ErrInvalid
// (a store that keeps documents as JSON cannot hold invalid UTF-8): never
// silently changed.
func testDocumentValues(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newUser("u1"))
	big := strings.Repeat("\U0001F600x", 1<<16)
	tests := []struct {
		name      string
		value     string
		mayRefuse bool
	}{
		{"NUL and control characters", "a\x00b\x01c\x7f\u0085", false},
		{"line and paragraph separators", "\u2028\u2029", false},
		{"combining marks, bidi overrides, joiners", "e\u0301 \u202eRTL\u202c \u200d\U0001F468\u200d\U0001F469", false},
		{"BOM, noncharacters, the last rune", "\uFEFF\uFFFE\uFFFF\U0010FFFF", false},
		{"HTML and JSON syntax", `<script>"'\&</script>{"a":[1]}`, false},
		{"SQL syntax", "'; DROP TABLE users; -- ? $1 %s", false},
		{"large", big, false},
		{"invalid UTF-8", "\xff\xfe\xc3", true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSCIM(fmt.Sprintf("s%d", i), "g1", "u1", fmt.Sprintf("x%d", i), i)
			s.Document = map[string]any{
				"title":  tc.value,
				tc.value: []any{map[string]any{"value": tc.value}},
				"nested": map[string]any{"k": []any{tc.value, true, nil, json.Number("1.50")}},
			}
			want := s.Clone()
			err := tryPut(t, st, s)
			if err != nil {
				if tc.mayRefuse && errors.Is(err, store.ErrInvalid) {
					return
				}
				t.Fatalf("PutSCIMIdentity: %v", err)
			}
			view(t, st, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.SCIMIdentity(ctx, "g1", s.ID)
				if err != nil {
					return err
				}
				want.Version = got.Version
				if d := diff(want, got); d != "" {
					t.Errorf("document changed (-want +got):\n%.3000s", d)
				}
				return nil
			})
			update(t, st, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.SCIMIdentity(ctx, "g1", s.ID)
				if err != nil {
					return err
				}
				// Move the identity to another user: u1 may hold one
				// identity in the group, and the next case gives it one.
				nu := newUser(fmt.Sprintf("moved%d", i))
				if err := tx.PutUser(ctx, nu); err != nil {
					return err
				}
				got.UserID = nu.ID
				return tx.PutSCIMIdentity(ctx, got)
			})
		})
	}
}
