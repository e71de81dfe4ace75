package filter

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s, sub                          string
		contains, prefix, suffix, equal bool
		order                           int
	}{
		{"bjensen@example.com", "EXAMPLE", true, false, false, false, -1},
		{"Müller", "MÜ", true, true, false, false, 1},
		{"Müller", "LER", true, false, true, false, 1},
		{"abc", "ABC", true, true, true, true, 0},
		{"abc", "", true, true, true, false, 1},
		{"", "a", false, false, false, false, -1},
		{"\u212a", "k", true, true, true, true, 0}, // Kelvin sign folds to k
		{"xſx", "XSX", true, true, true, true, 0},  // long s folds to s
		{"日本語ユーザー", "日本", true, true, false, false, 1},
		{"😀smile", "😀", true, true, false, false, 1},
		{"ab", "abc", false, false, false, false, -1},
		{"b", "A", false, false, false, false, 1},
		{"aaab", "aab", true, false, true, false, -1},
	}
	for _, tc := range tests {
		if got := containsFold(tc.s, tc.sub); got != tc.contains {
			t.Errorf("containsFold(%q, %q) = %v", tc.s, tc.sub, got)
		}
		if got := hasPrefixFold(tc.s, tc.sub); got != tc.prefix {
			t.Errorf("hasPrefixFold(%q, %q) = %v", tc.s, tc.sub, got)
		}
		if got := hasSuffixFold(tc.s, tc.sub); got != tc.suffix {
			t.Errorf("hasSuffixFold(%q, %q) = %v", tc.s, tc.sub, got)
		}
		if got := strings.EqualFold(tc.s, tc.sub); got != tc.equal {
			t.Errorf("EqualFold(%q, %q) = %v", tc.s, tc.sub, got)
		}
		if got := compareFold(tc.s, tc.sub); got != tc.order {
			t.Errorf("compareFold(%q, %q) = %v, want %v", tc.s, tc.sub, got, tc.order)
		}
	}
}

func TestParseDateTime(t *testing.T) {
	t.Parallel()
	valid := map[string]int64{
		"1970-01-01T00:00:00Z":      0,
		"1970-01-01T01:00:00+01:00": 0,
		"1969-12-31T19:00:00-05:00": 0,
		"1970-01-01T00:00:00":       0,
		"1970-01-01t00:00:00z":      0,
		"2000-02-29T00:00:00Z":      951782400,
		"1970-01-01T00:00:00.5Z":    0,
	}
	for s, want := range valid {
		got, ok := parseDateTime(s)
		if !ok || got.sec != want {
			t.Errorf("parseDateTime(%q) = %v, %v; want sec %d", s, got, ok, want)
		}
	}
	if got, _ := parseDateTime("1970-01-01T00:00:00.123456789Z"); got.nsec != 123456789 {
		t.Errorf("nanoseconds = %d", got.nsec)
	}
	for _, s := range []string{"", "2011-05-13", "2011-13-01T00:00:00Z", "2011-02-29T00:00:00Z", "2011-04-31T00:00:00Z",
		"2011-05-13T24:00:00Z", "2011-05-13T00:60:00Z", "2011-05-13T00:00:00.Z", "2011-05-13T00:00:00+0200",
		"2011-05-13T00:00:00+24:00", "2011-05-13 00:00:00Z", "2011-05-13T00:00:00Zjunk", "abcd-ef-ghTij:kl:mnZ"} {
		if _, ok := parseDateTime(s); ok {
			t.Errorf("parseDateTime(%q) accepted", s)
		}
	}
}
