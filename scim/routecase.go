package scim

import (
	"net/http"
	"net/url"
	"strings"
)

// Lenient route matching of the RFC profile. Widely deployed SCIM servers
// answer /users as /Users and /Users/ as /Users, and clients (scripts,
// validators, some IdP set-ups) rely on it: RFC 7644 §3.2 spells the
// endpoints but says nothing of their case, and RFC 3986 §6.2.2 leaves a
// path's case to the server. The handler matches the endpoint segment
// below its prefix (Users, Groups, ServiceProviderConfig, ResourceTypes,
// Schemas, and .search after Users or Groups) ignoring case, and takes a
// path with one trailing slash as the path without it. Everything else is
// exact: the prefix is the host's, and a resource id is case-sensitive
// (RFC 7643 §3.1). Location and meta.location keep the canonical spelling.
//
// The GitLab profile keeps GitLab's exact routes: it answers what GitLab
// answers, and the catalog apps built for GitLab.com send the documented
// spelling.

// canonicalEndpoint returns the canonical spelling of an endpoint segment,
// or "" when seg names none.
func canonicalEndpoint(seg string) string {
	for _, e := range [...]string{"Users", "Groups", "ServiceProviderConfig", "ResourceTypes", "Schemas"} {
		if strings.EqualFold(seg, e) {
			return e
		}
	}
	return ""
}

// canonicalRoute returns r, or a copy of r whose path has the endpoint in
// its canonical spelling and no trailing slash (see routePath).
func (h *Handler) canonicalRoute(r *http.Request) *http.Request {
	esc, changed := h.routePath(r.URL.EscapedPath())
	if !changed {
		return r
	}
	p, err := url.PathUnescape(esc)
	if err != nil {
		return r
	}
	u := *r.URL
	u.Path, u.RawPath = p, esc
	r2 := new(http.Request)
	*r2 = *r
	r2.URL = &u
	return r2
}

// routePath returns the escaped path esc with the endpoint segment below
// the prefix (and a ".search" after Users or Groups) in its canonical
// spelling and without one trailing slash, and whether that differs from
// esc. A path whose endpoint segment names no endpoint is left as it is.
// The usual request, canonical already, costs no allocation.
func (h *Handler) routePath(esc string) (string, bool) {
	// The endpoint is the segment after the prefix's segments.
	start := 0
	for n := strings.Count(h.cfg.prefix, "/"); n > 0; n-- {
		j := strings.IndexByte(esc[start+1:], '/')
		if j < 0 {
			return esc, false
		}
		start += j + 1
	}
	// esc[start] is the '/' before the endpoint.
	rest := esc[start+1:]
	seg, tail, more := strings.Cut(rest, "/")
	canon := canonicalEndpoint(seg)
	if canon == "" {
		return esc, false
	}
	searchable := canon == "Users" || canon == "Groups"
	next, _, _ := strings.Cut(tail, "/")
	if canon == seg && !strings.HasSuffix(rest, "/") && !(more && searchable && next != ".search" && strings.EqualFold(next, ".search")) {
		return esc, false
	}
	segs := strings.Split(rest, "/")
	segs[0] = canon
	if len(segs) > 1 && searchable && strings.EqualFold(segs[1], ".search") {
		segs[1] = ".search"
	}
	if len(segs) > 1 && segs[len(segs)-1] == "" {
		segs = segs[:len(segs)-1]
	}
	return esc[:start+1] + strings.Join(segs, "/"), true
}
