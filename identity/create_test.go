package identity

import (
	"context"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// provisionCase is one row of the Provision tables.
type provisionCase struct {
	name       string
	prof       Profile
	sso        bool
	setup      func(t *testing.T, f *fixture)
	doc        map[string]any
	wantKind   Kind
	wantDetail string
	wantChange Change
	wantEvents []EventType
	check      func(t *testing.T, f *fixture, res *Result)
}

func runProvision(t *testing.T, tests []provisionCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []fixtureOpt
			if tc.sso {
				opts = append(opts, enforceSSO)
			}
			f := newFixture(t, tc.prof, opts...)
			if tc.setup != nil {
				tc.setup(t, f)
				f.events.take()
			}
			before := f.snapshot(t)
			res, err := f.p.Provision(t.Context(), "g", tc.doc)
			wantErr(t, err, tc.wantKind, tc.wantDetail)
			if d := diff(tc.wantEvents, f.events.take()); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			if err != nil {
				if d := diff(before, f.snapshot(t)); d != "" {
					t.Errorf("a refused Provision wrote (-before +after):\n%s", d)
				}
				return
			}
			if res.Changes != tc.wantChange {
				t.Errorf("Changes = %v, want %v", res.Changes, tc.wantChange)
			}
			if tc.check != nil {
				tc.check(t, f, res)
			}
		})
	}
}

