package filter

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

func attr(name string) AttrPath { return AttrPath{Name: name} }

func cmpNode(name string, op Op, v any) *Compare { return &Compare{Attr: attr(name), Op: op, Value: v} }

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  Expr
	}{
		{"eq", `userName eq "bjensen"`, cmpNode("userName", Eq, "bjensen")},
		{"operators any case", `userName EQ "x"`, cmpNode("userName", Eq, "x")},
		{"pr", `title pr`, cmpNode("title", Pr, nil)},
		{"all operators", `a ne 1`, cmpNode("a", Ne, json.Number("1"))},
		{"number", `loginCount gt -1.5e3`, cmpNode("loginCount", Gt, json.Number("-1.5e3"))},
		{"true", `active eq true`, cmpNode("active", Eq, true)},
		{"false", `active eq false`, cmpNode("active", Eq, false)},
		{"null", `nickName eq null`, cmpNode("nickName", Eq, nil)},
		{"escapes", `v eq "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"`, cmpNode("v", Eq, "\"\\/\b\f\n\r\té😀")},
		{"sub-attribute", `name.familyName co "O'Malley"`, &Compare{Attr: AttrPath{Name: "name", Sub: "familyName"}, Op: Co, Value: "O'Malley"}},
		{"urn", `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
			&Compare{Attr: AttrPath{URN: schema.UserURN, Name: "userName"}, Op: Sw, Value: "J"}},
		{"urn with sub", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"`,
			&Compare{Attr: AttrPath{URN: schema.EnterpriseUserURN, Name: "manager", Sub: "value"}, Op: Eq, Value: "x"}},
		{"deep path", `a.b.c pr`, &Compare{Attr: AttrPath{Name: "a", Sub: "b.c"}, Op: Pr}},
		{"ref", `members.$ref pr`, &Compare{Attr: AttrPath{Name: "members", Sub: "$ref"}, Op: Pr}},
		{"and binds tighter than or", `a pr or b pr and c pr`,
			&Or{cmpNode("a", Pr, nil), &And{cmpNode("b", Pr, nil), cmpNode("c", Pr, nil)}}},
		{"left associative", `a pr or b pr or c pr`,
			&Or{&Or{cmpNode("a", Pr, nil), cmpNode("b", Pr, nil)}, cmpNode("c", Pr, nil)}},
		{"parentheses", `(a pr or b pr) and c pr`,
			&And{&Or{cmpNode("a", Pr, nil), cmpNode("b", Pr, nil)}, cmpNode("c", Pr, nil)}},
		{"not", `not (a pr) and b pr`, &And{&Not{cmpNode("a", Pr, nil)}, cmpNode("b", Pr, nil)}},
		{"not without space", `NOT(a pr)`, &Not{cmpNode("a", Pr, nil)}},
		{"keywords any case", `a pr AND b pr Or c pr`,
			&Or{&And{cmpNode("a", Pr, nil), cmpNode("b", Pr, nil)}, cmpNode("c", Pr, nil)}},
		{"value path", `emails[type eq "work" and value co "@example.com"]`,
			&ValuePath{Attr: attr("emails"), Filter: &And{cmpNode("type", Eq, "work"), cmpNode("value", Co, "@example.com")}}},
		{"value path with spaces", `emails[ type eq "work" ]`, &ValuePath{Attr: attr("emails"), Filter: cmpNode("type", Eq, "work")}},
		{"value path or", `emails[type eq "work"] or ims pr`,
			&Or{&ValuePath{Attr: attr("emails"), Filter: cmpNode("type", Eq, "work")}, cmpNode("ims", Pr, nil)}},
		{"surrounding spaces", "  userName eq \"x\"\t", cmpNode("userName", Eq, "x")},
		{"redundant parentheses", `((((a pr))))`, cmpNode("a", Pr, nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tc.input)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.input, diff)
			}
		})
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"canonical spacing and case", `userName   EQ "bjensen"`, `userName eq "bjensen"`},
		{"redundant parentheses dropped", `((a pr)) and ((b pr))`, `a pr and b pr`},
		{"needed parentheses kept", `(a pr or b pr) and c pr`, `(a pr or b pr) and c pr`},
		{"right-nested or", `a pr or (b pr or c pr)`, `a pr or (b pr or c pr)`},
		{"left-nested or", `(a pr or b pr) or c pr`, `a pr or b pr or c pr`},
		{"right-nested and", `a pr and (b pr and c pr)`, `a pr and (b pr and c pr)`},
		{"and in or", `a pr or b pr and c pr`, `a pr or b pr and c pr`},
		{"not", `NOT(a pr)`, `not (a pr)`},
		{"value path", `emails[ type eq "work" ]`, `emails[type eq "work"]`},
		{"escapes", `v eq "\u0041\/\u00e9\u0001\"\\"`, `v eq "A/é\u0001\"\\"`},
		{"control characters", `v eq "\n\r\t\b\f"`, `v eq "\n\r\t\u0008\u000c"`},
		{"numbers kept as written", `n eq 1.50E+2`, `n eq 1.50E+2`},
		{"literals", `a eq true or b eq false or c eq null`, `a eq true or b eq false or c eq null`},
		{"urn", `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr`, `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse(tc.input)
			if err != nil {
				t.Fatal(err)
			}
			got := e.String()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("String mismatch (-want +got):\n%s", diff)
			}
			again, err := Parse(got)
			if err != nil {
				t.Fatalf("Parse(%q): %v", got, err)
			}
			if diff := cmp.Diff(e, again); diff != "" {
				t.Errorf("re-parsed tree mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStringOfBuiltTrees(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    Expr
		want string
	}{
		{"and of ors", &And{&Or{cmpNode("a", Pr, nil), cmpNode("b", Pr, nil)}, &Or{cmpNode("c", Pr, nil), cmpNode("d", Pr, nil)}},
			`(a pr or b pr) and (c pr or d pr)`},
		{"go values", &Or{cmpNode("a", Eq, 1.5), cmpNode("b", Eq, 2)}, `a eq 1.5 or b eq 2`},
		{"nil child", &Not{}, `not (<nil>)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.e.String()); diff != "" {
				t.Errorf("String mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"empty", ``, `filter: 1:1: expected an attribute path or "("`},
		{"missing value", `userName eq`, `filter: 1:12: expected a value after "eq"`},
		{"missing value in and", `title pr and userName eq`, `filter: 1:25: expected a value after "eq"`},
		{"bare word value", `userName eq bjensen`, `filter: 1:13: expected a value after "eq", found "bjensen" (strings are written in double quotes)`},
		{"upper-case literal", `userName eq True`, `filter: 1:13: expected a value after "eq", found "True" (JSON literals are lower-case)`},
		{"missing operator", `userName`, `filter: 1:9: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) or "[" after "userName"`},
		{"unknown operator", `userName xx "b"`, `filter: 1:10: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) or "[" after "userName", found "xx"`},
		{"unclosed parenthesis", `(a pr`, `filter: 1:6: expected ")" to close the "(" at column 1`},
		{"unopened parenthesis", `a pr)`, `filter: 1:5: unexpected ")" without a matching "("`},
		{"unclosed bracket", `emails[type eq "work"`, `filter: 1:22: expected "]" to close the "[" at column 7`},
		{"extra bracket", `emails[type eq "work"]]`, `filter: 1:23: unexpected "]" without a matching "["`},
		{"sub after value filter", `emails[type eq "work"].value co "x"`, `filter: 1:23: unexpected "." after "]": a sub-attribute after a value filter is only allowed in a PATCH path`},
		{"two value filters", `emails[type eq "work"][value eq "x"]`, `filter: 1:23: unexpected "[" after "]": a value filter cannot be followed by another`},
		{"value filter compared", `emails[type eq "work"] eq "x"`, `filter: 1:24: expected "and", "or" or the end of the filter after "]", found "eq"`},
		{"leading and", `and userName eq "x"`, `filter: 1:1: expected an attribute path, found "and"`},
		{"not without parentheses", `not userName eq "x"`, `filter: 1:5: expected "(" after "not", found "userName"`},
		{"two expressions", `a pr b pr`, `filter: 1:6: expected "and", "or" or the end of the filter after "pr", found "b"`},
		{"empty parentheses", `()`, `filter: 1:2: expected an attribute path or "(" after "(", found ")"`},
		{"empty not", `a pr and not ()`, `filter: 1:15: expected an attribute path or "(" after "(", found ")"`},
		{"number as attribute", `1 eq 1`, `filter: 1:1: expected an attribute path or "(", found "1"`},
		{"space in name", `user name eq "x"`, `filter: 1:6: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) or "[" after "user", found "name"`},
		{"trailing dot", `userName. eq "x"`, `filter: 1:10: expected a sub-attribute name after "."`},
		{"empty urn attribute", `urn:x: pr`, `filter: 1:7: expected an attribute name after the schema URN "urn:x"`},
		{"name starting with digit", `a.1b pr`, `filter: 1:3: invalid attribute name "1b": it must start with a letter`},
		{"value filter on sub-attribute", `name.x[y pr]`, `filter: 1:1: a value filter applies to an attribute, not to the sub-attribute "name.x"`},
		{"unpaired surrogate", `v eq "\ud800"`, `filter: 1:7: invalid escape: \ud800 is an unpaired surrogate`},
		{"second line", "a pr and\n  b", `filter: 2:4: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) or "[" after "b"`},
		{"column in characters", `"日本" eq 1`, `filter: 1:1: expected an attribute path or "(", found "日本"`},
		{"unclosed after non-ASCII", `v eq "日本" and (a pr`, `filter: 1:20: expected ")" to close the "(" at column 15`},
		{"long string shortened", `a eq "` + strings.Repeat("é", 30) + `" x`, `filter: 1:39: expected "and", "or" or the end of the filter after "` + strings.Repeat("é", 17) + `...", found "x"`},
		{"long word shortened", strings.Repeat("a", 50) + ` xx`, `filter: 1:52: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) or "[" after "` + strings.Repeat("a", 37) + `...", found "xx"`},
		{"column after non-ASCII", `v eq "日本" x`, `filter: 1:11: expected "and", "or" or the end of the filter after "日本", found "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse(tc.input)
			if e != nil {
				t.Errorf("Parse(%q) = %v, want nil", tc.input, e)
			}
			checkError[*SyntaxError](t, err, tc.want)
		})
	}
}

func TestParsePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  Path
		str   string
	}{
		{"attribute", `userName`, Path{Attr: attr("userName")}, `userName`},
		{"sub-attribute", `name.givenName`, Path{Attr: AttrPath{Name: "name", Sub: "givenName"}}, `name.givenName`},
		{"urn", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`,
			Path{Attr: AttrPath{URN: schema.EnterpriseUserURN, Name: "manager", Sub: "value"}}, ``},
		{"whole extension", schema.EnterpriseUserURN,
			Path{Attr: AttrPath{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", Name: "User"}}, ``},
		{"value filter", `members[value eq "2819c223"]`,
			Path{Attr: attr("members"), Filter: cmpNode("value", Eq, "2819c223")}, ``},
		{"value filter and sub", `emails[type eq "work"].value`,
			Path{Attr: AttrPath{Name: "emails", Sub: "value"}, Filter: cmpNode("type", Eq, "work")}, ``},
		{"complex value filter", `addresses[type eq "work" and not (primary eq false)].streetAddress`,
			Path{Attr: AttrPath{Name: "addresses", Sub: "streetAddress"},
				Filter: &And{cmpNode("type", Eq, "work"), &Not{cmpNode("primary", Eq, false)}}}, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePath(tc.input)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParsePath(%q) mismatch (-want +got):\n%s", tc.input, diff)
			}
			str := tc.str
			if str == "" {
				str = tc.input
			}
			if diff := cmp.Diff(str, got.String()); diff != "" {
				t.Errorf("String mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"empty", ``, `filter: 1:1: expected an attribute path`},
		{"filter", `userName eq "x"`, `filter: 1:10: expected "[", "." or the end of the path after "userName", found "eq"`},
		{"sub without dot", `emails[type eq "work"]value`, `filter: 1:23: expected "[", "." or the end of the path after "]", found "value"`},
		{"dot without sub", `emails[type eq "work"].`, `filter: 1:24: expected a sub-attribute name after "."`},
		{"two subs", `emails[type eq "work"].value.x`, `filter: 1:24: invalid sub-attribute name "value.x"`},
		{"unclosed", `emails[type eq "work"`, `filter: 1:22: expected "]" to close the "[" at column 7`},
		{"extra bracket", `emails[type eq "work"]]`, `filter: 1:23: unexpected "]" without a matching "["`},
		{"bad filter", `emails[type eq]`, `filter: 1:15: expected a value after "eq", found "]"`},
		{"string", `"emails"`, `filter: 1:1: expected an attribute path, found "emails"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePath(tc.input)
			if diff := cmp.Diff(Path{}, p); diff != "" {
				t.Errorf("ParsePath(%q) returned a path on error (-want +got):\n%s", tc.input, diff)
			}
			checkError[*SyntaxError](t, err, tc.want)
		})
	}
}

// orChain returns n clauses joined by "or", about 24 bytes each.
func orChain(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString(`userName eq "x"`)
	}
	return b.String()
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	megabyte := orChain(1 << 20 / 19)
	tests := []struct {
		name   string
		parser Parser
		input  string
		want   string // error; "" for success
	}{
		{"1 MB filter, default limit", Parser{}, megabyte, `filter: 1:1: filter longer than 65536 bytes`},
		{"1 MB filter, raised limit", Parser{MaxLength: 2 << 20}, megabyte, ``},
		{"1 MB of parentheses", Parser{MaxLength: 2 << 20}, strings.Repeat("(", 1<<20), `filter: 1:65: nesting too deep (the limit is 64)`},
		{"10,000 nested parentheses", Parser{}, strings.Repeat("(", 10000) + `a pr` + strings.Repeat(")", 10000), `filter: 1:65: nesting too deep (the limit is 64)`},
		{"10,000 nested nots", Parser{}, strings.Repeat("not (", 10000) + `a pr` + strings.Repeat(")", 10000), `filter: 1:325: nesting too deep (the limit is 64)`},
		{"10,000 nested value filters", Parser{}, strings.Repeat("a[", 10000) + `a pr` + strings.Repeat("]", 10000), `filter: 1:130: nesting too deep (the limit is 64)`},
		{"depth at the limit", Parser{}, strings.Repeat("(", 64) + `a pr` + strings.Repeat(")", 64), ``},
		{"custom depth beyond the hard limit", Parser{MaxLength: 8 << 20, MaxDepth: 1 << 30}, strings.Repeat("(", 4<<20), `filter: 1:10001: nesting too deep (the limit is 10000)`},
		{"custom depth at the hard limit", Parser{MaxLength: 1 << 20, MaxDepth: 1 << 30}, strings.Repeat("(", MaxDepthLimit) + `a pr` + strings.Repeat(")", MaxDepthLimit), ``},
		{"custom depth", Parser{MaxDepth: 2}, `((a pr))`, ``},
		{"custom depth exceeded", Parser{MaxDepth: 2}, `(((a pr)))`, `filter: 1:3: nesting too deep (the limit is 2)`},
		{"custom length", Parser{MaxLength: 4}, `a pr`, ``},
		{"custom length exceeded", Parser{MaxLength: 4}, `ab pr`, `filter: 1:1: filter longer than 4 bytes`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.parser.Parse(tc.input)
			got := ""
			if err != nil {
				got = err.Error()
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error %T, want *SyntaxError", err)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseHostileInput feeds random bytes and random token soups to Parse
// and ParsePath: each must give a tree that prints back to itself or a
// *SyntaxError, never a panic.
func TestParseHostileInput(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"(", ")", "[", "]", " ", "not", "and", "or", "eq", "pr", "a", "b.c", `"x"`, `"\u00e9"`, "1", "-2.5e3", "true", "null", ".", ":", "\xff", "\x00", "日"}
	for i := 0; i < 20000; i++ {
		var s string
		if i%2 == 0 {
			b := make([]byte, rng.IntN(40))
			for j := range b {
				b[j] = byte(rng.UintN(256))
			}
			s = string(b)
		} else {
			var sb strings.Builder
			for range rng.IntN(20) {
				sb.WriteString(pieces[rng.IntN(len(pieces))])
			}
			s = sb.String()
		}
		checkRoundTrip(t, s)
		checkPathRoundTrip(t, s)
	}
}

// checkRoundTrip checks that s parses to a tree whose String parses back to
// an equal tree, or gives a *SyntaxError.
func checkRoundTrip(t *testing.T, s string) {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
		}
		if e != nil {
			t.Fatalf("Parse(%q) returned a tree and an error", s)
		}
		return
	}
	printed := e.String()
	again, err := Parse(printed)
	if err != nil {
		t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, printed, err)
	}
	if diff := cmp.Diff(e, again); diff != "" {
		t.Fatalf("Parse(%q).String() = %q parses to another tree (-want +got):\n%s", s, printed, diff)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`userName eq "bjensen"`,
		`emails[type eq "work" and value co "@example.com"] or userType eq "Employee"`,
		`title pr and (userType eq "Employee" or userType eq "Intern") and not (emails.value ew ".org")`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"`,
		`v eq "\u00e9\ud83d\ude00\n" or n ge -1.5e-3 or b eq true or c ne null`,
		`emails[type eq "work"].value eq "a@example.com"`,
		`emails[type eq "work" or type eq "home"].value pr and not (a[b[c pr].d eq 1].e pr)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkRoundTrip(t, s)
		checkPathRoundTrip(t, s)
	})
}

// checkPathRoundTrip checks that s parses as a path whose String parses
// back to an equal path, or gives a *SyntaxError.
func checkPathRoundTrip(t *testing.T, s string) {
	t.Helper()
	p, err := ParsePath(s)
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("ParsePath(%q) error %T, want *SyntaxError", s, err)
		}
		return
	}
	again, err := ParsePath(p.String())
	if err != nil {
		t.Fatalf("ParsePath(%q).String() = %q, which does not parse: %v", s, p.String(), err)
	}
	if diff := cmp.Diff(p, again); diff != "" {
		t.Fatalf("ParsePath(%q).String() = %q parses to another path (-want +got):\n%s", s, p.String(), diff)
	}
}

// TestDeepestTree takes a filter nested as deep as any Parser allows through
// every function that recurses over the tree: none may overflow the stack.
func TestDeepestTree(t *testing.T) {
	t.Parallel()
	p := Parser{MaxLength: 1 << 20, MaxDepth: MaxDepthLimit}
	for _, s := range []string{
		strings.Repeat("not (", MaxDepthLimit) + `userName pr` + strings.Repeat(")", MaxDepthLimit),
		strings.Repeat("emails[", MaxDepthLimit) + `value pr` + strings.Repeat("]", MaxDepthLimit),
	} {
		e, err := p.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := p.Parse(e.String())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(e, again); diff != "" {
			t.Fatalf("String does not parse back to the same tree (-want +got):\n%s", diff)
		}
		nodes := 0
		Walk(e, func(Expr) bool { nodes++; return true })
		if nodes < MaxDepthLimit {
			t.Errorf("Walk visited %d nodes, want at least %d", nodes, MaxDepthLimit)
		}
		f, err := Compile(e, schema.User())
		if err != nil {
			t.Fatal(err)
		}
		f.Match(map[string]any{"userName": "x", "emails": []any{map[string]any{"value": "x"}}})
	}
}
