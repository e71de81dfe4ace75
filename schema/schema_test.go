package schema

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// names lists the attribute names of attrs, with "name.sub" for
// sub-attributes.
func names(attrs []*Attribute) []string {
	var out []string
	for _, a := range attrs {
		out = append(out, a.Name)
		for _, s := range a.SubAttributes {
			out = append(out, a.Name+"."+s.Name)
		}
	}
	return out
}

func TestBuiltinSchemas(t *testing.T) {
	t.Parallel()
	common := []string{"id", "externalId", "meta", "meta.resourceType", "meta.created", "meta.lastModified", "meta.location", "meta.version"}
	multi := func(name string) []string {
		return []string{name, name + ".value", name + ".display", name + ".type", name + ".primary"}
	}
	user := append(append([]string{}, common...),
		"userName", "name", "name.formatted", "name.familyName", "name.givenName", "name.middleName", "name.honorificPrefix", "name.honorificSuffix",
		"displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "active", "password")
	user = append(user, multi("emails")...)
	user = append(user, multi("phoneNumbers")...)
	user = append(user, multi("ims")...)
	user = append(user, multi("photos")...)
	user = append(user, "addresses", "addresses.formatted", "addresses.streetAddress", "addresses.locality", "addresses.region",
		"addresses.postalCode", "addresses.country", "addresses.type", "addresses.primary",
		"groups", "groups.value", "groups.$ref", "groups.display", "groups.type")
	user = append(user, multi("entitlements")...)
	user = append(user, multi("roles")...)
	user = append(user, multi("x509Certificates")...)
	tests := []struct {
		schema *Schema
		id     string
		want   []string
	}{
		{UserSchema(), UserURN, user},
		{EnterpriseUserSchema(), EnterpriseUserURN, []string{"employeeNumber", "costCenter", "organization", "division", "department",
			"manager", "manager.value", "manager.$ref", "manager.displayName"}},
		{GroupSchema(), GroupURN, append(append([]string{}, common...), "displayName",
			"members", "members.value", "members.$ref", "members.type", "members.display")},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			if tc.schema.ID != tc.id {
				t.Errorf("ID = %q, want %q", tc.schema.ID, tc.id)
			}
			if diff := cmp.Diff(tc.want, names(tc.schema.Attributes)); diff != "" {
				t.Errorf("attributes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuiltinCharacteristics(t *testing.T) {
	t.Parallel()
	u := User()
	get := func(name, sub string) *Attribute {
		r, ok := u.Resolve("", name, sub)
		if !ok {
			t.Fatalf("%s.%s not found", name, sub)
		}
		if r.Sub != nil {
			return r.Sub
		}
		return r.Attr
	}
	type chars struct {
		Type       Type
		Multi      bool
		Required   bool
		CaseExact  bool
		Mutability Mutability
		Returned   Returned
		Uniqueness Uniqueness
	}
	tests := []struct {
		name, sub string
		want      chars
	}{
		{"id", "", chars{TypeString, false, false, true, MutabilityReadOnly, ReturnedAlways, UniquenessServer}},
		{"externalId", "", chars{TypeString, false, false, true, MutabilityReadWrite, ReturnedDefault, UniquenessNone}},
		{"meta", "lastModified", chars{TypeDateTime, false, false, false, MutabilityReadOnly, ReturnedDefault, UniquenessNone}},
		{"userName", "", chars{TypeString, false, true, false, MutabilityReadWrite, ReturnedDefault, UniquenessServer}},
		{"password", "", chars{TypeString, false, false, false, MutabilityWriteOnly, ReturnedNever, UniquenessNone}},
		{"active", "", chars{TypeBoolean, false, false, false, MutabilityReadWrite, ReturnedDefault, UniquenessNone}},
		{"emails", "", chars{TypeComplex, true, false, false, MutabilityReadWrite, ReturnedDefault, UniquenessNone}},
		{"emails", "primary", chars{TypeBoolean, false, false, false, MutabilityReadWrite, ReturnedDefault, UniquenessNone}},
		{"groups", "value", chars{TypeString, false, false, false, MutabilityReadOnly, ReturnedDefault, UniquenessNone}},
		{"x509Certificates", "value", chars{TypeBinary, false, false, true, MutabilityReadWrite, ReturnedDefault, UniquenessNone}},
		{"manager", "displayName", chars{TypeString, false, false, false, MutabilityReadOnly, ReturnedDefault, UniquenessNone}},
	}
	for _, tc := range tests {
		a := get(tc.name, tc.sub)
		got := chars{a.Type, a.MultiValued, a.Required, a.CaseExact, a.Mutability, a.Returned, a.Uniqueness}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s.%s mismatch (-want +got):\n%s", tc.name, tc.sub, diff)
		}
	}
	if diff := cmp.Diff([]string{"work", "home", "other"}, get("emails", "type").CanonicalValues); diff != "" {
		t.Errorf("emails.type canonical values (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"User", "Group"}, get("groups", "$ref").ReferenceTypes); diff != "" {
		t.Errorf("groups.$ref reference types (-want +got):\n%s", diff)
	}
}

func TestBuiltinsAreFresh(t *testing.T) {
	t.Parallel()
	u := User()
	u.Schema.Attr("userName").CaseExact = true
	u.Extensions = nil
	if User().Schema.Attr("userName").CaseExact {
		t.Error("a change to one User() leaked into the next")
	}
	if len(User().Extensions) != 1 || User().Extensions[0].Required {
		t.Error("User() should have the Enterprise extension, not required")
	}
	if g := Group(); g.Endpoint != "/Groups" || g.Schema.ID != GroupURN || len(g.Extensions) != 0 {
		t.Errorf("Group() = %+v", g)
	}
	if u := User(); u.Endpoint != "/Users" || u.Schema.ID != UserURN {
		t.Errorf("User() = %+v", u)
	}
}

func TestAttrNil(t *testing.T) {
	t.Parallel()
	var a *Attribute
	var s *Schema
	if a.Sub("x") != nil || s.Attr("x") != nil {
		t.Error("nil receivers should find nothing")
	}
}

// path is an attribute path urn:name.sub, as the tests write one.
type path struct{ URN, Name, Sub string }

func TestResolve(t *testing.T) {
	t.Parallel()
	user := User()
	tests := []struct {
		name                  string
		path                  path
		wantSchema, attr, sub string // "" when not found
	}{
		{"core", path{Name: "USERNAME"}, UserURN, "userName", ""},
		{"sub", path{Name: "name", Sub: "GIVENNAME"}, UserURN, "name", "givenName"},
		{"core urn", path{URN: UserURN, Name: "emails", Sub: "value"}, UserURN, "emails", "value"},
		{"extension without urn", path{Name: "department"}, EnterpriseUserURN, "department", ""},
		{"extension urn any case", path{URN: strings.ToLower(EnterpriseUserURN), Name: "manager", Sub: "$ref"}, EnterpriseUserURN, "manager", "$ref"},
		{"common attribute", path{Name: "meta", Sub: "lastModified"}, UserURN, "meta", "lastModified"},
		{"unknown", path{Name: "loginCount"}, "", "", ""},
		{"unknown sub", path{Name: "name", Sub: "nick"}, "", "", ""},
		{"sub of simple", path{Name: "userName", Sub: "x"}, "", "", ""},
		{"unknown urn", path{URN: GroupURN, Name: "userName"}, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, ok := user.Resolve(tc.path.URN, tc.path.Name, tc.path.Sub)
			if ok != (tc.attr != "") {
				t.Fatalf("Resolve(%v) ok = %v", tc.path, ok)
			}
			if !ok {
				return
			}
			got := []string{r.Schema.ID, r.Attr.Name, ""}
			if r.Sub != nil {
				got[2] = r.Sub.Name
			}
			if diff := cmp.Diff([]string{tc.wantSchema, tc.attr, tc.sub}, got); diff != "" {
				t.Errorf("Resolve(%v) mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
	var nilRT *ResourceType
	if _, ok := nilRT.Resolve("", "userName", ""); ok {
		t.Error("nil ResourceType resolved a path")
	}
}
