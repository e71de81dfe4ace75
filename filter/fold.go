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

// foldClass returns the representative of r's simple case-folding class
// (the smallest rune of its unicode.SimpleFold orbit): two runes are equal
// ignoring case exactly when their classes are equal.
func foldClass(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	lowest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < lowest {
			lowest = f
		}
	}
	return lowest
}

// foldNeedle finds a string in others, ignoring case, in time linear in
// both (Knuth-Morris-Pratt over case-folding classes) and without
// allocating. A filter's co value becomes one when it is compiled, so that
// no pair of long strings makes matching quadratic.
type foldNeedle struct {
	classes []rune  // the folding classes of the needle's runes
	next    []int32 // next[i]: length of the longest proper border of classes[:i+1]
}

func newFoldNeedle(sub string) *foldNeedle {
	n := &foldNeedle{}
	for _, r := range sub {
		n.classes = append(n.classes, foldClass(r))
	}
	n.next = make([]int32, len(n.classes))
	k := int32(0)
	for i := 1; i < len(n.classes); i++ {
		for k > 0 && n.classes[i] != n.classes[k] {
			k = n.next[k-1]
		}
		if n.classes[i] == n.classes[k] {
			k++
		}
		n.next[i] = k
	}
	return n
}

// in reports whether the needle occurs in s, ignoring case.
func (n *foldNeedle) in(s string) bool {
	if len(n.classes) == 0 {
		return true
	}
	k := int32(0)
	for i := 0; i < len(s); {
		var c rune
		if b := s[i]; b < utf8.RuneSelf {
			c = rune(b)
			if 'a' <= b && b <= 'z' {
				c -= 'a' - 'A'
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			c = foldClass(r)
			i += size
		}
		for k > 0 && n.classes[k] != c {
			k = n.next[k-1]
		}
		if n.classes[k] == c {
			k++
			if int(k) == len(n.classes) {
				return true
			}
		}
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
