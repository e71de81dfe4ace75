package filter

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// decode decodes a JSON object as the scim package does (UseNumber) or as
// plain encoding/json does (float64).
func decode(t testing.TB, s string, useNumber bool) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	if useNumber {
		dec.UseNumber()
	}
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		filter   string
		resource string
		rt       *schema.ResourceType
		want     bool
	}{
		// strings and caseExact
		{"case-insensitive eq", `userName eq "BJensen"`, `{"userName":"bjensen"}`, schema.User(), true},
		{"caseExact id", `id eq "ABC"`, `{"id":"abc"}`, schema.User(), false},
		{"caseExact externalId", `externalId eq "abc"`, `{"externalId":"abc"}`, schema.User(), true},
		{"attribute names in the resource any case", `userName eq "x"`, `{"USERNAME":"x"}`, schema.User(), true},
		{"non-ASCII fold", `name.familyName sw "MÜ"`, `{"name":{"familyName":"Müller"}}`, schema.User(), true},
		{"ew fold", `userName ew "SEN"`, `{"userName":"bjensen"}`, schema.User(), true},
		{"co fold", `displayName co "JENS"`, `{"displayName":"Babs Jensen"}`, schema.User(), true},
		{"caseExact co", `externalId co "JENS"`, `{"externalId":"bjensen"}`, schema.User(), false},
		{"string ordering folds case", `userName gt "B"`, `{"userName":"c"}`, schema.User(), true},
		{"string ordering folds case, equal", `userName ge "ABC"`, `{"userName":"abc"}`, schema.User(), true},
		{"caseExact ordering", `id lt "a"`, `{"id":"B"}`, schema.User(), true},
		{"wrong JSON type does not match", `userName eq "5"`, `{"userName":5}`, schema.User(), false},
		// multi-valued and complex
		{"any value of multi-valued", `emails.value ew ".org"`, `{"emails":[{"value":"a@x.com"},{"value":"b@y.org"}]}`, schema.User(), true},
		{"complex compares value", `emails co "y.org"`, `{"emails":[{"value":"a@x.com"},{"value":"b@y.org"}]}`, schema.User(), true},
		{"single complex with value", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "m1"`,
			`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}}}`, schema.User(), true},
		{"value filter binds one element", `emails[type eq "work" and value co "y.org"]`,
			`{"emails":[{"value":"a@x.com","type":"work"},{"value":"b@y.org","type":"home"}]}`, schema.User(), false},
		{"value filter on one element", `emails[type eq "home" and value co "y.org"]`,
			`{"emails":[{"value":"a@x.com","type":"work"},{"value":"b@y.org","type":"home"}]}`, schema.User(), true},
		{"value filter on single complex", `name[givenName eq "Barbara"]`, `{"name":{"givenName":"Barbara"}}`, schema.User(), true},
		{"scalar elements stand for value", `roles[value eq "admin"]`, `{"roles":["user","admin"]}`, schema.User(), true},
		{"scalar elements with eq", `roles eq "ADMIN"`, `{"roles":["user","admin"]}`, schema.User(), true},
		{"ne means not eq on multi-valued", `emails.type ne "work"`, `{"emails":[{"type":"work"},{"type":"home"}]}`, schema.User(), false},
		{"ne on absent", `title ne "x"`, `{}`, schema.User(), true},
		// pr and null
		{"pr string", `title pr`, `{"title":"x"}`, schema.User(), true},
		{"pr empty string", `title pr`, `{"title":""}`, schema.User(), false},
		{"pr null", `title pr`, `{"title":null}`, schema.User(), false},
		{"pr empty array", `emails pr`, `{"emails":[]}`, schema.User(), false},
		{"pr array of empties", `emails pr`, `{"emails":[{},null]}`, schema.User(), false},
		{"pr empty object", `name pr`, `{"name":{}}`, schema.User(), false},
		{"pr false", `active pr`, `{"active":false}`, schema.User(), true},
		{"pr zero", `loginCount pr`, `{"loginCount":0}`, schema.User(), true},
		{"eq null absent", `nickName eq null`, `{}`, schema.User(), true},
		{"eq null present", `nickName eq null`, `{"nickName":"x"}`, schema.User(), false},
		{"ne null present", `nickName ne null`, `{"nickName":"x"}`, schema.User(), true},
		// dateTime
		{"dateTime as instants", `meta.lastModified lt "2013-02-03T09:00:00Z"`, `{"meta":{"lastModified":"2013-02-03T10:00:00+02:00"}}`, schema.User(), true},
		{"dateTime eq other form", `meta.created eq "2011-05-13T04:42:34Z"`, `{"meta":{"created":"2011-05-13T04:42:34.000Z"}}`, schema.User(), true},
		{"dateTime fraction", `meta.created gt "2011-05-13T04:42:34Z"`, `{"meta":{"created":"2011-05-13T04:42:34.001Z"}}`, schema.User(), true},
		{"dateTime negative offset", `meta.created eq "2011-05-13T10:00:00Z"`, `{"meta":{"created":"2011-05-13T05:00:00-05:00"}}`, schema.User(), true},
		{"dateTime sw as string", `meta.created sw "2011-05"`, `{"meta":{"created":"2011-05-13T04:42:34Z"}}`, schema.User(), true},
		{"invalid dateTime in resource", `meta.created gt "2011-05-13T04:42:34Z"`, `{"meta":{"created":"yesterday"}}`, schema.User(), false},
		{"dateTime Feb 30 in resource", `meta.created gt "2011-05-13T04:42:34Z"`, `{"meta":{"created":"2012-02-30T00:00:00Z"}}`, schema.User(), false},
		// numbers and booleans
		{"number gt", `loginCount gt 5`, `{"loginCount":10}`, nil, true},
		{"number le fraction", `score le 3.5`, `{"score":3.5}`, nil, true},
		{"number exponent", `score eq 1e3`, `{"score":1000}`, nil, true},
		{"large integers compare exactly", `n eq 9007199254740993`, `{"n":9007199254740993}`, nil, true},
		{"integer against fraction", `n lt 2`, `{"n":1.5}`, nil, true},
		{"fraction against integer", `n gt 1.5`, `{"n":2}`, nil, true},
		{"number vs string", `loginCount eq "10"`, `{"loginCount":10}`, schema.User(), false},
		{"boolean", `active eq false`, `{"active":false}`, schema.User(), true},
		{"boolean ne", `active ne true`, `{"active":false}`, schema.User(), true},
		{"boolean vs string", `active eq true`, `{"active":"true"}`, schema.User(), false},
		// extensions and URNs
		{"extension without URN", `employeeNumber eq "42"`, `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42"}}`, schema.User(), true},
		{"extension key any case", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:department eq "x"`,
			`{"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER":{"department":"x"}}`, schema.User(), true},
		{"core URN", `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, `{"userName":"x"}`, schema.User(), true},
		{"unknown URN", `urn:example:custom:level eq 3`, `{"urn:example:custom":{"level":3}}`, schema.User(), true},
		// attributes no schema defines
		{"custom attribute", `loginCount ge 10`, `{"loginCount":10}`, schema.User(), true},
		{"custom nested", `a.b.c eq "DEEP"`, `{"a":{"b":{"c":"deep"}}}`, schema.User(), true},
		{"custom array of scalars", `tags eq 2`, `{"tags":[1,2,3]}`, schema.User(), true},
		{"custom bool", `flag eq true`, `{"flag":true}`, nil, true},
		{"custom object compares value", `x eq "v"`, `{"x":{"value":"v"}}`, nil, true},
		{"unknown sub of known attribute", `name.nick eq "b"`, `{"name":{"nick":"B"}}`, schema.User(), true},
		// Group
		{"group members", `members[value eq "u1" and display sw "babs"]`, `{"members":[{"value":"u1","display":"Babs"}]}`, schema.Group(), true},
		{"group displayName", `displayName eq "TOUR GUIDES"`, `{"displayName":"Tour Guides"}`, schema.Group(), true},
		// logic
		{"and", `title pr and userName eq "x"`, `{"title":"t","userName":"x"}`, schema.User(), true},
		{"or", `title pr or userName eq "x"`, `{"userName":"x"}`, schema.User(), true},
		{"not", `not (title pr)`, `{"userName":"x"}`, schema.User(), true},
	}
	for _, tc := range tests {
		for _, useNumber := range []bool{false, true} {
			name := tc.name
			if useNumber {
				name += "/json.Number"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e, err := Parse(tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Match(e, decode(t, tc.resource, useNumber), tc.rt)
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("%s on %s = %v, want %v", tc.filter, tc.resource, got, tc.want)
				}
			})
		}
	}
}