func TestProvisionCreatesProvisionedAccount(t *testing.T) {
	t.Parallel()
	runProvision(t, []provisionCase{
		{
			name:       "new person gets account, SCIM and SAML identities and membership at the default role",
			prof:       RFCProfile(),
			doc:        userDoc("ext-1", "jdoe", "jdoe@acme.test"),
			wantChange: Created,
			wantEvents: []EventType{EventProvisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				u := res.User
				want := &store.User{ID: u.ID, Username: "jdoe", Name: "Given Jdoe", Email: "jdoe@acme.test",
					ProvisionedByGroup: "g", Confirmed: false, State: store.UserActive, Version: 1}
				if d := diff(want, f.user(t, u.ID)); d != "" {
					t.Errorf("account (-want +got):\n%s", d)
				}
				if m := f.membership(t, u.ID); m == nil || m.Role != store.RoleDeveloper {
					t.Errorf("membership = %+v, want developer", m)
				}
				if s := f.saml(t, u.ID); s == nil || s.ExternUID != "ext-1" {
					t.Errorf("SAML identity = %+v, want extern_uid ext-1", s)
				}
				id := res.Identity
				if !id.Active || id.Deleted || id.ExternUID != "ext-1" || !res.Member || !id.Created.Equal(testNow) {
					t.Errorf("identity = %+v member=%v", id, res.Member)
				}
				if _, ok := id.Document["externalId"]; ok {
					t.Error("stored document keeps externalId; the identity field supplies it")
				}
			},
		},
		{
			name:       "username sanitised like GitLab",
			prof:       RFCProfile(),
			doc:        userDoc("ext-1", " --ricky.^#!__the._raccoon--", "ricky@acme.test"),
			wantChange: Created,
			wantEvents: []EventType{EventProvisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.User.Username != "ricky.the.raccoon" {
					t.Errorf("username = %q", res.User.Username)
				}
			},
		},
		{
			name: "username taken outside the group is de-duplicated with a counter",
			prof: RFCProfile(),
			setup: func(t *testing.T, f *fixture) {
				f.put(t, &store.User{ID: "bob", Username: "ricky.the.raccoon", Email: "bob@else.test", State: store.UserActive})
			},
			doc:        userDoc("ext-1", " --ricky.^#!__the._raccoon--", "ricky@acme.test"),
			wantChange: Created,
			wantEvents: []EventType{EventProvisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.User.Username != "ricky.the.raccoon1" {
					t.Errorf("username = %q, want ricky.the.raccoon1", res.User.Username)
				}
			},
		},
		{
			name: "after four counters a random suffix",
			prof: GitLabProfile(),
			setup: func(t *testing.T, f *fixture) {
				for i, n := range []string{"sam", "sam1", "Sam2", "sam3", "sam4"} {
					f.put(t, &store.User{ID: "x" + n, Username: n, Email: n + "@else.test", State: store.UserActive})
					_ = i
				}
			},
			doc:        userDoc("ext-1", "sam", "sam@acme.test"),
			wantChange: Created,
			wantEvents: []EventType{EventProvisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				if got := res.User.Username; len(got) != len("sam_xxxxxx") || got[:4] != "sam_" {
					t.Errorf("username = %q, want sam_ plus 6 hex digits", got)
				}
			},
		},
		{
			name:       "reserved username skipped",
			prof:       RFCProfile(),
			doc:        userDoc("ext-1", "Admin", "admin@acme.test"),
			wantChange: Created,
			wantEvents: []EventType{EventProvisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.User.Username != "Admin1" {
					t.Errorf("username = %q, want Admin1", res.User.Username)
				}
			},
		},
		{
			name: "rfc: userName held by an identity of the group is a conflict",
			prof: RFCProfile(),
			setup: func(t *testing.T, f *fixture) {
				if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-0", "jdoe", "first@acme.test")); err != nil {
					t.Fatal(err)
				}
			},
			doc:        userDoc("ext-1", "jdoe", "second@acme.test"),
			wantKind:   KindConflict,
			wantDetail: "Username has already been taken",
		},
		{
			name: "rfc: userName held in the document of a linked identity is a conflict",
			prof: RFCProfile(),
			setup: func(t *testing.T, f *fixture) {
				f.put(t, alice())
				if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-a", "Alice.Work", "alice@home.test")); err != nil {
					t.Fatal(err)
				}
			},
			doc:        userDoc("ext-1", "alice.work", "someone@acme.test"),
			wantKind:   KindConflict,
			wantDetail: "Username has already been taken",
		},
		{
			name: "gitlab: userName held by an identity of the group is de-duplicated",
			prof: GitLabProfile(),
			setup: func(t *testing.T, f *fixture) {
				if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-0", "jdoe", "first@acme.test")); err != nil {
					t.Fatal(err)
				}
			},
			doc:        userDoc("ext-1", "jdoe", "second@acme.test"),
			wantChange: Created,
			wantEvents: []EventType{EventProvisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.User.Username != "jdoe1" {
					t.Errorf("username = %q, want jdoe1", res.User.Username)
				}
			},
		},
		{
			name: "extern_uid already a SAML NameID of another account is a conflict",
			prof: RFCProfile(),
			setup: func(t *testing.T, f *fixture) {
				f.put(t, alice(), &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "EXT-1"})
			},
			doc:        userDoc("ext-1", "jdoe", "jdoe@acme.test"),
			wantKind:   KindConflict,
			wantDetail: "Extern UID has already been taken",
		},
		{
			name: "password is never stored",
			prof: RFCProfile(),
			doc: func() map[string]any {
				d := userDoc("ext-1", "jdoe", "jdoe@acme.test")
				d["password"] = "1mz050nq"
				return d
			}(),
			wantChange: Created,
			wantEvents: []EventType{EventProvisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				for k := range res.Identity.Document {
					if k == "password" {
						t.Error("password stored in the document")
					}
				}
			},
		},
	})
}

