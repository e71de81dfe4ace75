package memstore

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/internal/query"
)

var (
	_ store.Tx                 = (*tx)(nil)
	_ store.SCIMIdentityLister = (*tx)(nil)
)

// lookupError is a not-found error, cheaper to build than fmt.Errorf's on
// the hot path where provisioning probes for an account that is not there.
type lookupError struct{ entity, key string }

func (e *lookupError) Error() string {
	return "memstore: " + e.entity + " " + strconv.Quote(e.key) + ": " + store.ErrNotFound.Error()
}

// Unwrap returns store.ErrNotFound.
func (e *lookupError) Unwrap() error { return store.ErrNotFound }

func notFound(entity, key string) error {
	return &lookupError{entity, key}
}

// missError is a not-found error of a lookup by a secondary key (a
// username, an address, an extern_uid, a path) or of a membership. Those
// lookups are probes that provisioning and patching run on every request
// and that often miss, so their errors are constants, which cost no
// allocation, and leave the client's key out.
type missError string

func (e missError) Error() string { return string(e) }

// Unwrap returns store.ErrNotFound.
func (e missError) Unwrap() error { return store.ErrNotFound }

// Misses of the lookups by secondary key and of memberships.
const (
	errNoGroupPath     missError = "memstore: no group with that path: store: not found"
	errNoUsername      missError = "memstore: no user with that username: store: not found"
	errNoEmail         missError = "memstore: no user with that email: store: not found"
	errNoSCIMExternUID missError = "memstore: no scim_identity with that extern_uid: store: not found"
	errNoSAMLExternUID missError = "memstore: no saml_identity with that extern_uid: store: not found"
	errNoMembership    missError = "memstore: the user is not a member of the group: store: not found"
)

func invalid(entity, msg string) error {
	return fmt.Errorf("memstore: %s: %s: %w", entity, msg, store.ErrInvalid)
}

func conflict(entity, key string) error {
	return &store.ConflictError{Entity: entity, Key: key}
}

// checkVersion applies the optimistic versioning rule of [store.Tx] to a
// write of an entity with Version want over a stored one (stored is 0 when
// none is stored). The entity's key is key, or key/key2 when key2 is not
// empty (joined only for an error); pk is the conflict key of an insert over
// an existing key.
func checkVersion(entity, key, key2, pk string, stored, want int64) error {
	if want >= 0 && want == stored {
		return nil
	}
	if key2 != "" {
		key += "/" + key2
	}
	switch {
	case want < 0:
		return invalid(entity, "negative version")
	case want == 0 && stored != 0:
		return conflict(entity, pk)
	case want > 0 && stored == 0:
		return notFound(entity, key)
	}
	return fmt.Errorf("memstore: %s %q: version %d, stored %d: %w", entity, key, want, stored, store.ErrVersionMismatch)
}

// swap replaces old (nil for an insert) with n through remove and insert,
// and records the inverse on the undo log.
func swap[T comparable](t *tx, old, n T, remove, insert func(*db, T)) {
	var none T
	if old != none {
		remove(t.db, old)
	}
	insert(t.db, n)
	push(t, old, n)
}

// push records an undo step that removes n and re-inserts old (either may
// be nil, but both have the entity's pointer type). The step holds only
// the two pointers, so recording it costs no allocation beyond the log's
// growth.
func push[T comparable](t *tx, old, n T) {
	t.undo = append(t.undo, undoStep{old: old, n: n})
}

// undoStep is one entry of the undo log; see push.
type undoStep struct {
	old, n any // pointers of one entity type, possibly nil
}

