package patch

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// The op names, as Decode leaves them.
const (
	opAdd     = "add"
	opRemove  = "remove"
	opReplace = "replace"
)

// Apply applies ops, in order, to a copy of resource under the resource type
// rt (RFC 7644 §3.5.2), and returns the patched copy and what changed.
//
// Apply is all-or-nothing: resource is never modified, and when an operation
// fails Apply returns only the error, an *[Error] with the operation's index
// and SCIM error type. The returned map shares nothing with resource or ops:
// every object and array in it is new, so the caller may change it freely
// (the scim handler renames keys in it in place). That copy is most of the
// time Apply takes on a typical User; it is kept on purpose, since sharing
// untouched values would let a write to the result reach the input
// (TestApplyIndependence and FuzzApply pin this).
// Apply does not touch "meta": keeping it current is the caller's job.
//
// rt must not be nil; use [schema.User] or [schema.Group] for the built-in
// resource types. Attributes rt does not define are kept and patched as they
// are, without type checks; their names compare case-insensitively like all
// others. The package documentation lists how Apply answers the questions the
// RFC leaves open. Apply is safe for concurrent use (rt is only read).
func Apply(resource map[string]any, ops []Operation, rt *schema.ResourceType) (map[string]any, *Result, error) {
	if rt == nil || rt.Schema == nil {
		return nil, nil, errors.New("patch: Apply needs a resource type with a core schema")
	}
	if len(ops) > MaxOperations {
		return nil, nil, tooManyOperations(len(ops))
	}
	c, err := copyValue(resource, 1)
	if err != nil {
		err.msg = "resource " + err.msg
		return nil, nil, err.at(-1)
	}
	res, _ := c.(map[string]any)
	if res == nil {
		res = map[string]any{}
	}
	return run(&applier{rt: rt, res: res}, resource, ops)
}

// ApplyShared is [Apply] for a caller that changes neither resource nor the
// returned map in place: the scim handler, which stores the result. It
// returns the same resource, Result and error as Apply, and it too leaves
// resource untouched, but the returned map shares with resource the values
// of the attributes the operations do not write; only the attributes they
// write are copied (deep) before they change. Writing into a shared object
// or array would change both maps; a caller that may do so uses Apply.
//
// On a typical User most operations write one or two attributes, so
// ApplyShared spares most of the copy Apply makes. It is safe for concurrent
// use with the same conditions as Apply.
func ApplyShared(resource map[string]any, ops []Operation, rt *schema.ResourceType) (map[string]any, *Result, error) {
	if err := checkShared("ApplyShared", resource, ops, rt); err != nil {
		return nil, nil, err
	}
	res := maps.Clone(resource)
	if res == nil {
		res = map[string]any{}
	}
	return run(&applier{rt: rt, res: res, lazy: true}, resource, ops)
}

// ApplyOwned is [ApplyShared] for a caller that owns the map resource
// (not the objects and arrays in it) and will not use it again: the scim
// handler, which gets a new map for the stored resource in every request.
// ApplyOwned patches resource itself, replacing, adding and deleting its
// members, and returns it (a new map when resource is nil) with the same
// Result as Apply; the objects and arrays in it are copied before the
// operations write into them, so they may be shared with other documents.
// When an operation fails ApplyOwned returns the error as Apply does, and
// resource is left half patched: the caller drops it.
func ApplyOwned(resource map[string]any, ops []Operation, rt *schema.ResourceType) (map[string]any, *Result, error) {
	if err := checkShared("ApplyOwned", resource, ops, rt); err != nil {
		return nil, nil, err
	}
	if resource == nil {
		resource = map[string]any{}
	}
	return run(&applier{rt: rt, res: resource, lazy: true, owned: true}, nil, ops)
}

// checkShared refuses, for ApplyShared and ApplyOwned (named fn), what
// Apply refuses before it applies anything: no resource type, too many
// operations, and a resource nested deeper than Apply copies.
func checkShared(fn string, resource map[string]any, ops []Operation, rt *schema.ResourceType) error {
	if rt == nil || rt.Schema == nil {
		return errors.New("patch: " + fn + " needs a resource type with a core schema")
	}
	if len(ops) > MaxOperations {
		return tooManyOperations(len(ops))
	}
	if err := checkNesting(resource, 1); err != nil {
		err.msg = "resource " + err.msg
		return err.at(-1)
	}
	return nil
}

