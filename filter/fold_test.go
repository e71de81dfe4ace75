package filter

import (
	"strings"
	"testing"

	"github.com/scimkit/scimkit/schema"
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
		{"abababc", "ABABC", true, false, true, false, -1},
		{"ababa", "ABAC", false, false, false, false, -1},
		{"xΣΑΣx", "σας", true, false, false, false, -1},
		{"\xffabc", "\xffA", true, true, false, false, 1},
	}
	for _, tc := range tests {
		if got := newFoldNeedle(tc.sub).in(tc.s); got != tc.contains {
			t.Errorf("newFoldNeedle(%q).in(%q) = %v", tc.sub, tc.s, got)
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

// TestContainsIsLinear runs the worst case of a naive search: it would
// take about 10^11 steps; the linear search takes about 10^6.
func TestContainsIsLinear(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("a", 1<<20)
	sub := strings.Repeat("A", 1<<16) + "b"
	e, err := (&Parser{MaxLength: 1 << 17}).Parse(`v co "` + sub + `"`)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range []*schema.ResourceType{nil, schema.User()} {
		ok, err := Match(e, map[string]any{"v": s}, rt)
		if err != nil || ok {
			t.Errorf("Match = %v, %v; want false", ok, err)
		}
	}
	if !newFoldNeedle(sub[1:]).in(s + "B") {
		t.Error("the needle at the very end was not found")
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