func TestProvisionRepeatedPost(t *testing.T) {
	t.Parallel()
	existing := func(t *testing.T, f *fixture) {
		if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
			t.Fatal(err)
		}
	}
	runProvision(t, []provisionCase{
		{
			name:       "rfc: repeat is a conflict (Okta expects 409)",
			prof:       RFCProfile(),
			setup:      existing,
			doc:        userDoc("ext-1", "jdoe", "jdoe@acme.test"),
			wantKind:   KindConflict,
			wantDetail: "Extern UID has already been taken",
		},
		{
			name:     "rfc: extern_uid matched case-insensitively",
			prof:     RFCProfile(),
			setup:    existing,
			doc:      userDoc("EXT-1", "other", "other@acme.test"),
			wantKind: KindConflict,
		},
		{
			name:  "gitlab: repeat returns the existing identity unchanged, even with another email",
			prof:  GitLabProfile(),
			setup: existing,
			doc:   userDoc("ext-1", "someone", "someone.else@acme.test"),
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.User.Email != "jdoe@acme.test" || res.Identity.ExternUID != "ext-1" || res.Identity.Version != 1 {
					t.Errorf("got %+v / %+v, want the existing identity", res.User, res.Identity)
				}
			},
		},
		{
			name: "identity whose user left the group: user added again",
			prof: RFCProfile(),
			setup: func(t *testing.T, f *fixture) {
				existing(t, f)
				if err := f.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error { return tx.DeleteMembership(ctx, "g", "id-1") }); err != nil {
					t.Fatal(err)
				}
			},
			doc:        userDoc("ext-1", "jdoe", "jdoe@acme.test"),
			wantChange: Linked,
			wantEvents: []EventType{EventLinked},
			check: func(t *testing.T, f *fixture, res *Result) {
				if !res.Member || f.membership(t, "id-1") == nil {
					t.Error("user not a member again")
				}
			},
		},
	})
}

func TestProvisionLinksExistingAccountByEmail(t *testing.T) {
	t.Parallel()
	withAlice := func(t *testing.T, f *fixture) { f.put(t, alice()) }
	runProvision(t, []provisionCase{
		{
			name:       "matched by primary email: SCIM identity and membership, nothing else",
			prof:       RFCProfile(),
			setup:      withAlice,
			doc:        userDoc("ext-a", "alice.work", "alice@home.test"),
			wantChange: Linked,
			wantEvents: []EventType{EventLinked},
			check: func(t *testing.T, f *fixture, res *Result) {
				if d := diff(withVersion(alice(), 1), f.user(t, "alice")); d != "" {
					t.Errorf("account changed (-want +got):\n%s", d)
				}
				if m := f.membership(t, "alice"); m == nil || m.Role != store.RoleDeveloper {
					t.Errorf("membership = %+v", m)
				}
				if f.saml(t, "alice") != nil {
					t.Error("a SAML identity was created for a linked account")
				}
				if res.Identity.UserID != "alice" || res.Identity.ExternUID != "ext-a" {
					t.Errorf("identity = %+v", res.Identity)
				}
			},
		},
		{
			name:       "matched by secondary email, case-insensitively",
			prof:       RFCProfile(),
			setup:      withAlice,
			doc:        userDoc("ext-a", "alice.work", "alice@ACME.TEST"),
			wantChange: Linked,
			wantEvents: []EventType{EventLinked},
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.User.ID != "alice" || res.User.ProvisionedByGroup != "" {
					t.Errorf("user = %+v, want alice not marked provisioned", res.User)
				}
			},
		},
		{
			name: "already a member: only the SCIM identity, role unchanged",
			prof: RFCProfile(),
			setup: func(t *testing.T, f *fixture) {
				f.put(t, alice(), &store.Membership{GroupID: "g", UserID: "alice", Role: store.RoleMaintainer})
			},
			doc:        userDoc("ext-a", "alice.work", "alice@home.test"),
			wantChange: Linked,
			wantEvents: []EventType{EventLinked},
			check: func(t *testing.T, f *fixture, res *Result) {
				if m := f.membership(t, "alice"); m == nil || m.Role != store.RoleMaintainer || m.Version != 1 {
					t.Errorf("membership = %+v, want maintainer untouched", m)
				}
			},
		},
		{
			name: "account with a SCIM identity under another extern_uid: User has already been taken",
			prof: GitLabProfile(),
			setup: func(t *testing.T, f *fixture) {
				withAlice(t, f)
				if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-old", "alice", "alice@home.test")); err != nil {
					t.Fatal(err)
				}
			},
			doc:        userDoc("ext-new", "alice", "alice@acme.test"),
			wantKind:   KindConflict,
			wantDetail: "User has already been taken",
		},
		{
			name:       "enforced SSO: account without SAML identity refused, nothing written",
			prof:       RFCProfile(),
			sso:        true,
			setup:      withAlice,
			doc:        userDoc("ext-a", "alice", "alice@home.test"),
			wantKind:   KindRefused,
			wantDetail: msgNotSAMLLinked,
		},
		{
			name: "enforced SSO: account with a SAML identity is linked",
			prof: RFCProfile(),
			sso:  true,
			setup: func(t *testing.T, f *fixture) {
				f.put(t, alice(), &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "ext-a"})
			},
			doc:        userDoc("ext-a", "alice", "alice@home.test"),
			wantChange: Linked,
			wantEvents: []EventType{EventLinked},
		},
		{
			name: "enforced SSO: member without SAML identity still gets the SCIM identity",
			prof: RFCProfile(),
			sso:  true,
			setup: func(t *testing.T, f *fixture) {
				f.put(t, alice(), &store.Membership{GroupID: "g", UserID: "alice", Role: store.RoleGuest})
			},
			doc:        userDoc("ext-a", "alice", "alice@home.test"),
			wantChange: Linked,
			wantEvents: []EventType{EventLinked},
		},
	})
}

