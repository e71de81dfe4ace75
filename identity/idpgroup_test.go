package identity

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
	"github.com/scimkit/scimkit/store/storetest"
)

// groupDoc builds a SCIM Group document with members ids.
func groupDoc(name, externalID string, ids ...string) map[string]any {
	d := map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": name}
	if externalID != "" {
		d["externalId"] = externalID
	}
	if ids != nil {
		ms := make([]any, len(ids))
		for i, id := range ids {
			ms[i] = map[string]any{"value": id, "display": "ignored"}
		}
		d["members"] = ms
	}
	return d
}

// person provisions a user and returns its SCIM identity id and user id.
func (f *fixture) person(t testing.TB, name string) (identityID, userID string) {
	t.Helper()
	res, err := f.p.Provision(t.Context(), "g", userDoc("ext-"+name, name, name+"@acme.test"))
	if err != nil {
		t.Fatalf("provision %s: %v", name, err)
	}
	return res.Identity.ID, res.User.ID
}

// createGroup creates an IdP group and returns its id.
func (f *fixture) createGroup(t testing.TB, name, externalID string, ids ...string) string {
	t.Helper()
	res, err := f.p.CreateIdPGroup(t.Context(), "g", groupDoc(name, externalID, ids...), OmitMembers)
	if err != nil {
		t.Fatalf("create IdP group %s: %v", name, err)
	}
	return res.Group.ID
}

// members returns the member ids of IdP group id.
func (f *fixture) members(t testing.TB, id string) []string {
	t.Helper()
	res, err := f.p.GetIdPGroup(t.Context(), "g", id, IncludeMembers)
	if err != nil {
		t.Fatalf("get IdP group %s: %v", id, err)
	}
	ids := []string{}
	for _, m := range res.Members {
		ids = append(ids, m.ID)
	}
	return ids
}

// idpState is every IdP group of "g" with its members, and the links.
type idpState struct {
	Groups  []*store.IdPGroup
	Members map[string][]string
	Links   []*store.IdPGroupLink
}