// TestMatchLargeIntegers checks that integers beyond float64's precision
// compare exactly when the resource keeps them as json.Number.
func TestMatchLargeIntegers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		filter string
		want   bool
	}{
		{`n eq 9007199254740993`, false},
		{`n lt 9007199254740993`, true},
		{`n gt 9007199254740991`, true},
		{`n ge 9007199254740992`, true},
		{`n lt 9007199254740992.5`, false}, // a fraction compares as float64
	}
	res := decode(t, `{"n":9007199254740992}`, true)
	for _, tc := range tests {
		e, err := Parse(tc.filter)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Match(e, res, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s = %v, want %v", tc.filter, got, tc.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		filter string
		rt     *schema.ResourceType
		opts   []CompileOption
		want   string
	}{
		{"gt on boolean", `active gt true`, schema.User(), nil, `filter: active: "gt" does not apply to a boolean attribute`},
		{"co on boolean", `emails.primary co true`, schema.User(), nil, `filter: emails.primary: "co" does not apply to a boolean attribute`},
		{"lt on binary", `x509Certificates.value lt "AAAA"`, schema.User(), nil, `filter: x509Certificates.value: "lt" does not apply to a binary attribute`},
		{"co on number", `n co 1`, nil, nil, `filter: n: "co" does not apply to a number value`},
		{"gt on a boolean value", `flag gt false`, nil, nil, `filter: flag: "gt" does not apply to a boolean value`},
		{"string attribute with number", `userName eq 5`, schema.User(), nil, `filter: userName: this string attribute takes a string, not 5`},
		{"boolean attribute with string", `active eq "true"`, schema.User(), nil, `filter: active: this boolean attribute takes true or false, not "true"`},
		{"dateTime with number", `meta.created gt 5`, schema.User(), nil, `filter: meta.created: this dateTime attribute takes a dateTime string, not 5`},
		{"integer attribute with string", `loginCount eq "10"`, &schema.ResourceType{Schema: &schema.Schema{Attributes: []*schema.Attribute{{Name: "loginCount", Type: schema.TypeInteger}}}}, nil, `filter: loginCount: this integer attribute takes a number, not "10"`},
		{"invalid dateTime", `meta.created gt "yesterday"`, schema.User(), nil, `filter: meta.created: "yesterday" is not a dateTime (RFC 7643 §2.3.5)`},
		{"null with gt", `title gt null`, schema.User(), nil, `filter: title: null can only be compared with "eq" or "ne"`},
		{"complex without value", `name eq "x"`, schema.User(), nil, `filter: name: a complex attribute without a "value" sub-attribute cannot be compared; name a sub-attribute`},
		{"value filter on simple attribute", `userName[value eq "x"]`, schema.User(), nil, `filter: userName: a value filter needs a multi-valued or complex attribute`},
		{"urn in value filter", `emails[urn:x:type eq "work"]`, schema.User(), nil, `filter: emails.urn:x:type: an attribute in a value filter cannot name a schema URN`},
		{"strict unknown attribute", `loginCount gt 5`, schema.User(), []CompileOption{Strict()}, `filter: loginCount: unknown attribute`},
		{"strict unknown sub-attribute", `name.nick pr`, schema.User(), []CompileOption{Strict()}, `filter: name.nick: unknown attribute`},
		{"strict unknown in value filter", `emails[kind eq "x"]`, schema.User(), []CompileOption{Strict()}, `filter: emails.kind: unknown attribute`},
		{"strict unknown in nested value filters", `a[b[c[d pr]]]`, nil, []CompileOption{Strict()}, `filter: a: unknown attribute`},
		{"wrong type in nested value filters", `x[y[active gt true]]`, nil, nil, `filter: x.y.active: "gt" does not apply to a boolean value`},
		{"strict unknown schema", `urn:example:custom:level eq 3`, schema.User(), []CompileOption{Strict()}, `filter: urn:example:custom:level: unknown attribute`},
		{"strict wrong schema", `urn:ietf:params:scim:schemas:core:2.0:Group:userName pr`, schema.User(), []CompileOption{Strict()}, `filter: urn:ietf:params:scim:schemas:core:2.0:Group:userName: unknown attribute`},
		{"strict enterprise attribute in Group", `employeeNumber pr`, schema.Group(), []CompileOption{Strict()}, `filter: employeeNumber: unknown attribute`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse(tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Compile(e, tc.rt, tc.opts...)
			if f != nil {
				t.Errorf("Compile returned a filter and an error")
			}
			checkError[*SchemaError](t, err, tc.want)
		})
	}
}

