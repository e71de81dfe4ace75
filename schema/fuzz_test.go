package schema_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/schema"
)

// FuzzCheck checks documents decoded from client bytes as the scim handler
// decodes them (numbers as json.Number) against the User and Group
// resource types: Check never panics, refuses only with a *ValueError, and
// what it accepts can be encoded and read back by any JSON client (a
// decoder without UseNumber), which is what the check is for.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		`{"userName":"a","active":"True","emails":[{"value":"a@x.io","primary":true}]}`,
		`{"nickName":1e400,"loginCount":-0,"x":[0.1e999999999]}`,
		`{"displayName":"Devs","members":[{"value":"id","type":"User"}],"custom":{"n":12}}`,
		`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":7}}}`,
		`{"emails":{"value":"a@x.io","primary":"perhaps"},"name":[{"givenName":"A"}]}`,
		`{"x509Certificates":[{"value":"AA=="}],"meta":{"created":"2020-01-01T00:00:00Z"}}`,
	} {
		f.Add(s)
	}
	types := []*schema.ResourceType{schema.User(), schema.Group()}
	f.Fuzz(func(t *testing.T, s string) {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var doc map[string]any
		if dec.Decode(&doc) != nil {
			return
		}
		for _, rt := range types {
			err := rt.Check(doc)
			if err != nil {
				var ve *schema.ValueError
				if !errors.As(err, &ve) {
					t.Fatalf("%s: %v is no *ValueError", rt.Name, err)
				}
				continue
			}
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatalf("%s accepted a document that does not encode: %v", rt.Name, err)
			}
			var back map[string]any
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s accepted %s, which a client cannot read back: %v", rt.Name, b, err)
			}
		}
	})
}
