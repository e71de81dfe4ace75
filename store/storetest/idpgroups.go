package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
)

func newIdPGroup(id, groupID, name string, n int) *store.IdPGroup {
	at := base.Add(time.Duration(n) * time.Minute)
	return &store.IdPGroup{
		ID: id, GroupID: groupID, DisplayName: name,
		Document: map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}},
		Created:  at, Updated: at,
	}
}

// idpFixture stores groups g1 and g2, users u1..u4 with SCIM identities
// s1..s3 in g1 and s4 in g2, and IdP groups ig1 ("Developers") and ig2
// ("Admins", externalId "ext-admins") in g1.
func idpFixture(t *testing.T, st store.Store) {
	t.Helper()
	es := []any{newGroup("g1"), newGroup("g2")}
	for i := 1; i <= 4; i++ {
		es = append(es, newUser(fmt.Sprintf("u%d", i)))
	}
	for i := 1; i <= 3; i++ {
		es = append(es, newSCIM(fmt.Sprintf("s%d", i), "g1", fmt.Sprintf("u%d", i), fmt.Sprintf("ext-%d", i), i))
	}
	es = append(es, newSCIM("s4", "g2", "u4", "ext-4", 4))
	ig2 := newIdPGroup("ig2", "g1", "Admins", 2)
	ig2.ExternalID = "ext-admins"
	es = append(es, newIdPGroup("ig1", "g1", "Developers", 1), ig2)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for _, e := range es {
			var err error
			switch e := e.(type) {
			case *store.IdPGroup:
				err = tx.PutIdPGroup(ctx, e)
			default:
				err = putAny(ctx, tx, e)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// members returns the member ids of IdP group id of g1, or the error.
func members(t *testing.T, st store.Store, id string) ([]string, error) {
	t.Helper()
	var ids []string
	err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		for m, err := range tx.IdPGroupMembers(ctx, "g1", id) {
			if err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		return nil
	})
	return ids, err
}

func wantMembers(t *testing.T, st store.Store, id string, want []string) {
	t.Helper()
	got, err := members(t, st, id)
	if err != nil {
		t.Fatalf("IdPGroupMembers(%s): %v", id, err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("members of %s (-want +got):\n%s", id, d)
	}
}

// groupsOf returns the ids of the IdP groups of g1 that identity id is in.
func groupsOf(t *testing.T, st store.Store, id string) []string {
	t.Helper()
	var ids []string
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		gs, err := tx.IdPGroupsOfMember(ctx, "g1", id)
		for _, g := range gs {
			ids = append(ids, g.ID)
		}
		return err
	})
	return ids
}

func addMembers(ctx context.Context, tx store.Tx, idpGroupID string, ids ...string) ([]string, error) {
	return tx.AddIdPGroupMembers(ctx, "g1", idpGroupID, ids)
}

func testIdPGroups(t *testing.T, st store.Store) {
	idpFixture(t, st)
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		want := newIdPGroup("ig2", "g1", "Admins", 2)
		want.ExternalID, want.Version = "ext-admins", 1
		checkGets(t, want, []getCase[*store.IdPGroup]{
			{"IdPGroup", func() (*store.IdPGroup, error) { return tx.IdPGroup(ctx, "g1", "ig2") }},
			{"IdPGroupByDisplayName exact", func() (*store.IdPGroup, error) { return tx.IdPGroupByDisplayName(ctx, "g1", "Admins") }},
			{"IdPGroupByDisplayName folded", func() (*store.IdPGroup, error) { return tx.IdPGroupByDisplayName(ctx, "g1", "aDMINS") }},
			{"IdPGroupByExternalID exact", func() (*store.IdPGroup, error) { return tx.IdPGroupByExternalID(ctx, "g1", "ext-admins") }},
			{"IdPGroupByExternalID folded", func() (*store.IdPGroup, error) { return tx.IdPGroupByExternalID(ctx, "g1", "EXT-Admins") }},
		})
		for name, err := range map[string]error{
			"IdPGroup of another group":      second(tx.IdPGroup(ctx, "g2", "ig2")),
			"IdPGroupByDisplayName in g2":    second(tx.IdPGroupByDisplayName(ctx, "g2", "Admins")),
			"IdPGroupByExternalID in g2":     second(tx.IdPGroupByExternalID(ctx, "g2", "ext-admins")),
			"IdPGroupByExternalID empty":     second(tx.IdPGroupByExternalID(ctx, "g1", "")),
			"IdPGroup unknown":               second(tx.IdPGroup(ctx, "g1", "nope")),
			"IdPGroupByDisplayName unknown":  second(tx.IdPGroupByDisplayName(ctx, "g1", "nope")),
			"IdPGroupMembers of another one": seqErr(tx.IdPGroupMembers(ctx, "g2", "ig1")),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: got %v, want store.ErrNotFound", name, err)
			}
		}
		var ids []string
		for g, err := range tx.IdPGroups(ctx, "g1") {
			if err != nil {
				return err
			}
			ids = append(ids, g.ID)
		}
		if d := diff([]string{"ig1", "ig2"}, ids); d != "" {
			t.Errorf("IdPGroups order (-want +got):\n%s", d)
		}
		for g, err := range tx.IdPGroups(ctx, "g2") {
			t.Errorf("IdPGroups(g2) yielded %v, %v", g, err)
		}
		return nil
	})

	t.Run("uniqueness", func(t *testing.T) {
		dup := newIdPGroup("ig3", "g1", "DEVELOPERS", 3)
		wantConflict(t, tryPutIdP(t, st, dup), store.KeyDisplayName)
		dup = newIdPGroup("ig3", "g1", "Ops", 3)
		dup.ExternalID = "EXT-ADMINS"
		wantConflict(t, tryPutIdP(t, st, dup), store.KeyExternalID)
		wantConflict(t, tryPutIdP(t, st, newIdPGroup("ig1", "g1", "Other", 3)), store.KeyID)
		wantConflict(t, tryPutIdP(t, st, newIdPGroup("ig1", "g2", "Other", 3)), store.KeyID)
		// Another group may hold the same names; groups without an
		// externalId do not collide.
		other := newIdPGroup("ig4", "g2", "developers", 4)
		other.ExternalID = "ext-admins"
		putIdP(t, st, other, newIdPGroup("ig5", "g1", "Ops", 5), newIdPGroup("ig6", "g1", "QA", 6))
		// A rename frees the old name and a cleared externalId its key.
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			g, err := tx.IdPGroup(ctx, "g1", "ig2")
			if err != nil {
				return err
			}
			g.DisplayName, g.ExternalID = "Administrators", ""
			if err := tx.PutIdPGroup(ctx, g); err != nil {
				return err
			}
			if g.Version != 2 {
				t.Errorf("Version after a replace = %d, want 2", g.Version)
			}
			n := newIdPGroup("ig7", "g1", "admins", 7)
			n.ExternalID = "Ext-Admins"
			return tx.PutIdPGroup(ctx, n)
		})
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			if g, err := tx.IdPGroupByDisplayName(ctx, "g1", "ADMINS"); err != nil || g.ID != "ig7" {
				t.Errorf("IdPGroupByDisplayName(ADMINS) = %v, %v; want ig7", g, err)
			}
			if g, err := tx.IdPGroupByExternalID(ctx, "g1", "ext-admins"); err != nil || g.ID != "ig7" {
				t.Errorf("IdPGroupByExternalID(ext-admins) = %v, %v; want ig7", g, err)
			}
			return nil
		})
	})

	t.Run("invalid", func(t *testing.T) {
		for name, g := range map[string]*store.IdPGroup{
			"no ID":          {GroupID: "g1", DisplayName: "x"},
			"no GroupID":     {ID: "x", DisplayName: "x"},
			"no DisplayName": {ID: "x", GroupID: "g1"},
		} {
			if err := tryPutIdP(t, st, g); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: got %v, want store.ErrInvalid", name, err)
			}
		}
		if err := tryPutIdP(t, st, newIdPGroup("x", "nope", "x", 0)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("IdP group of a missing group: got %v, want store.ErrNotFound", err)
		}
		moved := newIdPGroup("ig1", "g2", "Developers", 1)
		moved.Version = 1
		if err := tryPutIdP(t, st, moved); !errors.Is(err, store.ErrInvalid) && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("moving an IdP group to another group: got %v, want store.ErrInvalid", err)
		}
	})

	t.Run("versions", func(t *testing.T) {
		stale := newIdPGroup("ig1", "g1", "Developers", 1)
		stale.Version = 7
		if err := tryPutIdP(t, st, stale); !errors.Is(err, store.ErrVersionMismatch) {
			t.Errorf("stale Version: got %v, want store.ErrVersionMismatch", err)
		}
		missing := newIdPGroup("nope", "g1", "Nope", 1)
		missing.Version = 1
		if err := tryPutIdP(t, st, missing); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("replace of a missing IdP group: got %v, want store.ErrNotFound", err)
		}
		// Members do not move the version.
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			_, err := addMembers(ctx, tx, "ig1", "s1")
			return err
		})
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			if g, err := tx.IdPGroup(ctx, "g1", "ig1"); err != nil || g.Version != 1 {
				t.Errorf("IdP group after adding a member: %v, %v; want Version 1", g, err)
			}
			return nil
		})
	})

	t.Run("delete", func(t *testing.T) {
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			_, err := addMembers(ctx, tx, "ig1", "s1", "s2")
			return err
		})
		err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error { return tx.DeleteIdPGroup(ctx, "g2", "ig1") })
		wantIs(t, err, store.ErrNotFound)
		update(t, st, func(ctx context.Context, tx store.Tx) error { return tx.DeleteIdPGroup(ctx, "g1", "ig1") })
		err = tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error { return tx.DeleteIdPGroup(ctx, "g1", "ig1") })
		wantIs(t, err, store.ErrNotFound)
		if _, err := members(t, st, "ig1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("members of a deleted IdP group: %v, want store.ErrNotFound", err)
		}
		if gs := groupsOf(t, st, "s1"); len(gs) != 0 {
			t.Errorf("s1 is still in %v after its IdP group was deleted", gs)
		}
		// The name is free again, and a new group of the same id starts
		// without members.
		putIdP(t, st, newIdPGroup("ig1", "g1", "Developers", 9))
		wantMembers(t, st, "ig1", nil)
	})
}

