package scim

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	values := []any{
		nil, true, false, "", "plain", "quote\" back\\ nl\n tab\t cr\r ctl\x01 html<>& sep\u2028\u2029 é 😀", "bad\xffutf8",
		json.Number("12"), json.Number("-1.5e3"), 1.5, float64(1e21), 3, int64(-4), []string{"a", "b"},
		[]any{}, []any{1.0, "x", nil, []any{true}}, map[string]any{},
		map[string]any{"b": 1.0, "a": map[string]any{"z": "y", "é": []any{map[string]any{"k": "v"}}}},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendJSON(nil, v, false)
		if err != nil {
			t.Fatalf("appendJSON(%#v): %v", v, err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("appendJSON(%#v) (-encoding/json +got):\n%s", v, diff)
		}
	}
}

func TestAppendJSONResourceOrder(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"meta": map[string]any{"b": 1, "a": 2}, "active": true, "userName": "u", "id": "1", "schemas": []any{"s"}, "externalId": "e", "emails": []any{}}
	got, err := appendJSON(nil, doc, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["s"],"id":"1","externalId":"e","userName":"u","active":true,"emails":[],"meta":{"a":2,"b":1}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAppendJSONRefusesWhatJSONCannotHold(t *testing.T) {
	t.Parallel()
	for _, v := range []any{math.NaN(), math.Inf(1), json.Number("1x"), map[string]any{"a": []any{math.Inf(-1)}}} {
		if _, err := appendJSON(nil, v, false); err == nil {
			t.Errorf("appendJSON(%v) succeeded", v)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("a\"b\\c\n\u2028<>&\xff")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestJSONPlain(t *testing.T) {
	t.Parallel()
	if len(jsonPlain) != utf8.RuneSelf {
		t.Fatalf("len(jsonPlain) = %d, want %d", len(jsonPlain), utf8.RuneSelf)
	}
	for c := range utf8.RuneSelf {
		want := c >= 0x20 && !strings.ContainsRune(`"\<>&`, rune(c))
		if got := jsonPlain[c] == '1'; got != want {
			t.Errorf("jsonPlain[%#x] = %q, want plain %v", c, jsonPlain[c], want)
		}
	}
}
