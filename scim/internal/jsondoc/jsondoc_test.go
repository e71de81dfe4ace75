package jsondoc

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAppend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"members sorted by name", map[string]any{"userName": "a", "active": true, "Resources": []any{}, "id": nil},
			`{"Resources":[],"active":true,"id":null,"userName":"a"}`},
		{"nested", map[string]any{"emails": []any{map[string]any{"value": "a@b.c", "primary": true}}, "name": map[string]any{}},
			`{"emails":[{"primary":true,"value":"a@b.c"}],"name":{}}`},
		{"numbers as written", []any{json.Number("12345678901234567890"), json.Number("1.50"), json.Number("-0"), json.Number(""), 2.5, 1e21},
			`[12345678901234567890,1.50,-0,0,2.5,1e+21]`},
		{"escapes", "\"\\/\b\f\n\r\t\x00\x1f", `"\"\\/\b\f\n\r\t\u0000\u001f"`},
		{"HTML characters", "<a href='x'>&</a>", `"\u003ca href='x'\u003e\u0026\u003c/a\u003e"`},
		{"line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"invalid UTF-8", "a\xffb\xc3", `"a\ufffdb\ufffd"`},
		{"other text as is", "é日本😀~", `"é日本😀~"`},
		{"escaped member names", map[string]any{"<k>": 1.0}, `{"\u003ck\u003e":1}`},
		{"a type of its own goes to encoding/json", map[string]any{"tags": []string{"a", "b"}}, `{"tags":["a","b"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Append([]byte("prefix:"), tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff("prefix:"+tc.want, string(got)); diff != "" {
				t.Errorf("Append (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendRefusesWhatJSONCannotHold(t *testing.T) {
	t.Parallel()
	for _, v := range []any{
		json.Number("1x"), json.Number(" 1"), json.Number("01"), json.Number("true"), json.Number("1."),
		math.NaN(), math.Inf(1), map[string]any{"a": []any{func() {}}},
	} {
		if b, err := Append(nil, v); err == nil {
			t.Errorf("Append(%#v) = %s, want an error", v, b)
		}
	}
}

// FuzzAppend encodes what encoding/json decodes from arbitrary text and
// checks that the result is JSON that decodes back to the same value.
func FuzzAppend(f *testing.F) {
	f.Add([]byte(`{"b":[1,2.5e3,"x"],"a":{"<":null,"c":true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, ok := decode(data)
		if !ok {
			return
		}
		b, err := Append(nil, v)
		if err != nil {
			t.Fatalf("Append(%s): %v", data, err)
		}
		back, ok := decode(b)
		if !ok {
			t.Fatalf("Append(%s) = %s: not JSON", data, b)
		}
		if !reflect.DeepEqual(v, back) {
			t.Fatalf("Append(%s) = %s, which decodes to %#v, want %#v", data, b, back, v)
		}
	})
}

// FuzzAppendString checks that a string encodes to a JSON string of the
// same text, invalid UTF-8 replaced by U+FFFD, with no byte an HTML page
// or a JavaScript string would read otherwise.
func FuzzAppendString(f *testing.F) {
	f.Add("a\u2028<&>\"\\\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		b := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("AppendString(%q) = %s: %v", s, b, err)
		}
		if want := string([]rune(s)); back != want { // each invalid byte as U+FFFD
			t.Fatalf("AppendString(%q) = %s, which decodes to %q", s, b, back)
		}
		if bytes.ContainsAny(b[1:len(b)-1], "<>&\u2028\u2029") {
			t.Fatalf("AppendString(%q) = %s: an unescaped HTML character or separator", s, b)
		}
	})
}

func decode(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	return v, true
}

func TestObject(t *testing.T) {
	t.Parallel()
	var meta, o Object
	meta = meta.Add(String("version", `W/"1"`)).Add(String("created", "t"))
	o = o.Add(String("userName", "a")).Add(Nested("meta", meta)).
		Add(Value("emails", []any{map[string]any{"value": "a@b.c"}})).Add(Value("active", true))
	want := `{"active":true,"emails":[{"value":"a@b.c"}],"meta":{"created":"t","version":"W/\"1\""},"userName":"a"}`
	got, err := AppendObject([]byte("prefix:"), o)
	if err != nil {
		t.Fatal(err)
	}
	// Add keeps it sorted: it is written as its Map is.
	asMap, err := Append([]byte("prefix:"), o.Map())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"prefix:" + want, "prefix:" + want}, []string{string(got), string(asMap)}); diff != "" {
		t.Errorf("the object and its map (-want +got):\n%s", diff)
	}
	if _, err := AppendObject(nil, Object{Value("n", json.Number("x"))}); err == nil {
		t.Error("AppendObject with an invalid number: no error")
	}
}
