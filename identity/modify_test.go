package identity

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// set returns a mutate function that sets top-level attributes, as a PATCH
// replace would.
func set(kv ...any) func(map[string]any) (map[string]any, error) {
	return func(doc map[string]any) (map[string]any, error) {
		for i := 0; i+1 < len(kv); i += 2 {
			k := kv[i].(string)
			if kv[i+1] == nil {
				delete(doc, k)
				continue
			}
			doc[k] = kv[i+1]
		}
		return doc, nil
	}
}

type modifyCase struct {
	name       string
	prof       Profile
	setup      func(t *testing.T, f *fixture) // after jdoe (user id-1, identity id-2, ext-1) was provisioned
	id         string                         // default: the identity's id in the profile
	ifMatch    int64
	mutate     func(map[string]any) (map[string]any, error)
	wantKind   Kind
	wantDetail string
	wantChange Change
	wantEvents []EventType
	check      func(t *testing.T, f *fixture, res *Result)
}

func runModify(t *testing.T, tests []modifyCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.prof)
			if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(t, f)
			}
			f.events.take()
			id := tc.id
			if id == "" {
				id = "id-2"
				if tc.prof.IDIsExternUID {
					id = "ext-1"
				}
			}
			before := f.snapshot(t)
			res, err := f.p.Modify(t.Context(), "g", id, tc.ifMatch, tc.mutate)
			if tc.wantKind == 0 && err != nil {
				t.Fatalf("Modify: %v", err)
			}
			if tc.wantKind != 0 {
				if tc.wantKind != 255 {
					wantErr(t, err, tc.wantKind, tc.wantDetail)
				}
				if d := diff(before, f.snapshot(t)); d != "" {
					t.Errorf("a refused Modify wrote (-before +after):\n%s", d)
				}
				if ev := f.events.take(); len(ev) != 0 {
					t.Errorf("a refused Modify emitted %v", ev)
				}
				return
			}
			if d := diff(tc.wantEvents, f.events.take()); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			if res.Changes != tc.wantChange {
				t.Errorf("Changes = %v, want %v", res.Changes, tc.wantChange)
			}
			if tc.wantChange == 0 && tc.setup == nil && res.Identity.Version != 1 {
				t.Errorf("no change but version %d", res.Identity.Version)
			}
			if tc.check != nil {
				tc.check(t, f, res)
			}
		})
	}
}

// deactivate makes the provisioned identity inactive.
func deactivate(t *testing.T, f *fixture) {
	if _, err := f.p.Modify(t.Context(), "g", idOf(f), 0, set("active", false)); err != nil {
		t.Fatal(err)
	}
}

func idOf(f *fixture) string {
	if f.p.c.prof.IDIsExternUID {
		return "ext-1"
	}
	return "id-2"
}

