package settings_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
)

const persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"

// TestSAMLSection: the page shows the group's service-provider addresses
// exactly as the SAML handler gives them, each with a copy button, and
// says the group has no SAML configuration yet; once one is saved, the
// metadata URL shown serves metadata with the entity ID and ACS URL shown.
func TestSAMLSection(t *testing.T) {
	h := newHost(t, nil)
	page := h.get(t, h.pageURL("acme"))
	want := h.sp.URLs("acme")
	got := sso.URLs{
		EntityID: valueOf(t, page, "saml-entity-id"),
		ACS:      valueOf(t, page, "saml-acs"),
		SSO:      valueOf(t, page, "saml-sso"),
		Metadata: valueOf(t, page, "saml-metadata"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("service provider addresses (-want +got):\n%s", diff)
	}
	if want.EntityID != h.srv.URL+"/groups/acme" {
		t.Errorf("entity ID %q", want.EntityID)
	}
	for _, id := range []string{"saml-entity-id", "saml-acs", "saml-sso", "saml-metadata"} {
		if !strings.Contains(page, `data-copy="`+id+`"`) {
			t.Errorf("no copy button for %s", id)
		}
	}
	if !strings.Contains(page, "SAML single sign-on is not configured for this group") || len(facts(t, page)) != 0 {
		t.Error("a group without configuration: no notice, or a configuration shown")
	}
	if r := h.do(t, request{method: http.MethodGet, url: got.Metadata, anonymous: true}); r.status != http.StatusNotFound {
		t.Errorf("metadata of a group without SAML: %d, want 404", r.status)
	}

	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	form := h.samlForm(t, "acme")
	form.Set("source", "metadata")
	form.Set("metadata", idp.metadata)
	if r := h.postSAML(t, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.status, r.body)
	}
	r := h.do(t, request{method: http.MethodGet, url: got.Metadata, anonymous: true})
	if r.status != http.StatusOK {
		t.Fatalf("metadata: %d", r.status)
	}
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal([]byte(r.body), &ed); err != nil {
		t.Fatal(err)
	}
	served := sso.URLs{EntityID: ed.EntityID, ACS: ed.SPSSODescriptors[0].AssertionConsumerServices[0].Location, SSO: got.SSO, Metadata: got.Metadata}
	if diff := cmp.Diff(got, served); diff != "" {
		t.Errorf("the metadata serves other addresses than the page shows (-page +metadata):\n%s", diff)
	}
}

