package filter_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

func ExampleParse() {
	e, err := filter.Parse(`emails[type eq "work" and value co "@example.com"] OR userType EQ "Employee"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)
	// Output: emails[type eq "work" and value co "@example.com"] or userType eq "Employee"
}

func ExampleParse_error() {
	_, err := filter.Parse(`title pr and userName eq`)
	fmt.Println(err)
	var se *filter.SyntaxError
	if errors.As(err, &se) {
		fmt.Println("offset", se.Pos)
	}
	// Output:
	// filter: 1:25: expected a value after "eq"
	// offset 24
}

func ExampleParsePath() {
	p, err := filter.ParsePath(`emails[type eq "work"].value`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("attribute %s, sub-attribute %s, filter %s\n", p.Attr.Name, p.Attr.Sub, p.Filter)
	// Output: attribute emails, sub-attribute value, filter type eq "work"
}

func ExampleWalk() {
	e, _ := filter.Parse(`userName eq "bjensen" or (title pr and not (active eq false))`)
	filter.Walk(e, func(x filter.Expr) bool {
		if c, ok := x.(*filter.Compare); ok {
			fmt.Println(c.Attr, c.Op, c.Value)
		}
		return true
	})
	// Output:
	// userName eq bjensen
	// title pr <nil>
	// active eq false
}

func ExampleCompile() {
	e, _ := filter.Parse(`emails[type eq "work" and value co "@example.com"] and meta.lastModified gt "2013-02-03T09:00:00Z"`)
	f, err := filter.Compile(e, schema.User())
	if err != nil {
		fmt.Println(err)
		return
	}
	dec := json.NewDecoder(strings.NewReader(`[
		{"userName": "bjensen", "emails": [{"value": "bjensen@example.com", "type": "work"}],
		 "meta": {"lastModified": "2013-02-03T10:00:00Z"}},
		{"userName": "jsmith", "emails": [{"value": "jsmith@example.com", "type": "home"}, {"value": "js@example.org", "type": "work"}],
		 "meta": {"lastModified": "2013-02-03T10:00:00Z"}},
		{"userName": "early", "emails": [{"value": "early@example.com", "type": "work"}],
		 "meta": {"lastModified": "2013-02-03T10:00:00+02:00"}}
	]`))
	dec.UseNumber()
	var users []map[string]any
	if err := dec.Decode(&users); err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range users {
		fmt.Println(u["userName"], f.Match(u))
	}
	// Output:
	// bjensen true
	// jsmith false
	// early false
}

func ExampleCompile_schemaError() {
	e, _ := filter.Parse(`active gt true`)
	_, err := filter.Compile(e, schema.User())
	fmt.Println(err)
	// Output: filter: active: "gt" does not apply to a boolean attribute
}

func ExampleStrict() {
	e, _ := filter.Parse(`loginCount gt 5`)
	_, err := filter.Compile(e, schema.User(), filter.Strict())
	fmt.Println(err)
	// Output: filter: loginCount: unknown attribute
}

func ExampleMatch() {
	e, _ := filter.Parse(`roles eq "admin"`)
	ok, err := filter.Match(e, map[string]any{"roles": []any{"user", "admin"}}, schema.User())
	fmt.Println(ok, err)
	// Output: true <nil>
}

func ExampleParser() {
	p := filter.Parser{MaxLength: 16, MaxDepth: 1}
	_, err := p.Parse(`((a pr))`)
	fmt.Println(err)
	_, err = p.Parse(`userName eq "bjensen"`)
	fmt.Println(err)
	// Output:
	// filter: 1:2: nesting too deep (the limit is 1)
	// filter: 1:1: filter longer than 16 bytes
}

// A host plugs in its own schema by building a ResourceType.
func ExampleResourceType() {
	device := &schema.ResourceType{
		ID:       "Device",
		Name:     "Device",
		Endpoint: "/Devices",
		Schema: &schema.Schema{
			ID:   "urn:example:scim:schemas:Device",
			Name: "Device",
			Attributes: []*schema.Attribute{
				{Name: "serial", Type: schema.TypeString, CaseExact: true},
				{Name: "lastSeen", Type: schema.TypeDateTime},
				{Name: "ports", Type: schema.TypeInteger, MultiValued: true},
			},
		},
	}
	e, _ := filter.Parse(`serial sw "AB" and ports eq 443 and lastSeen gt "2024-01-01T00:00:00Z"`)
	f, err := filter.Compile(e, device, filter.Strict())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Match(map[string]any{"serial": "AB-1", "ports": []any{22.0, 443.0}, "lastSeen": "2024-06-01T12:00:00+02:00"}))
	fmt.Println(f.Match(map[string]any{"serial": "ab-1", "ports": []any{22.0, 443.0}, "lastSeen": "2024-06-01T12:00:00+02:00"}))
	// Output:
	// true
	// false
}
