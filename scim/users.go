package scim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/store"
)

// maxIDLen bounds a resource id in a path.
const maxIDLen = 255

// createUser serves POST /Users (RFC 7644 §3.3).
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, t *tenant) error {
	doc, err := h.readUser(r)
	if err != nil {
		return err
	}
	s, created, err := h.be.provision(r.Context(), t.id, doc)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return h.writeUser(w, r, t, s, status, projection{})
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
		if !ok || !schemasHave(list, filter.UserURN) {
			return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "schemas must be an array containing %q", filter.UserURN)
		}
	}
	for k := range doc {
		if k == "meta" || k == "id" && !h.prof.rules().IDIsExternUID {
			delete(doc, k)
			continue
		}
		if a := h.rt.Schema.Attr(k); a != nil && (a.Mutability == filter.MutabilityWriteOnly || a.Returned == filter.ReturnedNever) {
			delete(doc, k)
		}
	}
	return doc, nil
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

// getUser serves GET /Users/{id} (RFC 7644 §3.4.1).
func (h *Handler) getUser(w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := resourceID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	attrs, _ := queryValue(q, "attributes")
	excl, _ := queryValue(q, "excludedAttributes")
	proj, err := newProjection(h.rt, splitList(attrs), splitList(excl))
	if err != nil {
		return err
	}
	s, err := h.be.get(r.Context(), t.id, id)
	if err != nil {
		return err
	}
	if h.prof.etags() {
		pre := readPreconditions(r)
		if pre.ifNoneMatch != nil && matchTag(pre.ifNoneMatch, etag(s.Version)) {
			w.Header().Set("ETag", etag(s.Version))
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		if pre.ifMatch != nil && !matchTag(pre.ifMatch, etag(s.Version)) {
			return pre.check(s.Version)
		}
	}
	return h.writeUser(w, r, t, s, http.StatusOK, proj)
}

// listUsers serves GET /Users (RFC 7644 §3.4.2).
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, t *tenant) error {
	p, err := h.listParamsFromQuery(r.URL.Query())
	if err != nil {
		return err
	}
	start, _ := queryValue(r.URL.Query(), "startIndex")
	return h.list(w, r, t, p, start)
}

// searchUsers serves POST /Users/.search (RFC 7644 §3.4.3).
func (h *Handler) searchUsers(w http.ResponseWriter, r *http.Request, t *tenant) error {
	obj, err := h.readObject(r)
	if err != nil {
		return err
	}
	p, err := h.listParamsFromBody(obj)
	if err != nil {
		return err
	}
	return h.list(w, r, t, p, "")
}

// list runs a validated query and writes the ListResponse.
func (h *Handler) list(w http.ResponseWriter, r *http.Request, t *tenant, p *listParams, rawStart string) error {
	q := store.Query{SkipDeleted: h.prof.rules().HideDeleted, StartIndex: p.startIndex, Count: p.count, SortBy: p.sortBy}
	if p.descending {
		q.SortOrder = store.Descending
	}
	if strings.TrimSpace(p.filter) != "" {
		e, err := h.prof.parseFilter(p.filter)
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
		if _, err := filter.ParsePath(p.sortBy); err != nil {
			return errorf(http.StatusBadRequest, TypeInvalidValue, "sortBy %q is not an attribute path", truncate(p.sortBy, 64))
		}
	}
	if p.count == 0 {
		// RFC 7644 §3.4.2.4: count 0 asks for totalResults only.
		q.Count = -1
	}
	items, total, err := h.be.list(r.Context(), t.id, q)
	if err != nil {
		return err
	}
	if p.count == 0 {
		items = nil
	}
	res := make([]any, 0, len(items))
	for _, s := range items {
		res = append(res, h.render(s, t, p.projection))
	}
	body := map[string]any{
		"schemas":      []string{ListResponseURN},
		"totalResults": total,
		"itemsPerPage": len(res),
		"startIndex":   h.prof.listStartIndex(p, rawStart),
		"Resources":    res,
	}
	return writeJSON(w, r, http.StatusOK, body)
}

// replaceUser serves PUT /Users/{id} (RFC 7644 §3.5.1): the document
// replaces the stored one, inside the atomic unit that checks If-Match.
func (h *Handler) replaceUser(w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := resourceID(r)
	if err != nil {
		return err
	}
	doc, err := h.readUser(r)
	if err != nil {
		return err
	}
	pre := readPreconditions(r)
	s, err := h.be.modify(r.Context(), t.id, id, func(cur *store.SCIMIdentity) (map[string]any, error) {
		if err := h.checkPre(pre, cur); err != nil {
			return nil, err
		}
		return doc, nil
	})
	if err != nil {
		return err
	}
	return h.writeUser(w, r, t, s, http.StatusOK, projection{})
}

