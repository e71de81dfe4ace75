package scim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// TestPatchWritesCanonicalNames applies the operations of every case of
// patch's corpus and golden files to a User in canonical form and checks
// that canonicalize finds nothing to change in the result: patch writes
// the names of the attributes it sets as the schema spells them.
func TestPatchWritesCanonicalNames(t *testing.T) {
	t.Parallel()
	type pcase struct {
		ID         string          `json:"id"`
		Note       string          `json:"note"`
		Resource   map[string]any  `json:"resource"`
		Before     map[string]any  `json:"before"`
		Operations json.RawMessage `json:"operations"`
	}
	var cases []pcase
	data, err := os.ReadFile("../patch/testdata/patch-cases.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../patch/testdata/golden/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c pcase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		c.ID, c.Resource = filepath.Base(f), c.Before
		cases = append(cases, c)
	}
	// Names spelled otherwise than the schema, on a canonical User.
	user := json.RawMessage(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","name":{"givenName":"B"},` +
		`"emails":[{"value":"b@example.com","type":"work","primary":true}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D"}}`)
	for i, ops := range []string{
		`[{"op":"add","path":"NAME.FAMILYNAME","value":"J"}]`,
		`[{"op":"replace","path":"Emails[Type eq \"work\"].Value","value":"x@example.com"}]`,
		`[{"op":"add","path":"EMAILS","value":{"VALUE":"y@example.com","TYPE":"home"}}]`,
		`[{"op":"add","path":"Addresses[TYPE eq \"work\"].Locality","value":"Paris"}]`,
		`[{"op":"replace","value":{"NAME":{"FamilyName":"J","GIVENNAME":"G"},"DisplayName":"B","PhoneNumbers":[{"VALUE":"1","Type":"work"}]}}]`,
		`[{"op":"add","path":"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Manager","value":{"VALUE":"m1"}}]`,
		`[{"op":"add","value":{"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER":{"CostCenter":"4130"}}}]`,
		`[{"op":"add","path":"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER","value":{"EmployeeNumber":"7"}}]`,
		`[{"op":"replace","path":"Emails.Display","value":"mail"}]`,
		`[{"op":"add","path":"Custom","value":{"X":1}}]`,
		`[{"op":"replace","path":"ACTIVE","value":"False"}]`,
	} {
		var res map[string]any
		if err := json.Unmarshal(user, &res); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, pcase{ID: fmt.Sprintf("spelling-%d", i), Note: ops, Resource: res, Operations: json.RawMessage(ops)})
	}
	rt := schema.User()
	n := 0
	for _, c := range cases {
		res := c.Resource
		if res == nil || canonicalize(res, rt) != nil {
			continue
		}
		body := append(append([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`), c.Operations...), '}')
		req, err := patch.Decode(body)
		if err != nil {
			continue
		}
		next, _, err := patch.Apply(res, req.Operations, rt)
		if err != nil {
			if strings.HasPrefix(c.ID, "spelling-") {
				t.Errorf("%s (%s): %v", c.ID, c.Note, err)
			}
			continue
		}
		n++
		want, _ := json.Marshal(next)
		if err := canonicalize(next, rt); err != nil {
			t.Errorf("%s (%s): canonicalize: %v", c.ID, c.Note, err)
			continue
		}
		got, _ := json.Marshal(next)
		if !bytes.Equal(want, got) {
			var w, g any
			_ = json.Unmarshal(want, &w)
			_ = json.Unmarshal(got, &g)
			t.Errorf("%s (%s): canonicalize changed the result (-patch +canonical):\n%s", c.ID, c.Note, cmp.Diff(w, g))
		}
	}
	if n < 90 {
		t.Errorf("only %d cases applied", n)
	}
}
