package scim

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/patch"
)

func TestDecodeObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantType string // "" when decoding must succeed
	}{
		{name: "object", in: `{"userName":"a","n":1}`},
		{name: "object with whitespace", in: " \n{}\n "},
		{name: "empty", in: "", wantType: TypeInvalidSyntax},
		{name: "blank", in: "  \n", wantType: TypeInvalidSyntax},
		{name: "array", in: `[1,2]`, wantType: TypeInvalidSyntax},
		{name: "string", in: `"x"`, wantType: TypeInvalidSyntax},
		{name: "null", in: `null`, wantType: TypeInvalidSyntax},
		{name: "truncated", in: `{"a":`, wantType: TypeInvalidSyntax},
		{name: "trailing data", in: `{}{}`, wantType: TypeInvalidSyntax},
		{name: "trailing garbage", in: `{} x`, wantType: TypeInvalidSyntax},
		{name: "invalid UTF-8", in: "{\"a\":\"\xff\"}", wantType: TypeInvalidSyntax},
		{name: "too deep", in: strings.Repeat("[", 100000) + strings.Repeat("]", 100000), wantType: TypeInvalidSyntax},
		{name: "deep inside object", in: `{"a":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat("}", 41), wantType: TypeInvalidSyntax},
		{name: "brackets in strings do not count", in: `{"a":"` + strings.Repeat("[{", 100) + `\"` + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeObject([]byte(tc.in), maxJSONDepth)
			if tc.wantType == "" {
				if err != nil {
					t.Fatalf("decodeObject: %v", err)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("decodeObject error = %v, want *Error", err)
			}
			if diff := cmp.Diff([]any{http.StatusBadRequest, tc.wantType}, []any{se.Status, se.Type}); diff != "" {
				t.Errorf("status, scimType (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeObjectUsesNumber(t *testing.T) {
	t.Parallel()
	m, err := decodeObject([]byte(`{"n":12345678901234567890}`), maxJSONDepth)
	if err != nil {
		t.Fatal(err)
	}
	if got := m["n"]; got == nil || got.(interface{ String() string }).String() != "12345678901234567890" {
		t.Errorf("n = %#v, want json.Number 12345678901234567890", got)
	}
}

func TestCleanPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{"/Users", true},
		{"/Users/", true},
		{"/api/scim/v2/groups/acme/Users/1", true},
		{"/Users/..", false},
		{"/Users/../Schemas", false},
		{"/Users/./x", false},
		{"//Users", false},
		{"/Users/a\x00b", false},
		{"Users", false},
		{"/Users/\xff", false},
	}
	for _, tc := range tests {
		if got := cleanPath(tc.path); got != tc.want {
			t.Errorf("cleanPath(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	if got := truncate("héllo", 2); got != "h…" {
		t.Errorf("truncate = %q, want %q", got, "h…")
	}
	if got := truncate("abc", 5); got != "abc" {
		t.Errorf("truncate = %q, want abc", got)
	}
}

// chunkReader returns its data a few bytes at a time, then err.
type chunkReader struct {
	data string
	err  error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.data == "" {
		return 0, c.err
	}
	n := copy(p[:min(len(p), 3)], c.data)
	c.data = c.data[n:]
	return n, nil
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	big := `{"userName":"` + strings.Repeat("a", 5000) + `"}`
	tests := []struct {
		name string
		body io.Reader
		want string // the body read, or the error
	}{
		{"in pieces", &chunkReader{data: big, err: io.EOF}, big},
		{"empty", &chunkReader{err: io.EOF}, ""},
		{"failing", &chunkReader{data: `{"a"`, err: errors.New("connection reset")}, "scim: 400 invalidSyntax: reading the request body failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/Users", tc.body)
			buf, err := e.h.readBody(r)
			got := errText(err)
			if err == nil {
				got = string(*buf)
				e.h.bufs.put(buf)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("readBody (-want +got):\n%s", diff)
			}
		})
	}
}

// errText is err's text, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestDecodePatch pins what a PatchOp body gives: the number of operations
// decoded, or the 400 and scimType it is refused with. UTF-8 and nesting
// are checked before patch.Decode reads the body, as for every body.
func TestDecodePatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantOps  int
		wantType string // "" when decoding must succeed
	}{
		{"replace", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`, 1, ""},
		{"no schemas, ops in any case", `{"Operations":[{"op":"Add","path":"emails","value":[{"value":"a@b.c"}]},{"op":"REMOVE","path":"name.givenName"}]}`, 2, ""},
		{"no path", `{"Operations":[{"op":"replace","value":{"active":false}}]}`, 1, ""},
		{"null path and schemas", `{"schemas":null,"Operations":[{"op":"replace","path":null,"value":1}]}`, 1, ""},
		{"names in other cases", `{"SCHEMAS":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[{"OP":"replace","Path":"active","VALUE":true}]}`, 1, ""},
		{"a name in two cases", `{"Operations":[{"op":"replace","path":"active","value":true,"Value":false}]}`, 1, ""},
		{"wrong schema", `{"schemas":["urn:x"],"Operations":[{"op":"replace","path":"active","value":true}]}`, 0, TypeInvalidSyntax},
		{"empty schemas", `{"schemas":[],"Operations":[{"op":"replace","path":"active","value":true}]}`, 0, TypeInvalidSyntax},
		{"empty schemas with space", `{"schemas":[ ],"Operations":[{"op":"replace","path":"active","value":true}]}`, 0, TypeInvalidSyntax},
		{"schema twice in the list, spaced, in another case", `{"schemas":[ "urn:ietf:params:scim:api:messages:2.0:PatchOp" , "URN:IETF:params:scim:api:messages:2.0:patchop" ],"Operations":[{"op":"remove","path":"x"}]}`, 1, ""},
		{"escaped schema", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Patch\u004fp"],"Operations":[{"op":"remove","path":"x"}]}`, 1, ""},
		{"schema then a wrong one", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp","urn:x"],"Operations":[{"op":"remove","path":"x"}]}`, 0, TypeInvalidSyntax},
		{"schema not a string", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp",1],"Operations":[{"op":"remove","path":"x"}]}`, 0, TypeInvalidSyntax},
		{"schemas a string", `{"schemas":"urn:ietf:params:scim:api:messages:2.0:PatchOp","Operations":[{"op":"remove","path":"x"}]}`, 0, TypeInvalidSyntax},
		{"schemas unterminated", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"`, 0, TypeInvalidSyntax},
		{"schemas trailing comma", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp",],"Operations":[{"op":"remove","path":"x"}]}`, 0, TypeInvalidSyntax},
		{"unknown op", `{"Operations":[{"op":"move","path":"active"}]}`, 0, TypeInvalidSyntax},
		{"blank path", `{"Operations":[{"op":"remove","path":" "}]}`, 0, TypeInvalidPath},
		{"number path", `{"Operations":[{"op":"remove","path":1}]}`, 0, TypeInvalidPath},
		{"no operations", `{"Operations":[]}`, 0, TypeInvalidSyntax},
		{"operations not an array", `{"Operations":{}}`, 0, TypeInvalidSyntax},
		{"operation not an object", `{"Operations":[1]}`, 0, TypeInvalidSyntax},
		{"not an object", `[]`, 0, TypeInvalidSyntax},
		{"invalid JSON", `{"Operations":[}`, 0, TypeInvalidSyntax},
		{"invalid UTF-8", "{\"Operations\":[{\"op\":\"add\",\"path\":\"x\",\"value\":\"\xff\"}]}", 0, TypeInvalidSyntax},
		{"deep", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}]}`, 0, TypeInvalidSyntax},
		{"white space", " {\n \"Operations\" : [ { \"op\" : \"add\" , \"value\" : { \"x\" : [ 1 , 2 ] } } ] } \t", 1, ""},
		{"value before op", `{"Operations":[{"value":{"a":[{"b":null}]},"path":"x","op":"add"}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, 1, ""},
		{"unknown members", `{"id":"x","Operations":[{"op":"remove","path":"x","note":{"a":[1]}}],"extra":[true,null]}`, 1, ""},
		{"a member twice", `{"Operations":[{"op":"remove","path":"x","path":"y"}]}`, 1, ""},
		{"operations twice", `{"Operations":[{"op":"remove","path":"x"}],"Operations":[{"op":"add","path":"y","value":1}]}`, 1, ""},
		{"schemas twice", `{"schemas":["urn:x"],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"x"}]}`, 1, ""},
		{"no op", `{"Operations":[{"path":"x"}]}`, 0, TypeInvalidSyntax},
		{"null op", `{"Operations":[{"op":null,"path":"x"}]}`, 0, TypeInvalidSyntax},
		{"trailing comma", `{"Operations":[{"op":"remove","path":"x"},]}`, 0, TypeInvalidSyntax},
		{"trailing text", `{"Operations":[{"op":"remove","path":"x"}]} x`, 0, TypeInvalidSyntax},
		{"no operations member", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, 0, TypeInvalidSyntax},
		{"deep value at the limit", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", patch.MaxDepth-3) + strings.Repeat("]", patch.MaxDepth-3) + `}]}`, 1, ""},
		{"deep value past the limit", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", patch.MaxDepth-2) + strings.Repeat("]", patch.MaxDepth-2) + `}]}`, 0, TypeInvalidSyntax},
		{"as many operations as allowed", `{"Operations":[` + strings.Repeat(`{"op":"remove","path":"x"},`, patch.MaxOperations-1) + `{"op":"remove","path":"x"}]}`, 1000, ""},
		{"too many operations", `{"Operations":[` + strings.Repeat(`{"op":"remove","path":"x"},`, patch.MaxOperations) + `{"op":"remove","path":"x"}]}`, 0, TypeInvalidValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := decodePatch([]byte(tc.in), maxJSONDepth)
			if tc.wantType == "" {
				if err != nil {
					t.Fatalf("decodePatch: %v", err)
				}
				if len(req.Operations) != tc.wantOps {
					t.Errorf("%d operations, want %d", len(req.Operations), tc.wantOps)
				}
				return
			}
			e, _ := toError(err, wireRFC)
			if diff := cmp.Diff([]any{http.StatusBadRequest, tc.wantType}, []any{e.Status, e.Type}); diff != "" {
				t.Errorf("status, scimType (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzDecodeBody decodes arbitrary bodies as a User or SearchRequest body
// is decoded: a JSON object is a map, anything else a 400 invalidSyntax,
// never a panic.
func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte(`{"userName":"a","emails":[{"value":"a@b.c"}],"n":1.5e3}`))
	f.Add([]byte(`{"a":"\ud800","a":2}`))
	f.Add([]byte("{\"a\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeObject(data, maxJSONDepth)
		if err == nil {
			if m == nil {
				t.Fatalf("decodeObject(%q): nil map, nil error", data)
			}
			return
		}
		var se *Error
		if !errors.As(err, &se) || se.Status != http.StatusBadRequest || se.Type != TypeInvalidSyntax {
			t.Fatalf("decodeObject(%q): %v, want a 400 invalidSyntax", data, err)
		}
	})
}

// FuzzDecodePatch decodes arbitrary PatchOp bodies: a request with at
// least one operation, or a 400 with a scimType, never a panic.
func FuzzDecodePatch(f *testing.F) {
	f.Add([]byte(`{"Operations":[{"op":"replace","path":"active","value":false}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := decodePatch(data, maxJSONDepth)
		if err == nil {
			if len(req.Operations) == 0 {
				t.Fatalf("decodePatch(%q): no operations, no error", data)
			}
			return
		}
		e, internal := toError(err, wireRFC)
		if internal || e.Status != http.StatusBadRequest || e.Type == "" {
			t.Fatalf("decodePatch(%q): %v, want a 400 with a scimType", data, err)
		}
	})
}
