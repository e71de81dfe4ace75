package sso

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// FuzzACS posts arbitrary SAMLResponse form values to the ACS of a group
// configured with IdP metadata and of one configured with an SSO URL and a
// fingerprint (whose responses go through peek): never a panic, never a
// 500, never a sign-in (the store has no account). The seeds include real
// responses signed by the group's IdP, in clear and encrypted;
// testdata/fuzz/FuzzACS holds more.
// acsFixture is a handler over a memstore without accounts, with group
// acme configured with the metadata of an IdP and group fp with the IdP's
// SSO URL and SHA-1 fingerprint, and real responses of that IdP to acme
// (unsolicited, NameID "ext-1"), in clear and encrypted.
type acsFixture struct {
	h     *Handler
	sess  *sessions
	plain string // base64 SAMLResponse values
	enc   string
}

func newACSFixture(tb testing.TB, opts ...Option) *acsFixture {
	tb.Helper()
	clk := newClock()
	k := testKey(tb, "idp-a")
	st := memstore.New()
	linker, err := identity.NewLinker(st, identity.WithClock(clk.now))
	if err != nil {
		tb.Fatal(err)
	}
	sess := newSessions()
	spk := testKey(tb, "sp")
	h, err := New("http://app.example", st, linker, sess,
		append([]Option{WithClock(clk.now), WithServiceProviderKey(spk.key, spk.cert)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	mdURL, _ := url.Parse("https://idp.example/metadata")
	ssoURL, _ := url.Parse("https://idp.example/sso")
	idp := &saml.IdentityProvider{Key: k.key, Certificate: k.cert, MetadataURL: *mdURL, SSOURL: *ssoURL, Clock: dsigClock(clk.now)}
	md, err := xml.Marshal(idp.Metadata())
	if err != nil {
		tb.Fatal(err)
	}
	fp := sha1.Sum(k.cert.Raw)
	ctx := context.Background()
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		for _, g := range []*store.Group{{ID: "g1", Path: "acme"}, {ID: "g2", Path: "fp"}} {
			if err := tx.PutGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	g1, err := Configure(ctx, st, "g1", store.SAMLConfig{Enabled: true, IdPMetadata: string(md)})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := Configure(ctx, st, "g2", store.SAMLConfig{Enabled: true, SSOURL: ssoURL.String(), Fingerprint: formatFingerprint(fp[:])}); err != nil {
		tb.Fatal(err)
	}
	key, err := h.keys.get(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	fx := &acsFixture{h: h, sess: sess}
	for _, plain := range []bool{true, false} {
		spMeta := h.serviceProvider(g1, nil, key).Metadata()
		if plain {
			spMeta.SPSSODescriptors[0].KeyDescriptors = nil
		}
		req := &saml.IdpAuthnRequest{IDP: idp, Now: clk.now(), ServiceProviderMetadata: spMeta, HTTPRequest: httptest.NewRequest(http.MethodGet, "/", nil),
			SPSSODescriptor: &spMeta.SPSSODescriptors[0], ACSEndpoint: &spMeta.SPSSODescriptors[0].AssertionConsumerServices[0]}
		session := &saml.Session{ID: "s", CreateTime: clk.now(), ExpireTime: clk.now().Add(time.Hour), Index: "1",
			NameID: "ext-1", NameIDFormat: string(saml.PersistentNameIDFormat), UserEmail: "jdoe@acme.example"}
		if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
			tb.Fatal(err)
		}
		form, err := req.PostBinding()
		if err != nil {
			tb.Fatal(err)
		}
		if plain {
			fx.plain = form.SAMLResponse
		} else {
			fx.enc = form.SAMLResponse
		}
	}
	return fx
}

// FuzzACS posts arbitrary SAMLResponse form values to the ACS of a group
// configured with IdP metadata and of one configured with an SSO URL and a
// fingerprint (whose responses go through peek): never a panic, never a
// 500, never a sign-in (the store has no account). The seeds include real
// responses signed by the group's IdP, in clear and encrypted;
// testdata/fuzz/FuzzACS holds more.
func FuzzACS(f *testing.F) {
	fx := newACSFixture(f)
	h, sess := fx.h, fx.sess
	for _, v := range []string{fx.plain, fx.enc} {
		f.Add(v)
		if w := postACS(h, "acme", v); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "User is not linked") {
			f.Fatalf("a real response was not verified: %d\n%s", w.Code, w.Body)
		}
		doc, _ := base64.StdEncoding.DecodeString(v)
		f.Add(base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(doc), "ext-1", "victim", 1))))
	}
	for _, s := range []string{
		"", "AAAA", "!!!", strings.Repeat("A", 4096),
		base64.StdEncoding.EncodeToString([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)),
		base64.StdEncoding.EncodeToString([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Version="2.0"><saml:Issuer>x</saml:Issuer><saml:Assertion ID="a"><saml:Subject><saml:NameID>victim</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>`)),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, path := range []string{"acme", "fp"} {
			w := postACS(h, path, v)
			if w.Code >= 500 || w.Code < 400 {
				t.Fatalf("ACS of %s answered %d for %q:\n%s", path, w.Code, v, w.Body)
			}
		}
		if n := len(sess.starts); n != 0 {
			t.Fatalf("%d sessions started for %q", n, v)
		}
	})
}

// postACS posts a SAMLResponse form value to group path's ACS.
func postACS(h *Handler, path, v string) *httptest.ResponseRecorder {
	body := url.Values{"SAMLResponse": {v}, "RelayState": {"/x"}}.Encode()
	r := httptest.NewRequest(http.MethodPost, "/groups/"+path+"/-/saml/callback", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// acceptAll is a ReplayCache that never refuses, so that a benchmark can
// post one response again and again.
type acceptAll struct{}

func (acceptAll) Consume(string, time.Time) error { return nil }

// BenchmarkACS measures the ACS verifying a real response (signature,
// conditions, decryption when encrypted) up to the Linker's answer.
//
//	go test ./identity/sso -run '^$' -bench ACS -benchmem
func BenchmarkACS(b *testing.B) {
	fx := newACSFixture(b, WithReplayCache(acceptAll{}))
	for _, bc := range []struct{ name, path, v string }{
		{"metadata/plain", "acme", fx.plain},
		{"metadata/encrypted", "acme", fx.enc},
		{"fingerprint/another group's audience", "fp", fx.plain},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if w := postACS(fx.h, bc.path, bc.v); w.Code != http.StatusForbidden {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkSSOStart measures the SSO route: an AuthnRequest, its redirect
// URL and the tracking cookie.
//
//	go test ./identity/sso -run '^$' -bench SSOStart -benchmem
func BenchmarkSSOStart(b *testing.B) {
	fx := newACSFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/groups/acme/-/saml/sso?redirect=/x", nil))
		if w.Code != http.StatusFound {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
