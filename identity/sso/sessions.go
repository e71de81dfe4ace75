package sso

import (
	"net/http"
	"time"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
)

// Sessions is the host's side of sign-in. scimkit never keeps a session of
// its own: the host decides what a session is, how long it lasts and how it
// ends. Its methods are called on the request's goroutine and must be safe
// for concurrent use.
type Sessions interface {
	// Current returns the ID of the account signed in to the host in the
	// session of r, or "" when nobody is signed in. An error is an internal
	// error (the page says so; the error is logged).
	Current(r *http.Request) (userID string, err error)
	// Start signs s.User in to the host in the browser of r (typically by
	// setting the host's session cookie on w) and records in that session
	// that it holds a SAML sign-in to s.Group, which [Sessions.HasSAML]
	// then reports. It is called after a verified assertion was accepted,
	// also for an account that was already signed in, before the browser
	// is redirected to s.ReturnTo; it must not write a body or a status.
	Start(w http.ResponseWriter, r *http.Request, s *SignIn) error
	// HasSAML reports whether the session of r holds a SAML sign-in to
	// group groupID that Start recorded and that is still valid. The
	// enforced-SSO middleware ([Handler.RequireSSO]) asks it.
	HasSAML(r *http.Request, groupID string) (bool, error)
}

// SignIn is a SAML sign-in scimkit accepted, handed to [Sessions.Start].
// Its values are copies the host may keep.
type SignIn struct {
	// Group is the group whose IdP asserted the sign-in.
	Group *store.Group
	// User is the account signed in.
	User *store.User
	// NameID is the asserted SAML NameID (the account's SAML identity in
	// the group, and its SCIM externalId).
	NameID string
	// SessionNotOnOrAfter is when the IdP says the session must end (the
	// assertion's AuthnStatement), or the zero time when it says nothing.
	SessionNotOnOrAfter time.Time
	// Changes says what the sign-in changed: identity.SAMLLinked (the
	// Authorize step linked the account), identity.NameIDChanged,
	// identity.MemberAdded; 0 for none. A host shows GitLab's notices from
	// it: "SAML for GROUP was added to your connected accounts" after a
	// link, "Signed in with SAML for GROUP" otherwise.
	Changes identity.Change
	// ReturnTo is the local path the browser is sent to next.
	ReturnTo string
}
