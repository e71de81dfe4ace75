package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// entra is a parser with Entra ID's sub-attribute comparison turned on.
var entra = &Parser{SubAttributeComparison: true}

// TestParseSubCompareOff checks that the extension is off by default: the
// form is a syntax error, as RFC 7644 §3.4.2.2 has it (shared case f079).
func TestParseSubCompareOff(t *testing.T) {
	t.Parallel()
	_, err := Parse(`emails[type eq "work"].value eq "a@example.com"`)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "only allowed in a PATCH path") {
		t.Fatalf("Parse = %v, want a syntax error about PATCH paths", err)
	}
}

// workEmail is the value filter emails[type eq "work"].
func workEmail() Expr { return cmpNode("type", Eq, "work") }

// TestParseSubCompare pins the extension for Entra ID's comparison on a
// sub-attribute after a value filter (doc.go, "Entra ID's sub-attribute
// comparison"): attr[f].sub op v is attr[f and sub op v].
func TestParseSubCompare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		input  string
		want   Expr
		string string // the canonical form String prints
	}{
		{"Entra ID uniqueness filter", `emails[type eq "work"].value eq "a@example.com"`,
			&ValuePath{Attr: attr("emails"), Filter: &And{workEmail(), cmpNode("value", Eq, "a@example.com")}},
			`emails[type eq "work" and value eq "a@example.com"]`},
		{"pr", `emails[type eq "work"].value pr`,
			&ValuePath{Attr: attr("emails"), Filter: &And{workEmail(), cmpNode("value", Pr, nil)}},
			`emails[type eq "work" and value pr]`},
		{"operator any case", `emails[type eq "work"].value CO "example"`,
			&ValuePath{Attr: attr("emails"), Filter: &And{workEmail(), cmpNode("value", Co, "example")}},
			`emails[type eq "work" and value co "example"]`},
		{"literal value", `emails[type eq "work"].primary eq true`,
			&ValuePath{Attr: attr("emails"), Filter: &And{workEmail(), cmpNode("primary", Eq, true)}},
			`emails[type eq "work" and primary eq true]`},
		{"or in the value filter keeps its parentheses", `emails[type eq "work" or type eq "home"].value pr`,
			&ValuePath{Attr: attr("emails"), Filter: &And{&Or{workEmail(), cmpNode("type", Eq, "home")}, cmpNode("value", Pr, nil)}},
			`emails[(type eq "work" or type eq "home") and value pr]`},
		{"urn attribute", `urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value eq "a"`,
			&ValuePath{Attr: AttrPath{URN: schema.UserURN, Name: "emails"}, Filter: &And{workEmail(), cmpNode("value", Eq, "a")}},
			`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work" and value eq "a"]`},
		{"joined by and", `userName eq "x" and emails[type eq "work"].value eq "a\"]b"`,
			&And{cmpNode("userName", Eq, "x"), &ValuePath{Attr: attr("emails"), Filter: &And{workEmail(), cmpNode("value", Eq, "a\"]b")}}},
			`userName eq "x" and emails[type eq "work" and value eq "a\"]b"]`},
		{"two in an or", `emails[type eq "work"].value eq "a" or emails[type eq "home"].value eq "b"`,
			&Or{
				&ValuePath{Attr: attr("emails"), Filter: &And{workEmail(), cmpNode("value", Eq, "a")}},
				&ValuePath{Attr: attr("emails"), Filter: &And{cmpNode("type", Eq, "home"), cmpNode("value", Eq, "b")}},
			},
			`emails[type eq "work" and value eq "a"] or emails[type eq "home" and value eq "b"]`},
		{"in parentheses and not", `not (emails[type eq "work"].value ew ".org")`,
			&Not{&ValuePath{Attr: attr("emails"), Filter: &And{workEmail(), cmpNode("value", Ew, ".org")}}},
			`not (emails[type eq "work" and value ew ".org"])`},
		{"nested inside a value filter", `a[b[c pr].d eq 1]`,
			&ValuePath{Attr: attr("a"), Filter: &ValuePath{Attr: attr("b"), Filter: &And{cmpNode("c", Pr, nil), cmpNode("d", Eq, json.Number("1"))}}},
			`a[b[c pr and d eq 1]]`},
		{"nested twice", `a[b[c pr].d eq 1].e pr`,
			&ValuePath{Attr: attr("a"), Filter: &And{
				&ValuePath{Attr: attr("b"), Filter: &And{cmpNode("c", Pr, nil), cmpNode("d", Eq, json.Number("1"))}},
				cmpNode("e", Pr, nil),
			}},
			`a[b[c pr and d eq 1] and e pr]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := entra.Parse(tc.input)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.input, diff)
			}
			if diff := cmp.Diff(tc.string, got.String()); diff != "" {
				t.Errorf("String mismatch (-want +got):\n%s", diff)
			}
			again, err := Parse(got.String())
			if err != nil {
				t.Fatalf("canonical form %q: %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("canonical form parses to another tree (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSubCompareErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"no operator", `emails[type eq "work"].value`, `filter: 1:29: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "value"`},
		{"unknown operator", `emails[type eq "work"].value xx "a"`, `filter: 1:30: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "value", found "xx"`},
		{"no value", `emails[type eq "work"].value eq`, `filter: 1:32: expected a value after "eq"`},
		{"unterminated string", `emails[type eq "work"].value eq "unterminated`, `filter: 1:33: unterminated string`},
		{"bare word value", `emails[type eq "work"].value eq work`, `filter: 1:33: expected a value after "eq", found "work" (strings are written in double quotes)`},
		{"dot without name", `emails[type eq "work"]. eq "a"`, `filter: 1:25: expected a sub-attribute name after ".", found "eq"`},
		{"dot at the end", `emails[type eq "work"].`, `filter: 1:24: expected a sub-attribute name after "."`},
		{"dotted sub", `emails[type eq "work"].value.x eq "a"`, `filter: 1:24: invalid sub-attribute name "value.x"`},
		{"urn sub", `emails[type eq "work"].urn:x eq "a"`, `filter: 1:24: invalid sub-attribute name "urn:x"`},
		{"sub starting with a digit", `emails[type eq "work"].1x eq "a"`, `filter: 1:24: invalid number "1x"`},
		{"value filter after the sub", `emails[type eq "work"].values[domain ew "@example.org"]`, `filter: 1:30: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "values", found "["`},
		{"two subs", `emails[type eq "work"].value eq "a".x eq "b"`, `filter: 1:36: expected "and", "or" or the end of the filter after "a", found "."`},
		{"value filter on a sub-attribute", `name.x[y pr].z pr`, `filter: 1:1: a value filter applies to an attribute, not to the sub-attribute "name.x"`},
		{"closing brackets only", `]].x eq 1`, `filter: 1:1: expected an attribute path or "(", found "]"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := entra.Parse(tc.input)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, %v; want a *SyntaxError", tc.input, e, err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tc.input, diff)
			}
		})
	}
}

// TestParseSubCompareDepth checks that nesting value filters with a
// sub-attribute comparison after each stays bounded by MaxDepth.
func TestParseSubCompareDepth(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("a[", 1000) + `a pr` + strings.Repeat("].b pr", 1000)
	_, err := entra.Parse(deep)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "nesting too deep") {
		t.Fatalf("Parse(1,000 nested value filters with subs) = %v, want nesting too deep", err)
	}
	ok := strings.Repeat("a[", 64) + `a pr` + strings.Repeat("].b pr", 64)
	if _, err := entra.Parse(ok); err != nil {
		t.Fatalf("64 nested value filters with subs: %v", err)
	}
}

// TestSubCompareMatchesCanonicalForm checks that the extension matches
// the same resources as the canonical value filter it stands for.
func TestSubCompareMatchesCanonicalForm(t *testing.T) {
	t.Parallel()
	res := map[string]any{"emails": []any{
		map[string]any{"type": "home", "value": "a@example.com"},
		map[string]any{"type": "work", "value": "b@example.com"},
	}}
	tests := []struct {
		input string
		want  bool
	}{
		{`emails[type eq "work"].value eq "b@example.com"`, true},
		{`emails[type eq "work"].value eq "a@example.com"`, false}, // the home address: both conditions bind to one value
		{`emails[type eq "home"].value sw "a@"`, true},
		{`emails[type eq "other"].value pr`, false},
	}
	for _, tc := range tests {
		got, err := Match(mustParse(t, tc.input), res, schema.User())
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Match(%q) = %v, want %v", tc.input, got, tc.want)
		}
	}
}

func mustParse(t *testing.T, s string) Expr {
	t.Helper()
	e, err := entra.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
