// Package fold is the case folding under which scimkit compares
// case-insensitive keys: store.Fold, and the store's query engine that sorts
// strings case-insensitively.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns the case-folded form of s: String(a) == String(b) exactly
// when strings.EqualFold(a, b). ASCII letters fold to lower case.
func String(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldSlow(s)
		}
		if 'A' <= c && c <= 'Z' {
			return foldSlow(s)
		}
	}
	return s
}

func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// foldRune maps r to one representative of its simple case-folding orbit
// (the orbit strings.EqualFold compares by): the lower case of the orbit's
// smallest rune. A rune alone in its orbit stands for itself: U+0130 'İ'
// lower-cases to 'i', which strings.EqualFold keeps apart from it.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if m == r && unicode.SimpleFold(r) == r {
		return r
	}
	return unicode.ToLower(m)
}
