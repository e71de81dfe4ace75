package scim

import (
	"context"
	"net/http"
)

// A route is one entry of the routing table: a method and a path below the
// handler's prefix, in http.ServeMux pattern syntax (Go 1.22).
type route struct {
	// name identifies the route to profiles and in logs.
	name   string
	method string
	path   string
	// body reports whether the route reads a JSON request body.
	body   bool
	handle func(h *Handler, ctx context.Context, w http.ResponseWriter, r *http.Request, t *tenant) error
}

// Route names.
const (
	routeUsersCreate   = "users.create"
	routeUsersList     = "users.list"
	routeUsersSearch   = "users.search"
	routeUserGet       = "user.get"
	routeUserReplace   = "user.replace"
	routeUserPatch     = "user.patch"
	routeUserDelete    = "user.delete"
	routeSPConfig      = "serviceProviderConfig"
	routeResourceTypes = "resourceTypes"
	routeResourceType  = "resourceType"
	routeSchemas       = "schemas"
	routeSchema        = "schema"
)

// routes is the whole routing table (RFC 7644 §3.2, §3.4.3, §4). A profile
// may serve a subset. A GET route also answers HEAD. Requests matching no
// route get a SCIM 404; a path served for other methods gets a SCIM 405
// with Allow.
func routes() []route {
	return []route{
		{name: routeUsersCreate, method: http.MethodPost, path: "/Users", body: true, handle: (*Handler).createUser},
		{name: routeUsersList, method: http.MethodGet, path: "/Users", handle: (*Handler).listUsers},
		{name: routeUsersSearch, method: http.MethodPost, path: "/Users/.search", body: true, handle: (*Handler).searchUsers},
		{name: routeUserGet, method: http.MethodGet, path: "/Users/{id}", handle: (*Handler).getUser},
		{name: routeUserReplace, method: http.MethodPut, path: "/Users/{id}", body: true, handle: (*Handler).replaceUser},
		{name: routeUserPatch, method: http.MethodPatch, path: "/Users/{id}", body: true, handle: (*Handler).patchUser},
		{name: routeUserDelete, method: http.MethodDelete, path: "/Users/{id}", handle: (*Handler).deleteUser},
		{name: routeSPConfig, method: http.MethodGet, path: "/ServiceProviderConfig", handle: (*Handler).serviceProviderConfig},
		{name: routeResourceTypes, method: http.MethodGet, path: "/ResourceTypes", handle: (*Handler).resourceTypes},
		{name: routeResourceType, method: http.MethodGet, path: "/ResourceTypes/{name}", handle: (*Handler).resourceType},
		{name: routeSchemas, method: http.MethodGet, path: "/Schemas", handle: (*Handler).schemas},
		{name: routeSchema, method: http.MethodGet, path: "/Schemas/{id}", handle: (*Handler).schema},
	}
}
