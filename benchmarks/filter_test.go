package benchmarks

import (
	"strconv"
	"strings"
	"testing"

	elimity "github.com/elimity-com/scim/filter"
	elimityschema "github.com/elimity-com/scim/schema"
	scim2 "github.com/scim2/filter-parser/v2"
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// filterCases are the filters of the comparison: a simple equality, a
// value filter, twenty "or" clauses and a mix of pr, parentheses and not.
var filterCases = []struct{ name, filter string }{
	{"simple", `userName eq "bjensen"`},
	{"valuePath", `emails[type eq "work" and value co "@example.com"] or userType eq "Employee"`},
	{"or20", twentyClauses()},
	{"complex", `title pr and (userType eq "Employee" or userType eq "Intern") and not (emails.value ew ".org")`},
}

func twentyClauses() string {
	clauses := make([]string, 20)
	for i := range clauses {
		clauses[i] = `userName eq "user` + strconv.Itoa(i) + `@example.com"`
	}
	return strings.Join(clauses, " or ")
}

// BenchmarkFilterParse compares filter.Parse with
// github.com/scim2/filter-parser/v2 (used by elimity-com/scim). Compare the
// implementations with
//
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl new.txt
func BenchmarkFilterParse(b *testing.B) {
	for _, fc := range filterCases {
		raw := []byte(fc.filter)
		if _, err := filter.Parse(fc.filter); err != nil {
			b.Fatalf("scimkit: %s: %v", fc.name, err)
		}
		if _, err := scim2.ParseFilter(raw); err != nil {
			b.Fatalf("scim2: %s: %v", fc.name, err)
		}
		b.Run("filter="+fc.name+"/impl=scimkit", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := filter.Parse(fc.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("filter="+fc.name+"/impl=scim2", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := scim2.ParseFilter(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFilterParseLength parses "or" chains of growing length, of plain
// clauses and of parenthesized and value-filter ones, to show that parse
// time grows linearly with the input (MB/s stays flat).
func BenchmarkFilterParseLength(b *testing.B) {
	p := filter.Parser{MaxLength: 4 << 20}
	for _, shape := range []struct{ name, clause string }{
		{"plain", `userName eq "x"`},
		{"parens", `(userName eq "x")`},
		{"valuePath", `emails[type eq "x"]`},
	} {
		for _, n := range []int{10, 100, 1000, 10000} {
			benchParseLength(b, p, shape.name, shape.clause, n)
		}
	}
}

// benchParseLength parses n clauses joined by "or".
func benchParseLength(b *testing.B, p filter.Parser, shape, clause string, n int) {
	clauses := make([]string, n)
	for i := range clauses {
		clauses[i] = clause
	}
	s := strings.Join(clauses, " or ")
	b.Run("shape="+shape+"/clauses="+strconv.Itoa(n), func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			if _, err := p.Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFilterMatch compares compiled evaluation (filter.Compile, then
// Filter.Match) with elimity-com/scim's filter.Validator.PassesFilter, on a
// User that matches and on one that does not.
func BenchmarkFilterMatch(b *testing.B) {
	user := func(name, emailType string) map[string]any {
		return map[string]any{
			"schemas":    []any{schema.UserURN},
			"id":         "2819c223-7f76-453a-919d-413861904646",
			"userName":   name,
			"userType":   "Contractor",
			"name":       map[string]any{"familyName": "Jensen", "givenName": "Barbara"},
			"emails":     []any{map[string]any{"value": name + "@example.com", "type": emailType, "primary": true}},
			"active":     true,
			"externalId": name,
		}
	}
	resources := []struct {
		name string
		res  map[string]any
	}{{"hit", user("bjensen", "work")}, {"miss", user("jsmith", "home")}}
	for _, fc := range filterCases[:2] {
		e, err := filter.Parse(fc.filter)
		if err != nil {
			b.Fatal(err)
		}
		f, err := filter.Compile(e, schema.User())
		if err != nil {
			b.Fatal(err)
		}
		v, err := elimity.NewValidator(fc.filter, elimityschema.CoreUserSchema(), elimityschema.ExtensionEnterpriseUser())
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range resources {
			want := r.name == "hit"
			if got := f.Match(r.res); got != want {
				b.Fatalf("scimkit: %s on %s = %v", fc.name, r.name, got)
			}
			if got := v.PassesFilter(r.res) == nil; got != want {
				b.Fatalf("elimity: %s on %s = %v", fc.name, r.name, got)
			}
			b.Run("filter="+fc.name+"/case="+r.name+"/impl=scimkit", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					f.Match(r.res)
				}
			})
			b.Run("filter="+fc.name+"/case="+r.name+"/impl=elimity", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_ = v.PassesFilter(r.res)
				}
			})
		}
	}
}
