package settings_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/identity/sso"
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

// appSessions stands for the host's sessions, which the SAML handler
// needs; the example signs nobody in.
type appSessions struct{}

func (appSessions) Current(*http.Request) (string, error) { return "", nil }

func (appSessions) Start(http.ResponseWriter, *http.Request, *sso.SignIn) error { return nil }

func (appSessions) HasSAML(*http.Request, string) (bool, error) { return false, nil }

// With the SAML handler's addresses, the page shows them to the owner and
// takes the group's SAML settings, saved through sso.Configure.
func ExampleWithSAML() {
	ctx := context.Background()
	st := memstore.New()
	prov, _ := identity.New(st)
	g, _, _ := prov.CreateGroup(ctx, identity.GroupSpec{Path: "acme", Token: "acme-token-0123456789"})
	linker, _ := identity.NewLinker(st)
	sp, err := sso.New("https://app.example.com", st, linker, appSessions{})
	if err != nil {
		panic(err)
	}
	page, err := settings.New(prov, st, func(*http.Request, *store.Group) (bool, error) { return true, nil },
		settings.WithSAML(sp.URLs))
	if err != nil {
		panic(err)
	}
	w := httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/groups/acme/-/saml", nil))
	fmt.Println(regexp.MustCompile(`id="saml-acs" [^>]*value="([^"]*)"`).FindStringSubmatch(w.Body.String())[1])

	// The owner enters the IdP's SSO URL and SHA-1 fingerprint, as GitLab
	// asks for them, and saves.
	form := url.Values{
		"version":      {"1"},
		"enabled":      {"on"},
		"source":       {"sso_url"},
		"sso_url":      {"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2"},
		"fingerprint":  {"0b4f9c336b2ad811907a551ec3af026498dd7e41"},
		"default_role": {"30"},
	}
	r := httptest.NewRequest(http.MethodPost, "/groups/acme/-/saml", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w = httptest.NewRecorder()
	page.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Location"))
	st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		g, _ = tx.Group(ctx, g.ID)
		return nil
	})
	fmt.Println(g.SAML.Enabled, g.SAML.Fingerprint, g.DefaultRole)
	// Output:
	// https://app.example.com/groups/acme/-/saml/callback
	// 303 /groups/acme/-/saml?saml=saved#saml
	// true 0B:4F:9C:33:6B:2A:D8:11:90:7A:55:1E:C3:AF:02:64:98:DD:7E:41 developer
}
