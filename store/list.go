package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// ListSCIMIdentities returns the page of group groupID's SCIM identities that
// q selects, and the number of identities matching q's filter on all pages.
// If tx implements [SCIMIdentityLister] (checked with a type assertion) it
// answers; otherwise the query is evaluated by [Select] over
// [Tx.SCIMIdentities].
//
// Errors from compiling q.Filter (*filter.SchemaError) and parsing q.SortBy
// (*filter.SyntaxError) are wrapped; find them with errors.As.
func ListSCIMIdentities(ctx context.Context, tx Tx, groupID string, q Query) ([]*SCIMIdentity, int, error) {
	if l, ok := tx.(SCIMIdentityLister); ok {
		return l.ListSCIMIdentities(ctx, groupID, q)
	}
	return Select(tx.SCIMIdentities(ctx, groupID), q)
}

// Select evaluates q over the identities seq yields, which must come in the
// default order (Created, then ID) as [Tx.SCIMIdentities] yields them. It
// returns the selected page and the number of identities matching q.Filter.
// It is the reference semantics of a [Query], and a building block for
// stores that narrow the candidates themselves (an index, a SQL WHERE) and
// leave the rest to Select.
//
// Without q.SortBy, Select keeps only the page in memory. The identities
// returned are the ones seq yielded, not copies.
func Select(seq iter.Seq2[*SCIMIdentity, error], q Query) ([]*SCIMIdentity, int, error) {
	m, err := CompileQuery(q)
	if err != nil {
		return nil, 0, err
	}
	return m.Select(seq)
}

// Matcher is a compiled [Query]. It is safe for concurrent use.
type Matcher struct {
	q      Query
	f      *filter.Filter
	sort   *sortKey
	offset int
	limit  int // -1: no limit
}

// CompileQuery compiles q's filter and sort path against schema.User().
// Errors wrap *filter.SchemaError or *filter.SyntaxError.
func CompileQuery(q Query) (*Matcher, error) {
	return CompileQueryWith(q, nil)
}

// CompileQueryWith is [CompileQuery] with the User resource type given:
// rt must be a value schema.User() returned (which builds the schemas afresh
// on every call), kept by a store to compile many queries; nil means
// schema.User().
func CompileQueryWith(q Query, rt *schema.ResourceType) (*Matcher, error) {
	m := &Matcher{q: q, limit: -1}
	if rt == nil {
		rt = schema.User()
	}
	if q.Filter != nil {
		f, err := filter.Compile(q.Filter, rt)
		if err != nil {
			return nil, fmt.Errorf("store: filter: %w", err)
		}
		m.f = f
	}
	if q.SortBy != "" {
		k, err := compileSortKey(q.SortBy, rt)
		if err != nil {
			return nil, err
		}
		m.sort = k
	}
	if q.StartIndex > 1 {
		m.offset = q.StartIndex - 1
	}
	if q.Count > 0 {
		m.limit = q.Count
	}
	return m, nil
}

// Match reports whether s passes the query's filter and SkipDeleted; res is
// s.Resource(), or nil to have Match compute it.
func (m *Matcher) Match(s *SCIMIdentity, res map[string]any) bool {
	if m.q.SkipDeleted && s.Deleted {
		return false
	}
	if m.f == nil {
		return true
	}
	if res == nil {
		res = s.Resource()
	}
	return m.f.Match(res)
}

// Sorted reports whether the query has a SortBy.
func (m *Matcher) Sorted() bool { return m.sort != nil }

// Select evaluates the query over seq; see the package function [Select].
func (m *Matcher) Select(seq iter.Seq2[*SCIMIdentity, error]) ([]*SCIMIdentity, int, error) {
	return m.SelectResources(func(yield func(*SCIMIdentity, map[string]any, error) bool) {
		for s, err := range seq {
			if !yield(s, nil, err) {
				return
			}
		}
	})
}

// SelectResources is Select over a sequence that may also carry each
// identity's precomputed Resource (nil when absent), for stores that cache it.
func (m *Matcher) SelectResources(seq func(yield func(*SCIMIdentity, map[string]any, error) bool)) ([]*SCIMIdentity, int, error) {
	total := 0
	var page []*SCIMIdentity
	type keyed struct {
		s *SCIMIdentity
		k sortValue
	}
	var all []keyed
	var ferr error
	seq(func(s *SCIMIdentity, res map[string]any, err error) bool {
		if err != nil {
			ferr = err
			return false
		}
		if m.q.SkipDeleted && s.Deleted {
			return true
		}
		if m.f != nil || m.sort != nil {
			if res == nil {
				res = s.Resource()
			}
		}
		if m.f != nil && !m.f.Match(res) {
			return true
		}
		total++
		if m.sort != nil {
			all = append(all, keyed{s, m.sort.value(res)})
			return true
		}
		if total > m.offset && (m.limit < 0 || len(page) < m.limit) {
			page = append(page, s)
		}
		return true
	})
	if ferr != nil {
		return nil, 0, ferr
	}
	if m.sort == nil {
		return page, total, nil
	}
	desc := m.q.SortOrder == Descending
	slices.SortStableFunc(all, func(a, b keyed) int {
		return compareSort(a.k, b.k, desc)
	})
	if m.offset >= len(all) {
		return nil, total, nil
	}
	all = all[m.offset:]
	if m.limit >= 0 && len(all) > m.limit {
		all = all[:m.limit]
	}
	page = make([]*SCIMIdentity, len(all))
	for i, k := range all {
		page[i] = k.s
	}
	return page, total, nil
}

