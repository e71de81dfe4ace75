package store

import (
	"crypto/sha256"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/internal/fold"
	"github.com/scimkit/scimkit/internal/resource"
)

// Role is a membership access level. The values are GitLab's access levels, so
// hosts that mirror GitLab can store them as is.
type Role int

// Membership roles, lowest to highest.
const (
	RoleNone          Role = 0
	RoleMinimalAccess Role = 5
	RoleGuest         Role = 10
	RolePlanner       Role = 15
	RoleReporter      Role = 20
	RoleDeveloper     Role = 30
	RoleMaintainer    Role = 40
	RoleOwner         Role = 50
)

// String returns the role's lower-case name ("guest", "owner", ...), or its
// number for a value that is not one of the constants.
func (r Role) String() string {
	switch r {
	case RoleNone:
		return "none"
	case RoleMinimalAccess:
		return "minimal_access"
	case RoleGuest:
		return "guest"
	case RolePlanner:
		return "planner"
	case RoleReporter:
		return "reporter"
	case RoleDeveloper:
		return "developer"
	case RoleMaintainer:
		return "maintainer"
	case RoleOwner:
		return "owner"
	}
	return "role(" + strconv.Itoa(int(r)) + ")"
}

// UserState is the state of a user account.
type UserState string

// User account states.
const (
	// UserActive is an account that can sign in.
	UserActive UserState = "active"
	// UserBlocked is an account an administrator blocked.
	UserBlocked UserState = "blocked"
	// UserPendingApproval is a new account waiting for an administrator's
	// approval (GitLab's "blocked pending approval").
	UserPendingApproval UserState = "pending_approval"
)

// Group is a tenant: the unit a SCIM token, its identities and its members
// belong to.
//
// Stores keep a copy of a Group on Put and return fresh copies from every
// read, so callers may modify the values they hold.
type Group struct {
	// ID is the group's immutable key, chosen by the caller. Required.
	ID string
	// Path is the group's URL path (e.g. "acme"), unique across the host,
	// case-insensitively. Required.
	Path string
	// Name is the group's display name, used in messages such as
	// "Could not remove <user> from <group>".
	Name string
	// TokenDigest is the SHA-256 digest of the group's one SCIM token; nil
	// when the group has no token. The token itself is never stored.
	TokenDigest []byte
	// DefaultRole is the role given to members added by provisioning;
	// RoleNone means RoleGuest (see [Group.MemberRole]).
	DefaultRole Role
	// EnforceSSO refuses to add members that have no SAML identity linked
	// to the group, and makes the group's web routes require a SAML
	// sign-in (GitLab's "Enforce SSO-only authentication").
	EnforceSSO bool
	// SAML is the group's SAML single sign-on configuration; nil when the
	// group has none.
	SAML *SAMLConfig
	// Version is the stored version: 0 for a group not stored yet, then
	// 1, 2, ... bumped by the store on every write.
	Version int64
}

// MemberRole returns the role provisioning gives a new member of g when
// no group link gives one: DefaultRole, or RoleGuest when it is unset.
func (g *Group) MemberRole() Role {
	if g.DefaultRole == RoleNone {
		return RoleGuest
	}
	return g.DefaultRole
}

// Clone returns a deep copy of g.
func (g *Group) Clone() *Group {
	if g == nil {
		return nil
	}
	if len(g.TokenDigest) == sha256.Size {
		// A SHA-256 digest (and a SAML configuration) is copied into the
		// same allocation as the group: every authenticated request
		// clones one.
		if g.SAML != nil {
			c := &struct {
				g Group
				d [sha256.Size]byte
				s SAMLConfig
			}{g: *g, s: *g.SAML}
			copy(c.d[:], g.TokenDigest)
			c.g.TokenDigest, c.g.SAML = c.d[:], &c.s
			return &c.g
		}
		c := &struct {
			g Group
			d [sha256.Size]byte
		}{g: *g}
		copy(c.d[:], g.TokenDigest)
		c.g.TokenDigest = c.d[:]
		return &c.g
	}
	c := *g
	c.TokenDigest = slices.Clone(g.TokenDigest)
	c.SAML = g.SAML.Clone()
	return &c
}

