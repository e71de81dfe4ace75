package scim

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

// TestPatchFailureLeavesStore sends PATCH requests that write attributes
// and then fail (in patch or in identity's checks) and
// checks that the store is as it was: the handler patches the resource it
// read without copying the attributes the operations leave alone, so
// nothing of a failed request may reach what is stored.
func TestPatchFailureLeavesStore(t *testing.T) {
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	tests := []struct {
		name   string
		ops    string
		status int
	}{
		{"patch error after writes", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"},{"op":"add","path":"name.givenName","value":"B"},{"op":"replace","path":"id","value":"x"}]`, http.StatusBadRequest},
		{"filter that matches nothing after writes", `[{"op":"add","path":"name.middleName","value":"M"},{"op":"replace","path":"phoneNumbers[type eq \"fax\"].value","value":"1"},{"op":"replace","path":"emails[type eq \"none\"].value","value":"y@example.com"}]`, http.StatusBadRequest},
		{"userName removed", `[{"op":"replace","path":"name.familyName","value":"F"},{"op":"remove","path":"userName"}]`, http.StatusBadRequest},
		{"work email removed", `[{"op":"add","path":"title","value":"T"},{"op":"remove","path":"emails[type eq \"work\"]"}]`, http.StatusBadRequest},
	}
	before := e.snapshot(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(t, http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+tc.ops+`}`)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if diff := cmp.Diff(before, e.snapshot(t)); diff != "" {
				t.Errorf("store changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestPatchNestedChangesAccount patches values nested in the stored
// document (an email through a filter, a sub-attribute of name) and checks
// that identity saw the change, which it finds by comparing with the
// document as read: had the patch written into the read document, the
// account would keep its old email and name.
func TestPatchNestedChangesAccount(t *testing.T) {
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	rec := e.do(t, http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
		`{"op":"replace","path":"emails[type eq \"work\"].value","value":"alice.new@example.com"},`+
		`{"op":"replace","path":"name.givenName","value":"Alicia"}]}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}
	var got [2]string
	err := e.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		s, err := tx.SCIMIdentity(ctx, "g-acme", id)
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, s.UserID)
		if err != nil {
			return err
		}
		got = [2]string{u.Email, u.Name}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([2]string{"alice.new@example.com", "Alicia Family"}, got); diff != "" {
		t.Errorf("account email and name (-want +got):\n%s", diff)
	}
	// A GET reads back what the PATCH answered.
	patched := decode(t, rec)
	if diff := cmp.Diff(patched, decode(t, e.do(t, http.MethodGet, "/Users/"+id, nil))); diff != "" {
		t.Errorf("GET after PATCH (-patch +get):\n%s", diff)
	}
}