// run applies ops with a, whose res is the copy of resource being patched
// (or resource itself, with a.owned).
func run(a *applier, resource map[string]any, ops []Operation) (map[string]any, *Result, error) {
	for i, op := range ops {
		if err := a.apply(op); err != nil {
			return nil, nil, err.at(i)
		}
	}
	return a.res, a.result(resource), nil
}

// applier holds the state of one Apply call.
type applier struct {
	rt       *schema.ResourceType
	res      map[string]any // the copy being patched
	touched  []touchedKey   // keys of res the operations wrote: attribute names and extension URNs
	compared int            // value-by-value comparisons made, at most MaxComparisons
	// lazy: res is a shallow copy of the resource (ApplyShared), and touch
	// copies an attribute's value before the operation writes into it.
	lazy bool
	// owned: res is the resource itself (ApplyOwned), and each touched
	// key keeps its value before the first write, for result.
	owned bool
}

// touchedKey is a key of the resource that the operations wrote, with its
// value before (ApplyOwned only).
type touchedKey struct {
	key  string
	prev any
}

// compare accounts for n value-by-value comparisons, and refuses the request
// once it has needed more than MaxComparisons.
func (a *applier) compare(n int) *opError {
	a.compared += n
	if a.compared > MaxComparisons {
		return errorf(TypeInvalidValue, "the request needs more than %d comparisons of values without a string \"value\"; send fewer values", MaxComparisons)
	}
	return nil
}

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

func opKind(op string) (string, bool) {
	switch {
	case op == opAdd || strings.EqualFold(op, opAdd):
		return opAdd, true
	case op == opReplace || strings.EqualFold(op, opReplace):
		return opReplace, true
	case op == opRemove || strings.EqualFold(op, opRemove):
		return opRemove, true
	}
	return "", false
}

func (a *applier) apply(op Operation) *opError {
	kind, ok := opKind(op.Op)
	if !ok {
		if op.Op == "" {
			return errorf(TypeInvalidSyntax, `"op" is required`)
		}
		return errorf(TypeInvalidSyntax, `unknown op %q (want "add", "remove" or "replace")`, op.Op)
	}
	path := strings.TrimSpace(op.Path)
	if path == "" {
		if kind == opRemove {
			return errorf(TypeNoTarget, `"remove" needs a path (RFC 7644 §3.5.2.2)`)
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			if op.Value == nil {
				return errorf(TypeInvalidValue, `"value" is required for %q`, kind)
			}
			return errorf(TypeInvalidValue, "an operation without a path needs an object value, not %s", jsonType(op.Value))
		}
		return a.applyObject(kind, nil, obj)
	}
	if kind != opRemove && op.Value == nil {
		return errorf(TypeInvalidValue, `"value" is required for %q`, kind)
	}
	if s := a.rt.SchemaFor(path); s != nil {
		return a.applySchema(kind, s, op.Value)
	}
	p, err := filter.ParsePath(path)
	if err != nil {
		return &opError{typ: TypeInvalidPath, msg: fmt.Sprintf("%s is not a valid path: %v", quote(path), err), err: err}
	}
	t, oerr := a.resolve(p)
	if oerr != nil {
		return oerr
	}
	return a.applyTarget(kind, t, op.Value)
}

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
		if s == a.rt.Schema {
			return errorf(TypeInvalidPath, "the core schema %s cannot be removed", s.ID)
		}
		for _, ext := range a.rt.Extensions {
			if ext.Schema == s && ext.Required {
				return errorf(TypeMutability, "extension %s is required", s.ID)
			}
		}
		a.touch(s.ID)
		del(a.res, s.ID)
		return nil
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

// resolve looks up the attribute a path names.
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

