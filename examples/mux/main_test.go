package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMounts provisions and reads a user through each of the three mounts
// and checks that Location points back into the same mount.
func TestMounts(t *testing.T) {
	h, token, err := newApp(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	for i, base := range []string{"/stdlib/scim/v2", "/stdlib/groups/acme", "/chi/groups/acme"} {
		t.Run(base, func(t *testing.T) {
			body := `{"externalId":"e` + base + `","userName":"u` + string(rune('a'+i)) + `","emails":[{"value":"u` + string(rune('a'+i)) + `@example.com","type":"work"}]}`
			req := httptest.NewRequest(http.MethodPost, base+"/Users", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/scim+json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				t.Fatalf("POST: %d %s", rec.Code, rec.Body)
			}
			var u map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &u); err != nil {
				t.Fatal(err)
			}
			want := "http://example.com" + base + "/Users/" + u["id"].(string)
			if got := rec.Header().Get("Location"); got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
			req = httptest.NewRequest(http.MethodGet, strings.TrimPrefix(want, "http://example.com"), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Errorf("GET Location: %d %s", rec.Code, rec.Body)
			}
			req = httptest.NewRequest(http.MethodGet, base+"/Nope", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"status":"404"`) {
				t.Errorf("unknown route: %d %s", rec.Code, rec.Body)
			}
		})
	}
}
