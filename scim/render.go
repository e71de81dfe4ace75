package scim

import (
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// renderRFC renders a SCIM identity in the RFC profile: the stored
// document with id (the server's UUID), externalId (the extern_uid),
// active and meta (resourceType, created, lastModified, location, version)
// from the identity, and schemas naming the core schema and any extension
// present. The result shares nested values with the stored document.
func renderRFC(s *store.SCIMIdentity, location string) map[string]any {
	doc := s.Resource()
	if meta, ok := doc["meta"].(map[string]any); ok {
		meta["location"] = location
		meta["version"] = etag(s.Version)
	}
	schemas := []any{filter.UserURN}
	if list, ok := doc["schemas"].([]any); ok {
		schemas = schemas[:0]
		for _, v := range list {
			if str, ok := v.(string); ok {
				schemas = append(schemas, str)
			}
		}
		if !schemasHave(schemas, filter.UserURN) {
			schemas = append([]any{filter.UserURN}, schemas...)
		}
	}
	for k := range doc {
		if strings.EqualFold(k, filter.EnterpriseUserURN) && !schemasHave(schemas, filter.EnterpriseUserURN) {
			schemas = append(schemas, filter.EnterpriseUserURN)
		}
		if strings.EqualFold(k, "password") {
			delete(doc, k)
		}
	}
	doc["schemas"] = schemas
	return doc
}

// contentType picks the response media type: application/scim+json
// (RFC 7644 §3.1) unless the client accepts only application/json, as
// OneLogin asks.
func contentType(r *http.Request) string {
	acc := r.Header.Get("Accept")
	if acc != "" && strings.Contains(acc, "application/json") && !strings.Contains(acc, "application/scim+json") && !strings.Contains(acc, "*/*") {
		return "application/json; charset=utf-8"
	}
	return "application/scim+json; charset=utf-8"
}

// writeJSON encodes v (see appendJSON) as the response body.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	b, err := appendJSON(make([]byte, 0, 1024), v, true)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType(r))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return nil
}

// writeBody writes a pre-encoded JSON body.
func writeBody(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	w.Header().Set("Content-Type", contentType(r))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
