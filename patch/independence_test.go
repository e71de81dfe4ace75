package patch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// TestApplyIndependence checks, for every kind of operation, that Apply
// leaves its input deep-equal to what it was, that the result shares no
// container with the input (changing all of the result, or patching it
// again, leaves the input as it was), and that a failed Apply changes
// nothing either.
func TestApplyIndependence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ops  string
		fail bool
	}{
		{"add attribute", `[{"op":"add","path":"nickName","value":"Babs"}]`, false},
		{"add to multi-valued", `[{"op":"add","path":"emails","value":[{"value":"n@example.com","primary":true}]}]`, false},
		{"add sub-attribute", `[{"op":"add","path":"name.middleName","value":"J"}]`, false},
		{"add through a filter", `[{"op":"add","path":"emails[type eq \"other\"].value","value":"o@example.com"}]`, false},
		{"add without path", `[{"op":"add","value":{"name":{"honorificPrefix":"Ms."},"custom":{"a":["b"]}}}]`, false},
		{"add extension", `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"manager":{"value":"m1"}}}]`, false},
		{"add extension attribute", `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter","value":"4130"}]`, false},
		{"replace scalar", `[{"op":"replace","path":"active","value":false}]`, false},
		{"replace complex", `[{"op":"replace","path":"name","value":{"givenName":"B"}}]`, false},
		{"replace sub-attribute", `[{"op":"replace","path":"name.familyName","value":"J"}]`, false},
		{"replace through a filter", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"}]`, false},
		{"replace a whole filtered value", `[{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"h@example.com","type":"home","primary":true}}]`, false},
		{"replace sub-attribute of every value", `[{"op":"replace","path":"emails.display","value":"mail"}]`, false},
		{"replace without path", `[{"op":"replace","value":{"displayName":"B","emails":[{"value":"r@example.com"}]}}]`, false},
		{"remove attribute", `[{"op":"remove","path":"title"}]`, false},
		{"remove multi-valued", `[{"op":"remove","path":"emails"}]`, false},
		{"remove through a filter", `[{"op":"remove","path":"emails[type eq \"work\"]"}]`, false},
		{"remove sub-attribute through a filter", `[{"op":"remove","path":"emails[type eq \"work\"].primary"}]`, false},
		{"remove sub-attribute", `[{"op":"remove","path":"name.givenName"}]`, false},
		{"remove listed values", `[{"op":"remove","path":"emails","value":[{"value":"babs@jensen.org"}]}]`, false},
		{"remove extension", `[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]`, false},
		{"remove extension sub-attribute", `[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"}]`, false},
		{"failed after writes", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"},{"op":"add","path":"name.givenName","value":"B"},{"op":"replace","path":"id","value":"x"}]`, true},
		{"failed filter", `[{"op":"add","path":"emails[type eq \"work\"].value","value":"y@example.com"},{"op":"replace","path":"phoneNumbers[type eq \"fax\"].value","value":"1"}]`, true},
		{"failed primary", `[{"op":"add","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}]`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := user()
			o := ops(t, tc.ops)
			got, _, err := Apply(res, o, schema.User())
			if d := cmp.Diff(user(), res); d != "" {
				t.Fatalf("Apply changed its input (-want +got):\n%s", d)
			}
			if tc.fail {
				if err == nil {
					t.Fatalf("Apply succeeded, want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// A second Apply on the result writes through every container
			// the operations reach.
			if _, _, err := Apply(got, o, schema.User()); err != nil {
				t.Logf("second Apply: %v", err) // some ops cannot repeat; the input must still be untouched
			}
			scribble(got)
			if d := cmp.Diff(user(), res); d != "" {
				t.Errorf("changing the result changed the input (-want +got):\n%s", d)
			}
			if d := cmp.Diff(ops(t, tc.ops), o); d != "" {
				t.Errorf("changing the result changed the operations (-want +got):\n%s", d)
			}
		})
	}
}
