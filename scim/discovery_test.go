package scim

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDiscoveryBase checks that a discovery document written again for
// another group or host (the last one is kept) has that group's URLs.
func TestDiscoveryBase(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	tests := []struct {
		name, host, path, token, want string
	}{
		{"acme", "example.com", "/api/scim/v2/groups/acme/ServiceProviderConfig", e.token, "http://example.com/api/scim/v2/groups/acme/ServiceProviderConfig"},
		{"acme again", "example.com", "/api/scim/v2/groups/acme/ServiceProviderConfig", e.token, "http://example.com/api/scim/v2/groups/acme/ServiceProviderConfig"},
		{"other group", "example.com", "/api/scim/v2/groups/other/ServiceProviderConfig", e.otherToken, "http://example.com/api/scim/v2/groups/other/ServiceProviderConfig"},
		{"other host", "scim.example.org", "/api/scim/v2/groups/acme/ServiceProviderConfig", e.token, "http://scim.example.org/api/scim/v2/groups/acme/ServiceProviderConfig"},
		{"host to escape", "a<b>", "/api/scim/v2/groups/acme/ServiceProviderConfig", e.token, "http://a<b>/api/scim/v2/groups/acme/ServiceProviderConfig"},
		{"acme at last", "example.com", "/api/scim/v2/groups/acme/ServiceProviderConfig", e.token, "http://example.com/api/scim/v2/groups/acme/ServiceProviderConfig"},
	}
	for _, tc := range tests {
		// Not parallel: the order of the requests is the test.
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Host = tc.host
		req.Header.Set("Authorization", "Bearer "+tc.token)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		got := decode(t, rec)["meta"].(map[string]any)["location"]
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: location (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestDiscoveryFilter: GET /Schemas?filter=id eq "urn:x" answered 200 with
// every schema, the filter dropped, so a client could take the whole list
// for the matches. RFC 7644 §4 has the discovery endpoints answer a filter
// with 403; without one (or with an empty one) they answer as before.
func TestDiscoveryFilter(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	filter := "?filter=" + q(`id eq "urn:x"`)
	for _, path := range []string{
		"/Schemas", "/schemas/", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
		"/ResourceTypes", "/ResourceTypes/Group", "/ServiceProviderConfig",
	} {
		checkError(t, e.do(t, http.MethodGet, path+filter, nil), http.StatusForbidden, "")
		checkError(t, e.do(t, http.MethodGet, path+"?FILTER=x", nil), http.StatusForbidden, "")
		if rec := e.do(t, http.MethodGet, path+"?attributes=id&filter=", nil); rec.Code != http.StatusOK {
			t.Errorf("GET %s without a filter: %d %s", path, rec.Code, rec.Body)
		}
	}
}
