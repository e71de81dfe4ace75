package patch

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"math"
	"strings"
	"time"

	"github.com/scimkit/scimkit/schema"
)

// coerce checks one value of attribute a (an element, for a multi-valued
// attribute) against a's type and returns the value to store: a fresh copy
// that shares nothing with v. A complex value keeps its null members (they
// unassign a sub-attribute when merged) and its members the schema does not
// define (copied as they are). The strings "True" and "False" are taken for
// booleans, in any case (Microsoft Entra ID sends them).
func coerce(a *schema.Attribute, v any, depth int) (any, *opError) {
	if depth > MaxDepth {
		return nil, tooDeep()
	}
	switch a.Type {
	case schema.TypeComplex:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errorf(TypeInvalidValue, "%s must be an object, not %s", a.Name, jsonType(v))
		}
		out := make(map[string]any, len(m))
		for k, sv := range m {
			sub := a.Sub(k)
			if sub == nil {
				c, err := copyValue(sv, depth+1)
				if err != nil {
					return nil, err
				}
				out[k] = c
				continue
			}
			if sv == nil {
				out[sub.Name] = nil
				continue
			}
			var (
				c   any
				err *opError
			)
			if sub.MultiValued {
				c, err = coerceList(sub, sv, depth+1)
			} else {
				c, err = coerce(sub, sv, depth+1)
			}
			if err != nil {
				return nil, err
			}
			out[sub.Name] = c
		}
		return out, nil
	case schema.TypeBoolean:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			switch {
			case strings.EqualFold(b, "true"):
				return true, nil
			case strings.EqualFold(b, "false"):
				return false, nil
			}
		}
		return nil, errorf(TypeInvalidValue, "%s must be a boolean, not %s", a.Name, describe(v))
	case schema.TypeInteger:
		if isInteger(v) {
			return v, nil
		}
		return nil, errorf(TypeInvalidValue, "%s must be an integer, not %s", a.Name, describe(v))
	case schema.TypeDecimal:
		if _, ok := number(v); ok {
			return v, nil
		}
		return nil, errorf(TypeInvalidValue, "%s must be a number, not %s", a.Name, describe(v))
	case schema.TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return nil, errorf(TypeInvalidValue, "%s must be a dateTime string, not %s", a.Name, describe(v))
		}
		if !isDateTime(s) {
			return nil, errorf(TypeInvalidValue, "%s must be an xsd:dateTime such as 2008-01-23T04:56:22Z, not %q", a.Name, s)
		}
		return s, nil
	case schema.TypeBinary:
		s, ok := v.(string)
		if !ok {
			return nil, errorf(TypeInvalidValue, "%s must be a base64 string, not %s", a.Name, describe(v))
		}
		// RFC 7643 §2.3.6: base64 (RFC 4648 §4); line breaks, as PEM bodies
		// have them, are skipped by the decoder.
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return nil, errorf(TypeInvalidValue, "%s must be base64 (RFC 7643 §2.3.6)", a.Name)
		}
		return s, nil
	default: // string, reference, and anything a custom schema invents
		s, ok := v.(string)
		if !ok {
			return nil, errorf(TypeInvalidValue, "%s must be a string, not %s", a.Name, describe(v))
		}
		return s, nil
	}
}

// coerceList checks the value of a multi-valued attribute: an array of
// values of a's type, or a single such value, taken as an array of one (Okta
// and scim-patch clients send a lone object for a multi-valued attribute).
// Null elements are dropped.
func coerceList(a *schema.Attribute, v any, depth int) ([]any, *opError) {
	switch v.(type) {
	case []string, []map[string]any: // as a Go caller may build them
		c, err := copyValue(v, depth)
		if err != nil {
			return nil, err
		}
		v = c
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]any, 0, len(list))
	for _, e := range list {
		if e == nil {
			continue
		}
		c, err := coerce(a, e, depth+1)
		if err != nil {
			return nil, err
		}
		if m, ok := c.(map[string]any); ok {
			dropNulls(m)
		}
		out = append(out, c)
	}
	return out, nil
}

// dropNulls deletes the null members of m: a null sub-attribute is unassigned
// (RFC 7643 §2.5).
func dropNulls(m map[string]any) {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
}

func tooDeep() *opError {
	return errorf(TypeInvalidValue, "value nested deeper than %d levels", MaxDepth)
}