func TestModifyDeprovisionsOnActiveFalse(t *testing.T) {
	t.Parallel()
	kept := func(t *testing.T, f *fixture, res *Result) {
		if res.Identity.Active || res.Member || f.membership(t, "id-1") != nil {
			t.Errorf("identity active=%v member=%v, want inactive non-member", res.Identity.Active, res.Member)
		}
		if f.saml(t, "id-1") == nil || f.user(t, "id-1").State != store.UserActive {
			t.Error("account or SAML identity not kept")
		}
		if res.Identity.ExternUID != "ext-1" {
			t.Error("extern_uid lost")
		}
	}
	lastOwner := func(t *testing.T, f *fixture) {
		err := f.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
			if err := tx.DeleteMembership(ctx, "g", "owner"); err != nil {
				return err
			}
			m, err := tx.Membership(ctx, "g", "id-1")
			if err != nil {
				return err
			}
			m.Role = store.RoleOwner
			return tx.PutMembership(ctx, m)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	runModify(t, []modifyCase{
		{name: "active false: membership removed, identity inactive, account and SAML identity kept", prof: RFCProfile(),
			mutate: set("active", false), wantChange: Deprovisioned, wantEvents: []EventType{EventDeprovisioned}, check: kept},
		{name: "entra sends the string False", prof: RFCProfile(),
			mutate: set("active", "False"), wantChange: Deprovisioned, wantEvents: []EventType{EventDeprovisioned}, check: kept},
		{name: "gitlab profile, id is the extern_uid", prof: GitLabProfile(),
			mutate: set("active", false), wantChange: Deprovisioned, wantEvents: []EventType{EventDeprovisioned}, check: kept},
		{name: "last owner refused, nothing changed", prof: RFCProfile(), setup: lastOwner,
			mutate: set("active", false), wantKind: KindRefused,
			wantDetail: "Could not remove Given Jdoe from Acme. Cannot remove last group owner."},
		{name: "an owner who is not the last one is removed", prof: RFCProfile(),
			setup: func(t *testing.T, f *fixture) {
				f.put(t, &store.Membership{GroupID: "g", UserID: "id-1", Role: store.RoleOwner, Version: 1})
			},
			mutate: set("active", false), wantChange: Deprovisioned, wantEvents: []EventType{EventDeprovisioned}, check: kept},
		{name: "active false on an inactive identity changes nothing", prof: RFCProfile(), setup: deactivate,
			mutate: set("active", false), check: func(t *testing.T, f *fixture, res *Result) {
				if res.Changes != 0 {
					t.Errorf("changes %v", res.Changes)
				}
			}},
	})
}

func TestModifyReprovisionsOnActiveTrue(t *testing.T) {
	t.Parallel()
	runModify(t, []modifyCase{
		{name: "active true on an inactive identity restores membership at the default role", prof: RFCProfile(), setup: deactivate,
			mutate: set("active", true), wantChange: Reprovisioned, wantEvents: []EventType{EventReprovisioned},
			check: func(t *testing.T, f *fixture, res *Result) {
				if m := f.membership(t, "id-1"); !res.Identity.Active || m == nil || m.Role != store.RoleDeveloper {
					t.Errorf("active=%v membership=%+v", res.Identity.Active, m)
				}
			}},
		{name: "gitlab: string True", prof: GitLabProfile(), setup: deactivate,
			mutate: set("active", "True"), wantChange: Reprovisioned, wantEvents: []EventType{EventReprovisioned}},
		{name: "PATCH without active does not reactivate (GitLab's hole not copied)", prof: GitLabProfile(), setup: deactivate,
			mutate: set("displayName", "JD"), wantChange: DocumentUpdated,
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.Identity.Active || f.membership(t, "id-1") != nil {
					t.Error("reactivated")
				}
			}},
		{name: "active true on an active identity changes nothing", prof: RFCProfile(), mutate: set("active", true)},
		{name: "empty patch changes nothing", prof: RFCProfile(), mutate: set()},
		{name: "active not a boolean is invalid", prof: RFCProfile(), mutate: set("active", "yes"), wantKind: KindInvalid},
		{name: "a value of the wrong type is reported before a blank userName", prof: RFCProfile(),
			mutate: set("userName", " ", "active", "yes"), wantKind: KindInvalid, wantDetail: `must be a boolean, not the string "yes"`},
		{name: "a blank userName is reported", prof: RFCProfile(),
			mutate: set("userName", " ", "active", "true"), wantKind: KindInvalid, wantDetail: "can't be blank"},
		{name: "an invalid active is reported for an unchanged document", prof: RFCProfile(),
			mutate: set("active", "yes", "externalId", " "), wantKind: KindInvalid, wantDetail: `must be a boolean, not the string "yes"`},
	})
}

func TestModifyChangesExternUID(t *testing.T) {
	t.Parallel()
	other := func(t *testing.T, f *fixture) {
		if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-2", "other", "other@acme.test")); err != nil {
			t.Fatal(err)
		}
	}
	runModify(t, []modifyCase{
		{name: "externalId change updates the SCIM identity, not the SAML identity", prof: RFCProfile(),
			mutate: set("externalId", "ext-9"), wantChange: ExternUIDChanged, wantEvents: []EventType{EventExternUIDChanged},
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.Identity.ExternUID != "ext-9" || f.saml(t, "id-1").ExternUID != "ext-1" {
					t.Errorf("scim %q saml %q", res.Identity.ExternUID, f.saml(t, "id-1").ExternUID)
				}
			}},
		{name: "gitlab: a change of id is an extern_uid change", prof: GitLabProfile(),
			mutate: set("id", "ext-9"), wantChange: ExternUIDChanged, wantEvents: []EventType{EventExternUIDChanged},
			check: func(t *testing.T, f *fixture, res *Result) {
				if _, err := f.p.Get(t.Context(), "g", "EXT-9"); err != nil {
					t.Errorf("Get by the new extern_uid: %v", err)
				}
			}},
		{name: "capitalisation change is allowed", prof: RFCProfile(),
			mutate: set("externalId", "EXT-1"), wantChange: ExternUIDChanged, wantEvents: []EventType{EventExternUIDChanged}},
		{name: "extern_uid of another identity: conflict", prof: RFCProfile(), setup: other,
			mutate: set("externalId", "EXT-2"), wantKind: KindConflict, wantDetail: "Extern UID has already been taken"},
		{name: "blank externalId is invalid", prof: RFCProfile(), mutate: set("externalId", " "), wantKind: KindInvalid},
		{name: "removing externalId is refused: it is the SAML link (issue 17)", prof: RFCProfile(), mutate: set("externalId", nil),
			wantKind: KindMutability, wantDetail: "cannot be removed: it links the user to their SAML identity; replace it with the new value instead"},
		{name: "gitlab: removing externalId is refused too", prof: GitLabProfile(), mutate: set("externalId", nil),
			wantKind: KindMutability, wantDetail: "cannot be removed: it links the user to their SAML identity; replace it with the new value instead"},
		{name: "rfc: id is read-only and ignored", prof: RFCProfile(), mutate: set("id", "other")},
	})
}

