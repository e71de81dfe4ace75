package patch

import (
	"slices"

	"github.com/scimkit/scimkit/schema"
)

// Adding to and removing from a multi-valued attribute (RFC 7644 §3.5.2.1
// and §3.5.2.2): an added value that a value already there covers is not
// added again; a remove that lists values removes the values they cover.
// The values are looked up by their "value" sub-attribute (valueindex.go).

// applyValues applies an add or replace whose path is the multi-valued
// attribute t (cur: its values in m; had: it has some): add appends the
// values not already there, replace replaces them all.
func (a *applier) applyValues(kind string, t *target, m map[string]any, cur any, had bool, v any) *opError {
	attr := t.attr
	list, err := coerceList(attr, v, 1)
	if err != nil {
		return err
	}
	if attr.Mutability == schema.MutabilityReadOnly || (attr.Mutability == schema.MutabilityImmutable && had) {
		return checkWrite(attr, t.label(), had, cur, list)
	}
	var out []any
	var written []int
	if kind == opAdd && slices.ContainsFunc(list, isPrimary) {
		cur, _ = a.writable(m, t) // fixPrimary writes into the values there
	}
	if old, _ := cur.([]any); kind == opAdd {
		if out, written, err = a.appendNew(attr, old, list); err != nil {
			return err
		}
	} else {
		out = list
		written = make([]int, len(list))
		for i := range list {
			written[i] = i
		}
	}
	if err := fixPrimary(t, out, written); err != nil {
		return err
	}
	return a.setList(t, m, out, had)
}

// appendNew appends to list, values of the multi-valued attribute attr (nil:
// one no schema defines), each value of add that no value of list covers
// yet, and returns list with the positions it appended at.
func (a *applier) appendNew(attr *schema.Attribute, list, add []any) ([]any, []int, *opError) {
	idx := newValueIndex(attr, list)
	var written []int
	for _, e := range add {
		if _, keyed := valueKey(attr, e); !keyed {
			if err := a.compare(len(list)); err != nil {
				return nil, nil, err
			}
		}
		if !idx.contains(list, e) {
			list = append(list, e)
			idx.add(e, len(list)-1)
			written = append(written, len(list)-1)
		}
	}
	return list, written, nil
}

// removeValues removes from a multi-valued attribute the values a "remove"
// operation lists in its value (OneLogin and Entra ID without its 2020 flag
// remove group members so). A listed object with a "value" member removes the
// values with that "value"; any other listed value removes the values it
// covers.
func (a *applier) removeValues(t *target, m map[string]any, cur, v any) *opError {
	list, _ := cur.([]any)
	if len(list) == 0 {
		return checkRemove(t.attr, t.label(), false)
	}
	if t.attr != nil && t.attr.Mutability == schema.MutabilityReadOnly {
		return errorf(TypeMutability, "%s is readOnly", t.label())
	}
	given, ok := v.([]any)
	if !ok {
		given = []any{v}
	}
	idx := newGivenIndex(t.attr, given)
	if err := a.compare(len(list) * len(idx.rest)); err != nil {
		return err
	}
	out := make([]any, 0, len(list))
	for _, e := range list {
		if !idx.removes(t.attr, e) {
			out = append(out, e)
		}
	}
	if len(out) == len(list) {
		return nil
	}
	return a.setList(t, m, out, true)
}

func removedBy(attr *schema.Attribute, e any, given []any) bool {
	for _, g := range given {
		if gm, ok := g.(map[string]any); ok {
			if gv, ok := get(gm, "value"); ok && gv != nil {
				em, ok := e.(map[string]any)
				if !ok {
					continue
				}
				if ev, ok := get(em, "value"); ok && sameValue(attr.Sub("value"), ev, gv) {
					return true
				}
				continue
			}
		}
		if g != nil && covers(attr, e, g) {
			return true
		}
	}
	return false
}

// setList sets t's attribute to list, or unassigns it when list is empty
// (RFC 7644 §3.5.2.2: an attribute left without values is unassigned; had:
// it had values).
func (a *applier) setList(t *target, m map[string]any, list []any, had bool) *opError {
	if len(list) == 0 {
		if err := checkRemove(t.attr, t.label(), had); err != nil {
			return err
		}
		del(m, t.name)
		return nil
	}
	set(m, t.name, list)
	return nil
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
