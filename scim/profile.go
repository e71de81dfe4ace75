package scim

import (
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
)

// Profile names a wire profile (docs/design.md §Wire profiles): how resources
// and errors look on the wire and which routes exist. The provisioning
// rules are shared.
type Profile string

// ProfileRFC is RFC 7643/7644 as written: server-assigned ids, externalId,
// string status and scimType in errors, ETags, PUT, /.search and the
// discovery endpoints. It is the default.
const ProfileRFC Profile = "rfc"

// Rules returns the provisioning rules the profile needs, for
// identity.WithProfile; [New] refuses a provisioner created with other
// rules. An unknown profile has the rules of [ProfileRFC].
func (p Profile) Rules() identity.Profile {
	if impl, ok := profileFor(p); ok {
		return impl.rules()
	}
	return identity.RFCProfile()
}

// profileFor returns the implementation of a profile name.
func profileFor(p Profile) (profile, bool) {
	switch p {
	case ProfileRFC:
		return rfcProfile{}, true
	case ProfileGitLab:
		return gitlabProfile{}, true
	}
	return nil, false
}

// profile is what differs between wire profiles. The handler's flow
// (authentication, decoding, atomic provisioning, projection) is shared;
// a profile decides what is served and renders it.
type profile interface {
	// rules returns the provisioning rules the profile needs.
	rules() identity.Profile
	// serves reports whether the route named (routes.go) exists.
	serves(route string) bool
	// token returns the credentials presented with r.
	token(r *http.Request) (string, bool)
	// writeError writes e (status, headers, body).
	writeError(w http.ResponseWriter, e *Error)
	// parseFilter parses a list filter; its errors go through toError.
	parseFilter(s string) (filter.Expr, error)
	// user renders a SCIM identity as the resource document sent to the
	// client, before projection. location is its absolute URL. u is the
	// account, which some profiles show; it may be nil.
	user(s *store.SCIMIdentity, u *store.User, location string) map[string]any
	// etags reports whether ETag, If-Match and If-None-Match are used.
	etags() bool
	// patchNoContent reports whether a successful PATCH answers 204
	// without a body, whatever the client asks.
	patchNoContent() bool
	// listStartIndex returns the startIndex shown in a list response.
	listStartIndex(p *listParams, raw string) any
}

// rfcProfile is [ProfileRFC].
type rfcProfile struct{}

func (rfcProfile) rules() identity.Profile { return identity.RFCProfile() }

func (rfcProfile) serves(string) bool { return true }

// token takes the token from the Authorization header only (RFC 6750
// §2.1); the scheme name is case-insensitive.
func (rfcProfile) token(r *http.Request) (string, bool) {
	return bearer(r.Header.Get("Authorization"))
}

// bearer extracts the token of an "Authorization: Bearer TOKEN" header.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

func (rfcProfile) writeError(w http.ResponseWriter, e *Error) { writeErrorRFC(w, e) }

// parseFilter parses the full RFC 7644 filter language, with Entra ID's
// sub-attribute comparison after a value filter turned on
// (filter.Parser.SubAttributeComparison).
func (rfcProfile) parseFilter(s string) (filter.Expr, error) {
	p := filter.Parser{SubAttributeComparison: true}
	return p.Parse(s)
}

func (rfcProfile) user(s *store.SCIMIdentity, _ *store.User, location string) map[string]any {
	return renderRFC(s, location)
}

func (rfcProfile) etags() bool { return true }

func (rfcProfile) patchNoContent() bool { return false }

func (rfcProfile) listStartIndex(p *listParams, _ string) any { return p.startIndex }
