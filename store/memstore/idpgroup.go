package memstore

import (
	"context"
	"iter"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// idpDB holds the IdP groups, their members and the group links. The
// members of an IdP group are a set, indexed both ways: adding or removing
// one is a map operation whatever the size of the group, and a member's
// groups are found without looking at any group's members.
type idpDB struct {
	groups  map[string]*store.IdPGroup // ID
	tenants map[string]*idpTenant      // tenant (store.Group) ID
	// members holds each IdP group's member identity ids; memberOf each
	// identity's IdP group ids.
	members  map[string]map[string]struct{}
	memberOf map[string]map[string]struct{}
}

// idpTenant is what one tenant has: its IdP groups by folded key and in
// the default order, and its links.
type idpTenant struct {
	byName  map[string]*store.IdPGroup // Fold(DisplayName)
	byExt   map[string]*store.IdPGroup // Fold(ExternalID), when set
	ordered []*store.IdPGroup          // by store.CompareIdPGroups
	links   map[linkKey]*store.IdPGroupLink
}

// linkKey is the key of a link in its tenant.
type linkKey struct {
	attr  store.LinkAttribute
	value string // folded
}

func keyOf(l *store.IdPGroupLink) linkKey { return linkKey{l.Attribute, store.Fold(l.Value)} }

// idpMember is one membership row: the undo log's entity for members.
type idpMember struct {
	group, member string
}

func (x *idpDB) tenant(id string) *idpTenant {
	if x.tenants == nil {
		x.groups = map[string]*store.IdPGroup{}
		x.tenants = map[string]*idpTenant{}
		x.members = map[string]map[string]struct{}{}
		x.memberOf = map[string]map[string]struct{}{}
	}
	t := x.tenants[id]
	if t == nil {
		t = &idpTenant{byName: map[string]*store.IdPGroup{}, byExt: map[string]*store.IdPGroup{}, links: map[linkKey]*store.IdPGroupLink{}}
		x.tenants[id] = t
	}
	return t
}

// idpGroup returns the stored IdP group id of tenant groupID, or nil.
func (x *idpDB) idpGroup(groupID, id string) *store.IdPGroup {
	if g := x.groups[id]; g != nil && g.GroupID == groupID {
		return g
	}
	return nil
}

func (d *db) insertIdPGroup(g *store.IdPGroup) {
	x := &d.idp
	t := x.tenant(g.GroupID)
	x.groups[g.ID] = g
	t.byName[store.Fold(g.DisplayName)] = g
	if g.ExternalID != "" {
		t.byExt[store.Fold(g.ExternalID)] = g
	}
	n := len(t.ordered)
	if n == 0 || store.CompareIdPGroups(t.ordered[n-1], g) <= 0 {
		t.ordered = append(t.ordered, g)
		return
	}
	i, _ := slices.BinarySearchFunc(t.ordered, g, store.CompareIdPGroups)
	t.ordered = slices.Insert(t.ordered, i, g)
}

func (d *db) removeIdPGroup(g *store.IdPGroup) {
	x := &d.idp
	t := x.tenant(g.GroupID)
	delete(x.groups, g.ID)
	delete(t.byName, store.Fold(g.DisplayName))
	if g.ExternalID != "" {
		delete(t.byExt, store.Fold(g.ExternalID))
	}
	if i, ok := slices.BinarySearchFunc(t.ordered, g, store.CompareIdPGroups); ok {
		t.ordered = slices.Delete(t.ordered, i, i+1)
	}
}

func (d *db) insertIdPMember(m *idpMember) {
	x := &d.idp
	set := x.members[m.group]
	if set == nil {
		set = map[string]struct{}{}
		x.members[m.group] = set
	}
	set[m.member] = struct{}{}
	of := x.memberOf[m.member]
	if of == nil {
		of = map[string]struct{}{}
		x.memberOf[m.member] = of
	}
	of[m.group] = struct{}{}
}

func (d *db) removeIdPMember(m *idpMember) {
	x := &d.idp
	if set := x.members[m.group]; set != nil {
		delete(set, m.member)
		if len(set) == 0 {
			delete(x.members, m.group)
		}
	}
	if of := x.memberOf[m.member]; of != nil {
		delete(of, m.group)
		if len(of) == 0 {
			delete(x.memberOf, m.member)
		}
	}
}

func (d *db) insertIdPLink(l *store.IdPGroupLink) {
	d.idp.tenant(l.GroupID).links[keyOf(l)] = l
}

func (d *db) removeIdPLink(l *store.IdPGroupLink) {
	delete(d.idp.tenant(l.GroupID).links, keyOf(l))
}

// dropMember removes member from IdP group group, recording the undo step.
func (t *tx) dropMember(group, member string) {
	m := &idpMember{group: group, member: member}
	t.db.removeIdPMember(m)
	push(t, m, (*idpMember)(nil))
}

// IdPGroup implements [store.Tx.IdPGroup].
func (t *tx) IdPGroup(_ context.Context, groupID, id string) (*store.IdPGroup, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	g := t.db.idp.idpGroup(groupID, id)
	if g == nil {
		return nil, notFound("idp_group", id)
	}
	return g.Clone(), nil
}

// IdPGroupByDisplayName implements [store.Tx.IdPGroupByDisplayName].
func (t *tx) IdPGroupByDisplayName(_ context.Context, groupID, displayName string) (*store.IdPGroup, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if it := t.db.idp.tenants[groupID]; it != nil {
		if g := it.byName[store.Fold(displayName)]; g != nil {
			return g.Clone(), nil
		}
	}
	return nil, errNoIdPGroupName
}

// IdPGroupByExternalID implements [store.Tx.IdPGroupByExternalID].
func (t *tx) IdPGroupByExternalID(_ context.Context, groupID, externalID string) (*store.IdPGroup, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if it := t.db.idp.tenants[groupID]; it != nil && externalID != "" {
		if g := it.byExt[store.Fold(externalID)]; g != nil {
			return g.Clone(), nil
		}
	}
	return nil, errNoIdPGroupExternalID
}

// Misses of the lookups of IdP groups by folded key.
const (
	errNoIdPGroupName       missError = "memstore: no idp_group with that displayName: store: not found"
	errNoIdPGroupExternalID missError = "memstore: no idp_group with that externalId: store: not found"
)

// PutIdPGroup implements [store.Tx.PutIdPGroup].
func (t *tx) PutIdPGroup(_ context.Context, g *store.IdPGroup) error {
	if err := t.check(true); err != nil {
		return err
	}
	if g == nil || g.ID == "" || g.GroupID == "" || g.DisplayName == "" {
		return invalid("idp_group", "ID, GroupID and DisplayName are required")
	}
	d := t.db
	if d.groups[g.GroupID] == nil {
		return notFound("group", g.GroupID)
	}
	old := d.idp.groups[g.ID]
	var v int64
	if old != nil {
		v = old.Version
	}
	if err := checkVersion("idp_group", g.ID, "", store.KeyID, v, g.Version); err != nil {
		return err
	}
	if old != nil && old.GroupID != g.GroupID {
		return invalid("idp_group", "GroupID cannot change")
	}
	it := d.idp.tenant(g.GroupID)
	if o := it.byName[store.Fold(g.DisplayName)]; o != nil && o.ID != g.ID {
		return conflict("idp_group", store.KeyDisplayName)
	}
	if g.ExternalID != "" {
		if o := it.byExt[store.Fold(g.ExternalID)]; o != nil && o.ID != g.ID {
			return conflict("idp_group", store.KeyExternalID)
		}
	}
	n := g.Clone()
	n.Version = g.Version + 1
	swap(t, old, n, (*db).removeIdPGroup, (*db).insertIdPGroup)
	g.Version = n.Version
	return nil
}

// DeleteIdPGroup implements [store.Tx.DeleteIdPGroup].
func (t *tx) DeleteIdPGroup(_ context.Context, groupID, id string) error {
	if err := t.check(true); err != nil {
		return err
	}
	d := t.db
	g := d.idp.idpGroup(groupID, id)
	if g == nil {
		return notFound("idp_group", id)
	}
	for _, m := range sortedKeys(d.idp.members[id]) {
		t.dropMember(id, m)
	}
	d.removeIdPGroup(g)
	push(t, g, (*store.IdPGroup)(nil))
	return nil
}

// IdPGroups implements [store.Tx.IdPGroups]. In a read-write transaction
// it iterates over a snapshot, so the loop body may write.
func (t *tx) IdPGroups(_ context.Context, groupID string) iter.Seq2[*store.IdPGroup, error] {
	return func(yield func(*store.IdPGroup, error) bool) {
		if err := t.check(false); err != nil {
			yield(nil, err)
			return
		}
		it := t.db.idp.tenants[groupID]
		if it == nil {
			return
		}
		list := it.ordered
		if t.write {
			list = slices.Clone(list)
		}
		for _, g := range list {
			if t.done.Load() {
				yield(nil, store.ErrTxDone)
				return
			}
			if !yield(g.Clone(), nil) {
				return
			}
		}
	}
}

// AddIdPGroupMembers implements [store.Tx.AddIdPGroupMembers].
func (t *tx) AddIdPGroupMembers(_ context.Context, groupID, idpGroupID string, ids []string) ([]string, error) {
	if err := t.check(true); err != nil {
		return nil, err
	}
	d := t.db
	if d.idp.idpGroup(groupID, idpGroupID) == nil {
		return nil, notFound("idp_group", idpGroupID)
	}
	for _, id := range ids {
		if e := d.scim[id]; e == nil || e.ident.GroupID != groupID {
			return nil, notFound("scim_identity", id)
		}
	}
	var added []string
	set := d.idp.members[idpGroupID]
	for _, id := range ids {
		if _, ok := set[id]; ok {
			continue
		}
		m := &idpMember{group: idpGroupID, member: id}
		d.insertIdPMember(m)
		push(t, (*idpMember)(nil), m)
		set = d.idp.members[idpGroupID]
		added = append(added, id)
	}
	return added, nil
}

// RemoveIdPGroupMembers implements [store.Tx.RemoveIdPGroupMembers].
func (t *tx) RemoveIdPGroupMembers(_ context.Context, groupID, idpGroupID string, ids []string) ([]string, error) {
	if err := t.check(true); err != nil {
		return nil, err
	}
	d := t.db
	if d.idp.idpGroup(groupID, idpGroupID) == nil {
		return nil, notFound("idp_group", idpGroupID)
	}
	var removed []string
	for _, id := range ids {
		if _, ok := d.idp.members[idpGroupID][id]; !ok {
			continue
		}
		t.dropMember(idpGroupID, id)
		removed = append(removed, id)
	}
	return removed, nil
}

// IdPGroupMembers implements [store.Tx.IdPGroupMembers]. It iterates over
// a snapshot of the member ids, so the loop body may write.
func (t *tx) IdPGroupMembers(_ context.Context, groupID, idpGroupID string) iter.Seq2[store.IdPGroupMember, error] {
	return func(yield func(store.IdPGroupMember, error) bool) {
		if err := t.check(false); err != nil {
			yield(store.IdPGroupMember{}, err)
			return
		}
		if t.db.idp.idpGroup(groupID, idpGroupID) == nil {
			yield(store.IdPGroupMember{}, notFound("idp_group", idpGroupID))
			return
		}
		for _, id := range sortedKeys(t.db.idp.members[idpGroupID]) {
			if t.done.Load() {
				yield(store.IdPGroupMember{}, store.ErrTxDone)
				return
			}
			m := store.IdPGroupMember{ID: id}
			if e := t.db.scim[id]; e != nil {
				if r := t.db.user(e.ident.UserID); r != nil {
					m.Display = r.u.Name
				}
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

// IdPGroupsOfMember implements [store.Tx.IdPGroupsOfMember].
func (t *tx) IdPGroupsOfMember(_ context.Context, groupID, id string) ([]*store.IdPGroup, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	var out []*store.IdPGroup
	for gid := range t.db.idp.memberOf[id] {
		if g := t.db.idp.idpGroup(groupID, gid); g != nil {
			out = append(out, g.Clone())
		}
	}
	slices.SortFunc(out, store.CompareIdPGroups)
	return out, nil
}

// IdPGroupLinks implements [store.Tx.IdPGroupLinks].
func (t *tx) IdPGroupLinks(_ context.Context, groupID string) ([]*store.IdPGroupLink, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	it := t.db.idp.tenants[groupID]
	if it == nil || len(it.links) == 0 {
		return nil, nil
	}
	out := make([]*store.IdPGroupLink, 0, len(it.links))
	for _, l := range it.links {
		c := *l
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *store.IdPGroupLink) int {
		if a.Attribute != b.Attribute {
			return int(a.Attribute) - int(b.Attribute)
		}
		return strings.Compare(store.Fold(a.Value), store.Fold(b.Value))
	})
	return out, nil
}

// PutIdPGroupLink implements [store.Tx.PutIdPGroupLink].
func (t *tx) PutIdPGroupLink(_ context.Context, l *store.IdPGroupLink) error {
	if err := t.check(true); err != nil {
		return err
	}
	if l == nil || l.GroupID == "" || l.Value == "" {
		return invalid("idp_group_link", "GroupID and Value are required")
	}
	if l.Attribute != store.LinkDisplayName && l.Attribute != store.LinkExternalID {
		return invalid("idp_group_link", "unknown Attribute "+l.Attribute.String())
	}
	d := t.db
	if d.groups[l.GroupID] == nil {
		return notFound("group", l.GroupID)
	}
	old := d.idp.tenant(l.GroupID).links[keyOf(l)]
	var v int64
	if old != nil {
		v = old.Version
	}
	if err := checkVersion("idp_group_link", l.GroupID, l.Value, store.KeyID, v, l.Version); err != nil {
		return err
	}
	n := *l
	n.Version = l.Version + 1
	swap(t, old, &n, (*db).removeIdPLink, (*db).insertIdPLink)
	l.Version = n.Version
	return nil
}

// DeleteIdPGroupLink implements [store.Tx.DeleteIdPGroupLink].
func (t *tx) DeleteIdPGroupLink(_ context.Context, groupID string, attr store.LinkAttribute, value string) error {
	if err := t.check(true); err != nil {
		return err
	}
	d := t.db
	it := d.idp.tenants[groupID]
	if it == nil {
		return notFound("idp_group_link", value)
	}
	old := it.links[linkKey{attr, store.Fold(value)}]
	if old == nil {
		return notFound("idp_group_link", value)
	}
	d.removeIdPLink(old)
	push(t, old, (*store.IdPGroupLink)(nil))
	return nil
}

// DeleteSCIMIdentity implements [store.Tx.DeleteSCIMIdentity].
func (t *tx) DeleteSCIMIdentity(_ context.Context, groupID, id string) error {
	if err := t.check(true); err != nil {
		return err
	}
	d := t.db
	e := d.scim[id]
	if e == nil || e.ident.GroupID != groupID {
		return notFound("scim_identity", id)
	}
	for _, g := range sortedKeys(d.idp.memberOf[id]) {
		t.dropMember(g, id)
	}
	d.removeSCIM(e)
	push(t, e, (*scimEntry)(nil))
	return nil
}

// sortedKeys returns the keys of set in byte order.
func sortedKeys(set map[string]struct{}) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
