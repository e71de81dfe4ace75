package scim

import (
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/scimkit/scimkit/schema"
)

// maxSharedBody is the largest body whose decoded strings share one copy
// of it. A shared copy saves an allocation per string, but a stored
// document then keeps the whole body alive (its whitespace, escapes and
// numbers too), so large bodies copy each string on its own.
const maxSharedBody = 16 << 10

// decoder decodes JSON text into the values encoding/json gives an any
// with UseNumber: map[string]any, []any, string, json.Number, bool and
// nil, with the same results for every input encoding/json accepts
// (invalid UTF-8 in strings becomes U+FFFD, a lone surrogate escape
// U+FFFD, a repeated member name keeps its last value) and a refusal for
// every input it refuses. It reports no positions: a caller that needs an
// error message decodes the refused input again with encoding/json.
// FuzzDecoder compares the two.
//
// It exists because encoding/json's decoding into any was the largest
// cost of a request after the store's: it allocates every member name
// and grows every array element by element, where this decoder takes
// strings from one copy of the body and sizes each array once.
type decoder struct {
	data []byte
	// src is string(data) when decoded strings share it, "" otherwise.
	src      string
	i        int
	depth    int
	maxDepth int
	// stack holds the elements of the arrays being decoded.
	stack []any
	// replaced reports whether a string held invalid UTF-8.
	replaced bool
}

// decodeJSON decodes data, one JSON value with optional white space
// around it, nested at most maxDepth deep (arrays and objects). ok is
// false for anything encoding/json refuses and for deeper nesting;
// replaced reports that a string held invalid UTF-8 (decoded as U+FFFD).
func decodeJSON(data []byte, maxDepth int) (v any, replaced, ok bool) {
	d := decoder{data: data, maxDepth: maxDepth}
	if len(data) <= maxSharedBody {
		d.src = string(data)
	}
	if v, ok = d.value(); !ok {
		return nil, false, false
	}
	d.skipSpace()
	if d.i != len(d.data) {
		return nil, false, false
	}
	return v, d.replaced, true
}

func (d *decoder) skipSpace() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value at d.i, after optional white space.
func (d *decoder) value() (any, bool) {
	d.skipSpace()
	if d.i >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.i]; c {
	case '{':
		m, ok := d.object()
		if !ok {
			return nil, false
		}
		return m, true
	case '[':
		return d.array()
	case '"':
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		return boxString(s), true
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return d.number()
		}
		return nil, false
	}
}

// boxString returns s as an any. The values most User documents hold (the
// schema URNs, the usual "type" values) come from constants, which box
// without an allocation; any other string is boxed as usual.
func boxString(s string) any {
	switch s {
	case schema.UserURN:
		return schema.UserURN
	case schema.EnterpriseUserURN:
		return schema.EnterpriseUserURN
	case "work":
		return "work"
	case "home":
		return "home"
	case "other":
		return "other"
	case "mobile":
		return "mobile"
	}
	return s
}

func (d *decoder) literal(lit string) bool {
	if len(d.data)-d.i < len(lit) || string(d.data[d.i:d.i+len(lit)]) != lit {
		return false
	}
	d.i += len(lit)
	return true
}

// enter counts one more level of nesting.
func (d *decoder) enter() bool {
	d.depth++
	return d.depth <= d.maxDepth
}

// object decodes the object at d.i (a '{').
func (d *decoder) object() (map[string]any, bool) {
	if !d.enter() {
		return nil, false
	}
	d.i++
	m := make(map[string]any)
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		d.depth--
		return m, true
	}
	for {
		d.skipSpace()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.skipSpace()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, false
		}
		d.i++
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		if more, ok := d.more('}'); !more {
			return m, ok
		}
	}
}

// more reads what follows a member or an element: true after a comma,
// false after end (which closes the object or array).
func (d *decoder) more(end byte) (more, ok bool) {
	d.skipSpace()
	if d.i >= len(d.data) {
		return false, false
	}
	switch d.data[d.i] {
	case ',':
		d.i++
		return true, true
	case end:
		d.i++
		d.depth--
		return false, true
	}
	return false, false
}

