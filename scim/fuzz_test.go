package scim

import (
	"net/http"
	"testing"
)

// FuzzUsers sends arbitrary bodies and query strings to the user routes.
// Whatever arrives, the answer is a well-formed status below 500.
func FuzzUsers(f *testing.F) {
	for _, s := range []string{
		`{"externalId":"x","userName":"u","emails":[{"value":"u@example.com","type":"work"}]}`,
		`{"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"a@b.c"}]}`,
		`{"Operations":[{"op":"replace","value":{"active":false,"name.givenName":"x"}}]}`,
		`{"filter":"userName eq \"u\"","startIndex":1,"count":2}`,
		`[[[[`, `{"a":"\ud800"}`, ``,
	} {
		f.Add(s, "filter=userName+eq+%22u%22&count=1")
	}
	f.Fuzz(func(t *testing.T, body, query string) {
		e := newTestEnv(t)
		id := e.createUser(t, "ext-1", "alice", "alice@example.com")
		for _, rq := range []struct{ method, path string }{
			{http.MethodPost, "/Users"},
			{http.MethodPut, "/Users/" + id},
			{http.MethodPatch, "/Users/" + id},
			{http.MethodPost, "/Users/.search"},
			{http.MethodGet, "/Users?" + query},
			{http.MethodGet, "/Users/" + id + "?" + query},
		} {
			if !validQuery(rq.path) {
				continue
			}
			rec := e.do(t, rq.method, rq.path, body)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", rq.method, rq.path, body, rec.Code, rec.Body)
			}
		}
	})
}

// validQuery reports whether httptest.NewRequest accepts the target.
func validQuery(target string) bool {
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c == 0x7f || c == '#' {
			return false
		}
	}
	return true
}
