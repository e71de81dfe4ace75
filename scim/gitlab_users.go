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
func glUser(res *identity.Result) gitlab.User {
	v := gitlab.User{ExternUID: res.Identity.ExternUID, Active: res.Identity.Active}
	if u := res.User; u != nil {
		v.Email, v.Name, v.UserName = u.Email, u.Name, u.Username
	}
	return v
}

// glList serves GET /Users: every identity of the group (active or not),
// or those GitLab's filter forms find; anything else is 412 "Unsupported
// Filter" (docs/gitlab.md §5.2).
func (h *Handler) glList(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	q := t.query
	page := gitlab.ParsePage(q)
	var raw string
	if v := q["filter"]; len(v) > 0 {
		raw = v[len(v)-1]
	}
	f, err := gitlab.ParseFilter(raw)
	if err != nil {
		return err
	}
	var found []*identity.Result
	total := 0
	switch f.Attr {
	case 0:
		res, err := h.prov.List(ctx, t.id, store.Query{StartIndex: page.StartIndex, Count: page.Limit()})
		if err != nil {
			return err
		}
		found, total = res.Results, res.Total
	case gitlab.AttrID, gitlab.AttrExternalID:
		// The profile's id is the extern_uid.
		res, err := h.prov.Get(ctx, t.id, f.Value)
		if err != nil && identity.KindOf(err) != identity.KindNotFound {
			return err
		}
		if res != nil {
			found = []*identity.Result{res}
		}
	case gitlab.AttrUserName:
		if found, err = h.prov.FindByUserName(ctx, t.id, f.Value); err != nil {
			return err
		}
	}
	if f.Attr != 0 {
		total = len(found)
		found = found[min(page.Offset(), len(found)):min(page.Offset()+page.Limit(), len(found))]
	}
	users := make([]gitlab.User, len(found))
	for i, res := range found {
		users[i] = glUser(res)
	}
	glWrite(w, http.StatusOK, gitlab.MarshalList(total, page, users))
	return nil
}

// glGet serves GET /Users/{id}: the identity whose extern_uid is id
// (case-insensitively), active or not.
func (h *Handler) glGet(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := resourceID(r)
	if err != nil {
		return err
	}
	res, err := h.prov.Get(ctx, t.id, id)
	if err != nil {
		return err
	}
	v := glUser(res)
	glWrite(w, http.StatusOK, gitlab.MarshalUser(&v))
	return nil
}

// glParams reads the request's parameters as GitLab sees them: query,
// JSON or form body, then the route's group (and id). A body that is not
// valid JSON is the 400 of GitLab's framework, a body of another media
// type its 415.
func (h *Handler) glParams(r *http.Request, id ...string) (*gitlab.Params, error) {
	if err := checkEncoding(r); err != nil {
		err.(*Error).form = formAPI
		return nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &Error{Status: http.StatusBadRequest, Detail: gitlab.DetailInvalidBody(mediaType(r)), Err: err, form: formAPI}
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
		return nil, &Error{Status: http.StatusUnsupportedMediaType, Detail: gitlab.DetailUnsupportedContentType(mt), form: formAPI}
	}
	p, err := gitlab.ParseParams(query, body)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Detail: gitlab.DetailInvalidBody(mediaType(r)), Err: err, form: formAPI}
	}
	p.AddRoute("group", h.groupOf(r))
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

// glCreate serves POST /Users (docs/gitlab.md §4): GitLab's key map
// and required keys, then the shared provisioning rules; 201 with the new
// or existing identity. Failures are 409 when the message says "has
// already been taken", else 412, with GitLab's detail "Error saving user
// with <params>: <message>".
func (h *Handler) glCreate(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	p, err := h.glParams(r)
	if err != nil {
		return err
	}
	c, err := p.Create()
	if err != nil {
		var me *gitlab.MissingParamsError
		if errors.As(err, &me) {
			return &Error{Status: http.StatusPreconditionFailed, Detail: gitlab.DetailSaving(p, me.Message()), Err: err}
		}
		return err
	}
	res, err := h.prov.Provision(ctx, t.id, glDocument(p, c))
	if err != nil {
		// A refusal of the rules is GitLab's "Error saving"; its message
		// is the one the error mapper gives it in this profile.
		if k := identity.KindOf(err); k == 0 || k == identity.KindUnauthorized {
			return err
		}
		e, internal := toError(err, wireGitLab)
		if internal {
			return err
		}
		return &Error{Status: gitlab.ConflictStatus(e.Detail), Detail: gitlab.DetailSaving(p, e.Detail), Err: err}
	}
	v := glUser(res)
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

// glPatch serves PATCH /Users/{id} (docs/gitlab.md §6): GitLab's
// reading of Operations, then one atomic change through the shared rules;
// 204 with no body on success, even when nothing changed. Any refusal is
// 412 "Error updating <name> with <params>".
func (h *Handler) glPatch(ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error {
	id, err := resourceID(r)
	if err != nil {
		return err
	}
	p, err := h.glParams(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	u, err := p.Patch()
	if err == nil {
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
			return err // internal: not GitLab's "Error updating"
		}
	}
	// The identity must exist for a failure to be "Error updating".
	cur, gerr := h.prov.Get(ctx, t.id, id)
	if gerr != nil {
		return gerr
	}
	name := ""
	if cur.User != nil {
		name = cur.User.Name
	}
	return &Error{Status: http.StatusPreconditionFailed, Detail: gitlab.DetailUpdating(name, p), Err: err}
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
	id, err := resourceID(r)
	if err != nil {
		return err
	}
	if _, err := h.prov.Delete(ctx, t.id, id, 0); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
