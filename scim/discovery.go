package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/scimkit/scimkit/schema"
)

// Schema URNs of the discovery resources (RFC 7643 §5, §6, §7).
const (
	ServiceProviderConfigURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeURN          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaURN                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// baseMarker stands for the group's base URL in precomputed documents; it
// is replaced when the document is written.
const baseMarker = "\u2063scimkit-base\u2063"

// discovery holds the discovery documents, encoded once at construction.
type discovery struct {
	spConfig      *splitDoc
	resourceTypes *splitDoc
	resourceType  map[string]*splitDoc // by lower-case name
	schemas       *splitDoc
	schema        map[string]*splitDoc // by lower-case URN
}

// splitDoc is a discovery document split around baseMarker, and the last
// document written from it: the same base (a handler for one group, or
// for one host) writes the same bytes again.
type splitDoc struct {
	parts [][]byte
	last  atomic.Pointer[joinedDoc]
}

// joinedDoc is a splitDoc with base in place of the markers.
type joinedDoc struct {
	base string
	body []byte
}

// newDiscovery precomputes the documents of the resource types rts, which
// it may change (advertise adjusts them to what the handler enforces).
// They describe what the handler really supports: PATCH, filter (with the
// page-size cap as maxResults), sort and ETags; no bulk, no password
// change; bearer tokens.
func newDiscovery(cfg *config, rts ...*schema.ResourceType) (*discovery, error) {
	d := &discovery{resourceType: map[string]*splitDoc{}, schema: map[string]*splitDoc{}}
	var err error
	sp := map[string]any{
		"schemas":          []string{ServiceProviderConfigURN},
		"documentationUri": "https://pkg.go.dev/github.com/scimkit/scimkit/scim",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": cfg.maxCount},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": true},
		"etag":             map[string]any{"supported": true},
		"authenticationSchemes": []any{map[string]any{
			"type":        "oauthbearertoken",
			"name":        "OAuth Bearer Token",
			"description": "Authentication with the group's SCIM token in an Authorization: Bearer header (RFC 6750)",
			"specUri":     "https://www.rfc-editor.org/rfc/rfc6750",
			"primary":     true,
		}},
		"meta": map[string]any{
			"resourceType": "ServiceProviderConfig",
			"location":     baseMarker + "/ServiceProviderConfig",
		},
	}
	if d.spConfig, err = encodeSplit(sp); err != nil {
		return nil, err
	}

	var types, all []any
	for _, rt := range rts {
		advertise(rt)
		rtDoc := resourceTypeDoc(rt)
		types = append(types, rtDoc)
		if d.resourceType[strings.ToLower(rt.Name)], err = encodeSplit(rtDoc); err != nil {
			return nil, err
		}
		for _, s := range append([]*schema.Schema{rt.Schema}, extSchemas(rt)...) {
			doc := schemaDoc(s)
			all = append(all, doc)
			if d.schema[strings.ToLower(s.ID)], err = encodeSplit(doc); err != nil {
				return nil, err
			}
		}
	}
	if d.resourceTypes, err = encodeSplit(listOf(types)); err != nil {
		return nil, err
	}
	if d.schemas, err = encodeSplit(listOf(all)); err != nil {
		return nil, err
	}
	return d, nil
}

func extSchemas(rt *schema.ResourceType) []*schema.Schema {
	var out []*schema.Schema
	for _, e := range rt.Extensions {
		out = append(out, e.Schema)
	}
	return out
}

// listOf wraps resources in a ListResponse.
func listOf(res []any) listResponse {
	return listResponse{
		Schemas:      []string{ListResponseURN},
		Resources:    res,
		ItemsPerPage: len(res),
		StartIndex:   1,
		TotalResults: len(res),
	}
}

// resourceTypeDoc renders RFC 7643 §6.
func resourceTypeDoc(rt *schema.ResourceType) map[string]any {
	exts := []any{}
	for _, e := range rt.Extensions {
		exts = append(exts, map[string]any{"schema": e.Schema.ID, "required": e.Required})
	}
	return map[string]any{
		"schemas":          []string{ResourceTypeURN},
		"id":               rt.ID,
		"name":             rt.Name,
		"endpoint":         rt.Endpoint,
		"description":      rt.Description,
		"schema":           rt.Schema.ID,
		"schemaExtensions": exts,
		"meta": map[string]any{
			"resourceType": "ResourceType",
			"location":     baseMarker + "/ResourceTypes/" + rt.ID,
		},
	}
}