// TestSAMLSave: each form of the IdP GitLab and IdP consoles give is
// saved, with enforced SSO and the default role, in one write; the answer
// is a redirect to the page, which shows the saved state.
func TestSAMLSave(t *testing.T) {
	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	tests := []struct {
		name  string
		form  map[string]string
		file  string // uploaded metadata
		want  store.SAMLConfig
		facts [][2]string
	}{
		{"metadata XML", map[string]string{"source": "metadata", "metadata": "\n" + idp.metadata + "\n", "enabled": "on", "enforce_sso": "on", "default_role": "40", "name_id_format": persistent},
			"", store.SAMLConfig{Enabled: true, IdPMetadata: idp.metadata, IdPEntityID: idp.entityID, NameIDFormat: persistent},
			[][2]string{
				{"Status", "Enabled: the group's users sign in through the identity provider"},
				{"SSO-only authentication", "Enforced"},
				{"Default membership role", "Maintainer"},
				{"NameID format", "Persistent (recommended)"},
				{"Identity provider", idp.entityID},
				{"Sign-in URL", idp.ssoURL},
				{"Signing certificate", idp.subject + " valid 2020-01-01 to 2040-01-01 SHA-1 " + idp.sha1 + " SHA-256 " + idp.sha256},
			}},
		{"metadata file", map[string]string{"source": "sso_url", "sso_url": "ignored: the file is the metadata", "enabled": "on", "default_role": "30"},
			idp.metadata, store.SAMLConfig{Enabled: true, IdPMetadata: idp.metadata, IdPEntityID: idp.entityID},
			[][2]string{
				{"Status", "Enabled: the group's users sign in through the identity provider"},
				{"SSO-only authentication", "Not enforced"},
				{"Default membership role", "Developer"},
				{"NameID format", "Any (what the identity provider sends)"},
				{"Identity provider", idp.entityID},
				{"Sign-in URL", idp.ssoURL},
				{"Signing certificate", idp.subject + " valid 2020-01-01 to 2040-01-01 SHA-1 " + idp.sha1 + " SHA-256 " + idp.sha256},
			}},
		{"SSO URL and SHA-1 fingerprint (GitLab's form)", map[string]string{"source": "sso_url", "sso_url": idp.ssoURL, "fingerprint": idp.sha1Hex, "enabled": "on", "default_role": "10",
			"metadata": "kept in the form, not saved"},
			"", store.SAMLConfig{Enabled: true, SSOURL: idp.ssoURL, Fingerprint: idp.sha1},
			[][2]string{
				{"Status", "Enabled: the group's users sign in through the identity provider"},
				{"SSO-only authentication", "Not enforced"},
				{"Default membership role", "Guest"},
				{"NameID format", "Any (what the identity provider sends)"},
				{"Identity provider", "Any issuer: the certificate alone is trusted"},
				{"Sign-in URL", idp.ssoURL},
				{"Certificate fingerprint", idp.sha1 + " (SHA-1; each response brings its certificate)"},
			}},
		{"SSO URL, SHA-256 fingerprint and entity ID, disabled and enforced", map[string]string{"source": "sso_url", "sso_url": idp.ssoURL, "fingerprint": idp.sha256,
			"idp_entity_id": idp.entityID, "enforce_sso": "on", "default_role": "5"},
			"", store.SAMLConfig{SSOURL: idp.ssoURL, Fingerprint: idp.sha256, IdPEntityID: idp.entityID},
			[][2]string{
				{"Status", "Disabled: nobody can sign in with SAML"},
				{"SSO-only authentication", "Enforced (for web activity once SAML is enabled)"},
				{"Default membership role", "Minimal access"},
				{"NameID format", "Any (what the identity provider sends)"},
				{"Identity provider", idp.entityID},
				{"Sign-in URL", idp.ssoURL},
				{"Certificate fingerprint", idp.sha256 + " (SHA-256; each response brings its certificate)"},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t, nil)
			form := url.Values{"version": {"1"}}
			for k, v := range tc.form {
				form.Set(k, v)
			}
			var r response
			if tc.file != "" {
				r = h.postMultipart(t, form, tc.file)
			} else {
				r = h.postSAML(t, form)
			}
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/groups/acme/-/saml?saml=saved#saml" {
				t.Fatalf("save: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
			}
			g := h.group(t, "g1")
			role, _ := strconv.Atoi(tc.form["default_role"])
			want := &store.Group{ID: "g1", Path: "acme", Name: "Acme Corp", DefaultRole: store.Role(role),
				EnforceSSO: tc.form["enforce_sso"] == "on", SAML: &tc.want, Version: 2}
			if diff := cmp.Diff(want, g); diff != "" {
				t.Errorf("stored group (-want +got):\n%s", diff)
			}
			page := h.get(t, h.srv.URL+r.header.Get("Location"))
			if diff := cmp.Diff(tc.facts, facts(t, page)); diff != "" {
				t.Errorf("current configuration (-want +got):\n%s", diff)
			}
			if !strings.Contains(page, "SAML settings saved.") {
				t.Error("no notice of the save")
			}
			if strings.Contains(h.get(t, h.pageURL("acme")), "SAML settings saved.") {
				t.Error("a later page says the settings were saved")
			}
			// The form now shows what is stored, at the new version.
			again := h.samlForm(t, "acme")
			if again.Get("version") != "2" || again.Get("default_role") != tc.form["default_role"] ||
				(again.Get("enforce_sso") == "on") != (tc.form["enforce_sso"] == "on") || (again.Get("enabled") == "on") != tc.want.Enabled {
				t.Errorf("the form after the save: %v", again)
			}
			if r := h.postSAML(t, again); r.status != http.StatusSeeOther {
				t.Errorf("saving the form unchanged: %d\n%s", r.status, r.body)
			}
			if diff := cmp.Diff(tc.want, *h.group(t, "g1").SAML); diff != "" {
				t.Errorf("saved unchanged (-want +got):\n%s", diff)
			}
		})
	}
}

