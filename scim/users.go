package scim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/scim/internal/jsondoc"
	"github.com/scimkit/scimkit/store"
)

// maxIDLen bounds a resource id in a path.
const maxIDLen = 255

// createUser serves POST /Users (RFC 7644 §3.3).
func (h *Handler) createUser(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	proj, err := h.queryProjection(t, h.rt)
	if err != nil {
		return err
	}
	doc, err := h.readUser(r)
	if err != nil {
		return err
	}
	res, err := h.prov.Provision(ctx, t.id, doc) // doc is the provisioner's now
	if err != nil {
		return err
	}
	return h.writeUser(w, r, t, res.Identity, http.StatusCreated, proj)
}

// readUser reads a User document from the body, with canonical attribute
// names, without the attributes a client cannot set (RFC 7643 §7
// mutability readOnly: id and meta are the server's) and without
// write-only ones, which are never stored (password).
func (h *Handler) readUser(r *http.Request) (map[string]any, error) {
	doc, err := h.readObject(r)
	if err != nil {
		return nil, err
	}
	if err := canonicalize(doc, h.rt); err != nil {
		return nil, err
	}
	if s, ok := doc["schemas"]; ok {
		list, ok := s.([]any)
		if !ok || !schemasHave(list, schema.UserURN) {
			return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "schemas must be an array containing %q", schema.UserURN)
		}
	}
	for k := range doc {
		if k == "meta" || k == "id" {
			delete(doc, k)
			continue
		}
		// canonicalize spelled k as the schema does: findAttr finds it
		// without folding case.
		if a := findAttr(h.rt.Schema.Attributes, k); a != nil && (a.Mutability == schema.MutabilityWriteOnly || a.Returned == schema.ReturnedNever) {
			delete(doc, k)
		}
	}
	return doc, nil
}

// resourceID returns the {id} path value, validated: ids are at most 255
// bytes of valid UTF-8 without control characters or "/". An id that
// cannot exist is answered 404.
func resourceID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxIDLen || !utf8.ValidString(id) || strings.ContainsFunc(id, func(c rune) bool {
		return c < 0x20 || c == 0x7f || c == '/'
	}) {
		return "", errorf(http.StatusNotFound, "", "Resource %s not found", truncate(id, 64))
	}
	return id, nil
}

// routeID is resourceID for the RFC profile's /Users/{id} and
// /Groups/{id} routes. /Users/.search and /Groups/.search are the search
// endpoints (RFC 7644 §3.4.3), served for POST only: the {id} pattern
// catches their other methods, which get 405.
func routeID(r *http.Request) (string, error) {
	if r.PathValue("id") == ".search" {
		return "", &Error{Status: http.StatusMethodNotAllowed, Detail: "method " + r.Method + " not allowed", allow: http.MethodPost}
	}
	return resourceID(r)
}

// getUser serves GET /Users/{id} (RFC 7644 §3.4.1).
func (h *Handler) getUser(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := routeID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(t, h.rt)
	if err != nil {
		return err
	}
	res, err := h.prov.Get(ctx, t.id, id)
	if err != nil {
		return err
	}
	if done, err := readConditions(w, r, res.Identity.Version); done || err != nil {
		return err
	}
	return h.writeUser(w, r, t, res.Identity, http.StatusOK, proj)
}

// listUsers serves GET /Users (RFC 7644 §3.4.2).
func (h *Handler) listUsers(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	p, err := h.listParamsFromQuery(t.query, h.rt)
	if err != nil {
		return err
	}
	return h.list(ctx, w, r, t, p)
}

// searchUsers serves POST /Users/.search (RFC 7644 §3.4.3).
func (h *Handler) searchUsers(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	p, err := h.readSearch(r, h.rt)
	if err != nil {
		return err
	}
	return h.list(ctx, w, r, t, p)
}

// readSearch reads the SearchRequest body of a POST /.search on the
// resources of type rt (RFC 7644 §3.4.3).
func (h *Handler) readSearch(r *http.Request, rt *schema.ResourceType) (*listParams, error) {
	var req searchRequest
	if err := h.readJSON(r, &req); err != nil {
		return nil, searchError(err)
	}
	return h.listParamsFromSearch(&req, rt)
}

