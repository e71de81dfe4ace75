package identity

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSanitizeUsername(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"gitlab spec example", " --ricky.^#!__the._raccoon--", "ricky.the.raccoon"},
		{"plain", "alice", "alice"},
		{"keeps case", "Alice.Smith", "Alice.Smith"},
		{"email drops domain", "test.user@okta.local", "test.user"},
		{"mailNickname", "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"},
		{"accents folded", "José.Müller", "Jose.Muller"},
		{"latin extended", "Łukasz Żółć", "LukaszZolc"},
		{"cjk dropped", "山田太郎", "blank"},
		{"trailing .git", "repo.git", "repo"},
		{"trailing .atom then dot", "feed.atom.", "feed"},
		{"only symbols", "!!!", "blank"},
		{"runs collapse to first", "a-._b", "a-b"},
		{"leading separators", "..._x", "x"},
		{"empty", "", "blank"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, SanitizeUsername(tc.in)); diff != "" {
				t.Errorf("SanitizeUsername(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestSanitizeUsernameBoundsLength(t *testing.T) {
	t.Parallel()
	got := SanitizeUsername(strings.Repeat("ab.", 200))
	if len(got) > maxUsernameLen {
		t.Fatalf("len = %d, want <= %d", len(got), maxUsernameLen)
	}
	if strings.HasSuffix(got, ".") {
		t.Errorf("result %q ends with a separator", got)
	}
}

func TestUsernameCandidate(t *testing.T) {
	t.Parallel()
	rnd := func() string { return "_x7q2" }
	long := strings.Repeat("a", maxUsernameLen)
	tests := []struct {
		name string
		base string
		i    int
		want string
	}{
		{"first is base", "ricky.the.raccoon", 0, "ricky.the.raccoon"},
		{"counter", "ricky.the.raccoon", 1, "ricky.the.raccoon1"},
		{"fourth counter", "name", 4, "name4"},
		{"then random", "name", 5, "name_x7q2"},
		{"long base trimmed for counter", long, 3, long[:maxUsernameLen-1] + "3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, usernameCandidate(tc.base, tc.i, rnd)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzSanitizeUsername(f *testing.F) {
	for _, s := range []string{" --ricky.^#!__the._raccoon--", "a@b", "José", "..", ".git.atom", "person.1", "a.git", "x-y_z", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SanitizeUsername(s)
		if got == "" || len(got) > maxUsernameLen {
			t.Fatalf("SanitizeUsername(%q) = %q", s, got)
		}
		for i := 0; i < len(got); i++ {
			c := got[i]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
			if !ok {
				t.Fatalf("SanitizeUsername(%q) = %q has %q", s, got, c)
			}
		}
		if strings.Trim(got, "._-") != got {
			t.Fatalf("SanitizeUsername(%q) = %q starts or ends with a separator", s, got)
		}
		if again := SanitizeUsername(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if clean(s) && sanitize(s) != s {
			t.Fatalf("clean(%q) but sanitize gives %q", s, sanitize(s))
		}
	})
}
