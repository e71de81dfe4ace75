// Package query evaluates a store.Query over SCIM identities or IdP
// groups: the filter, the sort and the page. Package store's Select and
// ListIdPGroups and the listers of memstore and sqlstore share it, so that
// every store answers a query exactly as store.Select does, and a store
// compiles a query against the resource type it keeps instead of building
// schema.User() for every list.
//
// Package store imports this package, so this package cannot name store's
// types: [Compile] takes a store.Query through a type parameter whose
// underlying type is store.Query's, and [Select] reads identities through
// the functions its caller passes.
package query

import (
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/fold"
	"github.com/scimkit/scimkit/internal/scimjson"
	"github.com/scimkit/scimkit/schema"
)

// fields are the fields of store.Query, with O its SortOrder: any value
// other than the zero value (store.Ascending) sorts descending.
type fields[O ~uint8] = struct {
	Filter      filter.Expr
	SkipDeleted bool
	StartIndex  int
	Count       int
	SortBy      string
	SortOrder   O
}

// Query is satisfied by store.Query, whose fields are [fields].
type Query[O ~uint8] interface{ ~fields[O] }

// Matcher is a compiled query. It is safe for concurrent use.
type Matcher struct {
	f           *filter.Filter
	sort        *sortKey
	skipDeleted bool
	descending  bool
	offset      int
	limit       int // -1: no limit
}

// Compile compiles q's filter and sort path against rt. Errors wrap a
// *filter.SchemaError or *filter.SyntaxError; a sortBy with a value filter
// wraps invalid (store.ErrInvalid).
func Compile[Q Query[O], O ~uint8](q Q, rt *schema.ResourceType, invalid error) (*Matcher, error) {
	s := fields[O](q)
	m := &Matcher{skipDeleted: s.SkipDeleted, descending: s.SortOrder != 0, limit: -1}
	if s.Filter != nil {
		f, err := filter.Compile(s.Filter, rt)
		if err != nil {
			return nil, fmt.Errorf("store: filter: %w", err)
		}
		m.f = f
	}
	if s.SortBy != "" {
		k, err := compileSortKey(s.SortBy, rt, invalid)
		if err != nil {
			return nil, err
		}
		m.sort = k
	}
	if s.StartIndex > 1 {
		m.offset = s.StartIndex - 1
	}
	if s.Count > 0 {
		m.limit = s.Count
	}
	return m, nil
}

// Sorted reports whether the query has a sortBy.
func (m *Matcher) Sorted() bool { return m.sort != nil }

// Select evaluates the query over the identities seq yields, which must
// come in the default order (created, then id). deleted reports whether an
// identity is deleted; resource returns its store.SCIMIdentity.Resource,
// and is called only when the filter or the sort reads it. Select returns
// the page and the number of identities matching the filter, without
// copying them.
func Select[T any](m *Matcher, seq iter.Seq2[T, error], deleted func(T) bool, resource func(T) map[string]any) ([]T, int, error) {
	total := 0
	var page []T
	type keyed struct {
		item T
		k    sortValue
	}
	var all []keyed
	for item, err := range seq {
		if err != nil {
			return nil, 0, err
		}
		if m.skipDeleted && deleted(item) {
			continue
		}
		var res map[string]any
		if m.f != nil || m.sort != nil {
			res = resource(item)
		}
		if m.f != nil && !m.f.Match(res) {
			continue
		}
		total++
		if m.sort != nil {
			all = append(all, keyed{item, m.sort.value(res)})
			continue
		}
		if total > m.offset && (m.limit < 0 || len(page) < m.limit) {
			page = append(page, item)
		}
	}
	if m.sort == nil {
		return page, total, nil
	}
	slices.SortStableFunc(all, func(a, b keyed) int {
		return compareSort(a.k, b.k, m.descending)
	})
	if m.offset >= len(all) {
		return nil, total, nil
	}
	all = all[m.offset:]
	if m.limit >= 0 && len(all) > m.limit {
		all = all[:m.limit]
	}
	page = make([]T, len(all))
	for i, k := range all {
		page[i] = k.item
	}
	return page, total, nil
}

// sortKey is a compiled sortBy path.
type sortKey struct {
	ext       bool   // the attribute lives in an extension
	urn       string // the extension URN as written
	name, sub string
	caseExact bool
	dateTime  bool
}

func compileSortKey(s string, rt *schema.ResourceType, invalid error) (*sortKey, error) {
	p, err := filter.ParsePath(s)
	if err != nil {
		return nil, fmt.Errorf("store: sortBy: %w", err)
	}
	if p.Filter != nil {
		return nil, fmt.Errorf("store: sortBy %q: a value filter is not allowed: %w", s, invalid)
	}
	k := &sortKey{name: p.Attr.Name, sub: p.Attr.Sub}
	if p.Attr.URN != "" && !strings.EqualFold(p.Attr.URN, rt.Schema.ID) {
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
		if r.Schema != nil && !strings.EqualFold(r.Schema.ID, rt.Schema.ID) {
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

// member returns the member of m named name, case-insensitively, or nil.
func member(m map[string]any, name string) any {
	_, v, _ := scimjson.Lookup(m, name)
	return v
}

func (k *sortKey) value(res map[string]any) sortValue {
	var v any
	if k.ext {
		m, _ := member(res, k.urn).(map[string]any)
		v = member(m, k.name)
	} else {
		v = member(res, k.name)
	}
	if arr, ok := v.([]any); ok {
		v = primaryOrFirst(arr)
	}
	if m, ok := v.(map[string]any); ok {
		sub := k.sub
		if sub == "" {
			sub = "value"
		}
		v = member(m, sub)
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
			v = fold.String(v)
		}
		return sortValue{kind: 3, s: v}
	}
	return sortValue{}
}

func primaryOrFirst(arr []any) any {
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			if p, _ := member(m, "primary").(bool); p {
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
