package main

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"golang.org/x/net/html"

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
		"SAML: not configured (configure it on the settings page, or give the IdP's metadata with -saml-idp beta=FILE|URL)\n",
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

// TestServerSAMLSettingsForm is the settings page's SAML section end to
// end on the example server: the addresses the page shows are the ones
// printed at start and the ones the SP metadata serves; an owner who
// pastes an IdP's metadata (group acme) or types its SSO URL and SHA-1
// fingerprint (group beta) configures SSO without a restart, and a person
// the IdP provisioned then signs in through it.
func TestServerSAMLSettingsForm(t *testing.T) {
	const admin = "demo-admin-token-0123"
	s := start(t, "-store", "memory", "-group", "acme=acme-token-0123456789", "-group", "beta=beta-token-0123456789", "-admin-token", admin)
	site := "http://" + s.addr
	p := newPageClient(t, s)
	if code, _, _ := p.do("/-/sign-in", url.Values{"token": {admin}}, ""); code != http.StatusSeeOther {
		t.Fatalf("sign in: %d", code)
	}
	acme, beta := newTestIdP(t), newTestIdP(t)
	s1 := sha1.Sum(beta.IdP.Certificate.Raw)
	tests := []struct {
		group    string
		idp      *idptest.IdP
		form     url.Values
		nameID   string
		role     string
		idpFacts string
	}{
		{"acme", acme, url.Values{"source": {"metadata"}, "metadata": {acme.MetadataXML(t)}, "default_role": {"30"}}, "00u1ada", "developer",
			acme.IdP.MetadataURL.String()},
		{"beta", beta, url.Values{"source": {"sso_url"}, "sso_url": {beta.Server.URL + "/sso"}, "fingerprint": {hex.EncodeToString(s1[:])}, "default_role": {"20"}}, "00u2bob", "reporter",
			"Any issuer: the certificate alone is trusted"},
	}
	for _, tc := range tests {
		t.Run(tc.group, func(t *testing.T) {
			settingsPath := "/groups/" + tc.group + "/-/saml"
			_, _, page := p.do(settingsPath, nil, "")
			shown := map[string]string{}
			for _, id := range []string{"saml-entity-id", "saml-acs", "saml-metadata", "saml-sso"} {
				shown[id] = inputValue(t, page, id)
			}
			// The page shows what the server printed at start.
			out := s.out.String()
			for id, line := range map[string]string{"saml-entity-id": "SAML entity ID: ", "saml-acs": "SAML ACS URL: ",
				"saml-metadata": "SAML SP metadata: ", "saml-sso": "SAML sign-in: "} {
				if !strings.Contains(out, "  "+line+shown[id]+"\n") {
					t.Errorf("the page shows %s %q, not printed at start:\n%s", id, shown[id], out)
				}
			}
			if shown["saml-entity-id"] != site+"/groups/"+tc.group {
				t.Errorf("entity ID %q", shown["saml-entity-id"])
			}

			form := tc.form
			form.Set("enabled", "on")
			form.Set("version", inputValue(t, page, "version"))
			code, loc, body := p.do(settingsPath, form, "")
			if code != http.StatusSeeOther || loc != settingsPath+"?saml=saved#saml" {
				t.Fatalf("save: %d %q\n%s", code, loc, body)
			}
			if _, _, page := p.do(loc, nil, ""); !strings.Contains(page, "SAML settings saved.") || !strings.Contains(page, tc.idpFacts) {
				t.Errorf("the page after the save:\n%s", page)
			}

			// The SP metadata the page points to serves the addresses it
			// shows.
			resp, err := http.Get(shown["saml-metadata"])
			if err != nil {
				t.Fatal(err)
			}
			var ed saml.EntityDescriptor
			if err := xml.Unmarshal([]byte(readBody(t, resp)), &ed); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("SP metadata: %d %v", resp.StatusCode, err)
			}
			if ed.EntityID != shown["saml-entity-id"] || ed.SPSSODescriptors[0].AssertionConsumerServices[0].Location != shown["saml-acs"] {
				t.Errorf("the SP metadata serves entity ID %q and ACS %q; the page shows %q and %q", ed.EntityID,
					ed.SPSSODescriptors[0].AssertionConsumerServices[0].Location, shown["saml-entity-id"], shown["saml-acs"])
			}

			// The IdP administrator gives the IdP that metadata; the IdP
			// provisions a person, who signs in through SSO.
			tc.idp.Register(t, http.DefaultClient, shown["saml-metadata"], "")
			code, got, _ := call(t, "POST", s.url(tc.group, "/Users"), tc.group+"-token-0123456789",
				`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"`+tc.nameID+`","userName":"`+tc.nameID+`","name":{"formatted":"Person `+tc.nameID+`"},"emails":[{"value":"`+tc.nameID+`@example.com","type":"work","primary":true}]}`)
			if code != http.StatusCreated {
				t.Fatalf("SCIM POST: %d %v", code, got)
			}
			tc.idp.SignIn(saml.Session{ID: "s-" + tc.nameID, CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
				NameID: tc.nameID, NameIDFormat: string(saml.PersistentNameIDFormat), UserEmail: tc.nameID + "@example.com"})
			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
			resp, err = browser.Get(shown["saml-sso"] + "?redirect=/groups/" + tc.group)
			if err != nil {
				t.Fatal(err)
			}
			action, idpForm := idptest.Form(t, resp)
			if action != shown["saml-acs"] {
				t.Fatalf("the IdP posts to %q, the page's ACS is %q", action, shown["saml-acs"])
			}
			resp, err = browser.PostForm(action, idpForm)
			if err != nil {
				t.Fatal(err)
			}
			if page := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Signed in as <strong>"+tc.nameID+"</strong>") ||
				!strings.Contains(page, "You are a member ("+tc.role+").") {
				t.Errorf("after SSO: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
			}
		})
	}
}

// inputValue returns the value of the input with this id, or of the one
// named so, on a page.
func inputValue(t *testing.T, page, id string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "input" {
			continue
		}
		attrs := map[string]string{}
		for _, a := range n.Attr {
			attrs[a.Key] = a.Val
		}
		if attrs["id"] == id || attrs["name"] == id {
			return attrs["value"]
		}
	}
	t.Fatalf("no input %q on the page:\n%s", id, page)
	return ""
}
