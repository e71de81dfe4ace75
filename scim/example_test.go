package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memstore"
)

// ExampleNew mounts the handler for every group of a store under
// /api/scim/v2/groups/{group} and provisions a user as Entra ID would.
func ExampleNew() {
	ctx := context.Background()
	prov, err := identity.New(memstore.New())
	if err != nil {
		panic(err)
	}
	// The token is generated unless given; show it to the administrator once.
	if _, _, err := prov.CreateGroup(ctx, identity.GroupSpec{Path: "acme", Token: "example-token-0123456789"}); err != nil {
		panic(err)
	}
	h, err := scim.New(prov, scim.WithPrefix("/api/scim/v2/groups/{group}"))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/scim/v2/groups/", h)

	req := httptest.NewRequest(http.MethodPost, "/api/scim/v2/groups/acme/Users", strings.NewReader(
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"0a21f0f2","userName":"jdoe",
		  "emails":[{"value":"jdoe@example.com","type":"work","primary":true}],"active":true}`))
	req.Header.Set("Authorization", "Bearer example-token-0123456789")
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))

	req = httptest.NewRequest(http.MethodGet, "/api/scim/v2/groups/acme/Users?filter=userName+eq+%22nobody%22", nil)
	req.Header.Set("Authorization", "Bearer example-token-0123456789")
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())

	req = httptest.NewRequest(http.MethodGet, "/api/scim/v2/groups/acme/Users", nil)
	req.Header.Set("Authorization", "Bearer wrong")
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 201 application/scim+json; charset=utf-8
	// 200 {"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resources":[],"itemsPerPage":0,"startIndex":1,"totalResults":0}
	// 401 {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"invalid bearer token"}
}