func TestModifyAppliesAttributesOnlyToProvisionedAccounts(t *testing.T) {
	t.Parallel()
	linked := func(t *testing.T, f *fixture) {
		f.put(t, alice())
		if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-a", "alice", "alice@home.test")); err != nil {
			t.Fatal(err)
		}
	}
	runModify(t, []modifyCase{
		{name: "name applied to a provisioned account", prof: RFCProfile(),
			mutate: set("name", map[string]any{"givenName": "Jane", "familyName": "Doe"}), wantChange: AccountUpdated | DocumentUpdated,
			wantEvents: []EventType{EventUpdated},
			check: func(t *testing.T, f *fixture, res *Result) {
				if u := f.user(t, "id-1"); u.Name != "Jane Doe" {
					t.Errorf("name = %q", u.Name)
				}
			}},
		{name: "email applied, unconfirmed", prof: RFCProfile(),
			mutate: set("emails", []any{map[string]any{"type": "work", "value": "jane@acme.test"}}), wantChange: AccountUpdated | DocumentUpdated,
			wantEvents: []EventType{EventUpdated},
			check: func(t *testing.T, f *fixture, res *Result) {
				if u := f.user(t, "id-1"); u.Email != "jane@acme.test" || u.Confirmed {
					t.Errorf("email = %q confirmed %v", u.Email, u.Confirmed)
				}
			}},
		{name: "userName applied, sanitised", prof: GitLabProfile(),
			mutate: set("userName", "jane.doe@acme.test"), wantChange: AccountUpdated | DocumentUpdated,
			wantEvents: []EventType{EventUpdated},
			check: func(t *testing.T, f *fixture, res *Result) {
				if u := f.user(t, "id-1"); u.Username != "jane.doe" {
					t.Errorf("username = %q", u.Username)
				}
			}},
		{name: "email of another account: Email has already been taken", prof: RFCProfile(),
			mutate:   set("emails", []any{map[string]any{"type": "work", "value": "BOSS@acme.test"}}),
			wantKind: KindConflict, wantDetail: "Email has already been taken"},
		{name: "username of another account: the account gets a de-duplicated one (issue 17)", prof: RFCProfile(),
			mutate: set("userName", "Boss"), wantChange: AccountUpdated | DocumentUpdated,
			wantEvents: []EventType{EventUpdated},
			check: func(t *testing.T, f *fixture, res *Result) {
				if u := f.user(t, "id-1"); u.Username != "Boss1" {
					t.Errorf("username = %q, want Boss1", u.Username)
				}
			}},
		{name: "linked pre-existing account: acknowledged, not applied", prof: RFCProfile(), setup: linked, id: "id-3",
			mutate: set("userName", "hacked", "name", map[string]any{"formatted": "Hacked"},
				"emails", []any{map[string]any{"type": "work", "value": "attacker@evil.test"}}),
			wantChange: DocumentUpdated,
			check: func(t *testing.T, f *fixture, res *Result) {
				if d := diff(withVersion(alice(), 1), f.user(t, "alice")); d != "" {
					t.Errorf("personal account changed (-want +got):\n%s", d)
				}
				if res.Identity.Document["userName"] != "hacked" {
					t.Error("document not stored")
				}
			}},
		{name: "rfc: userName held in another identity's document: Username has already been taken", prof: RFCProfile(), setup: linked,
			mutate: set("userName", "ALICE"), wantKind: KindConflict, wantDetail: "Username has already been taken"},
		{name: "gitlab: a username another account holds is de-duplicated on update", prof: GitLabProfile(), setup: linked,
			mutate: set("userName", "Alice"), wantChange: AccountUpdated | DocumentUpdated, wantEvents: []EventType{EventUpdated},
			check: func(t *testing.T, f *fixture, res *Result) {
				if u := f.user(t, "id-1"); u.Username != "Alice1" {
					t.Errorf("username = %q, want Alice1", u.Username)
				}
			}},
		{name: "userName removed is invalid", prof: RFCProfile(), mutate: set("userName", nil), wantKind: KindInvalid},
		{name: "emails removed is invalid", prof: RFCProfile(), mutate: set("emails", nil), wantKind: KindInvalid},
		{name: "control character is invalid", prof: RFCProfile(), mutate: set("displayName", "a\x07"), wantKind: KindInvalid},
	})
}

