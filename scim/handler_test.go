package scim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCreateGetRoundTrip(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId":"ext-1","USERNAME":"jdoe","name":{"GIVENNAME":"Jane","familyName":"Doe"},
		"emails":[{"value":"jane@example.com","type":"work","primary":true}],
		"title":"Engineer","password":"secret","x-custom":{"a":1},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"EmployeeNumber":"42"}}`
	rec := e.do(t, http.MethodPost, "/Users", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	got := decode(t, rec)
	id := got["id"].(string)
	loc := "http://example.com/api/scim/v2/groups/acme/Users/" + id
	if diff := cmp.Diff(loc, rec.Header().Get("Location")); diff != "" {
		t.Errorf("Location (-want +got):\n%s", diff)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		t.Errorf("Content-Type = %q", ct)
	}
	want := map[string]any{
		"schemas":    []any{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"id":         id,
		"externalId": "ext-1",
		"userName":   "jdoe",
		"active":     true,
		"name":       map[string]any{"givenName": "Jane", "familyName": "Doe"},
		"emails":     []any{map[string]any{"value": "jane@example.com", "type": "work", "primary": true}},
		"title":      "Engineer",
		"x-custom":   map[string]any{"a": float64(1)},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"employeeNumber": "42"},
		"meta": map[string]any{
			"resourceType": "User",
			"created":      "2026-01-02T03:04:05Z",
			"lastModified": "2026-01-02T03:04:05Z",
			"location":     loc,
			"version":      rec.Header().Get("ETag"),
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("POST body (-want +got):\n%s", diff)
	}
	rec = e.do(t, http.MethodGet, "/Users/"+id, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET: %d %s", rec.Code, rec.Body)
	}
	if diff := cmp.Diff(want, decode(t, rec)); diff != "" {
		t.Errorf("GET body (-want +got):\n%s", diff)
	}
}
