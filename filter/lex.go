package filter

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// tokenKind is the kind of a lexical token.
type tokenKind uint8

const (
	tokEOF    tokenKind = iota
	tokWord             // attribute path, operator, keyword or literal name
	tokString           // JSON string; text includes the quotes
	tokNumber           // JSON number
	tokLParen           // (
	tokRParen           // )
	tokLBrack           // [
	tokRBrack           // ]
	tokDot              // . at the start of a token (attr[filter].sub)
)

// token is one lexical token of the input.
type token struct {
	kind tokenKind
	pos  int    // byte offset of the token in the input
	text string // the token as written
	esc  bool   // tokString: the string has escapes to decode
}

// describe returns the token as error messages quote it, shortened to
// about 40 bytes.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the input"
	case tokString:
		if len(t.text) > 40 {
			return truncate(t.text, 36) + `..."`
		}
		return t.text
	}
	text := t.text
	if len(text) > 40 {
		text = truncate(text, 37) + "..."
	}
	return strconv.Quote(text)
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// lexer splits a filter or path into tokens. It is synchronous: the parser
// asks for one token at a time. Lexical errors panic with a *SyntaxError
// that the parser's entry point recovers.
type lexer struct {
	input string
	pos   int
}

// isSpace reports whether c separates tokens. RFC 7644 asks for SP; tabs
// and line breaks are tolerated as well.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// wordStart reports whether c may begin a word: an attribute name starts
// with ALPHA, or "$" for "$ref" (RFC 7643 §2.1, RFC 7644 §3.4.2.2 ATTRNAME).
func wordStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '$'
}

// wordChar reports whether c may continue a word. A word covers a whole
// attribute path, URN included ("urn:...:2.0:User:name.givenName").
func wordChar(c byte) bool {
	return wordStart(c) || c == '_' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == ':'
}

// punctuation returns the kind of the one-byte token c, or tokEOF if c is
// not one.
func punctuation(c byte) tokenKind {
	switch c {
	case '(':
		return tokLParen
	case ')':
		return tokRParen
	case '[':
		return tokLBrack
	case ']':
		return tokRBrack
	case '.':
		return tokDot
	}
	return tokEOF
}

func (l *lexer) fail(pos int, msg string) {
	panic(&SyntaxError{Pos: pos, Msg: msg})
}

