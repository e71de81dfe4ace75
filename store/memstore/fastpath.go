package memstore

import (
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// candidates returns a superset of the identities of g that e can match,
// taken from an index, when e is an indexable equality, an "and" with one,
// or an "or" of indexable branches; ok is false when every identity must be scanned. The caller still
// evaluates e on each candidate.
func (t *tx) candidates(g *groupIdx, groupID string, e filter.Expr) (c []*scimEntry, ok bool) {
	switch e := e.(type) {
	case *filter.And:
		l, lok := t.candidates(g, groupID, e.Left)
		r, rok := t.candidates(g, groupID, e.Right)
		switch {
		case lok && rok:
			if len(r) < len(l) {
				return r, true
			}
			return l, true
		case lok:
			return l, true
		case rok:
			return r, true
		}
	case *filter.Or:
		l, lok := t.candidates(g, groupID, e.Left)
		if !lok {
			return nil, false
		}
		r, rok := t.candidates(g, groupID, e.Right)
		if !rok {
			return nil, false
		}
		return union(l, r), true
	case *filter.Compare:
		v, isStr := e.Value.(string)
		if e.Op != filter.Eq || !isStr || !coreUser(e.Attr.URN) {
			return nil, false
		}
		switch {
		case strings.EqualFold(e.Attr.Name, "userName") && e.Attr.Sub == "":
			return union(t.db.names.docsIn(store.Fold(v), groupID), g.oddUserName), true
		case strings.EqualFold(e.Attr.Name, "externalId") && e.Attr.Sub == "":
			if s := t.db.extern(groupID, store.Fold(v)).scim; s != nil {
				return []*scimEntry{s}, true
			}
			return nil, true
		case strings.EqualFold(e.Attr.Name, "id") && e.Attr.Sub == "":
			if s := t.db.scim[v]; s != nil && s.ident.GroupID == groupID {
				return []*scimEntry{s}, true
			}
			return nil, true
		case strings.EqualFold(e.Attr.Name, "emails") && (e.Attr.Sub == "" || strings.EqualFold(e.Attr.Sub, "value")):
			return union(t.db.emails.docsIn(store.Fold(v), groupID), g.oddEmail), true
		}
	case *filter.ValuePath:
		if strings.EqualFold(e.Attr.Name, "emails") && coreUser(e.Attr.URN) {
			if v, ok := valueEq(e.Filter); ok {
				return union(t.db.emails.docsIn(store.Fold(v), groupID), g.oddEmail), true
			}
		}
	}
	return nil, false
}

// valueEq finds `value eq "v"` in a value filter, alone or in an "and".
func valueEq(e filter.Expr) (string, bool) {
	switch e := e.(type) {
	case *filter.And:
		if v, ok := valueEq(e.Left); ok {
			return v, true
		}
		return valueEq(e.Right)
	case *filter.Compare:
		v, isStr := e.Value.(string)
		if e.Op == filter.Eq && isStr && e.Attr.URN == "" && e.Attr.Sub == "" && strings.EqualFold(e.Attr.Name, "value") {
			return v, true
		}
	}
	return "", false
}

func coreUser(urn string) bool {
	return urn == "" || strings.EqualFold(urn, schema.UserURN)
}

// union returns the entries of a and b, each once.
func union(a, b []*scimEntry) []*scimEntry {
	seen := make(map[*scimEntry]bool, len(a))
	for _, e := range a {
		seen[e] = true
	}
	for _, e := range b {
		if !seen[e] {
			seen[e] = true
			a = append(a, e)
		}
	}
	return a
}

// listEq answers q without compiling its filter when the filter is a lone
// `userName eq "v"` or `externalId eq "v"` on the core User schema and q has
// no SortBy; ok is false when q is not of that shape, or when a candidate's
// document is in a shape only the filter package can judge. The result is
// what [store.Select] gives: userName is caseExact=false (strings.EqualFold,
// which [store.Fold] agrees with), externalId caseExact=true, and the
// resource's "externalId" is the identity's ExternUID when it has one.
func (t *tx) listEq(g *groupIdx, q store.Query) (page []*store.SCIMIdentity, total int, ok bool) {
	c, isCmp := q.Filter.(*filter.Compare)
	if !isCmp || c == nil || q.SortBy != "" || c.Op != filter.Eq || c.Attr.Sub != "" || !coreUser(c.Attr.URN) {
		return nil, 0, false
	}
	v, isStr := c.Value.(string)
	if !isStr {
		return nil, 0, false
	}
	var match []*scimEntry
	switch {
	case strings.EqualFold(c.Attr.Name, "externalId"):
		// An identity whose client set no externalId has none in its
		// resource (resource.HasExternalID), whatever its extern_uid.
		if e := t.db.extern(g.id, store.Fold(v)).scim; e != nil && e.ident.ExternUID == v && hasExternalID(e) {
			match = []*scimEntry{e}
		}
	case strings.EqualFold(c.Attr.Name, "userName"):
		if len(g.oddUserName) > 0 {
			return nil, 0, false
		}
		for _, e := range t.db.names.docsIn(store.Fold(v), g.id) {
			// The filter reads the exact key "userName" first; any other
			// spelling, or an array, is left to it.
			s, isStr := e.topString("userName")
			if !isStr {
				return nil, 0, false
			}
			if strings.EqualFold(s, v) {
				match = append(match, e)
			}
		}
		if len(match) > 1 {
			match = slices.Clone(match)
			slices.SortFunc(match, compareEntries)
		}
	default:
		return nil, 0, false
	}
	lo := max(q.StartIndex, 1) - 1
	for _, e := range match {
		if q.SkipDeleted && e.ident.Deleted {
			continue
		}
		total++
		if total > lo && (q.Count <= 0 || len(page) < q.Count) {
			page = append(page, e.clone())
		}
	}
	return page, total, true
}

// hasExternalID reports whether e's resource has an externalId (see
// [store.SCIMIdentity.Resource]).
func hasExternalID(e *scimEntry) bool {
	_, ok := e.resource()["externalId"]
	return ok
}
