package patch

import (
	"slices"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// An extension's attributes live in the resource under the extension's URN,
// in an object of their own (RFC 7643 §3). The first write to one of them
// creates that object and lists the URN in "schemas"; an operation that
// leaves the object empty drops it; a remove whose path is the URN removes
// it whole.

// container returns the object that holds t's attribute: the resource or the
// extension object. With create, a missing extension object is made and its
// URN added to "schemas"; without, a missing one is nil. The attribute, or
// the extension object, which is then the operation's to write into (own),
// counts as written from here on (touch).
func (a *applier) container(t *target, create bool) (map[string]any, *opError) {
	if !t.ext {
		return a.res, a.touch(t.name)
	}
	if err := a.touch(t.schema.ID); err != nil {
		return nil, err
	}
	a.own(t.schema.ID)
	k, v, ok := find(a.res, t.schema.ID)
	if m, isMap := v.(map[string]any); ok && isMap {
		return m, nil
	}
	if !create {
		return nil, nil
	}
	if ok {
		delete(a.res, k)
	}
	m := map[string]any{}
	a.res[t.schema.ID] = m
	a.addSchema(t.schema.ID)
	return m, nil
}

// writable returns t's current value in m, as current does, after making it
// the operation's to write into (own; container did so for an extension's
// attributes).
func (a *applier) writable(m map[string]any, t *target) (any, bool) {
	if !t.ext {
		a.own(t.name)
	}
	return current(m, t)
}

// addSchema lists urn in the resource's "schemas" when it has that list
// (as encoding/json decodes it, or as a Go caller may build it).
func (a *applier) addSchema(urn string) {
	k, v, _ := find(a.res, "schemas")
	has := func(s any) bool {
		str, ok := s.(string)
		return ok && strings.EqualFold(str, urn)
	}
	switch list := v.(type) {
	case []any:
		if !slices.ContainsFunc(list, has) {
			a.res[k] = append(list, urn)
		}
	case []string:
		if !slices.ContainsFunc(list, func(s string) bool { return has(s) }) {
			a.res[k] = append(list, urn)
		}
	}
}

// tidy drops an extension object that the operation left empty.
func (a *applier) tidy(t *target) {
	if !t.ext {
		return
	}
	if k, v, ok := find(a.res, t.schema.ID); ok {
		if m, isMap := v.(map[string]any); isMap && len(m) == 0 {
			delete(a.res, k)
		}
	}
}

// removeExtension removes the extension object of s (a remove whose path is
// the extension's URN); the core schema and required extensions cannot be
// removed.
func (a *applier) removeExtension(s *schema.Schema) *opError {
	if s == a.rt.Schema {
		return errorf(TypeInvalidPath, "the core schema %s cannot be removed", s.ID)
	}
	for _, ext := range a.rt.Extensions {
		if ext.Schema == s && ext.Required {
			return errorf(TypeMutability, "extension %s is required", s.ID)
		}
	}
	if err := a.touch(s.ID); err != nil {
		return err
	}
	del(a.res, s.ID)
	return nil
}
