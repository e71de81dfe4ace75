package memstore

import (
	"slices"
	"sync/atomic"

	"github.com/scimkit/scimkit/store"
)

// scimEntry is a stored SCIM identity with its filter document cached.
type scimEntry struct {
	// ident is the identity; its Document is nil when the document is
	// kept frozen in doc.
	ident  store.SCIMIdentity
	doc    frozen
	frozen bool
	// src is the document as given to PutSCIMIdentity, which insertSCIM
	// indexes (sparing a thaw), until PutSCIMIdentity returns.
	src map[string]any
	res atomic.Pointer[map[string]any] // the identity's Resource(), computed on first use
}

// document returns the identity's document: fresh when it is frozen, the
// stored map otherwise. Either way the caller must not modify it.
func (e *scimEntry) document() map[string]any {
	if e.frozen {
		return e.doc.thaw()
	}
	return e.ident.Document
}

// indexed returns the document for insertSCIM and removeSCIM to index.
func (e *scimEntry) indexed() map[string]any {
	if e.src != nil {
		return e.src
	}
	return e.document()
}

// clone returns a deep copy of the identity.
func (e *scimEntry) clone() *store.SCIMIdentity {
	if !e.frozen {
		return e.ident.Clone()
	}
	c := e.ident
	c.Document = e.doc.thaw()
	return &c
}

// topString returns the string at the document's top-level key k, matched
// exactly, and whether there is one.
func (e *scimEntry) topString(k string) (string, bool) {
	if e.frozen {
		return e.doc.topString(k)
	}
	s, ok := e.ident.Document[k].(string)
	return s, ok
}

// resource returns the identity's Resource(), computing it once.
// Concurrent Views may both compute it; they store equal values.
func (e *scimEntry) resource() map[string]any {
	if p := e.res.Load(); p != nil {
		return *p
	}
	s := e.ident
	s.Document = e.document()
	r := s.Resource()
	e.res.Store(&r)
	return r
}

// userRec is a user with what it has in each group. Keeping a user's
// membership and identities on its record, rather than in maps keyed by
// (group, user), saves the inserts into those maps: creating an account
// writes one map entry for the user, not four.
type userRec struct {
	u     *store.User
	links []link // one per group the user has anything in
	first [1]link
	own   store.User // the user as first stored (u points here until replaced)
}

// newUserRec returns an empty record whose first link needs no allocation
// of its own.
func newUserRec() *userRec {
	r := &userRec{}
	r.links = r.first[:0:1]
	return r
}

// link is what a user has in one group; the link is dropped when all three
// are nil.
type link struct {
	group  string
	member *store.Membership
	scim   *scimEntry
	saml   *store.SAMLIdentity
}

// link returns the user's link to group groupID, or nil. A user is in few
// groups, so a slice beats a map.
func (r *userRec) link(groupID string) *link {
	for i := range r.links {
		if r.links[i].group == groupID {
			return &r.links[i]
		}
	}
	return nil
}

// linkOrAdd returns the user's link to group groupID, adding it if needed.
func (r *userRec) linkOrAdd(groupID string) *link {
	if l := r.link(groupID); l != nil {
		return l
	}
	r.links = append(r.links, link{group: groupID})
	return &r.links[len(r.links)-1]
}

// dropEmpty removes l from the user's links if nothing is left on it.
func (r *userRec) dropEmpty(l *link) {
	if l.member != nil || l.scim != nil || l.saml != nil {
		return
	}
	i := l.index(r.links)
	last := len(r.links) - 1
	r.links[i] = r.links[last]
	r.links[last] = link{}
	r.links = r.links[:last]
}

func (l *link) index(links []link) int {
	for i := range links {
		if &links[i] == l {
			return i
		}
	}
	return -1
}

// extern is what a folded extern_uid names in one group: a SCIM identity, a
// SAML identity, or both (the same person, as provisioning links them).
type extern struct {
	scim *scimEntry
	saml *store.SAMLIdentity
}

