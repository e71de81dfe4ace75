package patch

import (
	"errors"
	"strings"

	"github.com/scimkit/scimkit/internal/scimjson"
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
	default:
		// The one check of a value against its type, shared with
		// whole documents (schema.ResourceType.Check).
		if err := a.CheckValue(v); err != nil {
			var ve *schema.ValueError
			errors.As(err, &ve)
			return nil, errorf(TypeInvalidValue, "%s %s", a.Name, ve.Msg)
		}
		if s, ok := v.(string); ok && a.Type == schema.TypeBoolean {
			// "True" and "False", in any case (Microsoft Entra ID).
			return strings.EqualFold(s, "true"), nil
		}
		return v, nil
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

// number returns v as a float64 when it is a finite JSON number
// (json.Number or a Go number type).
func number(v any) (float64, bool) { return scimjson.Finite(v) }
