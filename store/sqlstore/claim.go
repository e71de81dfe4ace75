package sqlstore

import (
	"hash/fnv"

	"github.com/scimkit/scimkit/store"
)

// Claims make a decision on a userName race-free on PostgreSQL, where
// Updates run side by side on snapshots and nothing else would conflict:
// "no identity of the group holds this userName" (a list with the filter
// userName eq "x" that finds nothing) followed by writing an identity that
// holds it, in two Updates at once, is write skew, and no unique index can
// forbid it (two identities may hold one userName, in the GitLab profile).
//
// So inside an Update a list whose filter requires userName eq "x" (the
// RFC profile's uniqueness check runs one) claims x, and a write that makes
// an identity hold x visibly (a new identity, a changed userName, an
// identity no longer deleted) claims it too. To claim is to update a row of
// scimkit_claims, one of claimSlots chosen by a hash of the group and the
// folded userName: two Updates that claim one slot conflict on its row, and
// the second runs again once the first has committed, and sees its
// identity. A hash collision costs, rarely, one needless run again. Nothing
// else creates writes to these rows: creates of different people proceed in
// parallel.
//
// SQLite runs one Update at a time and claims nothing. Lists with other
// filters are not claimed: a decision that an identity matching them does
// not exist is not protected against a concurrent write.

// claimSlots is the number of rows of scimkit_claims (migration 2).
const claimSlots = 1 << 16

// nameKey is what a transaction read of an identity's userName, and of
// its state (see memberSlot).
type nameKey struct {
	key     string // stored user_name_key; "" when there is none
	deleted bool
	active  bool
	version int64
}

// noteName remembers the userName key of an identity read in an Update
// that claims, so that writing it back unchanged claims nothing.
func (t *tx) noteName(s *store.SCIMIdentity, key []byte) {
	if !t.locks() {
		return
	}
	if t.names == nil {
		t.names = make(map[string]nameKey)
	}
	t.names[s.ID] = nameKey{key: string(key), deleted: s.Deleted, active: s.Active, version: s.Version}
}

// noteWrite records the state s was just written in (its Version already
// the new one), for a later write of s in the same transaction.
func (t *tx) noteWrite(s *store.SCIMIdentity, key []byte) {
	t.noteName(s, key)
}

// slot returns the claim slot of userName key k in group groupID, or -1
// for no key or the key of a document whose userName is not one string.
func slot(groupID string, k []byte) int {
	if len(k) == 0 || string(k) == oddKey {
		return -1
	}
	h := fnv.New64a()
	h.Write([]byte(groupID))
	h.Write([]byte{0})
	h.Write(k)
	return int(h.Sum64() % claimSlots)
}

// claimFor returns the WITH clause, named c, and its arguments that claim
// the userName key of s when writing s with that key needs a claim; else
// "". The caller marks the slot claimed once the write succeeded.
func (t *tx) claimFor(s *store.SCIMIdentity, key []byte) (string, []any) {
	if !t.locks() || s.Deleted {
		return "", nil
	}
	if prev, ok := t.names[s.ID]; ok && prev.version == s.Version && !prev.deleted && prev.key == string(key) {
		return "", nil // holds it already
	}
	n := slot(s.GroupID, key)
	if n < 0 || t.claimed[n] {
		return "", nil
	}
	t.claim(n)
	return "c AS (UPDATE scimkit_claims SET n = n + 1 WHERE slot = ?)", []any{n}
}

// claimList returns the WITH clause and arguments that claim the userName
// keys a list of group groupID is protected on, in an Update that claims;
// else "".
func (t *tx) claimList(groupID string, keys [][]byte) (string, []any) {
	if !t.locks() {
		return "", nil
	}
	var slots []int32
	for _, k := range keys {
		if n := slot(groupID, k); n >= 0 && !t.claimed[n] {
			t.claim(n)
			slots = append(slots, int32(n))
		}
	}
	if len(slots) == 0 {
		return "", nil
	}
	if len(slots) == 1 {
		// A plain comparison lets the server keep one plan for all
		// slots (see tx.in).
		return "WITH c AS (UPDATE scimkit_claims SET n = n + 1 WHERE slot = ?) ", []any{slots[0]}
	}
	return "WITH c AS (UPDATE scimkit_claims SET n = n + 1 WHERE slot = ANY(?::integer[])) ", []any{slots}
}

// claim marks slot n claimed by this transaction. A statement that fails
// dooms the transaction, so marking before it runs is safe.
func (t *tx) claim(n int) {
	if t.claimed == nil {
		t.claimed = make(map[int]bool)
	}
	t.claimed[n] = true
}

// Claims on IdP groups. Membership decisions read rows that other Updates
// may write at the same moment: adding a member checks that its identity
// exists (and package identity that it is neither deleted nor, for its
// role, inactive), and a member's role is computed from the groups it is
// in and the links that name them. So writes that change what such a
// decision read claim a slot of its subject, in a domain of its own:
//
//   - claimMember, the SCIM identity: adding or removing it as a member of
//     any IdP group, deleting it, and writing it with another Active or
//     Deleted than this transaction read (or without having read it);
//   - claimIdPGroup, the IdP group: adding or removing members, deleting
//     it;
//   - claimIdPName and claimIdPExternal, a folded displayName or externalId
//     in the group: writing an IdP group that holds it, and writing or
//     deleting a link on it.
//
// Two Updates that claim one slot conflict on its row, as userName claims
// do, and the second runs again and sees the first's writes.
const (
	claimMember byte = iota + 1
	claimIdPGroup
	claimIdPName
	claimIdPExternal
)

// keySlot returns the claim slot of key k of domain domain in group
// groupID.
func keySlot(domain byte, groupID string, k []byte) int {
	h := fnv.New64a()
	h.Write([]byte{domain})
	h.Write([]byte(groupID))
	h.Write([]byte{0})
	h.Write(k)
	return int(h.Sum64() % claimSlots)
}

// slotSet collects the slots a statement claims.
type slotSet []int64

// add adds the slot of key k of domain domain in group groupID, unless
// the transaction claimed it already.
func (t *tx) addSlot(set *slotSet, domain byte, groupID string, k []byte) {
	if !t.locks() || k == nil {
		return
	}
	n := keySlot(domain, groupID, k)
	if t.claimed[n] {
		return
	}
	t.claim(n)
	*set = append(*set, int64(n))
}

// claimClause returns the WITH clause named name that claims the slots of
// set, and its arguments; "" when set is empty.
func claimClause(name string, set slotSet) (string, []any) {
	if len(set) == 0 {
		return "", nil
	}
	return name + " AS (UPDATE scimkit_claims SET n = n + 1 WHERE slot = ANY(?::bigint[]))", []any{[]int64(set)}
}

// memberSlot adds to set the claimMember slot of identity s when this
// write changes what a membership decision reads of it: its Active or
// Deleted, compared with what the transaction read.
func (t *tx) memberSlot(set *slotSet, s *store.SCIMIdentity) {
	if prev, ok := t.names[s.ID]; ok && prev.version == s.Version && prev.deleted == s.Deleted && prev.active == s.Active {
		return
	}
	t.addSlot(set, claimMember, s.GroupID, []byte(s.ID))
}
