package patch

import (
	"github.com/scimkit/scimkit/internal/fold"
	"github.com/scimkit/scimkit/schema"
)

// Adding values to a multi-valued attribute checks each against those
// already there, and removing listed values checks each value there against
// the list: with thousands of group members on both sides that is quadratic
// work for one request. The index below finds the candidates by the "value"
// sub-attribute instead, so that the common shapes (emails, members, roles
// with a "value") cost time linear in their number. Values without a string
// "value" are still compared one by one.

// valueIndex holds the positions of a list's values by their value key.
// Keys are mostly unique (one member, one email each), so the first
// position of a key is held apart from the others: indexing a list takes
// no allocation per value.
type valueIndex struct {
	attr  *schema.Attribute
	first map[string]int   // the first position of each key
	more  map[string][]int // the further positions of keys met again
}

// newValueIndex indexes the values of list, values of the multi-valued
// attribute attr.
func newValueIndex(attr *schema.Attribute, list []any) *valueIndex {
	x := &valueIndex{attr: attr, first: make(map[string]int, len(list))}
	for i, e := range list {
		x.add(e, i)
	}
	return x
}

// add records that list[i] is e.
func (x *valueIndex) add(e any, i int) {
	k, ok := valueKey(x.attr, e)
	if !ok {
		return
	}
	if _, seen := x.first[k]; !seen {
		x.first[k] = i
		return
	}
	if x.more == nil {
		x.more = map[string][]int{}
	}
	x.more[k] = append(x.more[k], i)
}

// contains is [contains] for the list x indexes: whether a value of list
// covers elem.
func (x *valueIndex) contains(list []any, elem any) bool {
	k, ok := valueKey(x.attr, elem)
	if !ok {
		return contains(x.attr, list, elem)
	}
	// A value covering elem has elem's "value", a string with elem's key.
	i, ok := x.first[k]
	if !ok {
		return false
	}
	if covers(x.attr, list[i], elem) {
		return true
	}
	for _, i := range x.more[k] {
		if covers(x.attr, list[i], elem) {
			return true
		}
	}
	return false
}

// givenIndex sorts the values a remove operation lists: by value key those
// that remove by a string "value" (see [removedBy]), the rest apart.
type givenIndex struct {
	keyed map[string][]any
	rest  []any
}

func newGivenIndex(attr *schema.Attribute, given []any) *givenIndex {
	x := &givenIndex{keyed: make(map[string][]any, len(given))}
	for _, g := range given {
		if k, ok := valueKey(attr, g); ok {
			x.keyed[k] = append(x.keyed[k], g)
			continue
		}
		x.rest = append(x.rest, g)
	}
	return x
}

// removes reports whether the listed values remove e, as [removedBy] does.
func (x *givenIndex) removes(attr *schema.Attribute, e any) bool {
	if removedBy(attr, e, x.rest) {
		return true
	}
	k, ok := valueKey(attr, e)
	return ok && removedBy(attr, e, x.keyed[k])
}

// valueKey returns the key of v, a value of the multi-valued attribute attr,
// when v is an object whose "value" is a string: two such values that
// [sameValue] finds equal have the same key.
func valueKey(attr *schema.Attribute, v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m["value"].(string)
	if !ok {
		if _, exact := m["value"]; exact {
			return "", false
		}
		// get finds "Value" too; the key must agree with it.
		var w any
		if w, ok = get(m, "value"); !ok {
			return "", false
		}
		if s, ok = w.(string); !ok {
			return "", false
		}
	}
	if sub := attr.Sub("value"); sub != nil && sub.CaseExact {
		return s, true
	}
	return fold.String(s), true
}
