package identity

import (
	"errors"
	"fmt"
)

// Kind classifies an [Error] so that a caller (the scim handler) can pick an
// HTTP status and a SCIM scimType without parsing text.
type Kind uint8

// The kinds of [Error]. The suggested mapping for each wire profile is in the
// doc comment of each constant; only the scim package turns them into HTTP.
const (
	// KindInvalid: the input is malformed, missing, too long or contains
	// control characters. RFC profile: 400 invalidValue. GitLab profile: 412.
	KindInvalid Kind = iota + 1
	// KindConflict: a unique key is already held (email, username, extern_uid,
	// one SCIM identity per user per group). Detail uses GitLab's wording, e.g.
	// "Email has already been taken". RFC profile: 409 uniqueness. GitLab
	// profile: 409.
	KindConflict
	// KindNotFound: no such group, SCIM identity or user. Both profiles: 404.
	KindNotFound
	// KindVersionMismatch: an If-Match version did not match the stored one.
	// RFC profile: 412 Precondition Failed. (The GitLab profile has no ETags.)
	KindVersionMismatch
	// KindRefused: a rule refused the change and nothing was written: enforced
	// SSO without a linked SAML identity, removing the group's last owner, a
	// SAML NameID change without a verified email. RFC profile: 400 (no
	// scimType; 403 is for authorization). GitLab profile: 412.
	KindRefused
	// KindUnauthorized: a SCIM token did not authenticate for the group.
	// Both profiles: 401.
	KindUnauthorized
	// KindMutability: the request changes what the rules do not let a
	// client change (removing externalId, the link to the person's SAML
	// identity), and nothing was written: the change is refused rather
	// than acknowledged and ignored. RFC profile: 400 mutability. GitLab
	// profile: 412.
	KindMutability
)

// String returns a lower-case name for k, such as "conflict".
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindConflict:
		return "conflict"
	case KindNotFound:
		return "not found"
	case KindVersionMismatch:
		return "version mismatch"
	case KindRefused:
		return "refused"
	case KindUnauthorized:
		return "unauthorized"
	case KindMutability:
		return "mutability"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// GitLab's wording for uniqueness conflicts (docs/gitlab.md §4.6, §9).
const (
	msgEmailTaken     = "Email has already been taken"
	msgUserTaken      = "User has already been taken"
	msgExternUIDTaken = "Extern UID has already been taken"
	msgUsernameTaken  = "Username has already been taken"
	msgNotSAMLLinked  = "User is not linked to a SAML account or has an inactive SCIM identity"
	msgLastOwner      = "Cannot remove last group owner"
	msgNameIDMismatch = "SAML Name ID and email address do not match your user account"
	// GitLab's sign-in refusals of an account that is not active.
	msgBlocked         = "Your account has been blocked. Contact an administrator if you think this is an error."
	msgPendingApproval = "Your account is pending approval from an administrator and hence blocked."
)

// Error is the error every rule of this package returns for a condition the
// caller must answer with a client error. Detail is safe to show to the
// client (it never holds internal error text); Err, when set, is the cause
// and is meant for logs.
//
// Callers use errors.As:
//
//	var ie *identity.Error
//	if errors.As(err, &ie) && ie.Kind == identity.KindConflict { ... }
type Error struct {
	// Kind classifies the error.
	Kind Kind
	// Field names the SCIM attribute at fault ("externalId", "userName",
	// "emails", ...), or is empty.
	Field string
	// Detail is a human-readable message for the client, in GitLab's wording
	// where GitLab has one ("User has already been taken").
	Detail string
	// Err is the underlying cause, or nil.
	Err error
}

// Error returns "identity: " followed by the detail.
func (e *Error) Error() string {
	if e.Field != "" {
		return "identity: " + e.Field + ": " + e.Detail
	}
	return "identity: " + e.Detail
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same Kind with no Field and
// Detail set, so that errors.Is(err, &identity.Error{Kind: identity.KindConflict})
// works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && t.Field == "" && t.Detail == "" && t.Err == nil
}

// KindOf returns the Kind of the first *Error in err's chain, or 0 when
// there is none (an internal error: the handler answers 500).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func invalidf(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Detail: fmt.Sprintf(format, args...)}
}

func conflict(field, detail string) *Error {
	return &Error{Kind: KindConflict, Field: field, Detail: detail}
}

func notFound(detail string) *Error {
	return &Error{Kind: KindNotFound, Detail: detail}
}

func refused(detail string) *Error {
	return &Error{Kind: KindRefused, Detail: detail}
}
