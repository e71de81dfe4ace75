package scim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim/internal/gitlab"
	"github.com/scimkit/scimkit/store"
)

// glUser is what GitLab shows of an identity and its account.
func glUser(s *store.SCIMIdentity, u *store.User) gitlab.User {
	v := gitlab.User{ExternUID: s.ExternUID, Active: s.Active}
	if u != nil {
		v.Email, v.Name, v.UserName = u.Email, u.Name, u.Username
	}
	return v
}

// glList serves GET /Users: every identity of the group (active or not),
// or those GitLab's filter forms find; anything else is 412 "Unsupported
// Filter" (docs/gitlab.md §5.2).
func (h *Handler) glList(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	q := r.URL.Query()
	page := gitlab.ParsePage(q)
	var raw string
	if v := q["filter"]; len(v) > 0 {
		raw = v[len(v)-1]
	}
	f, err := gitlab.ParseFilter(raw)
	if err != nil {
		return glError(http.StatusPreconditionFailed, gitlab.DetailUnsupportedFilter, nil, err)
	}
	var users []gitlab.User
	var total int
	if f.IsZero() {
		res, err := h.prov.List(ctx, t.id, store.Query{StartIndex: page.StartIndex, Count: page.Limit()})
		if err != nil {
			return err
		}
		total = res.Total
		for _, it := range res.Results {
			users = append(users, glUser(it.Identity, it.User))
		}
	} else {
		found, err := h.glFind(ctx, t.id, f)
		if err != nil {
			return err
		}
		total = len(found)
		if off := page.Offset(); off < len(found) {
			found = found[off:min(len(found), off+page.Limit())]
		} else {
			found = nil
		}
		users = found
	}
	glWrite(w, http.StatusOK, gitlab.MarshalList(total, page, users))
	return nil
}

// glFind runs a filter's lookups in one read of the store: the first
// lookup that finds an identity or an account decides.
func (h *Handler) glFind(ctx context.Context, groupID string, f gitlab.Filter) ([]gitlab.User, error) {
	var out []gitlab.User
	err := h.cfg.store.View(ctx, func(ctx context.Context, tx store.Tx) error {
		for _, l := range f.Lookups() {
			var s *store.SCIMIdentity
			var u *store.User
			var err error
			switch l.Kind {
			case gitlab.ByExternUID:
				s, err = tx.SCIMIdentityByExternUID(ctx, groupID, l.Value)
			case gitlab.ByUsername:
				u, err = tx.UserByUsername(ctx, l.Value)
			case gitlab.ByEmail:
				u, err = tx.UserByEmail(ctx, l.Value)
			}
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if u != nil {
				s, err = tx.SCIMIdentityByUser(ctx, groupID, u.ID)
				if errors.Is(err, store.ErrNotFound) {
					return nil // the account has no identity in the group
				}
				if err != nil {
					return err
				}
			} else if u, err = tx.User(ctx, s.UserID); err != nil {
				return err
			}
			out = append(out, glUser(s, u))
			return nil
		}
		return nil
	})
	return out, err
}

// glResourceID returns the {id} path value; an id no identity can have is
// GitLab's 404 "Resource <id> not found".
func glResourceID(r *http.Request) (string, error) {
	id, err := resourceID(r)
	if err != nil {
		return "", glError(http.StatusNotFound, gitlab.DetailResourceNotFound(truncate(r.PathValue("id"), 64)), nil)
	}
	return id, nil
}

// glGet serves GET /Users/{id}: the identity whose extern_uid is id
// (case-insensitively), active or not.
func (h *Handler) glGet(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := glResourceID(r)
	if err != nil {
		return err
	}
	res, err := h.prov.Get(ctx, t.id, id)
	if err != nil {
		return glNotFoundOr(err, id)
	}
	v := glUser(res.Identity, res.User)
	glWrite(w, http.StatusOK, gitlab.MarshalUser(&v))
	return nil
}

