package scimtest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/scimtest"
	"github.com/scimkit/scimkit/store/memstore"
)

// report is a require.TestingT that prints what a failing step says; in a
// host's test, the test's own t takes its place.
type report struct{ failed bool }

func (r *report) Errorf(format string, args ...any) {
	r.failed = true
	fmt.Printf(format+"\n", args...)
}

func (r *report) FailNow() { r.failed = true }

// A host mounts scimkit's handler on its own router, under its own path,
// and points the three IdPs' scripted clients at it. This example runs:
// each client provisions, updates, deactivates and reactivates a person
// through the host's router, as its IdP does.
func Example_ownHandler() {
	ctx := context.Background()
	prov, err := identity.New(memstore.New()) // the host's own store.Store goes here
	if err != nil {
		panic(err)
	}
	_, token, err := prov.CreateGroup(ctx, identity.GroupSpec{Path: "acme"})
	if err != nil {
		panic(err)
	}
	h, err := scim.New(prov, scim.WithGroup("acme"))
	if err != nil {
		panic(err)
	}
	router := http.NewServeMux() // the host's router
	router.Handle("/internal/scim/", http.StripPrefix("/internal/scim", h))
	srv := httptest.NewServer(router)
	defer srv.Close()

	base := srv.URL + "/internal/scim"
	for _, idp := range []struct {
		name string
		sync func(t *report) scimtest.Person
	}{
		{"Entra ID", func(t *report) scimtest.Person { return scimtest.NewEntra(t, base, string(token)).Sync() }},
		{"Okta", func(t *report) scimtest.Person { return scimtest.NewOkta(t, base, string(token)).Sync() }},
		{"OneLogin", func(t *report) scimtest.Person { return scimtest.NewOneLogin(t, base, string(token)).Sync() }},
	} {
		t := &report{}
		idp.sync(t)
		fmt.Printf("%s: failed %v\n", idp.name, t.failed)
	}
	// Output:
	// Entra ID: failed false
	// Okta: failed false
	// OneLogin: failed false
}
