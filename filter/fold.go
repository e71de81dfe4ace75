package filter

import (
	"unicode"
	"unicode/utf8"
)

// Case-insensitive string operations that do not allocate. They use simple
// Unicode case folding, as strings.EqualFold does.

// firstRune returns the first rune of s and its size; the ASCII case is
// inlined by the callers' fast paths.
func firstRune(s string) (rune, int) {
	if c := s[0]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s)
}

// foldEq reports whether r1 and r2 are equal under simple case folding.
func foldEq(r1, r2 rune) bool {
	if r1 == r2 {
		return true
	}
	if r2 < r1 {
		r1, r2 = r2, r1
	}
	if r2 < utf8.RuneSelf {
		return 'A' <= r1 && r1 <= 'Z' && r2 == r1+'a'-'A'
	}
	r := unicode.SimpleFold(r1)
	for r != r1 && r < r2 {
		r = unicode.SimpleFold(r)
	}
	return r == r2
}

// hasPrefixFold reports whether s begins with prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		r1, n1 := firstRune(s)
		r2, n2 := firstRune(prefix)
		if !foldEq(r1, r2) {
			return false
		}
		s, prefix = s[n1:], prefix[n2:]
	}
	return true
}

// hasSuffixFold reports whether s ends with suffix, ignoring case.
func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		r1, n1 := utf8.DecodeLastRuneInString(s)
		r2, n2 := utf8.DecodeLastRuneInString(suffix)
		if !foldEq(r1, r2) {
			return false
		}
		s, suffix = s[:len(s)-n1], suffix[:len(suffix)-n2]
	}
	return true
}

// containsFold reports whether sub is within s, ignoring case.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	if isASCII(s) && isASCII(sub) {
		n, first := len(sub), lower(sub[0])
		for i := 0; i+n <= len(s); i++ {
			if lower(s[i]) == first && equalFoldASCII(s[i:i+n], sub) {
				return true
			}
		}
		return false
	}
	first, _ := firstRune(sub)
	for i := 0; i < len(s); {
		r, n := firstRune(s[i:])
		if foldEq(r, first) && hasPrefixFold(s[i:], sub) {
			return true
		}
		i += n
	}
	return false
}

// foldKey maps r to the rune case-insensitive ordering compares.
func foldKey(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// compareFold compares a and b rune by rune, ignoring case; it returns -1,
// 0 or +1.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		r1, n1 := firstRune(a)
		r2, n2 := firstRune(b)
		if k1, k2 := foldKey(r1), foldKey(r2); k1 != k2 {
			if k1 < k2 {
				return -1
			}
			return 1
		}
		a, b = a[n1:], b[n2:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// equalFoldASCII compares two ASCII strings of the same length, ignoring case.
func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}
