package memstore

import (
	"encoding/binary"
	"encoding/json"
)

// frozen is a SCIM document kept in a compact form: its shape in a string
// of tags, counts and indexes, and its leaf values (strings, numbers) in a
// slice of the very interface values the document held, shared since they
// are immutable. A document of a few attributes takes two allocations and a
// few hundred bytes instead of a map per object, the garbage collector
// scans only the slice, and thaw rebuilds a fresh document without boxing
// its values again.
type frozen struct {
	code  string
	vals  []any
	elems int // of all arrays together, which thaw carves from one slice
}

// The tags of the frozen form. Counts and indexes follow as uvarints. A map
// key is i<<1 for vals[i] (a string), or i<<1|1 for common[i].
const (
	tagMap    byte = iota + 1 // count, then count (key, value) pairs
	tagNilMap                 // map[string]any(nil)
	tagArray                  // count, then count values
	tagNilArr                 // []any(nil)
	tagVal                    // index: vals[i], a string, float64 or json.Number
	tagTrue                   // true
	tagFalse                  // false
	tagNull                   // nil
)

// freezer builds frozen documents in scratch buffers, reused under the
// write lock.
type freezer struct {
	code  []byte
	vals  []any
	elems int
}

// freeze returns doc in frozen form, or ok false when doc holds a value of
// a type encoding/json does not produce (the store then keeps a deep copy
// of the map, as before).
func (f *freezer) freeze(doc map[string]any) (fz frozen, ok bool) {
	f.code = f.code[:0]
	clear(f.vals)
	f.vals = f.vals[:0]
	f.elems = 0
	if !f.value(doc) {
		return frozen{}, false
	}
	fz.code = string(f.code)
	fz.elems = f.elems
	if len(f.vals) > 0 {
		fz.vals = make([]any, len(f.vals))
		copy(fz.vals, f.vals)
	}
	return fz, true
}

// val appends a reference to the leaf value v.
func (f *freezer) val(v any) {
	f.code = append(f.code, tagVal)
	f.code = binary.AppendUvarint(f.code, uint64(len(f.vals)))
	f.vals = append(f.vals, v)
}

// head appends a map's or array's tag and length.
func (f *freezer) head(tag byte, n int) {
	f.code = append(f.code, tag)
	f.code = binary.AppendUvarint(f.code, uint64(n))
}

// key appends a map key: a reference to the common strings when k is one,
// so that attribute names cost no room in vals.
func (f *freezer) key(k string) {
	if i, ok := commonIndex(k); ok {
		f.code = binary.AppendUvarint(f.code, uint64(i)<<1|1)
		return
	}
	f.code = binary.AppendUvarint(f.code, uint64(len(f.vals))<<1)
	f.vals = append(f.vals, k)
}

