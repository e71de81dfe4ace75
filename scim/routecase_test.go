package scim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store/memstore"
)

// In the RFC profile the endpoint segment is matched ignoring case and a
// trailing slash is tolerated; the prefix and the ids are exact, and
// Location and meta.location keep the canonical spelling.
func TestRouteCase(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-ada", "ada", "ada@example.com")
	gid := e.createGroup(t, "Engineering")
	tests := []struct {
		method, path, body string
		status             int
		allow              string
	}{
		{"GET", "/users", "", 200, ""},
		{"GET", "/USERS", "", 200, ""},
		{"GET", "/Users/", "", 200, ""},
		{"GET", "/users/" + id, "", 200, ""},
		{"GET", "/USERS/" + id + "/", "", 200, ""},
		{"PATCH", "/uSeRs/" + id + "/", `{"Operations":[{"op":"replace","path":"title","value":"x"}]}`, 200, ""},
		{"POST", "/users/.SEARCH", `{"filter":"userName eq \"ada\""}`, 200, ""},
		{"POST", "/Users/.search/", `{}`, 200, ""},
		{"GET", "/groups", "", 200, ""},
		{"GET", "/Groups/", "", 200, ""},
		{"GET", "/GROUPS/" + gid, "", 200, ""},
		{"POST", "/groups/.search", `{}`, 200, ""},
		{"GET", "/serviceproviderconfig", "", 200, ""},
		{"GET", "/ServiceProviderConfig/", "", 200, ""},
		{"GET", "/resourcetypes/", "", 200, ""},
		{"GET", "/resourceTypes/User", "", 200, ""},
		{"GET", "/SCHEMAS", "", 200, ""},
		{"GET", "/schemas/urn:ietf:params:scim:schemas:core:2.0:Group/", "", 200, ""},
		// Ids stay exact, other paths stay unknown, methods are checked.
		{"GET", "/Users/" + strings.ToUpper(strings.ReplaceAll(id, "0", "a")), "", 404, ""},
		{"GET", "/Userz/", "", 404, ""},
		{"GET", "/Users/" + id + "/x", "", 404, ""},
		{"GET", "/api/SCIM/v2/groups/acme/Users", "", 404, ""},
		{"PUT", "/users", `{}`, 405, "GET, HEAD, POST"},
		{"GET", "/groups/.search", "", 405, "POST"},
	}
	for _, tc := range tests {
		rec := e.do(t, tc.method, tc.path, tc.body)
		if rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, rec.Code, tc.status, rec.Body)
			continue
		}
		if got := rec.Header().Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}

	base := "http://example.com/api/scim/v2/groups/acme"
	rec := e.do(t, http.MethodPost, "/users/", `{"externalId":"ext-bob","userName":"bob","emails":[{"value":"bob@example.com","type":"work"}]}`)
	bob := decode(t, rec)["id"].(string)
	if got := rec.Header().Get("Location"); rec.Code != http.StatusCreated || got != base+"/Users/"+bob {
		t.Errorf("POST /users/: %d, Location %q", rec.Code, got)
	}
	rec = e.do(t, http.MethodGet, "/USERS/"+bob+"/", nil)
	if got := decode(t, rec)["meta"].(map[string]any)["location"]; got != base+"/Users/"+bob {
		t.Errorf("meta.location = %v", got)
	}
	rec = e.do(t, http.MethodPost, "/GROUPS/", `{"displayName":"Sales"}`)
	sales := decode(t, rec)["id"].(string)
	if got := rec.Header().Get("Location"); got != base+"/Groups/"+sales {
		t.Errorf("POST /GROUPS/: Location %q", got)
	}
	rec = e.do(t, http.MethodGet, "/schemas/", nil)
	if got := decode(t, rec)["Resources"].([]any)[0].(map[string]any)["meta"].(map[string]any)["location"]; got != base+"/Schemas/urn:ietf:params:scim:schemas:core:2.0:User" {
		t.Errorf("schema location = %v", got)
	}
}

