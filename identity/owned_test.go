package identity

import (
	"testing"

	"github.com/scimkit/scimkit/store"
)

// TestProvisionOwnedMatchesProvision runs each POST through Provision and
// ProvisionOwned, on two stores in the same state, and checks that both
// answer, store and emit the same, and that ProvisionOwned keeps the
// document it was given, without the server's keys.
func TestProvisionOwnedMatchesProvision(t *testing.T) {
	t.Parallel()
	withKeys := func(d map[string]any) map[string]any {
		d["id"], d["meta"], d["password"] = "client-id", map[string]any{"version": "x"}, "secret"
		return d
	}
	tests := []struct {
		name   string
		before func(t *testing.T, f *fixture)
		doc    func() map[string]any
	}{
		{"create", nil, func() map[string]any { return withKeys(userDoc("ext-1", "jdoe", "jdoe@acme.test")) }},
		{"link by email", func(t *testing.T, f *fixture) { f.put(t, alice()) },
			func() map[string]any { return userDoc("ext-a", "alice", alice().Email) }},
		{"repeat", func(t *testing.T, f *fixture) {
			if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
				t.Fatal(err)
			}
		}, func() map[string]any { return userDoc("ext-1", "jdoe", "jdoe@acme.test") }},
		{"reprovision", func(t *testing.T, f *fixture) {
			if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
				t.Fatal(err)
			}
			if _, err := f.p.Deprovision(t.Context(), "g", "id-2"); err != nil {
				t.Fatal(err)
			}
		}, func() map[string]any { return withKeys(userDoc("ext-1", "jdoe", "jdoe.new@acme.test")) }},
		{"invalid", nil, func() map[string]any {
			d := userDoc("ext-1", "jdoe", "jdoe@acme.test")
			delete(d, "userName")
			return d
		}},
	}
	type outcome struct {
		Res    *Result
		Err    string
		State  state
		Events []EventType
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got [2]outcome
			for i, owned := range []bool{false, true} {
				f := newFixture(t, RFCProfile())
				if tc.before != nil {
					tc.before(t, f)
				}
				f.events.take()
				provision := f.p.Provision
				if owned {
					provision = f.p.ProvisionOwned
				}
				doc := tc.doc()
				res, err := provision(t.Context(), "g", doc)
				got[i] = outcome{Res: res, State: f.snapshot(t), Events: f.events.take()}
				if err != nil {
					got[i].Err = err.Error()
					continue
				}
				if !owned {
					if d := diff(tc.doc(), doc); d != "" {
						t.Errorf("Provision changed its document (-before +after):\n%s", d)
					}
					continue
				}
				for _, k := range []string{"id", "externalId", "active", "meta", "password"} {
					if _, ok := doc[k]; ok && res.Changes != 0 {
						t.Errorf("ProvisionOwned kept %q in the identity's document", k)
					}
				}
			}
			if d := diff(got[0], got[1]); d != "" {
				t.Errorf("Provision and ProvisionOwned differ (-Provision +ProvisionOwned):\n%s", d)
			}
		})
	}
}

// TestModifySharedKeepsDocument checks that ModifyShared keeps the
// document mutate returns, without the server's keys, as the identity's
// document.
func TestModifySharedKeepsDocument(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	var next map[string]any
	res, err := f.p.ModifyShared(t.Context(), "g", "id-2", 0, func(cur map[string]any) (map[string]any, error) {
		next = store.CloneDocument(cur)
		next["title"] = "CTO"
		return next, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := userDoc("", "jdoe", "jdoe@acme.test")
	delete(want, "active")
	want["title"] = "CTO"
	if d := diff(want, next); d != "" {
		t.Errorf("the returned document (-want +got):\n%s", d)
	}
	if d := diff(want, res.Identity.Document); d != "" {
		t.Errorf("the identity's document (-want +got):\n%s", d)
	}
}
