// Package memstore is an in-memory [store.Store], for tests, demos and hosts
// that keep no state across restarts.
//
//	st := memstore.New()
//	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error { ... })
//
// A Store is safe for concurrent use. One read-write lock guards it: Views
// run in parallel, Updates run one at a time and exclude Views, and a failing
// or panicking Update is rolled back from an undo log, so readers never see
// half of a transaction. A transaction function must not start another
// transaction on the same Store: it would deadlock.
//
// Lookups by ID, username, email, group path and extern_uid are map lookups
// on case-folded keys ([store.Fold]), in the manner of go-memdb's
// lower-cased unique indexes. Lists of SCIM identities answer filters of the
// forms userName eq, externalId eq, id eq and emails.value eq (alone, as a
// branch of an "and", or "or"-ed together) from indexes over the SCIM documents, and evaluate
// every other filter with package filter over each identity of the group.
//
// The members of an IdP group are a set indexed both ways (group to
// members, member to groups): adding or removing one is a map operation,
// whatever the size of the group.
package memstore
