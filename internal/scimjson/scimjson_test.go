package scimjson

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	m := map[string]any{"userName": "a", "EMAILS": "b", "name": nil}
	tests := []struct {
		name    string
		m       map[string]any
		key     string
		wantKey string
		wantV   any
		wantOK  bool
	}{
		{name: "exact", m: m, key: "userName", wantKey: "userName", wantV: "a", wantOK: true},
		{name: "other case", m: m, key: "username", wantKey: "userName", wantV: "a", wantOK: true},
		{name: "stored in capitals", m: m, key: "emails", wantKey: "EMAILS", wantV: "b", wantOK: true},
		{name: "null member is present", m: m, key: "Name", wantKey: "name", wantV: nil, wantOK: true},
		{name: "absent", m: m, key: "title"},
		{name: "Kelvin sign folds to k", m: map[string]any{"\u212aey": 1}, key: "key", wantKey: "\u212aey", wantV: 1, wantOK: true},
		{name: "nil map", key: "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, v, ok := Lookup(tc.m, tc.key)
			if diff := cmp.Diff([]any{tc.wantKey, tc.wantV, tc.wantOK}, []any{k, v, ok}); diff != "" {
				t.Errorf("Lookup(%q) (-want +got):\n%s", tc.key, diff)
			}
		})
	}
}

func TestLookupPrefersTheExactSpelling(t *testing.T) {
	t.Parallel()
	m := map[string]any{"USERNAME": 1, "userName": 2, "username": 3}
	for range 20 { // map order varies between runs of the loop
		if k, v, _ := Lookup(m, "userName"); k != "userName" || v != 2 {
			t.Fatalf("Lookup = %q, %v; want the exact member", k, v)
		}
	}
}

func TestDeeper(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		max  int
		want bool
	}{
		{name: "flat object", in: `{"a":1}`, max: 1},
		{name: "at the limit", in: `{"a":[{"b":1}]}`, max: 3},
		{name: "one too deep", in: `{"a":[{"b":[]}]}`, max: 3, want: true},
		{name: "brackets in strings do not count", in: `{"a":"` + strings.Repeat("[{", 100) + `"}`, max: 1},
		{name: "escaped quote keeps the string open", in: `{"a":"\"[[[["}`, max: 1},
		{name: "escaped backslash closes the string", in: `{"a":"\\"}`, max: 1},
		{name: "deep array", in: strings.Repeat("[", 100000) + strings.Repeat("]", 100000), max: 32, want: true},
		{name: "truncated text counts what it opens", in: `{"a":[[1`, max: 2, want: true},
		{name: "empty", in: ``, max: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Deeper([]byte(tc.in), tc.max); got != tc.want {
				t.Errorf("Deeper(%.40q, %d) = %v, want %v", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func TestNameIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		k     string
		names []string
		want  bool
	}{
		{"id", []string{"id", "meta"}, true},
		{"META", []string{"id", "meta"}, true},
		{"Meta", []string{"metadata"}, false},
		{"\u212aey", []string{"key"}, true},                // KELVIN SIGN folds to k
		{"pa\u017f\u017fword", []string{"password"}, true}, // LONG S folds to s
		{"", []string{"id"}, false},
		{"x", nil, false},
	}
	for _, tc := range tests {
		if got := NameIs(tc.k, tc.names...); got != tc.want {
			t.Errorf("NameIs(%q, %q) = %v, want %v", tc.k, tc.names, got, tc.want)
		}
	}
}
