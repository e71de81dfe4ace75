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
	"golang.org/x/net/html"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// scimGroup POSTs a Group as Entra ID does (with its schema and an
// externalId, when given) with the members ids, and returns its id.
func (h *host) scimGroup(t testing.TB, token, displayName, externalID string, members ...string) string {
	t.Helper()
	ms := ""
	for i, m := range members {
		if i > 0 {
			ms += ","
		}
		ms += `{"value":"` + m + `"}`
	}
	ext := ""
	if externalID != "" {
		ext = `"externalId":` + strconv.Quote(externalID) + `,`
	}
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],` +
		ext + `"displayName":` + strconv.Quote(displayName) + `,"members":[` + ms + `]}`
	code, m := h.scimCall(t, http.MethodPost, h.scimURL("acme")+"/Groups", token, body)
	if code != http.StatusCreated {
		t.Fatalf("POST /Groups: %d %v", code, m)
	}
	return m["id"].(string)
}

// postLink posts the add form (or, with remove, a Remove button) as the
// owner's browser.
func (h *host) postLink(t testing.TB, remove bool, attribute, value, role string) response {
	t.Helper()
	u := h.pageURL("acme") + "/group_links"
	form := url.Values{"attribute": {attribute}, "value": {value}}
	if remove {
		u += "/remove"
	} else {
		form.Set("role", role)
	}
	return h.do(t, request{method: http.MethodPost, url: u, form: form, headers: sameOrigin})
}

// linkRows reads a table of the group links section, by its class: "links"
// or "idp-groups".
func linkRows(t testing.TB, page, class string) [][]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "table" || attr(n, "class") != class {
			continue
		}
		for tr := range n.Descendants() {
			if tr.Type != html.ElementNode || tr.Data != "tr" || tr.Parent.Data != "tbody" {
				continue
			}
			var cells []string
			for c := range tr.ChildNodes() {
				if c.Type == html.ElementNode && c.Data == "td" {
					cells = append(cells, text(c))
				}
			}
			out = append(out, cells)
		}
	}
	return out
}

// roles returns the Role column of the identities table by the local part
// of the email, the User column's last word.
func roles(t testing.TB, page string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range rows(t, page) {
		words := strings.Fields(r.User)
		local, _, _ := strings.Cut(words[len(words)-1], "@")
		out[local] = r.Role
	}
	return out
}

// An owner sees the IdP groups the IdP pushed, links one to a role, which
// the members get at once, changes the link's role, and removes it, after
// which they have the default role again.
func TestGroupLinks(t *testing.T) {
	h := newHost(t, nil)
	tok := h.generateToken(t, "acme")
	ada := h.provision(t, tok, scimUser("e-ada", "ada", "ada@example.com", "Ada", "Lovelace"))
	h.provision(t, tok, scimUser("e-bob", "bob", "bob@example.com", "Bob", "Hopper"))
	h.scimGroup(t, tok, "Engineering", "8aa1a0c0", ada)
	h.scimGroup(t, tok, "Sales", "")

	page := h.get(t, h.pageURL("acme"))
	if diff := cmp.Diff([][]string{{"Engineering", "8aa1a0c0", "not linked"}, {"Sales", "none", "not linked"}}, linkRows(t, page, "idp-groups")); diff != "" {
		t.Errorf("IdP groups (-want +got):\n%s", diff)
	}
	if !strings.Contains(page, "No group links yet") {
		t.Error("no empty state for the links")
	}

	r := h.postLink(t, false, "displayName", "  engineering ", "40")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/groups/acme/-/saml?links=saved#group-links" {
		t.Fatalf("add: %d %v %s", r.status, r.header, r.body)
	}
	page = h.get(t, h.pageURL("acme")+"?links=saved")
	if !strings.Contains(page, `id="group-links-saved"`) {
		t.Error("no saved notice")
	}
	if diff := cmp.Diff([][]string{{"engineering", "Display name", "Maintainer", "Remove"}}, linkRows(t, page, "links")); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"Engineering", "8aa1a0c0", "Maintainer"}, {"Sales", "none", "not linked"}}, linkRows(t, page, "idp-groups")); diff != "" {
		t.Errorf("IdP groups (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"ada": "Maintainer", "bob": "Developer"}, roles(t, page)); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}

	// A link by externalId to a higher role wins; one to a group not
	// provisioned says so.
	for _, l := range [][3]string{{"externalId", "8AA1A0C0", "50"}, {"displayName", "Support", "20"}} {
		if r := h.postLink(t, false, l[0], l[1], l[2]); r.status != http.StatusSeeOther {
			t.Fatalf("add %v: %d %s", l, r.status, r.body)
		}
	}
	page = h.get(t, h.pageURL("acme"))
	want := [][]string{
		{"engineering", "Display name", "Maintainer", "Remove"},
		{"Support no such group provisioned yet", "Display name", "Reporter", "Remove"},
		{"8AA1A0C0", "External ID", "Owner", "Remove"},
	}
	if diff := cmp.Diff(want, linkRows(t, page, "links")); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if got := roles(t, page)["ada"]; got != "Owner" {
		t.Errorf("ada's role with the Owner link: %q", got)
	}

	// Removing the Owner link would leave the group without an owner:
	// refused with GitLab's message, nothing removed.
	r = h.postLink(t, true, "externalId", "8AA1A0C0", "")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Cannot remove last group owner") {
		t.Fatalf("remove the last owner's link: %d %s", r.status, r.body)
	}
	if err := checkWellFormed(r.body); err != nil {
		t.Fatal(err)
	}
	if n := len(linkRows(t, h.get(t, h.pageURL("acme")), "links")); n != 3 {
		t.Errorf("%d links after a refused removal", n)
	}

	// With another owner, the links go, and the roles with them.
	h.addAccount(t, &store.User{ID: "u-boss", Username: "boss", Name: "Boss", Email: "boss@example.com", State: store.UserActive})
	h.setRole(t, "u-boss", store.RoleOwner)
	for _, l := range [][2]string{{"externalId", "8aa1a0c0"}, {"displayName", "ENGINEERING"}, {"displayName", "nothing"}} {
		r := h.postLink(t, true, l[0], l[1], "")
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/groups/acme/-/saml?links=removed#group-links" {
			t.Fatalf("remove %v: %d %s", l, r.status, r.body)
		}
	}
	page = h.get(t, h.pageURL("acme")+"?links=removed")
	if !strings.Contains(page, `id="group-links-removed"`) {
		t.Error("no removed notice")
	}
	if diff := cmp.Diff(map[string]string{"ada": "Developer", "bob": "Developer"}, roles(t, page)); diff != "" {
		t.Errorf("roles after the removals (-want +got):\n%s", diff)
	}
	var types []identity.EventType
	for _, e := range recent(t, h.events, "g1") {
		if strings.HasPrefix(string(e.Type), "idp_group_link") {
			types = append(types, e.Type)
		}
	}
	if len(types) != 5 {
		t.Errorf("link events: %v", types)
	}
}

// Refused values come back beside their fields, as typed, with 422 and
// nothing saved.
func TestGroupLinkRefused(t *testing.T) {
	h := newHost(t, nil)
	tests := []struct {
		name, attribute, value, role string
		field, message               string
	}{
		{"no value", "displayName", "  ", "30", "link-value", "Enter the group's display name or external ID."},
		{"control characters", "displayName", "a\x01b", "30", "link-value", "control"},
		{"too long", "displayName", strings.Repeat("x", 5000), "30", "link-value", "bytes"},
		{"unknown attribute", "members", "Eng", "30", "link-attribute", "Choose display name or external ID."},
		{"no role", "displayName", "Eng", "", "link-role", "Choose a role."},
		{"not a role", "externalId", "Eng", "35", "link-role", "is not a membership role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.postLink(t, false, tc.attribute, tc.value, tc.role)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if err := checkWellFormed(r.body); err != nil {
				t.Fatal(err)
			}
			var msg string
			for _, p := range elements(t, r.body, "p") {
				if attr(p, "id") == tc.field+"-error" {
					msg = text(p)
				}
			}
			if !strings.Contains(msg, tc.message) {
				t.Errorf("the error beside %s says %q, want %q", tc.field, msg, tc.message)
			}
			for _, in := range elements(t, r.body, "input") {
				if attr(in, "name") == "value" && attr(in, "type") == "text" && tc.value != "" && strings.TrimSpace(tc.value) != attr(in, "value") && !strings.ContainsRune(tc.value, 1) {
					t.Errorf("the value typed is not kept: %q", attr(in, "value"))
				}
			}
		})
	}
	links, err := h.prov.IdPGroupLinks(context.Background(), "g1")
	if err != nil || len(links) != 0 {
		t.Errorf("links after refused posts: %v %v", links, err)
	}
}

// The forms are an owner's, from the page's origin, and only for groups
// that exist; a body too large is refused; none of them saves anything.
func TestGroupLinkForbidden(t *testing.T) {
	h := newHost(t, nil)
	form := url.Values{"attribute": {"displayName"}, "value": {"Eng"}, "role": {"50"}}
	tests := []struct {
		name string
		rq   request
		want int
	}{
		{"stranger", request{method: http.MethodPost, url: h.pageURL("acme") + "/group_links", form: form, anonymous: true, headers: sameOrigin}, http.StatusForbidden},
		{"cross-site", request{method: http.MethodPost, url: h.pageURL("acme") + "/group_links", form: form, headers: map[string]string{"Sec-Fetch-Site": "cross-site"}}, http.StatusForbidden},
		{"neither header", request{method: http.MethodPost, url: h.pageURL("acme") + "/group_links", form: form}, http.StatusForbidden},
		{"another group", request{method: http.MethodPost, url: h.pageURL("beta") + "/group_links", form: form, headers: sameOrigin}, http.StatusForbidden},
		{"no such group", request{method: http.MethodPost, url: h.pageURL("nope") + "/group_links", form: form, headers: sameOrigin}, http.StatusForbidden},
		{"GET", request{method: http.MethodGet, url: h.pageURL("acme") + "/group_links", headers: sameOrigin}, http.StatusMethodNotAllowed},
		{"remove without value", request{method: http.MethodPost, url: h.pageURL("acme") + "/group_links/remove", form: url.Values{"attribute": {"displayName"}}, headers: sameOrigin}, http.StatusBadRequest},
		{"too large", request{method: http.MethodPost, url: h.pageURL("acme") + "/group_links", form: url.Values{"value": {strings.Repeat("x", 70<<10)}}, headers: sameOrigin}, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := h.do(t, tc.rq); r.status != tc.want {
				t.Fatalf("got %d, want %d: %s", r.status, tc.want, r.body)
			}
		})
	}
	for _, g := range []string{"g1", "g2"} {
		if links, err := h.prov.IdPGroupLinks(context.Background(), g); err != nil || len(links) != 0 {
			t.Errorf("%s links: %v %v", g, links, err)
		}
	}
}

// Names the IdP sends, and values an owner types, are text wherever the
// page shows them: the page stays well-formed with its one script.
func TestGroupLinkHostile(t *testing.T) {
	h := newHost(t, nil)
	tok := h.generateToken(t, "acme")
	const evil = `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	h.scimGroup(t, tok, evil, evil+"-ext")
	if r := h.postLink(t, false, "displayName", evil, "30"); r.status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	r := h.postLink(t, false, "externalId", evil+"\x00", "30") // refused, shown back
	for _, page := range []string{h.get(t, h.pageURL("acme")), r.body} {
		if err := checkWellFormed(page); err != nil {
			t.Fatal(err)
		}
		if n := len(elements(t, page, "script")); n != 1 {
			t.Errorf("%d script elements", n)
		}
		if len(elements(t, page, "img")) != 0 || strings.Contains(page, "<script>alert") {
			t.Error("a value is markup on the page")
		}
	}
	page := h.get(t, h.pageURL("acme"))
	if diff := cmp.Diff([][]string{{evil, "Display name", "Developer", "Remove"}}, linkRows(t, page, "links")); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	// The Remove button carries the value back as it is.
	if r := h.postLink(t, true, "displayName", evil, ""); r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
}