// storeQuery turns validated list parameters into the store query of a
// list of resources of type rt: the filter parsed and compiled against rt,
// the sort path checked.
func (h *Handler) storeQuery(p *listParams, rt *schema.ResourceType) (store.Query, error) {
	q := store.Query{StartIndex: p.startIndex, Count: p.count, SortBy: p.sortBy}
	if p.descending {
		q.SortOrder = store.Descending
	}
	if strings.TrimSpace(p.filter) != "" {
		// The full RFC 7644 filter language, with Entra ID's sub-attribute
		// comparison after a value filter turned on.
		parser := filter.Parser{SubAttributeComparison: true}
		e, err := parser.Parse(p.filter)
		if err != nil {
			return q, err
		}
		var opts []filter.CompileOption
		if h.cfg.strict {
			opts = append(opts, filter.Strict())
		}
		if _, err := filter.Compile(e, rt, opts...); err != nil {
			return q, err
		}
		q.Filter = e
	}
	if p.sortBy != "" {
		if path, err := filter.ParsePath(p.sortBy); err != nil || path.Filter != nil {
			// RFC 7644 §3.4.2.3: sortBy is an attribute path; a value
			// filter selects values, it does not name what to sort on.
			return q, errorf(http.StatusBadRequest, TypeInvalidValue, "sortBy %q is not an attribute path", truncate(p.sortBy, 64))
		}
	}
	if p.count == 0 {
		// RFC 7644 §3.4.2.4: count 0 asks for totalResults only.
		q.Count = -1
	}
	return q, nil
}

// list runs a validated query and writes the ListResponse.
func (h *Handler) list(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant, p *listParams) error {
	q, err := h.storeQuery(p, h.rt)
	if err != nil {
		return err
	}
	page, err := h.prov.List(ctx, t.id, q)
	if err != nil {
		return err
	}
	return h.writeList(w, r, p, page.Total, len(page.Results), func(b []byte, i int) ([]byte, error) {
		s := page.Results[i].Identity
		return h.encodeUser(b, s, t.userLocation(s.ID), etag(s.Version), p.projection)
	})
}

// writeList writes the ListResponse of a page of n resources out of total
// (RFC 7644 §3.4.2): encode appends the i-th resource of the page to b.
// With count 0 the page is left out (totalResults only). The resources are
// encoded one after the other into one buffer, each a slice of it.
func (h *Handler) writeList(w http.ResponseWriter, r *http.Request, p *listParams, total, n int, encode func(b []byte, i int) ([]byte, error)) error {
	if p.count == 0 {
		n = 0
	}
	resp := listResponse{
		Schemas:      []string{ListResponseURN},
		Resources:    make([]any, n),
		ItemsPerPage: n,
		StartIndex:   p.startIndex,
		TotalResults: total,
	}
	buf := h.bufs.get()
	defer h.bufs.put(buf)
	b := (*buf)[:0]
	for i := range n {
		start := len(b)
		var err error
		if b, err = encode(b, i); err != nil {
			return err
		}
		resp.Resources[i] = json.RawMessage(b[start:len(b):len(b)])
	}
	*buf = b
	return writeJSON(w, r, http.StatusOK, resp)
}

// replaceUser serves PUT /Users/{id} (RFC 7644 §3.5.1): the document
// replaces the stored one, inside the atomic unit that checks If-Match.
func (h *Handler) replaceUser(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := routeID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(t, h.rt)
	if err != nil {
		return err
	}
	doc, err := h.readUser(r)
	if err != nil {
		return err
	}
	ifMatch, err := h.ifMatch(ctx, r, t, id)
	if err != nil {
		return err
	}
	res, err := h.prov.Replace(ctx, t.id, id, ifMatch, doc)
	if err != nil {
		return err
	}
	return h.writeUser(w, r, t, res.Identity, http.StatusOK, proj)
}

