// Package idptest is a SAML identity provider for scimkit's own tests:
// crewjam/saml's IdentityProvider on an httptest server, which signs in
// whoever the test names and learns service providers from their metadata,
// and a reader of the form it answers with. It is not for hosts.
package idptest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"golang.org/x/net/html"
)

// NewKey returns a 2048-bit RSA key and a self-signed certificate for it,
// valid from 2020 to 2040, named name.
func NewKey(t testing.TB, name string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// IdP is the identity provider. Its SSO URL is Server.URL+"/sso", its
// metadata Server.URL+"/metadata", and Server.URL+"/initiate?sp=ENTITY-ID
// &RelayState=..." starts an IdP-initiated sign-in.
type IdP struct {
	IdP    *saml.IdentityProvider
	Server *httptest.Server
	// Plain, when set before Register, drops the SP's encryption keys,
	// so that assertions come in clear (for tests that change them).
	Plain bool

	mu  sync.Mutex
	who *saml.Session
	sps map[string]*saml.EntityDescriptor
}

// New starts an IdP that signs with key and cert on clock (nil: the real
// clock). issuer, when not empty, is its entity ID (a rogue IdP posing as
// another), else its metadata URL.
func New(t testing.TB, key *rsa.PrivateKey, cert *x509.Certificate, clock *dsig.Clock, issuer string) *IdP {
	t.Helper()
	i := &IdP{sps: map[string]*saml.EntityDescriptor{}}
	mux := http.NewServeMux()
	i.Server = httptest.NewServer(mux)
	t.Cleanup(i.Server.Close)
	base, _ := url.Parse(i.Server.URL)
	md, sso := *base, *base
	md.Path, sso.Path = "/metadata", "/sso"
	if issuer != "" {
		u, err := url.Parse(issuer)
		if err != nil {
			t.Fatal(err)
		}
		md = *u
	}
	i.IdP = &saml.IdentityProvider{Key: key, Certificate: cert, MetadataURL: md, SSOURL: sso,
		ServiceProviderProvider: i, SessionProvider: i, Clock: clock}
	mux.HandleFunc("/metadata", i.IdP.ServeMetadata)
	mux.HandleFunc("/sso", i.IdP.ServeSSO)
	mux.HandleFunc("/initiate", func(w http.ResponseWriter, r *http.Request) {
		i.IdP.ServeIDPInitiated(w, r, r.URL.Query().Get("sp"), r.URL.Query().Get("RelayState"))
	})
	return i
}

// GetServiceProvider implements saml.ServiceProviderProvider.
func (i *IdP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if ed, ok := i.sps[id]; ok {
		return ed, nil
	}
	return nil, os.ErrNotExist
}

// GetSession implements saml.SessionProvider: the session SignIn set, or
// a 403 when there is none.
func (i *IdP) GetSession(w http.ResponseWriter, _ *http.Request, _ *saml.IdpAuthnRequest) *saml.Session {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.who == nil {
		http.Error(w, "nobody signs in at this IdP", http.StatusForbidden)
		return nil
	}
	s := *i.who
	return &s
}

// SignIn makes the IdP sign in the person of s from now on.
func (i *IdP) SignIn(s saml.Session) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.who = &s
}

// MetadataXML is the IdP's metadata document.
func (i *IdP) MetadataXML(t testing.TB) string {
	t.Helper()
	b, err := xml.MarshalIndent(i.IdP.Metadata(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Register reads an SP's metadata at metadataURL with c, as an IdP
// administrator uploads it, under the SP's entity ID or under as when set
// (assertions for "as" then name that audience).
func (i *IdP) Register(t testing.TB, c *http.Client, metadataURL, as string) {
	t.Helper()
	resp, err := c.Get(metadataURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	ed := &saml.EntityDescriptor{}
	if resp.StatusCode != http.StatusOK || xml.Unmarshal(b, ed) != nil {
		t.Fatalf("SP metadata %s: %d %s", metadataURL, resp.StatusCode, b)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.Plain {
		for j := range ed.SPSSODescriptors {
			var kds []saml.KeyDescriptor
			for _, kd := range ed.SPSSODescriptors[j].KeyDescriptors {
				if kd.Use == "signing" {
					kds = append(kds, kd)
				}
			}
			ed.SPSSODescriptors[j].KeyDescriptors = kds
		}
	}
	if as != "" {
		ed.EntityID = as
	}
	i.sps[ed.EntityID] = ed
}

// Form reads the auto-submitting form an IdP answers a sign-in with: where
// it posts, and its fields (SAMLResponse, RelayState).
func Form(t testing.TB, resp *http.Response) (string, url.Values) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
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
		t.Fatalf("no SAML response form in the IdP's answer:\n%s", page)
	}
	return action, form
}