func TestProvisionReprovisionsInactiveIdentity(t *testing.T) {
	t.Parallel()
	deprovisioned := func(del bool) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			res, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test"))
			if err != nil {
				t.Fatal(err)
			}
			id := res.Identity.ID
			if f.p.c.prof.IDIsExternUID {
				id = "ext-1"
			}
			if del {
				_, err = f.p.Delete(t.Context(), "g", id, 0)
			} else {
				_, err = f.p.Deprovision(t.Context(), "g", id)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	reactivated := func(t *testing.T, f *fixture, res *Result) {
		if !res.Identity.Active || res.Identity.Deleted || !res.Member || f.membership(t, "id-1") == nil {
			t.Errorf("identity %+v member=%v, want active, visible, member", res.Identity, res.Member)
		}
		if f.saml(t, "id-1") == nil {
			t.Error("SAML identity lost")
		}
	}
	runProvision(t, []provisionCase{
		{
			name: "rfc: POST after PATCH active=false reprovisions", prof: RFCProfile(), setup: deprovisioned(false),
			doc: userDoc("ext-1", "jdoe", "jdoe@acme.test"), wantChange: Reprovisioned, wantEvents: []EventType{EventReprovisioned}, check: reactivated,
		},
		{
			name: "rfc: POST after DELETE creates a new resource for the same account", prof: RFCProfile(), setup: deprovisioned(true),
			doc: userDoc("ext-1", "jdoe", "jdoe@acme.test"), wantChange: Reprovisioned, wantEvents: []EventType{EventReprovisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				reactivated(t, f, res)
				replacedDeleted(t, f, res, "ext-1")
			},
		},
		{
			name: "gitlab: POST for an inactive identity succeeds (issue 433194 not copied)", prof: GitLabProfile(), sso: true, setup: deprovisioned(true),
			doc: userDoc("ext-1", "jdoe", "jdoe@acme.test"), wantChange: Reprovisioned, wantEvents: []EventType{EventReprovisioned}, check: reactivated,
		},
		{
			name: "rfc: POST after DELETE under a new externalId links the account with a new resource", prof: RFCProfile(), setup: deprovisioned(true),
			doc: userDoc("ext-new", "jdoe", "jdoe@acme.test"), wantChange: Linked, wantEvents: []EventType{EventLinked},
			check: func(t *testing.T, f *fixture, res *Result) {
				reactivated(t, f, res)
				replacedDeleted(t, f, res, "ext-new")
			},
		},
		{
			name: "gitlab: POST under a new externalId for a deprovisioned person is a conflict", prof: GitLabProfile(), setup: deprovisioned(true),
			doc: userDoc("ext-new", "jdoe", "jdoe@acme.test"), wantKind: KindConflict, wantDetail: "User has already been taken",
		},
		{
			name: "rfc: POST with a new name reprovisions and updates the provisioned account", prof: RFCProfile(), setup: deprovisioned(true),
			doc: func() map[string]any {
				d := userDoc("ext-1", "jdoe", "jdoe@acme.test")
				d["name"] = map[string]any{"formatted": "Jane Doe"}
				return d
			}(),
			wantChange: Reprovisioned | AccountUpdated | DocumentUpdated, wantEvents: []EventType{EventUpdated, EventReprovisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				reactivated(t, f, res)
				if res.User.Name != "Jane Doe" {
					t.Errorf("name = %q", res.User.Name)
				}
			},
		},
	})
}

func TestProvisionRefusesBadInputWritingNothing(t *testing.T) {
	t.Parallel()
	doc := func(mut func(map[string]any)) map[string]any {
		d := userDoc("ext-1", "jdoe", "jdoe@acme.test")
		mut(d)
		return d
	}
	runProvision(t, []provisionCase{
		{name: "blank externalId", prof: GitLabProfile(), doc: doc(func(d map[string]any) { d["externalId"] = "" }), wantKind: KindInvalid},
		{name: "missing externalId (gitlab)", prof: GitLabProfile(), doc: doc(func(d map[string]any) { delete(d, "externalId") }), wantKind: KindInvalid},
		{name: "missing userName", prof: RFCProfile(), doc: doc(func(d map[string]any) { delete(d, "userName") }), wantKind: KindInvalid},
		{name: "no usable email", prof: RFCProfile(), doc: doc(func(d map[string]any) {
			d["emails"] = []any{map[string]any{"type": "home", "value": "a@b.c"}}
		}), wantKind: KindInvalid},
		{name: "control character", prof: RFCProfile(), doc: doc(func(d map[string]any) { d["userName"] = "j\x00doe" }), wantKind: KindInvalid},
		{name: "absurdly long externalId", prof: RFCProfile(), doc: doc(func(d map[string]any) { d["externalId"] = string(make([]byte, 1<<20)) }), wantKind: KindInvalid},
	})
}

func TestProvisionUnknownGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	_, err := f.p.Provision(t.Context(), "nope", userDoc("ext-1", "jdoe", "jdoe@acme.test"))
	wantErr(t, err, KindNotFound, "")
}

