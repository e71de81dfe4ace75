package filter

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Expr is a node of a parsed filter: *[Compare], *[And], *[Or], *[Not] or
// *[ValuePath].
//
// The interface is sealed (it has an unexported method) so that code that
// walks or translates a filter, such as a store turning it into SQL, can
// rely on a type switch over these five types being complete.
type Expr interface {
	// String returns the canonical form of the expression: lower-case
	// operators, JSON literals, single spaces and only the parentheses that
	// precedence needs. Parse(e.String()) returns a tree equal to e.
	String() string
	expr()
}

// AttrPath names an attribute (RFC 7644 §3.4.2.2, "attrPath"): an optional
// schema URN, the attribute name and an optional sub-attribute.
// "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName" is
// {URN: "urn:ietf:params:scim:schemas:core:2.0:User", Name: "name", Sub: "givenName"}.
//
// Names keep the case they were written in; compare them with
// strings.EqualFold. Sub may hold more than one dot-separated name
// ("a.b.c" is {Name: "a", Sub: "b.c"}): no built-in schema has such paths, but
// a filter may reach into a nested attribute no schema defines.
type AttrPath struct {
	URN  string
	Name string
	Sub  string
}

// String returns the path as written in a filter.
func (p AttrPath) String() string {
	n := len(p.Name)
	if p.URN != "" {
		n += len(p.URN) + 1
	}
	if p.Sub != "" {
		n += len(p.Sub) + 1
	}
	var b strings.Builder
	b.Grow(n)
	p.write(&b)
	return b.String()
}

func (p AttrPath) write(b *strings.Builder) {
	if p.URN != "" {
		b.WriteString(p.URN)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
}

// Op is a comparison operator (RFC 7644 §3.4.2.2, Table 3).
type Op uint8

// The comparison operators. The zero Op is not an operator.
const (
	Eq Op = iota + 1 // equal
	Ne               // not equal
	Co               // contains
	Sw               // starts with
	Ew               // ends with
	Gt               // greater than
	Ge               // greater than or equal to
	Lt               // less than
	Le               // less than or equal to
	Pr               // present (has value)
)

var opNames = [...]string{Eq: "eq", Ne: "ne", Co: "co", Sw: "sw", Ew: "ew", Gt: "gt", Ge: "ge", Lt: "lt", Le: "le", Pr: "pr"}

// String returns the operator as written in a filter: "eq", "ne", ...
func (o Op) String() string {
	if o >= Eq && o <= Pr {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// opByName returns the operator called name (case-insensitively).
func opByName(name string) (Op, bool) {
	if len(name) != 2 {
		return 0, false
	}
	for o := Eq; o <= Pr; o++ {
		n := opNames[o]
		if lower(name[0]) == n[0] && lower(name[1]) == n[1] {
			return o, true
		}
	}
	return 0, false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Compare is an attribute expression: "Attr Op Value", or "Attr pr".
//
// Value is the compared JSON literal: a string, a bool, nil (for null) or a
// json.Number (its exact text); it is nil for [Pr].
type Compare struct {
	Attr  AttrPath
	Op    Op
	Value any
}

// And is "Left and Right".
type And struct {
	Left, Right Expr
}

// Or is "Left or Right".
type Or struct {
	Left, Right Expr
}

// Not is "not (X)".
type Not struct {
	X Expr
}

// ValuePath is a value filter on a multi-valued (or complex) attribute,
// "Attr[Filter]", as in emails[type eq "work" and value co "@example.com"].
// The attribute paths inside Filter are relative to an element of Attr, and
// all the conditions of Filter must hold for the same element.
// Attr.Sub is always empty.
type ValuePath struct {
	Attr   AttrPath
	Filter Expr
}

func (*Compare) expr()   {}
func (*And) expr()       {}
func (*Or) expr()        {}
func (*Not) expr()       {}
func (*ValuePath) expr() {}

// Walk calls fn for e and, when fn returns true, walks the children of e in
// order (And and Or: Left, then Right; Not: X; ValuePath: Filter). It is the
// shape of go/ast.Inspect. A nil e is not visited.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *And:
		Walk(e.Left, fn)
		Walk(e.Right, fn)
	case *Or:
		Walk(e.Left, fn)
		Walk(e.Right, fn)
	case *Not:
		Walk(e.X, fn)
	case *ValuePath:
		Walk(e.Filter, fn)
	}
}

// precedence levels for printing
const (
	precOr = iota + 1
	precAnd
	precTerm
)

func prec(e Expr) int {
	switch e.(type) {
	case *Or:
		return precOr
	case *And:
		return precAnd
	}
	return precTerm
}

// String returns the canonical form of e (see [Expr]).
func (e *Compare) String() string { return exprString(e) }

// String returns the canonical form of e (see [Expr]).
func (e *And) String() string { return exprString(e) }

// String returns the canonical form of e (see [Expr]).
func (e *Or) String() string { return exprString(e) }

// String returns the canonical form of e (see [Expr]).
func (e *Not) String() string { return exprString(e) }

// String returns the canonical form of e (see [Expr]).
func (e *ValuePath) String() string { return exprString(e) }

func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// writeParen writes e, in parentheses when its precedence is below min.
func writeParen(b *strings.Builder, e Expr, min int) {
	if e != nil && prec(e) < min {
		b.WriteByte('(')
		writeExpr(b, e)
		b.WriteByte(')')
		return
	}
	writeExpr(b, e)
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case nil:
		b.WriteString("<nil>")
	case *Compare:
		e.Attr.write(b)
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		if e.Op != Pr {
			b.WriteByte(' ')
			writeValue(b, e.Value)
		}
	case *And:
		// and is left-associative: a right operand of the same
		// precedence needs parentheses to print back to the same tree.
		writeParen(b, e.Left, precAnd)
		b.WriteString(" and ")
		writeParen(b, e.Right, precAnd+1)
	case *Or:
		writeParen(b, e.Left, precOr)
		b.WriteString(" or ")
		writeParen(b, e.Right, precOr+1)
	case *Not:
		b.WriteString("not (")
		writeExpr(b, e.X)
		b.WriteByte(')')
	case *ValuePath:
		e.Attr.write(b)
		b.WriteByte('[')
		writeExpr(b, e.Filter)
		b.WriteByte(']')
	}
}

// writeValue writes v as a JSON literal.
func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		writeString(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(string(v))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case float32:
		b.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	default:
		b.WriteString("<invalid value>")
	}
}

const hexDigits = "0123456789abcdef"

// writeString writes s as a JSON string. Invalid UTF-8 is written as U+FFFD.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20 || c == 0x7f:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	b.WriteByte('"')
}