func TestCompileBuiltTrees(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    Expr
		want string
	}{
		{"nil", nil, `filter: missing expression`},
		{"nil child", &And{Left: cmpNode("a", Pr, nil)}, `filter: missing expression`},
		{"nil pointer", (*Compare)(nil), `filter: missing expression`},
		{"bad operator", &Compare{Attr: attr("a"), Op: 0}, `filter: a: invalid operator Op(0)`},
		{"empty name", &Compare{Attr: AttrPath{}, Op: Pr}, `filter: missing attribute name`},
		{"bad value type", cmpNode("a", Eq, []int{1}), `filter: a: invalid value [1] ([]int)`},
		{"bad number", cmpNode("a", Eq, json.Number("x")), `filter: a: invalid value x (json.Number)`},
		{"value path with sub", &ValuePath{Attr: AttrPath{Name: "emails", Sub: "value"}, Filter: cmpNode("type", Pr, nil)}, `filter: emails.value: a value filter applies to an attribute, not to a sub-attribute`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(tc.e, schema.User())
			checkError[*SchemaError](t, err, tc.want)
		})
	}
}

// TestMatchOddData checks that data of every odd shape simply does not
// match, without panicking.
func TestMatchOddData(t *testing.T) {
	t.Parallel()
	filters := []string{
		`userName eq "x"`, `userName gt "x"`, `emails co "x"`, `emails.value sw "x"`, `emails[type eq "work"]`,
		`name.givenName pr`, `meta.created gt "2011-01-01T00:00:00Z"`, `loginCount gt 1`, `active eq true`,
		`a.b.c eq 1`, `roles[value eq "x" and type pr]`, `not (userName pr)`, `x eq null`,
	}
	values := []any{
		nil, "", "x", 1.0, json.Number("1"), json.Number("bad"), json.Number("1e999"), true, []any{}, []any{nil},
		[]any{"x", 1.0, []any{"x"}, map[string]any{}}, map[string]any{}, map[string]any{"value": map[string]any{"value": "x"}},
		map[string]any{"b": []any{map[string]any{"c": nil}}}, []int{1}, struct{}{}, 3, int64(4), float32(5),
	}
	keys := []string{"userName", "emails", "name", "meta", "loginCount", "active", "a", "roles", "x"}
	for _, fs := range filters {
		e, err := Parse(fs)
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range []*schema.ResourceType{schema.User(), schema.Group(), nil} {
			f, err := Compile(e, rt)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range values {
				res := map[string]any{}
				for _, k := range keys {
					res[k] = v
				}
				f.Match(res) // must not panic
			}
			if f.Match(nil) {
				t.Errorf("%s matched a nil resource", fs)
			}
		}
	}
	var nilFilter *Filter
	if nilFilter.Match(map[string]any{}) {
		t.Error("a nil *Filter matched")
	}
}

