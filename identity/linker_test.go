package identity

import (
	"testing"

	"github.com/scimkit/scimkit/store"
)

func TestLinkerSignIn(t *testing.T) {
	t.Parallel()
	provisioned := func(t *testing.T, f *fixture) {
		if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
			t.Fatal(err)
		}
	}
	aliceLinked := func(t *testing.T, f *fixture) {
		f.put(t, alice(), &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "old-nameid"})
	}
	tests := []struct {
		name       string
		setup      func(t *testing.T, f *fixture)
		a          Assertion
		wantKind   Kind
		wantDetail string
		wantUser   string
		wantChange Change
		wantEvents []EventType
		wantNameID string // alice's SAML NameID afterwards, if set
	}{
		{name: "NameID of a provisioned user signs in", setup: provisioned, a: Assertion{NameID: "EXT-1"}, wantUser: "id-1"},
		{name: "NameID unknown", setup: provisioned, a: Assertion{NameID: "nobody"}, wantKind: KindNotFound},
		{name: "non-member with a SAML identity is added at the default role", setup: aliceLinked,
			a: Assertion{NameID: "old-nameid"}, wantUser: "alice", wantChange: MemberAdded, wantEvents: []EventType{EventMemberAdded}},
		{name: "NameID changed, asserted email verified secondary: updated", setup: aliceLinked,
			a: Assertion{NameID: "new-nameid", Email: "alice@acme.test"}, wantUser: "alice", wantChange: NameIDChanged | MemberAdded,
			wantEvents: []EventType{EventNameIDChanged, EventMemberAdded}, wantNameID: "new-nameid"},
		{name: "NameID changed, asserted email unverified: refused", setup: aliceLinked,
			a: Assertion{NameID: "new-nameid", Email: "old@acme.test"}, wantKind: KindRefused,
			wantDetail: "SAML Name ID and email address do not match your user account. Contact an administrator.", wantNameID: "old-nameid"},
		{name: "NameID changed without an email: not linked", setup: aliceLinked, a: Assertion{NameID: "new-nameid"}, wantKind: KindNotFound},
		{name: "email of an account without SAML identity: not linked", setup: func(t *testing.T, f *fixture) { f.put(t, alice()) },
			a: Assertion{NameID: "x", Email: "alice@home.test"}, wantKind: KindNotFound},
		{name: "deprovisioned user does not regain membership", setup: func(t *testing.T, f *fixture) {
			provisioned(t, f)
			if _, err := f.p.Deprovision(t.Context(), "g", "id-2"); err != nil {
				t.Fatal(err)
			}
		}, a: Assertion{NameID: "ext-1"}, wantKind: KindRefused},
		{name: "blocked account is refused, its NameID change not written", setup: func(t *testing.T, f *fixture) {
			a := alice()
			a.State = store.UserBlocked
			f.put(t, a, &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "old-nameid"})
		}, a: Assertion{NameID: "new-nameid", Email: "alice@acme.test"}, wantKind: KindRefused,
			wantDetail: "Your account has been blocked. Contact an administrator if you think this is an error.", wantNameID: "old-nameid"},
		{name: "account pending approval is refused", setup: func(t *testing.T, f *fixture) {
			a := alice()
			a.State = store.UserPendingApproval
			f.put(t, a, &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "old-nameid"})
		}, a: Assertion{NameID: "old-nameid"}, wantKind: KindRefused,
			wantDetail: "Your account is pending approval from an administrator and hence blocked."},
		{name: "blank NameID", a: Assertion{NameID: " "}, wantKind: KindInvalid},
		{name: "control character in email", a: Assertion{NameID: "x", Email: "a\x00@b.c"}, wantKind: KindInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, RFCProfile())
			if tc.setup != nil {
				tc.setup(t, f)
			}
			f.events.take()
			before := f.snapshot(t)
			res, err := f.l.SignIn(t.Context(), "g", tc.a)
			wantErr(t, err, tc.wantKind, tc.wantDetail)
			if d := diff(tc.wantEvents, f.events.take()); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			if tc.wantNameID != "" {
				if s := f.saml(t, "alice"); s == nil || s.ExternUID != tc.wantNameID {
					t.Errorf("alice's SAML identity = %+v, want NameID %q", s, tc.wantNameID)
				}
			}
			if err != nil {
				if d := diff(before, f.snapshot(t)); d != "" {
					t.Errorf("refused SignIn wrote (-before +after):\n%s", d)
				}
				return
			}
			if res.User.ID != tc.wantUser || res.Changes != tc.wantChange || f.membership(t, tc.wantUser) == nil {
				t.Errorf("user %s changes %v, want %s %v and a membership", res.User.ID, res.Changes, tc.wantUser, tc.wantChange)
			}
		})
	}
}

func TestLinkerLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(t *testing.T, f *fixture)
		userID     string
		nameID     string
		wantKind   Kind
		wantDetail string
		wantChange Change
		wantEvents []EventType
	}{
		{name: "signed-in user links explicitly and joins the group", setup: func(t *testing.T, f *fixture) { f.put(t, alice()) },
			userID: "alice", nameID: "alice-nameid", wantChange: SAMLLinked | MemberAdded,
			wantEvents: []EventType{EventSignInLinked, EventMemberAdded}},
		{name: "linking again is a no-op", setup: func(t *testing.T, f *fixture) {
			f.put(t, alice(), &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "alice-nameid"},
				&store.Membership{GroupID: "g", UserID: "alice", Role: store.RoleGuest})
		}, userID: "alice", nameID: "alice-nameid"},
		{name: "NameID of another account: Extern UID has already been taken", setup: func(t *testing.T, f *fixture) {
			f.put(t, alice(), &store.User{ID: "bob", Username: "bob", Email: "bob@x.test", State: store.UserActive},
				&store.SAMLIdentity{GroupID: "g", UserID: "bob", ExternUID: "Shared"})
		}, userID: "alice", nameID: "shared", wantKind: KindConflict, wantDetail: "Extern UID has already been taken"},
		{name: "account linked under another NameID: User has already been taken", setup: func(t *testing.T, f *fixture) {
			f.put(t, alice(), &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "first"})
		}, userID: "alice", nameID: "second", wantKind: KindConflict, wantDetail: "User has already been taken"},
		{name: "both at once", setup: func(t *testing.T, f *fixture) {
			f.put(t, alice(), &store.User{ID: "bob", Username: "bob", Email: "bob@x.test", State: store.UserActive},
				&store.SAMLIdentity{GroupID: "g", UserID: "bob", ExternUID: "bobs"},
				&store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "alices"})
		}, userID: "alice", nameID: "BOBS", wantKind: KindConflict, wantDetail: "Extern UID has already been taken and User has already been taken"},
		{name: "capitalisation change replaces the spelling", setup: func(t *testing.T, f *fixture) {
			f.put(t, alice(), &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "Alice-NameID"},
				&store.Membership{GroupID: "g", UserID: "alice", Role: store.RoleGuest})
		}, userID: "alice", nameID: "alice-nameid", wantChange: SAMLLinked, wantEvents: []EventType{EventSignInLinked}},
		{name: "blocked account is not linked", setup: func(t *testing.T, f *fixture) {
			a := alice()
			a.State = store.UserBlocked
			f.put(t, a)
		}, userID: "alice", nameID: "alice-nameid", wantKind: KindRefused,
			wantDetail: "Your account has been blocked. Contact an administrator if you think this is an error."},
		{name: "unknown user", userID: "ghost", nameID: "x", wantKind: KindNotFound},
		{name: "NameID too long", setup: func(t *testing.T, f *fixture) { f.put(t, alice()) }, userID: "alice",
			nameID: string(make([]byte, 300)), wantKind: KindInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, GitLabProfile())
			if tc.setup != nil {
				tc.setup(t, f)
			}
			f.events.take()
			before := f.snapshot(t)
			res, err := f.l.Link(t.Context(), "g", tc.userID, tc.nameID)
			wantErr(t, err, tc.wantKind, tc.wantDetail)
			if d := diff(tc.wantEvents, f.events.take()); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			if err != nil {
				if d := diff(before, f.snapshot(t)); d != "" {
					t.Errorf("refused Link wrote (-before +after):\n%s", d)
				}
				return
			}
			if res.Changes != tc.wantChange || res.SAML.ExternUID != tc.nameID {
				t.Errorf("changes %v saml %+v", res.Changes, res.SAML)
			}
			u, err := f.l.Lookup(t.Context(), "g", tc.nameID)
			if err != nil || u.ID != tc.userID {
				t.Errorf("Lookup = %v, %v", u, err)
			}
		})
	}
}
