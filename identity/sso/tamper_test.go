package sso

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
)

// tamperEnv is a group whose IdP sends assertions in clear (so that tests
// can change them), with an attacker ("ext-1", who may sign in) and a
// victim ("victim") provisioned.
type tamperEnv struct {
	clk *testClock
	ti  *testIdP
	h   *host
	// signedIn is the account the attack's browser was signed in to the
	// host as before it posted, if any: the attack must leave it so.
	signedIn string
}

func newTamperEnv(t *testing.T) *tamperEnv {
	t.Helper()
	clk := newClock()
	ti := newTestIdP(t, clk, "idp-a", "")
	ti.Plain = true
	h := newHost(t, stores(t)["memstore"](t), clk, hostOptions{})
	h.addGroup("acme", ti, identity.GroupSpec{})
	h.addGroup("off", newTestIdP(t, clk, "idp-b", ""), identity.GroupSpec{})
	h.configure("off", store.SAMLConfig{Enabled: false, IdPMetadata: ti.metadataXML()})
	for _, u := range []string{"ext-1", "victim", "victim-not"} {
		h.provision("acme", u, "user-"+u, u+"@acme.example")
	}
	// "victim-not" is not provisioned in the IdP's directory under that
	// NameID for the comment attack below: drop its SAML link.
	err := h.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
		s, err := tx.SCIMIdentityByExternUID(ctx, h.ids["acme"], "victim-not")
		if err != nil {
			return err
		}
		return tx.DeleteSAMLIdentity(ctx, h.ids["acme"], s.UserID)
	})
	if err != nil {
		t.Fatal(err)
	}
	ti.asUser("ext-1", "")
	return &tamperEnv{clk: clk, ti: ti, h: h}
}

// assertionRE matches the (signed, clear) assertion of a response.
var assertionRE = regexp.MustCompile(`(?s)<saml:Assertion\b.*</saml:Assertion>`)

