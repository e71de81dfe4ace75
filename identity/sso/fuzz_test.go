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
// conditions, decryption when encrypted) up to the Linker's answer, and
// the whole of a sign-in that succeeds: the NameID linked to an account
// that is a member, the host's session started, the redirect.
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
	linkMember(b, fx.h.st, "g1", "u1", "ext-1")
	for _, bc := range []struct{ name, v string }{
		{"metadata/plain/signed in", fx.plain},
		{"metadata/encrypted/signed in", fx.enc},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if w := postACS(fx.h, "acme", bc.v); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/x" {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
				fx.sess.starts = fx.sess.starts[:0]
			}
		})
	}
}

// linkMember stores account userID as a member of group groupID whose SAML
// identity there is nameID, as a sign-in through Authorize leaves it.
func linkMember(tb testing.TB, st store.Store, groupID, userID, nameID string) {
	tb.Helper()
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for _, err := range []error{
			tx.PutUser(ctx, &store.User{ID: userID, Username: "jdoe", Email: "jdoe@acme.example", Confirmed: true, State: store.UserActive}),
			tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: groupID, UserID: userID, ExternUID: nameID}),
			tx.PutMembership(ctx, &store.Membership{GroupID: groupID, UserID: userID, Role: store.RoleDeveloper}),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// fixedSessions is a host where one account is signed in, with or without
// a SAML sign-in to every group.
type fixedSessions struct {
	user string
	saml bool
}

func (s fixedSessions) Current(*http.Request) (string, error) { return s.user, nil }

func (fixedSessions) Start(http.ResponseWriter, *http.Request, *SignIn) error { return nil }

func (s fixedSessions) HasSAML(*http.Request, string) (bool, error) { return s.saml, nil }

// BenchmarkRequireSSO measures the enforced-SSO middleware, which runs in
// front of every request to a group's web routes: a member of a group that
// enforces SSO, with a SAML sign-in (passed through) and without (sent to
// the SSO URL).
//
//	go test ./identity/sso -run '^$' -bench RequireSSO -benchmem
func BenchmarkRequireSSO(b *testing.B) {
	ctx := context.Background()
	st := memstore.New()
	if err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutGroup(ctx, &store.Group{ID: "g1", Path: "acme"})
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := Configure(ctx, st, "g1", store.SAMLConfig{Enabled: true, SSOURL: "https://idp.example/sso",
		Fingerprint: strings.Repeat("AB", sha1.Size)}, EnforceSSO(true)); err != nil {
		b.Fatal(err)
	}
	linkMember(b, st, "g1", "u1", "ext-1")
	linker, err := identity.NewLinker(st)
	if err != nil {
		b.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, bc := range []struct {
		name string
		saml bool
		want int
	}{
		{"with SAML sign-in", true, http.StatusNoContent},
		{"without", false, http.StatusFound},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sp, err := New("https://app.example", st, linker, fixedSessions{user: "u1", saml: bc.saml})
			if err != nil {
				b.Fatal(err)
			}
			h := sp.RequireSSO(func(*http.Request) string { return "acme" })(next)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/groups/acme/issues?state=open", nil))
				if w.Code != bc.want {
					b.Fatalf("%d, want %d", w.Code, bc.want)
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
