package sso

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// TestConfigure: what Configure accepts, in which normal form it stores
// it, and what it refuses (a *ConfigError naming the field, nothing
// stored).
func TestConfigure(t *testing.T) {
	clk := newClock()
	ti := newTestIdP(t, clk, "idp-a", "")
	md := ti.metadataXML()
	cert := testKey(t, "idp-a").cert
	pemCert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	s1 := sha1.Sum(cert.Raw)
	s256 := sha256.Sum256(cert.Raw)
	fp1 := formatFingerprint(s1[:])
	sso := ti.Server.URL + "/sso"
	issuer := ti.IdP.IdP.MetadataURL.String()
	ok := []struct {
		name string
		in   store.SAMLConfig
		want store.SAMLConfig
	}{
		{"metadata", store.SAMLConfig{Enabled: true, IdPMetadata: "\n" + md + "\n"},
			store.SAMLConfig{Enabled: true, IdPMetadata: md, IdPEntityID: issuer}},
		{"metadata with its entity ID", store.SAMLConfig{IdPMetadata: md, IdPEntityID: issuer, NameIDFormat: string(saml.PersistentNameIDFormat)},
			store.SAMLConfig{IdPMetadata: md, IdPEntityID: issuer, NameIDFormat: string(saml.PersistentNameIDFormat)}},
		{"federation metadata with one IdP", store.SAMLConfig{IdPMetadata: `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
			strings.TrimPrefix(md, "") + `<EntityDescriptor entityID="https://sp.example/"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor></EntitiesDescriptor>`},
			store.SAMLConfig{IdPMetadata: `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + md +
				`<EntityDescriptor entityID="https://sp.example/"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor></EntitiesDescriptor>`,
				IdPEntityID: issuer}},
		{"SSO URL and PEM certificate", store.SAMLConfig{SSOURL: sso, Certificate: pemCert},
			store.SAMLConfig{SSOURL: sso, Certificate: pemCert}},
		{"SSO URL and base64 certificate", store.SAMLConfig{SSOURL: sso, Certificate: base64.StdEncoding.EncodeToString(cert.Raw)},
			store.SAMLConfig{SSOURL: sso, Certificate: pemCert}},
		{"SSO URL and SHA-1 fingerprint, lower case without colons", store.SAMLConfig{SSOURL: sso, Fingerprint: fmt.Sprintf("%x", s1)},
			store.SAMLConfig{SSOURL: sso, Fingerprint: fp1}},
		{"SSO URL and SHA-256 fingerprint", store.SAMLConfig{SSOURL: sso, Fingerprint: formatFingerprint(s256[:]), IdPEntityID: issuer},
			store.SAMLConfig{SSOURL: sso, Fingerprint: formatFingerprint(s256[:]), IdPEntityID: issuer}},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			st := memstore.New()
			put(t, st, &store.Group{ID: "g", Path: "acme"})
			g, err := Configure(t.Context(), st, "g", tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(&tc.want, g.SAML); d != "" {
				t.Errorf("stored configuration (-want +got):\n%s", d)
			}
		})
	}
	bad := []struct {
		name  string
		in    store.SAMLConfig
		field string
	}{
		{"nothing", store.SAMLConfig{Enabled: true}, "SSOURL"},
		{"metadata and SSO URL", store.SAMLConfig{IdPMetadata: md, SSOURL: sso}, ""},
		{"SSO URL alone", store.SAMLConfig{SSOURL: sso}, "Fingerprint"},
		{"certificate and fingerprint", store.SAMLConfig{SSOURL: sso, Certificate: pemCert, Fingerprint: fp1}, ""},
		{"relative SSO URL", store.SAMLConfig{SSOURL: "/sso", Fingerprint: fp1}, "SSOURL"},
		{"SSO URL of another scheme", store.SAMLConfig{SSOURL: "javascript:alert(1)", Fingerprint: fp1}, "SSOURL"},
		{"fingerprint of a wrong length", store.SAMLConfig{SSOURL: sso, Fingerprint: "AB:CD"}, "Fingerprint"},
		{"fingerprint not hex", store.SAMLConfig{SSOURL: sso, Fingerprint: strings.Repeat("zz", 20)}, "Fingerprint"},
		{"certificate garbage", store.SAMLConfig{SSOURL: sso, Certificate: "not a certificate"}, "Certificate"},
		{"PEM key instead of certificate", store.SAMLConfig{SSOURL: sso, Certificate: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}, "Certificate"},
		{"metadata garbage", store.SAMLConfig{IdPMetadata: "<html>"}, "IdPMetadata"},
		{"metadata of an SP", store.SAMLConfig{IdPMetadata: `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor>`}, "IdPMetadata"},
		{"metadata without a redirect SSO service", store.SAMLConfig{IdPMetadata: strings.ReplaceAll(md, saml.HTTPRedirectBinding, "urn:x")}, "IdPMetadata"},
		{"metadata without a signing certificate", store.SAMLConfig{IdPMetadata: stripKeys(md)}, "IdPMetadata"},
		{"metadata with another entity ID", store.SAMLConfig{IdPMetadata: md, IdPEntityID: "https://else.example/"}, "IdPEntityID"},
		{"metadata of two IdPs", store.SAMLConfig{IdPMetadata: `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + md + strings.Replace(md, issuer, "https://second.example/", 1) + `</EntitiesDescriptor>`}, "IdPMetadata"},
		{"metadata over 1 MiB", store.SAMLConfig{IdPMetadata: md + "<!--" + strings.Repeat(" ", 1<<20) + "-->"}, "IdPMetadata"},
		{"transient NameID format", store.SAMLConfig{SSOURL: sso, Fingerprint: fp1, NameIDFormat: string(saml.TransientNameIDFormat)}, "NameIDFormat"},
		{"unknown NameID format", store.SAMLConfig{SSOURL: sso, Fingerprint: fp1, NameIDFormat: "urn:x"}, "NameIDFormat"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			st := memstore.New()
			put(t, st, &store.Group{ID: "g", Path: "acme"})
			_, err := Configure(t.Context(), st, "g", tc.in)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("Configure = %v, want a *ConfigError on %q", err, tc.field)
			}
			if g := group(t, st, "g"); g.SAML != nil {
				t.Errorf("a refused configuration was stored: %+v", g.SAML)
			}
		})
	}
	t.Run("unknown group", func(t *testing.T) {
		_, err := Configure(t.Context(), memstore.New(), "nope", store.SAMLConfig{SSOURL: sso, Fingerprint: fp1})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Configure of an unknown group = %v, want store.ErrNotFound", err)
		}
	})
}

// TestConfigureAllFields: the fields are checked independently, and
// Configure reports every one at fault, in the order of the form.
func TestConfigureAllFields(t *testing.T) {
	st := memstore.New()
	put(t, st, &store.Group{ID: "g", Path: "acme", DefaultRole: store.RoleGuest})
	_, err := Configure(t.Context(), st, "g", store.SAMLConfig{SSOURL: "ftp://idp.example/sso", Fingerprint: "12:34",
		NameIDFormat: string(saml.TransientNameIDFormat)}, DefaultRole(store.Role(31)))
	var got []string
	for _, ce := range ConfigErrors(err) {
		got = append(got, ce.Field)
	}
	if d := cmp.Diff([]string{"NameIDFormat", "SSOURL", "Fingerprint", "DefaultRole"}, got); d != "" {
		t.Errorf("fields at fault (-want +got):\n%s", d)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "NameIDFormat" {
		t.Errorf("errors.As finds %v, want the first *ConfigError", ce)
	}
	if g := group(t, st, "g"); g.SAML != nil || g.DefaultRole != store.RoleGuest || g.Version != 1 {
		t.Errorf("a refused configuration changed the group: %+v", g)
	}
	if ConfigErrors(nil) != nil || ConfigErrors(errors.New("x")) != nil {
		t.Error("ConfigErrors of an error that is no refusal")
	}
}

// TestConfigureOptions: EnforceSSO and DefaultRole are written with the
// configuration; IfVersion refuses a write over a change made since the
// version was read, and writes nothing.
func TestConfigureOptions(t *testing.T) {
	ti := newTestIdP(t, newClock(), "idp-a", "")
	md := ti.metadataXML()
	st := memstore.New()
	put(t, st, &store.Group{ID: "g", Path: "acme", DefaultRole: store.RoleGuest})
	g, err := Configure(t.Context(), st, "g", store.SAMLConfig{Enabled: true, IdPMetadata: md},
		IfVersion(1), EnforceSSO(true), DefaultRole(store.RoleDeveloper))
	if err != nil {
		t.Fatal(err)
	}
	want := &store.Group{ID: "g", Path: "acme", DefaultRole: store.RoleDeveloper, EnforceSSO: true,
		SAML: &store.SAMLConfig{Enabled: true, IdPMetadata: md, IdPEntityID: ti.IdP.IdP.MetadataURL.String()}, Version: 2}
	if d := cmp.Diff(want, group(t, st, "g")); d != "" {
		t.Errorf("stored group (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, g); d != "" {
		t.Errorf("returned group (-want +got):\n%s", d)
	}
	// A form read at version 1 is stale now.
	_, err = Configure(t.Context(), st, "g", store.SAMLConfig{IdPMetadata: md}, IfVersion(1), EnforceSSO(false))
	if !errors.Is(err, store.ErrVersionMismatch) {
		t.Fatalf("a stale write: %v, want store.ErrVersionMismatch", err)
	}
	if d := cmp.Diff(want, group(t, st, "g")); d != "" {
		t.Errorf("a stale write changed the group (-want +got):\n%s", d)
	}
	// Without the options the group's own fields stay.
	if _, err := Configure(t.Context(), st, "g", store.SAMLConfig{IdPMetadata: md}); err != nil {
		t.Fatal(err)
	}
	if g := group(t, st, "g"); !g.EnforceSSO || g.DefaultRole != store.RoleDeveloper || g.SAML.Enabled {
		t.Errorf("after a write without options: %+v", g)
	}
	for _, r := range []store.Role{store.RoleNone, store.Role(31), store.Role(-1)} {
		_, err := Configure(t.Context(), st, "g", store.SAMLConfig{IdPMetadata: md}, DefaultRole(r))
		if errs := ConfigErrors(err); len(errs) != 1 || errs[0].Field != "DefaultRole" {
			t.Errorf("DefaultRole(%v): %v, want a *ConfigError on DefaultRole", r, err)
		}
	}
	for _, r := range DefaultRoles() {
		if _, err := Configure(t.Context(), st, "g", store.SAMLConfig{IdPMetadata: md}, DefaultRole(r)); err != nil {
			t.Errorf("DefaultRole(%v): %v", r, err)
		}
	}
}

// TestConcurrentConfigure: of two writes from forms read at the same
// version, exactly one is stored.
func TestConcurrentConfigure(t *testing.T) {
	ti := newTestIdP(t, newClock(), "idp-a", "")
	st := memstore.New()
	put(t, st, &store.Group{ID: "g", Path: "acme", DefaultRole: store.RoleGuest})
	roles := []store.Role{store.RoleReporter, store.RoleMaintainer}
	errs := make(chan error, len(roles))
	for _, r := range roles {
		go func() {
			_, err := Configure(t.Context(), st, "g", store.SAMLConfig{IdPMetadata: ti.metadataXML()}, IfVersion(1), DefaultRole(r))
			errs <- err
		}()
	}
	var stale int
	for range roles {
		if err := <-errs; errors.Is(err, store.ErrVersionMismatch) {
			stale++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if g := group(t, st, "g"); stale != 1 || g.Version != 2 || !slices.Contains(roles, g.DefaultRole) {
		t.Errorf("%d stale writes, group at version %d with role %v; want one stale write", stale, g.Version, g.DefaultRole)
	}
}

// TestDescribeIdP: what a settings page shows of each form of
// configuration.
func TestDescribeIdP(t *testing.T) {
	ti := newTestIdP(t, newClock(), "idp-a", "")
	cert := testKey(t, "idp-a").cert
	s1, s256 := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw)
	certInfo := IdPCertificate{Subject: cert.Subject.String(), NotBefore: cert.NotBefore, NotAfter: cert.NotAfter,
		SHA1: formatFingerprint(s1[:]), SHA256: formatFingerprint(s256[:])}
	sso := ti.Server.URL + "/sso"
	issuer := ti.IdP.IdP.MetadataURL.String()
	tests := []struct {
		name string
		in   store.SAMLConfig
		want *IdPInfo
	}{
		{"metadata", store.SAMLConfig{IdPMetadata: ti.metadataXML()},
			&IdPInfo{EntityID: issuer, SSOURL: sso, Certificates: []IdPCertificate{certInfo}}},
		{"certificate", store.SAMLConfig{SSOURL: sso, Certificate: base64.StdEncoding.EncodeToString(cert.Raw), IdPEntityID: issuer},
			&IdPInfo{EntityID: issuer, SSOURL: sso, Certificates: []IdPCertificate{certInfo}}},
		{"fingerprint", store.SAMLConfig{SSOURL: sso, Fingerprint: fmt.Sprintf("%x", s1)},
			&IdPInfo{SSOURL: sso, Fingerprint: formatFingerprint(s1[:])}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DescribeIdP(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	if _, err := DescribeIdP(store.SAMLConfig{SSOURL: "/x"}); len(ConfigErrors(err)) != 2 {
		t.Errorf("DescribeIdP of a bad configuration: %v", err)
	}
}

// stripKeys removes the KeyDescriptors of IdP metadata.
func stripKeys(md string) string {
	for {
		i := strings.Index(md, "<KeyDescriptor")
		if i < 0 {
			return md
		}
		j := strings.Index(md[i:], "</KeyDescriptor>")
		md = md[:i] + md[i+j+len("</KeyDescriptor>"):]
	}
}

func put(t *testing.T, st store.Store, g *store.Group) {
	t.Helper()
	if err := st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error { return tx.PutGroup(ctx, g) }); err != nil {
		t.Fatal(err)
	}
}

func group(t *testing.T, st store.Store, id string) *store.Group {
	t.Helper()
	var g *store.Group
	if err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		var err error
		g, err = tx.Group(ctx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestIdPForms signs in through an IdP configured in each form GitLab and
// the IdP consoles offer: metadata, SSO URL with certificate, SSO URL with
// SHA-1 or SHA-256 fingerprint, with and without the IdP's entity ID.
// A fingerprint or entity ID of another IdP refuses the sign-in.
func TestIdPForms(t *testing.T) {
	clk := newClock()
	ti := newTestIdP(t, clk, "idp-a", "")
	cert := testKey(t, "idp-a").cert
	other := testKey(t, "rogue").cert
	s1, s256, o1 := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw), sha1.Sum(other.Raw)
	sso := ti.Server.URL + "/sso"
	issuer := ti.IdP.IdP.MetadataURL.String()
	tests := []struct {
		name string
		c    store.SAMLConfig
		msg  string // the refusal, or "" for a sign-in
	}{
		{"metadata", store.SAMLConfig{IdPMetadata: ti.metadataXML()}, ""},
		{"certificate", store.SAMLConfig{SSOURL: sso, Certificate: base64.StdEncoding.EncodeToString(cert.Raw)}, ""},
		{"certificate and entity ID", store.SAMLConfig{SSOURL: sso, Certificate: base64.StdEncoding.EncodeToString(cert.Raw), IdPEntityID: issuer}, ""},
		{"SHA-1 fingerprint (GitLab's form)", store.SAMLConfig{SSOURL: sso, Fingerprint: formatFingerprint(s1[:])}, ""},
		{"SHA-256 fingerprint and entity ID", store.SAMLConfig{SSOURL: sso, Fingerprint: formatFingerprint(s256[:]), IdPEntityID: issuer}, ""},
		{"fingerprint of another certificate", store.SAMLConfig{SSOURL: sso, Fingerprint: formatFingerprint(o1[:])}, "SAML authentication failed: Fingerprint mismatch"},
		{"another certificate", store.SAMLConfig{SSOURL: sso, Certificate: base64.StdEncoding.EncodeToString(other.Raw)}, "certificate the group does not trust"},
		{"another entity ID", store.SAMLConfig{SSOURL: sso, Fingerprint: formatFingerprint(s1[:]), IdPEntityID: "https://else.example/"}, "comes from another identity provider (issuer)"},
		{"another NameID format", store.SAMLConfig{IdPMetadata: ti.metadataXML(), NameIDFormat: string(saml.EmailAddressNameIDFormat)},
			"the NameID format is urn:oasis:names:tc:SAML:2.0:nameid-format:persistent, the group expects urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t, memstore.New(), clk, hostOptions{})
			h.addGroup("acme", nil, identity.GroupSpec{})
			tc.c.Enabled = true
			h.configure("acme", tc.c)
			ti.register(h.srv.Client(), h.sp.URLs("acme").Metadata, "")
			h.provision("acme", "ext-1", "jdoe", "jdoe@acme.example")
			ti.asUser("ext-1", "")
			b := h.browser()
			resp := b.post(b.startSSO("acme", ""))
			if tc.msg != "" {
				wantPage(t, resp, http.StatusForbidden, tc.msg)
				return
			}
			wantRedirect(t, resp, "/")
			if b.whoami() != h.userOf("acme", "ext-1").ID {
				t.Error("not signed in as the provisioned user")
			}
		})
	}
}

// TestCookieAttributes: the tracking cookie is HttpOnly, scoped to the
// ACS, SameSite=None and Secure under TLS (the IdP's cross-site POST must
// carry it), without SameSite over plain http.
func TestCookieAttributes(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprint("tls=", tls), func(t *testing.T) {
			clk := newClock()
			ti := newTestIdP(t, clk, "idp-a", "")
			h := newHost(t, memstore.New(), clk, hostOptions{tls: tls})
			h.addGroup("acme", ti, identity.GroupSpec{})
			resp := h.browser().get(h.sp.URLs("acme").SSO)
			resp.Body.Close()
			cs := resp.Cookies()
			if len(cs) != 1 {
				t.Fatalf("cookies %v, want one", resp.Header["Set-Cookie"])
			}
			c := cs[0]
			var want http.SameSite
			if tls {
				want = http.SameSiteNoneMode
			}
			if !strings.HasPrefix(c.Name, trackingPrefix) || !c.HttpOnly || c.Secure != tls || c.SameSite != want ||
				c.Path != "/groups/acme/-/saml/callback" || c.MaxAge != int(requestLifetime/time.Second) {
				t.Errorf("tracking cookie %s", resp.Header.Get("Set-Cookie"))
			}
			if !tls && strings.Contains(strings.ToLower(resp.Header.Get("Set-Cookie")), "samesite") {
				t.Errorf("tracking cookie over http with SameSite: %s", resp.Header.Get("Set-Cookie"))
			}
		})
	}
}

// TestTLSSignIn: the whole sign-in over TLS, where the cookies are Secure.
func TestTLSSignIn(t *testing.T) {
	clk := newClock()
	ti := newTestIdP(t, clk, "idp-a", "")
	h := newHost(t, memstore.New(), clk, hostOptions{tls: true})
	h.addGroup("acme", ti, identity.GroupSpec{})
	h.provision("acme", "ext-1", "jdoe", "jdoe@acme.example")
	ti.asUser("ext-1", "")
	b := h.browser()
	wantRedirect(t, b.post(b.startSSO("acme", "")), "/")
	if b.whoami() != h.userOf("acme", "ext-1").ID {
		t.Error("not signed in as the provisioned user")
	}
}

// TestServiceProviderKeyStored: without WithServiceProviderKey the key
// pair is generated once, stored, published in the metadata and reused
// by another handler on the same store; it never reaches the log.
func TestServiceProviderKeyStored(t *testing.T) {
	st := memstore.New()
	put(t, st, &store.Group{ID: "g", Path: "acme"})
	clk := newClock()
	ti := newTestIdP(t, clk, "idp-a", "")
	if _, err := Configure(t.Context(), st, "g", store.SAMLConfig{Enabled: true, IdPMetadata: ti.metadataXML()}); err != nil {
		t.Fatal(err)
	}
	linker, err := identity.NewLinker(st)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	metadataCert := func() string {
		h, err := New("https://app.example", st, linker, newSessions(), WithClock(clk.now), WithLogger(logger))
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/groups/acme/-/saml/metadata", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("metadata: %d %s", rec.Code, rec.Body)
		}
		ed := &saml.EntityDescriptor{}
		if err := xml.Unmarshal(rec.Body.Bytes(), ed); err != nil {
			t.Fatal(err)
		}
		if ed.EntityID != "https://app.example/groups/acme" {
			t.Errorf("entity ID %q", ed.EntityID)
		}
		return ed.SPSSODescriptors[0].KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data
	}
	first := metadataCert()
	var k *store.SAMLKey
	if err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		k, err = tx.SAMLKey(ctx)
		return err
	}); err != nil {
		t.Fatalf("no key stored: %v", err)
	}
	if first != base64.StdEncoding.EncodeToString(k.Certificate) {
		t.Error("the metadata does not publish the stored certificate")
	}
	if second := metadataCert(); second != first {
		t.Error("a second handler on the same store published another certificate")
	}
	for _, leak := range []string{base64.StdEncoding.EncodeToString(k.PrivateKey)[:40], fmt.Sprintf("%x", k.PrivateKey[:20])} {
		if strings.Contains(logged.String(), leak) {
			t.Errorf("the log shows the private key:\n%s", logged.String())
		}
	}
}
