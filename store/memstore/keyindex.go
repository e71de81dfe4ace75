package memstore

import (
	"slices"

	"github.com/scimkit/scimkit/store"
)

// keyIndex maps a folded username or email address to what it names: the
// account that holds it (as username, or as primary or secondary address)
// and the SCIM identities, of any group, whose document holds it (as
// userName, or in emails). Keeping both in one map means the usual new
// account, whose document's userName and email are its own, inserts one key
// for each. The records are values in the map, not pointers: a lookup
// takes one hop less and a key costs no allocation of its own.
type keyIndex map[string]keyRec

// keyRec is one key's entry: the account, and the documents (doc, then
// more). Documents sharing a key are few (one person per userName or
// email), so a slice beats a map.
type keyRec struct {
	user *store.User
	doc  *scimEntry
	more []*scimEntry
}

func (r *keyRec) empty() bool { return r.user == nil && r.doc == nil }

// put stores r under k, or deletes k when r is empty.
func (x keyIndex) put(k string, r keyRec) {
	if r.empty() {
		delete(x, k)
	} else {
		x[k] = r
	}
}

// user returns the account holding k, or nil.
func (x keyIndex) user(k string) *store.User { return x[k].user }

// setUser records u (nil: nobody) as the account holding k.
func (x keyIndex) setUser(k string, u *store.User) {
	r := x[k]
	r.user = u
	x.put(k, r)
}

// addDoc adds e to the documents under k, once.
func (x keyIndex) addDoc(k string, e *scimEntry) {
	r := x[k]
	switch {
	case r.doc == e || slices.Contains(r.more, e):
		return
	case r.doc == nil:
		r.doc = e
	default:
		r.more = append(r.more, e)
	}
	x[k] = r
}

// delDoc removes e from the documents under k.
func (x keyIndex) delDoc(k string, e *scimEntry) {
	r, ok := x[k]
	if !ok {
		return
	}
	if r.doc == e {
		r.doc = nil
		if n := len(r.more); n > 0 {
			r.doc = r.more[n-1]
			r.more[n-1] = nil
			r.more = r.more[:n-1]
		}
	} else {
		r.more = slices.DeleteFunc(r.more, func(y *scimEntry) bool { return y == e })
	}
	x.put(k, r)
}

// docsIn returns the documents under k of group groupID, in no order.
func (x keyIndex) docsIn(k, groupID string) []*scimEntry {
	r := x[k]
	if r.doc == nil {
		return nil
	}
	var out []*scimEntry
	if r.doc.ident.GroupID == groupID {
		out = append(out, r.doc)
	}
	for _, e := range r.more {
		if e.ident.GroupID == groupID {
			out = append(out, e)
		}
	}
	return out
}