// Mounted with http.StripPrefix, a request in another case or with a
// trailing slash still finds the mount point for Location.
func TestRouteCaseStripPrefix(t *testing.T) {
	t.Parallel()
	prov, err := identity.New(memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := prov.CreateGroup(context.Background(), identity.GroupSpec{Path: "solo", Token: "solo-token-0123456789"}); err != nil {
		t.Fatal(err)
	}
	h, err := New(prov, WithGroup("solo"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	for _, path := range []string{"/scim/v2/users/", "/scim/v2/GROUPS"} {
		body := `{"externalId":"x","userName":"u","emails":[{"value":"u@example.com","type":"work"}]}`
		want := "http://example.com/scim/v2/Users/"
		if strings.Contains(path, "GROUPS") {
			body, want = `{"displayName":"g"}`, "http://example.com/scim/v2/Groups/"
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer solo-token-0123456789")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		if diff := cmp.Diff(want+decode(t, rec)["id"].(string), rec.Header().Get("Location")); diff != "" {
			t.Errorf("%s: Location (-want +got):\n%s", path, diff)
		}
	}
}

// The GitLab profile keeps GitLab's exact routes.
func TestRouteCaseGitLab(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, identity.GitLabProfile())
	for _, p := range []string{"/users", "/USERS", "/Users/"} {
		if rec := e.do(t, http.MethodGet, glBase+p, glToken, ""); rec.Code != http.StatusNotFound || rec.Body.String() != `{"error":"404 Not Found"}` {
			t.Errorf("GET %s: %d %s", p, rec.Code, rec.Body)
		}
	}
	if rec := e.do(t, http.MethodGet, glBase+"/Users", glToken, ""); rec.Code != http.StatusOK {
		t.Errorf("GET /Users: %d %s", rec.Code, rec.Body)
	}
}

// routePath puts the endpoint of a path in its canonical spelling and
// drops a trailing slash, below any prefix; a canonical path is returned
// as it is, without allocating (not parallel: AllocsPerRun).
func TestRoutePath(t *testing.T) {
	tests := []struct {
		prefix, in, want string
		changed          bool
	}{
		{"", "/Users", "/Users", false},
		{"", "/Users/abc", "/Users/abc", false},
		{"", "/users", "/Users", true},
		{"", "/users/", "/Users", true},
		{"", "/Users/AbC/", "/Users/AbC", true},
		{"", "/users/.Search", "/Users/.search", true},
		{"", "/Schemas/.search", "/Schemas/.search", false},
		{"", "/schemas/.Search", "/Schemas/.Search", true},
		{"", "/Other/", "/Other/", false},
		{"", "/", "/", false},
		{"/scim/v2", "/scim/v2/groups/x", "/scim/v2/Groups/x", true},
		{"/scim/v2", "/scim/v2", "/scim/v2", false},
		{"/scim/v2", "/scim/v2/", "/scim/v2/", false},
		{"/api/scim/v2/groups/{group}", "/api/scim/v2/groups/a%2Fb/serviceproviderconfig/", "/api/scim/v2/groups/a%2Fb/ServiceProviderConfig", true},
		{"/api/scim/v2/groups/{group}", "/api/scim/v2/groups/users", "/api/scim/v2/groups/users", false},
	}
	for _, tc := range tests {
		h := &Handler{cfg: config{prefix: tc.prefix}}
		got, changed := h.routePath(tc.in)
		if got != tc.want || changed != tc.changed {
			t.Errorf("prefix %q: routePath(%q) = %q, %v; want %q, %v", tc.prefix, tc.in, got, changed, tc.want, tc.changed)
		}
	}
	h := &Handler{cfg: config{prefix: "/api/scim/v2/groups/{group}"}}
	if n := testing.AllocsPerRun(100, func() { h.routePath("/api/scim/v2/groups/acme/Users/2819c223") }); n != 0 {
		t.Errorf("routePath of a canonical path allocates %v times", n)
	}
}