func second[T any](_ T, err error) error { return err }

func seqErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func putIdP(t *testing.T, st store.Store, gs ...*store.IdPGroup) {
	t.Helper()
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for _, g := range gs {
			if err := tx.PutIdPGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
}

func tryPutIdP(t *testing.T, st store.Store, g *store.IdPGroup) error {
	t.Helper()
	return tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error { return tx.PutIdPGroup(ctx, g) })
}

func testIdPGroupMembers(t *testing.T, st store.Store) {
	idpFixture(t, st)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		added, err := addMembers(ctx, tx, "ig1", "s3", "s1", "s3")
		if err != nil {
			return err
		}
		if d := diff([]string{"s3", "s1"}, added); d != "" {
			t.Errorf("added (-want +got):\n%s", d)
		}
		added, err = addMembers(ctx, tx, "ig1", "s1", "s2")
		if err != nil {
			return err
		}
		if d := diff([]string{"s2"}, added); d != "" {
			t.Errorf("added again (-want +got):\n%s", d)
		}
		_, err = addMembers(ctx, tx, "ig2", "s1")
		return err
	})
	wantMembers(t, st, "ig1", []string{"s1", "s2", "s3"})
	if d := diff([]string{"ig1", "ig2"}, groupsOf(t, st, "s1")); d != "" {
		t.Errorf("IdPGroupsOfMember(s1) (-want +got):\n%s", d)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		var got []store.IdPGroupMember
		for m, err := range tx.IdPGroupMembers(ctx, "g1", "ig2") {
			if err != nil {
				return err
			}
			got = append(got, m)
		}
		if d := diff([]store.IdPGroupMember{{ID: "s1", Display: "User u1"}}, got); d != "" {
			t.Errorf("members with their display (-want +got):\n%s", d)
		}
		if gs, err := tx.IdPGroupsOfMember(ctx, "g2", "s1"); err != nil || len(gs) != 0 {
			t.Errorf("IdPGroupsOfMember in another group = %v, %v; want none", gs, err)
		}
		return nil
	})

	t.Run("unknown member adds nothing", func(t *testing.T) {
		for name, ids := range map[string][]string{
			"missing identity":          {"s2", "nope"},
			"identity of another group": {"s4"},
		} {
			err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
				_, err := addMembers(ctx, tx, "ig2", ids...)
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s: got %v, want store.ErrNotFound", name, err)
				}
				return nil // a failed write changes nothing, and fn goes on
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		wantMembers(t, st, "ig2", []string{"s1"})
		err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
			_, err := addMembers(ctx, tx, "nope", "s1")
			return err
		})
		wantIs(t, err, store.ErrNotFound)
		err = tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.RemoveIdPGroupMembers(ctx, "g1", "nope", []string{"s1"})
			return err
		})
		wantIs(t, err, store.ErrNotFound)
	})

	t.Run("remove", func(t *testing.T) {
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			removed, err := tx.RemoveIdPGroupMembers(ctx, "g1", "ig1", []string{"s3", "nope", "s4", "s3", "s1"})
			if err != nil {
				return err
			}
			if d := diff([]string{"s3", "s1"}, removed); d != "" {
				t.Errorf("removed (-want +got):\n%s", d)
			}
			return nil
		})
		wantMembers(t, st, "ig1", []string{"s2"})
		if d := diff([]string{"ig2"}, groupsOf(t, st, "s1")); d != "" {
			t.Errorf("IdPGroupsOfMember(s1) after removal (-want +got):\n%s", d)
		}
	})

	t.Run("rollback", func(t *testing.T) {
		err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
			if _, err := addMembers(ctx, tx, "ig1", "s1", "s3"); err != nil {
				return err
			}
			if _, err := tx.RemoveIdPGroupMembers(ctx, "g1", "ig1", []string{"s2"}); err != nil {
				return err
			}
			if err := tx.DeleteIdPGroup(ctx, "g1", "ig2"); err != nil {
				return err
			}
			if err := tx.DeleteSCIMIdentity(ctx, "g1", "s1"); err != nil {
				return err
			}
			return errAbort
		})
		if err != errAbort {
			t.Fatalf("Update returned %v, want errAbort", err)
		}
		wantMembers(t, st, "ig1", []string{"s2"})
		wantMembers(t, st, "ig2", []string{"s1"})
		if d := diff([]string{"ig2"}, groupsOf(t, st, "s1")); d != "" {
			t.Errorf("IdPGroupsOfMember(s1) after a rollback (-want +got):\n%s", d)
		}
	})

	t.Run("identity goes away", func(t *testing.T) {
		update(t, st, func(ctx context.Context, tx store.Tx) error {
			_, err := addMembers(ctx, tx, "ig1", "s1")
			return err
		})
		err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error { return tx.DeleteSCIMIdentity(ctx, "g2", "s1") })
		wantIs(t, err, store.ErrNotFound)
		update(t, st, func(ctx context.Context, tx store.Tx) error { return tx.DeleteSCIMIdentity(ctx, "g1", "s1") })
		wantMembers(t, st, "ig1", []string{"s2"})
		wantMembers(t, st, "ig2", nil)
		if gs := groupsOf(t, st, "s1"); len(gs) != 0 {
			t.Errorf("a deleted identity is still in %v", gs)
		}
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			for name, err := range map[string]error{
				"SCIMIdentity":            second(tx.SCIMIdentity(ctx, "g1", "s1")),
				"SCIMIdentityByExternUID": second(tx.SCIMIdentityByExternUID(ctx, "g1", "ext-1")),
				"SCIMIdentityByUser":      second(tx.SCIMIdentityByUser(ctx, "g1", "u1")),
			} {
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s of a deleted identity: %v, want store.ErrNotFound", name, err)
				}
			}
			if _, err := tx.User(ctx, "u1"); err != nil {
				t.Errorf("the account of a deleted identity: %v", err)
			}
			return nil
		})
		err = tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error { return tx.DeleteSCIMIdentity(ctx, "g1", "s1") })
		wantIs(t, err, store.ErrNotFound)
		// Its keys are free: the same person gets a new identity.
		put(t, st, newSCIM("s1-new", "g1", "u1", "EXT-1", 9))
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			ids, _, err := store.ListSCIMIdentities(ctx, tx, "g1", store.Query{})
			if err != nil {
				return err
			}
			var got []string
			for _, s := range ids {
				got = append(got, s.ID)
			}
			if d := diff([]string{"s2", "s3", "s1-new"}, got); d != "" {
				t.Errorf("identities after a delete (-want +got):\n%s", d)
			}
			return nil
		})
	})
}

