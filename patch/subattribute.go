package patch

import "github.com/scimkit/scimkit/schema"

// subValue checks the value for sub-attribute t.sub (or copies it when the
// schema does not define the sub-attribute).
func subValue(t *target, v any) (any, *opError) {
	switch {
	case t.sub == nil:
		return copyValue(v, 2)
	case t.sub.MultiValued:
		return coerceList(t.sub, v, 2)
	default:
		return coerce(t.sub, v, 2)
	}
}

// applySub applies an operation on a sub-attribute without a filter
// ("name.givenName"). On a multi-valued attribute it applies to every value
// ("emails.display").
func (a *applier) applySub(kind string, t *target, v any) *opError {
	attr := t.attr
	label := t.subLabel(t.subName)
	if attr != nil && attr.Mutability == schema.MutabilityReadOnly {
		return errorf(TypeMutability, "%s is readOnly", t.label())
	}
	if kind == opRemove || v == nil {
		m, err := a.container(t, false)
		if err != nil {
			return err
		}
		cur, had := a.writable(m, t)
		if !had {
			return checkRemove(t.sub, label, false)
		}
		if list, ok := cur.([]any); ok {
			out := make([]any, 0, len(list))
			for _, e := range list {
				if em, ok := e.(map[string]any); ok {
					if old, h := get(em, t.subName); h {
						if err := checkRemove(t.sub, label, old != nil); err != nil {
							return err
						}
						del(em, t.subName)
						if len(em) == 0 {
							continue
						}
					}
				}
				out = append(out, e)
			}
			return a.setList(t, m, out, true)
		}
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		old, h := get(cm, t.subName)
		if err := checkRemove(t.sub, label, h && old != nil); err != nil {
			return err
		}
		del(cm, t.subName)
		if len(cm) == 0 {
			if err := checkRemove(attr, t.label(), true); err != nil {
				return err
			}
			del(m, t.name)
		}
		return nil
	}
	nv, err := subValue(t, v)
	if err != nil {
		return err
	}
	m, err := a.container(t, true)
	if err != nil {
		return err
	}
	cur, had := a.writable(m, t)
	if (attr != nil && attr.MultiValued) || (attr == nil && isList(cur)) {
		list, _ := cur.([]any)
		var written []int
		if len(list) == 0 {
			// No values yet: the operation creates one, as a value
			// filter that matches nothing does.
			if err := checkWrite(t.sub, label, false, nil, nv); err != nil {
				return err
			}
			set(m, t.name, []any{map[string]any{t.subName: nv}})
			return nil
		}
		for i, e := range list {
			em, ok := e.(map[string]any)
			if !ok {
				continue
			}
			old, h := get(em, t.subName)
			if err := checkWrite(t.sub, label, h && old != nil, old, nv); err != nil {
				return err
			}
			c, _ := copyValue(nv, 2)
			set(em, t.subName, c)
			written = append(written, i)
		}
		if err := fixPrimary(t, list, written); err != nil {
			return err
		}
		set(m, t.name, list)
		return nil
	}
	cm, ok := cur.(map[string]any)
	if had && !ok {
		return errorf(TypeInvalidPath, "%s has no sub-attributes", t.label())
	}
	if cm == nil {
		cm = map[string]any{}
	}
	old, h := get(cm, t.subName)
	if err := checkWrite(t.sub, label, h && old != nil, old, nv); err != nil {
		return err
	}
	set(cm, t.subName, nv)
	set(m, t.name, cm)
	return nil
}
