package sso_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// appSessions stands for a host's own sessions: here the account "u1" is
// signed in, without a SAML sign-in. A real host reads its session cookie
// in Current and HasSAML, and sets it in Start.
type appSessions struct{}

func (appSessions) Current(r *http.Request) (string, error) { return "u1", nil }

func (appSessions) Start(w http.ResponseWriter, r *http.Request, s *sso.SignIn) error {
	return errors.New("not in this example")
}

func (appSessions) HasSAML(r *http.Request, groupID string) (bool, error) { return false, nil }

// A host mounts the SAML service provider of its groups beside the SCIM
// handler and shows each group's addresses to the IdP administrator.
func Example() {
	ctx := context.Background()
	st := memstore.New()
	prov, _ := identity.New(st)
	g, _, _ := prov.CreateGroup(ctx, identity.GroupSpec{Path: "acme", Token: "acme-token-0123456789"})
	// The IdP's SSO URL and certificate fingerprint, as GitLab's settings
	// page takes them (IdP metadata works too).
	_, err := sso.Configure(ctx, st, g.ID, store.SAMLConfig{
		Enabled:      true,
		SSOURL:       "https://login.idp.example/app/acme/sso/saml",
		Fingerprint:  "0b4f9c336b2ad811907a551ec3af026498dd7e41",
		NameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	linker, _ := identity.NewLinker(st)
	sp, err := sso.New("https://app.example", st, linker, appSessions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/groups/{group}/-/saml/", sp)

	u := sp.URLs("acme")
	fmt.Println("Identifier (entity ID):", u.EntityID)
	fmt.Println("Reply URL (ACS):       ", u.ACS)
	fmt.Println("Sign-on URL:           ", u.SSO)
	fmt.Println("Metadata:              ", u.Metadata)

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/groups/acme/-/saml/sso?redirect=/groups/acme", nil))
	fmt.Println(w.Code, w.Header().Get("Location")[:len("https://login.idp.example/app/acme/sso/saml?SAMLRequest=")])
	// Output:
	// Identifier (entity ID): https://app.example/groups/acme
	// Reply URL (ACS):        https://app.example/groups/acme/-/saml/callback
	// Sign-on URL:            https://app.example/groups/acme/-/saml/sso
	// Metadata:               https://app.example/groups/acme/-/saml/metadata
	// 302 https://login.idp.example/app/acme/sso/saml?SAMLRequest=
}

// Configure refuses a configuration it cannot use, naming the field.
func ExampleConfigure() {
	ctx := context.Background()
	st := memstore.New()
	prov, _ := identity.New(st)
	g, _, _ := prov.CreateGroup(ctx, identity.GroupSpec{Path: "acme", Token: "acme-token-0123456789"})
	_, err := sso.Configure(ctx, st, g.ID, store.SAMLConfig{
		SSOURL:      "https://login.idp.example/sso",
		Fingerprint: "AB:CD",
	})
	var ce *sso.ConfigError
	if errors.As(err, &ce) {
		fmt.Println(ce.Field+":", ce.Detail)
	}
	// Output:
	// Fingerprint: want the certificate's SHA-1 or SHA-256 fingerprint in hex (40 or 64 digits)
}

// With enforced SSO, a member of the group signed in without a SAML
// sign-in to it is sent through the group's single sign-on first.
func ExampleHandler_RequireSSO() {
	ctx := context.Background()
	st := memstore.New()
	prov, _ := identity.New(st)
	g, _, _ := prov.CreateGroup(ctx, identity.GroupSpec{Path: "acme", Token: "acme-token-0123456789", EnforceSSO: true})
	_, _ = sso.Configure(ctx, st, g.ID, store.SAMLConfig{Enabled: true,
		SSOURL: "https://login.idp.example/sso", Fingerprint: "0b4f9c336b2ad811907a551ec3af026498dd7e41"})
	_ = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: "ada", Email: "ada@example.com", State: store.UserActive}); err != nil {
			return err
		}
		return tx.PutMembership(ctx, &store.Membership{GroupID: g.ID, UserID: "u1", Role: store.RoleDeveloper})
	})
	linker, _ := identity.NewLinker(st)
	sp, _ := sso.New("https://app.example", st, linker, appSessions{})

	mux := http.NewServeMux()
	mux.Handle("/groups/{group}/-/saml/", sp)
	groupPages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "the group's page") })
	mux.Handle("/groups/{group}/", sp.RequireSSO(func(r *http.Request) string { return r.PathValue("group") })(groupPages))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/groups/acme/issues?state=open", nil))
	fmt.Println(w.Code, w.Header().Get("Location"))
	// Output:
	// 302 https://app.example/groups/acme/-/saml/sso?redirect=%2Fgroups%2Facme%2Fissues%3Fstate%3Dopen
}
