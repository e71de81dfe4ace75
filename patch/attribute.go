package patch

import (
	"maps"
	"slices"

	"github.com/scimkit/scimkit/schema"
)

// applyAttr applies an operation on a whole attribute (path "attr"): remove
// unassigns it (or, given values, removes those from a multi-valued one);
// add and replace set a single value, merge into a complex one, and add to
// or replace the values of a multi-valued one (multivalued.go).
func (a *applier) applyAttr(kind string, t *target, v any) *opError {
	attr := t.attr
	multi := attr != nil && attr.MultiValued
	if kind == opRemove || (v == nil && !(kind == opAdd && multi)) {
		m, err := a.container(t, false)
		if err != nil {
			return err
		}
		cur, had := current(m, t)
		if kind == opRemove && v != nil && (multi || (attr == nil && isList(cur))) {
			return a.removeValues(t, m, cur, v)
		}
		if err := checkRemove(attr, t.label(), had); err != nil {
			return err
		}
		if m != nil {
			del(m, t.name)
		}
		return nil
	}
	if v == nil {
		return nil // null added to a multi-valued attribute: nothing to add
	}
	m, err := a.container(t, true)
	if err != nil {
		return err
	}
	cur, had := current(m, t)
	switch {
	case attr == nil:
		nv, err := copyValue(v, 2)
		if err != nil {
			return err
		}
		if old, ok := cur.([]any); ok && kind == opAdd {
			add, isList := nv.([]any)
			if !isList {
				add = []any{nv}
			}
			if nv, _, err = a.appendNew(nil, old, add); err != nil {
				return err
			}
		}
		set(m, t.name, nv)
	case multi:
		return a.applyValues(kind, t, m, cur, had, v)
	case attr.Type == schema.TypeComplex:
		if _, isObj := v.(map[string]any); !isObj && attr.Sub("value") != nil {
			// Entra ID sends the Enterprise manager as its id alone.
			v = map[string]any{"value": v}
		}
		nv, err := coerce(attr, v, 1)
		if err != nil {
			return err
		}
		if attr.Mutability == schema.MutabilityReadOnly {
			return errorf(TypeMutability, "%s is readOnly", t.label())
		}
		cur, _ = a.writable(m, t) // merge writes into it
		cm, _ := cur.(map[string]any)
		if cm == nil {
			cm = map[string]any{}
		}
		if err := merge(t, attr, cm, nv.(map[string]any)); err != nil {
			return err
		}
		if len(cm) == 0 {
			del(m, t.name)
			return nil
		}
		set(m, t.name, cm)
	default:
		nv, err := coerce(attr, v, 1)
		if err != nil {
			return err
		}
		if err := checkWrite(attr, t.label(), had, cur, nv); err != nil {
			return err
		}
		set(m, t.name, nv)
	}
	return nil
}

// merge sets the members of obj (a coerced value of the complex attribute
// attr, or of an element of it) in dst, keeping the members obj does not give
// (RFC 7644 §3.5.2.1 and §3.5.2.3); a null member unassigns.
func merge(t *target, attr *schema.Attribute, dst, obj map[string]any) *opError {
	for _, k := range sortedKeys(obj) {
		sv := obj[k]
		sub := attr.Sub(k)
		old, had := get(dst, k)
		had = had && old != nil
		if sv == nil {
			if err := checkRemove(sub, t.subLabel(k), had); err != nil {
				return err
			}
			del(dst, k)
			continue
		}
		if err := checkWrite(sub, t.subLabel(k), had, old, sv); err != nil {
			return err
		}
		set(dst, k, sv)
	}
	return nil
}

// sortedKeys returns the member names of m in order, so that members apply
// (and fail) in the same order on every run.
func sortedKeys(m map[string]any) []string {
	if len(m) == 1 {
		for k := range m {
			return []string{k}
		}
	}
	return slices.Sorted(maps.Keys(m))
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}
