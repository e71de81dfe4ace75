package filter

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Default limits of a [Parser].
const (
	// DefaultMaxLength is the longest input, in bytes, a zero Parser accepts.
	DefaultMaxLength = 64 << 10
	// DefaultMaxDepth is the deepest nesting of parentheses, "not" and
	// value filters a zero Parser accepts.
	DefaultMaxDepth = 64
	// MaxDepthLimit is the deepest nesting any Parser accepts, whatever its
	// MaxDepth: parsing, compiling, matching and printing recurse once per
	// level, and a deeper tree would put the stack at risk.
	MaxDepthLimit = 10000
)

// Parser parses filters and paths with configurable limits. The zero value
// uses [DefaultMaxLength] and [DefaultMaxDepth]. A Parser is safe for
// concurrent use.
type Parser struct {
	// MaxLength is the longest input in bytes; 0 means DefaultMaxLength.
	MaxLength int
	// MaxDepth is the deepest nesting; 0 means DefaultMaxDepth, and values
	// above MaxDepthLimit mean MaxDepthLimit.
	MaxDepth int
	// SubAttributeComparison accepts Entra ID's comparison on a
	// sub-attribute after a value filter, emails[type eq "work"].value eq
	// "a@example.com", which the grammar of RFC 7644 §3.4.2.2 allows only in
	// PATCH paths. It parses to the equivalent value filter (see "Entra ID's
	// sub-attribute comparison" in the package documentation). Off, the
	// form is a syntax error, as the RFC has it.
	SubAttributeComparison bool
}

// Parse parses a filter (RFC 7644 §3.4.2.2) with the default limits.
// Errors are *[SyntaxError].
func Parse(s string) (Expr, error) {
	var p Parser
	return p.Parse(s)
}

// Path is a PATCH operation path (RFC 7644 §3.5.2, "PATH"): attr, attr.sub,
// urn:...:attr, attr[filter] or attr[filter].sub. For the last form the
// sub-attribute is in Attr.Sub and the filter in Filter.
type Path struct {
	Attr   AttrPath
	Filter Expr // nil unless the path has a value filter
}

// String returns the path in canonical form.
func (p Path) String() string {
	if p.Filter == nil {
		return p.Attr.String()
	}
	vp := &ValuePath{Attr: AttrPath{URN: p.Attr.URN, Name: p.Attr.Name}, Filter: p.Filter}
	s := vp.String()
	if p.Attr.Sub != "" {
		s += "." + p.Attr.Sub
	}
	return s
}

// ParsePath parses a PATCH path with the default limits. Errors are
// *[SyntaxError].
func ParsePath(s string) (Path, error) {
	var p Parser
	return p.ParsePath(s)
}

func (p *Parser) limits() (maxLen, maxDepth int) {
	maxLen, maxDepth = DefaultMaxLength, DefaultMaxDepth
	if p != nil && p.MaxLength > 0 {
		maxLen = p.MaxLength
	}
	if p != nil && p.MaxDepth > 0 {
		maxDepth = min(p.MaxDepth, MaxDepthLimit)
	}
	return maxLen, maxDepth
}