// postMultipart posts the SAML form with a metadata file, as a browser
// does with the page's upload field.
func (h *host) postMultipart(t testing.TB, form url.Values, file string) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("metadata_file", "FederationMetadata.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, file)
	mw.Close()
	return h.do(t, request{method: http.MethodPost, url: h.pageURL("acme"), body: body.String(),
		headers: map[string]string{"Content-Type": mw.FormDataContentType(), "Sec-Fetch-Site": "same-origin"}})
}

// TestSAMLRefused: what sso refuses is shown beside its field, with the
// owner's values kept in the form and nothing saved.
func TestSAMLRefused(t *testing.T) {
	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	tests := []struct {
		name   string
		form   map[string]string
		errors map[string]string // by error element id
	}{
		{"bad URL", map[string]string{"sso_url": "login.microsoftonline.com/saml2", "fingerprint": idp.sha1},
			map[string]string{"saml-sso-url-error": "Want an absolute https (or http) URL."}},
		{"script URL", map[string]string{"sso_url": "javascript:alert(1)", "fingerprint": idp.sha1},
			map[string]string{"saml-sso-url-error": "Want an absolute https (or http) URL."}},
		{"bad fingerprint", map[string]string{"sso_url": idp.ssoURL, "fingerprint": "AB:CD:EF"},
			map[string]string{"saml-fingerprint-error": "Want the certificate's SHA-1 or SHA-256 fingerprint in hex (40 or 64 digits)."}},
		{"no fingerprint", map[string]string{"sso_url": idp.ssoURL},
			map[string]string{"saml-fingerprint-error": "Give the IdP's signing certificate or its SHA-1 or SHA-256 fingerprint."}},
		{"bad URL and bad fingerprint", map[string]string{"sso_url": "/saml2", "fingerprint": strings.Repeat("zz", 20)},
			map[string]string{
				"saml-sso-url-error":     "Want an absolute https (or http) URL.",
				"saml-fingerprint-error": "Want the certificate's SHA-1 or SHA-256 fingerprint in hex (40 or 64 digits).",
			}},
		{"bad XML", map[string]string{"source": "metadata", "metadata": `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><unclosed>`},
			map[string]string{"saml-metadata-xml-error": "Not SAML metadata of one identity provider (XML syntax error on line 1: unexpected EOF)."}},
		{"metadata of no IdP", map[string]string{"source": "metadata", "metadata": `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example/"/>`},
			map[string]string{"saml-metadata-xml-error": "Not SAML metadata of one identity provider (no IDPSSODescriptor)."}},
		{"empty metadata", map[string]string{"source": "metadata", "metadata": " "},
			map[string]string{"saml-sso-url-error": "Give the IdP metadata, or its SSO URL with its certificate or fingerprint.",
				"saml-fingerprint-error": "Give the IdP's signing certificate or its SHA-1 or SHA-256 fingerprint."}},
		{"transient NameID", map[string]string{"sso_url": idp.ssoURL, "fingerprint": idp.sha1, "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"},
			map[string]string{"saml-nameid-format-error": "A transient NameID changes at every sign-in and cannot link an account."}},
		{"unknown role", map[string]string{"sso_url": idp.ssoURL, "fingerprint": idp.sha1, "default_role": "31"},
			map[string]string{"saml-role-error": "Want one of the roles Minimal Access, Guest, Planner, Reporter, Developer, Maintainer or Owner."}},
		{"no role", map[string]string{"sso_url": idp.ssoURL, "fingerprint": idp.sha1, "default_role": "owner"},
			map[string]string{"saml-role-error": "Want one of the roles Minimal Access, Guest, Planner, Reporter, Developer, Maintainer or Owner."}},
		{"entity ID too long", map[string]string{"sso_url": idp.ssoURL, "fingerprint": idp.sha1, "idp_entity_id": strings.Repeat("x", 1025)},
			map[string]string{"saml-issuer-error": "Too long."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t, nil)
			before := h.group(t, "g1")
			form := url.Values{"version": {"1"}, "source": {"sso_url"}, "enabled": {"on"}, "enforce_sso": {"on"}, "default_role": {"30"}}
			for k, v := range tc.form {
				form.Set(k, v)
			}
			r := h.postSAML(t, form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422\n%s", r.status, r.body)
			}
			if err := checkWellFormed(r.body); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.errors, fieldErrors(t, r.body)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			for id := range tc.errors {
				field := strings.TrimSuffix(id, "-error")
				if got := fieldError(t, r.body, field); got != tc.errors[id] {
					t.Errorf("the error beside %s is %q", field, got)
				}
			}
			if !strings.Contains(r.body, "The SAML settings were not saved.") {
				t.Error("no summary of the refusal")
			}
			// The owner's values are kept, as typed.
			kept := formValues(t, r.body, "saml-form")
			for _, k := range []string{"source", "sso_url", "fingerprint", "idp_entity_id", "metadata", "enabled", "enforce_sso", "version"} {
				if kept.Get(k) != form.Get(k) {
					t.Errorf("field %s: the form shows %q, the owner typed %q", k, kept.Get(k), form.Get(k))
				}
			}
			for _, k := range []string{"default_role", "name_id_format"} {
				if form.Get(k) != "" && kept.Get(k) != form.Get(k) && !strings.Contains(tc.name, "role") {
					t.Errorf("select %s shows %q, the owner chose %q", k, kept.Get(k), form.Get(k))
				}
			}
			if diff := cmp.Diff(before, h.group(t, "g1")); diff != "" {
				t.Errorf("a refused save changed the group (-before +after):\n%s", diff)
			}
		})
	}
}

