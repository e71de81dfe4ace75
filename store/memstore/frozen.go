package memstore

import (
	"encoding/binary"
	"encoding/json"
	"math"
)

// frozen is a SCIM document kept in a compact form: its shape in a string
// of tags, counts and string indexes, and its strings (keys and values) in
// a slice, shared with the document it was made from since strings are
// immutable. A document of a few attributes takes two allocations and a few
// hundred bytes instead of a map per object, and the garbage collector
// scans only the string headers. Reads rebuild a fresh document with thaw.
type frozen struct {
	code string
	strs []string
}

// The tags of the frozen form. Counts and string indexes follow as
// uvarints, a float64 as 8 little-endian bytes.
const (
	tagMap    byte = iota + 1 // count, then count (key index, value) pairs
	tagNilMap                 // map[string]any(nil)
	tagArray                  // count, then count values
	tagNilArr                 // []any(nil)
	tagString                 // index
	tagNumber                 // index, a json.Number
	tagFloat                  // 8 bytes
	tagTrue                   // true
	tagFalse                  // false
	tagNull                   // nil
)

// freezer builds frozen documents in scratch buffers, reused under the
// write lock.
type freezer struct {
	code []byte
	strs []string
}

// freeze returns doc in frozen form, or ok false when doc holds a value of
// a type encoding/json does not produce (the store then keeps a deep copy
// of the map, as before).
func (f *freezer) freeze(doc map[string]any) (fz frozen, ok bool) {
	f.code = f.code[:0]
	clear(f.strs)
	f.strs = f.strs[:0]
	if !f.value(doc) {
		return frozen{}, false
	}
	fz.code = string(f.code)
	if len(f.strs) > 0 {
		fz.strs = make([]string, len(f.strs))
		copy(fz.strs, f.strs)
	}
	return fz, true
}

func (f *freezer) str(tag byte, s string) {
	f.code = append(f.code, tag)
	f.code = binary.AppendUvarint(f.code, uint64(len(f.strs)))
	f.strs = append(f.strs, s)
}

func (f *freezer) value(v any) bool {
	switch v := v.(type) {
	case nil:
		f.code = append(f.code, tagNull)
	case string:
		f.str(tagString, v)
	case bool:
		if v {
			f.code = append(f.code, tagTrue)
		} else {
			f.code = append(f.code, tagFalse)
		}
	case float64:
		f.code = append(f.code, tagFloat)
		f.code = binary.LittleEndian.AppendUint64(f.code, math.Float64bits(v))
	case json.Number:
		f.str(tagNumber, string(v))
	case map[string]any:
		if v == nil {
			f.code = append(f.code, tagNilMap)
			return true
		}
		f.code = append(f.code, tagMap)
		f.code = binary.AppendUvarint(f.code, uint64(len(v)))
		for k, e := range v {
			f.code = binary.AppendUvarint(f.code, uint64(len(f.strs)))
			f.strs = append(f.strs, k)
			if !f.value(e) {
				return false
			}
		}
	case []any:
		if v == nil {
			f.code = append(f.code, tagNilArr)
			return true
		}
		f.code = append(f.code, tagArray)
		f.code = binary.AppendUvarint(f.code, uint64(len(v)))
		for _, e := range v {
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
	m, _ := d.value().(map[string]any)
	return m
}

// thawer reads a frozen document front to back. The code was written by
// freeze, so it is well formed.
type thawer struct {
	fz  *frozen
	pos int
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

func (d *thawer) value() any {
	tag := d.fz.code[d.pos]
	d.pos++
	switch tag {
	case tagMap:
		n := d.uvarint()
		m := make(map[string]any, n)
		for range n {
			k := d.fz.strs[d.uvarint()]
			m[k] = d.value()
		}
		return m
	case tagNilMap:
		return map[string]any(nil)
	case tagArray:
		a := make([]any, d.uvarint())
		for i := range a {
			a[i] = d.value()
		}
		return a
	case tagNilArr:
		return []any(nil)
	case tagString:
		return d.fz.strs[d.uvarint()]
	case tagNumber:
		return json.Number(d.fz.strs[d.uvarint()])
	case tagFloat:
		var bits uint64
		for i := range 8 {
			bits |= uint64(d.fz.code[d.pos+i]) << (8 * i)
		}
		d.pos += 8
		return math.Float64frombits(bits)
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
	case tagString, tagNumber:
		d.uvarint()
	case tagFloat:
		d.pos += 8
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
		key := fz.strs[d.uvarint()]
		if key != k {
			d.skip()
			continue
		}
		if fz.code[d.pos] != tagString {
			return "", false
		}
		d.pos++
		return fz.strs[d.uvarint()], true
	}
	return "", false
}