func (f *fixture) idpSnapshot(t testing.TB) idpState {
	t.Helper()
	s := idpState{Members: map[string][]string{}}
	err := f.st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		for g, err := range tx.IdPGroups(ctx, "g") {
			if err != nil {
				return err
			}
			s.Groups = append(s.Groups, g)
			for m, err := range tx.IdPGroupMembers(ctx, "g", g.ID) {
				if err != nil {
					return err
				}
				s.Members[g.ID] = append(s.Members[g.ID], m.ID)
			}
		}
		var err error
		s.Links, err = tx.IdPGroupLinks(ctx, "g")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIdPGroupLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	a, _ := f.person(t, "alice")
	b, _ := f.person(t, "bob")
	f.events.take()
	ctx := t.Context()

	created, err := f.p.CreateIdPGroup(ctx, "g", groupDoc("Developers", "e-dev", a, a), IncludeMembers)
	if err != nil {
		t.Fatal(err)
	}
	ig := created.Group
	want := &store.IdPGroup{ID: ig.ID, GroupID: "g", DisplayName: "Developers", ExternalID: "e-dev",
		Document: map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}},
		Version:  1, Created: testNow, Updated: testNow}
	if d := diff(want, ig); d != "" {
		t.Errorf("created group (-want +got):\n%s", d)
	}
	if d := diff([]store.IdPGroupMember{{ID: a, Display: "Given Alice"}}, created.Members); d != "" {
		t.Errorf("members of the created group (-want +got):\n%s", d)
	}
	if d := diff([]string{a}, created.Added); d != "" {
		t.Errorf("Added (-want +got):\n%s", d)
	}
	if d := diff([]EventType{EventIdPGroupCreated, EventIdPGroupMemberAdded}, f.events.take()); d != "" {
		t.Errorf("events of the create (-want +got):\n%s", d)
	}

	got, err := f.p.GetIdPGroup(ctx, "g", ig.ID, OmitMembers)
	if err != nil || got.Members != nil || got.Group.Version != 1 {
		t.Errorf("GetIdPGroup without members = %+v, %v", got, err)
	}

	// PATCH: rename and add a member in one atomic operation.
	var ch IdPGroupPatch
	ch.Members.Add(b)
	ch.Mutate = func(cur map[string]any) (map[string]any, error) {
		if cur["displayName"] != "Developers" || cur["externalId"] != "e-dev" || cur["id"] != ig.ID {
			t.Errorf("Mutate got %v", cur)
		}
		cur["displayName"] = "Devs"
		return cur, nil
	}
	res, err := f.p.PatchIdPGroup(ctx, "g", ig.ID, 1, ch, OmitMembers)
	if err != nil {
		t.Fatal(err)
	}
	if res.Group.Version != 2 || res.Group.DisplayName != "Devs" || !slices.Equal(res.Added, []string{b}) {
		t.Errorf("patched group: %+v, added %v", res.Group, res.Added)
	}
	if d := diff([]EventType{EventIdPGroupMemberAdded, EventIdPGroupUpdated}, f.events.take()); d != "" {
		t.Errorf("events of the patch (-want +got):\n%s", d)
	}

	// A patch that changes nothing writes nothing.
	var noop IdPGroupPatch
	noop.Members.Add(a)
	noop.Members.Remove("not-a-member")
	if res, err = f.p.PatchIdPGroup(ctx, "g", ig.ID, 0, noop, OmitMembers); err != nil || res.Group.Version != 2 {
		t.Errorf("no-op patch: %+v, %v; want version 2", res, err)
	}
	if ev := f.events.take(); len(ev) != 0 {
		t.Errorf("no-op patch emitted %v", ev)
	}

	// Remove, with a stale id Entra ID may send: passed over.
	var rm IdPGroupPatch
	rm.Members.Remove(a, "gone-user")
	if res, err = f.p.PatchIdPGroup(ctx, "g", ig.ID, 0, rm, IncludeMembers); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Removed, []string{a}) || res.Group.Version != 3 || len(res.Members) != 1 || res.Members[0].ID != b {
		t.Errorf("after removing: %+v", res)
	}

	// PUT: members replaced, externalId absent keeps it.
	if res, err = f.p.ReplaceIdPGroup(ctx, "g", ig.ID, 3, groupDoc("Devs", "", a), OmitMembers); err != nil {
		t.Fatal(err)
	}
	if res.Group.ExternalID != "e-dev" || !slices.Equal(res.Added, []string{a}) || !slices.Equal(res.Removed, []string{b}) {
		t.Errorf("after the PUT: %+v", res)
	}
	if d := diff([]string{a}, f.members(t, ig.ID)); d != "" {
		t.Errorf("members after the PUT (-want +got):\n%s", d)
	}
	// PATCH removing externalId clears it.
	var clear IdPGroupPatch
	clear.Mutate = func(cur map[string]any) (map[string]any, error) {
		delete(cur, "externalId")
		cur["urn:example:ext"] = map[string]any{"team": "core"}
		return cur, nil
	}
	if res, err = f.p.PatchIdPGroup(ctx, "g", ig.ID, 0, clear, OmitMembers); err != nil {
		t.Fatal(err)
	}
	if res.Group.ExternalID != "" || res.Group.Document["urn:example:ext"] == nil {
		t.Errorf("after clearing externalId: %+v", res.Group)
	}

	// Lists through the indexes.
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{`members[value eq "` + a + `"]`, 1}, {`members[value eq "` + b + `"]`, 0}, {`displayName eq "devs"`, 1}, {`externalId pr`, 0},
	} {
		e, err := filter.Parse(tc.filter)
		if err != nil {
			t.Fatal(err)
		}
		page, err := f.p.ListIdPGroups(ctx, "g", store.Query{Filter: e}, IncludeMembers)
		if err != nil || page.Total != tc.want || len(page.Results) != tc.want {
			t.Errorf("ListIdPGroups(%s) = %+v, %v; want %d", tc.filter, page, err, tc.want)
		}
		if tc.want == 1 && (len(page.Results[0].Members) != 1 || page.Results[0].Members[0].ID != a) {
			t.Errorf("ListIdPGroups(%s) members %v", tc.filter, page.Results[0].Members)
		}
	}
	f.events.take()

	wantErr(t, f.p.DeleteIdPGroup(ctx, "g", ig.ID, 1), KindVersionMismatch, "")
	if err := f.p.DeleteIdPGroup(ctx, "g", ig.ID, 0); err != nil {
		t.Fatal(err)
	}
	if d := diff([]EventType{EventIdPGroupDeleted}, f.events.take()); d != "" {
		t.Errorf("events of the delete (-want +got):\n%s", d)
	}
	_, err = f.p.GetIdPGroup(ctx, "g", ig.ID, OmitMembers)
	wantErr(t, err, KindNotFound, "Resource "+ig.ID+" not found")
	wantErr(t, f.p.DeleteIdPGroup(ctx, "g", ig.ID, 0), KindNotFound, "")
	_, err = f.p.GetIdPGroup(ctx, "nope", ig.ID, OmitMembers)
	wantErr(t, err, KindNotFound, "group not found")
}