func testIdPGroupLinks(t *testing.T, st store.Store) {
	idpFixture(t, st)
	dev := &store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkDisplayName, Value: "Developers", Role: store.RoleDeveloper}
	adm := &store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkExternalID, Value: "ext-admins", Role: store.RoleOwner}
	other := &store.IdPGroupLink{GroupID: "g2", Attribute: store.LinkDisplayName, Value: "Developers", Role: store.RoleGuest}
	byName := &store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkDisplayName, Value: "ext-admins", Role: store.RoleReporter}
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for _, l := range []*store.IdPGroupLink{adm, dev, other, byName} {
			if err := tx.PutIdPGroupLink(ctx, l); err != nil {
				return err
			}
			if l.Version != 1 {
				t.Errorf("Version after insert = %d, want 1", l.Version)
			}
		}
		return nil
	})
	links := func(groupID string) []*store.IdPGroupLink {
		t.Helper()
		var ls []*store.IdPGroupLink
		view(t, st, func(ctx context.Context, tx store.Tx) (err error) {
			ls, err = tx.IdPGroupLinks(ctx, groupID)
			return err
		})
		return ls
	}
	if d := diff([]*store.IdPGroupLink{dev, byName, adm}, links("g1")); d != "" {
		t.Errorf("links of g1 (-want +got):\n%s", d)
	}
	wantConflict(t, tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.PutIdPGroupLink(ctx, &store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkDisplayName, Value: "DEVELOPERS", Role: store.RoleOwner})
	}), store.KeyID)

	// A replace changes the role and the value's spelling.
	dev.Value, dev.Role = "DEVELOPERS", store.RoleMaintainer
	update(t, st, func(ctx context.Context, tx store.Tx) error { return tx.PutIdPGroupLink(ctx, dev) })
	if dev.Version != 2 {
		t.Errorf("Version after replace = %d, want 2", dev.Version)
	}
	stale := *dev
	stale.Version = 1
	err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error { return tx.PutIdPGroupLink(ctx, &stale) })
	wantIs(t, err, store.ErrVersionMismatch)
	for name, l := range map[string]*store.IdPGroupLink{
		"no value":       {GroupID: "g1", Attribute: store.LinkDisplayName, Role: store.RoleGuest},
		"no attribute":   {GroupID: "g1", Value: "x", Role: store.RoleGuest},
		"bad attribute":  {GroupID: "g1", Attribute: 9, Value: "x", Role: store.RoleGuest},
		"no group":       {Attribute: store.LinkDisplayName, Value: "x"},
		"negative vers.": {GroupID: "g1", Attribute: store.LinkDisplayName, Value: "x", Version: -1},
	} {
		err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error { return tx.PutIdPGroupLink(ctx, l) })
		wantIs(t, err, store.ErrInvalid)
		_ = name
	}
	err = tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.PutIdPGroupLink(ctx, &store.IdPGroupLink{GroupID: "nope", Attribute: store.LinkDisplayName, Value: "x"})
	})
	wantIs(t, err, store.ErrNotFound)

	update(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteIdPGroupLink(ctx, "g1", store.LinkDisplayName, "developers")
	})
	err = tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteIdPGroupLink(ctx, "g1", store.LinkDisplayName, "developers")
	})
	wantIs(t, err, store.ErrNotFound)
	err = tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteIdPGroupLink(ctx, "g1", store.LinkExternalID, "Developers")
	})
	wantIs(t, err, store.ErrNotFound)
	if d := diff([]*store.IdPGroupLink{byName, adm}, links("g1")); d != "" {
		t.Errorf("links of g1 after a delete (-want +got):\n%s", d)
	}
	if d := diff([]*store.IdPGroupLink{other}, links("g2")); d != "" {
		t.Errorf("links of g2 (-want +got):\n%s", d)
	}
}

