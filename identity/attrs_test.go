package identity

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustDoc(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

func TestParseUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		prof Profile
		doc  string
		want Attributes
	}{
		{
			name: "gitlab spec example",
			prof: RFCProfile(),
			doc: `{"externalId":"test","active":null,"userName":"username",
				"emails":[{"type":"work","value":"work@example.com"},{"type":"home","value":"home@example.com"}],
				"name":{"formatted":"Test A. Name","familyName":"Name","givenName":"Test"},"displayName":"Test A","extra":true}`,
			want: Attributes{ExternUID: "test", UserName: "username", Email: "work@example.com", Name: "Test A. Name"},
		},
		{
			name: "entra create",
			prof: RFCProfile(),
			doc: `{"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_00aa","active":true,
				"emails":[{"primary":true,"type":"work","value":"Test_User_11bb@testuser.com"}],
				"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"}}`,
			want: Attributes{ExternUID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", UserName: "Test_User_00aa", Email: "Test_User_11bb@testuser.com", Name: "givenName familyName"},
		},
		{
			name: "given and family joined",
			prof: RFCProfile(),
			doc:  `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","primary":true}],"name":{"givenName":"Fred","familyName":"Nurk"}}`,
			want: Attributes{ExternUID: "x", UserName: "u", Email: "a@b.c", Name: "Fred Nurk"},
		},
		{
			name: "displayName when no name object",
			prof: RFCProfile(),
			doc:  `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"work"}],"displayName":"Test User"}`,
			want: Attributes{ExternUID: "x", UserName: "u", Email: "a@b.c", Name: "Test User"},
		},
		{
			name: "userName when no name at all",
			prof: RFCProfile(),
			doc:  `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`,
			want: Attributes{ExternUID: "x", UserName: "u", Email: "a@b.c", Name: "u"},
		},
		{
			name: "first work or primary wins",
			prof: RFCProfile(),
			doc:  `{"externalId":"x","userName":"u","emails":[{"value":"home@b.c","type":"home"},{"value":"p@b.c","primary":"True"},{"value":"w@b.c","type":"work"}]}`,
			want: Attributes{ExternUID: "x", UserName: "u", Email: "p@b.c", Name: "u"},
		},
		{
			name: "emails as a single object (OneLogin legacy)",
			prof: RFCProfile(),
			doc:  `{"externalId":"x","userName":"u","emails":{"value":"a@b.c","type":"work"}}`,
			want: Attributes{ExternUID: "x", UserName: "u", Email: "a@b.c", Name: "u"},
		},
		{
			name: "attribute names case-insensitive",
			prof: RFCProfile(),
			doc:  `{"EXTERNALID":"x","username":"u","Emails":[{"Value":"a@b.c","Type":"Work"}]}`,
			want: Attributes{ExternUID: "x", UserName: "u", Email: "a@b.c", Name: "u"},
		},
		{
			name: "rfc: userName is the extern_uid without externalId (okta spec test)",
			prof: RFCProfile(),
			doc:  `{"userName":"test.user@okta.local","emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"name":{"givenName":"Test","familyName":"User"}}`,
			want: Attributes{ExternUID: "test.user@okta.local", UserName: "test.user@okta.local", Email: "test.user@okta.local", Name: "Test User"},
		},
		{
			name: "gitlab: id is the extern_uid",
			prof: GitLabProfile(),
			doc:  `{"id":"abc","userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`,
			want: Attributes{ExternUID: "abc", UserName: "u", Email: "a@b.c", Name: "u"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseUser(mustDoc(t, tc.doc), tc.prof)
			if err != nil {
				t.Fatalf("ParseUser: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseUserRefusesBadInput(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 300)
	tests := []struct {
		name      string
		prof      Profile
		doc       string
		wantField string
	}{
		{"missing externalId in gitlab profile", GitLabProfile(), `{"userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`, "externalId"},
		{"blank externalId", RFCProfile(), `{"externalId":"  ","userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`, "externalId"},
		{"null externalId and gitlab", GitLabProfile(), `{"externalId":null,"userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`, "externalId"},
		{"numeric externalId", RFCProfile(), `{"externalId":12,"userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`, "externalId"},
		{"missing userName", RFCProfile(), `{"externalId":"x","emails":[{"value":"a@b.c","type":"work"}]}`, "userName"},
		{"blank userName", RFCProfile(), `{"externalId":"x","userName":"","emails":[{"value":"a@b.c","type":"work"}]}`, "userName"},
		{"missing emails", RFCProfile(), `{"externalId":"x","userName":"u"}`, "emails"},
		{"emails not an array", RFCProfile(), `{"externalId":"x","userName":"u","emails":"a@b.c"}`, "emails"},
		{"emails element not an object", RFCProfile(), `{"externalId":"x","userName":"u","emails":["a@b.c"]}`, "emails"},
		{"only a home email", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"home"}]}`, "emails"},
		{"blank work email", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"","type":"work"}]}`, "emails.value"},
		{"work email without value", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"type":"work"}]}`, "emails.value"},
		{"email without at", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"ab.c","type":"work"}]}`, "emails.value"},
		{"email with two ats", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@b@c","type":"work"}]}`, "emails.value"},
		{"email with space", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a b@c.d","type":"work"}]}`, "emails.value"},
		{"email empty label", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@c..d","type":"work"}]}`, "emails.value"},
		{"email local part too long", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"` + strings.Repeat("a", 65) + `@c.d","type":"work"}]}`, "emails.value"},
		{"email too long", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@` + long + `.d","type":"work"}]}`, "emails.value"},
		{"externalId too long", RFCProfile(), `{"externalId":"` + long + `","userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`, "externalId"},
		{"userName too long", RFCProfile(), `{"externalId":"x","userName":"` + long + `","emails":[{"value":"a@b.c","type":"work"}]}`, "userName"},
		{"userName as extern_uid too long", RFCProfile(), `{"userName":"` + strings.Repeat("a", 255) + `@b.c","emails":[{"value":"a@b.c","type":"work"}]}`, "userName"},
		{"name.formatted too long", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"work"}],"name":{"formatted":"` + long + `"}}`, "name.formatted"},
		{"joined name too long", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"work"}],"name":{"givenName":"` + long[:200] + `","familyName":"` + long[:200] + `"}}`, "name"},
		{"name not an object", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"work"}],"name":"Bob"}`, "name"},
		{"control character in externalId", RFCProfile(), `{"externalId":"x\u0000y","userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`, "externalId"},
		{"newline in userName", RFCProfile(), `{"externalId":"x","userName":"u\n","emails":[{"value":"a@b.c","type":"work"}]}`, "userName"},
		{"escape in email", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a\u001b@b.c","type":"work"}]}`, "emails.value"},
		{"C1 control in displayName", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"work"}],"displayName":"A\u0085B"}`, "displayName"},
		{"line separator in givenName", RFCProfile(), `{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"work"}],"name":{"givenName":"A\u2028"}}`, "name.givenName"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseUser(mustDoc(t, tc.doc), tc.prof)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("ParseUser error = %v (%T), want *Error", err, err)
			}
			if e.Kind != KindInvalid || e.Field != tc.wantField {
				t.Errorf("got kind %v field %q (%v), want invalid %q", e.Kind, e.Field, e, tc.wantField)
			}
		})
	}
}

func TestParseUserInvalidUTF8(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"externalId": "x\xff", "userName": "u", "emails": []any{map[string]any{"value": "a@b.c", "type": "work"}}}
	_, err := ParseUser(doc, RFCProfile())
	if KindOf(err) != KindInvalid {
		t.Fatalf("err = %v, want invalid", err)
	}
}

func FuzzParseUser(f *testing.F) {
	for _, s := range []string{
		`{"externalId":"x","userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`,
		`{"userName":"u","emails":{"value":"a@b.c","primary":true},"name":{"givenName":"A"}}`,
		`{"emails":[1,2],"name":[]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var doc map[string]any
		if json.Unmarshal([]byte(s), &doc) != nil {
			return
		}
		for _, p := range []Profile{RFCProfile(), GitLabProfile()} {
			a, err := ParseUser(doc, p)
			if err != nil {
				if KindOf(err) != KindInvalid {
					t.Fatalf("error %v is not KindInvalid", err)
				}
				continue
			}
			if strings.TrimSpace(a.ExternUID) == "" || strings.TrimSpace(a.UserName) == "" || a.Email == "" {
				t.Fatalf("accepted %s as %+v", s, a)
			}
		}
	})
}