// TestSAMLStale: a form filled in before someone else saved is refused
// with 409, saving nothing; the answer keeps the owner's values, shows
// what is stored now, and carries the current version, so saving again
// is a deliberate overwrite.
func TestSAMLStale(t *testing.T) {
	h := newHost(t, nil)
	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	mine := h.samlForm(t, "acme")   // the owner's tab
	theirs := h.samlForm(t, "acme") // another owner's tab, same version
	theirs.Set("sso_url", idp.ssoURL)
	theirs.Set("fingerprint", idp.sha256)
	theirs.Set("default_role", "20")
	if r := h.postSAML(t, theirs); r.status != http.StatusSeeOther {
		t.Fatalf("the first save: %d\n%s", r.status, r.body)
	}
	saved := h.group(t, "g1")

	mine.Set("source", "metadata")
	mine.Set("metadata", idp.metadata)
	mine.Set("default_role", "40")
	mine.Set("enforce_sso", "on")
	r := h.postSAML(t, mine)
	if r.status != http.StatusConflict {
		t.Fatalf("a stale save: %d, want 409\n%s", r.status, r.body)
	}
	if err := checkWellFormed(r.body); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(saved, h.group(t, "g1")); diff != "" {
		t.Errorf("a stale save changed the group (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.body, "Someone changed this group's settings while you were editing. Nothing was saved.") {
		t.Error("no notice of the conflict")
	}
	kept := formValues(t, r.body, "saml-form")
	for _, k := range []string{"source", "metadata", "default_role", "enforce_sso"} {
		if kept.Get(k) != mine.Get(k) {
			t.Errorf("field %s: the form shows %q, the owner typed %q", k, kept.Get(k), mine.Get(k))
		}
	}
	if got := kept.Get("version"); got != strconv.FormatInt(saved.Version, 10) {
		t.Errorf("the answer's version is %s, want the stored %d", got, saved.Version)
	}
	// The current configuration shown is the other owner's.
	if f := facts(t, r.body); len(f) < 3 || f[2] != [2]string{"Default membership role", "Reporter"} {
		t.Errorf("the answer shows %v, not what is stored now", f)
	}
	// Saving again, knowingly, replaces it.
	if r := h.postSAML(t, kept); r.status != http.StatusSeeOther {
		t.Fatalf("the deliberate save: %d\n%s", r.status, r.body)
	}
	if g := h.group(t, "g1"); g.DefaultRole != store.RoleMaintainer || g.SAML.IdPMetadata == "" || !g.EnforceSSO {
		t.Errorf("after the deliberate save: %+v", g)
	}
	// A post without a version, or with a version from nowhere, is stale.
	for _, v := range []string{"", "x", "99"} {
		f := h.samlForm(t, "acme")
		f.Set("version", v)
		if r := h.postSAML(t, f); r.status != http.StatusConflict {
			t.Errorf("version %q: %d, want 409", v, r.status)
		}
	}
}

// TestSAMLAfterTokenReset: the answer to the token form carries the
// group's version after the reset, so its SAML form saves.
func TestSAMLAfterTokenReset(t *testing.T) {
	h := newHost(t, nil)
	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	r := h.do(t, request{method: http.MethodPost, url: h.pageURL("acme") + "/token", form: url.Values{}, headers: sameOrigin})
	form := formValues(t, r.body, "saml-form")
	form.Set("sso_url", idp.ssoURL)
	form.Set("fingerprint", idp.sha1)
	if r := h.postSAML(t, form); r.status != http.StatusSeeOther {
		t.Fatalf("save from the token's answer: %d\n%s", r.status, r.body)
	}
}

// TestSAMLForbidden: a SAML form post from anyone but an owner, or from
// another origin, is refused with 403 and changes nothing.
func TestSAMLForbidden(t *testing.T) {
	h := newHost(t, nil)
	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	form := url.Values{"version": {"1"}, "source": {"sso_url"}, "sso_url": {idp.ssoURL}, "fingerprint": {idp.sha1}, "enabled": {"on"}, "default_role": {"50"}}
	tests := []struct {
		name string
		rq   request
	}{
		{"anonymous", request{method: http.MethodPost, url: h.pageURL("acme"), form: form, anonymous: true, headers: sameOrigin}},
		{"owner of another group", request{method: http.MethodPost, url: h.pageURL("beta"), form: form, headers: sameOrigin}},
		{"cross-site", request{method: http.MethodPost, url: h.pageURL("acme"), form: form, headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}}},
		{"other Origin", request{method: http.MethodPost, url: h.pageURL("acme"), form: form, headers: map[string]string{"Origin": "https://evil.example"}}},
		{"no Origin nor Sec-Fetch-Site", request{method: http.MethodPost, url: h.pageURL("acme"), form: form}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(t, tc.rq)
			if r.status != http.StatusForbidden || r.body != "403 Forbidden\n" {
				t.Fatalf("got %d %q, want 403 and nothing else", r.status, r.body)
			}
		})
	}
	for _, id := range []string{"g1", "g2"} {
		if g := h.group(t, id); g.SAML != nil || g.Version != 1 {
			t.Errorf("group %s changed: %+v", id, g)
		}
	}
	// The same form from the owner's page saves.
	if r := h.postSAML(t, form); r.status != http.StatusSeeOther {
		t.Fatalf("the owner's save: %d", r.status)
	}
}