// schemaDoc renders RFC 7643 §7.
func schemaDoc(s *schema.Schema) map[string]any {
	attrs := make([]any, 0, len(s.Attributes))
	for _, a := range s.Attributes {
		// The common attributes (id, externalId, meta) are described by
		// RFC 7643 §3.1, not in the schema's attribute list (§8.7.1).
		switch a.Name {
		case "id", "externalId", "meta":
			if s.ID == schema.UserURN || s.ID == schema.GroupURN {
				continue
			}
		}
		attrs = append(attrs, attributeDoc(a))
	}
	return map[string]any{
		"schemas":     []string{SchemaURN},
		"id":          s.ID,
		"name":        s.Name,
		"description": s.Description,
		"attributes":  attrs,
		"meta": map[string]any{
			"resourceType": "Schema",
			"location":     baseMarker + "/Schemas/" + s.ID,
		},
	}
}

func attributeDoc(a *schema.Attribute) map[string]any {
	m := map[string]any{
		"name":        a.Name,
		"type":        string(a.Type),
		"multiValued": a.MultiValued,
		"description": a.Description,
		"required":    a.Required,
		"mutability":  string(a.Mutability),
		"returned":    string(a.Returned),
	}
	if a.Type != schema.TypeComplex && a.Type != schema.TypeBoolean {
		m["caseExact"] = a.CaseExact
		m["uniqueness"] = string(a.Uniqueness)
	}
	if len(a.CanonicalValues) > 0 {
		m["canonicalValues"] = a.CanonicalValues
	}
	if len(a.ReferenceTypes) > 0 {
		m["referenceTypes"] = a.ReferenceTypes
	}
	if len(a.SubAttributes) > 0 {
		subs := make([]any, 0, len(a.SubAttributes))
		for _, s := range a.SubAttributes {
			subs = append(subs, attributeDoc(s))
		}
		m["subAttributes"] = subs
	}
	return m
}

// encodeSplit encodes v and splits the result at each baseMarker.
func encodeSplit(v any) (*splitDoc, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &splitDoc{parts: bytes.Split(b, []byte(baseMarker))}, nil
}

// writeSplit writes a precomputed document with base in place of the
// markers. The markers stand inside JSON strings: base goes in escaped as
// encoding/json escapes a string, without the quotes.
func writeSplit(w http.ResponseWriter, r *http.Request, doc *splitDoc, base string) {
	if j := doc.last.Load(); j != nil && j.base == base {
		writeBody(w, r, http.StatusOK, j.body)
		return
	}
	q, _ := json.Marshal(base) // a string always encodes
	eb := q[1 : len(q)-1]
	n := 0
	for _, p := range doc.parts {
		n += len(p) + len(eb)
	}
	buf := make([]byte, 0, n)
	for i, p := range doc.parts {
		if i > 0 {
			buf = append(buf, eb...)
		}
		buf = append(buf, p...)
	}
	doc.last.Store(&joinedDoc{base: base, body: buf})
	writeBody(w, r, http.StatusOK, buf)
}

func (h *Handler) serviceProviderConfig(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	return serveDiscovery(w, r, t, h.discovery.spConfig)
}

func (h *Handler) resourceTypes(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	return serveDiscovery(w, r, t, h.discovery.resourceTypes)
}

func (h *Handler) resourceType(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	return serveNamed(w, r, t, h.discovery.resourceType, "resource type", r.PathValue("name"))
}

func (h *Handler) schemas(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	return serveDiscovery(w, r, t, h.discovery.schemas)
}

func (h *Handler) schema(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	return serveNamed(w, r, t, h.discovery.schema, "schema", r.PathValue("id"))
}

// serveDiscovery writes a discovery document, unless the request has a
// filter (an empty one is none, as on /Users): RFC 7644 §4 has the
// discovery endpoints answer one with 403, so that a client never takes
// the whole list for the entries that match, as it would if the filter
// were dropped.
func serveDiscovery(w http.ResponseWriter, r *http.Request, t *tenant, doc *splitDoc) error {
	if f, _ := queryValue(t.query, "filter"); strings.TrimSpace(f) != "" {
		return errorf(http.StatusForbidden, "", "the discovery endpoints do not filter (RFC 7644 §4): ask without a filter")
	}
	writeSplit(w, r, doc, t.base)
	return nil
}

// serveNamed writes the document named key (case-insensitively), or a
// 404, as serveDiscovery writes one.
func serveNamed(w http.ResponseWriter, r *http.Request, t *tenant, docs map[string]*splitDoc, what, key string) error {
	doc, ok := docs[strings.ToLower(key)]
	if !ok {
		return errorf(http.StatusNotFound, "", "%s %q not found", what, truncate(key, 128))
	}
	return serveDiscovery(w, r, t, doc)
}
