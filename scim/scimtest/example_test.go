package scimtest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim/scimtest"
	"github.com/scimkit/scimkit/store/memstore"
)

// A host's test of its SCIM set-up: scimkit over the host's store, and the
// whole syncs of Entra ID, Okta and OneLogin against it. The body belongs
// in a host's func TestSCIM(t *testing.T); this example is compiled but not
// run, since it needs that t (TestCheck runs the same calls; Example_ownHandler
// is the one that runs).
func Example() {
	var t *testing.T     // the host test's t
	st := memstore.New() // or the host's own store.Store
	srv := scimtest.NewServer(t, scimtest.WithStore(st), scimtest.WithProfile(identity.GitLabProfile()))
	scimtest.Check(t, srv.URL, srv.Token, scimtest.WithProfile(identity.GitLabProfile()))
	for _, e := range srv.Events() {
		if e.Type == identity.EventProvisioned && e.UserID == "" {
			t.Errorf("provisioned event without an account: %+v", e)
		}
	}
}

// A host that serves SCIM through its own router points the clients at it:
// the group's base URL on the host's server, and that group's token.
func Example_hostRouter() {
	var t *testing.T        // the host test's t
	var router http.Handler // the host's router, with scimkit mounted in it
	var token string        // a token of the group "acme"
	ts := httptest.NewServer(router)
	defer ts.Close()
	scimtest.Check(t, ts.URL+"/api/scim/v2/groups/acme", token)
	// Or one IdP, step by step:
	okta := scimtest.NewOkta(t, ts.URL+"/api/scim/v2/groups/acme", token)
	u := okta.CreateUser(scimtest.Person{ExternalID: "00u1", UserName: "ann@example.com",
		Email: "ann@example.com", GivenName: "Ann", FamilyName: "Ko"})
	okta.DeactivateUser(u.ID)
}