// TestTampering posts responses an attacker changed or made, and checks
// that each is refused with its reason, nothing is written, nobody is
// signed in, and nothing answers 500.
func TestTampering(t *testing.T) {
	tests := []struct {
		name string
		// attack returns the browser that posts and the answer.
		attack func(t *testing.T, e *tamperEnv) (*browser, *http.Response)
		status int
		msg    string
	}{
		{"flipped byte in the signed NameID", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			doc := f.decoded(t)
			i := strings.Index(doc, ">ext-1</saml:NameID>")
			if i < 0 {
				t.Fatalf("no NameID in %s", doc)
			}
			return b, b.post(f.with(doc[:i+4] + "2" + doc[i+5:]))
		}, http.StatusForbidden, "signature is missing or not valid"},
		{"flipped byte in the audience", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			doc := f.decoded(t)
			return b, b.post(f.with(strings.Replace(doc, "<saml:Audience>"+e.h.base, "<saml:Audience>"+strings.Replace(e.h.base, "1", "2", 1), 1)))
		}, http.StatusForbidden, "signature is missing or not valid"},
		{"unsigned", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			doc := signatures.ReplaceAllString(f.decoded(t), "")
			if strings.Contains(doc, "Signature") {
				t.Fatalf("signature left in %s", doc)
			}
			return b, b.post(f.with(strings.Replace(doc, ">ext-1<", ">victim<", 1)))
		}, http.StatusForbidden, "not signed by the group's identity provider"},
		{"signed by another key", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			rogue := newTestIdP(t, e.clk, "rogue", e.ti.IdP.IdP.MetadataURL.String())
			rogue.Plain = true
			rogue.register(e.h.srv.Client(), e.h.sp.URLs("acme").Metadata, "")
			rogue.asUser("victim", "")
			b := e.h.browser()
			return b, b.post(b.idpInitiated(rogue, e.h.sp.URLs("acme").EntityID, ""))
		}, http.StatusForbidden, "signed with a certificate the group does not trust"},
		{"wrong audience", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			e.ti.register(e.h.srv.Client(), e.h.sp.URLs("acme").Metadata, "https://other.example/groups/acme")
			b := e.h.browser()
			return b, b.post(b.idpInitiated(e.ti, "https://other.example/groups/acme", ""))
		}, http.StatusForbidden, "meant for another service provider (audience)"},
		{"expired", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			e.clk.advance(5 * time.Minute)
			return b, b.post(f)
		}, http.StatusForbidden, "has expired"},
		{"not valid yet", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			e.clk.advance(-10 * time.Minute)
			return b, b.post(f)
		}, http.StatusForbidden, "not valid yet"},
		{"replayed in the same browser", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			wantRedirect(t, b.post(f), "/")
			// The same browser, its session cookie cleared.
			u, _ := url.Parse(e.h.base)
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1}})
			return b, b.post(f)
		}, http.StatusForbidden, "does not answer a sign-in started in this browser"},
		{"IdP-initiated replayed by another browser", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.idpInitiated(e.ti, e.h.sp.URLs("acme").EntityID, "")
			wantRedirect(t, b.post(f), "/")
			thief := e.h.browser()
			return thief, thief.post(f)
		}, http.StatusForbidden, "was already used"},
		{"comment inside the NameID", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			// The IdP signs NameID "victim-not" for the attacker; a comment
			// after "victim" leaves the signature valid (canonical XML has
			// no comments), and a parser that read the first text node
			// would see "victim".
			e.ti.asUser("victim-not", "")
			b := e.h.browser()
			f := b.startSSO("acme", "")
			doc := f.decoded(t)
			if !strings.Contains(doc, ">victim-not<") {
				t.Fatalf("no NameID in %s", doc)
			}
			return b, b.post(f.with(strings.Replace(doc, ">victim-not<", ">victim<!---->-not<", 1)))
		}, http.StatusForbidden, "User is not linked to a SAML account"},
		{"wrapping: a forged assertion beside the signed one", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			doc := f.decoded(t)
			signed := assertionRE.FindString(doc)
			forged := strings.Replace(signatures.ReplaceAllString(signed, ""), ">ext-1<", ">victim<", 1)
			forged = strings.Replace(forged, `ID="`, `ID="forged-`, 1)
			// Drop the Response's own signature (the first), keep the
			// assertion's, and put the forged assertion first.
			resp := strings.Replace(doc, signed, forged+signed, 1)
			resp = strings.Replace(resp, signatures.FindString(resp), "", 1)
			return b, b.post(f.with(resp))
		}, http.StatusForbidden, "SAML authentication failed"},
		{"wrapping: the signed assertion inside a forged one", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			doc := f.decoded(t)
			signed := assertionRE.FindString(doc)
			forged := strings.Replace(signatures.ReplaceAllString(signed, ""), ">ext-1<", ">victim<", 1)
			forged = strings.Replace(forged, "</saml:Subject>", "</saml:Subject><saml:Advice>"+signed+"</saml:Advice>", 1)
			resp := strings.Replace(doc, signed, forged, 1)
			resp = strings.Replace(resp, signatures.FindString(resp), "", 1)
			return b, b.post(f.with(resp))
		}, http.StatusForbidden, "SAML authentication failed"},
		{"NameID too long, nobody signed in", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			e.ti.asUser(strings.Repeat("n", 300), "")
			b := e.h.browser()
			return b, b.post(b.startSSO("acme", ""))
		}, http.StatusForbidden, "the asserted nameID is too long"},
		{"NameID with a control character, someone signed in", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			e.ti.asUser("ext\u0085x", "")
			b := e.h.browser()
			e.signedIn = e.h.userOf("acme", "ext-1").ID
			b.login(e.signedIn)
			return b, b.post(b.startSSO("acme", ""))
		}, http.StatusForbidden, "the asserted nameID contains a control character"},
		{"10 MB SAMLResponse", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			return b, b.postTo(e.h.sp.URLs("acme").ACS, url.Values{"SAMLResponse": {strings.Repeat("QUFB", 10<<20/4)}})
		}, http.StatusRequestEntityTooLarge, "larger than this site accepts"},
		{"not base64", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			return b, b.postTo(e.h.sp.URLs("acme").ACS, url.Values{"SAMLResponse": {"<not base64>"}})
		}, http.StatusBadRequest, "not base64"},
		{"not XML", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			return b, b.post(samlForm{action: e.h.sp.URLs("acme").ACS}.with("<Response><unclosed>"))
		}, http.StatusForbidden, "malformed"},
		{"no SAMLResponse", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			return b, b.postTo(e.h.sp.URLs("acme").ACS, url.Values{"RelayState": {"/"}})
		}, http.StatusBadRequest, "no SAML response"},
		{"artifact in the query", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			return b, b.postTo(e.h.sp.URLs("acme").ACS+"?SAMLart=AAQAAA", url.Values{"SAMLResponse": {f.samlResponse}})
		}, http.StatusBadRequest, "only the HTTP-POST binding"},
		{"ACS of an unknown group", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			f.action = strings.Replace(f.action, "/acme/", "/nope/", 1)
			return b, b.post(f)
		}, http.StatusNotFound, "no group with SAML single sign-on"},
		{"ACS of a group with SSO disabled", func(t *testing.T, e *tamperEnv) (*browser, *http.Response) {
			b := e.h.browser()
			f := b.startSSO("acme", "")
			f.action = e.h.sp.URLs("off").ACS
			return b, b.post(f)
		}, http.StatusForbidden, "not enabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTamperEnv(t)
			before := e.h.snap()
			b, resp := tc.attack(t, e)
			wantPage(t, resp, tc.status, tc.msg)
			e.h.unchanged(before)
			if got := b.whoami(); got != e.signedIn {
				t.Errorf("signed in as %q, want %q", got, e.signedIn)
			}
		})
	}
}

// TestSSODisabledAndUnknown: the SSO route of a group with SAML off, of a
// group without SAML and of no group answer without reaching an IdP; the
// metadata of the unconfigured and the unknown group are the same 404.
func TestSSODisabledAndUnknown(t *testing.T) {
	e := newTamperEnv(t)
	e.h.addGroup("bare", nil, identity.GroupSpec{})
	b := e.h.browser()
	wantPage(t, b.get(e.h.sp.URLs("off").SSO), http.StatusForbidden, "SAML single sign-on is not enabled for off.")
	bare := wantPage(t, b.get(e.h.sp.URLs("bare").SSO), http.StatusNotFound, "no group with SAML single sign-on")
	nope := wantPage(t, b.get(e.h.sp.URLs("nope").SSO), http.StatusNotFound, "no group with SAML single sign-on")
	if bare != nope {
		t.Errorf("a group without SAML and no group answer differently:\n%s\n%s", bare, nope)
	}
	bareMD := wantPage(t, b.get(e.h.sp.URLs("bare").Metadata), http.StatusNotFound, "no group with SAML single sign-on")
	nopeMD := wantPage(t, b.get(e.h.sp.URLs("nope").Metadata), http.StatusNotFound, "no group with SAML single sign-on")
	if bareMD != nopeMD {
		t.Errorf("metadata of a group without SAML and of no group differ")
	}
	// A configured but disabled group has metadata: its IdP can be set up
	// first.
	if resp := b.get(e.h.sp.URLs("off").Metadata); resp.StatusCode != http.StatusOK {
		t.Errorf("metadata of a disabled group: %d", resp.StatusCode)
	}
}
