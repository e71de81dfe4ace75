// Package scim is the SCIM 2.0 service provider of scimkit: an
// [http.Handler] that speaks RFC 7643/7644 to an identity provider
// (Microsoft Entra ID, Okta, OneLogin) and provisions through package
// identity, one atomic store operation per request.
//
// The shortest correct use, serving every group of a store under
// /api/scim/v2/groups/{group}:
//
//	st := memstore.New()
//	prov, err := identity.New(st)
//	g, token, err := prov.CreateGroup(ctx, identity.GroupSpec{ID: "g1", Path: "acme"})
//	h, err := scim.New(prov, scim.WithPrefix("/api/scim/v2/groups/{group}"))
//	mux.Handle("/api/scim/v2/groups/", h)
//
// The IdP is then given the base URL http://HOST/api/scim/v2/groups/acme and
// the token.
//
// # Routes
//
// Under the prefix: POST and GET /Users, GET, PUT, PATCH and DELETE
// /Users/{id}, POST /Users/.search, the same for /Groups, GET
// /ServiceProviderConfig, /ResourceTypes[/{name}] and /Schemas[/{id}]. The
// table is in routes.go. Any other path is a SCIM 404; another method on a
// served path is a SCIM 405 with an Allow header. The handler can also be
// mounted with [http.StripPrefix] and an empty prefix, or on a third-party
// router (see examples/mux).
//
// The endpoint segment of a path is matched ignoring case, and a path with
// one trailing slash is taken as the path without it: /users, /USERS/{id}
// and /Groups/ are /Users, /Users/{id} and /Groups, as widely deployed SCIM
// servers answer them (RFC 7644 §3.2 spells the endpoints and says no
// more). The prefix and the ids stay exact (an id is case-sensitive, RFC
// 7643 §3.1), and Location and meta.location keep the canonical spelling,
// also under http.StripPrefix. The GitLab profile keeps GitLab's exact
// routes. Pinned by TestRouteCase, TestRouteCaseStripPrefix and
// TestRouteCaseGitLab (routecase_test.go).
//
// # Authentication and tenants
//
// Every route needs "Authorization: Bearer TOKEN" with the token of the
// group served; the group is the {group} path segment or the group of
// [WithGroup] (New refuses a handler with neither). A token never reaches
// another group: a wrong, missing or foreign token is a SCIM 401.
//
// # Errors
//
// Every error is an RFC 7644 §3.12 document with a string "status" and, when
// one applies, "scimType" (the GitLab profile's shapes are below). One
// mapper (error.go) decides the status for both profiles:
//
//	malformed JSON, non-object, bad UTF-8, too deep   400 invalidSyntax
//	filter syntax or type error, filter too long      400 invalidFilter
//	query string that does not parse (raw ";", bad %) 400 invalidFilter (filter), invalidValue
//	a list parameter given twice (filter=a&FILTER=b)  400 invalidFilter (filter), invalidValue
//	filter too costly (store.MaxFilterWork)           400 tooMany
//	PATCH errors (*patch.Error)                       400 with its scimType
//	bad startIndex/count/sortOrder, invalid attribute 400 invalidValue
//	attributes or excludedAttributes over 256 names   400 invalidValue
//	value not of its schema type ("active":"bogus")   400 invalidValue naming it
//	PATCH removing externalId                         400 mutability
//	malformed attributes/excludedAttributes path      400 invalidPath
//	rule refused (last owner, enforced SSO)           400
//	missing/wrong token                               401
//	a filter on a discovery endpoint (RFC 7644 §4)    403
//	unknown resource, route or id                     404
//	other method on a served path                     405 (Allow)
//	member sub-attribute in a Group PATCH path        400 mutability
//	Group PATCH remove by a filter not on value       400 invalidFilter
//	Group list filter on members.display/type/$ref    400 invalidFilter
//	email, username, extern_uid or user taken,
//	a Group's displayName or externalId taken         409 uniqueness
//	stale If-Match, matching If-None-Match            412
//	body over the limit (1 MiB by default)            413
//	Content-Type not application/(scim+)json          415
//	Content-Encoding other than identity (gzip, br)   415
//	request deadline passed (WithRequestTimeout),
//	store unavailable or overloaded                   503 Retry-After: 1, nothing written
//	anything else                                     500 "internal server error"
//
// The real error of a 500 goes to the [slog.Logger] of [WithLogger] with the
// request id (also sent as X-Request-Id), never to the client.
//
// # Limits and decisions
//
// startIndex below 1 is 1 and a negative count is 0 (RFC 7644 §3.4.2.4);
// count is capped at [DefaultMaxCount] ([WithMaxCount]), advertised as
// filter.maxResults in /ServiceProviderConfig. A startIndex or count that is
// not an integer is 400 invalidValue. Attribute names in bodies are matched
// case-insensitively and stored in the schema's spelling (canonical.go;
// PATCH through package patch, which writes that spelling);
// "password" is never stored or returned. Both application/scim+json and
// application/json are accepted; responses are application/scim+json unless
// the client accepts only application/json. ETags are weak and follow the
// stored version (etag.go); If-Match on PUT, PATCH and DELETE is checked
// inside the provisioner's atomic unit, so of two writes carrying the same
// version one fails with 412. PATCH answers 200 with the resource, or 204
// with "Prefer: return=minimal". The discovery documents are encoded once,
// in [New]. A panic below a route is logged and answered 500.
//
// # Reliability
//
// Every request runs under a deadline ([WithRequestTimeout], 20 s by
// default), which its context carries to the provisioner and the store: a
// wait for a lock, a retry or a transaction still running at the deadline
// ends there and is rolled back, and the client gets 503 with Retry-After:
// nothing is committed that the client was not told about. The server's
// WriteTimeout must be longer. A PATCH or PUT is worked out (patch.Apply,
// the type check) before the store's write, so one group's heavy request
// holds no lock another group's writes wait for; PATCH work and list
// filters are bounded (patch.MaxComparisons, store.MaxFilterWork) and
// refused beyond. A query string that does not parse, a value that does
// not fit its schema type, a Content-Encoding the handler does not decode
// and an operation the server would not apply are refused, never read
// halfway or acknowledged and ignored (reliability_test.go).
//
// Bodies are read with encoding/json (numbers as json.Number, a repeated
// member's last value kept); a body that is not valid UTF-8 or nests deeper
// than 32 levels is refused before it is decoded. Responses are written
// with encoding/json, resources with the faster scim/internal/jsondoc.
//
// Identity-provider quirks accepted, each pinned by a transcript in
// testdata/transcripts: Entra ID's filter emails[type eq "work"].value eq
// "…" (a sub-attribute after a value filter, which RFC 7644's grammar allows
// only in PATCH paths; parsed with filter.Parser.SubAttributeComparison), its PATCH ops "Replace"
// and values "False"; Okta's PATCH without path and POST without
// externalId; OneLogin's empty strings and single-object "emails".
//
// # Groups
//
// In the RFC profile /Groups serves the groups an identity provider
// provisions (Entra ID's group provisioning, Okta's Group Push), kept by
// package identity as IdP groups of the tenant with their members as rows
// (identity.Provisioner.CreateIdPGroup and the calls beside it). A member
// is a User of the same tenant, named by its id; it is shown as
// {"value": id, "$ref": the User's URL, "display": the account's name,
// "type": "User"}. displayName is unique in the tenant, ignoring case, and
// so is externalId when set (409 uniqueness). The decisions, each pinned by
// the test named:
//
//   - Entra ID's group schema
//     (http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group)
//     beside the core one in "schemas", and a "meta" sent by the client, are
//     accepted; "schemas" must name the core Group schema when given
//     (TestGroupsCRUD, testdata/transcripts/entra_groups.json).
//   - The members are read only when the answer shows them:
//     excludedAttributes=members (Entra ID's reads), an attributes list
//     without members, and a PATCH read none, so those cost the same for a
//     group of 100,000 members as for one of ten
//     (TestGroupsReadMembersOnlyWhenShown; benchmarks/groups_test.go).
//   - A PATCH answers 204 No Content with the new ETag, which RFC 7644
//     §3.5.2 allows and Entra ID and Okta take: the 200 alternative carries
//     the entire resource, members included. With attributes,
//     excludedAttributes or "Prefer: return=representation" it answers 200
//     with the resource as asked (TestGroupPatchAnswer). A PUT and a POST
//     answer the resource with its members, as those requests read them
//     anyway.
//   - The PATCH operations on members become identity.MemberChanges in
//     their order, and the others run through patch.Apply on the group
//     without its members, all in one atomic operation (grouppatch.go):
//     add and replace of members with a list (a single member object is a
//     list of one); remove with a value list, outside RFC 7644's grammar but
//     what Entra ID sends without its aadOptscim062020 flag; remove by
//     members[value eq "id"], or several such conditions joined by "or";
//     remove of members without a value, which removes them all; members
//     inside the value of a path-less add or replace (Okta's path-less
//     rename, which also holds the group's id, is patch's)
//     (TestGroupPatchShapes, testdata/transcripts/okta_groups.json).
//   - A remove by any other filter on members is 400 invalidFilter, since
//     members are found by their value alone; a path to a member's
//     sub-attribute (members[value eq "id"].display, members.value) is 400
//     mutability, as a member's sub-attributes are immutable (RFC 7643
//     §4.2); an add or replace through a value filter is 400 invalidPath
//     (TestGroupsBadInput).
//   - A member to add that names no User of the tenant, or a deleted one,
//     is 400 invalidValue naming it; a member to remove that is no member,
//     or names no User, is passed over: Entra ID retries the removal of
//     users it has just deleted (TestGroupPatchShapes, TestGroupsBadInput).
//   - members.value, ids, are compared exactly in filters, and /Schemas
//     says so (caseExact); RFC 7643 §8.7.1 leaves it case-insensitive
//     (TestGroupsCRUD). A list filter on another sub-attribute of members
//     (members.display, members[type eq "User"]) is 400 invalidFilter: a
//     membership is stored as the member's id alone, so it would match
//     no group and answer an empty list (TestGroupsBadInput).
//   - Concurrent PATCHes of one group's members lose no change, on every
//     store (TestGroupsConcurrentPatches, run with -race); a failed PATCH
//     changes nothing (TestGroupsBadInput, FuzzGroupPatch).
//
// A DELETE of a User takes it out of every group, and its id answers 404
// to every method from then on; a later POST of the same person creates a
// new resource with a new id for the same account, whose membership of the
// tenant is restored (RFC 7644 §3.6; TestDeletedStaysDeleted).
//
// # Discovery
//
// /ResourceTypes lists User and Group, and /Schemas their schemas, with
// the uniqueness the server enforces (uniqueness.go): userName "server"
// (within the tenant, ignoring case); emails.value "global" (an address
// belongs to one account of the host, ignoring case; RFC 7643 has no
// case-insensitive "global", so the attribute's description says it);
// Group displayName "server"; members.value caseExact. externalId, unique
// within the tenant ignoring case for Users and Groups, is a common
// attribute (RFC 7643 §3.1) and, as in RFC 7643 §8.7.1's schemas, not
// listed. Pinned by TestDiscovery and TestSchemasUniqueness. A filter on
// a discovery endpoint is 403, as RFC 7644 §4 asks, rather than dropped
// (TestDiscoveryFilter).
//
// # The GitLab profile
//
// The handler answers in the wire profile of its provisioner's rules. Over
// a provisioner made with identity.WithProfile(identity.GitLabProfile()) it
// answers byte for byte as GitLab's group SCIM API does (docs/gitlab.md
// §1–§8), for IdP apps built for GitLab.com; the provisioning rules are the
// shared ones, with GitLab's few differences (identity.Profile). Only GET and POST /Users and GET, PATCH and DELETE /Users/{id} exist;
// anything else is {"error":"404 Not Found"}. An unknown group is a 404
// "Group <path> not found" before the token is looked at, as in GitLab, and
// so is a group without SAML SSO configured (store.Group.SAML nil, see
// package identity/sso): 404 "Group <path> does not have SAML SSO
// configured". The RFC profile serves SCIM without SAML: its IdP apps are
// set up by hand and need not sign in through SAML. The
// token is the access_token query parameter or the Bearer header, and a bad
// one is {"message":"401 Unauthorized"}. id is the extern_uid (matched
// case-insensitively) and there is no externalId; errors carry a numeric
// status and no scimType, 412 where GitLab answers 412 (unsupported
// filters, POST and PATCH failures with GitLab's parameter dump, secrets
// shown as [FILTERED]) and 409 for "has already been taken"; PATCH and
// DELETE answer 204 with no body, and a deleted identity stays readable
// with "active": false. The wire details live in scim/internal/gitlab
// (gitlab_test.go replays GitLab's documented requests).
//
// Two GitLab behaviours are deliberately not copied:
//
//   - GitLab reads a filter's first three words and silently ignores the
//     rest, so `userName eq "a" and active eq false` is answered as if it
//     were `userName eq "a"`. Here any filter beyond `id`, `externalId` or
//     `userName eq VALUE` (a quoted value may contain spaces) is a 412
//     "Unsupported Filter", and/or compounds and trailing words included.
//   - GitLab reactivates a deprovisioned identity on any PATCH that does not
//     set active to false, even one that only renames or has no operations,
//     which lets a stray update undo a deprovisioning. Here only active true
//     reactivates.
//
// Where GitLab fails with a 500 on malformed input (a PATCH operation
// without op, a path-less operation whose value is not an object) the
// profile answers GitLab's 412 "Error updating ..." instead.
//
// A Handler is safe for concurrent use.
package scim
