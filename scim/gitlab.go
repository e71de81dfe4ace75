package scim

import (
	"context"
	"net/http"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim/internal/gitlab"
)

// This file holds the GitLab profile's routing and authentication; its
// routes are in gitlab_users.go, the wire shapes in scim/internal/gitlab.

// gitlabContentType is the media type of GitLab's SCIM responses.
const gitlabContentType = "application/scim+json"

// gitlabRoutes is GitLab's group SCIM routing table (docs/gitlab.md §1).
// Its routes read their bodies themselves, as GitLab's framework does.
func gitlabRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/Users", handle: (*Handler).glList},
		{method: http.MethodPost, path: "/Users", handle: (*Handler).glCreate},
		{method: http.MethodGet, path: "/Users/{id}", handle: (*Handler).glGet},
		{method: http.MethodPatch, path: "/Users/{id}", handle: (*Handler).glPatch},
		{method: http.MethodDelete, path: "/Users/{id}", handle: (*Handler).glDelete},
	}
}

// mountGitLab installs GitLab's routes, and GitLab's 404 for everything
// else, in place of routes.go's table.
func (h *Handler) mountGitLab() {
	for _, rt := range gitlabRoutes() {
		h.mux.Handle(rt.method+" "+h.cfg.prefix+rt.path, h.glWrap(rt))
	}
	h.catchAll = h.cfg.prefix + "/"
	notFound := func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, noRoute("no such endpoint"))
	}
	h.mux.HandleFunc(h.catchAll, notFound)
	if h.cfg.prefix != "" {
		h.mux.HandleFunc("/", notFound)
	}
}

// glWrap runs a GitLab route after GitLab's checks (glAuthenticate), with
// the body limited.
func (h *Handler) glWrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, t := contextOf(w, r), tenantOf(w)
		// The query is read first: GitLab's framework parses it with the
		// route's parameters, the group among them, before any check.
		var err error
		if t.query, err = parseQuery(r.URL.RawQuery); err == nil {
			err = h.glAuthenticate(ctx, r, t)
		}
		if err == nil {
			h.limitBody(w, r)
			if r.ContentLength > h.cfg.maxBody {
				err = errorf(http.StatusRequestEntityTooLarge, "", "request body larger than %d bytes", h.cfg.maxBody)
			} else {
				err = rt.handle(h, ctx, w, r, t)
			}
		}
		if err != nil {
			h.writeError(w, r, err)
		}
	})
}

// glAuthenticate runs GitLab's checks before every route, in GitLab's
// order (docs/gitlab.md §1), and fills t:
//
//  1. The group, by path or, all digits, by id: an unknown group is a 404
//     "Group <path> not found", before the token is looked at.
//  2. The group's SAML SSO (store.Group.SAML): a group without one is a
//     404 "Group <path> does not have SAML SSO configured".
//  3. The token, from the access_token query parameter or else the Bearer
//     header: a missing or wrong one is {"message":"401 Unauthorized"}.
func (h *Handler) glAuthenticate(ctx context.Context, r *http.Request, t *tenant) error {
	name := h.groupOf(r)
	g, err := h.prov.LookupGroup(ctx, name)
	if err != nil {
		return err
	}
	if g.SAML == nil {
		return &Error{Status: http.StatusNotFound, Detail: gitlab.DetailSAMLNotConfigured(name)}
	}
	unauthorized := errorf(http.StatusUnauthorized, "", "invalid token")
	token, ok := gitlabToken(r, t)
	if !ok {
		return unauthorized
	}
	if err := h.checkToken(ctx, r, t, g.Path, name, token); err != nil {
		if identity.KindOf(err) == identity.KindUnauthorized {
			return unauthorized
		}
		return err
	}
	return nil
}

// gitlabToken takes the token from the access_token query parameter, then
// from the Authorization header (Bearer), the order GitLab looks in. A
// query parameter lands in access logs; GitLab accepts it, so the profile
// does.
func gitlabToken(r *http.Request, t *tenant) (string, bool) {
	if v, ok := t.query["access_token"]; ok && len(v) > 0 && v[len(v)-1] != "" {
		return v[len(v)-1], true
	}
	return bearer(r.Header.Get("Authorization"))
}

// glWrite writes a successful GitLab response.
func glWrite(w http.ResponseWriter, status int, body []byte) {
	setHeader(w, headerContentType, gitlabContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
