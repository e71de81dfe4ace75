package scim_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// A handler that answers as GitLab's group SCIM API, replaying requests of
// GitLab's documentation.
func ExampleWithProfile_gitLab() {
	ctx := context.Background()
	st := memstore.New()
	prov, _ := identity.New(st, identity.WithProfile(scim.ProfileGitLab.Rules()))
	g, _, _ := prov.CreateGroup(ctx, identity.GroupSpec{Path: "acme", Token: "acme-token-0123456789"})
	// GitLab serves SCIM only for a group with SAML SSO configured
	// (identity/sso.Configure checks and stores one).
	_, _ = sso.Configure(ctx, st, g.ID, store.SAMLConfig{Enabled: true, SSOURL: "https://idp.example/sso",
		Fingerprint: "0B:4F:9C:33:6B:2A:D8:11:90:7A:55:1E:C3:AF:02:64:98:DD:7E:41"})
	h, err := scim.New(prov, scim.WithProfile(scim.ProfileGitLab), scim.WithStore(st),
		scim.WithPrefix("/api/scim/v2/groups/{group}"))
	if err != nil {
		fmt.Println(err)
		return
	}
	do := func(method, target, body string) {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer acme-token-0123456789")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(strings.TrimSpace(fmt.Sprint(w.Code, " ", w.Body)))
	}
	base := "/api/scim/v2/groups/acme/Users"
	do("POST", base, `{"externalId":"test_uid","userName":"username","emails":[{"type":"work","value":"work@example.com","primary":true}],"name":{"formatted":"Test Name"}}`)
	do("GET", base+`?filter=id+eq+%22test_uid%22+and+active+eq+true`, "")
	do("PATCH", base+"/test_uid", `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	do("GET", "/api/scim/v2/groups/nope/Users", "")
	// Output:
	// 201 {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"test_uid","active":true,"emails":[{"type":"work","value":"work@example.com","primary":true}],"name":{"formatted":"Test Name","givenName":"Test","familyName":"Name"},"meta":{"resourceType":"User"},"userName":"username"}
	// 412 {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Unsupported Filter","status":412}
	// 204
	// 404 {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Group nope not found","status":404}
}
