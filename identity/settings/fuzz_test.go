package settings_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzPage: whatever the search and page parameters, the page is a
// well-formed 200 whose only script is its own.
func FuzzPage(f *testing.F) {
	h := newHost(f, nil)
	tok := h.generateToken(f, "acme")
	h.provision(f, tok, scimUser(`"><script>x</script>`, "<b>bold</b>", "fuzz@example.com", "Fu", "Zz"))
	h.provision(f, tok, scimUser("plain-guid", "plain", "plain@example.com", "Plain", "User"))
	for _, seed := range [][2]string{
		{"", ""}, {"plain", "1"}, {`"><script>x</script>`, ""}, {"", "99999999999999999999"},
		{"\xff\xfe", "-1"}, {"FUZZ@EXAMPLE.COM", "2"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, q, page string) {
		target := "/groups/acme/-/saml?" + url.Values{"q": {q}, "page": {page}}.Encode()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.AddCookie(&http.Cookie{Name: "session", Value: ownerToken})
		w := httptest.NewRecorder()
		h.page.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		if err := checkWellFormed(w.Body.String()); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if n := len(elements(t, w.Body.String(), "script")); n != 1 {
			t.Fatalf("%s: %d script elements", target, n)
		}
	})
}

// FuzzSAMLForm: whatever the SAML form's fields, its post answers a save
// (303) or the page with the form (422 refused, 409 stale), well-formed
// and with no script but its own, and changes the group only when it
// saves.
func FuzzSAMLForm(f *testing.F) {
	h := newHost(f, nil)
	idp := newIdP(f, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	for _, seed := range [][6]string{
		{"sso_url", idp.ssoURL, idp.sha1Hex, "", "30", ""},
		{"metadata", "", "", idp.metadata, "40", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"},
		{"sso_url", `"><script>x</script>`, "zz", "</textarea><script>", "-1", "urn:x"},
		{"metadata", "", "", "<EntityDescriptor", "abc", ""},
		{"sso_url", "https://idp.example/sso", "ab:" + strings.Repeat("cd:", 30), "", "50", "\xff"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3], seed[4], seed[5])
	}
	f.Fuzz(func(t *testing.T, source, ssoURL, fingerprint, metadata, role, format string) {
		before := h.group(t, "g1")
		form := url.Values{"version": {strconv.FormatInt(before.Version, 10)}, "enabled": {"on"}, "source": {source},
			"sso_url": {ssoURL}, "fingerprint": {fingerprint}, "metadata": {metadata}, "default_role": {role}, "name_id_format": {format}}
		r := h.postSAML(t, form)
		switch r.status {
		case http.StatusSeeOther:
			if h.group(t, "g1").Version != before.Version+1 {
				t.Fatal("a save that stored nothing")
			}
			return
		case http.StatusUnprocessableEntity, http.StatusConflict:
		default:
			t.Fatalf("%d %s", r.status, r.body)
		}
		if err := checkWellFormed(r.body); err != nil {
			t.Fatal(err)
		}
		if n := len(elements(t, r.body, "script")); n != 1 {
			t.Fatalf("%d script elements", n)
		}
		if diff := cmp.Diff(before, h.group(t, "g1")); diff != "" {
			t.Fatalf("a refused post changed the group (-before +after):\n%s", diff)
		}
	})
}

// FuzzGroupLinkForm: whatever the group link form's fields, its post (add,
// or remove) answers a save (303), the page with the form (422, refused),
// or 400 for a removal that names no link; a page is well-formed with no
// script but its own; and the links change only on a 303.
func FuzzGroupLinkForm(f *testing.F) {
	h := newHost(f, nil)
	for _, seed := range []struct {
		remove                 bool
		attribute, value, role string
	}{
		{false, "displayName", "Engineering", "40"},
		{false, "externalId", "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "50"},
		{true, "displayName", "Engineering", ""},
		{false, "displayName", `"><script>x</script>`, "30"},
		{false, "members", "", "-1"},
		{false, "displayName", "\xff\x00", "99999999999999999999"},
		{true, "externalId", "nothing", ""},
	} {
		f.Add(seed.remove, seed.attribute, seed.value, seed.role)
	}
	f.Fuzz(func(t *testing.T, remove bool, attribute, value, role string) {
		before, err := h.prov.IdPGroupLinks(context.Background(), "g1")
		if err != nil {
			t.Fatal(err)
		}
		r := h.postLink(t, remove, attribute, value, role)
		after, err := h.prov.IdPGroupLinks(context.Background(), "g1")
		if err != nil {
			t.Fatal(err)
		}
		switch r.status {
		case http.StatusSeeOther:
			return
		case http.StatusBadRequest:
			if !remove {
				t.Fatalf("400 for an add: %s", r.body)
			}
		case http.StatusUnprocessableEntity:
			if err := checkWellFormed(r.body); err != nil {
				t.Fatal(err)
			}
			if n := len(elements(t, r.body, "script")); n != 1 {
				t.Fatalf("%d script elements", n)
			}
		default:
			t.Fatalf("%d %s", r.status, r.body)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Fatalf("a refused post changed the links (-before +after):\n%s", diff)
		}
	})
}
