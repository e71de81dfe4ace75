package patch

import (
	"strings"

	"github.com/scimkit/scimkit/internal/scimjson"
)

// Member names compare case-insensitively (RFC 7643 §2.1). These helpers
// read and write a JSON object's members so: the exact name first, then any
// spelling of it.

// get returns the member of m named name, compared case-insensitively.
func get(m map[string]any, name string) (any, bool) {
	_, v, ok := find(m, name)
	return v, ok
}

// find returns the key of m that equals name case-insensitively, and its value.
func find(m map[string]any, name string) (string, any, bool) {
	return scimjson.Lookup(m, name)
}

// set stores v in m under name, replacing a member whose name differs only in
// case (or is the same: deleted first, see replace).
func set(m map[string]any, name string, v any) {
	if k, _, ok := find(m, name); ok {
		delete(m, k)
	}
	m[name] = v
}

// replace sets the member k, which m holds, to v. The member is deleted
// first: the runtime grows a map of 8 members into a table on any
// assignment, before it looks for the key, while a map with a free slot
// takes the member in place (touch replaces members so, and a small User
// has 8).
func replace(m map[string]any, k string, v any) {
	delete(m, k)
	m[k] = v
}

// del deletes the members of m named name in any case.
func del(m map[string]any, name string) {
	var buf [2]string
	for _, k := range spellings(m, name, buf[:0]) {
		delete(m, k)
	}
}

// spellings appends to keys the keys of m that equal name case-insensitively
// (name itself among them, when m has it), and returns keys.
func spellings(m map[string]any, name string, keys []string) []string {
	for k := range m {
		if k == name || strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	return keys
}
