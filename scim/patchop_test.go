package scim

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

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

// comparePatchOp checks that a body decodePatchOp reads is read the same
// by decodeJSON and patchRequest (TestDecodePatchOpAgrees).
func comparePatchOp(t *testing.T, data []byte) {
	t.Helper()
	got, ok := decodePatchOp(bytes.Clone(data), maxJSONDepth)
	if !ok {
		return
	}
	v, replaced, vok := decodeJSON(data, maxJSONDepth)
	var want *patch.Request
	if vok && !replaced {
		want, vok = patchRequest(v)
	}
	if !vok {
		t.Fatalf("decodePatchOp read %q, which decodeJSON and patchRequest refuse", data)
	}
	// reflect.DeepEqual first: cmp.Diff takes time exponential in the
	// nesting of arrays.
	if !reflect.DeepEqual(want, got) {
		t.Errorf("decodePatchOp(%q) (-patchRequest +decodePatchOp):\n%s", data, cmp.Diff(want, got))
	}
}

// TestDecodePatchOpAgrees checks decodePatchOp on the common bodies, which
// it must read itself, against decodeJSON and patchRequest.
func TestDecodePatchOpAgrees(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
		`{"Operations":[{"op":"Add","path":"emails","value":[{"value":"a@b.c","primary":true}]},{"op":"REMOVE","path":"name.givenName"}]}`,
		`{"schemas":null,"Operations":[{"op":"replace","path":null,"value":{"active":"False","name":{"givenName":"\u00e9"}}}]}`,
	} {
		if _, ok := decodePatchOp([]byte(in), maxJSONDepth); !ok {
			t.Errorf("decodePatchOp(%s) refused a common body", in)
		}
		comparePatchOp(t, []byte(in))
	}
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
		{"empty schemas with space", `{"schemas":[ ],"Operations":[{"op":"replace","path":"active","value":true}]}`},
		{"schema twice in the list, spaced, in another case", `{"schemas":[ "urn:ietf:params:scim:api:messages:2.0:PatchOp" , "URN:IETF:params:scim:api:messages:2.0:patchop" ],"Operations":[{"op":"remove","path":"x"}]}`},
		{"escaped schema", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Patch\u004fp"],"Operations":[{"op":"remove","path":"x"}]}`},
		{"schema then a wrong one", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp","urn:x"],"Operations":[{"op":"remove","path":"x"}]}`},
		{"schema not a string", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp",1],"Operations":[{"op":"remove","path":"x"}]}`},
		{"schemas a string", `{"schemas":"urn:ietf:params:scim:api:messages:2.0:PatchOp","Operations":[{"op":"remove","path":"x"}]}`},
		{"schemas unterminated", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"`},
		{"schemas trailing comma", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp",],"Operations":[{"op":"remove","path":"x"}]}`},
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
		{"white space", " {\n \"Operations\" : [ { \"op\" : \"add\" , \"value\" : { \"x\" : [ 1 , 2 ] } } ] } \t"},
		{"value before op", `{"Operations":[{"value":{"a":[{"b":null}]},"path":"x","op":"add"}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`},
		{"unknown members", `{"id":"x","Operations":[{"op":"remove","path":"x","note":{"a":[1]}}],"extra":[true,null]}`},
		{"a member twice", `{"Operations":[{"op":"remove","path":"x","path":"y"}]}`},
		{"operations twice", `{"Operations":[{"op":"remove","path":"x"}],"Operations":[{"op":"add","path":"y","value":1}]}`},
		{"schemas twice", `{"schemas":["urn:x"],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"x"}]}`},
		{"no op", `{"Operations":[{"path":"x"}]}`},
		{"null op", `{"Operations":[{"op":null,"path":"x"}]}`},
		{"trailing comma", `{"Operations":[{"op":"remove","path":"x"},]}`},
		{"trailing text", `{"Operations":[{"op":"remove","path":"x"}]} x`},
		{"no operations member", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`},
		{"deep value at the limit", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", patch.MaxDepth-3) + strings.Repeat("]", patch.MaxDepth-3) + `}]}`},
		{"deep value past the limit", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", patch.MaxDepth-2) + strings.Repeat("]", patch.MaxDepth-2) + `}]}`},
		{"as many operations as allowed", `{"Operations":[` + strings.Repeat(`{"op":"remove","path":"x"},`, patch.MaxOperations-1) + `{"op":"remove","path":"x"}]}`},
		{"too many operations", `{"Operations":[` + strings.Repeat(`{"op":"remove","path":"x"},`, patch.MaxOperations) + `{"op":"remove","path":"x"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			comparePatchDecoders(t, []byte(tc.in))
			comparePatchOp(t, []byte(tc.in))
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
		comparePatchOp(t, data)
	})
}