// apply undoes the step.
func (s *undoStep) apply(d *db) {
	switch n := s.n.(type) {
	case *store.Group:
		undoSwap(d, s.old.(*store.Group), n, (*db).removeGroup, (*db).insertGroup)
	case *store.User:
		undoSwap(d, s.old.(*store.User), n, (*db).removeUser, (*db).insertUser)
	case *store.Membership:
		undoSwap(d, s.old.(*store.Membership), n, (*db).removeMember, (*db).insertMember)
	case *scimEntry:
		undoSwap(d, s.old.(*scimEntry), n, (*db).removeSCIM, (*db).insertSCIM)
	case *store.SAMLIdentity:
		undoSwap(d, s.old.(*store.SAMLIdentity), n, (*db).removeSAML, (*db).insertSAML)
	case *store.SAMLKey:
		undoSwap(d, s.old.(*store.SAMLKey), n, (*db).removeSAMLKey, (*db).insertSAMLKey)
	case *store.IdPGroup:
		undoSwap(d, s.old.(*store.IdPGroup), n, (*db).removeIdPGroup, (*db).insertIdPGroup)
	case *idpMember:
		undoSwap(d, s.old.(*idpMember), n, (*db).removeIdPMember, (*db).insertIdPMember)
	case *store.IdPGroupLink:
		undoSwap(d, s.old.(*store.IdPGroupLink), n, (*db).removeIdPLink, (*db).insertIdPLink)
	}
}

func undoSwap[T comparable](d *db, old, n T, remove, insert func(*db, T)) {
	var none T
	if n != none {
		remove(d, n)
	}
	if old != none {
		insert(d, old)
	}
}

// refs checks that the group and user an entity refers to exist, and
// returns the user's link to the group (nil when it has none yet).
func (t *tx) refs(entity, groupID, userID string) (*link, error) {
	if groupID == "" || userID == "" {
		return nil, invalid(entity, "group and user IDs are required")
	}
	if t.db.groups[groupID] == nil {
		return nil, fmt.Errorf("memstore: %s: %w", entity, notFound("group", groupID))
	}
	r := t.db.user(userID)
	if r == nil {
		return nil, fmt.Errorf("memstore: %s: %w", entity, notFound("user", userID))
	}
	return r.link(groupID), nil
}

// Group implements [store.Tx.Group].
func (t *tx) Group(_ context.Context, id string) (*store.Group, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	g := t.db.groups[id]
	if g == nil {
		return nil, notFound("group", id)
	}
	return g.Clone(), nil
}

// GroupByPath implements [store.Tx.GroupByPath].
func (t *tx) GroupByPath(ctx context.Context, path string) (*store.Group, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	id, ok := t.db.groupPath[store.Fold(path)]
	if !ok {
		return nil, errNoGroupPath
	}
	return t.db.groups[id].Clone(), nil
}

// PutGroup implements [store.Tx.PutGroup].
func (t *tx) PutGroup(_ context.Context, g *store.Group) error {
	if err := t.check(true); err != nil {
		return err
	}
	if g == nil || g.ID == "" || g.Path == "" {
		return invalid("group", "ID and Path are required")
	}
	d := t.db
	old := d.groups[g.ID]
	var v int64
	if old != nil {
		v = old.Version
	}
	if err := checkVersion("group", g.ID, "", store.KeyID, v, g.Version); err != nil {
		return err
	}
	if id, ok := d.groupPath[store.Fold(g.Path)]; ok && id != g.ID {
		return conflict("group", store.KeyGroupPath)
	}
	n := g.Clone()
	n.Version = g.Version + 1
	swap(t, old, n, (*db).removeGroup, (*db).insertGroup)
	g.Version = n.Version
	return nil
}

// User implements [store.Tx.User].
func (t *tx) User(_ context.Context, id string) (*store.User, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	r := t.db.user(id)
	if r == nil {
		return nil, notFound("user", id)
	}
	return r.u.Clone(), nil
}

// UserByUsername implements [store.Tx.UserByUsername].
func (t *tx) UserByUsername(_ context.Context, username string) (*store.User, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	u := t.db.names.user(store.Fold(username))
	if u == nil {
		return nil, errNoUsername
	}
	return u.Clone(), nil
}

// UserByEmail implements [store.Tx.UserByEmail].
func (t *tx) UserByEmail(_ context.Context, email string) (*store.User, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	u := t.db.emails.user(store.Fold(email))
	if u == nil {
		return nil, errNoEmail
	}
	return u.Clone(), nil
}

