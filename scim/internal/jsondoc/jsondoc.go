// Package jsondoc encodes SCIM resource documents, the values encoding/json
// decodes into an any (map[string]any, []any, string, json.Number,
// float64, bool, nil) and [Object], with encoding/json's conventions: map
// members sorted by name, strings escaped with HTML escaping, invalid UTF-8
// as U+FFFD, a json.Number as written. Any other type is handed to
// encoding/json.
//
// It exists for speed alone: encoding/json reflects on every map it
// encodes and allocates for every member name, and a resource built as a
// map costs the map; together they put serving GET /Users/{id} above the
// floor the handler must keep (see the scim handler's benchmarks and
// resource.go). Everything else the handler writes (errors, the
// ListResponse envelope, discovery documents, the GitLab profile's shapes)
// goes through encoding/json.
package jsondoc

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Append appends the JSON encoding of v to dst.
func Append(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendString(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case json.Number:
		if v == "" {
			return append(dst, '0'), nil // as encoding/json writes an empty Number
		}
		if !validNumber(string(v)) {
			return nil, fmt.Errorf("jsondoc: invalid number literal %q", string(v))
		}
		return append(dst, v...), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = Append(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		return appendObject(dst, v)
	case Object:
		return AppendObject(dst, v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// Object is a JSON object as a list of members, written in the order of
// the list: built with Add, it is sorted by name, the order in which maps
// are written. Names must be unique.
type Object []Member

// Member is a member of an Object: a name and a value, made by Value,
// String or Nested.
type Member struct {
	Name string
	kind memberKind
	v    any    // kindValue, kindObject (an Object)
	s    string // kindString
}

type memberKind uint8

const (
	kindValue memberKind = iota
	kindString
	kindObject
)

// Value returns the member name with value v, any value Append takes.
func Value(name string, v any) Member { return Member{Name: name, v: v} }

// String returns the member name with the string s. Unlike Value, it does
// not box s into an interface.
func String(name, s string) Member { return Member{Name: name, kind: kindString, s: s} }

// Nested returns the member name whose value is the object o.
func Nested(name string, o Object) Member { return Member{Name: name, kind: kindObject, v: o} }

// Add returns o with m inserted before the first member whose name sorts
// after m's, so that members added one by one keep o sorted. It appends as
// append does.
func (o Object) Add(m Member) Object {
	i := len(o)
	o = append(o, m)
	for ; i > 0 && o[i-1].Name > m.Name; i-- {
		o[i] = o[i-1]
	}
	o[i] = m
	return o
}

// Map returns o as a map, nested Objects as maps too.
func (o Object) Map() map[string]any {
	m := make(map[string]any, len(o))
	for _, mb := range o {
		switch mb.kind {
		case kindString:
			m[mb.Name] = mb.s
		case kindObject:
			m[mb.Name] = mb.v.(Object).Map()
		default:
			m[mb.Name] = mb.v
		}
	}
	return m
}

// AppendObject appends o's JSON encoding to dst.
func AppendObject(dst []byte, o Object) ([]byte, error) {
	dst = append(dst, '{')
	for i, m := range o {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, m.Name)
		dst = append(dst, ':')
		var err error
		switch m.kind {
		case kindString:
			dst = AppendString(dst, m.s)
		case kindObject:
			dst, err = AppendObject(dst, m.v.(Object))
		default:
			dst, err = Append(dst, m.v)
		}
		if err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// appendObject appends m with its members sorted by name.
func appendObject(dst []byte, m map[string]any) ([]byte, error) {
	var buf [16]Member
	o := Object(buf[:0])
	for k, v := range m {
		o = o.Add(Value(k, v))
	}
	return AppendObject(dst, o)
}

const hexDigits = "0123456789abcdef"

// plain reports, for each byte, whether a string holds it as it is: not
// a control character, '"', '\\', one of the HTML characters '<', '>' and
// '&', or a byte of a multi-byte rune (checked on its own).
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendString appends s as a JSON string, escaped as encoding/json
// escapes it: '"', '\\' and control characters; '<', '>' and '&' (HTML
// escaping); U+2028 and U+2029; invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	// Most strings need no escape: they are found in one tight pass.
	i := 0
	for i < len(s) && plain[s[i]] {
		i++
	}
	if i == len(s) {
		dst = append(dst, s...)
		return append(dst, '"')
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// validNumber reports whether s is a JSON number (RFC 8259 §6), as
// encoding/json requires of a json.Number it encodes.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if j := digits(s, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// digits returns the index after the run of digits of s starting at i.
func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
