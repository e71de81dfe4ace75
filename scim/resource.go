package scim

import (
	"net/url"
	"strings"

	"github.com/scimkit/scimkit/internal/resource"
	"github.com/scimkit/scimkit/internal/scimjson"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/scim/internal/jsondoc"
	"github.com/scimkit/scimkit/store"
)

// userResource appends to dst, sorted by name, the members of the User
// resource of a SCIM identity as the RFC profile shows it: the identity's
// resource (internal/resource, as store.SCIMIdentity.Resource builds it)
// with meta's location and version (its ETag), schemas naming the core
// schema and any extension present, and no password. Its values are s's
// document's.
//
// The resource is built as the members jsondoc writes rather than as a
// map, which encoding it does not need (a projection makes the map,
// Object.Map), and its members are appended in order, the document's
// sorted and merged with the identity's: serving GET /Users/{id} through a
// map, or inserting the members one by one into the Object, cost more than
// the floor the handler keeps (benchmarks/scim_test.go).
func userResource(dst jsondoc.Object, s *store.SCIMIdentity, location, version string) jsondoc.Object {
	var dbuf [16]member
	doc := dbuf[:0]
	var schemas []any
	hasExt := false
	docMeta := resource.Document(s.Document, func(k string, v any) {
		switch {
		case k == "schemas":
			schemas, _ = v.([]any)
		case scimjson.NameIs(k, "password"):
		default:
			hasExt = hasExt || scimjson.NameIs(k, enterpriseUserURNLower)
			doc = append(doc, member{k, v})
		}
	})
	var xbuf [4]member
	extra := xbuf[:0]
	resource.Meta(docMeta, func(k string, v any) { extra = append(extra, member{k, v}) })

	// The identity's members of meta and of the resource, sorted.
	var fbuf [5]jsondoc.Member
	fixed := fbuf[:0]
	created, modified := resource.Times(s.Created, s.Updated)
	if created != "" {
		fixed = append(fixed, jsondoc.String("created", created))
	}
	if modified != "" {
		fixed = append(fixed, jsondoc.String("lastModified", modified))
	}
	fixed = append(fixed, jsondoc.String("location", location), jsondoc.String("resourceType", "User"), jsondoc.String("version", version))
	meta := merge(make(jsondoc.Object, 0, len(fixed)+len(extra)), extra, fixed)
	var own [5]jsondoc.Member
	members := append(own[:0], jsondoc.Value("active", s.Active))
	if resource.HasExternalID(s.Document) {
		members = append(members, jsondoc.String("externalId", s.ExternUID))
	}
	members = append(members, jsondoc.String("id", s.ID), jsondoc.Nested("meta", meta), jsondoc.Value("schemas", userSchemas(schemas, hasExt)))
	return merge(dst[:0], doc, members)
}

// enterpriseUserURNLower is schema.EnterpriseUserURN in lower case, for
// scimjson.NameIs.
const enterpriseUserURNLower = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"

// member is a member of a stored document, for userResource.
type member struct {
	name  string
	value any
}

// merge appends to o the members of ms, which it sorts by name, and those
// of fixed, sorted by name, in the order of their names, which are
// distinct.
func merge(o jsondoc.Object, ms []member, fixed []jsondoc.Member) jsondoc.Object {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j-1].name > ms[j].name; j-- {
			ms[j-1], ms[j] = ms[j], ms[j-1]
		}
	}
	i := 0
	for _, f := range fixed {
		for ; i < len(ms) && ms[i].name < f.Name; i++ {
			o = append(o, jsondoc.Value(ms[i].name, ms[i].value))
		}
		o = append(o, f)
	}
	for ; i < len(ms); i++ {
		o = append(o, jsondoc.Value(ms[i].name, ms[i].value))
	}
	return o
}

// userSchemas returns the schemas of a User resource: resourceSchemas of
// the document's list, with the Enterprise extension's when the resource
// has its attributes (hasExt) and list lacks it.
func userSchemas(list []any, hasExt bool) []any {
	schemas := resourceSchemas(list, schema.UserURN)
	if hasExt && !schemasHave(schemas, schema.EnterpriseUserURN) {
		schemas = append(schemas[:len(schemas):len(schemas)], schema.EnterpriseUserURN)
	}
	return schemas
}

// resourceSchemas returns the schemas of a resource whose core schema is
// core: the strings of list, the document's, after core when they lack it.
// An unchanged list is list itself.
func resourceSchemas(list []any, core string) []any {
	if allStrings(list) && schemasHave(list, core) {
		return list
	}
	// A new list: the stored one is the document's.
	schemas := make([]any, 0, len(list)+1)
	for _, v := range list {
		if str, ok := v.(string); ok {
			schemas = append(schemas, str)
		}
	}
	if !schemasHave(schemas, core) {
		schemas = append([]any{core}, schemas...)
	}
	return schemas
}

// allStrings reports whether list is not empty and holds only strings.
func allStrings(list []any) bool {
	for _, v := range list {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return len(list) > 0
}

// schemasHave reports whether a decoded "schemas" array holds urn.
func schemasHave(list []any, urn string) bool {
	for _, v := range list {
		if s, ok := v.(string); ok && strings.EqualFold(s, urn) {
			return true
		}
	}
	return false
}

// userLocation returns the absolute URL of the User id of the tenant.
func (t *tenant) userLocation(id string) string {
	return t.base + "/Users/" + url.PathEscape(id)
}
