package patch

import (
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// Operations through a value filter ("emails[type eq \"work\"]" and
// "emails[type eq \"work\"].value", RFC 7644 §3.5.2): the filter selects
// values of a multi-valued complex attribute; an add or replace that selects
// none may create the value the filter describes.

// elementMatcher compiles t's value filter into a test of one value of t's
// attribute.
func (a *applier) elementMatcher(t *target) (func(any) bool, *opError) {
	vp := &filter.ValuePath{Attr: filter.AttrPath{Name: t.name}, Filter: t.filter}
	if t.ext {
		vp.Attr.URN = t.schema.ID
	}
	f, err := filter.Compile(vp, a.rt, filter.WithBudget(a.work()))
	if err != nil {
		return nil, &opError{typ: TypeInvalidPath, msg: fmt.Sprintf("filter %s: %v", quote(t.filter.String()), err), err: err}
	}
	one := []any{nil}
	wrap := map[string]any{t.name: one}
	outer := wrap
	if t.ext {
		outer = map[string]any{t.schema.ID: wrap}
	}
	return func(e any) bool {
		one[0] = e
		return f.Match(outer)
	}, nil
}

// applyFiltered applies an operation through a value filter
// ("emails[type eq \"work\"]" or "emails[type eq \"work\"].value").
func (a *applier) applyFiltered(kind string, t *target, v any) *opError {
	attr := t.attr
	if attr != nil && attr.Mutability == schema.MutabilityReadOnly {
		return errorf(TypeMutability, "%s is readOnly", t.label())
	}
	match, err := a.elementMatcher(t)
	if err != nil {
		return err
	}
	m, err := a.container(t, kind != opRemove)
	if err != nil {
		return err
	}
	var cur any
	if kind == opRemove && t.subName == "" {
		cur, _ = current(m, t) // removeFiltered keeps or drops values whole
	} else {
		cur, _ = a.writable(m, t)
	}
	list, ok := cur.([]any)
	if cur != nil && !ok {
		return errorf(TypeNoTarget, "%s is not multi-valued", t.label())
	}
	var idx []int
	for i, e := range list {
		if match(e) {
			idx = append(idx, i)
		}
	}
	if err := a.overBudget(a.budget.Err()); err != nil {
		return err
	}
	if kind == opRemove {
		return a.removeFiltered(t, m, list, idx)
	}
	if v == nil {
		return errorf(TypeInvalidValue, `"value" is required for %q`, kind)
	}
	if len(idx) == 0 {
		// docs/design.md §Protocol decisions: create the value the filter
		// describes for add, and for replace when there are no values yet.
		if kind == opReplace && len(list) > 0 {
			return errorf(TypeNoTarget, "no value of %s matches [%s] (RFC 7644 §3.5.2.3)", t.label(), t.filter.String())
		}
		elem, err := a.newElement(t, v, match)
		if err != nil {
			return err
		}
		list = append(list, elem)
		idx = []int{len(list) - 1}
	} else {
		for _, i := range idx {
			em, _ := list[i].(map[string]any)
			if em == nil {
				continue
			}
			e, err := updateElement(kind, t, em, v)
			if err != nil {
				return err
			}
			list[i] = e
		}
	}
	if err := fixPrimary(t, list, idx); err != nil {
		return err
	}
	set(m, t.name, list)
	return nil
}

// removeFiltered removes the values at idx (or their sub-attribute t.subName).
// A filter that matches nothing removes nothing.
func (a *applier) removeFiltered(t *target, m map[string]any, list []any, idx []int) *opError {
	if len(idx) == 0 {
		return nil
	}
	out := make([]any, 0, len(list))
	for i, e := range list {
		// idx is ascending: its head is the next value to remove.
		if len(idx) == 0 || idx[0] != i {
			out = append(out, e)
			continue
		}
		idx = idx[1:]
		if t.subName == "" {
			continue
		}
		em := e.(map[string]any)
		old, h := get(em, t.subName)
		if err := checkRemove(t.sub, t.subLabel(t.subName), h && old != nil); err != nil {
			return err
		}
		del(em, t.subName)
		if len(em) > 0 {
			out = append(out, em)
		}
	}
	return a.setList(t, m, out, true)
}

// elementValue checks the value given for a whole element of t's attribute.
func elementValue(t *target, v any) (map[string]any, *opError) {
	var (
		c   any
		err *opError
	)
	if t.attr != nil {
		c, err = coerce(t.attr, v, 1)
	} else {
		c, err = copyValue(v, 1)
	}
	if err != nil {
		return nil, err
	}
	obj, ok := c.(map[string]any)
	if !ok {
		return nil, errorf(TypeInvalidValue, "a value of %s must be an object, not %s", t.label(), jsonType(v))
	}
	return obj, nil
}

// updateElement applies add or replace to one value em that the filter
// matched: a sub-attribute is set; a whole value is merged into em by add and
// replaces em by replace (RFC 7644 §3.5.2.3), immutable sub-attributes keeping
// their values.
func updateElement(kind string, t *target, em map[string]any, v any) (map[string]any, *opError) {
	if t.subName != "" {
		nv, err := subValue(t, v)
		if err != nil {
			return nil, err
		}
		old, h := get(em, t.subName)
		if err := checkWrite(t.sub, t.subLabel(t.subName), h && old != nil, old, nv); err != nil {
			return nil, err
		}
		set(em, t.subName, nv)
		return em, nil
	}
	obj, err := elementValue(t, v)
	if err != nil {
		return nil, err
	}
	if kind == opAdd {
		if err := merge(t, t.attr, em, obj); err != nil {
			return nil, err
		}
		return em, nil
	}
	dropNulls(obj)
	for k, old := range em {
		sub := t.attr.Sub(k)
		if sub == nil || old == nil {
			continue
		}
		nv, ok := get(obj, k)
		if !ok {
			if err := checkRemove(sub, t.subLabel(k), true); err != nil {
				return nil, err
			}
			continue
		}
		if err := checkWrite(sub, t.subLabel(k), true, old, nv); err != nil {
			return nil, err
		}
	}
	for k, nv := range obj {
		if _, had := get(em, k); !had {
			if err := checkWrite(t.attr.Sub(k), t.subLabel(k), false, nil, nv); err != nil {
				return nil, err
			}
		}
	}
	return obj, nil
}

// newElement makes the value an add or replace through a filter that matched
// nothing creates: the filter's eq conditions plus the operation's value.
func (a *applier) newElement(t *target, v any, match func(any) bool) (map[string]any, *opError) {
	elem := map[string]any{}
	if !eqConditions(t.filter, t.attr, elem) {
		return nil, errorf(TypeNoTarget, "no value of %s matches [%s], and only eq conditions joined by and describe a value to create", t.label(), t.filter.String())
	}
	if t.subName != "" {
		nv, err := subValue(t, v)
		if err != nil {
			return nil, err
		}
		if err := checkWrite(t.sub, t.subLabel(t.subName), false, nil, nv); err != nil {
			return nil, err
		}
		set(elem, t.subName, nv)
	} else {
		obj, err := elementValue(t, v)
		if err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(obj) {
			if obj[k] == nil {
				continue
			}
			if err := checkWrite(t.attr.Sub(k), t.subLabel(k), false, nil, obj[k]); err != nil {
				return nil, err
			}
			set(elem, k, obj[k])
		}
	}
	if !match(elem) {
		if err := a.overBudget(a.budget.Err()); err != nil {
			return nil, err
		}
		return nil, errorf(TypeNoTarget, "no value of %s matches [%s], and the value to create would not match it either", t.label(), t.filter.String())
	}
	return elem, nil
}

// eqConditions collects the "sub eq value" conditions of a filter made only of
// them and "and" into elem, and reports whether the filter is of that form.
func eqConditions(e filter.Expr, attr *schema.Attribute, elem map[string]any) bool {
	switch e := e.(type) {
	case *filter.And:
		return eqConditions(e.Left, attr, elem) && eqConditions(e.Right, attr, elem)
	case *filter.Compare:
		if e.Op != filter.Eq || e.Value == nil || e.Attr.URN != "" || e.Attr.Sub != "" {
			return false
		}
		name, v := e.Attr.Name, e.Value
		if sub := attr.Sub(name); sub != nil {
			c, err := coerce(sub, v, 2)
			if err != nil {
				return false
			}
			name, v = sub.Name, c
		}
		set(elem, name, v)
		return true
	}
	return false
}