// CompareDefault orders identities in the default list order: Created,
// then ID.
func CompareDefault(a, b *SCIMIdentity) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// sortKey is a compiled SortBy path.
type sortKey struct {
	ext       bool   // the attribute lives in the Enterprise extension
	urn       string // the extension URN as written
	name, sub string
	caseExact bool
	dateTime  bool
}

func compileSortKey(s string, rt *schema.ResourceType) (*sortKey, error) {
	p, err := filter.ParsePath(s)
	if err != nil {
		return nil, fmt.Errorf("store: sortBy: %w", err)
	}
	if p.Filter != nil {
		return nil, fmt.Errorf("store: sortBy %q: a value filter is not allowed: %w", s, ErrInvalid)
	}
	k := &sortKey{name: p.Attr.Name, sub: p.Attr.Sub}
	if p.Attr.URN != "" && !strings.EqualFold(p.Attr.URN, schema.UserURN) {
		k.ext, k.urn = true, p.Attr.URN
	}
	if r, ok := rt.Resolve(p.Attr.URN, p.Attr.Name, p.Attr.Sub); ok && r.Attr != nil {
		a := r.Attr
		if r.Sub != nil {
			a = r.Sub
		} else if a.Type == schema.TypeComplex && k.sub == "" {
			if v := a.Sub("value"); v != nil {
				a = v
			}
		}
		k.caseExact = a.CaseExact
		k.dateTime = a.Type == schema.TypeDateTime
		if r.Schema != nil && !strings.EqualFold(r.Schema.ID, schema.UserURN) {
			k.ext, k.urn = true, r.Schema.ID
		}
	}
	return k, nil
}

// sortValue is an extracted sort value; kind orders values of different
// JSON types: booleans, then numbers, then strings.
type sortValue struct {
	kind int // 0: missing, 1: bool, 2: number, 3: string, 4: time
	b    bool
	n    float64
	s    string
	t    time.Time
}

func (k *sortKey) value(res map[string]any) sortValue {
	var v any
	if k.ext {
		m, _ := lookupFold(res, k.urn).(map[string]any)
		v = lookupFold(m, k.name)
	} else {
		v = lookupFold(res, k.name)
	}
	if arr, ok := v.([]any); ok {
		v = primaryOrFirst(arr)
	}
	if m, ok := v.(map[string]any); ok {
		sub := k.sub
		if sub == "" {
			sub = "value"
		}
		v = lookupFold(m, sub)
	}
	switch v := v.(type) {
	case bool:
		return sortValue{kind: 1, b: v}
	case float64:
		return sortValue{kind: 2, n: v}
	case json.Number:
		f, err := v.Float64()
		if err != nil || math.IsNaN(f) {
			return sortValue{kind: 3, s: string(v)}
		}
		return sortValue{kind: 2, n: f}
	case string:
		if k.dateTime {
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				return sortValue{kind: 4, t: t}
			}
		}
		if !k.caseExact {
			v = Fold(v)
		}
		return sortValue{kind: 3, s: v}
	}
	return sortValue{}
}

func primaryOrFirst(arr []any) any {
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			if p, _ := lookupFold(m, "primary").(bool); p {
				return e
			}
		}
	}
	if len(arr) == 0 {
		return nil
	}
	return arr[0]
}

// compareSort orders a before b (negative) in the requested direction,
// with missing values last either way.
func compareSort(a, b sortValue, desc bool) int {
	switch {
	case a.kind == 0 && b.kind == 0:
		return 0
	case a.kind == 0:
		return 1
	case b.kind == 0:
		return -1
	}
	c := cmp.Compare(a.kind, b.kind)
	if c == 0 {
		switch a.kind {
		case 1:
			c = cmp.Compare(boolInt(a.b), boolInt(b.b))
		case 2:
			c = cmp.Compare(a.n, b.n)
		case 3:
			c = strings.Compare(a.s, b.s)
		case 4:
			c = a.t.Compare(b.t)
		}
	}
	if desc {
		return -c
	}
	return c
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