func withVersion(u *store.User, v int64) *store.User {
	u.Version = v
	return u
}

// replacedDeleted checks that res is a new identity (a new id, externUID)
// of the account id-1, whose deleted identity id-2 is gone for good.
func replacedDeleted(t *testing.T, f *fixture, res *Result, externUID string) {
	t.Helper()
	if res.Identity.ID == "id-2" || res.Identity.UserID != "id-1" || res.Identity.ExternUID != externUID {
		t.Errorf("identity %s of user %s extern_uid %s, want a new id of user id-1 with %s", res.Identity.ID, res.Identity.UserID, res.Identity.ExternUID, externUID)
	}
	for name, err := range map[string]error{
		"Get":         second(f.p.Get(t.Context(), "g", "id-2")),
		"Modify":      second(f.p.Modify(t.Context(), "g", "id-2", 0, func(cur map[string]any) (map[string]any, error) { return cur, nil })),
		"Replace":     second(f.p.Replace(t.Context(), "g", "id-2", 0, userDoc(externUID, "jdoe", "jdoe@acme.test"))),
		"Delete":      second(f.p.Delete(t.Context(), "g", "id-2", 0)),
		"Reprovision": second(f.p.Reprovision(t.Context(), "g", "id-2")),
	} {
		if KindOf(err) != KindNotFound {
			t.Errorf("%s of the deleted id: %v, want KindNotFound", name, err)
		}
	}
	err := f.st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.SCIMIdentity(ctx, "g", "id-2"); err == nil {
			t.Error("the deleted identity is still stored")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.p.List(t.Context(), "g", store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 1 || page.Results[0].Identity.ID != res.Identity.ID {
		t.Errorf("List after the new POST: %d results, want only %s", len(page.Results), res.Identity.ID)
	}
}

func second[T any](_ T, err error) error { return err }