// testIdPGroupCopies checks that IdP groups are stored and read as copies.
func testIdPGroupCopies(t *testing.T, st store.Store) {
	idpFixture(t, st)
	g := newIdPGroup("ig9", "g1", "Copies", 9)
	g.Document["urn:example:ext"] = map[string]any{"tags": []any{"a"}}
	putIdP(t, st, g)
	want := g.Clone()
	g.Document["urn:example:ext"].(map[string]any)["tags"].([]any)[0] = "changed"
	g.DisplayName = "changed"
	for range 2 {
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.IdPGroup(ctx, "g1", "ig9")
			if err != nil {
				return err
			}
			if d := diff(want, got); d != "" {
				t.Errorf("stored IdP group changed (-want +got):\n%s", d)
			}
			got.Document["urn:example:ext"].(map[string]any)["tags"].([]any)[0] = "mutated"
			for l, err := range tx.IdPGroups(ctx, "g1") {
				if err != nil {
					return err
				}
				l.Document["schemas"] = "mutated"
			}
			return nil
		})
	}
}

// testIdPGroupReadOnly checks that the IdP group writes fail in a View.
func testIdPGroupReadOnly(t *testing.T, st store.Store) {
	idpFixture(t, st)
	err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		for name, err := range map[string]error{
			"PutIdPGroup":           tx.PutIdPGroup(ctx, newIdPGroup("x", "g1", "x", 0)),
			"DeleteIdPGroup":        tx.DeleteIdPGroup(ctx, "g1", "ig1"),
			"AddIdPGroupMembers":    second(addMembers(ctx, tx, "ig1", "s1")),
			"RemoveIdPGroupMembers": second(tx.RemoveIdPGroupMembers(ctx, "g1", "ig1", []string{"s1"})),
			"PutIdPGroupLink":       tx.PutIdPGroupLink(ctx, &store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkDisplayName, Value: "x"}),
			"DeleteIdPGroupLink":    tx.DeleteIdPGroupLink(ctx, "g1", store.LinkDisplayName, "x"),
			"DeleteSCIMIdentity":    tx.DeleteSCIMIdentity(ctx, "g1", "s1"),
		} {
			if !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("%s in View: got %v, want store.ErrReadOnly", name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantMembers(t, st, "ig1", nil)
}

// testLargeIdPGroup adds and removes single members of a group of
// thousands, and pages through its members.
func testLargeIdPGroup(t *testing.T, st store.Store) {
	const n = 1200
	put(t, st, newGroup("g1"))
	putIdP(t, st, newIdPGroup("big", "g1", "Everyone", 0))
	var all []string
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for i := range n {
			id := fmt.Sprintf("s%05d", i)
			uid := fmt.Sprintf("u%05d", i)
			if err := tx.PutUser(ctx, newUser(uid)); err != nil {
				return err
			}
			if err := tx.PutSCIMIdentity(ctx, newSCIM(id, "g1", uid, "ext-"+id, i)); err != nil {
				return err
			}
			all = append(all, id)
		}
		_, err := tx.AddIdPGroupMembers(ctx, "g1", "big", all[1:])
		return err
	})
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		added, err := tx.AddIdPGroupMembers(ctx, "g1", "big", all[:1])
		if err != nil || len(added) != 1 {
			t.Errorf("adding one member to %d: %v, %v", n-1, added, err)
		}
		removed, err := tx.RemoveIdPGroupMembers(ctx, "g1", "big", []string{all[n/2]})
		if err != nil || len(removed) != 1 {
			t.Errorf("removing one member of %d: %v, %v", n, removed, err)
		}
		return nil
	})
	want := slices.Delete(slices.Clone(all), n/2, n/2+1)
	got, err := members(t, st, "big")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("members of a large group (-want +got):\n%s", d)
	}
	// Breaking off the iteration early is fine.
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		for m, err := range tx.IdPGroupMembers(ctx, "g1", "big") {
			if err != nil || m.ID != all[0] {
				t.Errorf("first member = %v, %v; want %s", m, err, all[0])
			}
			break
		}
		return nil
	})
}

