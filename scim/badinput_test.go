package scim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkError checks that rec is the SCIM error of status, with scimType
// (none when ""), and a detail.
func checkError(t *testing.T, rec *httptest.ResponseRecorder, status int, scimType string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, truncate(rec.Body.String(), 300))
	}
	body := decode(t, rec)
	want := map[string]any{"schemas": []any{ErrorURN}, "status": fmt.Sprint(status)}
	if scimType != "" {
		want["scimType"] = scimType
	}
	got := map[string]any{"schemas": body["schemas"], "status": body["status"]}
	if st, ok := body["scimType"]; ok {
		got["scimType"] = st
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error body (-want +got):\n%s\nfull: %s", diff, rec.Body)
	}
	if d, _ := body["detail"].(string); d == "" {
		t.Errorf("empty detail")
	}
}

// TestBadInput sends every kind of hostile or malformed request the issue
// lists. Each must get its SCIM error, leave the store exactly as it was,
// and leave the handler serving.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob","externalId":"ext-2","emails":[{"value":"bob@example.com","type":"work"}]}`
	tests := []struct {
		name     string
		method   string
		path     string
		body     string
		headers  []string
		status   int
		scimType string
		allow    string
	}{
		{name: "no token", method: "GET", path: "/Users", headers: []string{"Authorization", ""}, status: 401},
		{name: "wrong token", method: "GET", path: "/Users", headers: []string{"Authorization", "Bearer nope-nope-nope-nope"}, status: 401},
		{name: "basic scheme", method: "GET", path: "/Users", headers: []string{"Authorization", "Basic YWxpY2U6c2VjcmV0"}, status: 401},
		{name: "okta non-token", method: "GET", path: "/Users", headers: []string{"Authorization", "non-token"}, status: 401},
		{name: "empty bearer", method: "GET", path: "/Users", headers: []string{"Authorization", "Bearer "}, status: 401},
		{name: "other group's token", method: "GET", path: "/Users/" + id, headers: []string{"Authorization", "Bearer other-token-0123456789"}, status: 401},
		{name: "other group's token on POST", method: "POST", path: "/Users", body: user, headers: []string{"Authorization", "Bearer other-token-0123456789"}, status: 401},
		{name: "token for unknown group", method: "GET", path: "/api/scim/v2/groups/nope/Users", status: 401},
		{name: "malformed JSON", method: "POST", path: "/Users", body: `{"userName":`, status: 400, scimType: TypeInvalidSyntax},
		{name: "non-object JSON", method: "POST", path: "/Users", body: `["a"]`, status: 400, scimType: TypeInvalidSyntax},
		{name: "JSON null", method: "POST", path: "/Users", body: `null`, status: 400, scimType: TypeInvalidSyntax},
		{name: "empty body", method: "POST", path: "/Users", body: ``, status: 400, scimType: TypeInvalidSyntax},
		{name: "invalid UTF-8", method: "POST", path: "/Users", body: "{\"userName\":\"b\xffb\",\"externalId\":\"x\",\"emails\":[{\"value\":\"b@example.com\",\"type\":\"work\"}]}", status: 400, scimType: TypeInvalidSyntax},
		{name: "wrong content type", method: "POST", path: "/Users", body: user, headers: []string{"Content-Type", "text/plain"}, status: 415},
		{name: "form content type", method: "POST", path: "/Users", body: "userName=bob", headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415},
		{name: "malformed content type", method: "POST", path: "/Users", body: user, headers: []string{"Content-Type", ";;;"}, status: 415},
		{name: "10 MB body", method: "POST", path: "/Users", body: `{"userName":"` + strings.Repeat("a", 10<<20) + `"}`, status: 413},
		{name: "10 MB PATCH", method: "PATCH", path: "/Users/" + id, body: `{"Operations":[{"op":"add","path":"title","value":"` + strings.Repeat("a", 10<<20) + `"}]}`, status: 413},
		{name: "100000-deep nesting", method: "POST", path: "/Users", body: strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000), status: 400, scimType: TypeInvalidSyntax},
		{name: "100000-deep arrays in PATCH", method: "PATCH", path: "/Users/" + id, body: `{"Operations":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}", status: 400, scimType: TypeInvalidSyntax},
		{name: "bad filter", method: "GET", path: "/Users?filter=" + q(`userName eq`), status: 400, scimType: TypeInvalidFilter},
		{name: "bad filter operator", method: "GET", path: "/Users?filter=" + q(`userName xx "a"`), status: 400, scimType: TypeInvalidFilter},
		{name: "unbalanced filter", method: "GET", path: "/Users?filter=" + q(`(userName eq "a"`), status: 400, scimType: TypeInvalidFilter},
		{name: "filter gt on boolean", method: "GET", path: "/Users?filter=" + q(`active gt true`), status: 400, scimType: TypeInvalidFilter},
		{name: "huge filter", method: "GET", path: "/Users?filter=" + q(`userName eq "`+strings.Repeat("a", 5000)+`"`), status: 400, scimType: TypeInvalidFilter},
		{name: "deep filter", method: "GET", path: "/Users?filter=" + q(strings.Repeat("(", 1000)+`userName eq "a"`+strings.Repeat(")", 1000)), status: 400, scimType: TypeInvalidFilter},
		{name: "bad filter in search", method: "POST", path: "/Users/.search", body: `{"filter":"userName eq"}`, status: 400, scimType: TypeInvalidFilter},
		{name: "non-numeric count", method: "GET", path: "/Users?count=abc", status: 400, scimType: TypeInvalidValue},
		{name: "non-numeric startIndex", method: "GET", path: "/Users?startIndex=one", status: 400, scimType: TypeInvalidValue},
		{name: "float count", method: "GET", path: "/Users?count=1.5", status: 400, scimType: TypeInvalidValue},
		{name: "bad sortOrder", method: "GET", path: "/Users?sortOrder=sideways", status: 400, scimType: TypeInvalidValue},
		{name: "bad sortBy", method: "GET", path: "/Users?sortBy=" + q(`name[`), status: 400, scimType: TypeInvalidValue},
		{name: "id with ..", method: "GET", path: "/Users/..", status: 404},
		{name: "id with ../", method: "GET", path: "/Users/../Schemas", status: 404},
		{name: "id with escaped slash", method: "GET", path: "/Users/a%2Fb", status: 404},
		{name: "id with NUL", method: "GET", path: "/Users/a%00b", status: 404},
		{name: "id with escaped ..", method: "DELETE", path: "/Users/%2E%2E", status: 404},
		{name: "long id", method: "GET", path: "/Users/" + strings.Repeat("a", 300), status: 404},
		{name: "unknown id", method: "GET", path: "/Users/00000000-0000-4000-8000-999999999999", status: 404},
		{name: "unknown id PATCH", method: "PATCH", path: "/Users/nope", body: `{"Operations":[{"op":"replace","path":"active","value":false}]}`, status: 404},
		{name: "unknown id PUT", method: "PUT", path: "/Users/nope", body: user, status: 404},
		{name: "unknown id DELETE", method: "DELETE", path: "/Users/nope", status: 404},
		{name: "unknown route", method: "GET", path: "/Roles", status: 404},
		{name: "unknown nested route", method: "GET", path: "/Users/" + id + "/x", status: 404},
		{name: "outside the prefix", method: "GET", path: "/api/other", status: 404},
		{name: "DELETE collection", method: "DELETE", path: "/Users", status: 405, allow: "GET, HEAD, POST"},
		{name: "POST to a user", method: "POST", path: "/Users/" + id, status: 405, allow: "GET, HEAD, PUT, PATCH, DELETE"},
		{name: "PUT on Schemas", method: "PUT", path: "/Schemas", status: 405, allow: "GET, HEAD"},
		{name: "TRACE", method: "TRACE", path: "/Users", status: 405, allow: "GET, HEAD, POST"},
		{name: "unknown schema", method: "GET", path: "/Schemas/urn:x", status: 404},
		{name: "unknown resource type", method: "GET", path: "/ResourceTypes/Role", status: 404},
		{name: "garbage PATCH op", method: "PATCH", path: "/Users/" + id, body: `{"Operations":[{"op":"explode","path":"title","value":"x"}]}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "PATCH without Operations", method: "PATCH", path: "/Users/" + id, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "PATCH Operations not an array", method: "PATCH", path: "/Users/" + id, body: `{"Operations":"replace"}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "PATCH wrong schemas", method: "PATCH", path: "/Users/" + id, body: `{"schemas":["urn:x"],"Operations":[{"op":"add","path":"title","value":"x"}]}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "PATCH bad path", method: "PATCH", path: "/Users/" + id, body: `{"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`, status: 400, scimType: TypeInvalidPath},
		{name: "PATCH remove without path", method: "PATCH", path: "/Users/" + id, body: `{"Operations":[{"op":"remove"}]}`, status: 400, scimType: TypeNoTarget},
		{name: "PATCH id is readOnly", method: "PATCH", path: "/Users/" + id, body: `{"Operations":[{"op":"replace","path":"id","value":"x"}]}`, status: 400, scimType: TypeMutability},
		{name: "PATCH removes userName", method: "PATCH", path: "/Users/" + id, body: `{"Operations":[{"op":"remove","path":"userName"}]}`, status: 400, scimType: TypeMutability},
		{name: "PATCH wrong value type", method: "PATCH", path: "/Users/" + id, body: `{"Operations":[{"op":"replace","path":"active","value":[1]}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST without userName", method: "POST", path: "/Users", body: `{"externalId":"x","emails":[{"value":"x@example.com","type":"work"}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST without email", method: "POST", path: "/Users", body: `{"externalId":"x","userName":"x"}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST userName not a string", method: "POST", path: "/Users", body: `{"externalId":"x","userName":5,"emails":[{"value":"x@example.com","type":"work"}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST wrong schemas", method: "POST", path: "/Users", body: `{"schemas":["urn:x"],"externalId":"x","userName":"x","emails":[{"value":"x@example.com","type":"work"}]}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "POST duplicate case-folded names", method: "POST", path: "/Users", body: `{"userName":"a","USERNAME":"b","externalId":"x","emails":[{"value":"x@example.com","type":"work"}]}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "POST existing email", method: "POST", path: "/Users", body: `{"externalId":"ext-9","userName":"alice2","emails":[{"value":"ALICE@example.com","type":"work"}]}`, status: 409, scimType: TypeUniqueness},
		{name: "POST existing externalId", method: "POST", path: "/Users", body: `{"externalId":"EXT-1","userName":"alice3","emails":[{"value":"alice3@example.com","type":"work"}]}`, status: 409, scimType: TypeUniqueness},
		{name: "stale If-Match on PATCH", method: "PATCH", path: "/Users/" + id, body: `{"Operations":[{"op":"add","path":"title","value":"x"}]}`, headers: []string{"If-Match", `W/"99"`}, status: 412},
		{name: "garbage If-Match on PUT", method: "PUT", path: "/Users/" + id, body: user, headers: []string{"If-Match", `"abc"`}, status: 412},
		{name: "stale If-Match on DELETE", method: "DELETE", path: "/Users/" + id, headers: []string{"If-Match", `W/"99"`}, status: 412},
		{name: "If-None-Match * on PUT", method: "PUT", path: "/Users/" + id, body: user, headers: []string{"If-None-Match", `*`}, status: 412},
		{name: "stale If-Match on GET", method: "GET", path: "/Users/" + id, headers: []string{"If-Match", `W/"99"`}, status: 412},
	}
	before := e.snapshot(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(t, tc.method, tc.path, tc.body, tc.headers...)
			checkError(t, rec, tc.status, tc.scimType)
			if tc.allow != "" {
				if got := rec.Header().Get("Allow"); got != tc.allow {
					t.Errorf("Allow = %q, want %q", got, tc.allow)
				}
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	if diff := cmp.Diff(before, e.snapshot(t)); diff != "" {
		t.Errorf("store changed (-before +after):\n%s", diff)
	}
	// Still serving.
	if rec := e.do(t, http.MethodGet, "/Users/"+id, nil); rec.Code != http.StatusOK {
		t.Errorf("GET after bad input: %d %s", rec.Code, rec.Body)
	}
}

// q escapes a query value.
func q(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", `"`, "%22", "&", "%26", "+", "%2B", "#", "%23", "[", "%5B", "]", "%5D", "(", "%28", ")", "%29").Replace(s)
}

// TestConcurrentDuplicateCreates posts the same person many times at once:
// exactly one account and identity exist afterwards, the others get 409.
func TestConcurrentDuplicateCreates(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	body := `{"externalId":"dup","userName":"dup","emails":[{"value":"dup@example.com","type":"work"}]}`
	const n = 16
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.do(t, http.MethodPost, "/Users", body).Code
		}()
	}
	wg.Wait()
	created, conflicts := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			conflicts++
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Errorf("codes %v: want one 201 and %d 409", codes, n-1)
	}
	rec := e.do(t, http.MethodGet, "/Users", nil)
	if got := decode(t, rec)["totalResults"]; got != float64(1) {
		t.Errorf("totalResults = %v, want 1", got)
	}
}

// TestTenantIsolation checks that a group's token never reaches another
// group's users.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	other := func(method, path, body string) int {
		return e.do(t, method, "/api/scim/v2/groups/other"+path, body, "Authorization", "Bearer "+e.otherToken).Code
	}
	if c := other("GET", "/Users/"+id, ""); c != http.StatusNotFound {
		t.Errorf("other group GET acme's user: %d, want 404", c)
	}
	if c := other("DELETE", "/Users/"+id, ""); c != http.StatusNotFound {
		t.Errorf("other group DELETE acme's user: %d, want 404", c)
	}
	if c := other("PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":"active","value":false}]}`); c != http.StatusNotFound {
		t.Errorf("other group PATCH acme's user: %d, want 404", c)
	}
	rec := e.do(t, "GET", "/api/scim/v2/groups/other/Users", nil, "Authorization", "Bearer "+e.otherToken)
	if got := decode(t, rec)["totalResults"]; got != float64(0) {
		t.Errorf("other group sees %v users, want 0", got)
	}
	// acme's token on other's URL.
	if c := e.do(t, "GET", "/api/scim/v2/groups/other/Users", nil).Code; c != http.StatusUnauthorized {
		t.Errorf("acme token on other's URL: %d, want 401", c)
	}
}
