// Package scimjson holds the rules of SCIM JSON documents that several
// scimkit packages apply: attribute names are matched case-insensitively
// (RFC 7643 §2.1), a request body's nesting is bounded before it is
// decoded, so that a hostile body cannot make a decoder recurse deeply, and
// a number is one any JSON client can read back (Finite).
package scimjson

import "strings"

// Lookup returns the member of m named name, case-insensitively: the exact
// spelling first, else any spelling strings.EqualFold accepts. key is the
// member's name as m spells it; ok is false, and key "", when there is
// none. A nil m has no members. m is usually a decoded JSON object; query
// parameters (url.Values) are looked up the same way.
func Lookup[V any](m map[string]V, name string) (key string, v V, ok bool) {
	if v, ok := m[name]; ok {
		return name, v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", v, false
}

// NameIs reports whether the member name k equals one of names, which
// must start with an ASCII lower-case letter, case-insensitively, as Lookup
// compares. A name whose first byte differs from k's, ASCII case aside, is
// passed over without strings.EqualFold; a k starting with a non-ASCII
// byte (a rune such as U+212A KELVIN SIGN folds to an ASCII letter) is
// compared in full.
func NameIs(k string, names ...string) bool {
	if k == "" {
		return false
	}
	c := k[0]
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	for _, n := range names {
		if (c == n[0] || c >= 0x80) && strings.EqualFold(k, n) {
			return true
		}
	}
	return false
}

// Deeper reports whether the JSON text data nests arrays and objects more
// than max levels deep. It reads the text once and stays linear on any
// input, valid JSON or not: brackets inside strings do not count.
func Deeper(data []byte, max int) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}