// TestMatchMissDoesNotAllocate pins the promise of Filter.Match: no
// allocation when the resource does not match.
func TestMatchMissDoesNotAllocate(t *testing.T) {
	miss := benchUser()
	miss["userName"] = "jsmith"
	miss["userType"] = "Contractor"
	miss["emails"] = []any{map[string]any{"value": "jsmith@example.org", "type": "home"}}
	filters := append([]string{
		`meta.lastModified gt "2013-02-03T09:00:00+02:00"`,
		`userName eq "bjensen" and loginCount gt 5`,
		`emails co "example.com"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`,
		`absent eq "x"`,
	}, func() []string {
		var fs []string
		for _, bf := range benchFilters {
			fs = append(fs, bf.filter)
		}
		return fs
	}()...)
	for _, fs := range filters {
		f := compileUser(t, fs)
		if f.Match(miss) {
			t.Fatalf("%s matches the miss resource", fs)
		}
		if n := testing.AllocsPerRun(100, func() { f.Match(miss) }); n != 0 {
			t.Errorf("%s: %v allocations per miss, want 0", fs, n)
		}
	}
}

// TestMatchMissOnOddNumbersDoesNotAllocate extends the promise of
// Filter.Match to numbers strconv refuses: a json.Number that is a
// fraction, an exponent, beyond int64 or float64, or not a number at all
// must not make a miss allocate.
func TestMatchMissOnOddNumbersDoesNotAllocate(t *testing.T) {
	filters := []string{`loginCount eq 1`, `loginCount gt 5000`, `loginCount lt -1.5`, `loginCount ge 1e300`}
	values := []json.Number{
		"1000.5", "1e3", "-0", "12345678901234567891", "-99999999999999999999",
		"1e999", "-1e999", "1.8e309", "1e-999", "123456789012345678901234567890e300", "bad", "", "-", "1e", "0.5e99999999999999999999",
	}
	for _, fs := range filters {
		f := compileUser(t, fs)
		for _, v := range values {
			miss := map[string]any{"loginCount": v}
			if f.Match(miss) {
				continue
			}
			if n := testing.AllocsPerRun(100, func() { f.Match(miss) }); n != 0 {
				t.Errorf("%s on %q: %v allocations per miss, want 0", fs, v, n)
			}
		}
	}
}