func (f *freezer) value(v any) bool {
	switch t := v.(type) {
	case nil:
		f.code = append(f.code, tagNull)
	case string, float64, json.Number:
		f.val(v)
	case bool:
		if t {
			f.code = append(f.code, tagTrue)
		} else {
			f.code = append(f.code, tagFalse)
		}
	case map[string]any:
		if t == nil {
			f.code = append(f.code, tagNilMap)
			return true
		}
		f.head(tagMap, len(t))
		for k, e := range t {
			f.key(k)
			if !f.value(e) {
				return false
			}
		}
	case []any:
		if t == nil {
			f.code = append(f.code, tagNilArr)
			return true
		}
		f.head(tagArray, len(t))
		f.elems += len(t)
		for _, e := range t {
			if !f.value(e) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

// thaw returns a fresh document equal to the one fz was made from.
func (fz *frozen) thaw() map[string]any {
	if fz.code == "" {
		return nil
	}
	d := thawer{fz: fz}
	if fz.elems > 0 {
		d.arr = make([]any, fz.elems)
	}
	m, _ := d.value().(map[string]any)
	return m
}

// thawer reads a frozen document front to back. The code was written by
// freeze, so it is well formed.
type thawer struct {
	fz  *frozen
	pos int
	arr []any // storage for the arrays not yet thawed
}

func (d *thawer) uvarint() int {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		b := d.fz.code[d.pos]
		d.pos++
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return int(x)
		}
	}
}

// key reads a map key.
func (d *thawer) key() string {
	r := d.uvarint()
	if r&1 != 0 {
		return common[r>>1]
	}
	return d.fz.vals[r>>1].(string)
}

func (d *thawer) value() any {
	tag := d.fz.code[d.pos]
	d.pos++
	switch tag {
	case tagMap:
		n := d.uvarint()
		m := make(map[string]any, n)
		for range n {
			k := d.key()
			m[k] = d.value()
		}
		return m
	case tagNilMap:
		return map[string]any(nil)
	case tagArray:
		n := d.uvarint()
		if n == 0 {
			return []any{}
		}
		// Each array gets its own part of one allocation, capped so that
		// appending to it copies rather than overwrites the next.
		a := d.arr[:n:n]
		d.arr = d.arr[n:]
		for i := range a {
			a[i] = d.value()
		}
		return a
	case tagNilArr:
		return []any(nil)
	case tagVal:
		return d.fz.vals[d.uvarint()]
	case tagTrue:
		return true
	case tagFalse:
		return false
	}
	return nil
}

// skip moves past one value.
func (d *thawer) skip() {
	tag := d.fz.code[d.pos]
	d.pos++
	switch tag {
	case tagMap:
		for range d.uvarint() {
			d.uvarint()
			d.skip()
		}
	case tagArray:
		for range d.uvarint() {
			d.skip()
		}
	case tagVal:
		d.uvarint()
	}
}

// topString returns the string at the document's top-level key k (exactly
// k, not case-folded) and true, or false when there is none or it is not a
// string.
func (fz *frozen) topString(k string) (string, bool) {
	if fz.code == "" || fz.code[0] != tagMap {
		return "", false
	}
	d := thawer{fz: fz, pos: 1}
	for range d.uvarint() {
		if d.key() != k {
			d.skip()
			continue
		}
		if fz.code[d.pos] != tagVal {
			return "", false
		}
		d.pos++
		s, ok := fz.vals[d.uvarint()].(string)
		return s, ok
	}
	return "", false
}

// common are the map keys of SCIM User documents (attribute names of RFC
// 7643 §4.1 and §4.3, the schema URNs, the usual type values) that frozen
// documents refer to instead of keeping. It is read-only; commonIndex is
// its inverse.
var common = [...]string{
	"schemas", "id", "externalId", "meta", "userName", "name", "formatted", "familyName",
	"givenName", "middleName", "honorificPrefix", "honorificSuffix", "displayName", "nickName",
	"profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "active",
	"emails", "phoneNumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles",
	"x509Certificates", "value", "display", "type", "primary", "$ref", "streetAddress",
	"locality", "region", "postalCode", "country", "work", "home", "other", "mobile",
	"employeeNumber", "costCenter", "organization", "division", "department", "manager",
	"urn:ietf:params:scim:schemas:core:2.0:User",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
}

// commonIndex returns i with common[i] == s, if there is one.
func commonIndex(s string) (int, bool) {
	switch s {
	case "schemas":
		return 0, true
	case "id":
		return 1, true
	case "externalId":
		return 2, true
	case "meta":
		return 3, true
	case "userName":
		return 4, true
	case "name":
		return 5, true
	case "formatted":
		return 6, true
	case "familyName":
		return 7, true
	case "givenName":
		return 8, true
	case "middleName":
		return 9, true
	case "honorificPrefix":
		return 10, true
	case "honorificSuffix":
		return 11, true
	case "displayName":
		return 12, true
	case "nickName":
		return 13, true
	case "profileUrl":
		return 14, true
	case "title":
		return 15, true
	case "userType":
		return 16, true
	case "preferredLanguage":
		return 17, true
	case "locale":
		return 18, true
	case "timezone":
		return 19, true
	case "active":
		return 20, true
	case "emails":
		return 21, true
	case "phoneNumbers":
		return 22, true
	case "ims":
		return 23, true
	case "photos":
		return 24, true
	case "addresses":
		return 25, true
	case "groups":
		return 26, true
	case "entitlements":
		return 27, true
	case "roles":
		return 28, true
	case "x509Certificates":
		return 29, true
	case "value":
		return 30, true
	case "display":
		return 31, true
	case "type":
		return 32, true
	case "primary":
		return 33, true
	case "$ref":
		return 34, true
	case "streetAddress":
		return 35, true
	case "locality":
		return 36, true
	case "region":
		return 37, true
	case "postalCode":
		return 38, true
	case "country":
		return 39, true
	case "work":
		return 40, true
	case "home":
		return 41, true
	case "other":
		return 42, true
	case "mobile":
		return 43, true
	case "employeeNumber":
		return 44, true
	case "costCenter":
		return 45, true
	case "organization":
		return 46, true
	case "division":
		return 47, true
	case "department":
		return 48, true
	case "manager":
		return 49, true
	case "urn:ietf:params:scim:schemas:core:2.0:User":
		return 50, true
	case "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
		return 51, true
	}
	return 0, false
}
