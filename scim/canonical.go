package scim

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// canonicalize renames, in place, the attribute names of a User document
// to the spelling of the schema (RFC 7643 §2.1: names are
// case-insensitive), so that what is stored reads back in canonical form.
// Extension URNs and the attributes inside them are renamed too; unknown
// attributes are kept as sent. A single object given for a multi-valued
// attribute becomes a one-element array. An attribute of the core schema
// named with the schema's URN ("urn:ietf:params:scim:schemas:core:2.0:Group:members")
// is that attribute, as a PATCH path or a path-less PATCH value names it.
// Two names that differ only in case, or name one attribute with and
// without the URN, are refused (400 invalidSyntax): which one wins would be
// arbitrary.
//
// Only doc itself is changed in place: a nested object or array that needs
// a change is replaced by a changed copy, so that canonicalize never writes
// into values doc may share with another document. PATCH does not call it:
// patch writes names as the schema spells them (canonical_patch_test.go).
func canonicalize(doc map[string]any, rt *schema.ResourceType) error {
	if err := unqualify(doc, rt.Schema); err != nil {
		return err
	}
	if _, _, err := canonObject(doc, rt.Schema.Attributes, func(k string) string {
		if s := rt.SchemaFor(k); s != nil && s != rt.Schema {
			return s.ID
		}
		if strings.EqualFold(k, "schemas") {
			return "schemas"
		}
		return ""
	}, true); err != nil {
		return err
	}
	for _, ext := range rt.Extensions {
		if m, ok := doc[ext.Schema.ID].(map[string]any); ok {
			c, changed, err := canonObject(m, ext.Schema.Attributes, nil, false)
			if err != nil {
				return err
			}
			if changed {
				doc[ext.Schema.ID] = c
			}
		}
	}
	return nil
}

// unqualify renames, in doc, the members named by the URN of s and one of
// its attributes to the attribute's name, so that
// "urn:ietf:params:scim:schemas:core:2.0:Group:members" is read as members
// and not kept as an attribute of its own, unchecked, beside them. A name
// given both ways is refused; one that names no attribute of s is left.
func unqualify(doc map[string]any, s *schema.Schema) error {
	var qualified []string
	for k := range doc {
		if short := withoutURN(k, s.ID); short != k && findAttr(s.Attributes, short) != nil {
			qualified = append(qualified, k)
		}
	}
	for _, k := range qualified {
		short := withoutURN(k, s.ID)
		if _, dup := doc[short]; dup {
			return errorf(http.StatusBadRequest, TypeInvalidSyntax, "attribute %q is given twice", short)
		}
		doc[short] = doc[k]
		delete(doc, k)
	}
	return nil
}

// withoutURN returns k without the prefix urn and ":", in any case, or k
// when it has none.
func withoutURN(k, urn string) string {
	if n := len(urn); len(k) > n+1 && k[n] == ':' && strings.EqualFold(k[:n], urn) {
		return k[n+1:]
	}
	return k
}

// canonObject renames the keys of m after attrs (and extra, when it knows
// a key), recursing into complex attributes, and returns the result and
// whether it differs from m. With inPlace the result is m, changed;
// otherwise m is left as it is and a change is made to a copy.
func canonObject(m map[string]any, attrs []*schema.Attribute, extra func(string) string, inPlace bool) (map[string]any, bool, error) {
	out, changed := m, false
	own := func() {
		if !changed && !inPlace {
			out = maps.Clone(m)
		}
		changed = true
	}
	var renames map[string]string
	for k, v := range m {
		name := ""
		attr := findAttr(attrs, k)
		if attr != nil {
			name = attr.Name
		} else if extra != nil {
			name = extra(k)
		}
		nv, set := v, false
		if attr != nil && attr.MultiValued {
			// OneLogin's legacy template sends a multi-valued attribute
			// ("emails") as a single object: store it as a one-element array.
			if obj, ok := v.(map[string]any); ok {
				nv, set = []any{obj}, true
			}
		}
		if attr != nil && attr.Type == schema.TypeComplex && len(attr.SubAttributes) > 0 {
			c, ch, err := canonValue(nv, attr.SubAttributes, set)
			if err != nil {
				return nil, false, err
			}
			if ch {
				nv, set = c, true
			}
		}
		if set {
			own()
			out[k] = nv
		}
		if name != "" && name != k {
			if renames == nil {
				renames = map[string]string{}
			}
			renames[k] = name
		}
	}
	if len(renames) > 0 {
		own()
	}
	for from, to := range renames {
		if _, dup := out[to]; dup {
			return nil, false, errorf(http.StatusBadRequest, TypeInvalidSyntax, "attribute %q is given twice", to)
		}
		out[to] = out[from]
		delete(out, from)
	}
	return out, changed, nil
}

// findAttr returns the attribute of attrs named k, case-insensitively, or
// nil. Names as the schema spells them, the usual case, are found without
// case folding.
func findAttr(attrs []*schema.Attribute, k string) *schema.Attribute {
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
// multi-valued complex attribute, and returns the result and whether it
// differs from v. A changed array is a copy unless owned says v is the
// caller's own.
func canonValue(v any, subs []*schema.Attribute, owned bool) (any, bool, error) {
	switch v := v.(type) {
	case map[string]any:
		return canonObject(v, subs, nil, false)
	case []any:
		out, changed := v, false
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			c, ch, err := canonObject(m, subs, nil, false)
			if err != nil {
				return nil, false, err
			}
			if !ch {
				continue
			}
			if !changed && !owned {
				out = slices.Clone(v)
			}
			changed = true
			out[i] = c
		}
		return out, changed, nil
	}
	return v, false, nil
}
