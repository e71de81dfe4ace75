package settings_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// A host mounts the page behind its own idea of who owns a group: here a
// header stands in for the host's session.
func ExampleNew() {
	ctx := context.Background()
	st := memstore.New()
	st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutGroup(ctx, &store.Group{ID: "g1", Path: "acme", Name: "Acme", DefaultRole: store.RoleDeveloper})
	})
	events := settings.NewEventBuffer(50)
	prov, err := identity.New(st, identity.WithEventSink(events))
	if err != nil {
		panic(err)
	}
	page, err := settings.New(prov, st,
		func(r *http.Request, g *store.Group) (bool, error) {
			return r.Header.Get("X-Demo-User") == "owner-of-"+g.Path, nil
		},
		settings.WithSCIMURL("https://app.example.com/api/scim/v2/groups/{group}"),
		settings.WithEventLog(events))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/groups/", page)

	get := func(user string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/groups/acme/-/saml", nil)
		r.Header.Set("X-Demo-User", user)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	fmt.Println("stranger:", get("someone").Code)
	w := get("owner-of-acme")
	fmt.Println("owner:", w.Code, w.Header().Get("Cache-Control"))
	fmt.Println(regexp.MustCompile(`https://app\.example\.com/[^"]*`).FindString(w.Body.String()))
	fmt.Println(strings.Contains(w.Body.String(), "Generate a SCIM token"))

	// The token form, posted from the page in the owner's browser.
	r := httptest.NewRequest(http.MethodPost, "/groups/acme/-/saml/token", nil)
	r.Header.Set("X-Demo-User", "owner-of-acme")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	tok := regexp.MustCompile(`scimkit_[A-Za-z0-9_-]{43}`).FindString(w.Body.String())
	g, err := prov.Authenticate(ctx, "acme", tok)
	fmt.Println("token works:", err == nil && g.ID == "g1")
	// Output:
	// stranger: 403
	// owner: 200 no-store
	// https://app.example.com/api/scim/v2/groups/acme
	// true
	// token works: true
}
