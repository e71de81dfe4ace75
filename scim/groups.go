package scim

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/scim/internal/jsondoc"
	"github.com/scimkit/scimkit/store"
)

// The Groups resource of the RFC profile (RFC 7643 §4.2, RFC 7644 §3): the
// groups an identity provider provisions (Entra ID's group provisioning,
// Okta's Group Push), kept by package identity as IdP groups of the tenant
// with their members as rows. A member is a User of the same tenant, named
// by its SCIM id. Reads and writes list the members only when the answer
// shows them (memberView), so that reading a group with
// excludedAttributes=members, as Entra ID does, or patching one, costs the
// same for a group of ten members as for one of a hundred thousand.

// createGroup serves POST /Groups (RFC 7644 §3.3).
func (h *Handler) createGroup(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	proj, err := h.queryProjection(t, h.grt)
	if err != nil {
		return err
	}
	doc, err := h.readGroup(r)
	if err != nil {
		return err
	}
	res, err := h.prov.CreateIdPGroup(ctx, t.id, doc, memberView(proj)) // doc is the provisioner's now
	if err != nil {
		return err
	}
	return h.writeGroup(w, r, t, res, http.StatusCreated, proj)
}

// readGroup reads a Group document from the body, with canonical attribute
// names. Its "schemas", when present, must name the core Group schema;
// other URNs beside it (Entra ID adds
// http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group)
// are kept. "id" and "meta" are the server's: the provisioner drops them.
func (h *Handler) readGroup(r *http.Request) (map[string]any, error) {
	doc, err := h.readObject(r)
	if err != nil {
		return nil, err
	}
	if err := canonicalize(doc, h.grt); err != nil {
		return nil, err
	}
	if s, ok := doc["schemas"]; ok {
		list, ok := s.([]any)
		if !ok || !schemasHave(list, schema.GroupURN) {
			return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "schemas must be an array containing %q", schema.GroupURN)
		}
	}
	return doc, nil
}

// getGroup serves GET /Groups/{id} (RFC 7644 §3.4.1).
func (h *Handler) getGroup(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := routeID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(t, h.grt)
	if err != nil {
		return err
	}
	res, err := h.prov.GetIdPGroup(ctx, t.id, id, memberView(proj))
	if err != nil {
		return err
	}
	if done, err := readConditions(w, r, res.Group.Version); done || err != nil {
		return err
	}
	return h.writeGroup(w, r, t, res, http.StatusOK, proj)
}

// listGroups serves GET /Groups (RFC 7644 §3.4.2).
func (h *Handler) listGroups(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	p, err := h.listParamsFromQuery(t.query, h.grt)
	if err != nil {
		return err
	}
	return h.groupList(ctx, w, r, t, p)
}

// searchGroups serves POST /Groups/.search (RFC 7644 §3.4.3).
func (h *Handler) searchGroups(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	p, err := h.readSearch(r, h.grt)
	if err != nil {
		return err
	}
	return h.groupList(ctx, w, r, t, p)
}

// groupList runs a validated query of the tenant's groups, through
// store.ListIdPGroups and its indexes (displayName, externalId, members'
// values), and writes the ListResponse.
func (h *Handler) groupList(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant, p *listParams) error {
	q, err := h.storeQuery(p, h.grt)
	if err != nil {
		return err
	}
	if err := membersByValue(q.Filter); err != nil {
		return err
	}
	page, err := h.prov.ListIdPGroups(ctx, t.id, q, memberView(p.projection))
	if err != nil {
		return err
	}
	return h.writeList(w, r, p, page.Total, len(page.Results), func(b []byte, i int) ([]byte, error) {
		return h.encodeGroup(b, page.Results[i], t, p.projection)
	})
}