// next returns the next token.
func (l *lexer) next() token {
	in := l.input
	for l.pos < len(in) && isSpace(in[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= len(in) {
		return token{kind: tokEOF, pos: start}
	}
	c := in[start]
	if k := punctuation(c); k != tokEOF {
		l.pos++
		return token{kind: k, pos: start, text: in[start:l.pos]}
	}
	switch {
	case c == '"':
		return l.lexString()
	case c == '-' || '0' <= c && c <= '9':
		return l.lexNumber()
	case wordStart(c):
		l.pos++
		for l.pos < len(in) && wordChar(in[l.pos]) {
			l.pos++
		}
		return token{kind: tokWord, pos: start, text: in[start:l.pos]}
	}
	r, size := utf8.DecodeRuneInString(in[start:])
	if r == utf8.RuneError && size <= 1 {
		l.fail(start, "invalid UTF-8 encoding")
	}
	if c == '\'' {
		l.fail(start, "unexpected \"'\": strings are written in double quotes")
	}
	l.fail(start, "unexpected character "+strconv.QuoteRune(r))
	return token{}
}

// lexString scans a JSON string (RFC 8259 §7).
func (l *lexer) lexString() token {
	in := l.input
	start := l.pos
	l.pos++ // opening quote
	esc := false
	for l.pos < len(in) {
		c := in[l.pos]
		switch {
		case c == '"':
			l.pos++
			return token{kind: tokString, pos: start, text: in[start:l.pos], esc: esc}
		case c == '\\':
			esc = true
			if l.pos+1 >= len(in) {
				l.fail(start, "unterminated string")
			}
			switch in[l.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				l.pos += 2
			case 'u':
				if l.pos+6 > len(in) || !isHex4(in[l.pos+2:l.pos+6]) {
					l.fail(l.pos, `invalid escape: \u needs four hexadecimal digits`)
				}
				if utf16.IsSurrogate(hex4(in[l.pos+2:])) {
					l.lexSurrogates()
				}
				l.pos += 6
			default:
				_, size := utf8.DecodeRuneInString(in[l.pos+1:])
				l.fail(l.pos, "invalid escape "+strconv.Quote(in[l.pos:l.pos+1+size])+" in string")
			}
		case c < 0x20:
			l.fail(l.pos, "control character "+strconv.QuoteRune(rune(c))+" in string: escape it")
		case c < utf8.RuneSelf:
			l.pos++
		default:
			r, size := utf8.DecodeRuneInString(in[l.pos:])
			if r == utf8.RuneError && size <= 1 {
				l.fail(l.pos, "invalid UTF-8 encoding in string")
			}
			l.pos += size
		}
	}
	l.fail(start, "unterminated string")
	return token{}
}

// lexSurrogates checks that the \u escape at l.pos, a UTF-16 surrogate, is
// the first of a pair (RFC 8259 §7 writes a character beyond the Basic
// Multilingual Plane so; encoding/json would take a lone one for U+FFFD),
// and moves past the first.
func (l *lexer) lexSurrogates() {
	in := l.input
	hi := hex4(in[l.pos+2:])
	if hi < 0xDC00 && l.pos+12 <= len(in) && in[l.pos+6] == '\\' && in[l.pos+7] == 'u' && isHex4(in[l.pos+8:l.pos+12]) {
		if lo := hex4(in[l.pos+8:]); 0xDC00 <= lo && lo < 0xE000 {
			l.pos += 6
			return
		}
	}
	l.fail(l.pos, `invalid escape: \u`+in[l.pos+2:l.pos+6]+" is an unpaired surrogate")
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		if unhex(s[i]) < 0 {
			return false
		}
	}
	return true
}

func unhex(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

// lexNumber scans a JSON number (RFC 8259 §6):
// [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ].
func (l *lexer) lexNumber() token {
	in := l.input
	start := l.pos
	digits := func() int {
		n := 0
		for l.pos < len(in) && '0' <= in[l.pos] && in[l.pos] <= '9' {
			l.pos++
			n++
		}
		return n
	}
	bad := func() {
		end := l.pos
		for end < len(in) && (wordChar(in[end]) || in[end] == '+') {
			end++
		}
		l.fail(start, "invalid number "+strconv.Quote(in[start:end]))
	}
	if in[l.pos] == '-' {
		l.pos++
	}
	intStart := l.pos
	if n := digits(); n == 0 || n > 1 && in[intStart] == '0' {
		bad()
	}
	if l.pos < len(in) && in[l.pos] == '.' {
		l.pos++
		if digits() == 0 {
			bad()
		}
	}
	if l.pos < len(in) && (in[l.pos] == 'e' || in[l.pos] == 'E') {
		l.pos++
		if l.pos < len(in) && (in[l.pos] == '+' || in[l.pos] == '-') {
			l.pos++
		}
		if digits() == 0 {
			bad()
		}
	}
	if l.pos < len(in) && wordChar(in[l.pos]) {
		bad()
	}
	return token{kind: tokNumber, pos: start, text: in[start:l.pos]}
}

// unquote decodes the JSON string token t, which the lexer has checked,
// with encoding/json: a filter's strings are JSON strings (RFC 7644
// §3.4.2.2).
func unquote(t token) string {
	if !t.esc {
		return t.text[1 : len(t.text)-1]
	}
	var s string
	if err := json.Unmarshal([]byte(t.text), &s); err != nil {
		// The lexer checked the string: not expected, but an error, not a
		// wrong value.
		panic(&SyntaxError{Pos: t.pos, Msg: "invalid string: " + err.Error()})
	}
	return s
}

func hex4(s string) rune {
	return unhex(s[0])<<12 | unhex(s[1])<<8 | unhex(s[2])<<4 | unhex(s[3])
}
