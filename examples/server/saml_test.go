package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/scimkit/scimkit/internal/idptest"
)

// newTestIdP starts a SAML identity provider (crewjam/saml's) on a
// loopback listener.
func newTestIdP(t *testing.T) *idptest.IdP {
	t.Helper()
	key, cert := idptest.NewKey(t, "test IdP")
	return idptest.New(t, key, cert, nil, "")
}

// idpMetadataFile writes the metadata of a new IdP to a file.
func idpMetadataFile(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "idp-metadata.xml")
	if err := os.WriteFile(f, []byte(newTestIdP(t).MetadataXML(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestServerSAMLSignIn is the README's walk-through on the example server:
// point a group at an IdP's metadata URL, give the IdP the printed SP
// metadata, provision a user over SCIM, sign in as that user through SSO
// and land on the home page as the linked account.
func TestServerSAMLSignIn(t *testing.T) {
	ti := newTestIdP(t)
	s := start(t, "-store", "memory", "-group", "acme=acme-token-0123456789", "-group", "beta=beta-token-0123456789",
		"-saml-idp", "acme="+ti.Server.URL+"/metadata")
	out := s.out.String()
	site := "http://" + s.addr
	for _, want := range []string{
		"SAML entity ID: " + site + "/groups/acme\n",
		"SAML ACS URL: " + site + "/groups/acme/-/saml/callback\n",
		"SAML SP metadata: " + site + "/groups/acme/-/saml/metadata\n",
		"SAML sign-in: " + site + "/groups/acme/-/saml/sso\n",
		"SAML: enabled, IdP metadata from " + ti.Server.URL + "/metadata\n",
		"SAML: not configured (give the IdP's metadata with -saml-idp beta=FILE|URL)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	ti.Register(t, http.DefaultClient, site+"/groups/acme/-/saml/metadata", "")
	code, body, _ := call(t, "POST", s.url("acme", "/Users"), "acme-token-0123456789",
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"00u1jane","userName":"jane","name":{"formatted":"Jane Doe"},"emails":[{"value":"jane@example.com","type":"work","primary":true}]}`)
	if code != http.StatusCreated {
		t.Fatalf("SCIM POST: %d %v", code, body)
	}
	ti.SignIn(saml.Session{ID: "s1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
		NameID: "00u1jane", NameIDFormat: string(saml.PersistentNameIDFormat), UserEmail: "jane@example.com"})

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := browser.Get(site + "/groups/acme/-/saml/sso?redirect=/groups/acme")
	if err != nil {
		t.Fatal(err)
	}
	action, form := idptest.Form(t, resp)
	if action != site+"/groups/acme/-/saml/callback" {
		t.Fatalf("the IdP posts to %q", action)
	}
	resp, err = browser.PostForm(action, form) // follows the 303 to /groups/acme
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/groups/acme" ||
		!strings.Contains(page, "Signed in as <strong>jane</strong>") || !strings.Contains(page, "You are a member (guest).") {
		t.Fatalf("after SSO: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	// The home page and signing out.
	resp, err = browser.Get(site + "/")
	if err != nil {
		t.Fatal(err)
	}
	if page := readBody(t, resp); !strings.Contains(page, "Signed in as <strong>jane</strong>") {
		t.Errorf("home page:\n%s", page)
	}
	resp, err = browser.PostForm(site+"/-/sign-out", nil)
	if err != nil {
		t.Fatal(err)
	}
	if page := readBody(t, resp); !strings.Contains(page, "Not signed in.") {
		t.Errorf("after signing out:\n%s", page)
	}
	// A NameID the IdP asserts for someone not provisioned: refused.
	ti.SignIn(saml.Session{ID: "s2", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
		NameID: "00u2nobody", NameIDFormat: string(saml.PersistentNameIDFormat)})
	resp, err = browser.Get(site + "/groups/acme/-/saml/sso")
	if err != nil {
		t.Fatal(err)
	}
	action, form = idptest.Form(t, resp)
	resp, err = browser.PostForm(action, form)
	if err != nil {
		t.Fatal(err)
	}
	if page := readBody(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "User is not linked to a SAML account") {
		t.Errorf("unknown NameID: %d\n%s", resp.StatusCode, page)
	}
	// beta has no SAML configuration: no SAML routes.
	resp, err = browser.Get(site + "/groups/beta/-/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != http.StatusNotFound {
		t.Errorf("metadata of a group without SAML: %d", resp.StatusCode)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
