package store

// sentinel is the type of the package's sentinel errors. Being a string
// constant, a sentinel cannot be reassigned by another package.
type sentinel string

func (e sentinel) Error() string { return string(e) }

// Sentinel errors. Stores wrap them with context (which entity, which key);
// test for them with [errors.Is].
const (
	// ErrNotFound: the entity looked up, updated or deleted does not exist,
	// or an entity being written refers to a group or user that does not.
	ErrNotFound = sentinel("store: not found")
	// ErrConflict: a write would break a unique key. Stores return it as a
	// *[ConflictError] that names the key.
	ErrConflict = sentinel("store: conflict")
	// ErrVersionMismatch: a write carried a Version other than the stored
	// one (optimistic concurrency; see the Put methods of [Tx]).
	ErrVersionMismatch = sentinel("store: version mismatch")
	// ErrInvalid: a write is missing a required field (an ID, a key).
	ErrInvalid = sentinel("store: invalid entity")
	// ErrReadOnly: a write was attempted inside [Store.View].
	ErrReadOnly = sentinel("store: write in a read-only transaction")
	// ErrTxDone: a [Tx] was used after its function returned.
	ErrTxDone = sentinel("store: transaction has already finished")
	// ErrUnavailable: the store's backing service (a database server, a
	// disk) is gone or unreachable. Nothing of the unit was written, and the
	// request may be retried once the service is back; an HTTP server
	// answers 503 Service Unavailable.
	ErrUnavailable = sentinel("store: unavailable")
)

// Unique keys named by [ConflictError.Key].
const (
	// KeyID: the entity's own ID (or, for memberships and SAML identities,
	// their (group, user) key) is taken.
	KeyID = "id"
	// KeyGroupPath: another group has this path (case-insensitive).
	KeyGroupPath = "path"
	// KeyUsername: another user has this username (case-insensitive).
	KeyUsername = "username"
	// KeyEmail: another user has this address as primary or secondary
	// email (case-insensitive).
	KeyEmail = "email"
	// KeyExternUID: another identity of the same kind (SCIM or SAML) in
	// the group has this extern_uid (case-insensitive).
	KeyExternUID = "extern_uid"
	// KeySCIMIdentityUser: the user already has a SCIM identity in the group.
	KeySCIMIdentityUser = "scim_identity_user"
	// KeySAMLIdentityUser: the user already has a SAML identity in the group.
	KeySAMLIdentityUser = "saml_identity_user"
	// KeyMembership: the user is already a member of the group.
	KeyMembership = "membership"
	// KeyDisplayName: another IdP group of the group has this displayName
	// (case-insensitive).
	KeyDisplayName = "display_name"
	// KeyExternalID: another IdP group of the group has this externalId
	// (case-insensitive).
	KeyExternalID = "external_id"
)

// ConflictError reports a write that would break a unique key. It matches
// [ErrConflict] under [errors.Is].
type ConflictError struct {
	// Entity is the kind of entity written: "group", "user", "membership",
	// "scim_identity", "saml_identity", "idp_group" or "idp_group_link".
	Entity string
	// Key is the unique key that is taken, one of the Key constants.
	Key string
}

// Error returns "store: <entity> <key> has already been taken".
func (e *ConflictError) Error() string {
	return "store: " + e.Entity + " " + e.Key + " has already been taken"
}

// Is reports whether target is [ErrConflict].
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
