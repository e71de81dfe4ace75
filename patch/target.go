package patch

import (
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// target is an operation's path resolved against the resource type.
type target struct {
	schema  *schema.Schema    // the schema that holds the attribute (the core schema for an undefined one without URN)
	ext     bool              // the attribute lives in the extension object res[schema.ID]
	attr    *schema.Attribute // nil: an attribute the schema does not define
	name    string            // the attribute's name (the schema's spelling when it is defined)
	sub     *schema.Attribute // nil: no sub-attribute, or one the schema does not define
	subName string            // "" when the path has no sub-attribute
	filter  filter.Expr       // the value filter, or nil
}

// label names the target's attribute for messages.
func (t *target) label() string {
	if t.ext {
		return t.schema.ID + ":" + t.name
	}
	return t.name
}

// subLabel names the target's sub-attribute for messages.
func (t *target) subLabel(sub string) string { return t.label() + "." + sub }

// resolve looks up the attribute a path names: in the schema its URN names,
// else in the core schema and then the extensions (an attribute no schema
// defines belongs to the core schema, or to the schema its URN names).
func (a *applier) resolve(p filter.Path) (*target, *opError) {
	t := &target{filter: p.Filter}
	var s *schema.Schema
	if p.Attr.URN != "" {
		if s = a.rt.SchemaFor(p.Attr.URN); s == nil {
			return nil, errorf(TypeInvalidPath, "%s: unknown schema %s", quote(p.String()), p.Attr.URN)
		}
	}
	if r, ok := a.rt.Resolve(p.Attr.URN, p.Attr.Name, ""); ok {
		t.schema, t.attr, t.name = r.Schema, r.Attr, r.Attr.Name
	} else {
		if s == nil {
			s = a.rt.Schema
		}
		t.schema, t.name = s, p.Attr.Name
	}
	t.ext = t.schema != a.rt.Schema
	if t.attr == nil && !t.ext && strings.EqualFold(t.name, "schemas") {
		return nil, errorf(TypeMutability, "schemas is kept by the server")
	}
	if p.Attr.Sub != "" {
		if strings.Contains(p.Attr.Sub, ".") {
			return nil, errorf(TypeInvalidPath, "%s goes deeper than attribute.subAttribute", quote(p.String()))
		}
		if t.attr != nil {
			if t.attr.Type != schema.TypeComplex {
				return nil, errorf(TypeInvalidPath, "%s: %s has no sub-attributes", quote(p.String()), t.label())
			}
			t.sub = t.attr.Sub(p.Attr.Sub)
		}
		t.subName = p.Attr.Sub
		if t.sub != nil {
			t.subName = t.sub.Name
		}
	}
	if t.filter != nil && t.attr != nil && (!t.attr.MultiValued || t.attr.Type != schema.TypeComplex) {
		return nil, errorf(TypeInvalidPath, "%s: a value filter needs a multi-valued complex attribute, and %s is not one", quote(p.String()), t.label())
	}
	return t, nil
}

// current returns the value t's attribute has in m (nil m: none), and
// whether it has one that is not null.
func current(m map[string]any, t *target) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := get(m, t.name)
	return v, ok && v != nil
}
