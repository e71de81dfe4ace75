package scim

import (
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/filter"
)

// canonicalize renames, in place, the attribute names of a User document
// to the spelling of the schema (RFC 7643 §2.1: names are
// case-insensitive), so that what is stored reads back in canonical form.
// Extension URNs and the attributes inside them are renamed too; unknown
// attributes are kept as sent. A single object given for a multi-valued
// attribute becomes a one-element array. Two names that differ only in case
// are refused (400 invalidSyntax): which one wins would be arbitrary.
func canonicalize(doc map[string]any, rt *filter.ResourceType) error {
	if err := canonObject(doc, rt.Schema.Attributes, func(k string) string {
		if s := rt.SchemaFor(k); s != nil && s != rt.Schema {
			return s.ID
		}
		if strings.EqualFold(k, "schemas") {
			return "schemas"
		}
		return ""
	}); err != nil {
		return err
	}
	for _, ext := range rt.Extensions {
		if m, ok := doc[ext.Schema.ID].(map[string]any); ok {
			if err := canonObject(m, ext.Schema.Attributes, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// canonObject renames the keys of m after attrs (and extra, when it knows
// a key), recursing into complex attributes.
func canonObject(m map[string]any, attrs []*filter.Attribute, extra func(string) string) error {
	var renames map[string]string
	for k, v := range m {
		name := ""
		attr := findAttr(attrs, k)
		if attr != nil {
			name = attr.Name
		} else if extra != nil {
			name = extra(k)
		}
		if attr != nil && attr.MultiValued {
			// OneLogin's legacy template sends a multi-valued attribute
			// ("emails") as a single object: store it as a one-element array.
			if obj, ok := v.(map[string]any); ok {
				v = []any{obj}
				m[k] = v
			}
		}
		if attr != nil && attr.Type == filter.TypeComplex && len(attr.SubAttributes) > 0 {
			if err := canonValue(v, attr.SubAttributes); err != nil {
				return err
			}
		}
		if name != "" && name != k {
			if renames == nil {
				renames = map[string]string{}
			}
			renames[k] = name
		}
	}
	for from, to := range renames {
		if _, dup := m[to]; dup {
			return errorf(http.StatusBadRequest, TypeInvalidSyntax, "attribute %q is given twice", to)
		}
		m[to] = m[from]
		delete(m, from)
	}
	return nil
}

// findAttr returns the attribute of attrs named k, case-insensitively, or
// nil. Names as the schema spells them, the usual case, are found without
// case folding.
func findAttr(attrs []*filter.Attribute, k string) *filter.Attribute {
	for _, a := range attrs {
		if a.Name == k {
			return a
		}
	}
	for _, a := range attrs {
		if strings.EqualFold(a.Name, k) {
			return a
		}
	}
	return nil
}

// canonValue canonicalizes a complex value or each element of a
// multi-valued complex attribute.
func canonValue(v any, subs []*filter.Attribute) error {
	switch v := v.(type) {
	case map[string]any:
		return canonObject(v, subs, nil)
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				if err := canonObject(m, subs, nil); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