// testConcurrentIdPGroupMembers has goroutines add and remove members of
// one IdP group at once: every add and remove that returned is kept.
func testConcurrentIdPGroupMembers(t *testing.T, st store.Store) {
	const workers, each = 8, 6
	put(t, st, newGroup("g1"))
	putIdP(t, st, newIdPGroup("ig", "g1", "Shared", 0))
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for w := range workers {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				if err := tx.PutUser(ctx, newUser(id)); err != nil {
					return err
				}
				if err := tx.PutSCIMIdentity(ctx, newSCIM(id, "g1", id, id, w*each+i)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var want []string
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
					// Everyone also adds and removes a shared member.
					if _, err := tx.AddIdPGroupMembers(ctx, "g1", "ig", []string{id, "w0-0"}); err != nil {
						return err
					}
					_, err := tx.RemoveIdPGroupMembers(ctx, "g1", "ig", []string{"w0-0"})
					return err
				})
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					continue
				}
				if id != "w0-0" && i%2 == 0 {
					err = st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
						_, err := tx.RemoveIdPGroupMembers(ctx, "g1", "ig", []string{id})
						return err
					})
					if err != nil {
						t.Errorf("worker %d: %v", w, err)
					}
					continue
				}
				if id != "w0-0" {
					mu.Lock()
					want = append(want, id)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(want)
	got, err := func() ([]string, error) {
		var ids []string
		err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
			for m, err := range tx.IdPGroupMembers(ctx, "g1", "ig") {
				if err != nil {
					return err
				}
				ids = append(ids, m.ID)
			}
			return nil
		})
		return ids, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("members after concurrent changes (-want +got):\n%s", d)
	}
}
