package scim

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendJSON appends the JSON encoding of v, a value as encoding/json
// decodes it (map[string]any, []any, string, bool, nil, json.Number,
// float64) or one the handler builds ([]string, int, int64). Object members
// are sorted, except that a resource's top level starts with schemas, id,
// externalId and userName and ends with meta, the order RFC 7643's
// examples use. Strings are escaped as encoding/json escapes them (HTML
// characters included). Other types go through encoding/json. It is the
// handler's encoder because reflection-based map encoding was the largest
// cost of a request.
func appendJSON(b []byte, v any, top bool) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case json.Number:
		if v == "" {
			return append(b, '0'), nil
		}
		if !json.Valid([]byte(v)) {
			return nil, &json.UnsupportedValueError{Str: string(v)}
		}
		return append(b, v...), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(v, 'g', -1, 64)}
		}
		data, err := json.Marshal(v)
		return append(b, data...), err
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']'), nil
	case []any:
		b = append(b, '[')
		var err error
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, e, false); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		return appendObject(b, v, top)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, data...), nil
}

// leading are the members a resource starts with, in order.
var leading = [...]string{"schemas", "id", "externalId", "userName"}

func appendObject(b []byte, m map[string]any, top bool) ([]byte, error) {
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		if top && (slices.Contains(leading[:], k) || k == "meta") {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if top {
		var head [len(leading) + 1]string
		hk := head[:0]
		for _, k := range leading {
			if _, ok := m[k]; ok {
				hk = append(hk, k)
			}
		}
		keys = append(hk, keys...)
		if _, ok := m["meta"]; ok {
			keys = append(keys, "meta")
		}
	}
	b = append(b, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		if b, err = appendJSON(b, m[k], false); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

const hexDigits = "0123456789abcdef"

// jsonPlain has a '1' at the index of each ASCII byte appendEscaped
// copies as it is: not a control character, '"', '\\', or one of the
// HTML characters '<', '>' and '&'. A lookup is cheaper than the
// comparisons (TestJSONPlain checks the table).
const jsonPlain = "" +
	"00000000000000000000000000000000" + // 0x00-0x1f
	"11011101111111111111111111110101" + // 0x20-0x3f
	"11111111111111111111111111110111" + // 0x40-0x5f
	"11111111111111111111111111111111" // 0x60-0x7f

// appendString appends s as a JSON string, escaping like encoding/json
// with HTML escaping: invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends s escaped as in appendString, without the quotes.
// Escaping works byte by byte on ASCII and rune by rune otherwise, so the
// escapings of two strings, the first ending in a complete rune or the
// second starting with ASCII, append to the escaping of their
// concatenation.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain[c] == '1' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