// PutUser implements [store.Tx.PutUser].
func (t *tx) PutUser(_ context.Context, u *store.User) error {
	if err := t.check(true); err != nil {
		return err
	}
	if u == nil || u.ID == "" || u.Username == "" || u.Email == "" {
		return invalid("user", "ID, Username and Email are required")
	}
	for _, e := range u.SecondaryEmails {
		if e.Address == "" {
			return invalid("user", "empty secondary email address")
		}
	}
	d := t.db
	var old *store.User
	var v int64
	if r := d.user(u.ID); r != nil {
		old = r.u
		v = old.Version
	}
	if err := checkVersion("user", u.ID, "", store.KeyID, v, u.Version); err != nil {
		return err
	}
	if heldByOther(d.names, u.Username, u.ID) {
		return conflict("user", store.KeyUsername)
	}
	if heldByOther(d.emails, u.Email, u.ID) {
		return conflict("user", store.KeyEmail)
	}
	for _, e := range u.SecondaryEmails {
		if heldByOther(d.emails, e.Address, u.ID) {
			return conflict("user", store.KeyEmail)
		}
	}
	if old == nil {
		// A new user is stored inside its record: one allocation.
		r := newUserRec()
		r.own = *u
		r.own.SecondaryEmails = slices.Clone(u.SecondaryEmails)
		r.own.Version = 1
		r.u = &r.own
		d.users[u.ID] = r
		d.indexUser(r.u)
		push(t, old, r.u)
		u.Version = 1
		return nil
	}
	n := u.Clone()
	n.Version = u.Version + 1
	swap(t, old, n, (*db).removeUser, (*db).insertUser)
	u.Version = n.Version
	return nil
}

// heldByOther reports whether x gives Fold(k) to a user other than
// userID.
func heldByOther(x keyIndex, k, userID string) bool {
	u := x.user(store.Fold(k))
	return u != nil && u.ID != userID
}

// Membership implements [store.Tx.Membership].
func (t *tx) Membership(_ context.Context, groupID, userID string) (*store.Membership, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	l := t.db.linkOf(groupID, userID)
	if l == nil || l.member == nil {
		return nil, errNoMembership
	}
	c := *l.member
	return &c, nil
}

// PutMembership implements [store.Tx.PutMembership].
func (t *tx) PutMembership(_ context.Context, m *store.Membership) error {
	if err := t.check(true); err != nil {
		return err
	}
	if m == nil {
		return invalid("membership", "nil")
	}
	l, err := t.refs("membership", m.GroupID, m.UserID)
	if err != nil {
		return err
	}
	var old *store.Membership
	if l != nil {
		old = l.member
	}
	var v int64
	if old != nil {
		v = old.Version
	}
	if err := checkVersion("membership", m.GroupID, m.UserID, store.KeyMembership, v, m.Version); err != nil {
		return err
	}
	n := *m
	n.Version = m.Version + 1
	swap(t, old, &n, (*db).removeMember, (*db).insertMember)
	m.Version = n.Version
	return nil
}

// DeleteMembership implements [store.Tx.DeleteMembership].
func (t *tx) DeleteMembership(_ context.Context, groupID, userID string) error {
	if err := t.check(true); err != nil {
		return err
	}
	d := t.db
	l := d.linkOf(groupID, userID)
	if l == nil || l.member == nil {
		return notFound("membership", groupID+"/"+userID)
	}
	old := l.member
	d.removeMember(old)
	push(t, old, (*store.Membership)(nil))
	return nil
}

// CountMembers implements [store.Tx.CountMembers].
func (t *tx) CountMembers(_ context.Context, groupID string, role store.Role) (int, error) {
	if err := t.check(false); err != nil {
		return 0, err
	}
	if g := t.db.gidx[groupID]; g != nil {
		return g.roles[role], nil
	}
	return 0, nil
}

// SCIMIdentity implements [store.Tx.SCIMIdentity].
func (t *tx) SCIMIdentity(_ context.Context, groupID, id string) (*store.SCIMIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	e := t.db.scim[id]
	if e == nil || e.ident.GroupID != groupID {
		return nil, notFound("scim_identity", id)
	}
	return e.clone(), nil
}

// SCIMIdentityByExternUID implements [store.Tx.SCIMIdentityByExternUID].
func (t *tx) SCIMIdentityByExternUID(_ context.Context, groupID, externUID string) (*store.SCIMIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if e := t.db.extern(groupID, store.Fold(externUID)).scim; e != nil {
		return e.clone(), nil
	}
	return nil, errNoSCIMExternUID
}