// groupIdx holds the per-group counts and SCIM identity lists.
type groupIdx struct {
	id      string
	roles   map[store.Role]int // members per role
	externs map[string]extern  // Fold(ExternUID), SCIM and SAML
	// oddUserName and oddEmail hold the identities whose document has an
	// odd userName or emails (store.DocumentKeys): candidates of every
	// filter on the attribute.
	oddUserName []*scimEntry
	oddEmail    []*scimEntry
	ordered     []*scimEntry // by store.CompareDefault
	deleted     int          // identities marked Deleted
}

// db is the data and its indexes. Stored values are owned by db and never
// handed out: reads clone them.
type db struct {
	groups    map[string]*store.Group
	groupPath map[string]string // Fold(Path) -> ID
	gidx      map[string]*groupIdx

	users  map[string]*userRec // ID
	names  keyIndex            // Fold(Username), Fold(document userName)
	emails keyIndex            // Fold(address), Fold(document emails[].value)

	scim map[string]*scimEntry // ID

	// samlKey is the host's SAML service-provider key pair, or nil.
	samlKey *store.SAMLKey

	// idp holds the IdP groups, their members and links (idpgroup.go).
	idp idpDB

	// fr is scratch space for PutSCIMIdentity, which runs under the
	// write lock.
	fr freezer
}

func newDB() *db {
	return &db{
		groups:    map[string]*store.Group{},
		groupPath: map[string]string{},
		gidx:      map[string]*groupIdx{},
		users:     map[string]*userRec{},
		names:     keyIndex{},
		emails:    keyIndex{},
		scim:      map[string]*scimEntry{},
	}
}

// user returns the stored user with this ID, or nil.
func (d *db) user(id string) *userRec {
	if r := d.users[id]; r != nil && r.u != nil {
		return r
	}
	return nil
}

// extern returns what extern_uid k (folded) names in group groupID.
func (d *db) extern(groupID, k string) extern {
	if g := d.gidx[groupID]; g != nil {
		return g.externs[k]
	}
	return extern{}
}

// linkOf returns the link of user userID to group groupID, or nil.
func (d *db) linkOf(groupID, userID string) *link {
	if r := d.users[userID]; r != nil {
		return r.link(groupID)
	}
	return nil
}

// The insert and remove functions below keep every index in step with the
// primary maps. Callers check keys first, so they cannot fail.

func (d *db) insertGroup(g *store.Group) {
	d.groups[g.ID] = g
	d.groupPath[store.Fold(g.Path)] = g.ID
}

func (d *db) removeGroup(g *store.Group) {
	delete(d.groups, g.ID)
	delete(d.groupPath, store.Fold(g.Path))
}

func (d *db) insertUser(u *store.User) {
	r := d.users[u.ID]
	if r == nil {
		r = newUserRec()
		d.users[u.ID] = r
	}
	r.u = u
	d.indexUser(u)
}

// indexUser adds u's username and addresses to the indexes.
func (d *db) indexUser(u *store.User) {
	d.names.setUser(store.Fold(u.Username), u)
	d.emails.setUser(store.Fold(u.Email), u)
	for _, e := range u.SecondaryEmails {
		d.emails.setUser(store.Fold(e.Address), u)
	}
}

func (d *db) removeUser(u *store.User) {
	r := d.users[u.ID]
	r.u = nil
	if len(r.links) == 0 {
		delete(d.users, u.ID)
	}
	d.names.setUser(store.Fold(u.Username), nil)
	d.emails.setUser(store.Fold(u.Email), nil)
	for _, e := range u.SecondaryEmails {
		d.emails.setUser(store.Fold(e.Address), nil)
	}
}

func (d *db) gi(groupID string) *groupIdx {
	g := d.gidx[groupID]
	if g == nil {
		g = &groupIdx{id: groupID, roles: map[store.Role]int{}, externs: map[string]extern{}}
		d.gidx[groupID] = g
	}
	return g
}

// editLink applies f to user userID's link to group groupID, adding the
// link first if needed and dropping it after if f left it empty.
func (d *db) editLink(groupID, userID string, f func(l *link)) {
	r := d.users[userID]
	l := r.linkOrAdd(groupID)
	f(l)
	r.dropEmpty(l)
}