// copyValue returns a deep copy of a JSON value, refusing values nested
// deeper than MaxDepth.
func copyValue(v any, depth int) (any, *opError) {
	switch v := v.(type) {
	case map[string]any:
		if depth > MaxDepth {
			return nil, tooDeep()
		}
		if v == nil {
			return map[string]any{}, nil
		}
		// Clone copies the table whole, faster than inserting member by
		// member; then the nested objects and arrays are copied in place.
		out := maps.Clone(v)
		for k, e := range out {
			switch e.(type) {
			case map[string]any, []any, []string, []map[string]any:
				c, err := copyValue(e, depth+1)
				if err != nil {
					return nil, err
				}
				out[k] = c
			}
		}
		return out, nil
	case []any:
		return copyList(v, depth)
	case []string:
		return copyList(v, depth)
	case []map[string]any:
		return copyList(v, depth)
	default:
		return v, nil
	}
}

// checkNesting returns the error copyValue(v, depth) would return, without
// copying.
func checkNesting(v any, depth int) *opError {
	switch v := v.(type) {
	case map[string]any:
		if depth > MaxDepth {
			return tooDeep()
		}
		for _, e := range v {
			if err := checkNesting(e, depth+1); err != nil {
				return err
			}
		}
	case []any:
		return checkList(v, depth)
	case []string:
		if depth > MaxDepth {
			return tooDeep()
		}
	case []map[string]any:
		return checkList(v, depth)
	}
	return nil
}

// checkList is checkNesting for an array.
func checkList[T any](list []T, depth int) *opError {
	if depth > MaxDepth {
		return tooDeep()
	}
	for _, e := range list {
		if err := checkNesting(e, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// copyList copies an array (as a Go caller may hold it: []any, []string,
// []map[string]any) into a []any of deep copies.
func copyList[T any](list []T, depth int) (any, *opError) {
	if depth > MaxDepth {
		return nil, tooDeep()
	}
	out := make([]any, len(list))
	for i, e := range list {
		c, err := copyValue(e, depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// number returns v as a float64 when it is a JSON number (json.Number or a Go
// number type).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil && !math.IsInf(f, 0)
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case float32:
		f := float64(n)
		return f, !math.IsNaN(f) && !math.IsInf(f, 0)
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

func isInteger(v any) bool {
	if n, ok := v.(json.Number); ok {
		_, err := n.Int64()
		return err == nil
	}
	f, ok := number(v)
	return ok && f == math.Trunc(f)
}

// describe names v for an error message: its JSON type, and the value itself
// when it is a short string.
func describe(v any) string {
	if s, ok := v.(string); ok && len(s) <= 40 {
		return "the string " + quote(s)
	}
	return jsonType(v)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

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

// contains reports whether elem, a value of the multi-valued attribute a, is
// already among list: an existing value that has every sub-attribute elem
// gives, with the same value. Adding such a value changes nothing
// (RFC 7644 §3.5.2.1).
func contains(a *schema.Attribute, list []any, elem any) bool {
	for _, e := range list {
		if covers(a, e, elem) {
			return true
		}
	}
	return false
}

// covers reports whether existing has all the members of elem with equal
// values (or, for simple values, equals elem).
func covers(a *schema.Attribute, existing, elem any) bool {
	em, ok := elem.(map[string]any)
	if !ok {
		return sameValue(a, existing, elem)
	}
	xm, ok := existing.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range em {
		if v == nil {
			continue
		}
		w, ok := get(xm, k)
		if !ok || !sameValue(a.Sub(k), w, v) {
			return false
		}
	}
	return true
}

// get returns the member of m named name, compared case-insensitively.
func get(m map[string]any, name string) (any, bool) {
	_, v, ok := find(m, name)
	return v, ok
}

// find returns the key of m that equals name case-insensitively, and its value.
func find(m map[string]any, name string) (string, any, bool) {
	if v, ok := m[name]; ok {
		return name, v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", nil, false
}

// set stores v in m under name, replacing a member whose name differs only in
// case (or is the same: deleted first, see replace).
func set(m map[string]any, name string, v any) {
	if k, _, ok := find(m, name); ok {
		delete(m, k)
	}
	m[name] = v
}

// replace sets the member k, which m holds, to v. The member is deleted
// first: the runtime grows a map of 8 members into a table on any
// assignment, before it looks for the key, while a map with a free slot
// takes the member in place (ApplyShared's copy of a typical User has 8).
func replace(m map[string]any, k string, v any) {
	delete(m, k)
	m[k] = v
}

// del deletes the members of m named name in any case.
func del(m map[string]any, name string) {
	delete(m, name)
	for k := range m {
		if strings.EqualFold(k, name) {
			delete(m, k)
		}
	}
}

// isDateTime reports whether s is an xsd:dateTime (RFC 7643 §2.3.5): a date
// and a time, with a time zone or without one (package filter takes such a
// value as UTC).
func isDateTime(s string) bool {
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return true
	}
	_, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	return err == nil
}