// SCIMIdentityByUser implements [store.Tx.SCIMIdentityByUser].
func (t *tx) SCIMIdentityByUser(_ context.Context, groupID, userID string) (*store.SCIMIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if l := t.db.linkOf(groupID, userID); l != nil && l.scim != nil {
		return l.scim.clone(), nil
	}
	return nil, notFound("scim_identity of user", userID)
}

// PutSCIMIdentity implements [store.Tx.PutSCIMIdentity].
func (t *tx) PutSCIMIdentity(_ context.Context, s *store.SCIMIdentity) error {
	if err := t.check(true); err != nil {
		return err
	}
	if s == nil || s.ID == "" || s.ExternUID == "" {
		return invalid("scim_identity", "ID and ExternUID are required")
	}
	l, err := t.refs("scim_identity", s.GroupID, s.UserID)
	if err != nil {
		return err
	}
	d := t.db
	old := d.scim[s.ID]
	var v int64
	if old != nil {
		v = old.ident.Version
	}
	if err := checkVersion("scim_identity", s.ID, "", store.KeyID, v, s.Version); err != nil {
		return err
	}
	if old != nil && old.ident.GroupID != s.GroupID {
		return invalid("scim_identity", "GroupID cannot change")
	}
	if e := d.extern(s.GroupID, store.Fold(s.ExternUID)).scim; e != nil && e.ident.ID != s.ID {
		return conflict("scim_identity", store.KeyExternUID)
	}
	if l != nil && l.scim != nil && l.scim.ident.ID != s.ID {
		return conflict("scim_identity", store.KeySCIMIdentityUser)
	}
	n := &scimEntry{ident: *s, src: s.Document}
	n.ident.Version = s.Version + 1
	if fz, ok := d.fr.freeze(s.Document); ok {
		n.ident.Document, n.doc, n.frozen = nil, fz, true
	} else {
		n.ident.Document = store.CloneDocument(s.Document)
	}
	swap(t, old, n, (*db).removeSCIM, (*db).insertSCIM)
	n.src = nil
	s.Version = n.ident.Version
	return nil
}

// SCIMIdentities implements [store.Tx.SCIMIdentities]. In a read-write
// transaction it iterates over a snapshot, so the loop body may write.
func (t *tx) SCIMIdentities(_ context.Context, groupID string) iter.Seq2[*store.SCIMIdentity, error] {
	return func(yield func(*store.SCIMIdentity, error) bool) {
		if err := t.check(false); err != nil {
			yield(nil, err)
			return
		}
		g := t.db.gidx[groupID]
		if g == nil {
			return
		}
		list := g.ordered
		if t.write {
			list = slices.Clone(list)
		}
		for _, e := range list {
			if t.done.Load() {
				yield(nil, store.ErrTxDone)
				return
			}
			if !yield(e.clone(), nil) {
				return
			}
		}
	}
}

// ListSCIMIdentities implements [store.SCIMIdentityLister], answering
// equality filters on userName, externalId, id and emails.value from
// indexes.
func (t *tx) ListSCIMIdentities(_ context.Context, groupID string, q store.Query) ([]*store.SCIMIdentity, int, error) {
	if err := t.check(false); err != nil {
		return nil, 0, err
	}
	g := t.db.gidx[groupID]
	if g != nil {
		if q.Filter == nil && q.SortBy == "" && (!q.SkipDeleted || g.deleted == 0) {
			return window(g.ordered, q), len(g.ordered), nil
		}
		if page, total, ok := t.listEq(g, q); ok {
			return page, total, nil
		}
	}
	m, err := query.Compile(q, t.rt, store.ErrInvalid)
	if err != nil {
		return nil, 0, err
	}
	if g == nil {
		return nil, 0, nil
	}
	list := g.ordered
	if c, ok := t.candidates(g, groupID, q.Filter); ok {
		slices.SortFunc(c, compareEntries)
		list = c
	}
	page, total, err := query.Select(m, entries(list), entryDeleted, (*scimEntry).resource)
	if err != nil {
		return nil, 0, err
	}
	var out []*store.SCIMIdentity
	for _, e := range page {
		out = append(out, e.clone())
	}
	return out, total, nil
}

