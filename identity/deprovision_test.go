package identity

import (
	"context"
	"testing"

	"github.com/scimkit/scimkit/store"
)

func TestDeleteAndDeprovision(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		prof       Profile
		ops        []string // "delete", "deprovision", "reprovision" applied in order
		wantKind   Kind     // of the last op
		wantChange Change   // of the last op
		wantEvents []EventType
		wantGet    Kind // Get after the ops
		wantListed int  // identities of jdoe listed after the ops
	}{
		{name: "rfc: DELETE deprovisions and hides", prof: RFCProfile(), ops: []string{"delete"},
			wantChange: Deprovisioned | Hidden, wantEvents: []EventType{EventDeprovisioned, EventDeleted}, wantGet: KindNotFound, wantListed: 0},
		{name: "rfc: DELETE again is not found", prof: RFCProfile(), ops: []string{"delete", "delete"},
			wantKind: KindNotFound, wantEvents: []EventType{EventDeprovisioned, EventDeleted}, wantGet: KindNotFound},
		{name: "rfc: DELETE of an inactive identity hides it", prof: RFCProfile(), ops: []string{"deprovision", "delete"},
			wantChange: Hidden, wantEvents: []EventType{EventDeprovisioned, EventDeleted}, wantGet: KindNotFound},
		{name: "gitlab: DELETE keeps the identity visible as inactive", prof: GitLabProfile(), ops: []string{"delete"},
			wantChange: Deprovisioned, wantEvents: []EventType{EventDeprovisioned}, wantListed: 1},
		{name: "gitlab: repeated DELETE succeeds", prof: GitLabProfile(), ops: []string{"delete", "delete"},
			wantEvents: []EventType{EventDeprovisioned}, wantListed: 1},
		{name: "deprovision then reprovision", prof: RFCProfile(), ops: []string{"deprovision", "reprovision"},
			wantChange: Reprovisioned, wantEvents: []EventType{EventDeprovisioned, EventReprovisioned}, wantListed: 1},
		{name: "reprovision an active identity changes nothing", prof: RFCProfile(), ops: []string{"reprovision"}, wantListed: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.prof)
			if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
				t.Fatal(err)
			}
			f.events.take()
			id := idOf(f)
			var res *Result
			var err error
			for _, op := range tc.ops {
				switch op {
				case "delete":
					res, err = f.p.Delete(t.Context(), "g", id, 0)
				case "deprovision":
					res, err = f.p.Deprovision(t.Context(), "g", id)
				case "reprovision":
					res, err = f.p.Reprovision(t.Context(), "g", id)
				}
			}
			wantErr(t, err, tc.wantKind, "")
			if err == nil && res.Changes != tc.wantChange {
				t.Errorf("Changes = %v, want %v", res.Changes, tc.wantChange)
			}
			if d := diff(tc.wantEvents, f.events.take()); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			_, err = f.p.Get(t.Context(), "g", id)
			wantErr(t, err, tc.wantGet, "")
			page, err := f.p.List(t.Context(), "g", store.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != tc.wantListed || len(page.Results) != tc.wantListed {
				t.Errorf("listed %d (total %d), want %d", len(page.Results), page.Total, tc.wantListed)
			}
			if f.user(t, "id-1") == nil || f.saml(t, "id-1") == nil {
				t.Error("account or SAML identity gone")
			}
		})
	}
}

func TestDeleteRefusesLastOwner(t *testing.T) {
	t.Parallel()
	f := newFixture(t, GitLabProfile())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	err := f.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteMembership(ctx, "g", "owner"); err != nil {
			return err
		}
		return tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: "id-1", Role: store.RoleOwner, Version: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	before := f.snapshot(t)
	_, err = f.p.Delete(t.Context(), "g", "ext-1", 0)
	wantErr(t, err, KindRefused, "Could not remove Given Jdoe from Acme. Cannot remove last group owner.")
	if d := diff(before, f.snapshot(t)); d != "" {
		t.Errorf("refused DELETE wrote (-before +after):\n%s", d)
	}
}

func TestDeprovisionNonMemberStillDeactivates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error { return tx.DeleteMembership(ctx, "g", "id-1") }); err != nil {
		t.Fatal(err)
	}
	res, err := f.p.Deprovision(t.Context(), "g", "id-2")
	if err != nil {
		t.Fatal(err)
	}
	if res.Identity.Active || res.Changes != Deprovisioned {
		t.Errorf("got %+v, %v", res.Identity, res.Changes)
	}
}

// TestDeleteChecksIfMatch pins Delete's version check: a stale version is
// KindVersionMismatch and changes nothing; the current one deletes; 0
// checks nothing.
func TestDeleteChecksIfMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		ifMatch  func(current int64) int64
		wantKind Kind
	}{
		{"stale version", func(cur int64) int64 { return cur - 1 }, KindVersionMismatch},
		{"current version", func(cur int64) int64 { return cur }, 0},
		{"no check", func(int64) int64 { return 0 }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, RFCProfile())
			if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
				t.Fatal(err)
			}
			res, err := f.p.Modify(t.Context(), "g", "id-2", 0, func(doc map[string]any) (map[string]any, error) {
				doc["title"] = "CTO"
				return doc, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			before := f.snapshot(t)
			_, err = f.p.Delete(t.Context(), "g", "id-2", tc.ifMatch(res.Identity.Version))
			wantErr(t, err, tc.wantKind, "")
			if tc.wantKind != 0 {
				if d := diff(before, f.snapshot(t)); d != "" {
					t.Errorf("refused DELETE wrote (-before +after):\n%s", d)
				}
				return
			}
			if _, err := f.p.Get(t.Context(), "g", "id-2"); KindOf(err) != KindNotFound {
				t.Errorf("Get after Delete: %v, want KindNotFound", err)
			}
		})
	}
}
