package filter

import (
	"encoding/json"
	"strings"
)

// matcher is a compiled expression. obj is the object the expression's
// paths start from: the resource, or an element of a multi-valued
// attribute inside a value filter (which may be a scalar, as in
// roles: ["admin"]).
type matcher interface {
	match(obj any) bool
}

type andMatcher struct{ l, r matcher }

func (m *andMatcher) match(obj any) bool { return m.l.match(obj) && m.r.match(obj) }

type orMatcher struct{ l, r matcher }

func (m *orMatcher) match(obj any) bool { return m.l.match(obj) || m.r.match(obj) }

type notMatcher struct{ x matcher }

func (m *notMatcher) match(obj any) bool { return !m.x.match(obj) }

// lookup returns the member of m called key: the exact key first, then any
// key equal to it ignoring case (RFC 7643 §2.1: attribute names are
// case-insensitive).
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// descend calls leaf for every value found at keys under v, stopping at the
// first true. Arrays on the way are expanded: a multi-valued attribute
// matches when any of its values does. A scalar stands for its own "value"
// sub-attribute, so that simple values where complex ones are expected
// (roles: ["admin"]) still compare.
//
// Each array element walked costs b one unit; once b is spent descend
// answers false.
func descend(v any, keys []string, l leafer, b *Budget) bool {
	for len(keys) > 0 {
		switch x := v.(type) {
		case map[string]any:
			child, ok := lookup(x, keys[0])
			if !ok {
				return false
			}
			v, keys = child, keys[1:]
		case []any:
			if !b.spend(len(x)) {
				return false
			}
			for _, e := range x {
				if descend(e, keys, l, b) {
					return true
				}
			}
			return false
		case nil:
			return false
		default:
			if len(keys) == 1 && strings.EqualFold(keys[0], "value") {
				return l.leaf(v)
			}
			return false
		}
	}
	return l.leaf(v)
}

// leafer tests the values found at the end of a path. It is an interface,
// not a func, so that passing a matcher to descend does not allocate.
type leafer interface {
	leaf(v any) bool
}

// valueKind is how a compare matcher interprets values.
type valueKind uint8

const (
	kindString   valueKind = iota + 1
	kindDateTime           // strings holding xsd:dateTime, compared as instants
	kindNumber
	kindBool
)

// cmpMatcher is a compiled Compare.
type cmpMatcher struct {
	keys     []string // path from the object to the attribute
	op       Op       // Eq for eq and ne, Pr for pr and eq/ne null
	neg      bool     // negate the result: ne, eq null
	kind     valueKind
	exact    bool // case-exact string comparison
	valueSub bool // compare an object's "value" member (emails co "x")
	str      string
	needle   *foldNeedle // the string for a case-insensitive co
	num      float64
	isInt    bool  // the filter's number is an integer: compare integers exactly
	integer  int64 // the filter's number when isInt
	boolean  bool
	when     instant
	b        *Budget // charged one unit per value tested; nil: no limit
}

func (m *cmpMatcher) match(obj any) bool {
	return descend(obj, m.keys, m, m.b) != m.neg
}

// leaf tests the value found at the end of the path.
func (m *cmpMatcher) leaf(v any) bool {
	if !m.b.spend(1) {
		return false
	}
	if m.op == Pr {
		return present(v, m.b)
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if m.leaf(e) {
				return true
			}
		}
		return false
	case map[string]any:
		if !m.valueSub {
			return false
		}
		val, ok := lookup(x, "value")
		if !ok {
			return false
		}
		if _, isMap := val.(map[string]any); isMap {
			return false
		}
		return m.leaf(val)
	}
	return m.test(v)
}

// test compares the scalar v with the filter's value.
func (m *cmpMatcher) test(v any) bool {
	switch m.kind {
	case kindString:
		s, ok := v.(string)
		return ok && m.compareString(s)
	case kindDateTime:
		s, ok := v.(string)
		if !ok {
			return false
		}
		switch m.op {
		case Co, Sw, Ew:
			return m.compareString(s)
		}
		t, ok := parseDateTime(s)
		return ok && m.order(t.compare(m.when))
	case kindNumber:
		if m.isInt {
			if i, ok := toInt(v); ok {
				return m.order(cmpInt(i, m.integer))
			}
		}
		f, ok := toFloat(v)
		if !ok {
			return false
		}
		switch {
		case f < m.num:
			return m.order(-1)
		case f > m.num:
			return m.order(1)
		case f == m.num:
			return m.order(0)
		}
		return false // NaN
	case kindBool:
		b, ok := v.(bool)
		return ok && b == m.boolean
	}
	return false
}

// order reports whether a comparison result c (-1, 0, +1 for value
// against filter value) satisfies the operator.
func (m *cmpMatcher) order(c int) bool {
	switch m.op {
	case Eq:
		return c == 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	}
	return false
}

func (m *cmpMatcher) compareString(s string) bool {
	if m.exact {
		switch m.op {
		case Eq:
			return s == m.str
		case Co:
			return strings.Contains(s, m.str)
		case Sw:
			return strings.HasPrefix(s, m.str)
		case Ew:
			return strings.HasSuffix(s, m.str)
		}
		return m.order(strings.Compare(s, m.str))
	}
	switch m.op {
	case Eq:
		return strings.EqualFold(s, m.str)
	case Co:
		return m.needle.in(s)
	case Sw:
		return hasPrefixFold(s, m.str)
	case Ew:
		return hasSuffixFold(s, m.str)
	}
	return m.order(compareFold(s, m.str))
}

// present reports whether v has a value (RFC 7644 §3.4.2.2 "pr"; RFC 7643
// §2.5): null, "", [] and {} do not, nor arrays and objects whose members
// are all without one. Each member or element looked at costs b a unit.
func present(v any, b *Budget) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		for _, e := range x {
			if !b.spend(1) {
				return false
			}
			if present(e, b) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, e := range x {
			if !b.spend(1) {
				return false
			}
			if present(e, b) {
				return true
			}
		}
		return false
	}
	return true
}

// toFloat converts a JSON number, as encoding/json or a Go caller gives it,
// to float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		return numberFloat(string(x))
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float32:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	}
	return 0, false
}

// toInt converts a JSON number that is an integer to int64. It reports
// false for fractions, exponents and numbers out of range, which compare as
// float64.
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		return numberInt(string(x))
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// valuePathMatcher is a compiled ValuePath: some element of the attribute
// at keys matches inner.
type valuePathMatcher struct {
	keys  []string
	inner matcher
	b     *Budget // charged one unit per element; nil: no limit
}

func (m *valuePathMatcher) match(obj any) bool {
	return descend(obj, m.keys, m, m.b)
}

func (m *valuePathMatcher) leaf(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		if !m.b.spend(len(x)) {
			return false
		}
		for _, e := range x {
			if e != nil && m.inner.match(e) {
				return true
			}
		}
		return false
	}
	return m.inner.match(v)
}
