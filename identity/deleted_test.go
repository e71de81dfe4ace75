package identity

import (
	"testing"

	"github.com/scimkit/scimkit/store"
)

// TestDeleteLeavesIdPGroups pins RFC 7644 §3.6 for IdP groups: a deleted
// User leaves every group, in the DELETE's operation, and a deleted User
// cannot be made a member again; in the GitLab profile DELETE is a
// deprovisioning and the memberships stay.
func TestDeleteLeavesIdPGroups(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		prof       Profile
		wantEvents []EventType
		stays      bool
	}{
		{"rfc", RFCProfile(), []EventType{EventDeprovisioned, EventDeleted, EventIdPGroupMemberRemoved, EventIdPGroupMemberRemoved}, false},
		{"gitlab", GitLabProfile(), []EventType{EventDeprovisioned}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.prof)
			a, _ := f.person(t, "alice")
			b, _ := f.person(t, "bob")
			devs := f.createGroup(t, "Devs", "", a, b)
			ops := f.createGroup(t, "Ops", "", a)
			f.events.take()
			id := a
			if tc.prof.IDIsExternUID {
				id = "ext-alice"
			}
			if _, err := f.p.Delete(t.Context(), "g", id, 0); err != nil {
				t.Fatal(err)
			}
			if d := diff(tc.wantEvents, f.events.take()); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			wantDevs, wantOps := []string{b}, []string{}
			if tc.stays {
				wantDevs, wantOps = []string{a, b}, []string{a}
			}
			if d := diff(wantDevs, f.members(t, devs)); d != "" {
				t.Errorf("members of Devs (-want +got):\n%s", d)
			}
			if d := diff(wantOps, f.members(t, ops)); d != "" {
				t.Errorf("members of Ops (-want +got):\n%s", d)
			}
			res, err := f.p.GetIdPGroup(t.Context(), "g", ops, OmitMembers)
			if err != nil {
				t.Fatal(err)
			}
			if wantVersion := map[bool]int64{false: 2, true: 1}[tc.stays]; res.Group.Version != wantVersion {
				t.Errorf("Ops version %d, want %d", res.Group.Version, wantVersion)
			}
			var ch IdPGroupPatch
			ch.Members.Add(a)
			_, err = f.p.PatchIdPGroup(t.Context(), "g", ops, 0, ch, OmitMembers)
			if tc.stays {
				wantErr(t, err, 0, "")
			} else {
				wantErr(t, err, KindInvalid, `no User with id "`+a+`"`)
			}
		})
	}
}

// TestDeletedUserCannotSignIn checks that the deleted identity kept until
// the person comes back keeps them out of the group at SAML sign-in, and
// that once they are provisioned again, sign-in works.
func TestDeletedUserCannotSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	a, uid := f.person(t, "alice")
	if _, err := f.p.Delete(t.Context(), "g", a, 0); err != nil {
		t.Fatal(err)
	}
	_, err := f.l.SignIn(t.Context(), "g", Assertion{NameID: "ext-alice"})
	wantErr(t, err, KindRefused, "User has an inactive SCIM identity in this group")
	if f.membership(t, uid) != nil {
		t.Error("a deleted user became a member at sign-in")
	}
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-alice", "alice", "alice@acme.test")); err != nil {
		t.Fatal(err)
	}
	res, err := f.l.SignIn(t.Context(), "g", Assertion{NameID: "ext-alice"})
	if err != nil || res.User.ID != uid {
		t.Errorf("sign-in after the new POST: %+v, %v", res, err)
	}
	if m := f.membership(t, uid); m == nil || m.Role != store.RoleDeveloper {
		t.Errorf("membership after the new POST: %+v", m)
	}
}
