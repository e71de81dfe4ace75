package scim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/scim/internal/gitlab"
	"github.com/scimkit/scimkit/store"
)

// ProfileGitLab answers exactly as GitLab's group SCIM API
// (/api/scim/v2/groups/GROUP/Users) does, so that identity-provider apps
// built for GitLab.com (Okta's and OneLogin's GitLab catalog apps) work
// unchanged. It serves only GitLab's five routes (GET, POST /Users; GET,
// PATCH, DELETE /Users/{id}); id is the extern_uid; errors are 412 with a
// numeric status where GitLab answers 412; PATCH answers 204. It needs
// [WithStore] and a provisioner made with
// identity.WithProfile(identity.GitLabProfile()). Two GitLab behaviours
// are deliberately not copied: a filter with words after its value (GitLab
// ignores them, so "and"/"or" compounds are half-answered) is a 412
// "Unsupported Filter", and a PATCH reactivates a deprovisioned identity
// only when it sets active to true (GitLab reactivates on any PATCH). See
// the package documentation, "The GitLab profile".
const ProfileGitLab Profile = "gitlab"

// WithStore gives the handler read access to the store its provisioner
// works on. The GitLab profile requires it: GitLab answers 404 for an
// unknown group before it looks at the token, and its userName filter
// falls back to accounts found by username and email. The RFC profile does
// not use it.
func WithStore(st store.Store) Option {
	return Option{func(c *config) error {
		if st == nil {
			return fmt.Errorf("scim: nil store")
		}
		c.store = st
		return nil
	}}
}

// gitlabProfile is [ProfileGitLab]. Its routes are its own (gitlab_users.go,
// mounted by mount); the hooks of the profile interface serve the parts of
// the handler they share: the path check and the error writer.
type gitlabProfile struct{}

func (gitlabProfile) rules() identity.Profile { return identity.GitLabProfile() }

// serves is false for every route of routes.go: mount installs GitLab's.
func (gitlabProfile) serves(string) bool { return false }

// token takes the token from the access_token query parameter, then from
// the Authorization header (Bearer), the order GitLab looks in. A query
// parameter lands in access logs; GitLab accepts it, so the profile does.
func (gitlabProfile) token(r *http.Request) (string, bool) {
	if v, ok := r.URL.Query()["access_token"]; ok && len(v) > 0 && v[len(v)-1] != "" {
		return v[len(v)-1], true
	}
	return bearer(r.Header.Get("Authorization"))
}

func (gitlabProfile) writeError(w http.ResponseWriter, e *Error) { writeErrorGitLab(w, e) }

// parseFilter is not used by GitLab's routes, which read filters with
// gitlab.ParseFilter; it refuses everything.
func (gitlabProfile) parseFilter(string) (filter.Expr, error) {
	return nil, glError(http.StatusPreconditionFailed, gitlab.DetailUnsupportedFilter, nil)
}

// user is not used by GitLab's routes, which render with gitlab.MarshalUser
// to keep GitLab's key order.
func (gitlabProfile) user(s *store.SCIMIdentity, u *store.User, _ string) map[string]any {
	v := glUser(s, u)
	return map[string]any{
		"schemas": []any{schema.UserURN}, "id": v.ExternUID, "active": v.Active,
		"emails":   []any{map[string]any{"type": "work", "value": v.Email, "primary": true}},
		"name":     map[string]any{"formatted": v.Name},
		"meta":     map[string]any{"resourceType": "User"},
		"userName": v.UserName,
	}
}

func (gitlabProfile) etags() bool { return false }

func (gitlabProfile) patchNoContent() bool { return true }

func (gitlabProfile) listStartIndex(p *listParams, raw string) any {
	if strings.TrimSpace(raw) != "" {
		return raw
	}
	return 1
}

// gitlabRoute is one of GitLab's five routes.
type gitlabRoute struct {
	method, path string
	handle       func(h *Handler, ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error
}

// gitlabRoutes is GitLab's group SCIM routing table (docs/gitlab.md §1).
func gitlabRoutes() []gitlabRoute {
	return []gitlabRoute{
		{http.MethodGet, "/Users", (*Handler).glList},
		{http.MethodPost, "/Users", (*Handler).glCreate},
		{http.MethodGet, "/Users/{id}", (*Handler).glGet},
		{http.MethodPatch, "/Users/{id}", (*Handler).glPatch},
		{http.MethodDelete, "/Users/{id}", (*Handler).glDelete},
	}
}

// mount installs GitLab's routes, and GitLab's 404 for everything else, in
// place of routes.go's table. New calls it for a profile that has it.
func (gitlabProfile) mount(h *Handler) error {
	if h.cfg.store == nil {
		return fmt.Errorf("scim: profile %q needs WithStore", ProfileGitLab)
	}
	for _, rt := range gitlabRoutes() {
		h.mux.Handle(rt.method+" "+h.cfg.prefix+rt.path, h.glWrap(rt))
	}
	h.catchAll = h.cfg.prefix + "/"
	notFound := func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, glError(http.StatusNotFound, "", glBody(gitlab.MarshalRouteNotFound())))
	}
	h.mux.HandleFunc(h.catchAll, notFound)
	if h.cfg.prefix != "" {
		h.mux.HandleFunc("/", notFound)
	}
	return nil
}

