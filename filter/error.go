package filter

import "strconv"

// SyntaxError reports a filter or path that does not follow the grammar of
// RFC 7644 §3.4.2.2, or that is longer or deeper than the parser allows.
// The scim package answers it with 400 and scimType "invalidFilter"
// (or "invalidPath" for a PATCH path).
type SyntaxError struct {
	// Pos is the byte offset in the input where the problem was found.
	Pos int
	// Msg says what was wrong or what was expected, without the position.
	Msg string

	line, col int // 1-based; computed by the parser from the input
}

// Error returns "filter: LINE:COLUMN: MSG", with the column counted in
// characters from 1.
func (e *SyntaxError) Error() string {
	line, col := e.line, e.col
	if line == 0 {
		line, col = 1, e.Pos+1
	}
	return "filter: " + strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": " + e.Msg
}

// SchemaError reports a filter that is well formed but does not fit the
// schema it is compiled under: an operator that does not apply to the
// attribute's type (gt on a boolean), a value of the wrong type, or an
// unknown attribute in [Strict] mode. The scim package answers it with 400
// and scimType "invalidFilter".
type SchemaError struct {
	// Attr is the attribute path as written in the filter.
	Attr string
	// Msg says what is wrong.
	Msg string
}

// Error returns "filter: ATTR: MSG".
func (e *SchemaError) Error() string {
	if e.Attr == "" {
		return "filter: " + e.Msg
	}
	return "filter: " + e.Attr + ": " + e.Msg
}
