package scim

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
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
	// doc is not used after the call: the identity may keep it.
	res, err := h.prov.ProvisionOwned(ctx, t.id, doc)
	if err != nil {
		return err
	}
	return h.writeUser(w, r, t, res, http.StatusCreated, proj)
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
		if k == "meta" || k == "id" && !h.prof.rules().IDIsExternUID {
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
	var res identity.Result
	if err := h.getForRender(ctx, t, id, &res); err != nil {
		return err
	}
	if h.prof.etags() {
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
	}
	return h.writeUser(w, r, t, &res, http.StatusOK, proj)
}

// getForRender reads the User id of tenant t into res, for writeUser (res
// is the caller's, so that it may stay on the stack). The RFC profile
// renders the SCIM identity alone, so it is read without the account and
// membership (identity.Provisioner.GetIdentity); another profile gets the
// whole identity.Result.
func (h *Handler) getForRender(ctx context.Context, t *tenant, id string, res *identity.Result) error {
	if _, ok := h.prof.(rfcProfile); !ok {
		full, err := h.prov.Get(ctx, t.id, id)
		if err != nil {
			return err
		}
		*res = *full
		return nil
	}
	s, err := h.prov.GetIdentity(ctx, t.id, id)
	if err != nil {
		return err
	}
	*res = identity.Result{Identity: s}
	return nil
}

// listUsers serves GET /Users (RFC 7644 §3.4.2).
func (h *Handler) listUsers(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	q := r.URL.Query()
	p, err := h.listParamsFromQuery(q)
	if err != nil {
		return err
	}
	start, _ := queryValue(q, "startIndex")
	return h.list(ctx, w, r, t, p, start)
}

// searchUsers serves POST /Users/.search (RFC 7644 §3.4.3).
func (h *Handler) searchUsers(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	obj, err := h.readObject(r)
	if err != nil {
		return err
	}
	p, err := h.listParamsFromBody(obj)
	if err != nil {
		return err
	}
	return h.list(ctx, w, r, t, p, "")
}

// list runs a validated query and writes the ListResponse.
func (h *Handler) list(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant, p *listParams, rawStart string) error {
	q := store.Query{StartIndex: p.startIndex, Count: p.count, SortBy: p.sortBy}
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
	// The ListResponse is written member by member, in the order the
	// map encoding of appendJSON would give, so that each resource can
	// take the encoder's fast path.
	buf := h.bufs.get()
	defer h.bufs.put(buf)
	b := append(*buf, `{"schemas":["`+ListResponseURN+`"],"Resources":[`...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = h.appendUser(b, it, t, p.projection); err != nil {
			return err
		}
	}
	b = append(b, `],"itemsPerPage":`...)
	b = strconv.AppendInt(b, int64(len(items)), 10)
	b = append(b, `,"startIndex":`...)
	if b, err = appendJSON(b, h.prof.listStartIndex(p, rawStart), false); err != nil {
		return err
	}
	b = append(b, `,"totalResults":`...)
	b = strconv.AppendInt(b, int64(page.Total), 10)
	b = append(b, '}')
	*buf = b
	writeBody(w, r, http.StatusOK, b)
	return nil
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
	return h.writeUser(w, r, t, res, http.StatusOK, proj)
}