// entries yields list's entries, for query.Select.
func entries(list []*scimEntry) iter.Seq2[*scimEntry, error] {
	return func(yield func(*scimEntry, error) bool) {
		for _, e := range list {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func entryDeleted(e *scimEntry) bool { return e.ident.Deleted }

// window returns copies of the page of list that q's StartIndex and Count
// select.
func window(list []*scimEntry, q store.Query) []*store.SCIMIdentity {
	lo := max(q.StartIndex, 1) - 1
	if lo >= len(list) {
		return nil
	}
	list = list[lo:]
	if q.Count > 0 && len(list) > q.Count {
		list = list[:q.Count]
	}
	page := make([]*store.SCIMIdentity, len(list))
	for i, e := range list {
		page[i] = e.clone()
	}
	return page
}

// SAMLIdentityByExternUID implements [store.Tx.SAMLIdentityByExternUID].
func (t *tx) SAMLIdentityByExternUID(_ context.Context, groupID, externUID string) (*store.SAMLIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	s := t.db.extern(groupID, store.Fold(externUID)).saml
	if s == nil {
		return nil, errNoSAMLExternUID
	}
	c := *s
	return &c, nil
}

// SAMLIdentityByUser implements [store.Tx.SAMLIdentityByUser].
func (t *tx) SAMLIdentityByUser(_ context.Context, groupID, userID string) (*store.SAMLIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	l := t.db.linkOf(groupID, userID)
	if l == nil || l.saml == nil {
		return nil, notFound("saml_identity of user", userID)
	}
	c := *l.saml
	return &c, nil
}

// PutSAMLIdentity implements [store.Tx.PutSAMLIdentity].
func (t *tx) PutSAMLIdentity(_ context.Context, s *store.SAMLIdentity) error {
	if err := t.check(true); err != nil {
		return err
	}
	if s == nil || s.ExternUID == "" {
		return invalid("saml_identity", "ExternUID is required")
	}
	l, err := t.refs("saml_identity", s.GroupID, s.UserID)
	if err != nil {
		return err
	}
	d := t.db
	var old *store.SAMLIdentity
	if l != nil {
		old = l.saml
	}
	var v int64
	if old != nil {
		v = old.Version
	}
	if err := checkVersion("saml_identity", s.GroupID, s.UserID, store.KeySAMLIdentityUser, v, s.Version); err != nil {
		return err
	}
	if o := d.extern(s.GroupID, store.Fold(s.ExternUID)).saml; o != nil && o.UserID != s.UserID {
		return conflict("saml_identity", store.KeyExternUID)
	}
	n := *s
	n.Version = s.Version + 1
	swap(t, old, &n, (*db).removeSAML, (*db).insertSAML)
	s.Version = n.Version
	return nil
}

// DeleteSAMLIdentity implements [store.Tx.DeleteSAMLIdentity].
func (t *tx) DeleteSAMLIdentity(_ context.Context, groupID, userID string) error {
	if err := t.check(true); err != nil {
		return err
	}
	d := t.db
	l := d.linkOf(groupID, userID)
	if l == nil || l.saml == nil {
		return notFound("saml_identity of user", userID)
	}
	old := l.saml
	d.removeSAML(old)
	push(t, old, (*store.SAMLIdentity)(nil))
	return nil
}

// SAMLKey implements [store.Tx.SAMLKey].
func (t *tx) SAMLKey(_ context.Context) (*store.SAMLKey, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if t.db.samlKey == nil {
		return nil, notFound("saml_key", "")
	}
	return t.db.samlKey.Clone(), nil
}

// PutSAMLKey implements [store.Tx.PutSAMLKey].
func (t *tx) PutSAMLKey(_ context.Context, k *store.SAMLKey) error {
	if err := t.check(true); err != nil {
		return err
	}
	if k == nil || len(k.PrivateKey) == 0 || len(k.Certificate) == 0 {
		return invalid("saml_key", "PrivateKey and Certificate are required")
	}
	d := t.db
	old := d.samlKey
	var v int64
	if old != nil {
		v = old.Version
	}
	if err := checkVersion("saml_key", "", "", store.KeyID, v, k.Version); err != nil {
		return err
	}
	n := k.Clone()
	n.Version = k.Version + 1
	swap(t, old, n, (*db).removeSAMLKey, (*db).insertSAMLKey)
	k.Version = n.Version
	return nil
}