// Parse parses a filter (RFC 7644 §3.4.2.2). Errors are *[SyntaxError].
func (p *Parser) Parse(s string) (e Expr, err error) {
	var ps parser
	if err := p.init(&ps, s, "filter"); err != nil {
		return nil, err
	}
	e, err = ps.parseFilter()
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (ps *parser) parseFilter() (e Expr, err error) {
	defer ps.recover(&err)
	ps.tok = ps.lex.next()
	e = ps.parseOr()
	if ps.tok.kind != tokEOF {
		ps.unexpected()
	}
	return e, nil
}

// ParsePath parses a PATCH path (RFC 7644 §3.5.2). Errors are
// *[SyntaxError].
func (p *Parser) ParsePath(s string) (path Path, err error) {
	var ps parser
	if err := p.init(&ps, s, "path"); err != nil {
		return Path{}, err
	}
	path, err = ps.parseWholePath()
	if err != nil {
		return Path{}, err
	}
	return path, nil
}

func (ps *parser) parseWholePath() (path Path, err error) {
	defer ps.recover(&err)
	ps.tok = ps.lex.next()
	return ps.parsePath(), nil
}

// init checks the input's length and prepares ps to parse it.
func (p *Parser) init(ps *parser, s, what string) error {
	maxLen, maxDepth := p.limits()
	if len(s) > maxLen {
		return &SyntaxError{Pos: 0, Msg: what + " longer than " + strconv.Itoa(maxLen) + " bytes", line: 1, col: 1}
	}
	*ps = parser{lex: lexer{input: s}, maxDepth: maxDepth, subCmp: p.SubAttributeComparison}
	return nil
}

// parser is a recursive-descent parser over the tokens of one input.
type parser struct {
	lex      lexer
	tok      token // the current token
	prev     token // the token before tok
	depth    int
	maxDepth int
	subCmp   bool // Parser.SubAttributeComparison
}

// recover turns a *SyntaxError panic into *errp, with its line and column.
// Other panics are bugs and keep going.
func (ps *parser) recover(errp *error) {
	r := recover()
	if r == nil {
		return
	}
	se, ok := r.(*SyntaxError)
	if !ok {
		panic(r)
	}
	se.line, se.col = lineCol(ps.lex.input, se.Pos)
	*errp = se
}

// lineCol returns the 1-based line and column (in characters) of byte
// offset pos in s.
func lineCol(s string, pos int) (line, col int) {
	if pos > len(s) {
		pos = len(s)
	}
	line = 1 + strings.Count(s[:pos], "\n")
	lineStart := strings.LastIndexByte(s[:pos], '\n') + 1
	return line, 1 + utf8.RuneCountInString(s[lineStart:pos])
}

func (ps *parser) fail(pos int, msg string) {
	panic(&SyntaxError{Pos: pos, Msg: msg})
}

// expected fails with "expected WHAT after PREV[, found TOK]".
func (ps *parser) expected(what string) { ps.expectedHint(what, "") }

// expectedHint is expected with a hint in parentheses at the end.
func (ps *parser) expectedHint(what, hint string) {
	msg := "expected " + what
	if ps.prev.text != "" {
		msg += " after " + ps.prev.describe()
	}
	if ps.tok.kind != tokEOF {
		msg += ", found " + ps.tok.describe()
	}
	if hint != "" {
		msg += " (" + hint + ")"
	}
	ps.fail(ps.tok.pos, msg)
}

// unexpected fails on a token that cannot follow a complete expression.
func (ps *parser) unexpected() {
	switch ps.tok.kind {
	case tokRParen:
		ps.fail(ps.tok.pos, `unexpected ")" without a matching "("`)
	case tokRBrack:
		ps.fail(ps.tok.pos, `unexpected "]" without a matching "["`)
	case tokDot:
		if ps.prev.kind == tokRBrack {
			ps.fail(ps.tok.pos, `unexpected "." after "]": a sub-attribute after a value filter is only allowed in a PATCH path`)
		}
	case tokLBrack:
		if ps.prev.kind == tokRBrack {
			ps.fail(ps.tok.pos, `unexpected "[" after "]": a value filter cannot be followed by another`)
		}
	}
	ps.expected(`"and", "or" or the end of the filter`)
}

func (ps *parser) advance() {
	ps.prev = ps.tok
	ps.tok = ps.lex.next()
}

// isKeyword reports whether the current token is the word kw, in any case.
func (ps *parser) isKeyword(kw string) bool {
	return ps.tok.kind == tokWord && strings.EqualFold(ps.tok.text, kw)
}

func (ps *parser) push() {
	ps.depth++
	if ps.depth > ps.maxDepth {
		ps.fail(ps.tok.pos, "nesting too deep (the limit is "+strconv.Itoa(ps.maxDepth)+")")
	}
}

// parseOr parses: andExpr *("or" andExpr). or is left-associative.
func (ps *parser) parseOr() Expr {
	left := ps.parseAnd()
	for ps.isKeyword("or") {
		ps.advance()
		left = &Or{Left: left, Right: ps.parseAnd()}
	}
	return left
}

// parseAnd parses: term *("and" term). and is left-associative.
func (ps *parser) parseAnd() Expr {
	left := ps.parseTerm()
	for ps.isKeyword("and") {
		ps.advance()
		left = &And{Left: left, Right: ps.parseTerm()}
	}
	return left
}

// parseTerm parses: "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath.
func (ps *parser) parseTerm() Expr {
	switch ps.tok.kind {
	case tokLParen:
		return ps.parseParens()
	case tokWord:
		switch {
		case ps.isKeyword("not"):
			ps.advance()
			if ps.tok.kind != tokLParen {
				ps.expected(`"("`)
			}
			return &Not{X: ps.parseParens()}
		case ps.isKeyword("and"), ps.isKeyword("or"):
			ps.expected("an attribute path")
		}
		return ps.parseAttrExpr()
	}
	ps.expected(`an attribute path or "("`)
	return nil
}

// parseParens parses "(" filter ")"; the current token is "(".
func (ps *parser) parseParens() Expr {
	return ps.parseNested(tokRParen, `")"`, `"("`)
}

// parseNested parses an opening token, a filter and the closing token
// closeKind; the current token is the opening one.
func (ps *parser) parseNested(closeKind tokenKind, closeText, openText string) Expr {
	openPos := ps.tok.pos // its column is counted only for an error: counting is linear in openPos
	ps.push()
	ps.advance()
	e := ps.parseOr()
	if ps.tok.kind != closeKind {
		if ps.tok.kind == tokEOF {
			_, openCol := lineCol(ps.lex.input, openPos)
			ps.fail(ps.tok.pos, "expected "+closeText+" to close the "+openText+" at column "+strconv.Itoa(openCol))
		}
		ps.expected(`"and", "or" or ` + closeText)
	}
	ps.advance()
	ps.depth--
	return e
}

// parseAttrExpr parses: attrPath "pr" / attrPath compareOp compValue /
// attrPath "[" valFilter "]". The current token is a word.
func (ps *parser) parseAttrExpr() Expr {
	path := ps.attrPath(ps.tok)
	ps.advance()
	switch ps.tok.kind {
	case tokLBrack:
		vp := ps.parseValuePath(path)
		if ps.tok.kind == tokDot && ps.subCmp {
			vp.Filter = &And{Left: vp.Filter, Right: ps.parseSubCompare()}
		}
		return vp
	case tokWord:
		if c, ok := ps.parseCompare(path); ok {
			return c
		}
	}
	ps.expected("an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) or \"[\"")
	return nil
}

// parseCompare parses compareOp compValue / "pr" after path. It returns
// false, having consumed nothing, when the current token is no operator.
func (ps *parser) parseCompare(path AttrPath) (*Compare, bool) {
	if ps.tok.kind != tokWord {
		return nil, false
	}
	op, ok := opByName(ps.tok.text)
	if !ok {
		return nil, false
	}
	ps.advance()
	if op == Pr {
		return &Compare{Attr: path, Op: Pr}, true
	}
	v := ps.value()
	ps.advance()
	return &Compare{Attr: path, Op: op, Value: v}, true
}

// parseSubCompare parses the extension "." subAttr (compareOp compValue /
// "pr") after a value filter, as in Entra ID's
// emails[type eq "work"].value eq "a@example.com"; the current token is
// ".". The comparison is returned with the sub-attribute as its attribute
// name, for the caller to join to the value filter with "and" (see "Entra
// ID's sub-attribute comparison" in doc.go).
func (ps *parser) parseSubCompare() *Compare {
	sub := ps.subAttr()
	if c, ok := ps.parseCompare(AttrPath{Name: sub}); ok {
		return c
	}
	ps.expected("an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)")
	return nil
}

// subAttr parses "." ATTRNAME after a value filter and returns the name;
// the current token is ".".
func (ps *parser) subAttr() string {
	ps.advance()
	if ps.tok.kind != tokWord || ps.tok.pos != ps.prev.pos+1 {
		ps.expected("a sub-attribute name")
	}
	if strings.ContainsAny(ps.tok.text, ".:") {
		ps.fail(ps.tok.pos, "invalid sub-attribute name "+strconv.Quote(ps.tok.text))
	}
	ps.checkName(ps.tok.pos, ps.tok.text, "a sub-attribute name")
	name := ps.tok.text
	ps.advance()
	return name
}

// parseValuePath parses "[" valFilter "]" after path; the current token is "[".
func (ps *parser) parseValuePath(path AttrPath) *ValuePath {
	if path.Sub != "" {
		ps.fail(ps.prev.pos, "a value filter applies to an attribute, not to the sub-attribute "+strconv.Quote(path.String()))
	}
	f := ps.parseNested(tokRBrack, `"]"`, `"["`)
	return &ValuePath{Attr: path, Filter: f}
}

// value parses compValue: false / null / true / number / string.
func (ps *parser) value() any {
	t := ps.tok
	switch t.kind {
	case tokString:
		return unquote(t)
	case tokNumber:
		return json.Number(t.text)
	case tokWord:
		switch t.text {
		case "true":
			return true
		case "false":
			return false
		case "null":
			return nil
		}
		switch strings.ToLower(t.text) {
		case "true", "false", "null":
			ps.expectedHint("a value", "JSON literals are lower-case")
		}
		ps.expectedHint("a value", "strings are written in double quotes")
	}
	ps.expected("a value")
	return nil
}

// attrPath splits and checks the word t as an attribute path:
// [URI ":"] ATTRNAME *("." ATTRNAME).
func (ps *parser) attrPath(t token) AttrPath {
	var p AttrPath
	s := t.text
	rest, off := s, 0
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p.URN = s[:i]
		rest, off = s[i+1:], i+1
		if rest == "" {
			ps.fail(t.pos+len(s), "expected an attribute name after the schema URN "+strconv.Quote(p.URN))
		}
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	p.Name = name
	ps.checkName(t.pos+off, name, "an attribute name")
	if hasSub {
		p.Sub = sub
		pos := t.pos + off + len(name) + 1
		for {
			seg, more, ok := strings.Cut(sub, ".")
			ps.checkName(pos, seg, "a sub-attribute name after \".\"")
			if !ok {
				break
			}
			pos += len(seg) + 1
			sub = more
		}
	}
	return p
}

// checkName checks ATTRNAME = (ALPHA / "$") *(ALPHA / DIGIT / "-" / "_" / "$").
func (ps *parser) checkName(pos int, name, what string) {
	if name == "" {
		ps.fail(pos, "expected "+what)
	}
	if !wordStart(name[0]) {
		ps.fail(pos, "invalid attribute name "+strconv.Quote(name)+": it must start with a letter")
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; c == ':' || c == '.' {
			ps.fail(pos+i, "invalid attribute name "+strconv.Quote(name))
		}
	}
}

// parsePath parses PATH = attrPath / valuePath [subAttr].
func (ps *parser) parsePath() Path {
	if ps.tok.kind != tokWord {
		ps.expected("an attribute path")
	}
	var path Path
	path.Attr = ps.attrPath(ps.tok)
	ps.advance()
	if ps.tok.kind == tokLBrack {
		vp := ps.parseValuePath(path.Attr)
		path.Filter = vp.Filter
		if ps.tok.kind == tokDot {
			path.Attr.Sub = ps.subAttr()
		}
	}
	if ps.tok.kind != tokEOF {
		switch ps.tok.kind {
		case tokRBrack:
			ps.fail(ps.tok.pos, `unexpected "]" without a matching "["`)
		}
		ps.expected(`"[", "." or the end of the path`)
	}
	return path
}
