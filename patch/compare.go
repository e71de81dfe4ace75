package patch

import (
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// equal reports whether two JSON values are the same: numbers compare by
// value whatever their Go type, strings exactly, objects by their members
// (names case-insensitively, RFC 7643 §2.1) and arrays element by element.
func equal(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		s, ok := b.(string)
		return ok && a == s
	case bool:
		c, ok := b.(bool)
		return ok && a == c
	case map[string]any:
		m, ok := b.(map[string]any)
		if !ok || len(a) != len(m) {
			return false
		}
		for k, v := range a {
			w, ok := get(m, k)
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		l, ok := b.([]any)
		if !ok || len(a) != len(l) {
			return false
		}
		for i := range a {
			if !equal(a[i], l[i]) {
				return false
			}
		}
		return true
	}
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	return false
}

// sameValue compares two values of attribute a (nil: an attribute no schema
// defines) the way a filter's "eq" would: strings case-insensitively unless a
// is caseExact.
func sameValue(a *schema.Attribute, x, y any) bool {
	if s, ok := x.(string); ok {
		t, ok := y.(string)
		if !ok {
			return false
		}
		if a != nil && a.CaseExact {
			return s == t
		}
		return strings.EqualFold(s, t)
	}
	return equal(x, y)
}
