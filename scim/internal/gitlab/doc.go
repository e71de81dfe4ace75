// Package gitlab holds the wire details of the GitLab profile of the scim
// handler: how GitLab's group SCIM API (/api/scim/v2/groups/GROUP/Users)
// reads requests and writes responses, so that identity-provider apps built
// for GitLab.com work unchanged against a scimkit host. It knows nothing of
// stores or provisioning rules; the scim package calls it to parse and to
// render, and keeps the rules shared with the RFC profile.
//
// The reference is docs/gitlab.md at the module root; section numbers
// below refer to it.
//
// # Reading requests
//
//   - [ParseFilter] reads the only filters GitLab answers, id, externalId
//     and userName eq a value (§5.2), into a [Filter] whose
//     [Filter.Lookups] spell out GitLab's userName fallbacks. Anything else
//     is an *[UnsupportedFilterError] (412 "Unsupported Filter").
//   - [ParsePage] reads startIndex and count (§5.2): count defaults to 20,
//     also for 0 or a negative count, and is capped at 100.
//   - [ParseParams] merges query and JSON body into one ordered parameter
//     set, as GitLab's framework does; [Params.Create] maps a POST (§4.1,
//     §4.2, with GitLab's "Missing params: [...]" error), [Params.Patch] reads
//     a PATCH's Operations (§6.1) and [Update.Action] decides what it does
//     (§6.2); [Params.Dump] is the parameter dump of GitLab's error details,
//     secrets shown as [FILTERED].
//
// # Writing responses
//
// [MarshalUser], [MarshalList] and [MarshalError] write GitLab's exact
// shapes and key order (§3, §8): id is the extern_uid, there is no
// externalId, one work email, name with formatted, givenName and
// familyName, meta with resourceType only; itemsPerPage is the effective
// page size; error status is a JSON number and there is no scimType.
// [MarshalMessage] writes GitLab's non-SCIM {"message":"401 Unauthorized"}
// bodies.
//
// # Deliberate differences from GitLab
//
//   - GitLab ignores whatever follows the third word of a filter, so
//     `userName eq "a" and active eq false` is answered as `userName eq "a"`.
//     Here it is a 412 "Unsupported Filter". A quoted value may contain
//     spaces (GitLab splits it).
//   - GitLab reactivates a deprovisioned identity on any PATCH that does
//     not set active to false. Here only active true reactivates; other
//     PATCHes of an inactive identity leave it inactive.
//   - Where GitLab fails with a 500 on malformed input (an operation
//     without op, a path-less operation whose value is not an object), the
//     profile answers GitLab's 412 shape instead.
//
// # Decisions where the reference is unsure
//
//   - startIndex is echoed as GitLab's code echoes an untyped query
//     parameter: a JSON string ("2"), the number 1 when absent or blank.
//     Okta's GitLab app works against GitLab.com with it.
//   - The names whose values the parameter dump hides follow GitLab's Rails
//     filter_parameters list as far as it is known (access_token and
//     password are asserted by GitLab's specs); see secretName.
//   - A path or method GitLab does not route is {"error":"404 Not Found"},
//     GitLab's API catch-all (PUT included; GitLab's exact answer to PUT was
//     not verified). A body that is not JSON is the 400 of GitLab's API
//     framework, {"error":"...message body does not match declared format..."}.
//   - Values that GitLab would cast oddly are kept as text: only active is
//     cast to a boolean; a boolean or number sent for a string attribute
//     keeps its JSON text.
package gitlab
