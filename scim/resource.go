package scim

import (
	"net/url"
	"strings"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// userResource returns the User resource of a SCIM identity as the RFC
// profile shows it: the stored document with id (the server's UUID),
// externalId (the extern_uid), active and meta (resourceType, created,
// lastModified, location, version) from the identity, and schemas naming
// the core schema and any extension present. location is its absolute
// URL. The result shares nested values with s's document.
func userResource(s *store.SCIMIdentity, location string) map[string]any {
	doc := s.Resource()
	if meta, ok := doc["meta"].(map[string]any); ok {
		meta["location"] = location
		meta["version"] = etag(s.Version)
	}
	list, _ := doc["schemas"].([]any)
	schemas := list
	if !allStrings(list) || !schemasHave(list, schema.UserURN) {
		// A new list (the stored one is shared with the document): its
		// strings, after the core schema when they lack it.
		schemas = make([]any, 0, len(list)+1)
		for _, v := range list {
			if str, ok := v.(string); ok {
				schemas = append(schemas, str)
			}
		}
		if !schemasHave(schemas, schema.UserURN) {
			schemas = append([]any{schema.UserURN}, schemas...)
		}
	}
	for k := range doc {
		if strings.EqualFold(k, schema.EnterpriseUserURN) && !schemasHave(schemas, schema.EnterpriseUserURN) {
			schemas = append(schemas[:len(schemas):len(schemas)], schema.EnterpriseUserURN)
		}
		if strings.EqualFold(k, "password") {
			delete(doc, k)
		}
	}
	// Only a changed list is set: an assignment, even to a member the map
	// has, makes the runtime grow a map as full as doc often is.
	if len(schemas) != len(list) || len(list) > 0 && &schemas[0] != &list[0] {
		doc["schemas"] = schemas
	}
	return doc
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
