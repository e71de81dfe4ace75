package filter

// Default limits of a [Parser].
const (
	// DefaultMaxLength is the longest input, in bytes, a zero Parser accepts.
	DefaultMaxLength = 64 << 10
	// DefaultMaxDepth is the deepest nesting of parentheses, "not" and
	// value filters a zero Parser accepts.
	DefaultMaxDepth = 64
)

// Parser parses filters and paths with configurable limits. The zero value
// uses [DefaultMaxLength] and [DefaultMaxDepth]. A Parser is safe for
// concurrent use.
type Parser struct {
	// MaxLength is the longest input in bytes; 0 means DefaultMaxLength.
	MaxLength int
	// MaxDepth is the deepest nesting; 0 means DefaultMaxDepth.
	MaxDepth int
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

// Parse parses a filter. Errors are *[SyntaxError].
func (p *Parser) Parse(s string) (Expr, error) {
	return nil, &SyntaxError{Msg: "not implemented"}
}

// ParsePath parses a PATCH path. Errors are *[SyntaxError].
func (p *Parser) ParsePath(s string) (Path, error) {
	return Path{}, &SyntaxError{Msg: "not implemented"}
}
