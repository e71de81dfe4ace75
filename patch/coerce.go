package patch

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/scimkit/scimkit/schema"
)

// Checking an operation's value against the attribute's type (RFC 7643
// §2.3) and turning it into the value to store.

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
