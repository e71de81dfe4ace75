package scim

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scimkit/scimkit/patch"
)

// stdDecodePatch is decodePatch without its fast path.
func stdDecodePatch(data []byte, maxDepth int) (*patch.Request, error) {
	if !utf8.Valid(data) {
		return nil, errorf(400, TypeInvalidSyntax, "the request body is not valid UTF-8")
	}
	if err := checkDepth(data, maxDepth); err != nil {
		return nil, err
	}
	return patch.Decode(data)
}

// comparePatchDecoders checks decodePatch against stdDecodePatch on data.
func comparePatchDecoders(t *testing.T, data []byte) {
	t.Helper()
	got, gerr := decodePatch(bytes.Clone(data), maxJSONDepth)
	want, werr := stdDecodePatch(data, maxJSONDepth)
	sameResult(t, "decodePatch", data, want, got, werr, gerr)
}

func TestDecodePatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"replace", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`},
		{"no schemas, ops in any case", `{"Operations":[{"op":"Add","path":"emails","value":[{"value":"a@b.c"}]},{"op":"REMOVE","path":"name.givenName"}]}`},
		{"no path", `{"Operations":[{"op":"replace","value":{"active":false}}]}`},
		{"null path and schemas", `{"schemas":null,"Operations":[{"op":"replace","path":null,"value":1}]}`},
		{"names in other cases", `{"SCHEMAS":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[{"OP":"replace","Path":"active","VALUE":true}]}`},
		{"a name in two cases", `{"Operations":[{"op":"replace","path":"active","value":true,"Value":false}]}`},
		{"wrong schema", `{"schemas":["urn:x"],"Operations":[{"op":"replace","path":"active","value":true}]}`},
		{"empty schemas", `{"schemas":[],"Operations":[{"op":"replace","path":"active","value":true}]}`},
		{"unknown op", `{"Operations":[{"op":"move","path":"active"}]}`},
		{"blank path", `{"Operations":[{"op":"remove","path":" "}]}`},
		{"number path", `{"Operations":[{"op":"remove","path":1}]}`},
		{"no operations", `{"Operations":[]}`},
		{"operations not an array", `{"Operations":{}}`},
		{"operation not an object", `{"Operations":[1]}`},
		{"not an object", `[]`},
		{"invalid JSON", `{"Operations":[}`},
		{"invalid UTF-8", "{\"Operations\":[{\"op\":\"add\",\"path\":\"x\",\"value\":\"\xff\"}]}"},
		{"deep", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}]}`},
		{"too many operations", `{"Operations":[` + strings.Repeat(`{"op":"remove","path":"x"},`, patch.MaxOperations) + `{"op":"remove","path":"x"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			comparePatchDecoders(t, []byte(tc.in))
		})
	}
}

// FuzzDecodePatch compares decodePatch with patch.Decode.
func FuzzDecodePatch(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
		`{"Operations":[{"op":"Add","value":{"emails":[{"value":"a@b.c","primary":true}]}},{"op":"remove","path":"x"}]}`,
		`{"operations":[{"Op":"replace","path":null}],"schemas":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		comparePatchDecoders(t, data)
	})
}
