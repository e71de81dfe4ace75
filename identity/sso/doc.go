// Package sso is the SAML 2.0 service provider (SP) of every group of a
// store: GitLab's group single sign-on. A person the group's identity
// provider (IdP) provisioned over SCIM signs in through that IdP, and the
// SAML NameID (= SCIM externalId = the stored extern_uid) picks the
// account. It is built on github.com/crewjam/saml, which verifies the XML
// signatures (through github.com/russellhaering/goxmldsig) and the
// assertion's conditions; this package writes no XML signature or
// assertion check of its own. The rules of what a verified assertion means
// for accounts and memberships are identity.Linker's.
//
// The shortest correct use, beside the SCIM handler:
//
//	linker, err := identity.NewLinker(st, identity.WithEventSink(sink))
//	sp, err := sso.New("https://app.example", st, linker, mySessions)
//	mux.Handle("/groups/{group}/-/saml/", sp)
//	// per group, from the settings page (or at start-up):
//	g, err := sso.Configure(ctx, st, groupID, store.SAMLConfig{Enabled: true, IdPMetadata: xml})
//	urls := sp.URLs(g.Path) // show EntityID and ACS to the IdP administrator
//
// mySessions is the host's: scimkit keeps no session of its own (see
// [Sessions]).
//
// # Routes
//
// Under the prefix (default [DefaultPrefix], "/groups/{group}/-/saml", as
// GitLab; any prefix with a {group} segment through [WithPrefix]):
//
//	GET  /metadata   the group's SP metadata (entity ID, ACS, SP certificate)
//	GET  /sso        start a sign-in: redirect to the IdP (HTTP-Redirect
//	                 binding); ?redirect=/local/path says where to return
//	POST /callback   the assertion consumer service (HTTP-POST binding)
//	POST /authorize  the Authorize confirmation of an existing account
//
// The entity ID is the base URL followed by the prefix up to {group}:
// "https://app.example/groups/acme" by default, GitLab's form. The base URL
// given to [New] is the one browsers and IdPs use; it is never guessed from
// the request's Host header, since the audience and destination checks
// compare with it.
//
// # Setting up the IdP
//
// The administrator copies two values from [Handler.URLs] into the IdP, or
// gives it the metadata URL, and makes the IdP send as NameID the same
// value it sends as SCIM externalId:
//
//   - Microsoft Entra ID (Enterprise application > Single sign-on > SAML):
//     Identifier (Entity ID) = EntityID; Reply URL (Assertion Consumer
//     Service URL) = ACS; Sign on URL = SSO. Unique User Identifier (Name
//     ID) = user.objectid, which provisioning maps to externalId. Entra ID
//     sends the email as the
//     http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress
//     claim.
//   - Okta (SAML 2.0 app): Single sign-on URL = ACS ("Use this for
//     Recipient URL and Destination URL" checked); Audience URI (SP Entity
//     ID) = EntityID; Name ID format Persistent; Application username = the
//     attribute provisioning sends as externalId. Add an "email" attribute
//     statement.
//   - OneLogin (SAML Custom Connector, or SCIM Provisioner with SAML):
//     Audience (EntityID) = EntityID; Recipient and ACS (Consumer) URL =
//     ACS; ACS URL Validator = the ACS URL as a regular expression; the
//     NameID must be what the SCIM JSON template sends as externalId.
//
// The IdP's side goes into the group's configuration with [Configure]: its
// metadata XML (Entra ID: "Federation Metadata XML"; Okta and OneLogin:
// "Identity Provider metadata"), or its SSO URL (Entra ID: "Login URL";
// Okta: "Identity Provider Single Sign-On URL"; OneLogin: "SAML 2.0
// Endpoint (HTTP)") with its signing certificate or the certificate's
// SHA-1 or SHA-256 fingerprint (GitLab's form), optionally with its entity
// ID (Entra ID: "Microsoft Entra Identifier"; Okta: "Identity Provider
// Issuer"; OneLogin: "Issuer URL").
//
// # What the ACS checks
//
// crewjam/saml checks, for every response:
//
//   - the XML signature of the Response or of the Assertion, by one of the
//     group's trusted certificates (from the metadata, the configured
//     certificate, or the one the response carries when its fingerprint is
//     the configured one); the message is read only from what a signature
//     covers, so signature wrapping and comments inside the NameID change
//     nothing (tamper_test.go pins both). An unsigned response is refused;
//   - the audience (the group's entity ID), the destination and recipient
//     (the group's ACS URL), the issuer (the IdP's entity ID), the status;
//   - the time window: the Response and Assertion IssueInstant at most 90
//     seconds old, NotBefore and NotOnOrAfter with 180 seconds of clock
//     skew (crewjam/saml's MaxIssueDelay and MaxClockSkew), on the clock of
//     [WithClock];
//   - InResponseTo: a response to a sign-in started at the SSO route must
//     answer a request this browser started (its tracking cookie, below)
//     less than 10 minutes ago;
//   - replay: each assertion ID is accepted once ([ReplayCache]).
//
// Then this package refuses a NameID that is missing or transient (it
// changes at every sign-in, so it cannot be an externalId) or not in the
// group's NameIDFormat when one is set. Only the HTTP-POST binding is
// taken: a SAMLart (artifact) or SimpleSign field is refused, so the ACS
// never makes an outbound request. The request body is limited (512 KiB,
// [WithMaxResponseBytes]; 413 beyond).
//
// IdP-initiated sign-in (an unsolicited response, from the IdP's dashboard
// tile) is accepted, as GitLab accepts it. Such a response is not tied to
// the browser, so an attacker could make a victim's browser sign in with
// the attacker's assertion (login CSRF); an unlinked NameID never links
// without the Authorize confirmation below, so it cannot attach the
// attacker's identity to the victim's account. Its RelayState, like any, is
// followed only when it is a local path.
//
// When the group was configured with an SSO URL and no IdP entity ID, the
// response's own issuer stands in for it, as GitLab's fingerprint form
// does: the trust rests on the certificate alone. With a fingerprint, the
// IdP must put its certificate in the signature's KeyInfo (Entra ID, Okta
// and OneLogin do) and sign the Response, or an Assertion that is not
// encrypted.
//
// # Outcomes
//
// After the checks the sign-in goes to identity.Linker, and ends in one of
// GitLab's outcomes; refusals are pages ([Page], [Outcome]) a host can
// render itself ([WithRenderer]); the default is a small HTML page:
//
//	NameID linked, nobody signed in        session started, 303 to RelayState
//	  (a member is added at the group's default role; a NameID changed at
//	  the IdP is updated when the asserted email is a verified one)
//	NameID not linked, nobody signed in    403 "SAML authentication failed: User is not
//	                                       linked to a SAML account", with the next step
//	NameID not linked, account signed in   200 the Authorize page; its POST links
//	                                       (Linker.Link) and signs in
//	NameID linked to the signed-in account session started, 303 to RelayState
//	NameID of another account / account    409 "SAML authentication failed: Extern UID has
//	  linked under another NameID          already been taken" / "... User has already
//	                                       been taken"
//	deprovisioned SCIM identity, blocked   403 "SAML authentication failed: " + the rule's
//	  account, NameID change with an       text; nothing written
//	  unverified email
//	SSO disabled for the group             403
//	unknown group, group without SAML      404 (the same page: the routes do not tell
//	                                       which groups exist)
//	tampered, expired, unsigned, wrong     403 "SAML authentication failed: " + the reason
//	  audience, replayed ...
//	malformed request / too large          400 / 413
//
// Nothing is written before the Authorize confirmation, and a refusal
// writes nothing.
//
// # Cookies and CSRF
//
// The package sets two cookies of its own, both HttpOnly, Secure when the
// base URL is https, scoped to the one route that reads them, MACed with a
// key derived from the SP key, and living at most 10 minutes: a tracking
// cookie per started sign-in (the AuthnRequest ID, read at the ACS), and
// the pending link between the ACS and the Authorize confirmation. The
// IdP returns the browser with a cross-site POST, which carries a
// SameSite=Lax cookie in no browser, so the tracking cookie is
// SameSite=None (browsers accept that only with Secure, hence over https);
// over plain http it has no SameSite attribute, and browsers' defaults
// apply (Chrome sends such a cookie on a top-level cross-site POST for two
// minutes after it was set). A sign-in whose cookie was lost fails ("does
// not answer a sign-in started in this browser"), never passes unchecked.
// The Authorize POST comes from this package's own page: its cookie is
// SameSite=Lax, and the route is behind http.CrossOriginProtection
// (Sec-Fetch-Site and Origin), so another site cannot submit it. The NameID
// it links comes from the MACed cookie, never from the form, and the
// account signed in must be the one the ACS saw.
//
// # Sessions and enforced SSO
//
// The host keeps its sessions and tells this package about them through
// [Sessions]: who is signed in, start a session for an account (recording
// that it holds a SAML sign-in to the group), and whether a session holds
// one. [Handler.RequireSSO] is the middleware for the host's group web
// routes when the group enforces SSO (store.Group.EnforceSSO, GitLab's
// "Enforce SSO-only authentication for web activity"): a member signed in
// without a SAML sign-in to the group is redirected to the group's SSO URL
// and comes back to the page. The host puts it in front of every route of
// the group's web pages (not in front of the API or SCIM routes, which use
// tokens).
//
// # Configuration
//
// A group's SAML configuration is store.Group.SAML, written by [Configure]
// after checking it (one of the three IdP forms, parsed with crewjam/saml's
// metadata types). A group without one has no SAML routes (404), and the
// GitLab wire profile of package scim serves no SCIM for it either (404
// "Group <path> does not have SAML SSO configured", as GitLab). The group's
// EnforceSSO and DefaultRole are its own fields, set with the group or, in
// the same write as the configuration, with the options [EnforceSSO] and
// [DefaultRole].
//
// A settings form (package identity/settings is one) saves through
// Configure too: [IfVersion] makes the write fail with
// store.ErrVersionMismatch when the group changed since the form was
// filled in, every field at fault is a *[ConfigError] naming it
// ([ConfigErrors] lists them), [DefaultRoles] and [NameIDFormats] are the
// choices to offer, and [DescribeIdP] says what a stored configuration
// trusts (the IdP's entity ID, SSO URL, certificates and their
// fingerprints).
//
// # Keys and replicas
//
// The SP's RSA key and certificate are the host's: given with
// [WithServiceProviderKey], or generated (2048 bits, a self-signed
// certificate valid ten years) on first use and kept in the store
// (store.SAMLKey), where every replica on the same database finds the same
// one. The key is published only as its certificate in the metadata (for
// IdPs that encrypt assertions) and never logged. The database then holds
// a private key: protect it as such, or give the key. The default
// [ReplayCache] is one process's memory: replicas behind one load balancer
// need a shared one ([WithReplayCache]), or an assertion captured in
// transit could be replayed to another replica within its few minutes of
// validity.
//
// # Concurrency
//
// A [Handler] is safe for concurrent use; concurrent sign-ins go through
// identity.Linker's atomic store operations (e2e_test.go runs them under
// the race detector). The package has no package-level mutable state.
package sso
