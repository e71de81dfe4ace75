package patch

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// applyObject applies the members of the value of an operation without a path
// (s == nil), or of an operation whose path is the schema s itself: each
// member names an attribute (plain, dotted or URN-qualified) and holds its
// value. Members apply in the order of their names, so that "name" comes
// before "name.givenName".
func (a *applier) applyObject(kind string, s *schema.Schema, obj map[string]any) *opError {
	keys := slices.Sorted(maps.Keys(obj))
	for _, k := range keys {
		v := obj[k]
		if s == nil {
			if strings.EqualFold(k, "id") || strings.EqualFold(k, "schemas") {
				continue // Okta echoes the resource's id (and some clients its schemas)
			}
			if ss := a.rt.SchemaFor(k); ss != nil {
				if err := a.applySchema(kind, ss, v); err != nil {
					return err
				}
				continue
			}
		}
		p, err := filter.ParsePath(k)
		if err != nil {
			return &opError{typ: TypeInvalidPath, msg: fmt.Sprintf("value member %s is not an attribute name: %v", quote(k), err), err: err}
		}
		if p.Filter != nil {
			return errorf(TypeInvalidPath, "value member %s may not have a filter", quote(k))
		}
		if s != nil {
			if p.Attr.URN != "" && !strings.EqualFold(p.Attr.URN, s.ID) {
				return errorf(TypeInvalidPath, "value member %s is not an attribute of %s", quote(k), s.ID)
			}
			p.Attr.URN = s.ID
		}
		t, oerr := a.resolve(p)
		if oerr != nil {
			return oerr
		}
		if err := a.applyTarget(kind, t, v); err != nil {
			return err
		}
	}
	return nil
}

// applySchema applies an operation whose path (or value member) is a schema
// URN: the value is an object of that schema's attributes; remove removes the
// whole extension.
func (a *applier) applySchema(kind string, s *schema.Schema, v any) *opError {
	if kind == opRemove {
		return a.removeExtension(s)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil
		}
		return errorf(TypeInvalidValue, "the value for %s must be an object, not %s", s.ID, jsonType(v))
	}
	return a.applyObject(kind, s, obj)
}