// array decodes the array at d.i (a '['). Its elements wait on d.stack
// until its length is known.
func (d *decoder) array() (any, bool) {
	if !d.enter() {
		return nil, false
	}
	d.i++
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		d.depth--
		return []any{}, true
	}
	// An array of one element, the most common in a SCIM body (schemas,
	// emails), needs no stack.
	first, ok := d.value()
	if !ok {
		return nil, false
	}
	more, ok := d.more(']')
	if !ok {
		return nil, false
	}
	if !more {
		return []any{first}, true
	}
	if d.stack == nil {
		d.stack = make([]any, 0, 8)
	}
	mark := len(d.stack)
	d.stack = append(d.stack, first)
	for {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		d.stack = append(d.stack, v)
		more, ok := d.more(']')
		if !ok {
			return nil, false
		}
		if !more {
			list := make([]any, len(d.stack)-mark)
			copy(list, d.stack[mark:])
			clear(d.stack[mark:])
			d.stack = d.stack[:mark]
			return list, true
		}
	}
}

// number decodes the number at d.i as a json.Number holding its text.
func (d *decoder) number() (any, bool) {
	start, j := d.i, d.i
	data := d.data
	if data[j] == '-' {
		j++
	}
	switch {
	case j < len(data) && data[j] == '0':
		j++
	case j < len(data) && '1' <= data[j] && data[j] <= '9':
		for j < len(data) && isDigit(data[j]) {
			j++
		}
	default:
		return nil, false
	}
	if j < len(data) && data[j] == '.' {
		j++
		if j >= len(data) || !isDigit(data[j]) {
			return nil, false
		}
		for j < len(data) && isDigit(data[j]) {
			j++
		}
	}
	if j < len(data) && (data[j] == 'e' || data[j] == 'E') {
		j++
		if j < len(data) && (data[j] == '+' || data[j] == '-') {
			j++
		}
		if j >= len(data) || !isDigit(data[j]) {
			return nil, false
		}
		for j < len(data) && isDigit(data[j]) {
			j++
		}
	}
	d.i = j
	return json.Number(d.text(start, j)), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// text returns data[i:j] as a string, shared with src when there is one.
func (d *decoder) text(i, j int) string {
	if d.src != "" {
		return d.src[i:j]
	}
	return string(d.data[i:j])
}

// str decodes the string at d.i (a '"'). A string without escapes or
// invalid UTF-8 is the text between the quotes.
func (d *decoder) str() (string, bool) {
	start := d.i + 1
	for j := start; j < len(d.data); {
		c := d.data[j]
		switch {
		case c == '"':
			d.i = j + 1
			return d.text(start, j), true
		case c == '\\' || c < ' ':
			return d.strSlow(start, j)
		case c < utf8.RuneSelf:
			j++
		default:
			r, size := utf8.DecodeRune(d.data[j:])
			if r == utf8.RuneError && size == 1 {
				return d.strSlow(start, j)
			}
			j += size
		}
	}
	return "", false
}

// strSlow decodes a string with escapes or invalid UTF-8, as
// encoding/json unquotes it; data[start:j] is plain text.
func (d *decoder) strSlow(start, j int) (string, bool) {
	data := d.data
	b := make([]byte, 0, j-start+16)
	b = append(b, data[start:j]...)
	for j < len(data) {
		c := data[j]
		switch {
		case c == '"':
			d.i = j + 1
			return string(b), true
		case c < ' ':
			return "", false
		case c == '\\':
			if j+1 >= len(data) {
				return "", false
			}
			switch e := data[j+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(data[j+2:])
				if r < 0 {
					return "", false
				}
				j += 6
				if utf16.IsSurrogate(r) {
					// A pair makes one rune; anything else leaves
					// U+FFFD, and the next escape is read on its own.
					r2 := rune(-1)
					if j+1 < len(data) && data[j] == '\\' && data[j+1] == 'u' {
						r2 = hex4(data[j+2:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						j += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return "", false
			}
			j += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			j++
		default:
			r, size := utf8.DecodeRune(data[j:])
			if r == utf8.RuneError && size == 1 {
				d.replaced = true
			}
			b = utf8.AppendRune(b, r)
			j += size
		}
	}
	return "", false
}

// hex4 returns the value of the 4 hex digits that start p, or -1.
func hex4(p []byte) rune {
	if len(p) < 4 {
		return -1
	}
	var r rune
	for _, c := range p[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