// editExtern replaces what extern_uid externUID names in group groupID
// with f of it, dropping the key if that is empty.
func (d *db) editExtern(groupID, externUID string, f func(x extern) extern) {
	g := d.gi(groupID)
	k := store.Fold(externUID)
	x := f(g.externs[k])
	if x == (extern{}) {
		delete(g.externs, k)
	} else {
		g.externs[k] = x
	}
}

func (d *db) insertMember(m *store.Membership) {
	d.editLink(m.GroupID, m.UserID, func(l *link) { l.member = m })
	d.gi(m.GroupID).roles[m.Role]++
}

func (d *db) removeMember(m *store.Membership) {
	d.editLink(m.GroupID, m.UserID, func(l *link) { l.member = nil })
	g := d.gidx[m.GroupID]
	if g.roles[m.Role]--; g.roles[m.Role] <= 0 {
		delete(g.roles, m.Role)
	}
}

func (d *db) insertSAML(s *store.SAMLIdentity) {
	d.editLink(s.GroupID, s.UserID, func(l *link) { l.saml = s })
	d.editExtern(s.GroupID, s.ExternUID, func(x extern) extern { x.saml = s; return x })
}

func (d *db) removeSAML(s *store.SAMLIdentity) {
	d.editLink(s.GroupID, s.UserID, func(l *link) { l.saml = nil })
	d.editExtern(s.GroupID, s.ExternUID, func(x extern) extern { x.saml = nil; return x })
}

func (d *db) insertSAMLKey(k *store.SAMLKey) { d.samlKey = k }

func (d *db) removeSAMLKey(*store.SAMLKey) { d.samlKey = nil }

func (d *db) insertSCIM(e *scimEntry) {
	s := &e.ident
	d.scim[s.ID] = e
	d.editLink(s.GroupID, s.UserID, func(l *link) { l.scim = e })
	d.editExtern(s.GroupID, s.ExternUID, func(x extern) extern { x.scim = e; return x })
	g := d.gidx[s.GroupID]
	keys := store.IndexDocument(e.indexed())
	for _, u := range keys.UserNames {
		d.names.addDoc(store.Fold(u), e)
	}
	for _, v := range keys.Emails {
		d.emails.addDoc(store.Fold(v), e)
	}
	if keys.OddUserName {
		g.oddUserName = append(g.oddUserName, e)
	}
	if keys.OddEmails {
		g.oddEmail = append(g.oddEmail, e)
	}
	if s.Deleted {
		g.deleted++
	}
	// New identities are usually the latest created: append without a
	// search through the list.
	n := len(g.ordered)
	if n == 0 || compareEntries(g.ordered[n-1], e) <= 0 {
		g.ordered = append(g.ordered, e)
		return
	}
	i, _ := slices.BinarySearchFunc(g.ordered, e, compareEntries)
	g.ordered = slices.Insert(g.ordered, i, e)
}

func (d *db) removeSCIM(e *scimEntry) {
	s := &e.ident
	delete(d.scim, s.ID)
	d.editLink(s.GroupID, s.UserID, func(l *link) { l.scim = nil })
	d.editExtern(s.GroupID, s.ExternUID, func(x extern) extern { x.scim = nil; return x })
	g := d.gidx[s.GroupID]
	keys := store.IndexDocument(e.indexed())
	for _, u := range keys.UserNames {
		d.names.delDoc(store.Fold(u), e)
	}
	for _, v := range keys.Emails {
		d.emails.delDoc(store.Fold(v), e)
	}
	isE := func(x *scimEntry) bool { return x == e }
	if keys.OddUserName {
		g.oddUserName = slices.DeleteFunc(g.oddUserName, isE)
	}
	if keys.OddEmails {
		g.oddEmail = slices.DeleteFunc(g.oddEmail, isE)
	}
	if s.Deleted {
		g.deleted--
	}
	if i, ok := slices.BinarySearchFunc(g.ordered, e, compareEntries); ok {
		g.ordered = slices.Delete(g.ordered, i, i+1)
	}
}

func compareEntries(a, b *scimEntry) int { return store.CompareDefault(&a.ident, &b.ident) }
