// Package settings serves a group owner's "SAML SSO" settings page, the one
// page where GitLab's SCIM flow starts: it shows the group's SCIM base URL,
// generates or resets the group's SCIM token (shown once), and lists every
// identity the IdP provisioned into the group with the externalId stored
// for it, the SAML NameID the IdP must send, so an owner can tell why a user
// cannot sign in.
//
// The page is server-rendered with html/template from embedded files; it
// needs no JavaScript (a small inline script adds copy buttons and a
// confirmation before a token reset) and loads nothing from anywhere.
//
// # Use
//
//	page, err := settings.New(prov, st, func(r *http.Request, g *store.Group) (bool, error) {
//		u := currentUser(r) // the host's session
//		return u != nil && isOwner(u, g.ID), nil
//	}, settings.WithSCIMURL("https://app.example.com/api/scim/v2/groups/{group}"))
//	mux.Handle("/groups/{group}/-/saml", page)
//	mux.Handle("/groups/{group}/-/saml/token", page)
//
// The handler matches request paths against its prefix ([WithPrefix],
// default [DefaultPrefix], GitLab's /groups/{group}/-/saml) itself, so the
// host may route any path under the prefix to it with any router, but must
// not strip the prefix. Its routes are the page (GET prefix) and the token
// form (POST prefix/token); the page's query takes q (a search) and page (a
// page of the list).
//
// # Who sees what
//
// The host's [Authorizer] decides who owns a group. Everyone else gets 403
// Forbidden with nothing about the group, and so does everyone for a group
// that does not exist, so the answer does not tell which groups do.
//
// Every form post passes [http.CrossOriginProtection] (Sec-Fetch-Site, or
// Origin against Host) and must carry Sec-Fetch-Site or Origin, which every
// browser of the last years sends; without either the post is refused. The
// page therefore carries no CSRF token: the check needs no secret shared
// between replicas and no session. A host whose proxy changes the Host
// header names its public origin with [WithTrustedOrigin].
//
// Every response is Cache-Control: no-store and carries a
// Content-Security-Policy that allows only the page's own inline stylesheet
// and script (by digest) and forms posting to the page's origin, with
// frame-ancestors 'none', X-Frame-Options: DENY and Referrer-Policy:
// no-referrer.
//
// # The token
//
// Generate a SCIM token (or Reset SCIM token, when the group has one) calls
// identity.Provisioner.RotateToken: the old token stops working at once.
// The new token appears in the answer to that POST and nowhere else: not
// in a URL (the answer is not a redirect), not in a log line, not on any
// later page; the store keeps only its digest.
//
// # The identities
//
// The table pages through the group's SCIM identities in their default
// order, deleted ones included, 50 per page. Stores answer a page of a query
// without filter or sort from their default order, so a page of a group of
// 100,000 identities costs the same as a page of a small one. The search
// takes one exact value, compared case-insensitively, and looks it up as an
// externalId, as the userName or an email the IdP sent, and as the
// username or an email of the account: each through an index (the store's
// extern_uid and account keys, and userName eq and emails.value eq queries,
// which memstore and sqlstore answer from indexes), never by reading the
// whole group.
//
// Each row says whether the identity is active, whether its account has a
// SAML identity in the group (SAML linked), whether the group's provisioning
// created the account (Enterprise), the member's role, and why the user
// cannot sign in with SAML when they cannot: deprovisioned, blocked or
// pending approval, not linked (an account that existed before
// provisioning and must be linked by its owner), or a SAML NameID that
// differs from the externalId.
//
// # Events
//
// With [WithEventLog] the page ends with the group's recent audit events,
// read from the host's [EventLog].
package settings
