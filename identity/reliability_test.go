package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// TestUserNamesThatSanitiseAlike replays issue 17 item 5: in the RFC
// profile, john.doe@a-corp.com was provisioned and john.doe@b-corp.com (a
// different person: other email, other externalId) got 409 "Username has
// already been taken", because both sanitise to the account username
// john.doe. SCIM userName uniqueness is about the SCIM userName; the
// account username is de-duplicated, in both profiles, as GitLab does.
func TestUserNamesThatSanitiseAlike(t *testing.T) {
	t.Parallel()
	for _, prof := range []struct {
		name string
		p    Profile
	}{{"rfc", RFCProfile()}, {"gitlab", GitLabProfile()}} {
		t.Run(prof.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, prof.p)
			for i, tc := range []struct{ userName, email, want string }{
				{"john.doe@a-corp.com", "john.doe@a-corp.com", "john.doe"},
				{"john.doe@b-corp.com", "john.doe@b-corp.com", "john.doe1"},
				{"jöhn.doe@c-corp.com", "john@c-corp.com", "john.doe2"},
			} {
				res, err := f.p.Provision(t.Context(), "g", userDoc(fmt.Sprintf("ext-%d", i), tc.userName, tc.email))
				if err != nil {
					t.Fatalf("POST userName %s: %v", tc.userName, err)
				}
				if res.Changes != Created || res.User.Username != tc.want {
					t.Errorf("POST userName %s: changes %v, username %q; want created, %q", tc.userName, res.Changes, res.User.Username, tc.want)
				}
			}
			// The same SCIM userName in another case is the same userName.
			_, err := f.p.Provision(t.Context(), "g", userDoc("ext-9", "JOHN.DOE@A-CORP.COM", "other@a-corp.com"))
			if prof.p.DedupeHeldUserName {
				if err != nil {
					t.Fatalf("gitlab: a userName another identity holds: %v, want it provisioned", err)
				}
				return
			}
			wantErr(t, err, KindConflict, "Username has already been taken")
		})
	}
}

// TestProvisionWithoutExternalID pins the RFC profile's answer to a POST
// without externalId (Okta's spec test sends none): the userName is the
// extern_uid, the SAML NameID link, but the resource shows no externalId,
// in reads, lists and filters, until the client sets one (RFC 7643 §3.1:
// the service provider MUST NOT specify it).
func TestProvisionWithoutExternalID(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	ctx := t.Context()
	res, err := f.p.Provision(ctx, "g", userDoc("", "okta.user@acme.test", "okta.user@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	id := res.Identity.ID
	if res.Identity.ExternUID != "okta.user@acme.test" {
		t.Errorf("extern_uid = %q, want the userName", res.Identity.ExternUID)
	}
	shows := func(when string, want bool) {
		t.Helper()
		got, err := f.p.Get(ctx, "g", id)
		if err != nil {
			t.Fatal(err)
		}
		_, has := got.Identity.Resource()["externalId"]
		if has != want {
			t.Errorf("%s: resource has externalId %v, want %v", when, has, want)
		}
		for _, q := range []struct {
			filter string
			want   bool
		}{{`externalId pr`, want}, {`externalId eq "okta.user@acme.test"`, want}, {`not (externalId pr)`, !want}} {
			e, err := filter.Parse(q.filter)
			if err != nil {
				t.Fatal(err)
			}
			page, err := f.p.List(ctx, "g", store.Query{Filter: e})
			if err != nil {
				t.Fatal(err)
			}
			if found := page.Total == 1; found != q.want {
				t.Errorf("%s: filter %s found it: %v, want %v", when, q.filter, found, q.want)
			}
		}
	}
	shows("after the POST", false)
	if _, err := f.p.Modify(ctx, "g", id, 0, set("title", "Engineer")); err != nil {
		t.Fatal(err)
	}
	shows("after a PATCH of another attribute", false)
	put := userDoc("", "okta.user@acme.test", "okta.user@acme.test")
	if _, err := f.p.Replace(ctx, "g", id, 0, put); err != nil {
		t.Fatal(err)
	}
	shows("after a PUT without externalId", false)
	if _, err := f.p.Modify(ctx, "g", id, 0, set("externalId", "okta.user@acme.test")); err != nil {
		t.Fatal(err)
	}
	shows("after a PATCH setting externalId to the userName", true)
}

// TestProvisionChecksTypes replays issue 17 item 6's POSTs: values that
// do not fit their type were stored ("nickName": 1e400, which a Go client
// cannot decode) or ignored ("active": "bogus" gave 201).
func TestProvisionChecksTypes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, attr, value, field string
	}{
		{"number beyond float64 for a string", "nickName", "1e400", "nickName"},
		{"huge exponent", "nickName", "0.1e999999999", "nickName"},
		{"negative zero for a string", "nickName", "-0", "nickName"},
		{"bogus boolean", "active", `"bogus"`, "active"},
		{"custom number beyond float64", "loginCount", "1e400", "loginCount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, RFCProfile())
			doc := userDoc("ext-1", "jdoe", "jdoe@acme.test")
			doc[tc.attr] = json.Number(strings.Trim(tc.value, `"`))
			if strings.HasPrefix(tc.value, `"`) {
				doc[tc.attr] = strings.Trim(tc.value, `"`)
			}
			before := f.snapshot(t)
			_, err := f.p.Provision(t.Context(), "g", doc)
			var ie *Error
			if !errors.As(err, &ie) || ie.Kind != KindInvalid || ie.Field != tc.field {
				t.Fatalf("Provision with %s: %s: %v; want KindInvalid naming %s", tc.attr, tc.value, err, tc.field)
			}
			if d := diff(before, f.snapshot(t)); d != "" {
				t.Errorf("a refused Provision wrote (-before +after):\n%s", d)
			}
		})
	}
}