// SAMLConfig is a group's SAML single sign-on configuration: whether SAML
// sign-in is on, and how the group's identity provider (IdP) is reached and
// trusted. Stores keep it as given; package identity/sso checks it before
// storing it and reads it at every sign-in.
//
// The IdP is given in exactly one of three forms:
//
//   - its SAML metadata (IdPMetadata), which names its entity ID, its
//     single sign-on URL and its signing certificates;
//   - its single sign-on URL and its signing certificate (SSOURL and
//     Certificate);
//   - its single sign-on URL and the SHA-1 or SHA-256 fingerprint of its
//     signing certificate (SSOURL and Fingerprint), the form GitLab's SAML
//     settings ask for.
//
// Everything in it is public information about the IdP: it holds no
// secret.
type SAMLConfig struct {
	// Enabled switches SAML sign-in for the group on ("Enable SAML
	// authentication for this group"). A configuration that is not enabled
	// is kept, and still counts as configured.
	Enabled bool
	// IdPMetadata is the IdP's SAML metadata document (an
	// EntityDescriptor), or "".
	IdPMetadata string
	// SSOURL is the IdP's single sign-on URL (HTTP-Redirect binding), or ""
	// when IdPMetadata is set.
	SSOURL string
	// Certificate is the IdP's signing certificate in PEM, or "".
	Certificate string
	// Fingerprint is the SHA-1 (40 hex digits) or SHA-256 (64 hex digits)
	// fingerprint of the IdP's signing certificate, or "".
	Fingerprint string
	// IdPEntityID is the IdP's entity ID, the Issuer of its responses. It
	// is optional beside SSOURL; with IdPMetadata it is the metadata's.
	IdPEntityID string
	// NameIDFormat is the SAML NameID format the group asks for and
	// accepts (a URN such as
	// "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"); "" for any.
	NameIDFormat string
}

// Clone returns a copy of c.
func (c *SAMLConfig) Clone() *SAMLConfig {
	if c == nil {
		return nil
	}
	n := *c
	return &n
}

// SAMLKey is the host's SAML service-provider key pair: the one private key
// and certificate that every group's service provider publishes in its
// metadata and decrypts encrypted assertions with. A store holds at most
// one.
//
// PrivateKey is a secret. [SAMLKey.String], [SAMLKey.GoString] and
// [SAMLKey.LogValue] leave it out, so that printing or logging a SAMLKey
// does not leak it.
//
// Stores keep a copy on Put and return fresh copies from every read.
type SAMLKey struct {
	// PrivateKey is the private key in PKCS #8 DER form. Required.
	PrivateKey []byte
	// Certificate is the X.509 certificate of the key's public half, DER.
	// Required.
	Certificate []byte
	// Version is the stored version: 0 for a key not stored yet, then
	// 1, 2, ... bumped by the store on every write.
	Version int64
}

// Clone returns a deep copy of k.
func (k *SAMLKey) Clone() *SAMLKey {
	if k == nil {
		return nil
	}
	return &SAMLKey{PrivateKey: slices.Clone(k.PrivateKey), Certificate: slices.Clone(k.Certificate), Version: k.Version}
}

// String describes k without its private key.
func (k SAMLKey) String() string {
	return "store.SAMLKey{PrivateKey:[REDACTED], Certificate:" + strconv.Itoa(len(k.Certificate)) +
		" bytes, Version:" + strconv.FormatInt(k.Version, 10) + "}"
}

// GoString is String, for the %#v verb.
func (k SAMLKey) GoString() string { return k.String() }

// LogValue implements slog.LogValuer: the version and certificate size,
// never the private key.
func (k SAMLKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("private_key", "[REDACTED]"),
		slog.Int("certificate_bytes", len(k.Certificate)), slog.Int64("version", k.Version))
}

