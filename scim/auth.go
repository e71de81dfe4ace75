package scim

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimkit/scimkit/identity"
)

// tenant is the group a request is served for, after authentication.
type tenant struct {
	// id is the store's group id; path its path.
	id, path string
	// base is the absolute URL of the group's SCIM root, without a trailing
	// slash, for meta.location and Location.
	base string
	// query is the request's query string, read once (parseQuery).
	query url.Values
}

// tenantBaseParts is a tenant base URL and the parts it was made of.
type tenantBaseParts struct {
	scheme, host, pre, mount string
	base                     string
}

// groupOf returns the group a request names: the {group} path segment, or
// the group of WithGroup.
func (h *Handler) groupOf(r *http.Request) string {
	if strings.Contains(h.cfg.prefix, "{group}") {
		return r.PathValue("group")
	}
	return h.cfg.group
}

// authenticate checks the bearer token of a request in the RFC profile
// and resolves the group served into t. An unknown group and a wrong token
// get the same 401, which discloses neither.
func (h *Handler) authenticate(ctx context.Context, r *http.Request, t *tenant) error {
	group := h.groupOf(r)
	token, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		return errorf(http.StatusUnauthorized, "", "missing or malformed bearer token")
	}
	if err := h.checkToken(ctx, r, t, group, group, token); err != nil {
		if identity.KindOf(err) == identity.KindUnauthorized {
			return errorf(http.StatusUnauthorized, "", "invalid bearer token")
		}
		return err
	}
	return nil
}

// checkToken checks that token is the SCIM token of the group at path,
// which the request named as group, fills t and logs a refusal.
func (h *Handler) checkToken(ctx context.Context, r *http.Request, t *tenant, path, group, token string) error {
	g, err := h.prov.Authenticate(ctx, path, token)
	if err != nil {
		if identity.KindOf(err) == identity.KindUnauthorized {
			h.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "scim: authentication refused",
				slog.String("request_id", RequestID(ctx)), slog.String("group", truncate(group, 64)))
		}
		return err
	}
	t.id, t.path, t.base = g.ID, g.Path, h.tenantBase(r, group)
	return nil
}

// bearer extracts the token of an "Authorization: Bearer TOKEN" header
// (RFC 6750 §2.1); the scheme name is case-insensitive.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// tenantBase computes the absolute URL of the group's SCIM root as the
// client sees it, also when a host strips a prefix before calling us: the
// route part of the path (below the prefix) is the same in the URI the
// client sent, and what precedes it there is the mount point.
func (h *Handler) tenantBase(r *http.Request, group string) string {
	mount := strings.Replace(h.cfg.prefix, "{group}", url.PathEscape(group), 1)
	esc := r.URL.EscapedPath()
	n := strings.Count(h.cfg.prefix, "/")
	i := 0
	for ; n > 0 && i < len(esc); n-- {
		j := strings.IndexByte(esc[i+1:], '/')
		if j < 0 {
			i = len(esc)
			break
		}
		i += j + 1
	}
	tail := esc[i:]
	orig, _, _ := strings.Cut(r.RequestURI, "?")
	if !strings.HasPrefix(orig, "/") && orig != "" {
		// An absolute-form request target ("http://host/path").
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			orig = u.EscapedPath()
		}
	}
	if orig != "" {
		// The route part may differ from the request's in the case of its
		// endpoint and a trailing slash (canonicalRoute).
		if strings.HasSuffix(orig, "/") && !strings.HasSuffix(tail, "/") {
			orig = orig[:len(orig)-1]
		}
		if n := len(orig) - len(tail); n >= 0 && strings.EqualFold(orig[n:], tail) {
			mount = orig[:n]
		}
	}
	scheme, host, pre := "http", r.Host, ""
	if r.TLS != nil {
		scheme = "https"
	}
	if b := h.cfg.baseURL; b != nil {
		scheme, host, pre = b.Scheme, b.Host, b.EscapedPath()
	}
	if h.cfg.group == "" {
		// Many groups: the mount point changes from one request to the
		// next.
		return scheme + "://" + host + pre + mount
	}
	if c := h.lastBase.Load(); c != nil && c.scheme == scheme && c.host == host && c.pre == pre && c.mount == mount {
		return c.base
	}
	c := &tenantBaseParts{scheme: scheme, host: host, pre: pre, mount: mount, base: scheme + "://" + host + pre + mount}
	h.lastBase.Store(c)
	return c.base
}
