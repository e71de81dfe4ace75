// Package resource defines the resource document of a stored SCIM identity
// (RFC 7643 §3, §4.1): the document the identity provider sent, with the
// members the identity's own fields supply:
//
//   - the members of the stored document, except "id", "externalId",
//     "active" and "meta" in any spelling ([Document]);
//   - "id", "externalId" and "active": the identity's id, extern_uid and
//     active flag; "externalId" only when the client set one
//     ([HasExternalID]);
//   - "meta": the members of the document's meta except "resourceType",
//     "created" and "lastModified" in any spelling ([Meta]), then
//     "resourceType" ("User"), "created" and "lastModified" ([Times]).
//
// store.SCIMIdentity.Resource builds it as a map, which filters and sorting
// read; the scim handler builds it as the sorted members it encodes, which
// spares the map (see scim/resource.go).
package resource

import (
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/scimjson"
)

// HasExternalID reports whether the resource of the stored document doc
// shows an externalId. A document whose "externalId" member is null records
// that the client has not set one: a POST without externalId in the RFC
// profile, where the userName stands in as the extern_uid (the SAML NameID
// link) but RFC 7643 §3.1 forbids the service provider to make an
// externalId up. Package identity writes that member; every other stored
// document has no "externalId" member at all.
func HasExternalID(doc map[string]any) bool {
	v, ok := doc["externalId"]
	return !ok || v != nil
}

// Document calls set for each member of the stored document doc that the
// resource has, and returns doc's "meta" (its exact spelling winning over
// another), nil when it has none. The values are doc's.
func Document(doc map[string]any, set func(name string, value any)) (meta any) {
	exactMeta := false
	for k, v := range doc {
		if !scimjson.NameIs(k, "id", "externalId", "active", "meta") {
			set(k, v)
			continue
		}
		if !exactMeta && strings.EqualFold(k, "meta") {
			exactMeta = k == "meta"
			if exactMeta || meta == nil {
				meta = v
			}
		}
	}
	return meta
}

// Meta calls set for each member of the document's meta (Document's
// result) that the resource's meta keeps.
func Meta(docMeta any, set func(name string, value any)) {
	m, _ := docMeta.(map[string]any)
	for k, v := range m {
		if !scimjson.NameIs(k, "resourceType", "created", "lastModified") {
			set(k, v)
		}
	}
}

// Times returns meta's "created" and "lastModified": created and updated
// in RFC 3339 with nanoseconds, UTC, "" for a zero time (which meta leaves
// out). Both are formatted into one string, and an identity never modified
// (updated equal to created) has the one value for both.
func Times(created, updated time.Time) (c, m string) {
	var buf [2 * len(time.RFC3339Nano)]byte
	b := buf[:0]
	if !created.IsZero() {
		b = created.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	n := len(b)
	same := n > 0 && updated.Round(0).Equal(created.Round(0))
	if !updated.IsZero() && !same {
		b = updated.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	str := string(b)
	c, m = str[:n], str[n:]
	if same {
		m = c
	}
	return c, m
}
