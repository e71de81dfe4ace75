package patch

import (
	"slices"
	"strings"
)

// Result says which attributes an [Apply] call changed: those whose value in
// the returned resource differs from the one in the input. An attribute that
// operations set and then set back is not changed.
//
// Names are reported as "attr" and "attr.sub" for the core schema, and with the
// extension's URN ("urn:...:enterprise:2.0:User:employeeNumber") for an
// extension, whose URN alone is reported too when any of its attributes
// changed.
type Result struct {
	changed []changedName
	core    string // the core schema's URN, which Changed accepts as a prefix
}

// changedName is a changed attribute: its reported name and another name it
// is known by ("" if none).
type changedName struct{ name, alias string }

// Changed reports whether the attribute attr changed: "active", "externalId",
// "name" (true when any of its sub-attributes changed), "name.givenName",
// "emails", or an attribute of an extension with or without its URN
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
// "employeeNumber"). Names compare case-insensitively; a core attribute may
// carry the core schema's URN. A nil Result reports no changes.
func (r *Result) Changed(attr string) bool {
	if r == nil || len(r.changed) == 0 {
		return false
	}
	if n := len(r.core); len(attr) > n && attr[n] == ':' && strings.EqualFold(attr[:n], r.core) {
		attr = attr[n+1:]
	}
	for _, c := range r.changed {
		if strings.EqualFold(c.name, attr) || (c.alias != "" && strings.EqualFold(c.alias, attr)) {
			return true
		}
	}
	return false
}

// Attributes returns the names of the changed attributes and sub-attributes,
// sorted, as [Result] describes them.
func (r *Result) Attributes() []string {
	if r == nil {
		return nil
	}
	names := make([]string, len(r.changed))
	for i, c := range r.changed {
		names[i] = c.name
	}
	slices.Sort(names)
	return names
}

func (r *Result) add(name, alias string) {
	r.changed = append(r.changed, changedName{name: name, alias: alias})
}

// touchedKey is a key of the resource that the operations wrote, with its
// value before the first write.
type touchedKey struct {
	key    string
	prev   any
	copied bool // the value in the resource is a copy, which operations may write into
}

// touch records that the operation is about to write the attribute (or
// extension object) key of the resource, and keeps its value before for
// result. Apply owns the resource, so an operation may replace, delete or
// append to that value without copying it, but one that writes into it
// first calls own. touch refuses a value nested deeper than MaxDepth: the
// operations and result walk the values they touch (and only those).
func (a *applier) touch(key string) *opError {
	if a.touchedKey(key) != nil {
		return nil
	}
	var buf [2]string
	for _, k := range spellings(a.res, key, buf[:0]) {
		if err := checkNesting(a.res[k], 2); err != nil {
			return errorf(TypeInvalidValue, "the resource's %s is nested deeper than %d levels", quote(k), MaxDepth)
		}
	}
	prev, _ := get(a.res, key)
	a.touched = append(a.touched, touchedKey{key: key, prev: prev})
	return nil
}

// touchedKey returns the record touch made of key, or nil.
func (a *applier) touchedKey(key string) *touchedKey {
	for i := range a.touched {
		if a.touched[i].key == key {
			return &a.touched[i]
		}
	}
	return nil
}

// own replaces the value of the touched key in the resource (in every
// spelling: set and del reach them all) by a deep copy, once, so that the
// operations may write into it while result keeps the value before.
func (a *applier) own(key string) {
	tk := a.touchedKey(key)
	if tk == nil || tk.copied {
		return
	}
	tk.copied = true
	// The keys are collected first: replace deletes and inserts.
	var buf [2]string
	for _, k := range spellings(a.res, key, buf[:0]) {
		switch v := a.res[k]; v.(type) {
		case map[string]any, []any, []string, []map[string]any:
			c, _ := copyValue(v, 2) // touch checked the depth: the copy cannot fail
			replace(a.res, k, c)
		}
	}
}

// result compares the attributes the operations touched with their values
// before.
func (a *applier) result() *Result {
	r := &Result{core: a.rt.Schema.ID}
	for i, tk := range a.touched {
		key := tk.key
		if slices.ContainsFunc(a.touched[:i], func(k touchedKey) bool { return strings.EqualFold(k.key, key) }) {
			continue
		}
		before := tk.prev
		after, _ := get(a.res, key)
		if equal(before, after) {
			continue
		}
		s := a.rt.SchemaFor(key)
		if s == nil || s == a.rt.Schema {
			r.diff("", key, before, after)
			continue
		}
		r.add(s.ID, "")
		bm, _ := before.(map[string]any)
		am, _ := after.(map[string]any)
		for _, name := range unionKeys(bm, am) {
			bv, _ := get(bm, name)
			av, _ := get(am, name)
			var alias string
			if a.rt.Schema.Attr(name) == nil {
				alias = name // reachable without the URN too, as filter paths are
			}
			r.diffAlias(s.ID+":", name, alias, bv, av)
		}
	}
	return r
}

func (r *Result) diff(prefix, name string, before, after any) {
	r.diffAlias(prefix, name, "", before, after)
}

// diffAlias records name (and its sub-attributes) when before and after
// differ; alias, when set, is another name the attribute is known by.
func (r *Result) diffAlias(prefix, name, alias string, before, after any) {
	if equal(before, after) {
		return
	}
	r.add(prefix+name, alias)
	bm, _ := before.(map[string]any)
	am, _ := after.(map[string]any)
	if bm == nil && am == nil {
		return
	}
	for _, sub := range unionKeys(bm, am) {
		bv, _ := get(bm, sub)
		av, _ := get(am, sub)
		if equal(bv, av) {
			continue
		}
		var subAlias string
		if alias != "" {
			subAlias = alias + "." + sub
		}
		r.add(prefix+name+"."+sub, subAlias)
	}
}

// unionKeys returns the member names of a and b, without names that differ
// only in case.
func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !slices.ContainsFunc(keys, func(x string) bool { return strings.EqualFold(x, k) }) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}
