package gitlab

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarshalUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		user User
		want string
	}{
		{
			name: "entity spec shape",
			user: User{ExternUID: "test_uid", Active: true, Email: "work@example.com", Name: "Test Name", UserName: "username"},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"test_uid","active":true,` +
				`"emails":[{"type":"work","value":"work@example.com","primary":true}],` +
				`"name":{"formatted":"Test Name","givenName":"Test","familyName":"Name"},` +
				`"meta":{"resourceType":"User"},"userName":"username"}`,
		},
		{
			name: "inactive, email as id, names derived from several words",
			user: User{ExternUID: "jane@example.com", Email: "jane@example.com", Name: "  Mary  Jane   van Dyke ", UserName: "mjvd"},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"jane@example.com","active":false,` +
				`"emails":[{"type":"work","value":"jane@example.com","primary":true}],` +
				`"name":{"formatted":"  Mary  Jane   van Dyke ","givenName":"Mary","familyName":"Jane van Dyke"},` +
				`"meta":{"resourceType":"User"},"userName":"mjvd"}`,
		},
		{
			name: "one-word name",
			user: User{ExternUID: "1", Active: true, Email: "a@b.c", Name: "Cher", UserName: "cher"},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","active":true,` +
				`"emails":[{"type":"work","value":"a@b.c","primary":true}],` +
				`"name":{"formatted":"Cher","givenName":"Cher","familyName":""},` +
				`"meta":{"resourceType":"User"},"userName":"cher"}`,
		},
		{
			name: "stored first and last names win",
			user: User{ExternUID: "x", Active: true, Email: "a@b.c", Name: "Fred Nurk", GivenName: "Frederick", FamilyName: "Nurk-Smith", UserName: "fred"},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"x","active":true,` +
				`"emails":[{"type":"work","value":"a@b.c","primary":true}],` +
				`"name":{"formatted":"Fred Nurk","givenName":"Frederick","familyName":"Nurk-Smith"},` +
				`"meta":{"resourceType":"User"},"userName":"fred"}`,
		},
		{
			name: "escaping as Rails does",
			user: User{ExternUID: `a"<b>&`, Active: true, Email: "e", Name: "", UserName: "u\u2028"},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"a\"\u003cb\u003e\u0026","active":true,` +
				`"emails":[{"type":"work","value":"e","primary":true}],` +
				`"name":{"formatted":"","givenName":"","familyName":""},` +
				`"meta":{"resourceType":"User"},"userName":"u\u2028"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, string(MarshalUser(&tc.user))); diff != "" {
				t.Errorf("MarshalUser (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		want  Page
	}{
		{"", Page{StartIndex: 1, Count: 20}},
		{"startIndex=1&count=100", Page{StartIndex: 1, Count: 100, echo: "1"}},
		{"count=0", Page{StartIndex: 1, Count: 20}},
		{"count=-5", Page{StartIndex: 1, Count: 20}},
		{"count=101", Page{StartIndex: 1, Count: 100}},
		{"count=99999999999999999999999", Page{StartIndex: 1, Count: 100}},
		{"count=abc", Page{StartIndex: 1, Count: 20}},
		{"count=7abc", Page{StartIndex: 1, Count: 7}},
		{"count=1_0", Page{StartIndex: 1, Count: 10}},
		{"count=+3", Page{StartIndex: 1, Count: 3}},
		{"count=%201", Page{StartIndex: 1, Count: 1}},
		{"startIndex=0", Page{StartIndex: 1, Count: 20, echo: "0"}},
		{"startIndex=-5", Page{StartIndex: 1, Count: 20, echo: "-5"}},
		{"startIndex=abc", Page{StartIndex: 1, Count: 20, echo: "abc"}},
		{"startIndex=", Page{StartIndex: 1, Count: 20}},
		{"startIndex=%20", Page{StartIndex: 1, Count: 20}},
		{"startIndex=21&count=20", Page{StartIndex: 21, Count: 20, echo: "21"}},
		{"startIndex=2&startIndex=3", Page{StartIndex: 3, Count: 20, echo: "3"}},
		{"startIndex=99999999999999999999", Page{StartIndex: maxIndex, Count: 20, echo: "99999999999999999999"}},
	}
	for _, tc := range tests {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		got := ParsePage(q)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(Page{})); diff != "" {
			t.Errorf("ParsePage(%q) (-want +got):\n%s", tc.query, diff)
		}
	}
}

func TestMarshalList(t *testing.T) {
	t.Parallel()
	u := User{ExternUID: "test_uid", Active: true, Email: "work@example.com", Name: "Test Name", UserName: "username"}
	user := string(MarshalUser(&u))
	tests := []struct {
		name  string
		total int
		query string
		users []User
		want  string
	}{
		{
			name: "defaults, no match",
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"itemsPerPage":20,"startIndex":1,"Resources":[]}`,
		},
		{
			name: "one match", total: 1, users: []User{u},
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"itemsPerPage":20,"startIndex":1,"Resources":[` + user + `]}`,
		},
		{
			name: "itemsPerPage is the effective count, startIndex echoed as sent", total: 3, query: "startIndex=3&count=2", users: []User{u},
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3,"itemsPerPage":2,"startIndex":"3","Resources":[` + user + `]}`,
		},
		{
			name: "Okta import page", total: 2, query: "startIndex=1&count=100", users: []User{u, u},
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"itemsPerPage":100,"startIndex":"1","Resources":[` + user + `,` + user + `]}`,
		},
		{
			name: "count 0 and negative startIndex", total: 5, query: "startIndex=-5&count=0",
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":5,"itemsPerPage":20,"startIndex":"-5","Resources":[]}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q, _ := url.ParseQuery(tc.query)
			if diff := cmp.Diff(tc.want, string(MarshalList(tc.total, ParsePage(q), tc.users))); diff != "" {
				t.Errorf("MarshalList (-want +got):\n%s", diff)
			}
		})
	}
}