// TestIdPGroupRefusals checks that each refused change is a *Error of the
// right kind and writes nothing.
func TestIdPGroupRefusals(t *testing.T) {
	t.Parallel()
	patch := func(id string, ifMatch int64, build func(ch *IdPGroupPatch, ids map[string]string)) func(f *fixture, ids map[string]string) error {
		return func(f *fixture, ids map[string]string) error {
			var ch IdPGroupPatch
			build(&ch, ids)
			_, err := f.p.PatchIdPGroup(context.Background(), "g", ids[id], ifMatch, ch, OmitMembers)
			return err
		}
	}
	create := func(doc func(ids map[string]string) map[string]any) func(f *fixture, ids map[string]string) error {
		return func(f *fixture, ids map[string]string) error {
			_, err := f.p.CreateIdPGroup(context.Background(), "g", doc(ids), OmitMembers)
			return err
		}
	}
	rename := func(name string) func(map[string]any) (map[string]any, error) {
		return func(cur map[string]any) (map[string]any, error) {
			cur["displayName"] = name
			return cur, nil
		}
	}
	tests := []struct {
		name   string
		do     func(f *fixture, ids map[string]string) error
		kind   Kind
		field  string
		detail string
	}{
		{name: "no displayName", do: create(func(map[string]string) map[string]any { return map[string]any{"members": []any{}} }),
			kind: KindInvalid, field: "displayName"},
		{name: "blank displayName", do: create(func(map[string]string) map[string]any { return groupDoc(" ", "") }), kind: KindInvalid, field: "displayName"},
		{name: "displayName taken", do: create(func(map[string]string) map[string]any { return groupDoc("DEVS", "") }),
			kind: KindConflict, field: "displayName", detail: msgDisplayNameTaken},
		{name: "externalId taken", do: create(func(map[string]string) map[string]any { return groupDoc("Other", "E-DEV") }),
			kind: KindConflict, field: "externalId", detail: msgExternalIDTaken},
		{name: "unknown member", do: create(func(ids map[string]string) map[string]any { return groupDoc("Other", "", ids["a"], "no-such-id") }),
			kind: KindInvalid, field: "members", detail: `no User with id "no-such-id"`},
		{name: "member of another group", do: create(func(map[string]string) map[string]any { return groupDoc("Other", "", "stranger") }),
			kind: KindInvalid, field: "members"},
		{name: "deleted member", do: create(func(ids map[string]string) map[string]any { return groupDoc("Other", "", ids["deleted"]) }),
			kind: KindInvalid, field: "members"},
		{name: "nested group", do: create(func(ids map[string]string) map[string]any {
			d := groupDoc("Other", "")
			d["members"] = []any{map[string]any{"value": ids["devs"], "type": "Group"}}
			return d
		}), kind: KindInvalid, field: "members"},
		{name: "members not an array", do: create(func(map[string]string) map[string]any {
			d := groupDoc("Other", "")
			d["members"] = "a"
			return d
		}), kind: KindInvalid, field: "members"},
		{name: "member without value", do: create(func(map[string]string) map[string]any {
			d := groupDoc("Other", "")
			d["members"] = []any{map[string]any{"display": "x"}}
			return d
		}), kind: KindInvalid, field: "members"},
		{name: "patch: rename to a taken name keeps the members out", do: patch("ops", 0, func(ch *IdPGroupPatch, ids map[string]string) {
			ch.Members.Add(ids["a"])
			ch.Mutate = rename("devs")
		}), kind: KindConflict, detail: msgDisplayNameTaken},
		{name: "patch: one unknown member adds none", do: patch("devs", 0, func(ch *IdPGroupPatch, ids map[string]string) { ch.Members.Add(ids["b"], "no-such-id") }),
			kind: KindInvalid, field: "members"},
		{name: "patch: replace with an unknown member", do: patch("devs", 0, func(ch *IdPGroupPatch, ids map[string]string) { ch.Members.Replace(ids["b"], "no-such-id") }),
			kind: KindInvalid, field: "members"},
		{name: "patch: blank displayName", do: patch("devs", 0, func(ch *IdPGroupPatch, _ map[string]string) { ch.Mutate = rename("") }), kind: KindInvalid},
		{name: "patch: unknown group", do: patch("nope", 0, func(ch *IdPGroupPatch, ids map[string]string) { ch.Members.Add(ids["b"]) }), kind: KindNotFound},
		{name: "patch: stale If-Match", do: patch("devs", 7, func(ch *IdPGroupPatch, ids map[string]string) { ch.Members.Add(ids["b"]) }), kind: KindVersionMismatch},
		{name: "replace: unknown group", do: func(f *fixture, ids map[string]string) error {
			_, err := f.p.ReplaceIdPGroup(context.Background(), "g", "nope", 0, groupDoc("X", ""), OmitMembers)
			return err
		}, kind: KindNotFound},
		// Issue 17 item 6 for Groups: a value that does not fit its type
		// was stored by POST, PUT and PATCH, and a list of groups holding
		// it could no longer be decoded by a Go client.
		{name: "number beyond float64", do: create(func(map[string]string) map[string]any {
			d := groupDoc("Other", "")
			d["loginCount"] = json.Number("1e400")
			return d
		}), kind: KindInvalid, field: "loginCount"},
		{name: "nested number beyond float64", do: create(func(map[string]string) map[string]any {
			d := groupDoc("Other", "")
			d["custom"] = map[string]any{"n": json.Number("0.1e999999999")}
			return d
		}), kind: KindInvalid, field: "custom.n"},
		{name: "member value not a string", do: create(func(map[string]string) map[string]any {
			d := groupDoc("Other", "")
			d["members"] = []any{map[string]any{"value": json.Number("7")}}
			return d
		}), kind: KindInvalid, field: "members.value"},
		{name: "replace: number beyond float64", do: func(f *fixture, ids map[string]string) error {
			d := groupDoc("Devs", "e-dev")
			d["loginCount"] = json.Number("1e400")
			_, err := f.p.ReplaceIdPGroup(context.Background(), "g", ids["devs"], 0, d, OmitMembers)
			return err
		}, kind: KindInvalid, field: "loginCount"},
		{name: "patch: number beyond float64", do: patch("devs", 0, func(ch *IdPGroupPatch, ids map[string]string) {
			ch.Members.Add(ids["b"])
			ch.Mutate = func(cur map[string]any) (map[string]any, error) {
				cur["loginCount"] = json.Number("-1e400")
				return cur, nil
			}
		}), kind: KindInvalid, field: "loginCount"},
		{name: "link: no such role", do: func(f *fixture, ids map[string]string) error {
			_, err := f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "Ops", store.Role(33))
			return err
		}, kind: KindInvalid, field: "role"},
		{name: "link: blank value", do: func(f *fixture, ids map[string]string) error {
			_, err := f.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "", store.RoleGuest)
			return err
		}, kind: KindInvalid, field: "value"},
		{name: "link: bad attribute", do: func(f *fixture, ids map[string]string) error {
			_, err := f.p.SetIdPGroupLink(context.Background(), "g", store.LinkAttribute(7), "Ops", store.RoleGuest)
			return err
		}, kind: KindInvalid, field: "attribute"},
		{name: "unlink: no such link", do: func(f *fixture, ids map[string]string) error {
			return f.p.RemoveIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "Ops")
		}, kind: KindNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, RFCProfile())
			a, _ := f.person(t, "alice")
			b, _ := f.person(t, "bob")
			d, _ := f.person(t, "dave")
			if _, err := f.p.Delete(t.Context(), "g", d, 0); err != nil {
				t.Fatal(err)
			}
			other, _, err := f.p.CreateGroup(t.Context(), GroupSpec{ID: "g2", Path: "other"})
			if err != nil {
				t.Fatal(err)
			}
			f.put(t, &store.User{ID: "stranger-user", Username: "stranger", Email: "s@other.test", State: store.UserActive},
				&store.SCIMIdentity{ID: "stranger", GroupID: other.ID, UserID: "stranger-user", ExternUID: "s", Active: true})
			ids := map[string]string{"a": a, "b": b, "deleted": d, "nope": "nope"}
			ids["devs"] = f.createGroup(t, "Devs", "e-dev", a)
			ids["ops"] = f.createGroup(t, "Ops", "")
			if _, err := f.p.SetIdPGroupLink(t.Context(), "g", store.LinkDisplayName, "Devs", store.RoleMaintainer); err != nil {
				t.Fatal(err)
			}
			f.events.take()
			before, beforeIdP := f.snapshot(t), f.idpSnapshot(t)
			err = tc.do(f, ids)
			wantErr(t, err, tc.kind, tc.detail)
			if e := err.(*Error); tc.field != "" && e.Field != tc.field {
				t.Errorf("Field = %q, want %q (%v)", e.Field, tc.field, err)
			}
			if d := diff(before, f.snapshot(t)); d != "" {
				t.Errorf("a refused change wrote (-before +after):\n%s", d)
			}
			if d := diff(beforeIdP, f.idpSnapshot(t)); d != "" {
				t.Errorf("a refused change wrote IdP groups (-before +after):\n%s", d)
			}
			if ev := f.events.take(); len(ev) != 0 {
				t.Errorf("a refused change emitted %v", ev)
			}
		})
	}
}