// glNotFoundOr turns a not-found error into GitLab's 404 for id; other
// errors are returned as they are.
func glNotFoundOr(err error, id string) error {
	if identity.KindOf(err) == identity.KindNotFound || errors.Is(err, store.ErrNotFound) {
		return glError(http.StatusNotFound, gitlab.DetailResourceNotFound(id), nil, err)
	}
	return err
}

// glParams reads the request's parameters as GitLab sees them: query,
// JSON or form body, then the route's group (and id). A body that is not
// valid JSON is the 400 of GitLab's framework, a body of another media
// type its 415.
func glParams(r *http.Request, group string, id ...string) (*gitlab.Params, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, glError(http.StatusRequestEntityTooLarge, "", glBody(gitlab.MarshalMessage(http.StatusRequestEntityTooLarge, "")), err)
		}
		return nil, glError(http.StatusBadRequest, "", glBody(gitlab.MarshalInvalidBody(mediaType(r))), err)
	}
	query := r.URL.RawQuery
	switch mt := mediaType(r); {
	case len(bytes.TrimSpace(body)) == 0 || mt == "application/json" || mt == "application/scim+json" || strings.HasSuffix(mt, "+json"):
	case mt == "application/x-www-form-urlencoded":
		// Form fields are parameters like the query's, after them.
		if query != "" {
			query += "&"
		}
		query, body = query+string(body), nil
	default:
		return nil, glError(http.StatusUnsupportedMediaType, "", glBody(gitlab.MarshalUnsupportedContentType(mt)))
	}
	p, err := gitlab.ParseParams(query, body)
	if err != nil {
		return nil, glError(http.StatusBadRequest, "", glBody(gitlab.MarshalInvalidBody(mediaType(r))), err)
	}
	p.AddRoute("group", group)
	if len(id) > 0 {
		p.AddRoute("id", id[0])
	}
	return p, nil
}

// mediaType returns the request's media type, "application/json" when it
// has none or an unreadable one.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt == "" || len(mt) > 100 {
		return "application/json"
	}
	return mt
}

// glGroupParam is the group as the request named it, for parameter dumps.
func (h *Handler) glGroupParam(r *http.Request) string {
	if strings.Contains(h.cfg.prefix, "{group}") {
		return r.PathValue("group")
	}
	return h.cfg.group
}

// glCreate serves POST /Users (docs/gitlab.md §4): GitLab's key map
// and required keys, then the shared provisioning rules; 201 with the new
// or existing identity. Failures are 409 when the message says "has
// already been taken", else 412, with GitLab's detail "Error saving user
// with <params>: <message>".
func (h *Handler) glCreate(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	p, err := glParams(r, h.glGroupParam(r))
	if err != nil {
		return err
	}
	c, err := p.Create()
	if err != nil {
		var me *gitlab.MissingParamsError
		if errors.As(err, &me) {
			return glError(http.StatusPreconditionFailed, gitlab.DetailSaving(p, me.Message()), nil, err)
		}
		return err
	}
	res, err := h.prov.ProvisionOwned(ctx, t.id, glDocument(p, c))
	if err != nil {
		var ie *identity.Error
		if !errors.As(err, &ie) || ie.Kind == identity.KindUnauthorized {
			return err
		}
		msg := glMessage(ie)
		return glError(gitlab.ConflictStatus(msg), gitlab.DetailSaving(p, msg), nil, err)
	}
	v := glUser(res.Identity, res.User)
	glWrite(w, http.StatusCreated, gitlab.MarshalUser(&v))
	return nil
}

// glDocument is the User document handed to the provisioning rules for a
// GitLab POST: the body's attributes, with the ones GitLab maps replaced by
// what GitLab's mapping made of them, so the shared rules read exactly
// what GitLab would.
func glDocument(p *gitlab.Params, c gitlab.CreateParams) map[string]any {
	doc := p.Document()
	for k := range doc {
		switch strings.ToLower(k) {
		case "id", "externalid", "username", "emails", "name", "displayname", "active", "meta", "password":
			delete(doc, k)
		}
	}
	doc["externalId"] = c.ExternUID
	doc["userName"] = c.UserName
	doc["emails"] = []any{map[string]any{"type": "work", "value": c.Email, "primary": true}}
	if c.HasName {
		doc["name"] = map[string]any{"formatted": c.Name}
	}
	if c.Active != nil {
		doc["active"] = *c.Active
	}
	return doc
}