// Email is a secondary email address of a user.
type Email struct {
	// Address is the email address. Unique across the host (primary and
	// secondary addresses of all users together), case-insensitively.
	Address string
	// Verified reports whether the user proved they own the address.
	Verified bool
}

// User is a user account of the host.
//
// Stores keep a copy of a User on Put and return fresh copies from every
// read, so callers may modify the values they hold.
type User struct {
	// ID is the account's immutable key, chosen by the caller. Required.
	ID string
	// Username is unique across the host, case-insensitively. Required.
	Username string
	// Name is the full name.
	Name string
	// Email is the primary email address. It and every address in
	// SecondaryEmails are unique across the host, case-insensitively.
	// Required.
	Email string
	// SecondaryEmails are the user's other addresses.
	SecondaryEmails []Email
	// ProvisionedByGroup is the ID of the group whose SCIM provisioning
	// created the account (an "enterprise user"); "" for accounts the
	// person created themselves or that SCIM only linked.
	ProvisionedByGroup string
	// Confirmed reports whether the primary email address is confirmed
	// (verified).
	Confirmed bool
	// State is the account state.
	State UserState
	// Version is the stored version: 0 for a user not stored yet, then
	// 1, 2, ... bumped by the store on every write.
	Version int64
}

// Clone returns a deep copy of u.
func (u *User) Clone() *User {
	if u == nil {
		return nil
	}
	c := *u
	c.SecondaryEmails = slices.Clone(u.SecondaryEmails)
	return &c
}

// Emails returns the primary address followed by the secondary addresses.
func (u *User) Emails() []string {
	out := make([]string, 0, 1+len(u.SecondaryEmails))
	if u.Email != "" {
		out = append(out, u.Email)
	}
	for _, e := range u.SecondaryEmails {
		out = append(out, e.Address)
	}
	return out
}

// HasVerifiedEmail reports whether addr is the user's confirmed primary
// address or one of their verified secondary addresses, compared
// case-insensitively.
func (u *User) HasVerifiedEmail(addr string) bool {
	k := Fold(addr)
	if u.Confirmed && Fold(u.Email) == k {
		return true
	}
	for _, e := range u.SecondaryEmails {
		if e.Verified && Fold(e.Address) == k {
			return true
		}
	}
	return false
}

// Membership says that a user is a member of a group with a role. Its key is
// (GroupID, UserID).
type Membership struct {
	// GroupID and UserID name an existing group and user. Required.
	GroupID string
	UserID  string
	// Role is the member's access level.
	Role Role
	// Version is the stored version: 0 for a membership not stored yet,
	// then 1, 2, ... bumped by the store on every write.
	Version int64
}

// SCIMIdentity links a user to a group's identity provider through SCIM. A
// group holds at most one SCIM identity per user, and ExternUID is unique per
// group, case-insensitively.
//
// Stores keep a deep copy of a SCIMIdentity (Document included) on Put and
// return fresh deep copies from every read, so callers may modify the values
// they hold.
type SCIMIdentity struct {
	// ID is the server-assigned resource id (a UUID in the RFC profile),
	// chosen by the caller, immutable and unique across the host. Required.
	ID string
	// GroupID and UserID name an existing group and user. Required.
	GroupID string
	UserID  string
	// ExternUID is the IdP's key for the person: SCIM externalId, and the
	// SAML NameID of the same person. Unique per group, case-insensitively.
	// Required.
	ExternUID string
	// Active is false once the identity is deprovisioned.
	Active bool
	// Deleted marks an identity deprovisioned by a SCIM DELETE. Stores keep
	// it and return it from lookups; readers decide whether to hide it
	// (see [Query.SkipDeleted]). Package identity keeps a deleted identity
	// only until the person is provisioned again, when it removes it
	// ([Tx.DeleteSCIMIdentity]) for an identity with a new ID.
	Deleted bool
	// Document is the last SCIM resource the IdP sent, as decoded by
	// encoding/json (map[string]any, []any, string, bool, float64 or
	// json.Number, nil). Filters and sorting read it through [SCIMIdentity.Resource].
	// Stores return its strings byte for byte; one that keeps documents as
	// JSON refuses a string or key that is not valid UTF-8 (which
	// encoding/json never produces) with [ErrInvalid] instead of changing it.
	Document map[string]any
	// Version is the stored version: 0 for an identity not stored yet,
	// then 1, 2, ... bumped by the store on every write.
	Version int64
	// Created and Updated are set by the caller (stores keep them as
	// given, at microsecond precision or better). The default list order is
	// Created, then ID.
	Created time.Time
	Updated time.Time
}

