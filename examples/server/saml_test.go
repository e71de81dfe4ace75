package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"golang.org/x/net/html"
)

// testIdP is a SAML identity provider (crewjam/saml's) on a loopback
// listener that signs in one person, and learns service providers from
// their metadata URL.
type testIdP struct {
	idp *saml.IdentityProvider
	srv *httptest.Server

	mu  sync.Mutex
	sps map[string]*saml.EntityDescriptor
	who *saml.Session
}

func newTestIdP(t *testing.T) *testIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test IdP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ti := &testIdP{sps: map[string]*saml.EntityDescriptor{}}
	mux := http.NewServeMux()
	ti.srv = httptest.NewServer(mux)
	t.Cleanup(ti.srv.Close)
	base, _ := url.Parse(ti.srv.URL)
	md, sso := *base, *base
	md.Path, sso.Path = "/metadata", "/sso"
	ti.idp = &saml.IdentityProvider{Key: key, Certificate: cert, MetadataURL: md, SSOURL: sso,
		ServiceProviderProvider: ti, SessionProvider: ti}
	mux.HandleFunc("/metadata", ti.idp.ServeMetadata)
	mux.HandleFunc("/sso", ti.idp.ServeSSO)
	return ti
}

// GetServiceProvider implements saml.ServiceProviderProvider.
func (ti *testIdP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	if ed, ok := ti.sps[id]; ok {
		return ed, nil
	}
	return nil, os.ErrNotExist
}

// GetSession implements saml.SessionProvider.
func (ti *testIdP) GetSession(w http.ResponseWriter, _ *http.Request, _ *saml.IdpAuthnRequest) *saml.Session {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	if ti.who == nil {
		http.Error(w, "nobody signs in", http.StatusForbidden)
		return nil
	}
	s := *ti.who
	return &s
}

// signIn makes the IdP sign in the person of session s.
func (ti *testIdP) signIn(s *saml.Session) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.who = s
}

// register reads an SP's metadata, as an IdP administrator uploads it.
func (ti *testIdP) register(t *testing.T, metadataURL string) {
	t.Helper()
	resp, err := http.Get(metadataURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	ed := &saml.EntityDescriptor{}
	if resp.StatusCode != http.StatusOK || xml.Unmarshal(b, ed) != nil {
		t.Fatalf("SP metadata %s: %d %s", metadataURL, resp.StatusCode, b)
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.sps[ed.EntityID] = ed
}

// idpMetadataFile writes the metadata of a new IdP to a file.
func idpMetadataFile(t *testing.T) string {
	t.Helper()
	ti := newTestIdP(t)
	b, err := xml.Marshal(ti.idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "idp-metadata.xml")
	if err := os.WriteFile(f, b, 0o600); err != nil {
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
		"-saml-idp", "acme="+ti.srv.URL+"/metadata")
	out := s.out.String()
	site := "http://" + s.addr
	for _, want := range []string{
		"SAML entity ID: " + site + "/groups/acme\n",
		"SAML ACS URL: " + site + "/groups/acme/-/saml/callback\n",
		"SAML SP metadata: " + site + "/groups/acme/-/saml/metadata\n",
		"SAML sign-in: " + site + "/groups/acme/-/saml/sso\n",
		"SAML: enabled, IdP metadata from " + ti.srv.URL + "/metadata\n",
		"SAML: not configured (give the IdP's metadata with -saml-idp beta=FILE|URL)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	ti.register(t, site+"/groups/acme/-/saml/metadata")
	code, body, _ := call(t, "POST", s.url("acme", "/Users"), "acme-token-0123456789",
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"00u1jane","userName":"jane","name":{"formatted":"Jane Doe"},"emails":[{"value":"jane@example.com","type":"work","primary":true}]}`)
	if code != http.StatusCreated {
		t.Fatalf("SCIM POST: %d %v", code, body)
	}
	ti.signIn(&saml.Session{ID: "s1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
		NameID: "00u1jane", NameIDFormat: string(saml.PersistentNameIDFormat), UserEmail: "jane@example.com"})

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := browser.Get(site + "/groups/acme/-/saml/sso?redirect=/groups/acme")
	if err != nil {
		t.Fatal(err)
	}
	action, form := idpForm(t, resp)
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
	ti.signIn(&saml.Session{ID: "s2", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
		NameID: "00u2nobody", NameIDFormat: string(saml.PersistentNameIDFormat)})
	resp, err = browser.Get(site + "/groups/acme/-/saml/sso")
	if err != nil {
		t.Fatal(err)
	}
	action, form = idpForm(t, resp)
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

// idpForm reads the auto-submitting form the IdP answers with.
func idpForm(t *testing.T, resp *http.Response) (string, url.Values) {
	t.Helper()
	page := readBody(t, resp)
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("IdP answered %d: %s", resp.StatusCode, page)
	}
	var action string
	form := url.Values{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
			}
			switch {
			case n.Data == "form":
				action = attr["action"]
			case n.Data == "input" && attr["name"] != "":
				form.Set(attr["name"], attr["value"])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if action == "" || form.Get("SAMLResponse") == "" {
		t.Fatalf("no SAML form in:\n%s", page)
	}
	return action, form
}
