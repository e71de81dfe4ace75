package identity

import (
	"context"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// Enforced SSO (docs/gitlab.md §9, "Membership enforcement"): a user may
// be added to the group only with a SAML identity linked to it. Restoring a
// deprovisioned account's membership adds a member, so an account the IdP
// only linked (it never got a SAML identity) must not regain membership by
// reprovisioning while the group enforces SSO (GitLab's membership
// validation would refuse the member): either KindRefused with nothing
// written, or the identity reactivated without a membership.
func TestReviewReprovisionUnderEnforcedSSORequiresSAMLIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		prof     Profile
		deleteIt bool
		reprov   func(t *testing.T, f *fixture, id string) error
	}{
		{"Reprovision", RFCProfile(), false, func(t *testing.T, f *fixture, id string) error {
			_, err := f.p.Reprovision(t.Context(), "g", id)
			return err
		}},
		{"PATCH active=true", RFCProfile(), false, func(t *testing.T, f *fixture, id string) error {
			_, err := f.p.Modify(t.Context(), "g", id, 0, func(doc map[string]any) (map[string]any, error) {
				doc["active"] = true
				return doc, nil
			})
			return err
		}},
		{"POST of the deprovisioned identity", RFCProfile(), false, func(t *testing.T, f *fixture, id string) error {
			_, err := f.p.Provision(t.Context(), "g", userDoc("ext-alice", "alice", "Alice@Acme.test"))
			return err
		}},
		{"POST after DELETE under a new externalId", RFCProfile(), true, func(t *testing.T, f *fixture, id string) error {
			_, err := f.p.Provision(t.Context(), "g", userDoc("ext-alice-2", "alice", "Alice@Acme.test"))
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.prof)
			f.put(t, alice())
			// Linked while the group did not enforce SSO: no SAML identity.
			res, err := f.p.Provision(t.Context(), "g", userDoc("ext-alice", "alice", "Alice@Acme.test"))
			wantErr(t, err, 0, "")
			if res.Changes != Linked || f.saml(t, "alice") != nil {
				t.Fatalf("setup: Changes %v, SAML %+v; want a link without SAML identity", res.Changes, f.saml(t, "alice"))
			}
			id := res.Identity.ID
			if tc.deleteIt {
				_, err = f.p.Delete(t.Context(), "g", id)
			} else {
				_, err = f.p.Deprovision(t.Context(), "g", id)
			}
			wantErr(t, err, 0, "")
			// The group turns enforced SSO on.
			err = f.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
				g, err := tx.Group(ctx, "g")
				if err != nil {
					return err
				}
				g.EnforceSSO = true
				return tx.PutGroup(ctx, g)
			})
			wantErr(t, err, 0, "")
			f.events.take()
			before := f.snapshot(t)

			err = tc.reprov(t, f, id)
			// Refusing (KindRefused, nothing written) or reactivating the
			// identity without a membership both keep the rule; a
			// membership without a SAML identity breaks it.
			if m := f.membership(t, "alice"); m != nil {
				t.Errorf("under enforced SSO an account without a SAML identity became a member again: %+v (error %v)", m, err)
			}
			if err != nil {
				if KindOf(err) != KindRefused {
					t.Errorf("error %v, want KindRefused", err)
				}
				if d := diff(before, f.snapshot(t)); d != "" {
					t.Errorf("a refused reprovision wrote (-before +after):\n%s", d)
				}
			}
		})
	}
}
