package filter

// CompileOption configures [Compile]. Only this package creates them.
type CompileOption interface {
	apply(*compileConfig)
}

type compileConfig struct {
	strict bool
}

type strictOption struct{}

func (strictOption) apply(c *compileConfig) { c.strict = true }

// Strict makes an attribute that the resource type does not define an
// error (*[SchemaError]) instead of an attribute compared by its JSON type.
func Strict() CompileOption { return strictOption{} }

// Filter is a compiled filter: its attributes are resolved against a
// resource type once, so that Match is fast. A Filter is safe for
// concurrent use.
type Filter struct {
	expr Expr
	root matcher
}

type matcher interface {
	match(obj map[string]any) bool
}

// Compile resolves e against rt and returns the compiled filter. A nil rt
// compares every attribute by its JSON type. Errors are *[SchemaError].
func Compile(e Expr, rt *ResourceType, opts ...CompileOption) (*Filter, error) {
	return nil, &SchemaError{Msg: "not implemented"}
}

// Expr returns the expression f was compiled from.
func (f *Filter) Expr() Expr { return f.expr }

// String returns the canonical form of the filter's expression.
func (f *Filter) String() string { return f.expr.String() }

// Match reports whether resource matches f. It does not allocate when the
// resource does not match, and never panics on odd data: a value of the
// wrong JSON type simply does not match.
func (f *Filter) Match(resource map[string]any) bool {
	if f == nil || f.root == nil || resource == nil {
		return false
	}
	return f.root.match(resource)
}

// Match compiles e under rt and matches resource against it. Use [Compile]
// to match many resources.
func Match(e Expr, resource map[string]any, rt *ResourceType) (bool, error) {
	f, err := Compile(e, rt)
	if err != nil {
		return false, err
	}
	return f.Match(resource), nil
}
