package scim

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// stdDecode decodes data as encoding/json does for decodeJSON: one value,
// numbers as json.Number; ok is false when encoding/json refuses it.
func stdDecode(data []byte) (any, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"object", `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`},
		{"white space", " \t\r\n{ \"a\" : [ 1 , 2 ] } \n"},
		{"empty object and array", `{"a":{},"b":[]}`},
		{"repeated name: the last wins", `{"a":1,"a":2,"A":3}`},
		{"numbers", `[0,-0,1.5,-1e10,2E+3,3e-7,12345678901234567890123,1.0e400]`},
		{"escapes", `["\"\\\/\b\f\n\r\t","\u00e9\u2028","\ud83d\ude00"]`},
		{"lone surrogates", `["\ud800","\udc00x","\ud800\u0041","\ud800\ud800\udc00"]`},
		{"invalid UTF-8", "[\"a\xffb\",\"\xed\xa0\x80\",\"\xc3\"]"},
		{"valid UTF-8", `["é","日本","😀"]`},
		{"NUL escape", `["\u0000"]`},
		{"scalars", `"s"`},
		{"control character", "[\"a\tb\"]"},
		{"bad escape", `["\x"]`},
		{"short unicode escape", `["\u12"]`},
		{"leading zero", `[01]`},
		{"bare minus", `[-]`},
		{"dot without digits", `[1.]`},
		{"exponent without digits", `[1e+]`},
		{"trailing comma", `[1,]`},
		{"trailing comma in object", `{"a":1,}`},
		{"missing colon", `{"a" 1}`},
		{"unquoted name", `{a:1}`},
		{"data after the value", `{} {}`},
		{"truncated", `{"a":[1,2`},
		{"truncated literal", `[tru]`},
		{"literal with more", `[truex]`},
		{"empty", ``},
		{"space only", "  "},
		{"byte order mark", "\ufeff{}"},
		{"unterminated string", `["abc`},
		{"deep", strings.Repeat("[", 40) + strings.Repeat("]", 40)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			compareDecoders(t, []byte(tc.in))
		})
	}
}

// compareDecoders checks decodeJSON against encoding/json on data.
func compareDecoders(t *testing.T, data []byte) {
	t.Helper()
	want, wantOK := stdDecode(data)
	got, replaced, ok := decodeJSON(data, 10000)
	if ok != wantOK {
		t.Fatalf("decodeJSON(%q): ok %v, encoding/json %v", data, ok, wantOK)
	}
	if !ok {
		return
	}
	// reflect.DeepEqual first: cmp.Diff takes time exponential in the
	// depth of equal nested arrays.
	if !reflect.DeepEqual(want, got) {
		t.Errorf("decodeJSON(%q) (-encoding/json +decodeJSON):\n%s", data, cmp.Diff(want, got))
	}
	if replaced == utf8.Valid(data) {
		t.Errorf("decodeJSON(%q): replaced %v for UTF-8 valid %v", data, replaced, utf8.Valid(data))
	}
}

func TestDecodeJSONDepth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		max  int
		want bool
	}{
		{`{"a":[{"b":1}]}`, 3, true},
		{`{"a":[{"b":1}]}`, 2, false},
		{`[[]]`, 2, true},
		{`[[]]`, 1, false},
		{`"s"`, 0, true},
	} {
		if _, _, ok := decodeJSON([]byte(tc.in), tc.max); ok != tc.want {
			t.Errorf("decodeJSON(%s, %d): ok %v, want %v", tc.in, tc.max, ok, tc.want)
		}
	}
}

func TestDecodeJSONSharesSmallBodies(t *testing.T) {
	t.Parallel()
	small := []byte(`{"userName":"a"}`)
	large := []byte(`{"userName":"a"}` + strings.Repeat(" ", maxSharedBody))
	for _, data := range [][]byte{small, large} {
		v, _, ok := decodeJSON(data, 32)
		if !ok {
			t.Fatalf("decodeJSON refused %.40q", data)
		}
		// The decoded strings never alias data: callers reuse it.
		data[len(`{"userName":"`)] = 'X'
		if got := v.(map[string]any)["userName"]; got != "a" {
			t.Errorf("userName = %v after the body changed, want a", got)
		}
	}
}

// FuzzDecoder compares decodeJSON with encoding/json, and decodeObject
// (which takes decodeJSON's answer) with decodeObjectStd (encoding/json
// alone), results and errors.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","name":{"givenName":"b"},"emails":[{"value":"a@b.c","primary":true}],"active":true,"n":-1.5e3}`,
		`{"a":"\ud83d\ude00\ud800\u00e9\n","a":null}`, "{\"a\":\"\xff\"}", `[1,2,[]]`, `{} x`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareDecoders(t, data)
		got, gerr := decodeObject(bytes.Clone(data), maxJSONDepth)
		want, werr := decodeObjectStd(data, maxJSONDepth)
		sameResult(t, "decodeObject", data, want, got, werr, gerr)
	})
}

// sameResult fails t unless the fast decoding of data (got, gerr) is the
// one of encoding/json (want, werr), error messages included.
func sameResult(t *testing.T, name string, data []byte, want, got any, werr, gerr error) {
	t.Helper()
	if diff := cmp.Diff(errText(werr), errText(gerr)); diff != "" {
		t.Fatalf("%s(%q) error (-encoding/json +fast):\n%s", name, data, diff)
	}
	// reflect.DeepEqual first, as in compareDecoders.
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s(%q) (-encoding/json +fast):\n%s", name, data, cmp.Diff(want, got))
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// BenchmarkDecodeJSON decodes an Entra ID POST /Users body with the
// handler's decoder and, for comparison, with encoding/json (UseNumber, as
// the handler used before).
func BenchmarkDecodeJSON(b *testing.B) {
	body := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com",` +
		`"active":true,"displayName":"Test User","emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],` +
		`"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},` +
		`"title":"Manager","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations"}}`)
	b.Run("scimkit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := decodeJSON(body, 32); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
