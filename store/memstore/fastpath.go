package memstore

import (
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
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
			return union(slices.Clone(g.byUserName[store.Fold(v)]), g.oddUserName), true
		case strings.EqualFold(e.Attr.Name, "externalId") && e.Attr.Sub == "":
			if s := g.byExtern[store.Fold(v)]; s != nil {
				return []*scimEntry{s}, true
			}
			return nil, true
		case strings.EqualFold(e.Attr.Name, "id") && e.Attr.Sub == "":
			if s := t.db.scim[v]; s != nil && s.id.GroupID == groupID {
				return []*scimEntry{s}, true
			}
			return nil, true
		case strings.EqualFold(e.Attr.Name, "emails") && (e.Attr.Sub == "" || strings.EqualFold(e.Attr.Sub, "value")):
			return union(slices.Clone(g.byEmail[store.Fold(v)]), g.oddEmail), true
		}
	case *filter.ValuePath:
		if strings.EqualFold(e.Attr.Name, "emails") && coreUser(e.Attr.URN) {
			if v, ok := valueEq(e.Filter); ok {
				return union(slices.Clone(g.byEmail[store.Fold(v)]), g.oddEmail), true
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
	return urn == "" || strings.EqualFold(urn, filter.UserURN)
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
