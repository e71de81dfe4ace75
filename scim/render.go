package scim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/schema"
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
	schemas := []any{schema.UserURN}
	if list, ok := doc["schemas"].([]any); ok {
		schemas = schemas[:0]
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
			schemas = append(schemas, schema.EnterpriseUserURN)
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
	setHeader(w, headerContentType, contentType(r))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return nil
}

// writeBody writes a pre-encoded JSON body.
func writeBody(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	setHeader(w, headerContentType, contentType(r))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// appendUser encodes renderRFC's document without building it: the same
// bytes appendJSON(renderRFC(s, t.userLocation(s.ID)), true) gives
// (render_test.go checks it). ok is false, and nothing is appended, for a
// stored document with a "meta" member, which renderRFC merges.
func (rfcProfile) appendUser(b []byte, s *store.SCIMIdentity, t *tenant) ([]byte, bool, error) {
	var buf [24]string
	keys := buf[:0]
	hasUserName, hasExt := false, false
	schemas, schemasOK := s.Document["schemas"].([]any)
	var lower [64]byte
	for k := range s.Document {
		switch string(foldKey(&lower, k)) {
		case "meta":
			return b, false, nil
		case "id", "externalid", "active", "password":
			continue
		case "schemas":
			if k != "schemas" {
				return b, false, nil
			}
			continue
		case enterpriseUserURNLower:
			hasExt = true
		}
		if k == "userName" {
			hasUserName = true
			continue
		}
		keys = append(keys, k)
	}
	keys = append(keys, "active")
	slices.Sort(keys)

	b = append(b, `{"schemas":[`...)
	n := 0
	addSchema := func(v string) {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
		n++
	}
	var lbuf [4]string
	list := lbuf[:0]
	if schemasOK {
		for _, v := range schemas {
			if str, ok := v.(string); ok {
				list = append(list, str)
			}
		}
	}
	if !schemasOK || !containsFold(list, schema.UserURN) {
		addSchema(schema.UserURN)
	}
	for _, v := range list {
		addSchema(v)
	}
	if hasExt && !containsFold(list, schema.EnterpriseUserURN) {
		addSchema(schema.EnterpriseUserURN)
	}
	b = append(b, `],"id":`...)
	b = appendString(b, s.ID)
	b = append(b, `,"externalId":`...)
	b = appendString(b, s.ExternUID)
	var err error
	if hasUserName {
		b = append(b, `,"userName":`...)
		if b, err = appendJSON(b, s.Document["userName"], false); err != nil {
			return nil, false, err
		}
	}
	for _, k := range keys {
		b = append(b, ',')
		b = appendString(b, k)
		b = append(b, ':')
		if k == "active" {
			b = strconv.AppendBool(b, s.Active)
			continue
		}
		if b, err = appendJSON(b, s.Document[k], false); err != nil {
			return nil, false, err
		}
	}
	b = append(b, `,"meta":{`...)
	// An RFC 3339 time has no character JSON escapes.
	if !s.Created.IsZero() {
		b = append(b, `"created":"`...)
		b = s.Created.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	if !s.Updated.IsZero() {
		b = append(b, `"lastModified":"`...)
		b = s.Updated.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	// The location, t.userLocation(s.ID), escaped piece by piece (see
	// appendEscaped: the path-escaped id is ASCII).
	b = append(b, `"location":"`...)
	b = appendEscaped(b, t.base)
	b = append(b, "/Users/"...)
	b = appendEscaped(b, url.PathEscape(s.ID))
	b = append(b, '"')
	b = append(b, `,"resourceType":"User","version":`...)
	b = appendETagJSON(b, s.Version)
	b = append(b, "}}"...)
	return b, true, nil
}

// enterpriseUserURNLower is strings.ToLower(schema.EnterpriseUserURN), a
// constant so that a switch does not compute it again for every key.
const enterpriseUserURNLower = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"

// foldKey returns strings.ToLower(k) as bytes, in buf when k is ASCII and
// fits (a switch on string(foldKey(...)) then allocates nothing, where
// strings.ToLower allocates for every name with a capital letter).
func foldKey(buf *[64]byte, k string) []byte {
	if len(k) > len(buf) {
		return []byte(strings.ToLower(k))
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= utf8.RuneSelf {
			return []byte(strings.ToLower(k))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(k)]
}
