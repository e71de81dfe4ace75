package sqlstore

import "github.com/scimkit/scimkit/store"

// What an Update knows. A Put may hold its statement back (session.go)
// only when the transaction has already seen that the statement will write:
// fn must get from the Put the error it would get if the statement ran at
// once, and it gets nil at once. So an Update on PostgreSQL notes what its
// lookups found (a row and its version, the unique keys the row holds) and
// found missing (a key nobody holds), and what its own writes changed; a
// Put whose every check (a key free or its own, the version it writes
// over, the group and user it refers to) is known to pass holds its
// statement, any other runs it at once.
//
// The snapshot makes this sound: what a REPEATABLE READ transaction saw
// missing stays missing for it, and a key another transaction takes
// meanwhile makes the held write fail with a serialization failure or a
// unique violation, which run the Update again, never with "written
// nothing". Two things are taken on trust: that the ID of a new entity is
// free (IDs are random; a taken one makes the held write write nothing,
// and the Update runs again with immediate writes, which report it), and
// that users are never deleted (the store has no way to).

// factKind is what a fact is about.
type factKind uint8

const (
	kGroup      factKind = iota + 1 // a: group id
	kUser                           // a: user id
	kUsername                       // a: username key
	kUserEmail                      // a: email key
	kSCIM                           // a: identity id
	kSCIMExtern                     // a: group id, b: extern_uid key
	kSCIMUser                       // a: group id, b: user id
	kSAML                           // a: group id, b: user id
	kSAMLExtern                     // a: group id, b: extern_uid key
	kMember                         // a: group id, b: user id
)

type factKey struct {
	kind factKind
	a, b string
}

// fact is a row or a unique key, present or known missing.
type fact struct {
	present bool
	// owner is, for a key, the id of the row holding it (a user's, an
	// identity's, for a SAML identity its user's); for an identity, its
	// group.
	owner   string
	version int64
	role    store.Role // of a membership
	// keys are the unique keys a row holds.
	keys []factKey
}

// known is what an Update on PostgreSQL knows; nil knows nothing.
type known struct {
	facts map[factKey]fact
	// fresh are the users the Update inserted: no membership or identity
	// refers to them but the ones it wrote.
	fresh map[string]bool
}

func newKnown() *known { return &known{} }

// maxFacts bounds what an Update knows: one that scans a large group reads
// many rows. Forgetting is always safe (a Put it makes unsure runs at
// once), so past the bound the Update starts over knowing nothing.
const maxFacts = 4096

// set records fact f of k.
func (kn *known) set(k factKey, f fact) {
	if kn.facts == nil || len(kn.facts) >= maxFacts {
		kn.facts, kn.fresh = make(map[factKey]fact), nil
	}
	kn.facts[k] = f
}

// missing notes that nothing holds k.
func (kn *known) missing(k factKey) {
	if kn != nil {
		kn.set(k, fact{})
	}
}

// row notes row k at version v, holding keys (owned by owner).
func (kn *known) row(k factKey, v int64, owner string, keys ...factKey) {
	if kn == nil {
		return
	}
	if old := kn.facts[k]; old.present {
		// The keys the row held before and holds no longer are free.
		for _, key := range old.keys {
			if f := kn.facts[key]; f.present && !holds(keys, key) {
				kn.set(key, fact{})
			}
		}
	}
	kn.set(k, fact{present: true, version: v, keys: keys})
	for _, key := range keys {
		kn.set(key, fact{present: true, owner: owner})
	}
}

func holds(keys []factKey, k factKey) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// gone notes that row k was deleted.
func (kn *known) gone(k factKey) {
	if kn == nil {
		return
	}
	if old := kn.facts[k]; old.present {
		for _, key := range old.keys {
			kn.set(key, fact{})
		}
	}
	kn.set(k, fact{})
}

// free reports whether k is known to be held by nothing.
func (kn *known) free(k factKey) bool {
	f, ok := kn.facts[k]
	if ok {
		return !f.present
	}
	switch k.kind {
	case kSCIMUser, kSAML, kMember:
		return kn.fresh[k.b]
	}
	return false
}

// freeOrOwn reports whether k is known to be held by nothing or by owner.
func (kn *known) freeOrOwn(k factKey, owner string) bool {
	if f, ok := kn.facts[k]; ok && f.present {
		return f.owner == owner
	}
	return kn.free(k)
}

// present reports whether row k is known to exist.
func (kn *known) present(k factKey) bool { return kn.facts[k].present }

// at reports whether row k is known to be at version v.
func (kn *known) at(k factKey, v int64) bool {
	f := kn.facts[k]
	return f.present && f.version == v
}

// newRow reports whether a new row k may be written: its ID is not known
// to be taken.
func (kn *known) newRow(k factKey) bool { return !kn.facts[k].present }

// ---- what lookups found

func (kn *known) user(u *store.User) {
	if kn == nil {
		return
	}
	keys := []factKey{{kind: kUsername, a: string(foldedKey(u.Username))}}
	for _, k := range emailKeys(u) {
		keys = append(keys, factKey{kind: kUserEmail, a: string(k)})
	}
	kn.row(factKey{kind: kUser, a: u.ID}, u.Version, u.ID, keys...)
}

func (kn *known) group(g *store.Group) {
	kn.row(factKey{kind: kGroup, a: g.ID}, g.Version, "")
}

func (kn *known) scim(s *store.SCIMIdentity) {
	if kn == nil {
		return
	}
	k := factKey{kind: kSCIM, a: s.ID}
	kn.row(k, s.Version, s.ID,
		factKey{kind: kSCIMExtern, a: s.GroupID, b: string(foldedKey(s.ExternUID))},
		factKey{kind: kSCIMUser, a: s.GroupID, b: s.UserID})
	f := kn.facts[k]
	f.owner = s.GroupID
	kn.set(k, f)
}

func (kn *known) saml(s *store.SAMLIdentity) {
	kn.row(factKey{kind: kSAML, a: s.GroupID, b: s.UserID}, s.Version, s.UserID,
		factKey{kind: kSAMLExtern, a: s.GroupID, b: string(foldedKey(s.ExternUID))})
}

func (kn *known) member(m *store.Membership) {
	if kn == nil {
		return
	}
	k := factKey{kind: kMember, a: m.GroupID, b: m.UserID}
	kn.row(k, m.Version, "")
	f := kn.facts[k]
	f.role = m.Role
	kn.set(k, f)
}

// membership returns the membership of user userID in group groupID as
// the Update read or wrote it, and whether it exists; known is false when
// the Update does not know.
func (kn *known) membership(groupID, userID string) (m *store.Membership, ok, known bool) {
	if kn == nil {
		return nil, false, false
	}
	k := factKey{kind: kMember, a: groupID, b: userID}
	if f := kn.facts[k]; f.present {
		return &store.Membership{GroupID: groupID, UserID: userID, Role: f.role, Version: f.version}, true, true
	}
	if kn.free(k) {
		return nil, false, true
	}
	return nil, false, false
}

// inserted notes that the Update inserted user id.
func (kn *known) inserted(id string) {
	if kn.fresh == nil {
		kn.fresh = make(map[string]bool)
	}
	kn.fresh[id] = true
}