// Clone returns a deep copy of s, Document included.
func (s *SCIMIdentity) Clone() *SCIMIdentity {
	if s == nil {
		return nil
	}
	c := *s
	c.Document = CloneDocument(s.Document)
	return &c
}

// Resource returns the document that filters and sorting are evaluated
// against: a shallow copy of Document in which "id" is ID, "externalId" is
// ExternUID (absent when Document records that the client set none: its
// "externalId" member is null), "active" is Active, and "meta" carries
// "resourceType" ("User"),
// "created" and "lastModified" (RFC 3339 with nanoseconds, UTC) from the
// identity, over whatever the document held. The result shares nested values
// with Document; do not modify it.
func (s *SCIMIdentity) Resource() map[string]any {
	r := make(map[string]any, len(s.Document)+4)
	set := func(k string, v any) { r[k] = v }
	docMeta := resource.Document(s.Document, set)
	r["id"] = s.ID
	if resource.HasExternalID(s.Document) {
		r["externalId"] = s.ExternUID
	}
	r["active"] = s.Active
	meta := map[string]any{"resourceType": "User"}
	resource.Meta(docMeta, func(k string, v any) { meta[k] = v })
	// One boxed value serves both times when they are equal.
	created, modified := resource.Times(s.Created, s.Updated)
	if created != "" {
		c := any(created)
		meta["created"] = c
		if modified == created {
			meta["lastModified"] = c
		}
	}
	if modified != "" && modified != created {
		meta["lastModified"] = modified
	}
	r["meta"] = meta
	return r
}

// SAMLIdentity links a user to a group's SAML identity provider. Its key is
// (GroupID, UserID): one per user per group. ExternUID (the SAML NameID) is
// unique per group, case-insensitively. Deprovisioning keeps it.
type SAMLIdentity struct {
	// GroupID and UserID name an existing group and user. Required.
	GroupID string
	UserID  string
	// ExternUID is the SAML NameID. Required.
	ExternUID string
	// Version is the stored version: 0 for an identity not stored yet,
	// then 1, 2, ... bumped by the store on every write.
	Version int64
}

// Fold returns the case-folded form of s under which stores compare
// case-insensitive keys (emails, usernames, group paths, extern_uids):
// Fold(a) == Fold(b) exactly when strings.EqualFold(a, b). ASCII letters fold
// to lower case. Stores that index a folded column should fill it with Fold,
// not with a database's lower(), so that every store agrees on which keys
// collide.
func Fold(s string) string { return fold.String(s) }

// CloneDocument returns a deep copy of a JSON document: maps and slices are
// copied recursively, other values (strings, numbers, booleans, nil) are
// shared as they are immutable.
func CloneDocument(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := maps.Clone(m)
	for k, v := range c {
		switch v.(type) {
		case map[string]any, []any, []map[string]any, []string, map[string]string:
			c[k] = cloneValue(v)
		}
	}
	return c
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return CloneDocument(v)
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = cloneValue(e)
		}
		return c
	case []map[string]any:
		c := make([]map[string]any, len(v))
		for i, e := range v {
			c[i] = CloneDocument(e)
		}
		return c
	case []string:
		return slices.Clone(v)
	case map[string]string:
		return maps.Clone(v)
	}
	return v
}
