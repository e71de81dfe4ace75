package gitlab

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		filter string
		want   Filter
		bad    bool
	}{
		{name: "empty", filter: "", want: Filter{}},
		{name: "blank", filter: " \t ", want: Filter{}},
		{name: "id quoted", filter: `id eq "abc"`, want: Filter{AttrID, "abc"}},
		{name: "externalId quoted", filter: `externalId eq "0a21f0f2"`, want: Filter{AttrExternalID, "0a21f0f2"}},
		{name: "userName quoted", filter: `userName eq "test.user@okta.local"`, want: Filter{AttrUserName, "test.user@okta.local"}},
		{name: "quotes optional", filter: `userName eq jane`, want: Filter{AttrUserName, "jane"}},
		{name: "extra spaces", filter: "  id \t eq   \"x\"  ", want: Filter{AttrID, "x"}},
		{name: "quoted with spaces", filter: `userName eq "non-existent user"`, want: Filter{AttrUserName, "non-existent user"}},
		{name: "json escapes", filter: `id eq "a\"b\\c\u00e9"`, want: Filter{AttrID, "a\"b\\cé"}},
		{name: "value case kept", filter: `id eq "AbC"`, want: Filter{AttrID, "AbC"}},
		{name: "email as id", filter: `id eq "jane@example.com"`, want: Filter{AttrID, "jane@example.com"}},

		{name: "ne", filter: `id ne "abc"`, bad: true},
		{name: "is", filter: `id is "abc"`, bad: true},
		{name: "EQ upper case", filter: `id EQ "abc"`, bad: true},
		{name: "attribute case", filter: `username eq "abc"`, bad: true},
		{name: "snake case attribute", filter: `user_name eq "abc"`, bad: true},
		{name: "displayName", filter: `displayName eq "x"`, bad: true},
		{name: "name.formatted", filter: `name.formatted eq "x"`, bad: true},
		{name: "active", filter: `active eq true`, bad: true},
		{name: "value path", filter: `emails[type eq "work"].value eq "a@b.c"`, bad: true},
		{name: "empty value", filter: `id eq ""`, bad: true},
		{name: "blank value", filter: `id eq "  "`, bad: true},
		{name: "boolean value", filter: `userName eq true`, bad: true},
		{name: "quoted boolean value", filter: `id eq "False"`, bad: true},
		{name: "no value", filter: `id eq`, bad: true},
		{name: "no operator", filter: `id`, bad: true},
		{name: "and", filter: `userName eq "a" and active eq false`, bad: true},
		{name: "or", filter: `id eq "a" or id eq "b"`, bad: true},
		{name: "trailing token", filter: `id eq "a" x`, bad: true},
		{name: "trailing after bare", filter: `id eq a b`, bad: true},
		{name: "grouping", filter: `(id eq "a")`, bad: true},
		{name: "not", filter: `not (id eq "a")`, bad: true},
		{name: "pr", filter: `id pr`, bad: true},
		{name: "unterminated", filter: `id eq "abc`, bad: true},
		{name: "stray quote", filter: `id eq ab"c`, bad: true},
		{name: "raw control in string", filter: "id eq \"a\x01b\"", bad: true},
		{name: "bad escape", filter: `id eq "a\qb"`, bad: true},
		{name: "invalid utf-8", filter: "id eq \"\xff\"", bad: true},
		{name: "too long", filter: `id eq "` + strings.Repeat("a", MaxFilterLen) + `"`, bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFilter(tc.filter)
			if tc.bad {
				var ue *UnsupportedFilterError
				if !errors.As(err, &ue) {
					t.Fatalf("ParseFilter(%q) = %v, %v; want *UnsupportedFilterError", tc.filter, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tc.filter, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseFilter(%q) (-want +got):\n%s", tc.filter, diff)
			}
		})
	}
}

func TestFilterString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f    Filter
		want string
	}{
		{Filter{}, ""},
		{Filter{AttrID, "abc"}, `id eq "abc"`},
		{Filter{AttrExternalID, `a"b`}, `externalId eq "a\"b"`},
		{Filter{AttrUserName, "a b<"}, `userName eq "a b\u003c"`},
	}
	for _, tc := range tests {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestAttrString(t *testing.T) {
	t.Parallel()
	for a, want := range map[Attr]string{AttrID: "id", AttrExternalID: "externalId", AttrUserName: "userName", 9: "Attr(9)"} {
		if got := a.String(); got != want {
			t.Errorf("Attr(%d).String() = %q, want %q", a, got, want)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFilter(s)
		if err != nil {
			var ue *UnsupportedFilterError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseFilter(%q): error %T, want *UnsupportedFilterError", s, err)
			}
			return
		}
		again, err := ParseFilter(got.String())
		if err != nil {
			t.Fatalf("ParseFilter(%q) = %v, but its String %q does not parse: %v", s, got, got.String(), err)
		}
		if again != got {
			t.Fatalf("round trip of %q: %v, then %v", s, got, again)
		}
	})
}
