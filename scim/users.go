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
	proj, err := h.queryProjection(r)
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

// userID is resourceID for the RFC profile's /Users/{id} routes.
// /Users/.search is the search endpoint (RFC 7644 §3.4.3), served for POST
// only: the {id} pattern catches its other methods, which get 405.
func userID(r *http.Request) (string, error) {
	if r.PathValue("id") == ".search" {
		return "", &Error{Status: http.StatusMethodNotAllowed, Detail: "method " + r.Method + " not allowed", allow: http.MethodPost}
	}
	return resourceID(r)
}

// getUser serves GET /Users/{id} (RFC 7644 §3.4.1).
func (h *Handler) getUser(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(r)
	if err != nil {
		return err
	}
	res, err := h.prov.Get(ctx, t.id, id)
	if err != nil {
		return err
	}
	v := res.Identity.Version
	pre := readPreconditions(r)
	if pre.ifNoneMatch != nil && matchTag(pre.ifNoneMatch, etag(v)) {
		setHeader(w, headerETag, etag(v))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if pre.ifMatch != nil && !matchTag(pre.ifMatch, etag(v)) {
		return pre.check(v)
	}
	return h.writeUser(w, r, t, res.Identity, http.StatusOK, proj)
}

// listUsers serves GET /Users (RFC 7644 §3.4.2).
func (h *Handler) listUsers(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	p, err := h.listParamsFromQuery(r.URL.Query())
	if err != nil {
		return err
	}
	return h.list(ctx, w, r, t, p)
}

// searchUsers serves POST /Users/.search (RFC 7644 §3.4.3).
func (h *Handler) searchUsers(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	var req searchRequest
	if err := h.readJSON(r, &req); err != nil {
		return searchError(err)
	}
	p, err := h.listParamsFromSearch(&req)
	if err != nil {
		return err
	}
	return h.list(ctx, w, r, t, p)
}

// list runs a validated query and writes the ListResponse.
func (h *Handler) list(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant, p *listParams) error {
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
			return err
		}
		var opts []filter.CompileOption
		if h.cfg.strict {
			opts = append(opts, filter.Strict())
		}
		if _, err := filter.Compile(e, h.rt, opts...); err != nil {
			return err
		}
		q.Filter = e
	}
	if p.sortBy != "" {
		if path, err := filter.ParsePath(p.sortBy); err != nil || path.Filter != nil {
			// RFC 7644 §3.4.2.3: sortBy is an attribute path; a value
			// filter selects values, it does not name what to sort on.
			return errorf(http.StatusBadRequest, TypeInvalidValue, "sortBy %q is not an attribute path", truncate(p.sortBy, 64))
		}
	}
	if p.count == 0 {
		// RFC 7644 §3.4.2.4: count 0 asks for totalResults only.
		q.Count = -1
	}
	page, err := h.prov.List(ctx, t.id, q)
	if err != nil {
		return err
	}
	items := page.Results
	if p.count == 0 {
		items = nil
	}
	resp := listResponse{
		Schemas:      []string{ListResponseURN},
		Resources:    make([]any, len(items)),
		ItemsPerPage: len(items),
		StartIndex:   p.startIndex,
		TotalResults: page.Total,
	}
	// The resources are encoded one after the other into one buffer, each
	// a slice of it.
	buf := h.bufs.get()
	defer h.bufs.put(buf)
	b := (*buf)[:0]
	for i, it := range items {
		s, start := it.Identity, len(b)
		if b, err = h.encodeUser(b, s, t.userLocation(s.ID), etag(s.Version), p.projection); err != nil {
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
	id, err := userID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(r)
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
	id, err := userID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(r)
	if err != nil {
		return err
	}
	buf, err := h.readBody(r)
	if err != nil {
		return err
	}
	req, err := decodePatch(*buf, h.cfg.maxDepth)
	h.bufs.put(buf)
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
	if preferMinimal(r) {
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
	id, err := userID(r)
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

// queryProjection reads the attributes and excludedAttributes parameters,
// which apply to every response carrying a resource (RFC 7644 §3.9). It
// runs before any write, so a malformed list changes nothing.
func (h *Handler) queryProjection(r *http.Request) (projection, error) {
	if r.URL.RawQuery == "" {
		return projection{}, nil
	}
	q := r.URL.Query()
	attrs, _ := queryValue(q, "attributes")
	excl, _ := queryValue(q, "excludedAttributes")
	return newProjection(h.rt, splitList(attrs), splitList(excl))
}

// preferMinimal reports whether the request has "Prefer: return=minimal".
func preferMinimal(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "return=minimal") {
				return true
			}
		}
	}
	return false
}

// ifMatch turns the If-Match and If-None-Match headers of a write into the
// version the provisioner checks inside its atomic unit (0: none). A single
// tag is passed through; "*", several tags and If-None-Match need the
// stored version, read first: the write then checks that version, so a
// concurrent change still fails with 412.
func (h *Handler) ifMatch(ctx context.Context, r *http.Request, t *tenant, id string) (int64, error) {
	pre := readPreconditions(r)
	if pre.none() {
		return 0, nil
	}
	if pre.ifNoneMatch == nil && len(pre.ifMatch) == 1 && pre.ifMatch[0] != "*" {
		v, ok := parseETag(pre.ifMatch[0])
		if !ok {
			return 0, errorf(http.StatusPreconditionFailed, "", "If-Match %s does not match the resource", truncate(pre.ifMatch[0], 64))
		}
		return v, nil
	}
	cur, err := h.prov.Get(ctx, t.id, id)
	if err != nil {
		return 0, err
	}
	v := cur.Identity.Version
	if err := pre.check(v); err != nil {
		return 0, err
	}
	return v, nil
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
