package memstore

import (
	"slices"
	"sync/atomic"

	"github.com/scimkit/scimkit/store"
)

// pair is a (group, user) or (group, folded key) map key.
type pair struct{ a, b string }

// scimEntry is a stored SCIM identity with its filter document cached.
type scimEntry struct {
	id  *store.SCIMIdentity
	res atomic.Pointer[map[string]any] // id.Resource(), computed on first use
}

// resource returns e.id.Resource(), computing it once. Concurrent Views may
// both compute it; they store equal values.
func (e *scimEntry) resource() map[string]any {
	if p := e.res.Load(); p != nil {
		return *p
	}
	r := e.id.Resource()
	e.res.Store(&r)
	return r
}

// groupIdx holds the per-group SCIM identity indexes.
type groupIdx struct {
	byExtern   map[string]*scimEntry   // Fold(ExternUID)
	byUser     map[string]*scimEntry   // UserID
	byUserName map[string][]*scimEntry // Fold(document userName)
	byEmail    map[string][]*scimEntry // Fold(document emails[].value)
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

	users       map[string]*store.User
	userByName  map[string]*store.User // Fold(Username)
	userByEmail map[string]*store.User // Fold(address), primary and secondary

	members map[pair]*store.Membership // (group, user)
	roles   map[pair]int               // (group, role as string) -> count

	scim   map[string]*scimEntry // ID
	scimGI map[string]*groupIdx  // group ID

	saml         map[pair]*store.SAMLIdentity // (group, user)
	samlByExtern map[pair]string              // (group, Fold(ExternUID)) -> user ID

	// keys is scratch space for insertSCIM and removeSCIM, which run
	// under the write lock.
	keys store.DocumentKeys
}

func newDB() *db {
	return &db{
		groups:       map[string]*store.Group{},
		groupPath:    map[string]string{},
		users:        map[string]*store.User{},
		userByName:   map[string]*store.User{},
		userByEmail:  map[string]*store.User{},
		members:      map[pair]*store.Membership{},
		roles:        map[pair]int{},
		scim:         map[string]*scimEntry{},
		scimGI:       map[string]*groupIdx{},
		saml:         map[pair]*store.SAMLIdentity{},
		samlByExtern: map[pair]string{},
	}
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
	d.users[u.ID] = u
	d.userByName[store.Fold(u.Username)] = u
	for _, e := range u.Emails() {
		d.userByEmail[store.Fold(e)] = u
	}
}

func (d *db) removeUser(u *store.User) {
	delete(d.users, u.ID)
	delete(d.userByName, store.Fold(u.Username))
	for _, e := range u.Emails() {
		delete(d.userByEmail, store.Fold(e))
	}
}

func roleKey(groupID string, r store.Role) pair {
	return pair{groupID, r.String()}
}

func (d *db) insertMember(m *store.Membership) {
	d.members[pair{m.GroupID, m.UserID}] = m
	d.roles[roleKey(m.GroupID, m.Role)]++
}

func (d *db) removeMember(m *store.Membership) {
	delete(d.members, pair{m.GroupID, m.UserID})
	k := roleKey(m.GroupID, m.Role)
	if d.roles[k]--; d.roles[k] <= 0 {
		delete(d.roles, k)
	}
}

func (d *db) insertSAML(s *store.SAMLIdentity) {
	d.saml[pair{s.GroupID, s.UserID}] = s
	d.samlByExtern[pair{s.GroupID, store.Fold(s.ExternUID)}] = s.UserID
}

func (d *db) removeSAML(s *store.SAMLIdentity) {
	delete(d.saml, pair{s.GroupID, s.UserID})
	delete(d.samlByExtern, pair{s.GroupID, store.Fold(s.ExternUID)})
}

func (d *db) gi(groupID string) *groupIdx {
	g := d.scimGI[groupID]
	if g == nil {
		g = &groupIdx{
			byExtern:   map[string]*scimEntry{},
			byUser:     map[string]*scimEntry{},
			byUserName: map[string][]*scimEntry{},
			byEmail:    map[string][]*scimEntry{},
		}
		d.scimGI[groupID] = g
	}
	return g
}

func (d *db) insertSCIM(e *scimEntry) {
	s := e.id
	d.scim[s.ID] = e
	g := d.gi(s.GroupID)
	g.byExtern[store.Fold(s.ExternUID)] = e
	g.byUser[s.UserID] = e
	k := &d.keys
	store.IndexDocumentInto(k, s.Document)
	for _, u := range k.UserNames {
		addSet(g.byUserName, store.Fold(u), e)
	}
	for _, v := range k.Emails {
		addSet(g.byEmail, store.Fold(v), e)
	}
	if k.OddUserName {
		g.oddUserName = append(g.oddUserName, e)
	}
	if k.OddEmails {
		g.oddEmail = append(g.oddEmail, e)
	}
	if s.Deleted {
		g.deleted++
	}
	i, _ := slices.BinarySearchFunc(g.ordered, e, compareEntries)
	if i == len(g.ordered) {
		g.ordered = append(g.ordered, e)
	} else {
		g.ordered = slices.Insert(g.ordered, i, e)
	}
}

func (d *db) removeSCIM(e *scimEntry) {
	s := e.id
	delete(d.scim, s.ID)
	g := d.scimGI[s.GroupID]
	delete(g.byExtern, store.Fold(s.ExternUID))
	delete(g.byUser, s.UserID)
	k := &d.keys
	store.IndexDocumentInto(k, s.Document)
	for _, u := range k.UserNames {
		delSet(g.byUserName, store.Fold(u), e)
	}
	for _, v := range k.Emails {
		delSet(g.byEmail, store.Fold(v), e)
	}
	isE := func(x *scimEntry) bool { return x == e }
	if k.OddUserName {
		g.oddUserName = slices.DeleteFunc(g.oddUserName, isE)
	}
	if k.OddEmails {
		g.oddEmail = slices.DeleteFunc(g.oddEmail, isE)
	}
	if s.Deleted {
		g.deleted--
	}
	if i, ok := slices.BinarySearchFunc(g.ordered, e, compareEntries); ok {
		g.ordered = slices.Delete(g.ordered, i, i+1)
	}
}

func compareEntries(a, b *scimEntry) int { return store.CompareDefault(a.id, b.id) }

// addSet adds e to the entries under k, once. Entries sharing a key are
// few (one person per userName or email), so a slice beats a map.
func addSet(m map[string][]*scimEntry, k string, e *scimEntry) {
	if !slices.Contains(m[k], e) {
		m[k] = append(m[k], e)
	}
}

func delSet(m map[string][]*scimEntry, k string, e *scimEntry) {
	s := slices.DeleteFunc(m[k], func(x *scimEntry) bool { return x == e })
	if len(s) == 0 {
		delete(m, k)
	} else {
		m[k] = s
	}
}
