package store

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/internal/query"
)

// ListIdPGroups returns the page of group groupID's IdP groups that q
// selects, and the number of IdP groups matching q's filter on all pages
// (GET /Groups). q.Filter is evaluated against [IdPGroup.Resource] plus the
// group's "members" (each {"value": id}) as [filter.Compile] does under
// [schema.Group], with one difference: members.value is compared exactly,
// as the ids it holds are everywhere else (RFC 7643 §3.1 makes id
// caseExact; §8.7.1 leaves members.value case-insensitive). q.SortBy and
// paging work as for SCIM identities; q.SkipDeleted does not apply.
//
// ListIdPGroups reads through the indexes of [Tx]: a filter that requires
// id eq, displayName eq, externalId eq or a member (members[value eq "x"],
// members.value eq "x", members eq "x"), alone, in an "and", or in every
// branch of an "or", reads those IdP groups only; any other filter reads
// every IdP group of the group. Members are read only when the filter or
// the sort reads them, and when every condition on them is a member's
// value eq, only through [Tx.IdPGroupsOfMember]: listing the groups of a
// member never reads the members of the groups.
//
// Errors from compiling q.Filter (*filter.SchemaError) and parsing q.SortBy
// (*filter.SyntaxError) are wrapped; find them with errors.As.
func ListIdPGroups(ctx context.Context, tx Tx, groupID string, q Query) ([]*IdPGroup, int, error) {
	rt := idpGroupType()
	m, err := query.Compile(q, rt, ErrInvalid)
	if err != nil {
		return nil, 0, err
	}
	var cands []*IdPGroup
	narrowed := false
	if looks, ok := narrowIdPGroups(q.Filter); ok {
		if cands, err = lookupIdPGroups(ctx, tx, groupID, looks); err != nil {
			return nil, 0, err
		}
		narrowed = true
	}
	var members memberSource
	if readsMembers(q) {
		if lits, ok := memberLiterals(q.Filter); ok && !sortsByMembers(q.SortBy) {
			members.of = make(map[string]map[string]bool, len(lits))
			members.lits = lits
			for _, lit := range lits {
				gs, err := tx.IdPGroupsOfMember(ctx, groupID, lit)
				if err != nil {
					return nil, 0, err
				}
				set := make(map[string]bool, len(gs))
				for _, g := range gs {
					set[g.ID] = true
				}
				members.of[lit] = set
			}
		} else {
			members.all = true
		}
	}
	groups := tx.IdPGroups(ctx, groupID)
	if narrowed {
		groups = func(yield func(*IdPGroup, error) bool) {
			for _, g := range cands {
				if !yield(g, nil) {
					return
				}
			}
		}
	}
	items := func(yield func(idpItem, error) bool) {
		for g, err := range groups {
			if err != nil {
				yield(idpItem{}, err)
				return
			}
			it := idpItem{g: g}
			if members.all {
				for mem, err := range tx.IdPGroupMembers(ctx, groupID, g.ID) {
					if err != nil {
						yield(idpItem{}, err)
						return
					}
					it.members = append(it.members, map[string]any{"value": mem.ID})
				}
			} else if members.of != nil {
				for _, lit := range members.lits {
					if members.of[lit][g.ID] {
						it.members = append(it.members, map[string]any{"value": lit})
					}
				}
			}
			if !yield(it, nil) {
				return
			}
		}
	}
	page, total, err := query.Select(m, iter.Seq2[idpItem, error](items), func(idpItem) bool { return false }, idpItem.resource)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*IdPGroup, len(page))
	for i, it := range page {
		out[i] = it.g
	}
	return out, total, nil
}

// idpItem is an IdP group with the members a filter reads.
type idpItem struct {
	g       *IdPGroup
	members []any // nil when the filter reads none
}

func (it idpItem) resource() map[string]any {
	r := it.g.Resource()
	if it.members != nil {
		r["members"] = it.members
	}
	return r
}

// memberSource says which members ListIdPGroups reads: all of every group,
// or only whether each literal of lits is a member (of[lit] holds the ids
// of its groups).
type memberSource struct {
	all  bool
	lits []string
	of   map[string]map[string]bool
}

// idpGroupType is the resource type IdP group filters compile against:
// schema.Group() with members.value caseExact (see ListIdPGroups).
func idpGroupType() *schema.ResourceType {
	rt := schema.Group()
	if a := rt.Schema.Attr("members"); a != nil {
		if v := a.Sub("value"); v != nil {
			v.CaseExact = true
		}
	}
	return rt
}

// CompareIdPGroups orders IdP groups in the default list order: Created,
// then ID.
func CompareIdPGroups(a, b *IdPGroup) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// idpLookup is one index lookup that narrows a list of IdP groups.
type idpLookup struct {
	attr  string // "id", "displayName", "externalId" or "members"
	value string
}

