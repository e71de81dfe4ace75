package gitlab

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustParams(t *testing.T, query, body string, route ...string) *Params {
	t.Helper()
	p, err := ParseParams(query, []byte(body))
	if err != nil {
		t.Fatalf("ParseParams(%q, %q): %v", query, body, err)
	}
	for i := 0; i+1 < len(route); i += 2 {
		p.AddRoute(route[i], route[i+1])
	}
	return p
}

func TestDump(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		body  string
		route []string
		want  string
	}{
		{
			name:  "secrets filtered, query first, route last",
			query: "access_token=glsoat-abc",
			body:  `{"externalId":"test_uid","active":null,"userName":"username","emails":[{"primary":true,"type":"work","value":"work@example.com"}],"name":{"formatted":"Test Name","familyName":"Name","givenName":"Test"},"password":"1mz050nq"}`,
			route: []string{"group", "acme"},
			want: `{"access_token"=>"[FILTERED]", "externalId"=>"test_uid", "active"=>nil, "userName"=>"username", ` +
				`"emails"=>[{"primary"=>true, "type"=>"work", "value"=>"work@example.com"}], ` +
				`"name"=>{"formatted"=>"Test Name", "familyName"=>"Name", "givenName"=>"Test"}, "password"=>"[FILTERED]", "group"=>"acme"}`,
		},
		{
			name:  "nested secrets and GitLab's other filtered names",
			body:  `{"a":{"client_secret":"s","api_key":"k","apiKey":"kept","key_id":"kept"},"title":"CEO","x_SAMLResponse":"r","Token":"kept","description":"d"}`,
			route: []string{"group", "g", "id", "u1"},
			want: `{"a"=>{"client_secret"=>"[FILTERED]", "api_key"=>"[FILTERED]", "apiKey"=>"kept", "key_id"=>"kept"}, "title"=>"[FILTERED]", ` +
				`"x_SAMLResponse"=>"[FILTERED]", "Token"=>"kept", "description"=>"[FILTERED]", "group"=>"g", "id"=>"u1"}`,
		},
		{
			name: "Ruby string escapes",
			body: `{"s":"q\"b\\n\nt\tc\u0001e\u001b#{x}#$y#@z#a é\u2028"}`,
			want: `{"s"=>"q\"b\\n\nt\tc\u0001e\e\#{x}\#$y\#@z#a é\u2028"}`,
		},
		{
			name: "numbers as Ruby prints them",
			body: `{"a":1,"b":-0,"c":1.5,"d":1e3,"e":1e20,"f":0.0001,"g":0.00001,"h":123456789012345678901234567890,"i":2.5e-7,"j":1e400,"k":[],"l":{},"m":false}`,
			want: `{"a"=>1, "b"=>0, "c"=>1.5, "d"=>1000.0, "e"=>1.0e+20, "f"=>0.0001, "g"=>1.0e-05, ` +
				`"h"=>123456789012345678901234567890, "i"=>2.5e-07, "j"=>Infinity, "k"=>[], "l"=>{}, "m"=>false}`,
		},
		{
			name:  "body replaces a query parameter in place; duplicate keys keep the last value",
			query: "userName=q&x=1",
			body:  `{"userName":"b","userName":"c"}`,
			want:  `{"userName"=>"c", "x"=>"1"}`,
		},
		{
			name: "a non-object body is kept under _json",
			body: `[1,"a"]`,
			want: `{"_json"=>[1, "a"]}`,
		},
		{name: "nothing", want: `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustParams(t, tc.query, tc.body, tc.route...)
			if diff := cmp.Diff(tc.want, p.Dump()); diff != "" {
				t.Errorf("Dump (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseParamsMalformedEscape checks that a pair with a malformed
// %-escape, in the query or a form body, is refused, not skipped (issue
// 17: a skipped filter pair answered every user).
func TestParseParamsMalformedEscape(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"bad=%zz", "filter=userName%20eq%20%22a%2", "%zz=1", "a=1&b=%"} {
		_, err := ParseParams(q, nil)
		var be *BodyError
		if !errors.As(err, &be) {
			t.Errorf("ParseParams(%q) error = %v, want *BodyError", q, err)
		}
	}
}

func TestParseParamsBadBody(t *testing.T) {
	t.Parallel()
	deep := ""
	for range maxDepth + 1 {
		deep += "["
	}
	for _, body := range []string{`{`, `{"a":1} x`, `{"a":}`, `nul`, deep, "{\"a\":\"\xff\"", `{"a":1}{}`, "{\"a\":\"\xff\"}", "{\"\xc3\":1}"} {
		_, err := ParseParams("", []byte(body))
		var be *BodyError
		if !errors.As(err, &be) {
			t.Errorf("ParseParams(%q) error = %v, want *BodyError", body, err)
		}
	}
}

// TestParseParamsInvalidUTF8Query checks that a query parameter that
// unescapes to invalid UTF-8 is refused, not stored altered.
func TestParseParamsInvalidUTF8Query(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"externalId=%FF", "%C3=1", "a=1&b=%ED%A0%80"} {
		_, err := ParseParams(q, nil)
		var be *BodyError
		if !errors.As(err, &be) {
			t.Errorf("ParseParams(%q) error = %v, want *BodyError", q, err)
		}
	}
}

// TestParseParamsManyKeys checks the merge rules on a request with many
// parameters, the case where keys are indexed: order of first appearance,
// a later value replacing an earlier one in place.
func TestParseParamsManyKeys(t *testing.T) {
	t.Parallel()
	const n = 5000
	var q, body strings.Builder
	body.WriteString("{")
	for i := range n {
		fmt.Fprintf(&q, "k%d=q&", i)
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `"k%d":"b%d"`, n-1-i, n-1-i)
	}
	body.WriteString(`,"k7":"again"}`)
	p, err := ParseParams(q.String(), []byte(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.obj) != n {
		t.Fatalf("%d parameters, want %d", len(p.obj), n)
	}
	for i, m := range p.obj {
		want := fmt.Sprintf("b%d", i)
		if i == 7 {
			want = "again"
		}
		if m.key != fmt.Sprintf("k%d", i) || m.val != want {
			t.Fatalf("parameter %d = %s=%v, want k%d=%s", i, m.key, m.val, i, want)
		}
	}
}

func TestDetails(t *testing.T) {
	t.Parallel()
	p := mustParams(t, "access_token=t", `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, "group", "acme", "id", "u1")
	want := `Error updating Jane Doe with {"access_token"=>"[FILTERED]", "Operations"=>[{"op"=>"Replace", "path"=>"active", "value"=>"False"}], "group"=>"acme", "id"=>"u1"}`
	if diff := cmp.Diff(want, DetailUpdating("Jane Doe", p)); diff != "" {
		t.Errorf("DetailUpdating (-want +got):\n%s", diff)
	}
	p = mustParams(t, "", `{"externalId":"x"}`, "group", "acme")
	want = `Error saving user with {"externalId"=>"x", "group"=>"acme"}: Missing params: [:email, :username]`
	_, err := p.Create()
	var me *MissingParamsError
	if !errors.As(err, &me) {
		t.Fatalf("Create: %v, want *MissingParamsError", err)
	}
	if diff := cmp.Diff(want, DetailSaving(p, me.Message())); diff != "" {
		t.Errorf("DetailSaving (-want +got):\n%s", diff)
	}
	if got, want := DetailSaving(p, ""), `Error saving user with {"externalId"=>"x", "group"=>"acme"}`; got != want {
		t.Errorf("DetailSaving without message = %q, want %q", got, want)
	}
	if got, want := err.Error(), "gitlab: Missing params: [:email, :username]"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	p := mustParams(t, "filter=id+eq+%22a%22&n=1", `{"count":5,"o":{}}`)
	for key, want := range map[string]string{"filter": `id eq "a"`, "count": "5"} {
		if got, ok := p.Get(key); !ok || got != want {
			t.Errorf("Get(%q) = %q, %v; want %q", key, got, ok, want)
		}
	}
	for _, key := range []string{"o", "missing"} {
		if got, ok := p.Get(key); ok {
			t.Errorf("Get(%q) = %q, true; want not ok", key, got)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		query   string
		body    string
		want    CreateParams
		missing []string
	}{
		{
			name: "GitLab's params parser example",
			body: `{"externalId":"test","active":null,"userName":"username","emails":[{"type":"work","value":"work@example.com"},{"type":"home","value":"home@example.com"}],` +
				`"name":{"formatted":"Test A. Name","familyName":"Name","givenName":"Test"},"displayName":"Test A","extra":true}`,
			want: CreateParams{ExternUID: "test", Email: "work@example.com", UserName: "username", Name: "Test A. Name", HasName: true},
		},
		{
			name: "Entra ID create",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
				`"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_00aa00aa","active":true,` +
				`"emails":[{"primary":true,"type":"work","value":"Test_User_11bb11bb@testuser.com"}],"meta":{"resourceType":"User"},` +
				`"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`,
			want: CreateParams{ExternUID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", Email: "Test_User_11bb11bb@testuser.com",
				UserName: "Test_User_00aa00aa", Name: "givenName familyName", HasName: true, Active: ptr(true)},
		},
		{
			name: "Okta create: given and family name joined, primary email",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},` +
				`"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US",` +
				`"externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`,
			want: CreateParams{ExternUID: "00ujl29u0le5T6Aj10h7", Email: "test.user@okta.local", UserName: "test.user@okta.local",
				Name: "Test User", HasName: true, Active: ptr(true)},
		},
		{
			name: "displayName without name object; id and externalId, the later wins; quotes removed",
			body: `{"externalId":"first","displayName":"Fred \"The Hammer\" Nurk","id":"se\"cond","userName":"fred","emails":[{"type":"home","value":"h@x.y","primary":"false"}]}`,
			want: CreateParams{ExternUID: "second", Email: "h@x.y", UserName: "fred", Name: "Fred The Hammer Nurk", HasName: true},
		},
		{
			name: "blank formatted falls back to given and family, email value keeps quotes",
			body: `{"externalId":"x","userName":"u","emails":[{"type":"other","value":"no@x.y"},{"type":"work","value":"a\"b@x.y"}],"name":{"formatted":" ","familyName":"Nurk"}}`,
			want: CreateParams{ExternUID: "x", Email: `a"b@x.y`, UserName: "u", Name: "Nurk", HasName: true},
		},
		{
			name: "literal GitLab keys; active cast from a string",
			body: `{"externalId":"x","userName":"u","emails[type eq \"work\"].value":"w@x.y","name.formatted":"N N","active":"False"}`,
			want: CreateParams{ExternUID: "x", Email: "w@x.y", UserName: "u", Name: "N N", HasName: true, Active: ptr(false)},
		},
		{
			name:  "query-string parameters, as GitLab's spec sends them",
			query: "externalId=q&userName=u&emails%5Btype+eq+%22work%22%5D.value=w%40x.y",
			want:  CreateParams{ExternUID: "q", Email: "w@x.y", UserName: "u"},
		},
		{
			name: "blank values count as present; numbers keep their text",
			body: `{"externalId":"","userName":123,"emails":[{"type":"work","value":""}]}`,
			want: CreateParams{ExternUID: "", Email: "", UserName: "123"},
		},
		{
			name: "empty name object gives an empty name",
			body: `{"externalId":"x","userName":"u","emails":[{"primary":true,"value":"a@b.c"}],"name":{},"displayName":"D"}`,
			want: CreateParams{ExternUID: "x", Email: "a@b.c", UserName: "u", Name: "", HasName: true},
		},
		{
			name:    "missing username",
			body:    `{"externalId":"x","emails":[{"type":"work","value":"a@b.c"}]}`,
			missing: []string{"username"},
		},
		{
			name:    "missing all: null values, complex values, unknown case, no qualifying email",
			body:    `{"externalid":"x","externalId":null,"userName":{"a":1},"emails":[{"type":"home","value":"a@b.c"},"junk"]}`,
			missing: []string{"extern_uid", "email", "username"},
		},
		{
			name:    "emails as a single object (SCIM 1.1 templates) gives no email",
			body:    `{"externalId":"x","userName":"u","emails":{"type":"work","value":"a@b.c"}}`,
			missing: []string{"email"},
		},
		{
			name:    "a qualifying email with a null value gives no email",
			body:    `{"externalId":"x","userName":"u","emails":[{"type":"work","value":null}]}`,
			missing: []string{"email"},
		},
		{
			name:    "a non-object body",
			body:    `"x"`,
			missing: []string{"extern_uid", "email", "username"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustParams(t, tc.query, tc.body, "group", "acme")
			got, err := p.Create()
			if tc.missing != nil {
				var me *MissingParamsError
				if !errors.As(err, &me) {
					t.Fatalf("Create = %+v, %v; want *MissingParamsError", got, err)
				}
				if diff := cmp.Diff(tc.missing, me.Missing); diff != "" {
					t.Errorf("Missing (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Create (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDocument(t *testing.T) {
	t.Parallel()
	p := mustParams(t, "access_token=t", `{"userName":"u","n":1.5,"emails":[{"value":"a@b.c"}],"x":{"y":null}}`, "group", "g")
	want := map[string]any{"userName": "u", "n": json.Number("1.5"), "emails": []any{map[string]any{"value": "a@b.c"}}, "x": map[string]any{"y": nil}}
	if diff := cmp.Diff(want, p.Document()); diff != "" {
		t.Errorf("Document (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{}, mustParams(t, "", `[1]`).Document()); diff != "" {
		t.Errorf("Document of an array body (-want +got):\n%s", diff)
	}
}
