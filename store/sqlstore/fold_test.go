package sqlstore

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFoldKey checks what filter pushdown relies on: strings equal
// case-insensitively (under strings.EqualFold or strings.ToLower) have one
// foldKey, and a case-insensitive prefix is a prefix of the keys, so SQL on
// the key columns never loses a row the filter matches.
func FuzzFoldKey(f *testing.F) {
	for _, s := range [][2]string{
		{"Ada", "aDA"}, {"\u212Aelvin", "kelvin"}, {"\u017Fun", "SUN"}, {"Stra\u00DFe", "STRASSE"},
		{"\u0130stanbul", "istanbul"}, {"\u03A3\u03C3\u03C2", "\u03C3\u03C3\u03C3"}, {"", ""}, {"\xff", "\xfe"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		ka, kb := foldKey(a), foldKey(b)
		if (strings.EqualFold(a, b) || strings.ToLower(a) == strings.ToLower(b)) && ka != kb {
			t.Errorf("foldKey(%q) = %q, foldKey(%q) = %q: equal case-insensitively, keys differ", a, ka, b, kb)
		}
		if len(b) <= len(a) && strings.EqualFold(a[:len(b)], b) && !strings.HasPrefix(ka, kb) {
			t.Errorf("%q starts with %q case-insensitively, but key %q does not start with %q", a, b, ka, kb)
		}
		if foldKey(ka) != ka {
			t.Errorf("foldKey(%q) = %q is not its own key", ka, foldKey(ka))
		}
	})
}
