package identity

import (
	"context"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// roleWorld is the cast of the role tests: alice, bob and carol provisioned
// (default role Developer), the fixture's owner, and the IdP groups
// "Devs" (linked to Maintainer), "Admins" (externalId e-adm, linked by
// externalId to Owner), "Readers" (linked to Reporter) and "Staff" (not
// linked), all empty.
type roleWorld struct {
	f      *fixture
	ids    map[string]string // person -> SCIM identity id
	users  map[string]string // person -> user id
	groups map[string]string // name -> IdP group id
}

func newRoleWorld(t *testing.T) *roleWorld {
	w := &roleWorld{f: newFixture(t, RFCProfile()), ids: map[string]string{}, users: map[string]string{}, groups: map[string]string{}}
	for _, n := range []string{"alice", "bob", "carol"} {
		w.ids[n], w.users[n] = w.f.person(t, n)
	}
	w.groups["Devs"] = w.f.createGroup(t, "Devs", "")
	w.groups["Admins"] = w.f.createGroup(t, "Admins", "e-adm")
	w.groups["Readers"] = w.f.createGroup(t, "Readers", "")
	w.groups["Staff"] = w.f.createGroup(t, "Staff", "")
	for _, l := range []struct {
		attr  store.LinkAttribute
		value string
		role  store.Role
	}{{store.LinkDisplayName, "devs", store.RoleMaintainer}, {store.LinkExternalID, "E-ADM", store.RoleOwner}, {store.LinkDisplayName, "Readers", store.RoleReporter}} {
		if _, err := w.f.p.SetIdPGroupLink(t.Context(), "g", l.attr, l.value, l.role); err != nil {
			t.Fatal(err)
		}
	}
	w.f.events.take()
	return w
}

// patch changes the members of IdP group name: "+alice" adds, "-alice"
// removes, "=alice,bob" replaces.
func (w *roleWorld) patch(name string, ops ...string) error {
	var ch IdPGroupPatch
	for _, op := range ops {
		var ids []string
		for _, p := range splitNames(op[1:]) {
			ids = append(ids, w.ids[p])
		}
		switch op[0] {
		case '+':
			ch.Members.Add(ids...)
		case '-':
			ch.Members.Remove(ids...)
		case '=':
			ch.Members.Replace(ids...)
		}
	}
	_, err := w.f.p.PatchIdPGroup(context.Background(), "g", w.groups[name], 0, ch, OmitMembers)
	return err
}

func splitNames(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func (w *roleWorld) rename(name, to string) error {
	_, err := w.f.p.PatchIdPGroup(context.Background(), "g", w.groups[name], 0, IdPGroupPatch{Mutate: func(cur map[string]any) (map[string]any, error) {
		cur["displayName"] = to
		return cur, nil
	}}, OmitMembers)
	return err
}

// roles returns the role of each person and of the owner; RoleNone for
// one who is not a member.
func (w *roleWorld) roles(t *testing.T) map[string]store.Role {
	t.Helper()
	out := map[string]store.Role{}
	for _, n := range []string{"alice", "bob", "carol", "owner"} {
		uid := w.users[n]
		if n == "owner" {
			uid = "owner"
		}
		if m := w.f.membership(t, uid); m != nil {
			out[n] = m.Role
		} else {
			out[n] = store.RoleNone
		}
	}
	return out
}

// roleStep is one change and the roles after it.
type roleStep struct {
	do         func(w *roleWorld) error
	kind       Kind   // the error wanted, 0 for none
	detail     string // its detail, "" for any
	changed    int    // role_changed events wanted
	alice, bob store.Role
	ownerGone  bool // the fixture's owner is no longer a member
}

func TestRolesFromGroupLinks(t *testing.T) {
	t.Parallel()
	const (
		dev   = store.RoleDeveloper // the default role
		maint = store.RoleMaintainer
		rep   = store.RoleReporter
		own   = store.RoleOwner
		none  = store.RoleNone
	)
	lastOwner := func(w *roleWorld) error {
		// alice becomes the group's only owner.
		return w.f.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			m, err := tx.Membership(ctx, "g", w.users["alice"])
			if err != nil {
				return err
			}
			m.Role = own
			if err := tx.PutMembership(ctx, m); err != nil {
				return err
			}
			return tx.DeleteMembership(ctx, "g", "owner")
		})
	}
	ownerLeaves := func(w *roleWorld) error {
		// The fixture's owner leaves, past identity's rules.
		return w.f.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteMembership(ctx, "g", "owner")
		})
	}
	tests := []struct {
		name  string
		steps []roleStep
	}{
		{"one linked group gives its role, even below the default", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Readers", "+alice") }, changed: 1, alice: rep, bob: dev},
		}},
		{"the highest of several linked groups wins", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Readers", "+alice,bob") }, changed: 2, alice: rep, bob: rep},
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice") }, changed: 1, alice: maint, bob: rep},
			{do: func(w *roleWorld) error { return w.patch("Readers", "-alice") }, changed: 0, alice: maint, bob: rep},
			{do: func(w *roleWorld) error { return w.patch("Devs", "-alice") }, changed: 1, alice: dev, bob: rep},
		}},
		{"an unlinked group changes no role", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Staff", "+alice,bob") }, alice: dev, bob: dev},
		}},
		{"a link by externalId", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Admins", "+bob") }, changed: 1, alice: dev, bob: own},
		}},
		{"a replacement of the members", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice") }, changed: 1, alice: maint, bob: dev},
			{do: func(w *roleWorld) error { return w.patch("Devs", "=bob") }, changed: 2, alice: dev, bob: maint},
		}},
		{"a link removed", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice") }, changed: 1, alice: maint, bob: dev},
			{do: func(w *roleWorld) error {
				return w.f.p.RemoveIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "DEVS")
			}, changed: 1, alice: dev, bob: dev},
		}},
		{"a link added and changed", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Staff", "+alice") }, alice: dev, bob: dev},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "staff", store.RoleGuest)
				return err
			}, changed: 1, alice: store.RoleGuest, bob: dev},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "Staff", store.RolePlanner)
				return err
			}, changed: 1, alice: store.RolePlanner, bob: dev},
		}},
		{"a group renamed into a link and out of it", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Staff", "+alice,bob") }, alice: dev, bob: dev},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "Support", store.RoleReporter)
				return err
			}, alice: dev, bob: dev},
			{do: func(w *roleWorld) error { return w.rename("Staff", "support") }, changed: 2, alice: rep, bob: rep},
			{do: func(w *roleWorld) error { return w.rename("Staff", "Staff") }, changed: 2, alice: dev, bob: dev},
		}},
		{"two links name one group, by displayName and by externalId", []roleStep{
			{do: func(w *roleWorld) error {
				_, err := w.f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "ADMINS", store.RoleReporter)
				return err
			}, alice: dev, bob: dev},
			{do: func(w *roleWorld) error { return w.patch("Admins", "+alice") }, changed: 1, alice: own, bob: dev},
			{do: func(w *roleWorld) error {
				return w.f.p.RemoveIdPGroupLink(context.Background(), "g", store.LinkExternalID, "e-adm")
			}, changed: 1, alice: rep, bob: dev},
			{do: func(w *roleWorld) error { return w.rename("Admins", "Ops") }, changed: 1, alice: dev, bob: dev},
		}},
		{"a rename moves a group from one link to another", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice,bob") }, changed: 2, alice: maint, bob: maint},
			{do: func(w *roleWorld) error { return w.patch("Readers", "+bob") }, alice: maint, bob: maint},
			{do: func(w *roleWorld) error {
				return w.f.p.DeleteIdPGroup(context.Background(), "g", w.groups["Readers"], 0)
			}, alice: maint, bob: maint},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "support", store.RoleGuest)
				return err
			}, alice: maint, bob: maint},
			{do: func(w *roleWorld) error { return w.rename("Devs", "Support") }, changed: 2, alice: store.RoleGuest, bob: store.RoleGuest},
			{do: func(w *roleWorld) error { return w.rename("Devs", "readers") }, changed: 2, alice: rep, bob: rep},
		}},
		{"an unlinked group deleted changes no role", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Staff", "+alice") }, alice: dev, bob: dev},
			{do: func(w *roleWorld) error { return w.f.p.DeleteIdPGroup(context.Background(), "g", w.groups["Staff"], 0) }, alice: dev, bob: dev},
		}},
		{"a member removed while deprovisioned comes back at the default role", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice") }, changed: 1, alice: maint, bob: dev},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.Deprovision(context.Background(), "g", w.ids["alice"])
				return err
			}, alice: none, bob: dev},
			{do: func(w *roleWorld) error { return w.patch("Devs", "-alice") }, alice: none, bob: dev},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.Reprovision(context.Background(), "g", w.ids["alice"])
				return err
			}, alice: dev, bob: dev},
		}},
		{"a linked group deleted", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice") }, changed: 1, alice: maint, bob: dev},
			{do: func(w *roleWorld) error { return w.f.p.DeleteIdPGroup(context.Background(), "g", w.groups["Devs"], 0) }, changed: 1, alice: dev, bob: dev},
		}},
		{"an owner leaves the owners' group while another owner stays", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Admins", "+alice") }, changed: 1, alice: own, bob: dev},
			{do: func(w *roleWorld) error { return w.patch("Admins", "-alice") }, changed: 1, alice: dev, bob: dev},
		}},
		{"the last owner is not demoted by a membership", []roleStep{
			{do: lastOwner, alice: own, bob: dev, ownerGone: true},
			{do: func(w *roleWorld) error { return w.patch("Readers", "+alice,bob") }, kind: KindRefused,
				detail: "Could not change the role of Given Alice in Acme. Cannot remove last group owner.", alice: own, bob: dev, ownerGone: true},
			{do: func(w *roleWorld) error { return w.patch("Staff", "+alice") }, alice: own, bob: dev, ownerGone: true},
		}},
		{"the last owner is not demoted by a link", []roleStep{
			{do: lastOwner, alice: own, bob: dev, ownerGone: true},
			{do: func(w *roleWorld) error { return w.patch("Staff", "+alice") }, alice: own, bob: dev, ownerGone: true},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "Staff", store.RoleGuest)
				return err
			}, kind: KindRefused, alice: own, bob: dev, ownerGone: true},
		}},
		{"the last owner is not demoted by a rename", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Admins", "+alice") }, changed: 1, alice: own, bob: dev},
			{do: ownerLeaves, alice: own, bob: dev, ownerGone: true},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.PatchIdPGroup(context.Background(), "g", w.groups["Admins"], 0, IdPGroupPatch{Mutate: func(cur map[string]any) (map[string]any, error) {
					delete(cur, "externalId")
					return cur, nil
				}}, OmitMembers)
				return err
			}, kind: KindRefused, alice: own, bob: dev, ownerGone: true},
		}},
		{"the last owner is not demoted by deleting their group", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Admins", "+alice") }, changed: 1, alice: own, bob: dev},
			{do: ownerLeaves, alice: own, bob: dev, ownerGone: true},
			{do: func(w *roleWorld) error {
				return w.f.p.DeleteIdPGroup(context.Background(), "g", w.groups["Admins"], 0)
			},
				kind: KindRefused, detail: "Could not change the role of Given Alice in Acme. Cannot remove last group owner.",
				alice: own, bob: dev, ownerGone: true},
			{do: func(w *roleWorld) error { return w.patch("Admins", "=bob") }, changed: 2, alice: dev, bob: own, ownerGone: true},
		}},
		{"an owner may lose the role once another owner exists", []roleStep{
			{do: lastOwner, alice: own, bob: dev, ownerGone: true},
			{do: func(w *roleWorld) error {
				if err := w.patch("Staff", "+alice"); err != nil {
					return err
				}
				return w.patch("Admins", "+bob")
			}, changed: 1, alice: own, bob: own, ownerGone: true},
			{do: func(w *roleWorld) error { return w.patch("Readers", "+alice") }, changed: 1, alice: rep, bob: own, ownerGone: true},
		}},
		{"a deprovisioned member stays out, and comes back with their groups' role", []roleStep{
			{do: func(w *roleWorld) error {
				_, err := w.f.p.Deprovision(context.Background(), "g", w.ids["alice"])
				return err
			}, alice: none, bob: dev},
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice") }, alice: none, bob: dev},
			{do: func(w *roleWorld) error { return w.patch("Readers", "+alice") }, alice: none, bob: dev},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.Reprovision(context.Background(), "g", w.ids["alice"])
				return err
			}, alice: maint, bob: dev},
		}},
		{"a POST after PATCH active=false restores the groups' role", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Readers", "+alice") }, changed: 1, alice: rep, bob: dev},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.Deprovision(context.Background(), "g", w.ids["alice"])
				return err
			}, alice: none, bob: dev},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.Provision(context.Background(), "g", userDoc("ext-alice", "alice", "alice@acme.test"))
				return err
			}, alice: rep, bob: dev},
		}},
		{"a deleted User leaves its groups and comes back at the default role", []roleStep{
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice,bob") }, changed: 2, alice: maint, bob: maint},
			{do: func(w *roleWorld) error {
				_, err := w.f.p.Delete(context.Background(), "g", w.ids["alice"], 0)
				return err
			}, alice: none, bob: maint},
			{do: func(w *roleWorld) error {
				res, err := w.f.p.Provision(context.Background(), "g", userDoc("ext-alice", "alice", "alice@acme.test"))
				if err == nil {
					w.ids["alice"] = res.Identity.ID
				}
				return err
			}, alice: dev, bob: maint},
			{do: func(w *roleWorld) error { return w.patch("Devs", "+alice") }, changed: 1, alice: maint, bob: maint},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newRoleWorld(t)
			for i, s := range tc.steps {
				before, beforeIdP := w.f.snapshot(t), w.f.idpSnapshot(t)
				err := s.do(w)
				if s.kind == 0 && err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if s.kind != 0 {
					wantErr(t, err, s.kind, s.detail)
					if d := diff(before, w.f.snapshot(t)); d != "" {
						t.Errorf("step %d: a refused change wrote (-before +after):\n%s", i, d)
					}
					if d := diff(beforeIdP, w.f.idpSnapshot(t)); d != "" {
						t.Errorf("step %d: a refused change wrote IdP groups (-before +after):\n%s", i, d)
					}
				}
				changed := 0
				for _, e := range w.f.events.take() {
					if e == EventRoleChanged {
						changed++
					}
				}
				if changed != s.changed {
					t.Errorf("step %d: %d role_changed events, want %d", i, changed, s.changed)
				}
				owner := own
				if s.ownerGone {
					owner = none
				}
				want := map[string]store.Role{"alice": s.alice, "bob": s.bob, "carol": dev, "owner": owner}
				if d := diff(want, w.roles(t)); d != "" {
					t.Errorf("step %d: roles (-want +got):\n%s", i, d)
				}
			}
		})
	}
}

