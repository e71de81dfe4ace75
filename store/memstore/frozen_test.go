package memstore

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFreezeThaw(t *testing.T) {
	tests := []struct {
		name string
		doc  map[string]any
	}{
		{"nil", nil},
		{"empty", map[string]any{}},
		{"scalars", map[string]any{"s": "x", "e": "", "t": true, "f": false, "n": nil,
			"num": json.Number("12.50"), "float": 1.5, "neg": -0.25, "big": math.MaxFloat64, "tiny": math.SmallestNonzeroFloat64}},
		{"nested", map[string]any{
			"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"name":    map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
			"emails":  []any{map[string]any{"value": "ada@example.com", "primary": true}, "bare", []any{}},
		}},
		{"typed nils", map[string]any{"m": map[string]any(nil), "a": []any(nil), "deep": []any{map[string]any(nil), []any(nil)}}},
		{"many", func() map[string]any {
			m := map[string]any{}
			for i := range 300 {
				m[string(rune('a'+i%26))+string(rune('0'+i/26))] = []any{float64(i), "v"}
			}
			return m
		}()},
	}
	var f freezer
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fz, ok := f.freeze(tc.doc)
			if !ok {
				t.Fatal("freeze refused a JSON document")
			}
			got := fz.thaw()
			if diff := cmp.Diff(tc.doc, got); diff != "" {
				t.Errorf("thaw (-want +got):\n%s", diff)
			}
			if (tc.doc == nil) != (got == nil) {
				t.Errorf("thaw() == nil is %v, want %v", got == nil, tc.doc == nil)
			}
			if got != nil {
				got["added"] = "x" // a thawed document is the caller's

				if diff := cmp.Diff(tc.doc, fz.thaw()); diff != "" {
					t.Errorf("thaw after changing an earlier thaw's result (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestFreezeTypedNils(t *testing.T) {
	var f freezer
	fz, _ := f.freeze(map[string]any{"m": map[string]any(nil), "a": []any(nil), "x": nil})
	got := fz.thaw()
	if m, ok := got["m"].(map[string]any); !ok || m != nil {
		t.Errorf(`"m" = %#v, want map[string]any(nil)`, got["m"])
	}
	if a, ok := got["a"].([]any); !ok || a != nil {
		t.Errorf(`"a" = %#v, want []any(nil)`, got["a"])
	}
	if v, ok := got["x"]; !ok || v != nil {
		t.Errorf(`"x" = %#v, %v, want nil, true`, v, ok)
	}
}

func TestFreezeRefusesOtherTypes(t *testing.T) {
	docs := []map[string]any{
		{"a": []string{"x"}},
		{"a": map[string]string{"x": "y"}},
		{"a": []map[string]any{{"x": "y"}}},
		{"a": 3},
		{"deep": []any{map[string]any{"n": int64(1)}}},
	}
	var f freezer
	for _, d := range docs {
		if _, ok := f.freeze(d); ok {
			t.Errorf("freeze(%v) = ok, want refused", d)
		}
	}
}

func TestFrozenTopString(t *testing.T) {
	var f freezer
	fz, _ := f.freeze(map[string]any{
		"name":     map[string]any{"userName": "inner"},
		"emails":   []any{"a", 1.0, map[string]any{"k": true}},
		"userName": "ada",
		"num":      json.Number("1"),
		"USERNAME": "other",
	})
	tests := []struct {
		key  string
		want string
		ok   bool
	}{
		{"userName", "ada", true},
		{"USERNAME", "other", true},
		{"username", "", false},
		{"num", "", false},
		{"name", "", false},
		{"missing", "", false},
	}
	for _, tc := range tests {
		got, ok := fz.topString(tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("topString(%q) = %q, %v, want %q, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCommonIndex(t *testing.T) {
	for i, s := range common {
		if got, ok := commonIndex(s); !ok || got != i {
			t.Errorf("commonIndex(%q) = %d, %v, want %d, true", s, got, ok, i)
		}
	}
	for _, s := range []string{"", "Schemas", "username", "x", "urn:ietf:params:scim:schemas:core:2.0:Group"} {
		if i, ok := commonIndex(s); ok {
			t.Errorf("commonIndex(%q) = %d, true, want false", s, i)
		}
	}
}

// FuzzFreeze checks that any document encoding/json decodes, with or
// without UseNumber, thaws back equal to itself.
func FuzzFreeze(f *testing.F) {
	f.Add(`{"userName":"ada","emails":[{"value":"a@b.c","primary":true}],"n":1.5e300,"x":null}`, false)
	f.Add(`{"a":{"b":{"c":[[],{},[null,true,false,"s",-0,12345678901234567890]]}},"é":"\u0000"}`, true)
	f.Fuzz(func(t *testing.T, doc string, useNumber bool) {
		dec := json.NewDecoder(strings.NewReader(doc))
		if useNumber {
			dec.UseNumber()
		}
		var m map[string]any
		if dec.Decode(&m) != nil {
			return
		}
		var fr freezer
		fz, ok := fr.freeze(m)
		if !ok {
			t.Fatalf("freeze refused a decoded document %s", doc)
		}
		if diff := cmp.Diff(m, fz.thaw()); diff != "" {
			t.Fatalf("thaw (-want +got):\n%s", diff)
		}
		if s, ok := m["userName"].(string); ok {
			if got, gotOK := fz.topString("userName"); !gotOK || got != s {
				t.Errorf("topString(userName) = %q, %v, want %q", got, gotOK, s)
			}
		}
	})
}

// TestThawArraysApart checks that the arrays of a thawed document, which
// share one allocation, cannot reach each other by append.
func TestThawArraysApart(t *testing.T) {
	doc := map[string]any{"a": []any{"a1", []any{"n1", "n2"}}, "b": []any{"b1", "b2"}, "e": []any{}}
	var f freezer
	fz, _ := f.freeze(doc)
	got := fz.thaw()
	for _, k := range []string{"a", "b", "e"} {
		a := got[k].([]any)
		_ = append(a, "appended")
		if len(a) > 0 {
			if inner, ok := a[len(a)-1].([]any); ok {
				_ = append(inner, "appended")
			}
		}
	}
	if diff := cmp.Diff(doc, got); diff != "" {
		t.Errorf("appending to one array changed another (-want +got):\n%s", diff)
	}
	if e := got["e"].([]any); e == nil {
		t.Error(`empty array "e" thawed as nil`)
	}
}