func TestPatchIdPGroupMutateMayNotSetMembers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	a, _ := f.person(t, "alice")
	id := f.createGroup(t, "Devs", "")
	_, err := f.p.PatchIdPGroup(t.Context(), "g", id, 0, IdPGroupPatch{Mutate: func(cur map[string]any) (map[string]any, error) {
		cur["members"] = []any{map[string]any{"value": a}}
		return cur, nil
	}}, OmitMembers)
	if err == nil || KindOf(err) != 0 || !strings.Contains(err.Error(), "IdPGroupPatch.Members") {
		t.Errorf("Mutate returning members: %v, want an internal error", err)
	}
	if got := f.members(t, id); len(got) != 0 {
		t.Errorf("members %v after a refused patch", got)
	}
}

// TestMemberChanges pins how the PATCH shapes fold into one change, applied
// to a group of members a and b.
func TestMemberChanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func(c *MemberChanges, p map[string]string)
		want  []string // keys of the people left, sorted by id
	}{
		{"nothing", func(*MemberChanges, map[string]string) {}, []string{"a", "b"}},
		{"add", func(c *MemberChanges, p map[string]string) { c.Add(p["c"]) }, []string{"a", "b", "c"}},
		{"add twice", func(c *MemberChanges, p map[string]string) { c.Add(p["c"], p["c"]); c.Add(p["a"]) }, []string{"a", "b", "c"}},
		{"remove with a value list (Entra ID)", func(c *MemberChanges, p map[string]string) { c.Remove(p["a"], p["b"]) }, []string{}},
		{"add then remove", func(c *MemberChanges, p map[string]string) { c.Add(p["c"]); c.Remove(p["c"]) }, []string{"a", "b"}},
		{"remove then add", func(c *MemberChanges, p map[string]string) { c.Remove(p["a"]); c.Add(p["a"]) }, []string{"a", "b"}},
		{"remove all", func(c *MemberChanges, _ map[string]string) { c.Replace() }, []string{}},
		{"replace (Okta)", func(c *MemberChanges, p map[string]string) { c.Replace(p["c"], p["b"]) }, []string{"b", "c"}},
		{"remove all, then add", func(c *MemberChanges, p map[string]string) { c.Replace(); c.Add(p["c"]) }, []string{"c"}},
		{"add, then replace", func(c *MemberChanges, p map[string]string) { c.Add(p["c"]); c.Replace(p["a"]) }, []string{"a"}},
		{"replace, then remove", func(c *MemberChanges, p map[string]string) { c.Replace(p["a"], p["c"]); c.Remove(p["a"]) }, []string{"c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, RFCProfile())
			p := map[string]string{}
			byID := map[string]string{}
			for _, k := range []string{"a", "b", "c"} {
				id, _ := f.person(t, k+"person")
				p[k], byID[id] = id, k
			}
			g := f.createGroup(t, "Devs", "", p["a"], p["b"])
			var ch IdPGroupPatch
			tc.build(&ch.Members, p)
			if _, err := f.p.PatchIdPGroup(t.Context(), "g", g, 0, ch, OmitMembers); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, id := range f.members(t, g) {
				got = append(got, byID[id])
			}
			slices.Sort(got)
			if d := diff(tc.want, got); d != "" {
				t.Errorf("members (-want +got):\n%s", d)
			}
		})
	}
}