// patchUser serves PATCH /Users/{id} (RFC 7644 §3.5.2): patch.Apply runs on
// the stored resource inside the atomic unit that checks If-Match.
func (h *Handler) patchUser(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := routeID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(t, h.rt)
	if err != nil {
		return err
	}
	req, err := h.readPatch(r)
	if err != nil {
		return err
	}
	ifMatch, err := h.ifMatch(ctx, r, t, id)
	if err != nil {
		return err
	}
	// The resource Modify hands over is the call's own, which patch.Apply
	// may take. The result is stored without meta and id, and as patch
	// writes the names it sets in the schema's spelling and the stored
	// document is canonical, it needs no canonicalize pass
	// (TestPatchWritesCanonicalNames).
	res, err := h.prov.Modify(ctx, t.id, id, ifMatch, func(cur map[string]any) (map[string]any, error) {
		next, _, err := patch.Apply(cur, req.Operations, h.rt)
		return next, err
	})
	if err != nil {
		return err
	}
	// RFC 7644 §3.5.2 allows 204 instead of the resource; a client asks
	// for it with "Prefer: return=minimal" (RFC 7240).
	if prefer(r, "return=minimal") {
		setHeader(w, headerETag, etag(res.Identity.Version))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return h.writeUser(w, r, t, res.Identity, http.StatusOK, proj)
}

// deleteUser serves DELETE /Users/{id} (RFC 7644 §3.6): the identity is
// deprovisioned (the account is kept) and gone for good, out of every IdP
// group, inside the atomic unit that checks If-Match
// (identity.Provisioner.Delete).
func (h *Handler) deleteUser(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := routeID(r)
	if err != nil {
		return err
	}
	ifMatch, err := h.ifMatch(ctx, r, t, id)
	if err != nil {
		return err
	}
	if _, err := h.prov.Delete(ctx, t.id, id, ifMatch); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// queryProjection reads the attributes and excludedAttributes parameters
// of a request on a resource of type rt, which apply to every response
// carrying a resource (RFC 7644 §3.9). It runs before any write, so a
// malformed list changes nothing.
func (h *Handler) queryProjection(t *tenant, rt *schema.ResourceType) (projection, error) {
	q := t.query
	if len(q) == 0 {
		return projection{}, nil
	}
	attrs, _ := queryValue(q, "attributes")
	excl, _ := queryValue(q, "excludedAttributes")
	return newProjection(rt, splitList(attrs), splitList(excl))
}

// prefer reports whether the request's Prefer header (RFC 7240) holds
// preference, such as "return=minimal".
func prefer(r *http.Request, preference string) bool {
	for _, v := range r.Header.Values("Prefer") {
		for p := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), preference) {
				return true
			}
		}
	}
	return false
}

// ifMatch is writeVersion for the User id of the tenant.
func (h *Handler) ifMatch(ctx context.Context, r *http.Request, t *tenant, id string) (int64, error) {
	return writeVersion(r, func() (int64, error) {
		cur, err := h.prov.Get(ctx, t.id, id)
		if err != nil {
			return 0, err
		}
		return cur.Identity.Version, nil
	})
}

// writeUser writes the resource of s, projected, with its ETag and, on
// 201, Location.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, t *tenant, s *store.SCIMIdentity, status int, proj projection) error {
	loc, tag := t.userLocation(s.ID), etag(s.Version)
	buf := h.bufs.get()
	defer h.bufs.put(buf)
	b, err := h.encodeUser((*buf)[:0], s, loc, tag, proj)
	if err != nil {
		return err
	}
	*buf = b
	setHeader(w, headerETag, tag)
	if status == http.StatusCreated {
		setHeader(w, headerLocation, loc)
	}
	writeBody(w, r, status, b)
	return nil
}

// encodeUser appends the JSON of s's resource, at loc with ETag tag,
// projected, to dst. Resources are encoded by jsondoc: encoding/json's
// reflection on maps kept GET /Users/{id} below its floor
// (benchmarks/scim_test.go).
func (h *Handler) encodeUser(dst []byte, s *store.SCIMIdentity, loc, tag string, proj projection) (json.RawMessage, error) {
	// Room for the members of a usual resource.
	var buf [16]jsondoc.Member
	res := userResource(buf[:], s, loc, tag)
	if proj.empty() {
		return jsondoc.AppendObject(dst, res)
	}
	return jsondoc.Append(dst, proj.apply(res.Map(), h.rt))
}
