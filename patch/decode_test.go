package patch

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []Operation
	}{
		{
			name: "Entra ID capitalised ops",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Add","path":"nickName","value":"Babs"},{"op":"REMOVE","path":"title"}]}`,
			want: []Operation{{Op: "replace", Path: "active", Value: "False"}, {Op: "add", Path: "nickName", Value: "Babs"}, {Op: "remove", Path: "title"}},
		},
		{
			name: "no schemas, as GitLab documents it",
			body: `{"Operations":[{"op":"replace","value":{"active":false}}]}`,
			want: []Operation{{Op: "replace", Value: map[string]any{"active": false}}},
		},
		{
			name: "null schemas is no schemas",
			body: `{"schemas":null,"Operations":[{"op":"remove","path":"title"}]}`,
			want: []Operation{{Op: "remove", Path: "title"}},
		},
		{
			name: "member names in any case",
			body: `{"SCHEMAS":["URN:IETF:PARAMS:SCIM:API:MESSAGES:2.0:PATCHOP"],"operations":[{"OP":"add","Path":"x","VALUE":1}]}`,
			want: []Operation{{Op: "add", Path: "x", Value: json.Number("1")}},
		},
		{
			name: "null path is no path",
			body: `{"Operations":[{"op":"add","path":null,"value":{"a":1.5}}]}`,
			want: []Operation{{Op: "add", Value: map[string]any{"a": json.Number("1.5")}}},
		},
		{
			name: "nesting within the bound",
			body: `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", MaxDepth-3) + strings.Repeat("]", MaxDepth-3) + `}]}`,
			want: []Operation{{Op: "add", Path: "x", Value: nested(MaxDepth - 3)}},
		},
		{
			name: "brackets inside strings do not count",
			body: `{"Operations":[{"op":"add","path":"x","value":"` + strings.Repeat(`[{\"`, 100) + `"}]}`,
			want: []Operation{{Op: "add", Path: "x", Value: strings.Repeat(`[{"`, 100)}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := Decode([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			// reflect.DeepEqual first: cmp.Diff takes exponential time to
			// explain a difference deep in nested arrays.
			if !reflect.DeepEqual(tc.want, req.Operations) {
				t.Errorf("(-want +got):\n%s", cmp.Diff(tc.want, req.Operations))
			}
		})
	}
}

// nested returns n nested empty arrays.
func nested(n int) any {
	var v any = []any{}
	for i := 1; i < n; i++ {
		v = []any{v}
	}
	return v
}

func manyOperations(n int) string {
	var b strings.Builder
	b.WriteString(`{"Operations":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"op":"replace","path":"active","value":false}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func TestDecodeBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		wantIndex int
		wantType  string
	}{
		{"empty body", ``, -1, TypeInvalidSyntax},
		{"not JSON", `{"Operations":`, -1, TypeInvalidSyntax},
		{"array body", `[{"op":"add"}]`, -1, TypeInvalidSyntax},
		{"trailing data", `{"Operations":[{"op":"remove","path":"title"}]} {}`, -1, TypeInvalidSyntax},
		{"wrong schemas", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"remove","path":"title"}]}`, -1, TypeInvalidSyntax},
		{"schemas not an array", `{"schemas":"urn:ietf:params:scim:api:messages:2.0:PatchOp","Operations":[{"op":"remove","path":"title"}]}`, -1, TypeInvalidSyntax},
		{"Operations missing", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, -1, TypeInvalidSyntax},
		{"Operations null", `{"Operations":null}`, -1, TypeInvalidSyntax},
		{"Operations an object", `{"Operations":{"op":"add","path":"title","value":"x"}}`, -1, TypeInvalidSyntax},
		{"Operations a string", `{"Operations":"add title"}`, -1, TypeInvalidSyntax},
		{"Operations empty", `{"Operations":[]}`, -1, TypeInvalidSyntax},
		{"operation not an object", `{"Operations":[{"op":"remove","path":"title"},"remove title"]}`, 1, TypeInvalidSyntax},
		{"op missing", `{"Operations":[{"op":"remove","path":"title"},{"path":"title","value":"x"}]}`, 1, TypeInvalidSyntax},
		{"op null", `{"Operations":[{"op":null,"path":"title"}]}`, 0, TypeInvalidSyntax},
		{"op a number", `{"Operations":[{"op":1,"path":"title"}]}`, 0, TypeInvalidSyntax},
		{"op unknown", `{"Operations":[{"op":"move","path":"title"}]}`, 0, TypeInvalidSyntax},
		{"path a number", `{"Operations":[{"op":"add","path":42,"value":"x"}]}`, 0, TypeInvalidPath},
		{"path an array", `{"Operations":[{"op":"add","path":["title"],"value":"x"}]}`, 0, TypeInvalidPath},
		{"path empty", `{"Operations":[{"op":"add","path":"","value":"x"}]}`, 0, TypeInvalidPath},
		{"path blank", `{"Operations":[{"op":"add","path":"  ","value":"x"}]}`, 0, TypeInvalidPath},
		{"100,000 operations", manyOperations(100_000), -1, TypeInvalidValue},
		{"one operation too many", manyOperations(MaxOperations + 1), -1, TypeInvalidValue},
		{"deeply nested value", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}]}`, -1, TypeInvalidSyntax},
		{"nested one level too deep", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", MaxDepth-2) + strings.Repeat("]", MaxDepth-2) + `}]}`, -1, TypeInvalidSyntax},
		{"invalid UTF-8", "{\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"value\":\"b\xffb\"}]}", -1, TypeInvalidSyntax},
		{"op empty", `{"Operations":[{"op":"","path":"title"}]}`, 0, TypeInvalidSyntax},
		{"unclosed nesting", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat(`{"a":`, 10), -1, TypeInvalidSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := Decode([]byte(tc.body))
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Decode = %v, %v; want a *patch.Error", req, err)
			}
			if perr.Index != tc.wantIndex || perr.Type != tc.wantType {
				t.Errorf("Decode error = index %d type %s (%v); want index %d type %s", perr.Index, perr.Type, err, tc.wantIndex, tc.wantType)
			}
			if !strings.HasPrefix(err.Error(), "patch: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestDecodeMaxOperations(t *testing.T) {
	t.Parallel()
	req, err := Decode([]byte(manyOperations(MaxOperations)))
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Operations) != MaxOperations {
		t.Errorf("got %d operations, want %d", len(req.Operations), MaxOperations)
	}
}
