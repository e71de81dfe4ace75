// Package settings serves a group owner's "SAML SSO" settings page, the one
// page where GitLab's SCIM and SAML flow starts: it shows the group's SCIM
// base URL, generates or resets the group's SCIM token (shown once), shows
// the group's SAML service-provider addresses and its SAML configuration
// and takes the settings that change it, lists the groups the IdP
// provisioned over SCIM and the group links that give their members a role,
// and lists every identity the IdP provisioned into the group with the
// externalId stored for it, the SAML NameID the IdP must send, so an owner
// can tell why a user cannot sign in.
//
// The page is server-rendered with html/template from embedded files; it
// needs no JavaScript (a small inline script adds copy buttons, a
// confirmation before a token reset, and shows only the chosen way of
// entering the IdP) and loads nothing from anywhere.
//
// # Use
//
//	sp, err := sso.New("https://app.example.com", st, linker, mySessions) // package identity/sso
//	page, err := settings.New(prov, st, func(r *http.Request, g *store.Group) (bool, error) {
//		u := currentUser(r) // the host's session
//		return u != nil && isOwner(u, g.ID), nil
//	}, settings.WithSCIMURL("https://app.example.com/api/scim/v2/groups/{group}"),
//		settings.WithSAML(sp.URLs))
//	mux.Handle("/groups/{group}/-/saml", page)
//	mux.Handle("/groups/{group}/-/saml/token", page)
//	mux.Handle("/groups/{group}/-/saml/group_links", page)
//	mux.Handle("/groups/{group}/-/saml/group_links/remove", page)
//	mux.Handle("/groups/{group}/-/saml/{route}", sp) // metadata, sso, callback, authorize
//
// The handler matches request paths against its prefix ([WithPrefix],
// default [DefaultPrefix], GitLab's /groups/{group}/-/saml) itself, so the
// host may route any path under the prefix to it with any router, but must
// not strip the prefix. Its routes are the page (GET prefix), the token
// form (POST prefix/token), with [WithSAML] the SAML form (POST prefix),
// and, in the RFC profile, the group link forms (POST prefix/group_links
// and prefix/group_links/remove); the page's query takes q (a search) and
// page (a page of the list). The SAML handler's routes share the prefix
// (GitLab's layout), so a host gives the page exactly these paths and the
// SAML handler the rest.
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
// # SAML single sign-on
//
// With [WithSAML] the page has a SAML section, on the host's SAML handler
// of package identity/sso:
//
//   - the service provider's addresses an IdP administrator copies, each
//     with a copy button: the identifier (entity ID), the assertion
//     consumer service URL, the single sign-on URL and the SP metadata
//     URL. They come from the function the host passes, the SAML handler's
//     URLs method, never computed a second way, so the page shows what the
//     SAML routes serve;
//   - the saved configuration: not configured, enabled or disabled, SSO
//     enforced or not, the default membership role, the NameID format, the
//     IdP's entity ID and sign-in URL, and each trusted signing
//     certificate with its validity and SHA-1 and SHA-256 fingerprints (or
//     the configured fingerprint), as sso.DescribeIdP reads them;
//   - the settings form: enable SAML authentication; the IdP's SSO URL and
//     certificate fingerprint (SHA-1 as GitLab asks, or SHA-256), with its
//     entity ID optionally, or its metadata XML, pasted or uploaded; enforce
//     SSO-only authentication (store.Group.EnforceSSO); the default
//     membership role (store.Group.DefaultRole, GitLab's roles from Minimal
//     Access to Owner); the NameID format.
//
// The form is saved through sso.Configure, the one place that checks a
// SAML configuration, with the group's enforced SSO and default role in
// the same store update. A refused configuration answers 422 with the
// page: each of sso's refusals (a *sso.ConfigError naming its field)
// beside its field, the owner's values kept as typed, nothing saved. The
// form carries the group's version (store.Group.Version), and the save
// happens only if the group is still at it: when someone else saved, reset
// the token, or changed the group otherwise since the page was shown, the
// answer is 409 with nothing saved, the owner's values kept beside what is
// stored now, and the form at the current version, so that saving again is
// a deliberate overwrite. A save answers 303 to the page, which shows the
// saved state. A group that trusts a certificate the host configured
// through sso.Configure (the form has no certificate field) keeps it when
// the owner leaves the fingerprint empty. The form's body is limited to 4
// MiB (413 beyond); sso limits the metadata to 1 MiB.
//
// # Group links
//
// Over a provisioner of the RFC profile, whose SCIM handler serves Groups,
// the page has a Group links section (the GitLab profile has no Groups, as
// GitLab, and no section). It lists the group links (GitLab's SAML group
// links: an IdP group, by displayName or externalId, ignoring case, gives
// a role), each with a Remove button, a form that adds a link or changes
// the role of one, with the roles GitLab's groups offer (Minimal Access to
// Owner), and the IdP groups the IdP provisioned (their displayName,
// externalId and the role their links give), the first 100 by displayName
// with their count. Member counts are not shown: counting the members of a
// group reads every one of them.
//
// Both forms go through identity.Provisioner.SetIdPGroupLink and
// identity.Provisioner.RemoveIdPGroupLink, which recompute the members'
// roles in the same store update: a member's role is the highest among the
// linked IdP groups that contain them, else the group's default role. A
// save or a removal answers 303 to the page, which says so; refused values
// answer 422 with each error beside its field and the values as typed; a
// change that would take the owner role from the group's last owner
// answers 422 with GitLab's "Cannot remove last group owner" message, and
// nothing is saved. A removal of a link already gone answers 303 as a
// removal does. The forms' bodies are limited to 64 KiB (413 beyond).
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
// cannot sign in with SAML when they cannot: the group's SAML SSO is not
// configured or is disabled (store.Group.SAML, a reason for every row);
// deprovisioned; blocked or pending approval; not linked (an account that
// existed before provisioning and must be linked by its owner); a SAML
// NameID that differs from the externalId; or a group that asks for
// email-address NameIDs while the externalId is no email address.
//
// # Events
//
// With [WithEventLog] the page ends with the group's recent audit events,
// read from the host's [EventLog].
package settings