// inUpdate is a store that records whether an Update is running.
type inUpdate struct {
	store.Store
	running atomic.Bool
}

func (s *inUpdate) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return s.Store.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		s.running.Store(true)
		defer s.running.Store(false)
		return fn(ctx, tx)
	})
}

// TestModifyWorksOutsideTheStore checks issue 17 item 1's fix: Modify runs
// the caller's mutate (the PATCH) outside any store transaction, so that no
// lock another tenant's write waits for is held meanwhile; and it still
// evaluates the PATCH against the state it changes: when another write comes
// between the read and the write, the PATCH is worked out again on the new
// state, and neither write is lost.
func TestModifyWorksOutsideTheStore(t *testing.T) {
	t.Parallel()
	st := &inUpdate{Store: memstore.New()}
	f := newFixtureOn(t, st, RFCProfile())
	ctx := t.Context()
	res, err := f.p.Provision(ctx, "g", userDoc("ext-1", "jdoe", "jdoe@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	id := res.Identity.ID
	calls := 0
	res, err = f.p.Modify(ctx, "g", id, 0, func(cur map[string]any) (map[string]any, error) {
		calls++
		if st.running.Load() {
			t.Error("mutate ran inside a store Update")
		}
		if calls == 1 {
			// Another write lands between this read and the write (on
			// a store holding its lock during mutate, it would deadlock).
			if _, err := f.p.Modify(ctx, "g", id, 0, set("title", "CTO")); err != nil {
				t.Errorf("the concurrent write: %v", err)
			}
		}
		cur["nickName"] = fmt.Sprintf("seen title %v", cur["title"])
		return cur, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("mutate ran %d times, want 2 (once more after the concurrent write)", calls)
	}
	doc := res.Identity.Document
	if doc["title"] != "CTO" || doc["nickName"] != "seen title CTO" {
		t.Errorf("document after both writes: title %v, nickName %v; want CTO, seen title CTO", doc["title"], doc["nickName"])
	}

	// A resource that changes on every attempt: Modify gives up, writing
	// nothing of its own, with an error a client may retry (503).
	n := 0
	_, err = f.p.Modify(ctx, "g", id, 0, func(cur map[string]any) (map[string]any, error) {
		n++
		if _, err := f.p.Modify(ctx, "g", id, 0, set("title", fmt.Sprintf("T%d", n))); err != nil {
			t.Errorf("the concurrent write: %v", err)
		}
		cur["nickName"] = "never stored"
		return cur, nil
	})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Modify racing a write on every attempt: %v, want an error matching store.ErrUnavailable", err)
	}
	if n != maxStaleRetries+1 {
		t.Errorf("mutate ran %d times, want %d", n, maxStaleRetries+1)
	}
	got, err := f.p.Get(ctx, "g", id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Identity.Document["nickName"] == "never stored" {
		t.Error("the abandoned Modify was written")
	}
}

// TestPatchIdPGroupWorksOutsideTheStore is TestModifyWorksOutsideTheStore
// for IdP groups: PatchIdPGroup runs ch.Mutate (patch.Apply over the
// group's attributes, which a client may make as large as a body allows)
// outside any store transaction, and works it out again when another write
// lands between its read and its write, losing neither.
func TestPatchIdPGroupWorksOutsideTheStore(t *testing.T) {
	t.Parallel()
	st := &inUpdate{Store: memstore.New()}
	f := newFixtureOn(t, st, RFCProfile())
	ctx := t.Context()
	a, _ := f.person(t, "alice")
	b, _ := f.person(t, "bob")
	g := f.createGroup(t, "Devs", "")
	addMember := func(id string) {
		t.Helper()
		var ch IdPGroupPatch
		ch.Members.Add(id)
		if _, err := f.p.PatchIdPGroup(ctx, "g", g, 0, ch, OmitMembers); err != nil {
			t.Errorf("the concurrent write: %v", err)
		}
	}
	calls := 0
	ch := IdPGroupPatch{Mutate: func(cur map[string]any) (map[string]any, error) {
		calls++
		if st.running.Load() {
			// A write from here would wait for the lock Mutate holds.
			t.Error("Mutate ran inside a store Update")
		} else if calls == 1 {
			addMember(a) // lands between this read and the write
		}
		cur["displayName"] = "Developers"
		return cur, nil
	}}
	ch.Members.Add(b)
	res, err := f.p.PatchIdPGroup(ctx, "g", g, 0, ch, IncludeMembers)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("Mutate ran %d times, want 2 (once more after the concurrent write)", calls)
	}
	var members []string
	for _, m := range res.Members {
		members = append(members, m.ID)
	}
	slices.Sort(members)
	want := []string{a, b}
	slices.Sort(want)
	if d := diff(want, members); d != "" {
		t.Errorf("members after both writes (-want +got):\n%s", d)
	}
	if res.Group.DisplayName != "Developers" {
		t.Errorf("displayName %q, want Developers", res.Group.DisplayName)
	}

	// A group that changes on every attempt: PatchIdPGroup gives up,
	// writing nothing of its own, with an error a client may retry (503).
	n := 0
	ids := []string{a, b}
	_, err = f.p.PatchIdPGroup(ctx, "g", g, 0, IdPGroupPatch{Mutate: func(cur map[string]any) (map[string]any, error) {
		n++
		if st.running.Load() {
			t.Error("Mutate ran inside a store Update")
			return cur, nil
		}
		var ch IdPGroupPatch
		if n%2 == 1 {
			ch.Members.Remove(ids...)
		} else {
			ch.Members.Add(ids...)
		}
		if _, err := f.p.PatchIdPGroup(ctx, "g", g, 0, ch, OmitMembers); err != nil {
			t.Errorf("the concurrent write: %v", err)
		}
		cur["displayName"] = "never stored"
		return cur, nil
	}}, OmitMembers)
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("PatchIdPGroup racing a write on every attempt: %v, want an error matching store.ErrUnavailable", err)
	}
	if n != maxStaleRetries+1 {
		t.Errorf("Mutate ran %d times, want %d", n, maxStaleRetries+1)
	}
	got, err := f.p.GetIdPGroup(ctx, "g", g, OmitMembers)
	if err != nil {
		t.Fatal(err)
	}
	if got.Group.DisplayName != "Developers" {
		t.Errorf("the abandoned PATCH was written: displayName %q", got.Group.DisplayName)
	}
}