// compileUser parses fs and compiles it for the User resource type.
func compileUser(t testing.TB, fs string) *Filter {
	t.Helper()
	e, err := Parse(fs)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Compile(e, schema.User())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestWalk(t *testing.T) {
	t.Parallel()
	e, err := Parse(`a pr and not (b eq 1 or emails[type eq "work"])`)
	if err != nil {
		t.Fatal(err)
	}
	var visited []string
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *Compare:
			visited = append(visited, "compare "+x.Attr.String())
		case *And:
			visited = append(visited, "and")
		case *Or:
			visited = append(visited, "or")
		case *Not:
			visited = append(visited, "not")
		case *ValuePath:
			visited = append(visited, "valuePath "+x.Attr.String())
		}
		return true
	})
	want := []string{"and", "compare a", "not", "or", "compare b", "valuePath emails", "compare type"}
	if diff := cmp.Diff(want, visited); diff != "" {
		t.Errorf("Walk order mismatch (-want +got):\n%s", diff)
	}

	visited = nil
	Walk(e, func(x Expr) bool {
		_, isNot := x.(*Not)
		visited = append(visited, strings.Fields(x.String())[0])
		return !isNot
	})
	if diff := cmp.Diff([]string{"a", "a", "not"}, visited); diff != "" {
		t.Errorf("Walk did not prune (-want +got):\n%s", diff)
	}
	Walk(nil, func(Expr) bool { t.Error("visited nil"); return true })
}

// FuzzMatch checks that no filter and no JSON resource make Compile or
// Match panic, with numbers decoded either way.
func FuzzMatch(f *testing.F) {
	f.Add(`emails[type eq "work" and value co "@example.com"] or userType eq "Employee"`,
		`{"emails":[{"value":"a@example.com","type":"work"}],"userType":"Employee"}`)
	f.Add(`meta.lastModified gt "2011-05-13T04:42:34Z"`, `{"meta":{"lastModified":"2013-02-03T10:00:00+02:00"}}`)
	f.Add(`roles eq "admin" and not (loginCount lt 5)`, `{"roles":["admin",null,[1]],"loginCount":1e400}`)
	f.Add(`a.b.c pr`, `{"a":[{"b":{"c":[]}},{"b":[{"c":"x"}]}]}`)
	f.Fuzz(func(t *testing.T, fs, resource string) {
		e, err := Parse(fs)
		if err != nil {
			return
		}
		for _, useNumber := range []bool{false, true} {
			dec := json.NewDecoder(strings.NewReader(resource))
			if useNumber {
				dec.UseNumber()
			}
			var res map[string]any
			if dec.Decode(&res) != nil {
				return
			}
			for _, rt := range []*schema.ResourceType{schema.User(), schema.Group(), nil} {
				if f, err := Compile(e, rt); err == nil {
					f.Match(res)
				}
			}
		}
	})
}
