package filter

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkError checks that err is an E (*SyntaxError or *SchemaError) with
// the message want.
func checkError[E error](t *testing.T, err error, want string) {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("error = %v, want a %T", err, target)
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
}

type lexed struct {
	Kind tokenKind
	Text string
}

// lexAll returns the tokens of s, or the lexical error.
func lexAll(s string) (toks []lexed, err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			err = se
		}
	}()
	l := lexer{input: s}
	for {
		t := l.next()
		if t.kind == tokEOF {
			return toks, nil
		}
		toks = append(toks, lexed{t.kind, t.text})
	}
}

func TestLexer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  []lexed
	}{
		{"empty", "", nil},
		{"spaces", " \t\r\n ", nil},
		{"compare", `userName eq "bjensen"`, []lexed{{tokWord, "userName"}, {tokWord, "eq"}, {tokString, `"bjensen"`}}},
		{"urn path", `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr`, []lexed{
			{tokWord, "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"}, {tokWord, "pr"}}},
		{"punctuation", `not(a[b pr])`, []lexed{
			{tokWord, "not"}, {tokLParen, "("}, {tokWord, "a"}, {tokLBrack, "["}, {tokWord, "b"},
			{tokWord, "pr"}, {tokRBrack, "]"}, {tokRParen, ")"}}},
		{"dot after bracket", `a[b pr].c`, []lexed{
			{tokWord, "a"}, {tokLBrack, "["}, {tokWord, "b"}, {tokWord, "pr"}, {tokRBrack, "]"}, {tokDot, "."}, {tokWord, "c"}}},
		{"numbers", `0 -1 1.5 2e10 -3.25E-2 10`, []lexed{
			{tokNumber, "0"}, {tokNumber, "-1"}, {tokNumber, "1.5"}, {tokNumber, "2e10"}, {tokNumber, "-3.25E-2"}, {tokNumber, "10"}}},
		{"escapes", `"a\"b\\c\/d\b\f\n\r\t\u00e9"`, []lexed{{tokString, `"a\"b\\c\/d\b\f\n\r\t\u00e9"`}}},
		{"unicode", `"日本😀"`, []lexed{{tokString, `"日本😀"`}}},
		{"surrogate pair", `"\ud83d\ude00" x`, []lexed{{tokString, `"\ud83d\ude00"`}, {tokWord, "x"}}},
		{"ref", `members.$ref pr`, []lexed{{tokWord, "members.$ref"}, {tokWord, "pr"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := lexAll(tc.input)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lex(%q) mismatch (-want +got):\n%s", tc.input, diff)
			}
		})
	}
}

func TestLexerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"unterminated", `"abc`, `filter: 1:1: unterminated string`},
		{"backslash at end", `"a\`, `filter: 1:1: unterminated string`},
		{"bad escape", `"\x"`, `filter: 1:2: invalid escape "\\x" in string`},
		{"short unicode escape", `"\u12"`, `filter: 1:2: invalid escape: \u needs four hexadecimal digits`},
		{"control character", "\"a\nb\"", `filter: 1:3: control character '\n' in string: escape it`},
		{"lone high surrogate", `"a\ud800"`, `filter: 1:3: invalid escape: \ud800 is an unpaired surrogate`},
		{"lone low surrogate", `"\uDC00\ud800"`, `filter: 1:2: invalid escape: \uDC00 is an unpaired surrogate`},
		{"high surrogate before another", `"\ud800\ud800\udc00"`, `filter: 1:2: invalid escape: \ud800 is an unpaired surrogate`},
		{"high surrogate before a character", `"\ud800\u0041"`, `filter: 1:2: invalid escape: \ud800 is an unpaired surrogate`},
		{"invalid utf-8 in string", "\"a\xffb\"", `filter: 1:3: invalid UTF-8 encoding in string`},
		{"invalid utf-8", "\xff", `filter: 1:1: invalid UTF-8 encoding`},
		{"single quote", `'x'`, `filter: 1:1: unexpected "'": strings are written in double quotes`},
		{"stray character", `a = b`, `filter: 1:3: unexpected character '='`},
		{"leading zero", `01`, `filter: 1:1: invalid number "01"`},
		{"no fraction digits", `1.`, `filter: 1:1: invalid number "1."`},
		{"no exponent digits", `1e+`, `filter: 1:1: invalid number "1e+"`},
		{"letters after number", `12ab`, `filter: 1:1: invalid number "12ab"`},
		{"minus alone", `-`, `filter: 1:1: invalid number "-"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := lexAll(tc.input)
			checkError[*SyntaxError](t, err, tc.want)
		})
	}
}