// TestSAMLHostile: values the owner types and values in a stored
// configuration are escaped wherever the page writes them.
func TestSAMLHostile(t *testing.T) {
	h := newHost(t, nil)
	hostile := map[string]string{
		"source":        "sso_url",
		"sso_url":       `"><script>alert("url")</script>`,
		"fingerprint":   `'><img src=x onerror=alert(1)>`,
		"idp_entity_id": `</textarea><b>issuer`,
		"metadata":      `</textarea><script>alert("xml")</script>`,
		"default_role":  `"><script>alert("role")</script>`,
		"version":       "1",
	}
	form := url.Values{}
	for k, v := range hostile {
		form.Set(k, v)
	}
	r := h.postSAML(t, form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("got %d", r.status)
	}
	checkEscaped(t, r.body)
	kept := formValues(t, r.body, "saml-form")
	for _, k := range []string{"sso_url", "fingerprint", "idp_entity_id", "metadata"} {
		if kept.Get(k) != hostile[k] {
			t.Errorf("field %s shows %q, want %q as typed", k, kept.Get(k), hostile[k])
		}
	}

	// A stored configuration with hostile values (metadata another
	// administrator pasted) is shown escaped.
	idp := newIdP(t, "x")
	md := strings.ReplaceAll(idp.metadata, idp.entityID, xmlEscape(`https://idp.example/"><script>alert(1)</script>`))
	md = strings.ReplaceAll(md, idp.ssoURL, xmlEscape(`https://idp.example/sso?a=1&b="><img src=x>`))
	if _, err := sso.Configure(context.Background(), h.st, "g1", store.SAMLConfig{Enabled: true, IdPMetadata: md}); err != nil {
		t.Fatal(err)
	}
	page := h.get(t, h.pageURL("acme"))
	checkEscaped(t, page)
	f := facts(t, page)
	if len(f) < 6 || f[4][1] != `https://idp.example/"><script>alert(1)</script>` || f[5][1] != `https://idp.example/sso?a=1&b="><img src=x>` {
		t.Errorf("the stored values are not shown as they are: %q", f)
	}
}