// lookupIdPGroups runs looks and returns the IdP groups found, each once,
// in the default order.
func lookupIdPGroups(ctx context.Context, tx Tx, groupID string, looks []idpLookup) ([]*IdPGroup, error) {
	seen := map[string]bool{}
	var out []*IdPGroup
	add := func(g *IdPGroup, err error) error {
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			return err
		}
		if !seen[g.ID] {
			seen[g.ID] = true
			out = append(out, g)
		}
		return nil
	}
	for _, l := range looks {
		var err error
		switch l.attr {
		case "id":
			err = add(tx.IdPGroup(ctx, groupID, l.value))
		case "displayName":
			err = add(tx.IdPGroupByDisplayName(ctx, groupID, l.value))
		case "externalId":
			err = add(tx.IdPGroupByExternalID(ctx, groupID, l.value))
		case "members":
			var gs []*IdPGroup
			if gs, err = tx.IdPGroupsOfMember(ctx, groupID, l.value); err == nil {
				for _, g := range gs {
					err = add(g, nil)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, CompareIdPGroups)
	return out, nil
}

// narrowIdPGroups returns index lookups whose results hold every IdP group
// e matches, or false when e does not require one.
func narrowIdPGroups(e filter.Expr) ([]idpLookup, bool) {
	switch e := e.(type) {
	case *filter.And:
		if l, ok := narrowIdPGroups(e.Left); ok {
			return l, true
		}
		return narrowIdPGroups(e.Right)
	case *filter.Or:
		l, ok := narrowIdPGroups(e.Left)
		if !ok {
			return nil, false
		}
		r, ok := narrowIdPGroups(e.Right)
		if !ok {
			return nil, false
		}
		return append(l, r...), true
	case *filter.Compare:
		s, ok := e.Value.(string)
		if !ok || e.Op != filter.Eq || !coreGroupAttr(e.Attr) {
			return nil, false
		}
		switch {
		case e.Attr.Sub == "" && strings.EqualFold(e.Attr.Name, "id"):
			return []idpLookup{{"id", s}}, true
		case e.Attr.Sub == "" && strings.EqualFold(e.Attr.Name, "displayName"):
			return []idpLookup{{"displayName", s}}, true
		case e.Attr.Sub == "" && strings.EqualFold(e.Attr.Name, "externalId"):
			return []idpLookup{{"externalId", s}}, true
		case isMembersValue(e.Attr):
			return []idpLookup{{"members", s}}, true
		}
	case *filter.ValuePath:
		if coreGroupAttr(e.Attr) && strings.EqualFold(e.Attr.Name, "members") {
			if v, ok := requiredValueEq(e.Filter); ok {
				return []idpLookup{{"members", v}}, true
			}
		}
	}
	return nil, false
}

// requiredValueEq finds a `value eq "..."` that the value filter f
// requires.
func requiredValueEq(f filter.Expr) (string, bool) {
	switch f := f.(type) {
	case *filter.Compare:
		s, ok := f.Value.(string)
		if ok && f.Op == filter.Eq && f.Attr.URN == "" && f.Attr.Sub == "" && strings.EqualFold(f.Attr.Name, "value") {
			return s, true
		}
	case *filter.And:
		if v, ok := requiredValueEq(f.Left); ok {
			return v, true
		}
		return requiredValueEq(f.Right)
	}
	return "", false
}

// coreGroupAttr reports whether p names an attribute of the core Group
// schema (with or without its URN).
func coreGroupAttr(p filter.AttrPath) bool {
	return p.URN == "" || strings.EqualFold(p.URN, schema.GroupURN)
}

// isMembersValue reports whether p is members or members.value.
func isMembersValue(p filter.AttrPath) bool {
	return coreGroupAttr(p) && strings.EqualFold(p.Name, "members") && (p.Sub == "" || strings.EqualFold(p.Sub, "value"))
}

// readsMembers reports whether q's filter or sort reads the members.
func readsMembers(q Query) bool {
	found := sortsByMembers(q.SortBy)
	filter.Walk(q.Filter, func(e filter.Expr) bool {
		switch e := e.(type) {
		case *filter.Compare:
			found = found || coreGroupAttr(e.Attr) && strings.EqualFold(e.Attr.Name, "members")
		case *filter.ValuePath:
			found = found || coreGroupAttr(e.Attr) && strings.EqualFold(e.Attr.Name, "members")
			return false
		}
		return !found
	})
	return found
}

func sortsByMembers(sortBy string) bool {
	if sortBy == "" {
		return false
	}
	p, err := filter.ParsePath(sortBy)
	return err == nil && coreGroupAttr(p.Attr) && strings.EqualFold(p.Attr.Name, "members")
}

// memberLiterals returns the ids e compares members with, when every
// condition of e on members is that a member's value equals a string:
// members eq "x", members.value eq "x", or members[...] whose filter is
// value eq "x" conditions joined by and/or. A filter evaluated over the
// members among those ids then gives what it gives over all the members.
func memberLiterals(e filter.Expr) ([]string, bool) {
	var lits []string
	ok := true
	var inner func(f filter.Expr) bool
	inner = func(f filter.Expr) bool {
		switch f := f.(type) {
		case *filter.And:
			return inner(f.Left) && inner(f.Right)
		case *filter.Or:
			return inner(f.Left) && inner(f.Right)
		case *filter.Compare:
			s, isString := f.Value.(string)
			if isString && f.Op == filter.Eq && f.Attr.URN == "" && f.Attr.Sub == "" && strings.EqualFold(f.Attr.Name, "value") {
				lits = append(lits, s)
				return true
			}
		}
		return false
	}
	filter.Walk(e, func(x filter.Expr) bool {
		switch x := x.(type) {
		case *filter.Compare:
			if coreGroupAttr(x.Attr) && strings.EqualFold(x.Attr.Name, "members") {
				s, isString := x.Value.(string)
				if isMembersValue(x.Attr) && isString && x.Op == filter.Eq {
					lits = append(lits, s)
				} else {
					ok = false
				}
			}
		case *filter.ValuePath:
			if coreGroupAttr(x.Attr) && strings.EqualFold(x.Attr.Name, "members") {
				ok = ok && inner(x.Filter)
			}
			return false
		}
		return ok
	})
	return lits, ok
}
