// Package store defines what scimkit keeps about a host's accounts: groups
// (tenants, each with its SAML single sign-on configuration,
// [SAMLConfig]), users, memberships, SCIM identities and SAML identities,
// the identity provider's groups inside each tenant with their members
// ([IdPGroup]) and the links that give their members roles
// ([IdPGroupLink]), the host's SAML service-provider key pair
// ([SAMLKey]), and the [Store] interface every storage backend implements.
//
// A Store is small on purpose, in the database/sql/driver habit: two
// transaction entry points, [Store.Update] and [Store.View], and a [Tx] of
// plain get, put and lookup methods. Optional abilities are extra interfaces
// found by type assertion: a Tx that implements [SCIMIdentityLister] answers
// filtered, sorted, paged lists itself; otherwise [ListSCIMIdentities]
// evaluates the query over [Tx.SCIMIdentities]. A lister must give exactly
// what [Select] gives; one that indexes the SCIM document's userName or
// emails builds the index from [IndexDocument], so that documents in odd
// shapes are not missed.
//
// # Use
//
//	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
//		u, err := tx.UserByEmail(ctx, "Ada@Example.com")
//		if errors.Is(err, store.ErrNotFound) {
//			u = &store.User{ID: newID(), Username: "ada", Email: "ada@example.com", State: store.UserActive}
//			return tx.PutUser(ctx, u) // u.Version is now 1
//		}
//		return err
//	})
//
// Everything fn does is stored, or nothing is; concurrent Updates are
// serialisable, so the lookup-then-create above cannot create two accounts.
//
// # Rules every store keeps
//
//   - Copies: reads return deep copies and Puts store deep copies; mutating a
//     value you hold never changes the store.
//   - Versions: each entity carries a Version that the store bumps on every
//     write; a Put with a stale Version fails with [ErrVersionMismatch].
//   - Unique keys, compared under [Fold]: group path; username; email across
//     the primary and secondary addresses of all users; per group, SCIM
//     extern_uid, SAML extern_uid, one SCIM identity per user and one SAML
//     identity per user, IdP group displayName and externalId (when set),
//     and one link per attribute and value. A violation is a
//     *[ConflictError] naming the key, which matches [ErrConflict].
//   - Errors wrap the sentinels [ErrNotFound], [ErrConflict],
//     [ErrVersionMismatch], [ErrInvalid], [ErrReadOnly], [ErrTxDone] and
//     [ErrUnavailable]; test with errors.Is and errors.As.
//
// # IdP groups
//
// An [IdPGroup] is the SCIM Group resource: a group of the identity
// provider inside a tenant. Its members, SCIM identities of the same
// tenant, are kept apart from it, one per row: [Tx.AddIdPGroupMembers] and
// [Tx.RemoveIdPGroupMembers] cost O(k) for k members whatever the size of
// the group, reading an IdP group never reads its members, and
// [Tx.IdPGroupsOfMember] finds a member's groups through an index. Deleting
// an IdP group or a SCIM identity ([Tx.DeleteSCIMIdentity]) takes its
// memberships with it; users and groups are never deleted.
// [ListIdPGroups] answers filtered, sorted, paged lists of IdP groups
// through those lookups.
//
// The store enforces keys, not policy: who may be linked, provisioned or
// removed, and the roles group links give, are decided by package
// identity, and whether a SAML configuration is usable by package
// identity/sso.
//
// # Secrets
//
// A group keeps only the SHA-256 digest of its SCIM token. The SAML
// service-provider private key ([SAMLKey.PrivateKey]) is kept as is: a
// backend stores it like any other column, so the database must be
// protected as the key is (a host that keeps keys elsewhere gives identity/sso
// its own key and never stores one). SAMLKey's String and LogValue leave
// the private key out.
//
// The conformance suite in store/storetest pins all of this; run it against
// any implementation with storetest.Run.
package store
