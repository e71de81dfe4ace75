package store

import (
	"context"
	"iter"
)

// Store holds groups, users, memberships and identities. Every read and
// write happens inside a transaction function given to View or Update.
//
// Implementations must be safe for concurrent use and must pass
// storetest.Run.
type Store interface {
	// Update runs fn in a read-write transaction: either every write fn
	// makes is stored, or none is. Update returns fn's error unchanged
	// (after undoing fn's writes) when fn fails, and the commit error
	// otherwise. A panic in fn undoes its writes and propagates.
	//
	// Concurrent Updates are serialisable: each sees the others' writes
	// entirely or not at all, so read-then-write decisions (look up an
	// email, then create the account) are race-free. A store may run fn
	// more than once (retrying a serialisation failure), so fn must have
	// no effects other than through tx; emit events after Update returns.
	//
	// tx is valid only until fn returns; fn must not retain it, use it
	// from other goroutines, or start another transaction on the same
	// store (it may deadlock). Update checks ctx before running fn.
	Update(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error

	// View runs fn in a read-only transaction that sees a consistent
	// state. Writes through tx fail with [ErrReadOnly]. View returns fn's
	// error unchanged.
	View(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
}

// Tx reads and writes the store inside [Store.Update] or [Store.View].
//
// Lookups return [ErrNotFound] (wrapped) when nothing matches. Every read
// returns a fresh deep copy and every Put stores a deep copy, so callers
// can never mutate stored state through the values they hold.
//
// Put methods use optimistic versioning: an entity with Version 0 is
// inserted (if its primary key is taken the Put fails with a
// *[ConflictError] keyed [KeyID], [KeyMembership] or [KeySAMLIdentityUser]);
// an entity with Version n > 0 replaces the stored entity only if that one
// has Version n (else [ErrVersionMismatch], or [ErrNotFound] if none is
// stored). On success the store sets the argument's Version to the new
// stored version: 1 for an insert, n+1 for a replace. Puts fail with a
// *[ConflictError] when another entity holds one of the unique keys, with
// [ErrInvalid] when a required field is empty, and with [ErrNotFound] when
// a referenced group or user does not exist. A failed Put changes nothing.
//
// Keys compared case-insensitively are compared under [Fold].
type Tx interface {
	// Group returns the group with this ID.
	Group(ctx context.Context, id string) (*Group, error)
	// GroupByPath returns the group with this path, case-insensitively.
	GroupByPath(ctx context.Context, path string) (*Group, error)
	// PutGroup inserts or replaces g. Unique keys: ID, Path.
	PutGroup(ctx context.Context, g *Group) error

	// User returns the user with this ID.
	User(ctx context.Context, id string) (*User, error)
	// UserByUsername returns the user with this username,
	// case-insensitively.
	UserByUsername(ctx context.Context, username string) (*User, error)
	// UserByEmail returns the user that has this address as primary or
	// secondary email, case-insensitively.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// PutUser inserts or replaces u. Unique keys: ID, Username, and each
	// of Email and SecondaryEmails against every other user's addresses
	// (a user may list one address twice).
	PutUser(ctx context.Context, u *User) error

	// Membership returns the membership of user userID in group groupID.
	Membership(ctx context.Context, groupID, userID string) (*Membership, error)
	// PutMembership inserts or replaces m; the group and user must exist.
	// Key: (GroupID, UserID); inserting an existing membership fails with
	// a *[ConflictError] keyed [KeyMembership].
	PutMembership(ctx context.Context, m *Membership) error
	// DeleteMembership removes the membership of user userID in group
	// groupID, or returns [ErrNotFound].
	DeleteMembership(ctx context.Context, groupID, userID string) error
	// CountMembers returns how many members group groupID has with
	// exactly this role (e.g. [RoleOwner] for the last-owner rule).
	CountMembers(ctx context.Context, groupID string, role Role) (int, error)

	// SCIMIdentity returns the SCIM identity of group groupID with this
	// ID (an identity of another group is not found).
	SCIMIdentity(ctx context.Context, groupID, id string) (*SCIMIdentity, error)
	// SCIMIdentityByExternUID returns the SCIM identity of group groupID
	// with this extern_uid, case-insensitively.
	SCIMIdentityByExternUID(ctx context.Context, groupID, externUID string) (*SCIMIdentity, error)
	// SCIMIdentityByUser returns user userID's SCIM identity in group
	// groupID.
	SCIMIdentityByUser(ctx context.Context, groupID, userID string) (*SCIMIdentity, error)
	// PutSCIMIdentity inserts or replaces s; the group and user must
	// exist. Unique keys: ID (host-wide), ExternUID per group, UserID per
	// group. GroupID of a stored identity cannot change ([ErrInvalid]).
	PutSCIMIdentity(ctx context.Context, s *SCIMIdentity) error
	// SCIMIdentities yields every SCIM identity of group groupID, deleted
	// ones included, ordered by Created then ID. A non-nil error ends the
	// sequence. Lists with filters and paging go through
	// [ListSCIMIdentities], which uses a [SCIMIdentityLister] when the Tx
	// implements one.
	SCIMIdentities(ctx context.Context, groupID string) iter.Seq2[*SCIMIdentity, error]
	// DeleteSCIMIdentity removes the SCIM identity id of group groupID and
	// its memberships of IdP groups, or returns [ErrNotFound]. The user,
	// its membership of the group and its SAML identity are kept.
	DeleteSCIMIdentity(ctx context.Context, groupID, id string) error

	// IdPGroup returns the IdP group of group groupID with this ID (an IdP
	// group of another group is not found). Its members are not read.
	IdPGroup(ctx context.Context, groupID, id string) (*IdPGroup, error)
	// IdPGroupByDisplayName returns the IdP group of group groupID with
	// this displayName, case-insensitively.
	IdPGroupByDisplayName(ctx context.Context, groupID, displayName string) (*IdPGroup, error)
	// IdPGroupByExternalID returns the IdP group of group groupID with
	// this externalId, case-insensitively.
	IdPGroupByExternalID(ctx context.Context, groupID, externalID string) (*IdPGroup, error)
	// PutIdPGroup inserts or replaces g, without touching its members; the
	// group (tenant) must exist. Unique keys: ID (host-wide), DisplayName
	// per group, and ExternalID per group when it is not empty ([KeyID],
	// [KeyDisplayName], [KeyExternalID]). GroupID of a stored IdP group
	// cannot change ([ErrInvalid]).
	PutIdPGroup(ctx context.Context, g *IdPGroup) error
	// DeleteIdPGroup removes the IdP group id of group groupID with all
	// its memberships, or returns [ErrNotFound].
	DeleteIdPGroup(ctx context.Context, groupID, id string) error
	// IdPGroups yields every IdP group of group groupID, without members,
	// ordered by Created then ID. A non-nil error ends the sequence.
	// Lists with filters and paging go through [ListIdPGroups].
	IdPGroups(ctx context.Context, groupID string) iter.Seq2[*IdPGroup, error]

	// AddIdPGroupMembers makes the SCIM identities ids members of the IdP
	// group idpGroupID of group groupID, and returns the ids that were not
	// members before, in the order given (an id given twice counts once).
	// The IdP group and every identity must exist in the group, else
	// nothing is added and the error wraps [ErrNotFound]. It costs O(len(ids)),
	// whatever the size of the group, and changes neither the IdP group's
	// Version nor its Updated.
	AddIdPGroupMembers(ctx context.Context, groupID, idpGroupID string, ids []string) ([]string, error)
	// RemoveIdPGroupMembers ends the memberships of the SCIM identities
	// ids in the IdP group idpGroupID of group groupID, and returns the ids
	// that were members, in the order given; ids that are not members are
	// passed over. The IdP group must exist ([ErrNotFound]). It costs
	// O(len(ids)) and changes neither the IdP group's Version nor its
	// Updated.
	RemoveIdPGroupMembers(ctx context.Context, groupID, idpGroupID string, ids []string) ([]string, error)
	// IdPGroupMembers yields the members of the IdP group idpGroupID of
	// group groupID in the byte order of their IDs, or an error wrapping
	// [ErrNotFound] when the IdP group does not exist. A non-nil error ends
	// the sequence. A store reads a large group in batches, not all at
	// once.
	IdPGroupMembers(ctx context.Context, groupID, idpGroupID string) iter.Seq2[IdPGroupMember, error]
	// IdPGroupsOfMember returns the IdP groups of group groupID that the
	// SCIM identity id is a member of, ordered by Created then ID, found
	// through an index on the member (none for an identity that is in no
	// IdP group, or does not exist).
	IdPGroupsOfMember(ctx context.Context, groupID, id string) ([]*IdPGroup, error)

	// IdPGroupLinks returns the IdP group links of group groupID, ordered
	// by Attribute, then by the folded Value.
	IdPGroupLinks(ctx context.Context, groupID string) ([]*IdPGroupLink, error)
	// PutIdPGroupLink inserts or replaces l; the group must exist. Key:
	// (GroupID, Attribute, Fold(Value)); inserting a link whose key is
	// taken fails with a *[ConflictError] keyed [KeyID]. A replace may
	// change Value's spelling (not its folded form) and Role. Attribute
	// must be one of the LinkAttribute constants ([ErrInvalid]).
	PutIdPGroupLink(ctx context.Context, l *IdPGroupLink) error
	// DeleteIdPGroupLink removes the link of group groupID on attr with
	// this value (compared under [Fold]), or returns [ErrNotFound].
	DeleteIdPGroupLink(ctx context.Context, groupID string, attr LinkAttribute, value string) error

	// SAMLIdentityByExternUID returns the SAML identity of group groupID
	// with this extern_uid (NameID), case-insensitively.
	SAMLIdentityByExternUID(ctx context.Context, groupID, externUID string) (*SAMLIdentity, error)
	// SAMLIdentityByUser returns user userID's SAML identity in group
	// groupID.
	SAMLIdentityByUser(ctx context.Context, groupID, userID string) (*SAMLIdentity, error)
	// PutSAMLIdentity inserts or replaces s; the group and user must
	// exist. Key: (GroupID, UserID) (inserting a second identity for the
	// user fails with a *[ConflictError] keyed [KeySAMLIdentityUser]);
	// ExternUID is unique per group.
	PutSAMLIdentity(ctx context.Context, s *SAMLIdentity) error
	// DeleteSAMLIdentity removes user userID's SAML identity in group
	// groupID, or returns [ErrNotFound].
	DeleteSAMLIdentity(ctx context.Context, groupID, userID string) error

	// SAMLKey returns the host's SAML service-provider key pair, or
	// [ErrNotFound] when none is stored.
	SAMLKey(ctx context.Context) (*SAMLKey, error)
	// PutSAMLKey inserts or replaces the host's one SAML service-provider
	// key pair: with Version 0 it is inserted (a *[ConflictError] keyed
	// [KeyID] when one is stored), with Version n it replaces the stored
	// key of version n. PrivateKey and Certificate are required.
	PutSAMLKey(ctx context.Context, k *SAMLKey) error
}

// SCIMIdentityLister is an optional interface of a [Tx] that answers a
// [Query] itself, with indexes or in its database (filter pushdown).
// [ListSCIMIdentities] checks for it with a type assertion and otherwise
// evaluates the query over [Tx.SCIMIdentities]. An implementation must give
// exactly the results [Select] gives over [Tx.SCIMIdentities].
type SCIMIdentityLister interface {
	// ListSCIMIdentities returns the page of group groupID's SCIM
	// identities that q selects, and the number of identities matching
	// q's filter on all pages.
	ListSCIMIdentities(ctx context.Context, groupID string, q Query) ([]*SCIMIdentity, int, error)
}