// patchUser serves PATCH /Users/{id} (RFC 7644 §3.5.2): patch.Apply
// runs on the stored resource inside the atomic unit.
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
	// ModifyShared hands over a map made for this call whose objects and
	// arrays are the stored document's; patch.Apply takes ownership of
	// the resource it patches, so it gets a deep copy of its own.
	// An operation that may reach "meta" (one without a path, whose value
	// may name it, or one whose path mentions it) is evaluated against the
	// full resource; the others do not need meta's times formatted.
	mutate := func(cur map[string]any) (map[string]any, error) {
		next, _, err := patch.Apply(store.CloneDocument(cur), req.Operations, h.rt)
		if err != nil {
			return nil, err
		}
		delete(next, "meta")
		if !h.prof.rules().IDIsExternUID {
			delete(next, "id")
		}
		// No canonicalize pass: the stored document is canonical (POST
		// and PUT canonicalize what they store), and patch writes the
		// names it sets as the schema spells them
		// (TestPatchWritesCanonicalNames).
		return next, nil
	}
	var res *identity.Result
	if patchMayReachMeta(req.Operations) {
		res, err = h.prov.ModifyShared(ctx, t.id, id, ifMatch, mutate)
	} else {
		res, err = h.prov.ModifySharedWithoutMeta(ctx, t.id, id, ifMatch, mutate)
	}
	if err != nil {
		return err
	}
	// RFC 7644 §3.5.2 allows 204 instead of the resource; a client asks
	// for it with "Prefer: return=minimal" (RFC 7240).
	if h.prof.patchNoContent() || preferMinimal(r) {
		if h.prof.etags() {
			setHeader(w, headerETag, etag(res.Identity.Version))
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return h.writeUser(w, r, t, res, http.StatusOK, proj)
}

// deleteUser serves DELETE /Users/{id} (RFC 7644 §3.6): the identity is
// deprovisioned (the account is kept) and, in the RFC profile, hidden.
func (h *Handler) deleteUser(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	// identity.Delete takes no version: preconditions are checked against
	// a read just before (not atomically with the delete).
	if pre := readPreconditions(r); h.prof.etags() && !pre.none() {
		cur, err := h.prov.GetIdentity(ctx, t.id, id)
		if err != nil {
			return err
		}
		if err := pre.check(cur.Version); err != nil {
			return err
		}
	}
	if _, err := h.prov.Delete(ctx, t.id, id); err != nil {
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
	if !h.prof.etags() || pre.none() {
		return 0, nil
	}
	if pre.ifNoneMatch == nil && len(pre.ifMatch) == 1 && pre.ifMatch[0] != "*" {
		v, ok := parseETag(pre.ifMatch[0])
		if !ok {
			return 0, errorf(http.StatusPreconditionFailed, "", "If-Match %s does not match the resource", truncate(pre.ifMatch[0], 64))
		}
		return v, nil
	}
	cur, err := h.prov.GetIdentity(ctx, t.id, id)
	if err != nil {
		return 0, err
	}
	v := cur.Version
	if err := pre.check(v); err != nil {
		return 0, err
	}
	return v, nil
}

// userLocation returns the absolute URL of the User id of the tenant.
func (t *tenant) userLocation(id string) string {
	return t.base + "/Users/" + url.PathEscape(id)
}

// render returns the resource document of s, whose URL is loc, as the
// client sees it.
func (h *Handler) render(res *identity.Result, loc string, proj projection) map[string]any {
	doc := h.prof.user(res.Identity, res.User, loc)
	return proj.apply(doc, h.rt)
}

// writeUser writes one resource with its ETag and, on 201, Location.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, t *tenant, res *identity.Result, status int, proj projection) error {
	s := res.Identity
	buf := h.bufs.get()
	defer h.bufs.put(buf)
	b, err := h.appendUser(*buf, res, t, proj)
	if err != nil {
		return err
	}
	*buf = b
	if h.prof.etags() {
		setHeader(w, headerETag, etag(s.Version))
	}
	if status == http.StatusCreated {
		setHeader(w, headerLocation, t.userLocation(s.ID))
	}
	writeBody(w, r, status, b)
	return nil
}

// appendUser appends the encoded resource of tenant t. Without a
// projection, a profile that can encode a resource directly
// (rfcProfile.appendUser) skips building the document.
func (h *Handler) appendUser(b []byte, res *identity.Result, t *tenant, proj projection) ([]byte, error) {
	if fast, ok := h.prof.(interface {
		appendUser(b []byte, s *store.SCIMIdentity, t *tenant) ([]byte, bool, error)
	}); ok && proj.empty() {
		out, ok, err := fast.appendUser(b, res.Identity, t)
		if ok || err != nil {
			return out, err
		}
	}
	return appendJSON(b, h.render(res, t.userLocation(res.Identity.ID), proj), true)
}

// bodyError maps a failure to read the body.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return errorf(http.StatusBadRequest, TypeInvalidSyntax, "reading the request body failed")
}

// patchMayReachMeta reports whether an operation of ops may read or write
// the resource's "meta": one without a path, or one whose path holds
// "meta" in any case anywhere (a filter or URN included, to be safe).
func patchMayReachMeta(ops []patch.Operation) bool {
	for _, op := range ops {
		if op.Path == "" || hasFold(op.Path, "meta") {
			return true
		}
	}
	return false
}

// hasFold reports whether s contains sub, ASCII case-insensitively,
// without allocating as strings.ToLower would.
func hasFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
