package scim

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

// TestDeletedStaysDeleted pins RFC 7644 §3.6 over HTTP, on every store:
// after DELETE /Users/{id} the id answers 404 to every method, for good; a
// list no longer shows it and it has left its groups; a later POST of the
// same person (same externalId, same email) creates a new resource with a
// new id for the same account, whose membership of the tenant is
// restored; and the old id still answers 404.
func TestDeletedStaysDeleted(t *testing.T) {
	t.Parallel()
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnvOn(t, st.open(t))
			const person = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"0a21f0f2","userName":"ada@example.com",
				"name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"primary":true,"type":"work","value":"ada@example.com"}],"active":true}`
			rec := e.do(t, http.MethodPost, "/Users", person)
			if rec.Code != http.StatusCreated {
				t.Fatalf("POST: %d %s", rec.Code, rec.Body)
			}
			old := decode(t, rec)["id"].(string)
			gid := e.createGroup(t, "Engineering", old)
			account := e.account(t, old)

			if rec := e.do(t, http.MethodDelete, "/Users/"+old, nil); rec.Code != http.StatusNoContent {
				t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
			}
			gone := func(when string) {
				t.Helper()
				for _, m := range []struct{ method, body string }{
					{http.MethodGet, ""},
					{http.MethodHead, ""},
					{http.MethodPut, person},
					{http.MethodPatch, `{"Operations":[{"op":"replace","path":"active","value":true}]}`},
					{http.MethodDelete, ""},
				} {
					rec := e.do(t, m.method, "/Users/"+old, m.body)
					if rec.Code != http.StatusNotFound {
						t.Errorf("%s: %s of the deleted id: %d %s", when, m.method, rec.Code, rec.Body)
					}
				}
				for _, f := range []string{`externalId eq "0a21f0f2"`, `id eq "` + old + `"`} {
					rec := e.do(t, http.MethodGet, "/Users?filter="+url.QueryEscape(f), nil)
					for _, r := range decode(t, rec)["Resources"].([]any) {
						if r.(map[string]any)["id"] == old {
							t.Errorf("%s: the filter %s lists the deleted id", when, f)
						}
					}
				}
				rec := e.do(t, http.MethodGet, "/Groups?filter="+url.QueryEscape(`members[value eq "`+old+`"]`), nil)
				if got := decode(t, rec)["totalResults"]; got != 0.0 {
					t.Errorf("%s: the deleted id is in %v groups", when, got)
				}
				if rec := e.do(t, http.MethodPatch, "/Groups/"+gid, `{"Operations":[{"op":"add","path":"members","value":[{"value":"`+old+`"}]}]}`); rec.Code != http.StatusBadRequest {
					t.Errorf("%s: adding the deleted id to a group: %d %s", when, rec.Code, rec.Body)
				}
			}
			gone("after DELETE")
			if e.member(t, account) {
				t.Errorf("the account is still a member after DELETE")
			}

			rec = e.do(t, http.MethodPost, "/Users", person)
			if rec.Code != http.StatusCreated {
				t.Fatalf("POST again: %d %s", rec.Code, rec.Body)
			}
			again := decode(t, rec)
			if again["id"] == old || again["id"] == "" {
				t.Errorf("POST again gave id %v, the deleted one was %s", again["id"], old)
			}
			if diff := cmp.Diff([]any{"0a21f0f2", "ada@example.com", true}, []any{again["externalId"], again["userName"], again["active"]}); diff != "" {
				t.Errorf("POST again (-want +got):\n%s", diff)
			}
			if got := e.account(t, again["id"].(string)); got != account {
				t.Errorf("POST again made account %s, want the same account %s", got, account)
			}
			if !e.member(t, account) {
				t.Errorf("the account's membership is not restored")
			}
			gone("after POST again")
			if rec := e.do(t, http.MethodGet, "/Users/"+again["id"].(string), nil); rec.Code != http.StatusOK {
				t.Errorf("GET of the new id: %d", rec.Code)
			}
		})
	}
}

// account returns the account behind the User id.
func (e *testEnv) account(t testing.TB, id string) string {
	t.Helper()
	res, err := e.prov.Get(context.Background(), "g-acme", id)
	if err != nil {
		t.Fatal(err)
	}
	return res.Identity.UserID
}

// member reports whether the account is a member of acme.
func (e *testEnv) member(t testing.TB, userID string) bool {
	t.Helper()
	var ok bool
	err := e.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Membership(ctx, "g-acme", userID)
		ok = err == nil
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
