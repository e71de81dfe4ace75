// Package scimtest lets a host app prove, in its own go test and without
// an identity-provider tenant, that Microsoft Entra ID, Okta and OneLogin
// work against its SCIM wiring: a ready scimkit server ([NewServer]) and
// the three IdPs as scripted SCIM clients ([Entra], [Okta], [OneLogin])
// that send what each IdP sends, in its order, to any base URL and token.
//
// The shortest correct use, in a host's test:
//
//	func TestSCIM(t *testing.T) {
//		srv := scimtest.NewServer(t)
//		scimtest.Check(t, srv.URL, srv.Token)
//	}
//
// A host with its own router, store.Store or event sink serves its own
// handler (httptest.NewServer(router)) and points Check, or a single
// client, at the group's base URL on it with a token of that group.
//
// # The scripted clients
//
// Each client has one method per provisioning action of its IdP (create,
// update, deactivate, reactivate, delete, group changes); a method sends
// every request the IdP sends for that action, including the lookups
// before it, and returns the parsed answer of the main request as a
// [Response]. Sync runs an IdP's whole script for one new person; Check
// runs the three Syncs as subtests. The people provisioned get random
// names, so a script can run again against a store that outlives a test.
// A client is not safe for concurrent use; several clients may run at
// once.
//
// The requests follow the IdPs' public documentation, as the transcripts
// in scim/testdata/transcripts record it: Microsoft's SCIM endpoint guide
// and its list of SCIM compliance known issues (PATCH ops "Replace" and
// "Add", active as the string "False", the aadOptscim062020 flag's
// path-less replace), Okta's SCIM 2.0 protocol reference (the "Test API
// Credentials" probe, userName lookup, PUT profile pushes, path-less
// PATCH deactivation, Group Push), and OneLogin's SCIM pages (the v2
// Enterprise JSON template, whose unset parameters arrive as empty
// strings, Suspend and Delete).
//
// # What fails a step
//
// A step fails the test, through testify's require (any
// [github.com/stretchr/testify/require.TestingT] will do, *testing.T among them), when the answer is
// one the IdP treats as an error or that leaves the IdP and the server
// disagreeing:
//
//   - a status the IdP does not take: anything but 201 for a create,
//     anything but 200 or 204 for a PATCH, anything but 200 for a lookup
//     (or 404, which Okta and OneLogin take as "no such user");
//   - a body that is not a JSON object of type application/scim+json or
//     application/json (an HTML sign-in page, for example);
//   - a created user without "id", a read of another id;
//   - a lookup that is not a ListResponse, or that matches what the IdP
//     must not find (a user it is about to create) or does not find what
//     it must (the user it is about to change);
//   - a deactivation or reactivation that does not show: the answer, or
//     when it has no body the user read back (as the IdP's next cycle or
//     import reads it), with another "active";
//   - in the RFC profile, attributes that read back otherwise than sent
//     (Entra ID sends them again in every cycle) or a PUT answer without
//     the names sent (Okta keeps it as the user's profile).
//
// The message names the IdP and the step, and shows the request as sent
// (the token hidden), what the IdP needs, and the answer.
//
// # Profiles
//
// WithProfile(identity.GitLabProfile()) serves GitLab's wire profile from
// NewServer and makes the clients send what IdP apps built for GitLab.com
// send: Okta's and OneLogin's GitLab catalog apps (PATCH instead of PUT,
// the core schema only) and Entra ID with the attribute mappings of
// GitLab's set-up guide. Their answers are GitLab's: id equal to the
// externalId sent, PATCH answered 204 without a body (the clients then
// read the user back), a startIndex echoed as a string. As GitLab serves
// SCIM only to groups with SAML SSO configured, NewServer configures each
// group's SAML SSO with a placeholder IdP nobody signs in through; a host
// handler checked in the GitLab profile needs its groups configured too
// (package identity/sso).
//
// # Groups
//
// Entra ID's group provisioning and Okta's Group Push run when the server
// has a Groups resource: the client asks GET /ResourceTypes once (a
// request of scimtest's own, not of the IdP) and looks for a resource type
// named "Group", as scimkit's RFC profile (and so [NewServer]'s) does.
// [WithGroupProvisioning] decides instead; the GitLab profile has no
// Groups.
//
// # The server
//
// [NewServer] runs scimkit over a memstore (or the store of [WithStore])
// on a [net/http/httptest.Server] closed by t.Cleanup, with groups whose
// tokens are known ([WithGroup]; by default one group, "acme", token
// "scimtest-token-acme"). Its fields give each group's base URL and token,
// the provisioner for assertions straight from Go, the store, and
// [Server.Events] the events emitted so far.
package scimtest