func TestModifyPreconditionsAndFailures(t *testing.T) {
	t.Parallel()
	boom := errors.New("patch: boom")
	runModify(t, []modifyCase{
		{name: "If-Match equal to the version applies", prof: RFCProfile(), ifMatch: 1,
			mutate: set("displayName", "X"), wantChange: DocumentUpdated,
			check: func(t *testing.T, f *fixture, res *Result) {
				if res.Identity.Version != 2 {
					t.Errorf("version %d, want 2", res.Identity.Version)
				}
			}},
		{name: "If-Match mismatch", prof: RFCProfile(), ifMatch: 7, mutate: set("displayName", "X"), wantKind: KindVersionMismatch},
		{name: "unknown id", prof: RFCProfile(), id: "nope", mutate: set(), wantKind: KindNotFound, wantDetail: "Resource nope not found"},
		{name: "rfc: deleted identity is not found", prof: RFCProfile(),
			setup: func(t *testing.T, f *fixture) {
				if _, err := f.p.Delete(t.Context(), "g", "id-2", 0); err != nil {
					t.Fatal(err)
				}
			}, mutate: set("active", true), wantKind: KindNotFound},
		{name: "mutate error: nothing written", prof: RFCProfile(),
			mutate: func(map[string]any) (map[string]any, error) { return nil, boom }, wantKind: 255},
		{name: "mutate returns nil", prof: RFCProfile(),
			mutate: func(map[string]any) (map[string]any, error) { return nil, nil }, wantKind: KindInvalid},
	})
}

func TestModifyMutateSeesCurrentResource(t *testing.T) {
	t.Parallel()
	for _, prof := range []Profile{RFCProfile(), GitLabProfile()} {
		f := newFixture(t, prof)
		if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
			t.Fatal(err)
		}
		var seen map[string]any
		_, err := f.p.Modify(t.Context(), "g", idOf(f), 0, func(doc map[string]any) (map[string]any, error) {
			seen = maps.Clone(doc) // doc is Modify's once returned
			return doc, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantID := "id-2"
		if prof.IDIsExternUID {
			wantID = "ext-1"
		}
		if seen["id"] != wantID || seen["externalId"] != "ext-1" || seen["active"] != true || seen["userName"] != "jdoe" {
			t.Errorf("profile %+v: mutate saw %v", prof, seen)
		}
	}
}

func TestModifyWrapsMutateError(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	_, err := f.p.Modify(t.Context(), "g", "id-2", 0, func(map[string]any) (map[string]any, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap the mutate error", err)
	}
}

func TestReplace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	doc := userDoc("", "jdoe", "jdoe@acme.test")
	doc["active"] = false // Okta AIW apps deprovision with PUT
	res, err := f.p.Replace(t.Context(), "g", "id-2", 1, doc)
	if err != nil {
		t.Fatal(err)
	}
	if res.Identity.Active || res.Identity.ExternUID != "ext-1" || !res.Changes.Has(Deprovisioned) {
		t.Errorf("got %+v changes %v", res.Identity, res.Changes)
	}
	if _, err := f.p.Replace(t.Context(), "g", "id-2", 0, nil); KindOf(err) != KindInvalid {
		t.Errorf("nil document: %v", err)
	}
}
