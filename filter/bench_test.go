package filter

import (
	"strings"
	"testing"

	"github.com/scimkit/scimkit/schema"
)

// benchFilters are the filters of the comparison in ../benchmarks.
var benchFilters = []struct{ name, filter string }{
	{"simple", `userName eq "bjensen"`},
	{"valuePath", `emails[type eq "work" and value co "@example.com"] or userType eq "Employee"`},
	{"or20", twentyOr()},
	{"complex", `title pr and (userType eq "Employee" or userType eq "Intern") and not (emails.value ew ".org")`},
}

func twentyOr() string {
	clauses := make([]string, 20)
	for i := range clauses {
		clauses[i] = `userName eq "user` + string(rune('a'+i)) + `@example.com"`
	}
	return strings.Join(clauses, " or ")
}

func BenchmarkParse(b *testing.B) {
	for _, bf := range benchFilters {
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bf.filter)))
			for b.Loop() {
				if _, err := Parse(bf.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParsePath parses PATCH paths as identity providers send them,
// once per operation of every PATCH request: the path Entra ID and Okta
// deprovision with, a value filter with a sub-attribute, and an extension
// attribute.
func BenchmarkParsePath(b *testing.B) {
	for _, bp := range []struct{ name, path string }{
		{"active", `active`},
		{"valuePath", `emails[type eq "work"].value`},
		{"urn", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`},
	} {
		b.Run(bp.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParsePath(bp.path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	rt := schema.User()
	for _, bf := range benchFilters {
		e, err := Parse(bf.filter)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(e, rt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchUser is a typical User resource as encoding/json decodes it.
func benchUser() map[string]any {
	return map[string]any{
		"schemas":     []any{schema.UserURN, schema.EnterpriseUserURN},
		"id":          "2819c223-7f76-453a-919d-413861904646",
		"externalId":  "bjensen",
		"userName":    "bjensen",
		"name":        map[string]any{"familyName": "Jensen", "givenName": "Barbara"},
		"displayName": "Babs Jensen",
		"title":       "Tour Guide",
		"userType":    "Employee",
		"active":      true,
		"emails": []any{
			map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
			map[string]any{"value": "babs@jensen.org", "type": "home"},
		},
		"meta":                   map[string]any{"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z"},
		schema.EnterpriseUserURN: map[string]any{"employeeNumber": "701984", "department": "Tour Operations"},
	}
}

func BenchmarkMatch(b *testing.B) {
	hit := benchUser()
	miss := benchUser()
	miss["userName"] = "jsmith"
	miss["userType"] = "Contractor"
	miss["emails"] = []any{map[string]any{"value": "jsmith@example.org", "type": "home"}}
	rt := schema.User()
	for _, bf := range benchFilters {
		e, err := Parse(bf.filter)
		if err != nil {
			b.Fatal(err)
		}
		f, err := Compile(e, rt)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range []struct {
			name string
			res  map[string]any
		}{{"hit", hit}, {"miss", miss}} {
			b.Run(bf.name+"/"+r.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					f.Match(r.res)
				}
			})
		}
	}
}