// xmlEscape escapes s for an XML attribute.
func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// checkEscaped fails the test when a page is not well-formed or holds an
// element the page does not write itself.
func checkEscaped(t *testing.T, page string) {
	t.Helper()
	if err := checkWellFormed(page); err != nil {
		t.Fatal(err)
	}
	if n := len(elements(t, page, "script")); n != 1 {
		t.Errorf("%d <script> elements, want the page's own 1", n)
	}
	if n := len(elements(t, page, "img")) + len(elements(t, page, "b")); n != 0 {
		t.Errorf("%d injected elements", n)
	}
	if n := len(elements(t, page, "textarea")); n != 1 {
		t.Errorf("%d textareas, want 1", n)
	}
}

// TestSAMLKeepsCertificate: a group that trusts a certificate the host
// configured keeps it when the owner saves without a fingerprint, and
// trusts a fingerprint given instead.
func TestSAMLKeepsCertificate(t *testing.T) {
	h := newHost(t, nil)
	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	g, err := sso.Configure(context.Background(), h.st, "g1", store.SAMLConfig{Enabled: true, SSOURL: idp.ssoURL,
		Certificate: "\n" + strings.Join(strings.Fields(xmlCertificate(idp)), "") + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	page := h.get(t, h.pageURL("acme"))
	if !strings.Contains(page, "The group trusts the signing certificate "+idp.subject+", configured for it.") {
		t.Error("no word of the configured certificate beside the fingerprint")
	}
	form := h.samlForm(t, "acme")
	if form.Get("fingerprint") != "" || form.Get("sso_url") != idp.ssoURL {
		t.Fatalf("the form: %v", form)
	}
	form.Set("default_role", "20")
	if r := h.postSAML(t, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.status, r.body)
	}
	if got := h.group(t, "g1"); got.SAML.Certificate != g.SAML.Certificate || got.SAML.Fingerprint != "" || got.DefaultRole != store.RoleReporter {
		t.Errorf("after a save without fingerprint: %+v", got.SAML)
	}
	form = h.samlForm(t, "acme")
	form.Set("fingerprint", idp.sha1)
	if r := h.postSAML(t, form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.status, r.body)
	}
	if got := h.group(t, "g1"); got.SAML.Certificate != "" || got.SAML.Fingerprint != idp.sha1 {
		t.Errorf("after a save with a fingerprint: %+v", got.SAML)
	}
}

// xmlCertificate is the base64 certificate of the IdP's metadata.
func xmlCertificate(i *testIdP) string {
	_, rest, _ := strings.Cut(i.metadata, "<X509Certificate xmlns=\"http://www.w3.org/2000/09/xmldsig#\">")
	c, _, _ := strings.Cut(rest, "<")
	return c
}

// TestSAMLTooLarge: a form larger than any metadata is refused with 413
// unread; metadata over sso's limit is refused beside its field.
func TestSAMLTooLarge(t *testing.T) {
	h := newHost(t, nil)
	form := url.Values{"version": {"1"}, "source": {"metadata"}, "metadata": {strings.Repeat("<", 2<<20)}}
	if r := h.postSAML(t, form); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 6 MiB form: %d, want 413", r.status)
	}
	form.Set("metadata", "<x>"+strings.Repeat(" ", 1<<20)+"</x>")
	r := h.postSAML(t, form)
	if r.status != http.StatusUnprocessableEntity || fieldError(t, r.body, "saml-metadata-xml") != "Larger than 1 MiB." {
		t.Errorf("metadata over 1 MiB: %d %q", r.status, fieldError(t, r.body, "saml-metadata-xml"))
	}
	if g := h.group(t, "g1"); g.SAML != nil {
		t.Error("saved")
	}
}

// TestWithoutSAML: a page without WithSAML has no SAML section, and its
// prefix takes no POST.
func TestWithoutSAML(t *testing.T) {
	st, prov := bare(t)
	page, err := settings.New(prov, st, func(*http.Request, *store.Group) (bool, error) { return true, nil })
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/groups/acme/-/saml", nil))
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `id="saml"`) {
		t.Errorf("GET: %d, SAML section %v", w.Code, strings.Contains(w.Body.String(), `id="saml"`))
	}
	r := httptest.NewRequest(http.MethodPost, "/groups/acme/-/saml", strings.NewReader("version=1"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w = httptest.NewRecorder()
	page.ServeHTTP(w, r)
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", w.Code)
	}
}