// glFieldNames are GitLab's names for the attributes an identity error
// names, as they start GitLab's validation messages ("Email can't be
// blank").
var glFieldNames = map[string]string{
	"externalId":   "Extern uid",
	"id":           "Extern uid",
	"userName":     "Username",
	"emails":       "Email",
	"emails.value": "Email",
	"name":         "Name",
	"active":       "Active",
}

// glMessage is the message of an identity error in GitLab's style:
// conflicts and refusals carry GitLab's wording already; invalid input
// becomes "<Attribute> <problem>".
func glMessage(ie *identity.Error) string {
	if ie.Kind != identity.KindInvalid || ie.Field == "" {
		return ie.Detail
	}
	name, ok := glFieldNames[ie.Field]
	if !ok {
		name = strings.ToUpper(ie.Field[:1]) + ie.Field[1:]
	}
	return name + " " + ie.Detail
}

// glPatch serves PATCH /Users/{id} (docs/gitlab.md §6): GitLab's
// reading of Operations, then one atomic change through the shared rules;
// 204 with no body on success, even when nothing changed. A failure is
// 412 "Error updating <name> with <params>".
func (h *Handler) glPatch(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := glResourceID(r)
	if err != nil {
		return err
	}
	p, err := glParams(r, h.glGroupParam(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	u, perr := p.Patch()
	if perr == nil {
		_, err = h.prov.Modify(ctx, t.id, id, 0, func(cur map[string]any) (map[string]any, error) {
			active, _ := cur["active"].(bool)
			glApply(cur, u, u.Action(active))
			return cur, nil
		})
		if err == nil {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		if identity.KindOf(err) == 0 && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	} else {
		err = perr
	}
	// The identity must exist for a failure to be "Error updating".
	cur, gerr := h.prov.Get(ctx, t.id, id)
	if gerr != nil {
		return glNotFoundOr(gerr, id)
	}
	name := ""
	if cur.User != nil {
		name = cur.User.Name
	}
	return glError(http.StatusPreconditionFailed, gitlab.DetailUpdating(name, p), nil, err)
}

// glApply writes an update's action into the identity's document, which
// the provisioning rules then compare with the stored one.
func glApply(doc map[string]any, u gitlab.Update, a gitlab.Action) {
	switch a {
	case gitlab.ActionDeprovision:
		doc["active"] = false
	case gitlab.ActionReprovision:
		doc["active"] = true
	case gitlab.ActionExternUID:
		doc["externalId"], doc["id"] = *u.ExternUID, *u.ExternUID
	case gitlab.ActionAttributes:
		if u.UserName != nil {
			doc["userName"] = *u.UserName
		}
		if u.Name != nil {
			name, _ := doc["name"].(map[string]any)
			if name == nil {
				name = map[string]any{}
			}
			name["formatted"] = *u.Name
			doc["name"] = name
		}
		if u.Email != nil {
			setWorkEmail(doc, *u.Email)
		}
	}
}

// setWorkEmail sets the value of the document's first work or primary
// email, adding a work email when there is none.
func setWorkEmail(doc map[string]any, v string) {
	list, _ := doc["emails"].([]any)
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if typ, _ := m["type"].(string); typ == "work" || m["primary"] == true {
			m["value"] = v
			return
		}
	}
	doc["emails"] = append(list, map[string]any{"type": "work", "value": v, "primary": true})
}

// glDelete serves DELETE /Users/{id} (docs/gitlab.md §7.2): the
// identity is deprovisioned and stays readable with active false; 204.
// Removing the group's last owner is refused with 412.
func (h *Handler) glDelete(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := glResourceID(r)
	if err != nil {
		return err
	}
	if _, err := h.prov.Delete(ctx, t.id, id); err != nil {
		var ie *identity.Error
		if errors.As(err, &ie) && ie.Kind == identity.KindRefused {
			return glError(http.StatusPreconditionFailed, ie.Detail, nil, err)
		}
		return glNotFoundOr(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