// TestRoleChangedEvent pins the event of a role change.
func TestRoleChangedEvent(t *testing.T) {
	t.Parallel()
	w := newRoleWorld(t)
	if err := w.patch("Devs", "+alice"); err != nil {
		t.Fatal(err)
	}
	var got []Event
	for _, e := range w.f.events.events {
		if e.Type == EventRoleChanged || e.Type == EventIdPGroupMemberAdded {
			got = append(got, e)
		}
	}
	want := []Event{
		{Type: EventIdPGroupMemberAdded, Time: testNow, GroupID: "g", UserID: w.users["alice"], IdentityID: w.ids["alice"], ExternUID: "ext-alice", IdPGroupID: w.groups["Devs"]},
		{Type: EventRoleChanged, Time: testNow, GroupID: "g", UserID: w.users["alice"], IdentityID: w.ids["alice"], ExternUID: "ext-alice",
			Detail: map[string]string{"from": "developer", "to": "maintainer"}},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
}

// TestSetIdPGroupLinkUnchanged pins that setting a link as it is changes
// nothing: no event, no write (the IdP group keeps its Version, so its
// ETag), while a new spelling of the value or a new role is a change.
func TestSetIdPGroupLinkUnchanged(t *testing.T) {
	t.Parallel()
	w := newRoleWorld(t)
	if err := w.patch("Devs", "+alice"); err != nil {
		t.Fatal(err)
	}
	w.f.events.take()
	set := func(value string, role store.Role) {
		t.Helper()
		if _, err := w.f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, value, role); err != nil {
			t.Fatal(err)
		}
	}
	before, beforeIdP := w.f.snapshot(t), w.f.idpSnapshot(t)
	set("devs", store.RoleMaintainer)
	if ev := w.f.events.take(); len(ev) != 0 {
		t.Errorf("setting a link as it is emitted %v", ev)
	}
	if d := diff(before, w.f.snapshot(t)); d != "" {
		t.Errorf("setting a link as it is wrote (-before +after):\n%s", d)
	}
	if d := diff(beforeIdP, w.f.idpSnapshot(t)); d != "" {
		t.Errorf("setting a link as it is wrote IdP groups (-before +after):\n%s", d)
	}
	set("Devs", store.RoleMaintainer)
	if d := diff([]EventType{EventIdPGroupLinkSet}, w.f.events.take()); d != "" {
		t.Errorf("a new spelling: events (-want +got):\n%s", d)
	}
	set("Devs", store.RoleReporter)
	if d := diff([]EventType{EventIdPGroupLinkSet, EventRoleChanged}, w.f.events.take()); d != "" {
		t.Errorf("a new role: events (-want +got):\n%s", d)
	}
}