// maxGroupPathLen bounds a group path looked up in the store.
const maxGroupPathLen = 255

// glWrap runs a GitLab route after GitLab's checks, in GitLab's order
// (docs/gitlab.md §1): the group must exist (404 "Group <path> not
// found", before the token is looked at), must have SAML SSO configured
// (store.Group.SAML; 404 "Group <path> does not have SAML SSO
// configured"), then the token must be the group's (401
// {"message":"401 Unauthorized"}).
func (h *Handler) glWrap(rt gitlabRoute) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, t := contextOf(w, r), tenantOf(w)
		err := h.glAuthenticate(ctx, r, t)
		if err == nil {
			if r.ContentLength > h.cfg.maxBody {
				err = glError(http.StatusRequestEntityTooLarge, "", glBody(gitlab.MarshalMessage(http.StatusRequestEntityTooLarge, "")))
			} else {
				r.Body = http.MaxBytesReader(serverWriter(w), r.Body, h.cfg.maxBody)
				err = rt.handle(h, ctx, w, r, t)
			}
		}
		if err != nil {
			h.writeError(w, r, err)
		}
	})
}

// glAuthenticate resolves the group, by path or, for an all-digit value
// no path matches, by id (GitLab takes both), then checks the token, and
// fills t.
func (h *Handler) glAuthenticate(ctx context.Context, r *http.Request, t *tenant) error {
	name := h.cfg.group
	if strings.Contains(h.cfg.prefix, "{group}") {
		name = r.PathValue("group")
	}
	var g *store.Group
	if name != "" && len(name) <= maxGroupPathLen {
		err := h.cfg.store.View(ctx, func(ctx context.Context, tx store.Tx) error {
			var err error
			g, err = tx.GroupByPath(ctx, name)
			if errors.Is(err, store.ErrNotFound) && allDigits(name) {
				g, err = tx.Group(ctx, name)
			}
			if errors.Is(err, store.ErrNotFound) {
				g, err = nil, nil
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	if g == nil {
		return glError(http.StatusNotFound, gitlab.DetailGroupNotFound(name), nil)
	}
	if g.SAML == nil {
		return glError(http.StatusNotFound, gitlab.DetailSAMLNotConfigured(name), nil)
	}
	unauthorized := glError(http.StatusUnauthorized, "", glBody(gitlab.MarshalMessage(http.StatusUnauthorized, "")))
	token, ok := h.prof.token(r)
	if !ok {
		return unauthorized
	}
	if _, err := h.prov.Authenticate(ctx, g.Path, token); err != nil {
		if identity.KindOf(err) != identity.KindUnauthorized {
			return err
		}
		h.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "scim: authentication refused",
			slog.String("request_id", RequestID(ctx)), slog.String("group", truncate(name, 64)))
		return unauthorized
	}
	*t = tenant{id: g.ID, path: g.Path, base: h.tenantBase(r, name)}
	return nil
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// glReply is the body of a GitLab-profile error, encoded when the error
// was made (GitLab's SCIM errors and its non-SCIM {"message": ...} and
// {"error": ...} bodies).
type glReply struct {
	body  []byte
	cause error
}

func (e *glReply) Error() string {
	if e.cause != nil {
		return "gitlab reply: " + e.cause.Error()
	}
	return "gitlab reply"
}

func (e *glReply) Unwrap() error { return e.cause }

// glBody marks a pre-encoded body for glError.
type glBody []byte

// glError returns an *Error that writeErrorGitLab renders as GitLab does:
// with body set, that body; otherwise a SCIM error with detail and a
// numeric status. cause, when set, is kept for logs.
func glError(status int, detail string, body glBody, cause ...error) *Error {
	r := &glReply{body: body}
	if len(cause) > 0 {
		r.cause = cause[0]
	}
	if body == nil {
		r.body = gitlab.MarshalError(status, detail)
	}
	return &Error{Status: status, Detail: detail, Err: r}
}

// writeErrorGitLab writes e in GitLab's shapes: a body a GitLab route
// prepared; otherwise, for errors raised by the shared handler code,
// {"message":"401 Unauthorized"}, {"message":"500 Internal Server Error"}
// and the like for 401, 413 and 5xx, {"error":"404 Not Found"} for 404,
// and a SCIM error with a numeric status for the rest.
func writeErrorGitLab(w http.ResponseWriter, e *Error) {
	var body []byte
	var r *glReply
	switch {
	case errors.As(e.Err, &r):
		body = r.body
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusRequestEntityTooLarge || e.Status >= 500:
		body = gitlab.MarshalMessage(e.Status, "")
	case e.Status == http.StatusNotFound:
		body = gitlab.MarshalRouteNotFound()
	default:
		body = gitlab.MarshalError(e.Status, e.Detail)
	}
	setHeader(w, headerContentType, glContentType)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// glContentType is the media type of GitLab's SCIM responses.
const glContentType = "application/scim+json"

// glWrite writes a successful GitLab response.
func glWrite(w http.ResponseWriter, status int, body []byte) {
	setHeader(w, headerContentType, glContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
