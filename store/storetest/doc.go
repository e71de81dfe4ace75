// Package storetest is the conformance suite every [store.Store] passes,
// ours and a host's alike, in the manner of dex's storage/conformance:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return mystore.Open(t) })
//	}
//
// Run checks unique keys (email case-insensitive across primary and
// secondary addresses of all users, username, group path, extern_uid per
// group, one SCIM and one SAML identity per user per group), references,
// not-found sentinels, versions and optimistic concurrency, copy semantics,
// rollback of failing and panicking Updates, read-only Views, serialisable
// concurrent provisioning (64 goroutines, one account), no lost updates,
// and lists: paging, sort order and its stability, and filters over every
// kind of attribute of the SCIM document, each checked against
// [store.Select], the reference semantics; and IdP groups: their keys,
// members (added and removed by the ids given, a group of thousands,
// goroutines changing one group at once), links, the cascades when an IdP
// group or a SCIM identity goes away, and [store.ListIdPGroups] against the
// filter evaluated over every group with all its members. Run it under
// -race.
//
// [FaultyStore] wraps any store and fails its k-th write, so tests of code
// built on a store can prove that a failure midway leaves nothing written.
package storetest
