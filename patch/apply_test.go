package patch

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// user returns a typical User, as a store would hold it.
func user() map[string]any {
	return mustJSON(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"id": "2819c223-7f76-453a-919d-413861904646",
		"externalId": "bjensen",
		"userName": "bjensen",
		"name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
		"displayName": "Babs Jensen",
		"title": "Tour Guide",
		"active": true,
		"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
		"phoneNumbers": [{"value": "555-555-8377", "type": "work"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tour Operations", "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}},
		"meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z"}
	}`)
}

func group() map[string]any {
	return mustJSON(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"id": "acbf3ae7-8463-4692-b4fd-9b4da3f908ce",
		"displayName": "Tour Guides",
		"members": [{"value": "2819c223", "display": "Babs Jensen"}, {"value": "902c246b", "display": "Mandy Pepperidge"}]
	}`)
}

func mustJSON(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

func ops(t testing.TB, s string) []Operation {
	t.Helper()
	req, err := Decode([]byte(`{"Operations":` + s + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return req.Operations
}

// with returns m changed by edit.
func with(m map[string]any, edit func(m map[string]any)) map[string]any {
	edit(m)
	return m
}

// TestApplyRules pins the decisions that the shared corpus does not.
func TestApplyRules(t *testing.T) {
	t.Parallel()
	ext := schema.EnterpriseUserURN
	immutable := &schema.ResourceType{Schema: &schema.Schema{ID: "urn:example:Thing", Attributes: []*schema.Attribute{
		{Name: "serial", Type: schema.TypeString, Mutability: schema.MutabilityImmutable},
		{Name: "count", Type: schema.TypeInteger, Mutability: schema.MutabilityReadWrite},
		{Name: "ratio", Type: schema.TypeDecimal, Mutability: schema.MutabilityReadWrite},
		{Name: "born", Type: schema.TypeDateTime, Mutability: schema.MutabilityReadWrite},
	}}}
	tests := []struct {
		name     string
		rt       *schema.ResourceType
		resource map[string]any
		ops      string
		want     map[string]any
		wantErr  string // SCIM error type
	}{
		{
			name: "remove through a filter that matches nothing changes nothing",
			ops:  `[{"op":"remove","path":"emails[type eq \"other\"]"}]`,
			want: user(),
		},
		{
			name: "remove of an unassigned attribute changes nothing",
			ops:  `[{"op":"remove","path":"nickName"},{"op":"remove","path":"name.middleName"},{"op":"remove","path":"addresses[type eq \"work\"]"}]`,
			want: user(),
		},
		{
			name:    "a required attribute cannot be removed",
			ops:     `[{"op":"remove","path":"userName"}]`,
			wantErr: TypeMutability,
		},
		{
			name:    "a readOnly sub-attribute cannot be set",
			ops:     `[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName","value":"X"}]`,
			wantErr: TypeMutability,
		},
		{
			name:    "groups is readOnly",
			ops:     `[{"op":"add","path":"groups","value":[{"value":"g1"}]}]`,
			wantErr: TypeMutability,
		},
		{
			name:    "meta cannot be removed",
			ops:     `[{"op":"remove","path":"meta"}]`,
			wantErr: TypeMutability,
		},
		{
			name:     "an immutable attribute may be set while unassigned",
			rt:       immutable,
			resource: map[string]any{},
			ops:      `[{"op":"add","path":"serial","value":"A1"},{"op":"replace","path":"serial","value":"A1"}]`,
			want:     map[string]any{"serial": "A1"},
		},
		{
			name:     "an immutable attribute with a value refuses a new one",
			rt:       immutable,
			resource: map[string]any{"serial": "A1"},
			ops:      `[{"op":"replace","path":"serial","value":"B2"}]`,
			wantErr:  TypeMutability,
		},
		{
			name:     "an immutable attribute with a value cannot be removed",
			rt:       immutable,
			resource: map[string]any{"serial": "A1"},
			ops:      `[{"op":"remove","path":"serial"}]`,
			wantErr:  TypeMutability,
		},
		{
			name:     "numbers and dateTimes are checked",
			rt:       immutable,
			resource: map[string]any{},
			ops:      `[{"op":"add","path":"count","value":3},{"op":"add","path":"ratio","value":0.5},{"op":"add","path":"born","value":"2008-01-23T04:56:22Z"}]`,
			want:     map[string]any{"count": json.Number("3"), "ratio": json.Number("0.5"), "born": "2008-01-23T04:56:22Z"},
		},
		{
			name:     "an integer refuses a fraction",
			rt:       immutable,
			resource: map[string]any{},
			ops:      `[{"op":"add","path":"count","value":3.5}]`,
			wantErr:  TypeInvalidValue,
		},
		{
			name:     "a dateTime without a time zone is an xsd:dateTime (RFC 7643 §2.3.5), as filters take it",
			rt:       immutable,
			resource: map[string]any{},
			ops:      `[{"op":"add","path":"born","value":"2008-01-23T04:56:22"},{"op":"add","path":"born","value":"2008-01-23T04:56:22.5"}]`,
			want:     map[string]any{"born": "2008-01-23T04:56:22.5"},
		},
		{
			name:     "a dateTime refuses a date alone",
			rt:       immutable,
			resource: map[string]any{},
			ops:      `[{"op":"add","path":"born","value":"2008-01-23"}]`,
			wantErr:  TypeInvalidValue,
		},
		{
			name:     "a dateTime refuses another string",
			rt:       immutable,
			resource: map[string]any{},
			ops:      `[{"op":"add","path":"born","value":"yesterday"}]`,
			wantErr:  TypeInvalidValue,
		},
		{
			name:     "a binary value must be base64 (RFC 7643 §2.3.6)",
			resource: map[string]any{},
			ops:      `[{"op":"add","path":"x509Certificates","value":[{"value":"not base64!"}]}]`,
			wantErr:  TypeInvalidValue,
		},
		{
			name:     "a binary value in base64 is taken, line breaks and all",
			resource: map[string]any{},
			ops:      `[{"op":"add","path":"x509Certificates","value":[{"value":"TUlJREFU\r\nQk1n"}]}]`,
			want:     map[string]any{"x509Certificates": []any{map[string]any{"value": "TUlJREFU\r\nQk1n"}}},
		},
		{
			name:    "a group member's value is immutable",
			rt:      schema.Group(),
			ops:     `[{"op":"replace","path":"members[value eq \"2819c223\"].value","value":"other"}]`,
			wantErr: TypeMutability,
		},
		{
			name:     "members are added and removed whole",
			rt:       schema.Group(),
			resource: group(),
			ops:      `[{"op":"add","path":"members","value":[{"value":"08e1d05d"}]},{"op":"remove","path":"members[value eq \"902c246b\"]"}]`,
			want: with(group(), func(m map[string]any) {
				m["members"] = []any{m["members"].([]any)[0], map[string]any{"value": "08e1d05d"}}
			}),
		},
		{
			name:     "adding a member already there changes nothing",
			rt:       schema.Group(),
			resource: group(),
			ops:      `[{"op":"add","path":"members","value":[{"value":"2819C223"}]}]`,
			want:     group(),
		},
		{
			name: "a null member of a pathless value unassigns",
			ops:  `[{"op":"replace","value":{"title":null,"name":{"formatted":null}}}]`,
			want: with(user(), func(m map[string]any) {
				delete(m, "title")
				delete(m["name"].(map[string]any), "formatted")
			}),
		},
		{
			name:    "a null value with a path is refused",
			ops:     `[{"op":"replace","path":"title","value":null}]`,
			wantErr: TypeInvalidValue,
		},
		{
			name:    "a filter with or cannot describe a value to create",
			ops:     `[{"op":"add","path":"addresses[type eq \"work\" or type eq \"home\"].locality","value":"Seattle"}]`,
			wantErr: TypeNoTarget,
		},
		{
			name:    "contradictory eq conditions cannot describe a value to create",
			ops:     `[{"op":"add","path":"addresses[type eq \"work\" and type eq \"home\"].locality","value":"Seattle"}]`,
			wantErr: TypeNoTarget,
		},
		{
			name:    "a filter on a single-valued attribute",
			ops:     `[{"op":"replace","path":"name[givenName eq \"Barbara\"].familyName","value":"J"}]`,
			wantErr: TypeInvalidPath,
		},
		{
			name:    "a sub-attribute of a simple attribute",
			ops:     `[{"op":"replace","path":"userName.first","value":"J"}]`,
			wantErr: TypeInvalidPath,
		},
		{
			name:    "an unknown schema URN",
			ops:     `[{"op":"replace","path":"urn:example:Unknown:attr","value":"J"}]`,
			wantErr: TypeInvalidPath,
		},
		{
			name:    "a filter in a pathless value's member name",
			ops:     `[{"op":"replace","value":{"emails[type eq \"work\"].value":"x@example.com"}}]`,
			wantErr: TypeInvalidPath,
		},
		{
			name:    "remove without a path",
			ops:     `[{"op":"remove","value":{"title":"x"}}]`,
			wantErr: TypeNoTarget,
		},
		{
			name:    "a pathless value that is not an object",
			ops:     `[{"op":"replace","value":"x"}]`,
			wantErr: TypeInvalidValue,
		},
		{
			name: "custom attributes are kept untyped",
			ops:  `[{"op":"add","path":"loginCount","value":7},{"op":"add","value":{"tags":["a"]}},{"op":"add","path":"tags","value":["b","a"]}]`,
			want: with(user(), func(m map[string]any) { m["loginCount"] = json.Number("7"); m["tags"] = []any{"a", "b"} }),
		},
		{
			name: "attribute names keep the schema's spelling",
			ops:  `[{"op":"replace","path":"DISPLAYNAME","value":"B"},{"op":"add","path":"NickName","value":"N"}]`,
			want: with(user(), func(m map[string]any) { m["displayName"] = "B"; m["nickName"] = "N" }),
		},
		{
			name: "removing the extension",
			ops:  `[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]`,
			want: with(user(), func(m map[string]any) { delete(m, ext) }),
		},
		{
			name: "an extension left empty is dropped",
			ops:  `[{"op":"remove","path":"employeeNumber"},{"op":"remove","path":"department"},{"op":"remove","path":"manager.value"},{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]`,
			want: with(user(), func(m map[string]any) { delete(m, ext) }),
		},
		{
			name: "primary moves through a whole new value",
			ops:  `[{"op":"add","path":"emails","value":{"value":"new@example.com","type":"other","primary":"True"}}]`,
			want: with(user(), func(m map[string]any) {
				emails := m["emails"].([]any)
				emails[0].(map[string]any)["primary"] = false
				m["emails"] = append(emails, map[string]any{"value": "new@example.com", "type": "other", "primary": true})
			}),
		},
		{
			name: "Entra ID sends the manager as an id",
			ops:  `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m2"}]`,
			want: with(user(), func(m map[string]any) {
				m[ext].(map[string]any)["manager"].(map[string]any)["value"] = "m2"
			}),
		},
		{
			name:    "schemas is kept by the server",
			ops:     `[{"op":"replace","path":"schemas","value":["urn:example:Other"]}]`,
			wantErr: TypeMutability,
		},
		{
			name: "schemas in a pathless value is ignored",
			ops:  `[{"op":"replace","value":{"schemas":["urn:example:Other"],"title":"T"}}]`,
			want: with(user(), func(m map[string]any) { m["title"] = "T" }),
		},
		{
			name:    "replace with two primaries",
			ops:     `[{"op":"replace","path":"emails","value":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":true}]}]`,
			wantErr: TypeInvalidValue,
		},
		{
			name:    "primary on every value at once",
			ops:     `[{"op":"replace","path":"emails.primary","value":true}]`,
			wantErr: TypeInvalidValue,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := tc.rt
			if rt == nil {
				rt = schema.User()
			}
			res := tc.resource
			if res == nil {
				res = user()
				if rt.ID == "Group" {
					res = group()
				}
			}
			got, _, err := Apply(res, ops(t, tc.ops), rt)
			if tc.wantErr != "" {
				var perr *Error
				if !errors.As(err, &perr) || perr.Type != tc.wantErr {
					t.Fatalf("Apply = %v; want a *patch.Error of type %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// deep returns n objects nested in one another.
func deep(n int) any {
	var v any = "bottom"
	for range n {
		v = map[string]any{"x": v}
	}
	return v
}

func TestApplyBadInput(t *testing.T) {
	t.Parallel()
	many := make([]Operation, 100_000)
	for i := range many {
		many[i] = Operation{Op: "replace", Path: "active", Value: false}
	}
	// Values that no "value" indexes must be compared one by one: quadratic
	// work that MaxComparisons bounds.
	unkeyed, unkeyedCustom := make([]any, 4000), make([]any, 4000)
	for i := range unkeyed {
		unkeyed[i] = map[string]any{"display": strconv.Itoa(i)}
		unkeyedCustom[i] = float64(i)
	}
	tests := []struct {
		name      string
		ops       []Operation
		wantIndex int
		wantType  string
	}{
		{"100,000 operations", many, -1, TypeInvalidValue},
		{"thousands of values without a value added", []Operation{{Op: "add", Path: "emails", Value: unkeyed}}, 0, TypeInvalidValue},
		{"thousands of values without a value removed", []Operation{{Op: "add", Path: "emails", Value: unkeyed[:2000]}, {Op: "remove", Path: "emails", Value: unkeyed[2000:]}}, 1, TypeInvalidValue},
		{"thousands of custom values added to a list", []Operation{{Op: "add", Path: "custom", Value: unkeyedCustom[:2000]}, {Op: "add", Path: "custom", Value: unkeyedCustom[2000:]}}, 1, TypeInvalidValue},
		{"op missing", []Operation{{Path: "title", Value: "x"}}, 0, TypeInvalidSyntax},
		{"op unknown", []Operation{{Op: "copy", Path: "title", Value: "x"}}, 0, TypeInvalidSyntax},
		{"malformed path", []Operation{{Op: "add", Path: "emails[type eq", Value: "x"}}, 0, TypeInvalidPath},
		{"boolean as a number", []Operation{{Op: "replace", Path: "active", Value: 0}}, 0, TypeInvalidValue},
		{"boolean as another string", []Operation{{Op: "replace", Path: "active", Value: "yes"}}, 0, TypeInvalidValue},
		{"string as a number", []Operation{{Op: "replace", Path: "userName", Value: json.Number("5")}}, 0, TypeInvalidValue},
		{"string as an object", []Operation{{Op: "replace", Path: "title", Value: map[string]any{"a": "b"}}}, 0, TypeInvalidValue},
		{"sub-attribute of the wrong type", []Operation{{Op: "replace", Path: "name.givenName", Value: true}}, 0, TypeInvalidValue},
		{"complex as a string", []Operation{{Op: "replace", Path: "name", Value: "Babs"}}, 0, TypeInvalidValue},
		{"multi-valued complex as strings", []Operation{{Op: "add", Path: "emails", Value: []any{"a@example.com"}}}, 0, TypeInvalidValue},
		{"bad element inside a list", []Operation{{Op: "add", Path: "emails", Value: []any{map[string]any{"value": "a@example.com", "primary": "maybe"}}}}, 0, TypeInvalidValue},
		{"deeply nested custom value", []Operation{{Op: "add", Path: "custom", Value: deep(100_000)}}, 0, TypeInvalidValue},
		{"deeply nested value in a complex one", []Operation{{Op: "add", Path: "name", Value: map[string]any{"extra": deep(1000)}}}, 0, TypeInvalidValue},
		{"second operation fails", []Operation{{Op: "replace", Path: "active", Value: false}, {Op: "replace", Path: "id", Value: "x"}}, 1, TypeMutability},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, result, err := Apply(user(), tc.ops, schema.User())
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Apply = %v, %v; want a *patch.Error", err, got)
			}
			if perr.Index != tc.wantIndex || perr.Type != tc.wantType {
				t.Errorf("Apply error = index %d type %s (%v); want index %d type %s", perr.Index, perr.Type, err, tc.wantIndex, tc.wantType)
			}
			if got != nil || result != nil {
				t.Errorf("Apply returned a resource or result with its error")
			}
		})
	}
}

// TestApplyGoValues applies values built in Go rather than decoded from JSON.
func TestApplyGoValues(t *testing.T) {
	t.Parallel()
	res := map[string]any{"schemas": []string{schema.UserURN}, "userName": "b"}
	o := []Operation{
		{Op: "add", Path: "emails", Value: []map[string]any{{"value": "a@example.com", "primary": true}}},
		{Op: "add", Path: "roles", Value: []map[string]any{{"value": "admin"}}},
		{Op: "add", Path: "tags", Value: []string{"x"}},
		{Op: "add", Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", Value: "7"},
		{Op: "replace", Path: "active", Value: true},
	}
	got, _, err := Apply(res, o, schema.User())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"schemas":                []string{schema.UserURN, schema.EnterpriseUserURN}, // not written but for the URN: keeps its Go type
		"userName":               "b",
		"emails":                 []any{map[string]any{"value": "a@example.com", "primary": true}},
		"roles":                  []any{map[string]any{"value": "admin"}},
		"tags":                   []any{"x"},
		"active":                 true,
		schema.EnterpriseUserURN: map[string]any{"employeeNumber": "7"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestApplyNeedsResourceType(t *testing.T) {
	t.Parallel()
	_, _, err := Apply(user(), nil, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "patch: ") {
		t.Errorf("Apply without a resource type = %v, want an error", err)
	}
}

// TestApplyResourceTooDeep checks that an operation refuses to write an
// attribute of the resource nested deeper than MaxDepth (the operations and
// Result walk what they write), while the attributes no operation writes
// are neither walked nor refused.
func TestApplyResourceTooDeep(t *testing.T) {
	t.Parallel()
	ext := schema.EnterpriseUserURN
	tooDeep := func() map[string]any {
		return map[string]any{"userName": "b", "custom": deep(MaxDepth), ext: map[string]any{"x": deep(MaxDepth - 1)}}
	}
	tests := []struct {
		name      string
		ops       []Operation
		wantIndex int // -1: no error
	}{
		{"another attribute", []Operation{{Op: "replace", Path: "userName", Value: "c"}}, -1},
		{"replace it", []Operation{{Op: "replace", Path: "userName", Value: "c"}, {Op: "replace", Path: "custom", Value: "x"}}, 1},
		{"remove it", []Operation{{Op: "remove", Path: "custom"}}, 0},
		{"in another spelling", []Operation{{Op: "add", Path: "CUSTOM.y", Value: "x"}}, 0},
		{"the extension", []Operation{{Op: "add", Path: ext + ":employeeNumber", Value: "7"}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, _, err := Apply(tooDeep(), tc.ops, schema.User())
			if tc.wantIndex < 0 {
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(with(tooDeep(), func(m map[string]any) { m["userName"] = "c" }), got); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
				return
			}
			var perr *Error
			if !errors.As(err, &perr) || perr.Index != tc.wantIndex || perr.Type != TypeInvalidValue {
				t.Errorf("Apply = %v; want an invalidValue *patch.Error for operation %d", err, tc.wantIndex)
			}
		})
	}
}

func TestResult(t *testing.T) {
	t.Parallel()
	ext := schema.EnterpriseUserURN
	tests := []struct {
		name    string
		ops     string
		want    []string
		changed []string // also reported by Changed
		same    []string // not reported by Changed
	}{
		{
			name:    "deprovisioning",
			ops:     `[{"op":"Replace","path":"active","value":"False"}]`,
			want:    []string{"active"},
			changed: []string{"active", "ACTIVE", schema.UserURN + ":active"},
			same:    []string{"externalId", "name", "userName"},
		},
		{
			name:    "externalId",
			ops:     `[{"op":"replace","value":{"externalId":"new-id","active":true}}]`,
			want:    []string{"externalId"},
			changed: []string{"externalid"},
			same:    []string{"active"},
		},
		{
			name:    "a sub-attribute",
			ops:     `[{"op":"replace","path":"name.givenName","value":"Bee"}]`,
			want:    []string{"name", "name.givenName"},
			changed: []string{"name", "name.givenName", schema.UserURN + ":name.givenName"},
			same:    []string{"name.familyName", "givenName"},
		},
		{
			name:    "an extension attribute",
			ops:     `[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m2"}]`,
			want:    []string{ext, ext + ":manager", ext + ":manager.value"},
			changed: []string{ext, ext + ":manager", "manager", "manager.value", ext + ":manager.value"},
			same:    []string{ext + ":manager.displayName", "employeeNumber"},
		},
		{
			name:    "set and set back",
			ops:     `[{"op":"replace","path":"active","value":false},{"op":"replace","path":"active","value":true},{"op":"add","path":"emails","value":[{"value":"bjensen@example.com"}]}]`,
			want:    []string{},
			changed: nil,
			same:    []string{"active", "emails"},
		},
		{
			name:    "a primary added and removed again moves primary off the old value",
			ops:     `[{"op":"add","path":"emails","value":[{"value":"n@example.com","primary":true}]},{"op":"remove","path":"emails[value eq \"n@example.com\"]"}]`,
			want:    []string{"emails"},
			changed: []string{"emails"},
		},
		{
			name:    "a value through a filter",
			ops:     `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"b@example.com"}]`,
			want:    []string{"emails"},
			changed: []string{"emails"},
			same:    []string{"emails.value"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, r, err := Apply(user(), ops(t, tc.ops), schema.User())
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, r.Attributes()); d != "" {
				t.Errorf("Attributes (-want +got):\n%s", d)
			}
			for _, n := range tc.changed {
				if !r.Changed(n) {
					t.Errorf("Changed(%q) = false, want true", n)
				}
			}
			for _, n := range tc.same {
				if r.Changed(n) {
					t.Errorf("Changed(%q) = true, want false", n)
				}
			}
		})
	}
	var none *Result
	if none.Changed("active") || none.Attributes() != nil {
		t.Errorf("a nil Result reports changes")
	}
}