// touch records that the operation writes the attribute (or extension
// object) key of res. In lazy mode the first touch of a key replaces its
// value in res, shared with the resource, by a deep copy, so that the writes
// that follow reach only res.
func (a *applier) touch(key string) {
	for _, k := range a.touched {
		if k.key == key {
			return
		}
	}
	tk := touchedKey{key: key}
	if a.owned {
		tk.prev, _ = get(a.res, key)
	}
	a.touched = append(a.touched, tk)
	if !a.lazy {
		return
	}
	// Other spellings of key in res are copied too: set and del reach
	// them all. The keys are collected first: replace deletes and inserts.
	var buf [2]string
	keys := buf[:0]
	for k, v := range a.res {
		if k != key && !strings.EqualFold(k, key) {
			continue
		}
		switch v.(type) {
		case map[string]any, []any, []string, []map[string]any:
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		// ApplyShared checked the resource's depth: the copy cannot fail.
		c, _ := copyValue(a.res[k], 2)
		replace(a.res, k, c)
	}
}

// container returns the object that holds t's attribute: the resource or the
// extension object. With create, a missing extension object is made and its
// URN added to "schemas"; without, a missing one is nil.
func (a *applier) container(t *target, create bool) map[string]any {
	if !t.ext {
		a.touch(t.name)
		return a.res
	}
	a.touch(t.schema.ID)
	k, v, ok := find(a.res, t.schema.ID)
	if m, isMap := v.(map[string]any); ok && isMap {
		return m
	}
	if !create {
		return nil
	}
	if ok {
		delete(a.res, k)
	}
	m := map[string]any{}
	a.res[t.schema.ID] = m
	a.addSchema(t.schema.ID)
	return m
}

// addSchema lists urn in the resource's "schemas" when it has that list.
func (a *applier) addSchema(urn string) {
	k, v, ok := find(a.res, "schemas")
	list, isList := v.([]any)
	if !ok || !isList {
		return
	}
	for _, s := range list {
		if s, ok := s.(string); ok && strings.EqualFold(s, urn) {
			return
		}
	}
	// A new array: list may be shared with the resource (ApplyShared).
	a.res[k] = append(list[:len(list):len(list)], urn)
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

func (a *applier) applyTarget(kind string, t *target, v any) *opError {
	var err *opError
	switch {
	case t.filter != nil:
		err = a.applyFiltered(kind, t, v)
	case t.subName != "":
		err = a.applySub(kind, t, v)
	default:
		err = a.applyAttr(kind, t, v)
	}
	a.tidy(t)
	return err
}

// checkWrite checks that attribute attr (nil: one no schema defines) may be
// set to nv when it holds old (had: it holds a value). RFC 7643 §2.2: readOnly
// never changes; immutable may be set when it has no value (or to the value
// it has).
func checkWrite(attr *schema.Attribute, label string, had bool, old, nv any) *opError {
	if attr == nil {
		return nil
	}
	switch attr.Mutability {
	case schema.MutabilityReadOnly:
		return errorf(TypeMutability, "%s is readOnly", label)
	case schema.MutabilityImmutable:
		if had && !equal(old, nv) {
			return errorf(TypeMutability, "%s is immutable and already has a value", label)
		}
	}
	return nil
}

// checkRemove checks that attribute attr may be unassigned (RFC 7644
// §3.5.2.2: not when it is required or readOnly; nor when immutable).
func checkRemove(attr *schema.Attribute, label string, had bool) *opError {
	if attr == nil {
		return nil
	}
	if attr.Mutability == schema.MutabilityReadOnly {
		return errorf(TypeMutability, "%s is readOnly", label)
	}
	if !had {
		return nil
	}
	if attr.Required {
		return errorf(TypeMutability, "%s is required and cannot be removed", label)
	}
	if attr.Mutability == schema.MutabilityImmutable {
		return errorf(TypeMutability, "%s is immutable", label)
	}
	return nil
}

// current returns the value t's attribute has in m (nil m: none).
func current(m map[string]any, t *target) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := get(m, t.name)
	return v, ok && v != nil
}

// applyAttr applies an operation on a whole attribute (path "attr").
func (a *applier) applyAttr(kind string, t *target, v any) *opError {
	attr := t.attr
	multi := attr != nil && attr.MultiValued
	if kind == opRemove || (v == nil && !(kind == opAdd && multi)) {
		m := a.container(t, false)
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
	m := a.container(t, true)
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
			for _, e := range add {
				if err := a.compare(len(old)); err != nil {
					return err
				}
				if !contains(nil, old, e) {
					old = append(old, e)
				}
			}
			nv = old
		}
		set(m, t.name, nv)
	case multi:
		list, err := coerceList(attr, v, 1)
		if err != nil {
			return err
		}
		if attr.Mutability == schema.MutabilityReadOnly || (attr.Mutability == schema.MutabilityImmutable && had) {
			return checkWrite(attr, t.label(), had, cur, list)
		}
		var out []any
		var written []int
		if old, _ := cur.([]any); kind == opAdd {
			out = old
			idx := newValueIndex(attr, out)
			for _, e := range list {
				if _, keyed := valueKey(attr, e); !keyed {
					if err := a.compare(len(out)); err != nil {
						return err
					}
				}
				if !idx.contains(out, e) {
					out = append(out, e)
					idx.add(e, len(out)-1)
					written = append(written, len(out)-1)
				}
			}
		} else {
			out = list
			for i := range list {
				written = append(written, i)
			}
		}
		if err := fixPrimary(t, out, written); err != nil {
			return err
		}
		if len(out) == 0 {
			if err := checkRemove(attr, t.label(), had); err != nil {
				return err
			}
			del(m, t.name)
			return nil
		}
		set(m, t.name, out)
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
	if len(out) == 0 {
		if err := checkRemove(t.attr, t.label(), true); err != nil {
			return err
		}
		del(m, t.name)
		return nil
	}
	set(m, t.name, out)
	return nil
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
		m := a.container(t, false)
		cur, had := current(m, t)
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
			return a.store(t, m, out)
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
	m := a.container(t, true)
	cur, had := current(m, t)
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

// store sets t's attribute to list, or unassigns it when list is empty
// (RFC 7644 §3.5.2.2: an attribute left without values is unassigned).
func (a *applier) store(t *target, m map[string]any, list []any) *opError {
	if len(list) == 0 {
		if err := checkRemove(t.attr, t.label(), true); err != nil {
			return err
		}
		del(m, t.name)
		return nil
	}
	set(m, t.name, list)
	return nil
}

// elementMatcher compiles t's value filter into a test of one value of t's
// attribute.
func (a *applier) elementMatcher(t *target) (func(any) bool, *opError) {
	vp := &filter.ValuePath{Attr: filter.AttrPath{Name: t.name}, Filter: t.filter}
	if t.ext {
		vp.Attr.URN = t.schema.ID
	}
	f, err := filter.Compile(vp, a.rt)
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
	m := a.container(t, kind != opRemove)
	cur, _ := current(m, t)
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
		if !slices.Contains(idx, i) {
			out = append(out, e)
			continue
		}
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
	return a.store(t, m, out)
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

// fixPrimary keeps at most one value of a multi-valued attribute primary
// (RFC 7643 §2.4): when one of the values an operation wrote (at written) has
// primary true, the others lose it; two written primaries are an error.
func fixPrimary(t *target, list []any, written []int) *opError {
	chosen := -1
	for _, i := range written {
		if isPrimary(list[i]) && i != chosen {
			if chosen >= 0 {
				return errorf(TypeInvalidValue, "more than one value of %s has primary true (RFC 7643 §2.4)", t.label())
			}
			chosen = i
		}
	}
	if chosen < 0 {
		return nil
	}
	for j, e := range list {
		if j != chosen && isPrimary(e) {
			em := e.(map[string]any)
			k, _, _ := find(em, "primary")
			em[k] = false
		}
	}
	return nil
}

func isPrimary(e any) bool {
	em, ok := e.(map[string]any)
	if !ok {
		return false
	}
	p, _ := get(em, "primary")
	b, _ := p.(bool)
	return b
}