// patchUser serves PATCH /Users/{id} (RFC 7644 §3.5.2): patch.Apply runs
// on a copy of the stored resource inside the atomic unit.
func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := resourceID(r)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	if err := precheck(data, h.cfg.maxDepth); err != nil {
		return err
	}
	req, err := patch.Decode(data)
	if err != nil {
		return err
	}
	pre := readPreconditions(r)
	s, err := h.be.modify(r.Context(), t.id, id, func(cur *store.SCIMIdentity) (map[string]any, error) {
		if err := h.checkPre(pre, cur); err != nil {
			return nil, err
		}
		next, _, err := patch.Apply(cur.Resource(), req.Operations, h.rt)
		if err != nil {
			return nil, err
		}
		delete(next, "meta")
		if !h.prof.rules().IDIsExternUID {
			delete(next, "id")
		}
		if err := canonicalize(next, h.rt); err != nil {
			return nil, err
		}
		return next, nil
	})
	if err != nil {
		return err
	}
	q := r.URL.Query()
	attrs, _ := queryValue(q, "attributes")
	excl, _ := queryValue(q, "excludedAttributes")
	if h.prof.patchNoContent() {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	proj, err := newProjection(h.rt, splitList(attrs), splitList(excl))
	if err != nil {
		proj = projection{}
	}
	return h.writeUser(w, r, t, s, http.StatusOK, proj)
}

// deleteUser serves DELETE /Users/{id} (RFC 7644 §3.6): the identity is
// deprovisioned (the account is kept) and, in the RFC profile, hidden.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := resourceID(r)
	if err != nil {
		return err
	}
	pre := readPreconditions(r)
	if err := h.be.remove(r.Context(), t.id, id, func(cur *store.SCIMIdentity) error {
		return h.checkPre(pre, cur)
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkPre checks If-Match / If-None-Match against the stored identity.
func (h *Handler) checkPre(pre preconditions, cur *store.SCIMIdentity) error {
	if !h.prof.etags() || pre.none() {
		return nil
	}
	return pre.check(cur.Version)
}

// render returns the resource document of s as the client sees it.
func (h *Handler) render(s *store.SCIMIdentity, t *tenant, proj projection) map[string]any {
	doc := h.prof.user(s, nil, t.base+"/Users/"+url.PathEscape(s.ID))
	return proj.apply(doc, h.rt)
}

// writeUser writes one resource with its ETag and, on 201, Location.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, t *tenant, s *store.SCIMIdentity, status int, proj projection) error {
	doc := h.render(s, t, proj)
	if h.prof.etags() {
		w.Header().Set("ETag", etag(s.Version))
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", t.base+"/Users/"+url.PathEscape(s.ID))
	}
	return writeJSON(w, r, status, doc)
}

// precheck applies the body checks of decodeObject to a body another
// package decodes (UTF-8, depth).
func precheck(data []byte, maxDepth int) error {
	if !utf8.Valid(data) {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body is not valid UTF-8")
	}
	return checkDepth(data, maxDepth)
}

// bodyError maps a failure to read the body.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return errorf(http.StatusBadRequest, TypeInvalidSyntax, "reading the request body failed")
}

// backend is what the handler needs from the provisioning layer; it is
// implemented over an *identity.Provisioner. Every method is one atomic
// store operation.
type backend interface {
	// authenticate checks token for the group at path ("" when the token
	// alone decides) and returns the group's id and path.
	authenticate(ctx context.Context, path, token string) (id, groupPath string, err error)
	// provision creates or links (POST); created is false when an existing
	// identity is returned.
	provision(ctx context.Context, groupID string, doc map[string]any) (s *store.SCIMIdentity, created bool, err error)
	// get returns one identity.
	get(ctx context.Context, groupID, id string) (*store.SCIMIdentity, error)
	// list answers a query.
	list(ctx context.Context, groupID string, q store.Query) ([]*store.SCIMIdentity, int, error)
	// modify replaces the document with what mutate returns, inside the
	// atomic unit; mutate sees the stored identity.
	modify(ctx context.Context, groupID, id string, mutate func(cur *store.SCIMIdentity) (map[string]any, error)) (*store.SCIMIdentity, error)
	// remove deprovisions (DELETE) after check accepts the stored identity.
	remove(ctx context.Context, groupID, id string, check func(cur *store.SCIMIdentity) error) error
}
