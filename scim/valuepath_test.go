package scim

import (
	"testing"

	"github.com/scimkit/scimkit/filter"
)

func TestFoldValuePathSub(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`emails[type eq "work"].value eq "a@example.com"`, `emails[(type eq "work") and value eq "a@example.com"]`},
		{`emails[type eq "work" or type eq "home"].value pr`, `emails[(type eq "work" or type eq "home") and value pr]`},
		{`userName eq "x" and emails[type eq "work"].value eq "a\"]b"`, `userName eq "x" and emails[(type eq "work") and value eq "a\"]b"]`},
		{`emails[type eq "work"].value eq "a" or emails[type eq "home"].value eq "b"`, `emails[(type eq "work") and value eq "a"] or emails[(type eq "home") and value eq "b"]`},
		{`(emails[type eq "work"].value eq true)`, `(emails[(type eq "work") and value eq true])`},
		{`userName eq "a[b].c eq"`, `userName eq "a[b].c eq"`},
		{`emails[type eq "work"]`, `emails[type eq "work"]`},
		{`emails[type eq "work"].value xx "a"`, `emails[type eq "work"].value xx "a"`},
		{`emails[type eq "work"].value eq "unterminated`, `emails[type eq "work"].value eq "unterminated`},
		{`]].x eq 1`, `]].x eq 1`},
	}
	for _, tc := range tests {
		got := foldValuePathSub(tc.in)
		if got != tc.want {
			t.Errorf("foldValuePathSub(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
		if tc.in != tc.want {
			if _, err := filter.Parse(got); err != nil {
				t.Errorf("rewritten %q does not parse: %v", got, err)
			}
		}
	}
}

func FuzzFoldValuePathSub(f *testing.F) {
	f.Add(`emails[type eq "work"].value eq "a@example.com"`)
	f.Add(`a[b[c].d eq 1].e pr`)
	f.Add(`"\"]".x eq 1`)
	f.Fuzz(func(t *testing.T, s string) {
		_ = foldValuePathSub(s) // must not panic or loop
	})
}
