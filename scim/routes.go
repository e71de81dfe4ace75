package scim

import (
	"context"
	"net/http"
)

// A route is one entry of a routing table: a method and a path below the
// handler's prefix, in http.ServeMux pattern syntax (Go 1.22). This file
// holds the RFC profile's table; the GitLab profile's is gitlabRoutes.
type route struct {
	method string
	path   string
	// body reports whether the route reads a JSON request body.
	body   bool
	handle func(h *Handler, ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error
}

// routes is the whole routing table of the RFC profile (RFC 7644 §3.2,
// §3.4.3, §4). A GET route also answers HEAD. Requests matching no route
// get a SCIM 404; a path served for other methods gets a SCIM 405 with
// Allow. The endpoint segment of a request's path is matched ignoring case
// and a trailing slash is tolerated (canonicalRoute), so the table lists
// each route once, in its canonical spelling.
func routes() []route {
	return []route{
		{method: http.MethodPost, path: "/Users", body: true, handle: (*Handler).createUser},
		{method: http.MethodGet, path: "/Users", handle: (*Handler).listUsers},
		{method: http.MethodPost, path: "/Users/.search", body: true, handle: (*Handler).searchUsers},
		{method: http.MethodGet, path: "/Users/{id}", handle: (*Handler).getUser},
		{method: http.MethodPut, path: "/Users/{id}", body: true, handle: (*Handler).replaceUser},
		{method: http.MethodPatch, path: "/Users/{id}", body: true, handle: (*Handler).patchUser},
		{method: http.MethodDelete, path: "/Users/{id}", handle: (*Handler).deleteUser},
		{method: http.MethodPost, path: "/Groups", body: true, handle: (*Handler).createGroup},
		{method: http.MethodGet, path: "/Groups", handle: (*Handler).listGroups},
		{method: http.MethodPost, path: "/Groups/.search", body: true, handle: (*Handler).searchGroups},
		{method: http.MethodGet, path: "/Groups/{id}", handle: (*Handler).getGroup},
		{method: http.MethodPut, path: "/Groups/{id}", body: true, handle: (*Handler).replaceGroup},
		{method: http.MethodPatch, path: "/Groups/{id}", body: true, handle: (*Handler).patchGroup},
		{method: http.MethodDelete, path: "/Groups/{id}", handle: (*Handler).deleteGroup},
		{method: http.MethodGet, path: "/ServiceProviderConfig", handle: (*Handler).serviceProviderConfig},
		{method: http.MethodGet, path: "/ResourceTypes", handle: (*Handler).resourceTypes},
		{method: http.MethodGet, path: "/ResourceTypes/{name}", handle: (*Handler).resourceType},
		{method: http.MethodGet, path: "/Schemas", handle: (*Handler).schemas},
		{method: http.MethodGet, path: "/Schemas/{id}", handle: (*Handler).schema},
	}
}
