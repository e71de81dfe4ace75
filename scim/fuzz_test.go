package scim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// FuzzGroupPatch sends arbitrary PATCH bodies to a Group with a member, in
// a tenant with another Group. In a body, $A and $B stand for the ids of
// two Users (A a member), $G for the group's. Whatever arrives, the answer
// is below 500, and an error leaves the store exactly as it was.
func FuzzGroupPatch(f *testing.F) {
	for _, s := range []string{
		`{"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"$B"}]}]}`,
		`{"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"$A"}]}]}`,
		`{"Operations":[{"op":"remove","path":"members[value eq \"$A\"]"}]}`,
		`{"Operations":[{"op":"replace","value":{"id":"$G","displayName":"Sales"}}]}`,
		`{"Operations":[{"op":"replace","path":"members","value":[{"value":"$B"}]},{"op":"replace","path":"displayName","value":7}]}`,
		`{"Operations":[{"op":"remove","path":"members[value eq \"$A\"].display"}]}`,
		`{"Operations":[{"op":"add","value":{"members":{"value":"nobody"},"externalId":"x"}}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e := newTestEnv(t)
		a := e.createUser(t, "ext-a", "a", "a@example.com")
		b := e.createUser(t, "ext-b", "b", "b@example.com")
		id := e.createGroup(t, "Engineering", a)
		e.createGroup(t, "Sales")
		body = strings.NewReplacer("$A", a, "$B", b, "$G", id).Replace(body)
		before := e.groupSnapshot(t)
		rec := e.do(t, http.MethodPatch, "/Groups/"+id, body)
		switch {
		case rec.Code >= 500:
			t.Fatalf("PATCH %q: %d %s", body, rec.Code, rec.Body)
		case rec.Code >= 300:
			if diff := cmp.Diff(before, e.groupSnapshot(t)); diff != "" {
				t.Fatalf("PATCH %q: %d %s, and the store changed (-before +after):\n%s", body, rec.Code, rec.Body, diff)
			}
		}
	})
}

// FuzzGroups sends arbitrary bodies, query strings and path tails to the
// Group routes other than PATCH (FuzzGroupPatch): POST, PUT, GET by id and
// list, /.search and DELETE, the path tail after /Groups/ in any case. In a
// body or query, $A and $B stand for the ids of two Users (A a member), $G
// for the group's. Whatever arrives, the answer is below 500, and an error
// leaves the store exactly as it was.
func FuzzGroups(f *testing.F) {
	for _, s := range []struct{ body, query, tail string }{
		{`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"New","members":[{"value":"$A"},{"value":"$B"}]}`, "excludedAttributes=members", "$G"},
		{`{"displayName":"Sales","externalId":"s-1","members":[{"value":"$A","type":"User","display":"a"}]}`, "attributes=displayName,members.value", "$G/"},
		{`{"filter":"members[value eq \"$A\"] and displayName sw \"E\"","startIndex":1,"count":2,"excludedAttributes":["members"]}`, "filter=members%5Bvalue+eq+%22$A%22%5D&count=1", ".search"},
		{`{"displayName":"x","members":[{"value":1e400}],"n":-0}`, "startIndex=-1&count=2147483648&sortBy=displayName&sortOrder=descending", "%2e%2e"},
		{`{"displayName":"x","DISPLAYNAME":"y","members":"$A"}`, "filter=displayName%20eq%20%22a;b%22", "$G//x"},
	} {
		f.Add(s.body, s.query, s.tail)
	}
	f.Fuzz(func(t *testing.T, body, query, tail string) {
		e := newTestEnv(t)
		a := e.createUser(t, "ext-a", "a", "a@example.com")
		b := e.createUser(t, "ext-b", "b", "b@example.com")
		id := e.createGroup(t, "Engineering", a)
		e.createGroup(t, "Sales")
		r := strings.NewReplacer("$A", a, "$B", b, "$G", id)
		body, query, tail = r.Replace(body), r.Replace(query), r.Replace(tail)
		for _, rq := range []struct{ method, path string }{
			{http.MethodPost, "/Groups?" + query},
			{http.MethodPut, "/Groups/" + id + "?" + query},
			{http.MethodPost, "/Groups/.search?" + query},
			{http.MethodGet, "/Groups?" + query},
			{http.MethodGet, "/groups/" + tail + "?" + query},
			{http.MethodPut, "/GROUPS/" + tail},
			{http.MethodDelete, "/Groups/" + tail},
		} {
			if _, err := url.ParseRequestURI(e.base + rq.path); err != nil || !validQuery(rq.path) || strings.ContainsAny(tail, "?") {
				continue // httptest.NewRequest would panic
			}
			before := e.groupSnapshot(t)
			rec := e.do(t, rq.method, rq.path, body)
			switch {
			case rec.Code >= 500:
				t.Fatalf("%s %s %q: %d %s", rq.method, rq.path, body, rec.Code, rec.Body)
			case rec.Code >= 300:
				if diff := cmp.Diff(before, e.groupSnapshot(t)); diff != "" {
					t.Fatalf("%s %s %q: %d %s, and the store changed (-before +after):\n%s", rq.method, rq.path, body, rec.Code, rec.Body, diff)
				}
			}
		}
	})
}