// The GitLab profile has no Groups: no section, no forms.
func TestGroupLinksGitLabProfile(t *testing.T) {
	st := memstore.New()
	addGroups(t, st)
	prov, err := identity.New(st, identity.WithProfile(identity.GitLabProfile()))
	if err != nil {
		t.Fatal(err)
	}
	page, err := settings.New(prov, st, func(*http.Request, *store.Group) (bool, error) { return true, nil })
	if err != nil {
		t.Fatal(err)
	}
	get := serveReq(page, http.MethodGet, "/groups/acme/-/saml", nil)
	if get.Code != http.StatusOK || strings.Contains(get.Body.String(), "group-links") {
		t.Errorf("GET: %d, group links shown: %v", get.Code, strings.Contains(get.Body.String(), "group-links"))
	}
	post := serveReq(page, http.MethodPost, "/groups/acme/-/saml/group_links", url.Values{"attribute": {"displayName"}, "value": {"x"}, "role": {"30"}})
	if post.Code != http.StatusNotFound {
		t.Errorf("POST: %d", post.Code)
	}
}

// setRole makes account userID a member of acme with role.
func (h *host) setRole(t testing.TB, userID string, role store.Role) {
	t.Helper()
	err := h.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return tx.PutMembership(ctx, &store.Membership{GroupID: "g1", UserID: userID, Role: role})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// serveReq serves one request of the page's origin to h in process, a form
// post when form is not nil.
func serveReq(h http.Handler, method, target string, form url.Values) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