// replaceGroup serves PUT /Groups/{id} (RFC 7644 §3.5.1). A document
// without "members" keeps the members (identity.Provisioner.ReplaceIdPGroup).
func (h *Handler) replaceGroup(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := routeID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(t, h.grt)
	if err != nil {
		return err
	}
	doc, err := h.readGroup(r)
	if err != nil {
		return err
	}
	ifMatch, err := h.groupIfMatch(ctx, r, t, id)
	if err != nil {
		return err
	}
	res, err := h.prov.ReplaceIdPGroup(ctx, t.id, id, ifMatch, doc, memberView(proj))
	if err != nil {
		return err
	}
	return h.writeGroup(w, r, t, res, http.StatusOK, proj)
}

// patchGroup serves PATCH /Groups/{id} (RFC 7644 §3.5.2): the operations
// on members become identity.MemberChanges, the others run through
// patch.Apply inside the provisioner's atomic unit (groupPatch), so that
// the members are never read into one array.
//
// The answer is 204 No Content with the new ETag, which RFC 7644 §3.5.2
// allows and Entra ID and Okta expect: the 200 alternative carries the
// entire resource, members included, which would read every member of a
// large group for each change of one. A client that wants the resource
// asks for it with "attributes" or "excludedAttributes" (then 200 with the
// resource as projected; excludedAttributes=members reads no member) or
// with "Prefer: return=representation" (RFC 7240).
func (h *Handler) patchGroup(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := routeID(r)
	if err != nil {
		return err
	}
	proj, err := h.queryProjection(t, h.grt)
	if err != nil {
		return err
	}
	req, err := h.readPatch(r)
	if err != nil {
		return err
	}
	ch, err := groupPatch(req.Operations, h.grt)
	if err != nil {
		return err
	}
	ifMatch, err := h.groupIfMatch(ctx, r, t, id)
	if err != nil {
		return err
	}
	show := !proj.empty() || prefer(r, "return=representation")
	view := identity.OmitMembers
	if show {
		view = memberView(proj)
	}
	res, err := h.prov.PatchIdPGroup(ctx, t.id, id, ifMatch, ch, view)
	if err != nil {
		return err
	}
	if !show {
		setHeader(w, headerETag, etag(res.Group.Version))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return h.writeGroup(w, r, t, res, http.StatusOK, proj)
}

// deleteGroup serves DELETE /Groups/{id} (RFC 7644 §3.6): the group and
// its memberships go; the Users stay.
func (h *Handler) deleteGroup(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := routeID(r)
	if err != nil {
		return err
	}
	ifMatch, err := h.groupIfMatch(ctx, r, t, id)
	if err != nil {
		return err
	}
	if err := h.prov.DeleteIdPGroup(ctx, t.id, id, ifMatch); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// groupIfMatch is writeVersion for the Group id of the tenant.
func (h *Handler) groupIfMatch(ctx context.Context, r *http.Request, t *tenant, id string) (int64, error) {
	return writeVersion(r, func() (int64, error) {
		cur, err := h.prov.GetIdPGroup(ctx, t.id, id, identity.OmitMembers)
		if err != nil {
			return 0, err
		}
		return cur.Group.Version, nil
	})
}

// membersByValue refuses, with 400 invalidFilter, a filter that reads a
// member's sub-attribute other than value (members.display,
// members[type eq "User"]): the store keeps a membership as the member's
// id alone (store.ListIdPGroups), so such a condition would match no group
// and answer an empty list as if it were true of none. members,
// members.value and value filters on value are answered, as are members
// pr and members eq "id".
func membersByValue(e filter.Expr) error {
	var bad string
	byValue := func(a filter.AttrPath) bool {
		return a.URN == "" && strings.EqualFold(a.Name, "value") && a.Sub == ""
	}
	filter.Walk(e, func(e filter.Expr) bool {
		switch e := e.(type) {
		case *filter.Compare:
			if isMembers(e.Attr) && e.Attr.Sub != "" && !strings.EqualFold(e.Attr.Sub, "value") {
				bad = e.Attr.String()
			}
		case *filter.ValuePath:
			if !isMembers(e.Attr) {
				return false
			}
			filter.Walk(e.Filter, func(in filter.Expr) bool {
				if c, ok := in.(*filter.Compare); ok && !byValue(c.Attr) && bad == "" {
					bad = e.Attr.String() + "[" + c.Attr.String() + "]"
				}
				return true
			})
			return false
		}
		return bad == ""
	})
	if bad == "" {
		return nil
	}
	return errorf(http.StatusBadRequest, TypeInvalidFilter,
		"filter: a group's members are filtered by their value only (members[value eq \"id\"], members.value), not by %s", truncate(bad, 64))
}

// memberView says whether an answer projected by p shows the members, so
// that they are read only then: not when excludedAttributes names members,
// nor when attributes is given without naming them.
func memberView(p projection) identity.MemberView {
	isMembers := func(a attrRef) bool { return a.urn == "" && strings.EqualFold(a.name, "members") }
	for _, a := range p.excl {
		if isMembers(a) && a.sub == "" {
			return identity.OmitMembers
		}
	}
	if len(p.attrs) == 0 {
		return identity.IncludeMembers
	}
	for _, a := range p.attrs {
		if isMembers(a) {
			return identity.IncludeMembers
		}
	}
	return identity.OmitMembers
}

// writeGroup writes the resource of res, projected, with its ETag and, on
// 201, Location.
func (h *Handler) writeGroup(w http.ResponseWriter, r *http.Request, t *tenant, res *identity.IdPGroupResult, status int, proj projection) error {
	buf := h.bufs.get()
	defer h.bufs.put(buf)
	b, err := h.encodeGroup((*buf)[:0], res, t, proj)
	if err != nil {
		return err
	}
	*buf = b
	setHeader(w, headerETag, etag(res.Group.Version))
	if status == http.StatusCreated {
		setHeader(w, headerLocation, t.groupLocation(res.Group.ID))
	}
	writeBody(w, r, status, b)
	return nil
}

// encodeGroup appends the JSON of res's Group resource, projected, to dst:
// the IdP group's resource (store.IdPGroup.Resource) with meta's location
// and version (its ETag), schemas naming the core Group schema, and, when
// res lists them, the members, each with the User's id as value, its
// absolute URL as $ref, its account's name as display and type "User".
func (h *Handler) encodeGroup(dst []byte, res *identity.IdPGroupResult, t *tenant, proj projection) ([]byte, error) {
	g := res.Group
	doc := g.Resource() // a copy of its own; nested values are the store's copy's
	list, _ := doc["schemas"].([]any)
	doc["schemas"] = resourceSchemas(list, schema.GroupURN)
	if meta, ok := doc["meta"].(map[string]any); ok {
		meta["location"] = t.groupLocation(g.ID)
		meta["version"] = etag(g.Version)
	}
	if res.Members != nil {
		doc["members"] = t.members(res.Members, !proj.empty())
	}
	if proj.empty() {
		return jsondoc.Append(dst, doc)
	}
	return jsondoc.Append(dst, proj.apply(doc, h.grt))
}

// members renders the members of a group. A projection works on maps
// (asMaps); otherwise each member is a jsondoc.Object, which costs less
// for a group of many members.
func (t *tenant) members(ms []store.IdPGroupMember, asMaps bool) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		ref := t.userLocation(m.ID)
		if asMaps {
			v := map[string]any{"value": m.ID, "$ref": ref, "type": "User"}
			if m.Display != "" {
				v["display"] = m.Display
			}
			out[i] = v
			continue
		}
		o := make(jsondoc.Object, 0, 4)
		o = append(o, jsondoc.String("$ref", ref))
		if m.Display != "" {
			o = append(o, jsondoc.String("display", m.Display))
		}
		out[i] = append(o, jsondoc.String("type", "User"), jsondoc.String("value", m.ID))
	}
	return out
}

// groupLocation returns the absolute URL of the Group id of the tenant.
func (t *tenant) groupLocation(id string) string {
	return t.base + "/Groups/" + url.PathEscape(id)
}