// TestIdPGroupFailureAtEveryWrite fails each write of each IdP group
// operation in turn (storetest.FaultyStore): every failure leaves the store
// as it was and emits nothing.
func TestIdPGroupFailureAtEveryWrite(t *testing.T) {
	t.Parallel()
	type world struct {
		f   *fixture
		a   string
		b   string
		dev string
	}
	tests := []struct {
		name string
		op   func(t *testing.T, w *world) error
	}{
		{"create a linked group with members", func(t *testing.T, w *world) error {
			_, err := w.f.p.CreateIdPGroup(t.Context(), "g", groupDoc("Readers", "", w.a, w.b), OmitMembers)
			return err
		}},
		{"patch a linked group: rename, add, remove", func(t *testing.T, w *world) error {
			var ch IdPGroupPatch
			ch.Members.Add(w.b)
			ch.Members.Remove(w.a)
			ch.Mutate = func(cur map[string]any) (map[string]any, error) {
				cur["displayName"] = "Readers"
				return cur, nil
			}
			_, err := w.f.p.PatchIdPGroup(t.Context(), "g", w.dev, 0, ch, OmitMembers)
			return err
		}},
		{"replace the members", func(t *testing.T, w *world) error {
			_, err := w.f.p.ReplaceIdPGroup(t.Context(), "g", w.dev, 0, groupDoc("Devs", "", w.b), OmitMembers)
			return err
		}},
		{"delete a linked group", func(t *testing.T, w *world) error {
			return w.f.p.DeleteIdPGroup(t.Context(), "g", w.dev, 0)
		}},
		{"change a link", func(t *testing.T, w *world) error {
			_, err := w.f.p.SetIdPGroupLink(t.Context(), "g", store.LinkDisplayName, "devs", store.RoleGuest)
			return err
		}},
		{"remove a link", func(t *testing.T, w *world) error {
			return w.f.p.RemoveIdPGroupLink(t.Context(), "g", store.LinkDisplayName, "Devs")
		}},
		{"DELETE a member", func(t *testing.T, w *world) error {
			_, err := w.f.p.Delete(t.Context(), "g", w.a, 0)
			return err
		}},
		{"POST after DELETE", func(t *testing.T, w *world) error {
			_, err := w.f.p.Provision(t.Context(), "g", userDoc("ext-alice", "alice", "alice@acme.test"))
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			setup := func() (*world, *storetest.FaultyStore) {
				fs := storetest.NewFaultyStore(memstore.New(), 0)
				w := &world{f: newFixtureOn(t, fs, RFCProfile())}
				w.a, _ = w.f.person(t, "alice")
				w.b, _ = w.f.person(t, "bob")
				w.dev = w.f.createGroup(t, "Devs", "", w.a)
				for _, l := range []string{"Devs", "Readers"} {
					if _, err := w.f.p.SetIdPGroupLink(t.Context(), "g", store.LinkDisplayName, l, store.RoleMaintainer); err != nil {
						t.Fatal(err)
					}
				}
				if tc.name == "POST after DELETE" {
					if _, err := w.f.p.Delete(t.Context(), "g", w.a, 0); err != nil {
						t.Fatal(err)
					}
				}
				w.f.events.take()
				return w, fs
			}
			w, fs := setup()
			fs.Arm(0)
			if err := tc.op(t, w); err != nil {
				t.Fatalf("clean run: %v", err)
			}
			n := fs.Writes()
			if n < 2 {
				t.Fatalf("clean run made %d writes", n)
			}
			for k := 1; k <= n; k++ {
				w, fs := setup()
				before, beforeIdP := w.f.snapshot(t), w.f.idpSnapshot(t)
				fs.Arm(k)
				err := tc.op(t, w)
				fs.Arm(0)
				if !errors.Is(err, storetest.ErrInjected) {
					t.Fatalf("failing write %d of %d: %v, want the injected failure", k, n, err)
				}
				if ev := w.f.events.take(); len(ev) != 0 {
					t.Errorf("failing write %d emitted %v", k, ev)
				}
				after, afterIdP := w.f.snapshot(t), w.f.idpSnapshot(t)
				if d := diff(before, after); d != "" {
					t.Errorf("failing write %d of %d left a half-written state (-before +after):\n%s", k, n, d)
				}
				if d := diff(beforeIdP, afterIdP); d != "" {
					t.Errorf("failing write %d of %d left half-written IdP groups (-before +after):\n%s", k, n, d)
				}
			}
		})
	}
}
