package filter

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// CompileOption configures [Compile]. Only this package creates them.
type CompileOption interface {
	apply(*compileConfig)
}

type compileConfig struct {
	strict bool
	budget *Budget
}

type strictOption struct{}

func (strictOption) apply(c *compileConfig) { c.strict = true }

// Strict makes an attribute that the resource type does not define an
// error (*[SchemaError]) instead of an attribute compared by its JSON type.
// Under a nil resource type, which defines none, every attribute is then an
// error.
func Strict() CompileOption { return strictOption{} }

// Filter is a compiled filter: its attributes are resolved against a
// resource type once, so that Match is fast. A Filter is safe for
// concurrent use, unless it was compiled [WithBudget].
type Filter struct {
	expr   Expr
	root   matcher
	budget *Budget
}

// Compile resolves e against rt and returns the compiled filter.
//
// Attributes are looked up as [ResourceType.Resolve] does. An attribute that
// rt does not define is compared by the JSON type of its value, strings
// case-insensitively, unless [Strict] is given, which makes it an error. A
// nil rt defines no attribute. Errors are *[SchemaError]: an operator that
// does not fit the attribute's type (gt on a boolean or binary attribute, co
// on a number), a value of the wrong type (userName eq 5), a dateTime value
// that is not one, or an unknown attribute in strict mode.
func Compile(e Expr, rt *schema.ResourceType, opts ...CompileOption) (*Filter, error) {
	c := compiler{rt: rt}
	for _, o := range opts {
		if o != nil {
			o.apply(&c.cfg)
		}
	}
	m, err := c.compile(e, scope{top: true})
	if err != nil {
		return nil, err
	}
	return &Filter{expr: e, root: m, budget: c.cfg.budget}, nil
}

// Expr returns the expression f was compiled from.
func (f *Filter) Expr() Expr { return f.expr }

// String returns the canonical form of the filter's expression.
func (f *Filter) String() string { return f.expr.String() }

// Match reports whether resource matches f. It does not allocate when the
// resource does not match, and never panics on odd data: a value of the
// wrong JSON type simply does not match. Under a spent [Budget] it answers
// false, and the Budget's Err says why.
func (f *Filter) Match(resource map[string]any) bool {
	if f == nil || f.root == nil || resource == nil || f.budget.spent() {
		return false
	}
	return f.root.match(resource)
}

// Match compiles e under rt and matches resource against it. Use [Compile]
// to match many resources.
func Match(e Expr, resource map[string]any, rt *schema.ResourceType) (bool, error) {
	f, err := Compile(e, rt)
	if err != nil {
		return false, err
	}
	return f.Match(resource), nil
}

// compiler turns an Expr into matchers under a resource type.
type compiler struct {
	rt  *schema.ResourceType
	cfg compileConfig
}

// scope is where attribute paths start: the resource, or an element of the
// attribute a value filter applies to.
type scope struct {
	top    bool
	parent *schema.Attribute // inside a value filter: the attribute, nil if unknown
	outer  *scope            // inside a value filter: the scope the value filter is in
	attr   AttrPath          // inside a value filter: the attribute it applies to
}

// name returns p's full path for messages (emails.type inside
// emails[...]). It is built only for an error: building it for every nested
// value filter would cost time quadratic in the nesting.
func (sc scope) name(p AttrPath) string {
	if sc.top || sc.outer == nil {
		return p.String()
	}
	return sc.outer.name(sc.attr) + "." + p.String()
}

func (c *compiler) compile(e Expr, sc scope) (matcher, error) {
	switch e := e.(type) {
	case *Compare:
		if e != nil {
			return c.compileCompare(e, sc)
		}
	case *And:
		if e != nil {
			l, r, err := c.compile2(e.Left, e.Right, sc)
			if err != nil {
				return nil, err
			}
			return &andMatcher{l, r}, nil
		}
	case *Or:
		if e != nil {
			l, r, err := c.compile2(e.Left, e.Right, sc)
			if err != nil {
				return nil, err
			}
			return &orMatcher{l, r}, nil
		}
	case *Not:
		if e != nil {
			x, err := c.compile(e.X, sc)
			if err != nil {
				return nil, err
			}
			return &notMatcher{x}, nil
		}
	case *ValuePath:
		if e != nil {
			return c.compileValuePath(e, sc)
		}
	}
	return nil, &SchemaError{Msg: "missing expression"}
}

func (c *compiler) compile2(l, r Expr, sc scope) (matcher, matcher, error) {
	lm, err := c.compile(l, sc)
	if err != nil {
		return nil, nil, err
	}
	rm, err := c.compile(r, sc)
	if err != nil {
		return nil, nil, err
	}
	return lm, rm, nil
}

// resolve returns the keys that lead from the scope's object to the value
// of p, and the attribute p names, or nil when it is not defined. Defined
// names are keyed as the schema spells them, the rest as written.
func (c *compiler) resolve(p AttrPath, sc scope) ([]string, *schema.Attribute, error) {
	if p.Name == "" {
		return nil, nil, &SchemaError{Attr: sc.name(p), Msg: "missing attribute name"}
	}
	if !sc.top && p.URN != "" {
		return nil, nil, &SchemaError{Attr: sc.name(p), Msg: "an attribute in a value filter cannot name a schema URN"}
	}
	keys, cur := c.first(p, sc)
	name, rest := p.Name, p.Sub
	for {
		if cur != nil {
			keys = append(keys, cur.Name)
		} else {
			keys = append(keys, name)
		}
		if rest == "" {
			break
		}
		name, rest, _ = strings.Cut(rest, ".")
		cur = cur.Sub(name)
	}
	if cur == nil && c.cfg.strict {
		return nil, nil, &SchemaError{Attr: sc.name(p), Msg: "unknown attribute"}
	}
	return keys, cur, nil
}

// first returns the top-level attribute p.Name names in scope sc, or nil,
// and the keys that lead to the object that holds it: an extension's URN.
func (c *compiler) first(p AttrPath, sc scope) ([]string, *schema.Attribute) {
	if !sc.top {
		return nil, sc.parent.Sub(p.Name)
	}
	if p.URN != "" {
		s := c.rt.SchemaFor(p.URN)
		switch {
		case s == nil:
			return []string{p.URN}, nil
		case s == c.rt.Schema:
			return nil, s.Attr(p.Name)
		}
		return []string{s.ID}, s.Attr(p.Name)
	}
	if c.rt == nil {
		return nil, nil
	}
	if a := c.rt.Schema.Attr(p.Name); a != nil {
		return nil, a
	}
	for _, ext := range c.rt.Extensions {
		if a := ext.Schema.Attr(p.Name); a != nil {
			return []string{ext.Schema.ID}, a
		}
	}
	return nil, nil
}

func (c *compiler) compileValuePath(e *ValuePath, sc scope) (matcher, error) {
	if e.Attr.Sub != "" {
		return nil, &SchemaError{Attr: sc.name(e.Attr), Msg: "a value filter applies to an attribute, not to a sub-attribute"}
	}
	keys, a, err := c.resolve(e.Attr, sc)
	if err != nil {
		return nil, err
	}
	if a != nil && a.Type != schema.TypeComplex && !a.MultiValued {
		return nil, &SchemaError{Attr: sc.name(e.Attr), Msg: "a value filter needs a multi-valued or complex attribute"}
	}
	inner, err := c.compile(e.Filter, scope{parent: a, outer: &sc, attr: e.Attr})
	if err != nil {
		return nil, err
	}
	return &valuePathMatcher{keys: keys, inner: inner, b: c.cfg.budget}, nil
}

func (c *compiler) compileCompare(e *Compare, sc scope) (matcher, error) {
	keys, a, err := c.resolve(e.Attr, sc)
	if err != nil {
		return nil, err
	}
	m := &cmpMatcher{keys: keys, op: e.Op, b: c.cfg.budget}
	msg := m.setOperation(e.Op, e.Value, a)
	if msg != "" {
		return nil, &SchemaError{Attr: sc.name(e.Attr), Msg: msg}
	}
	return m, nil
}

// setOperation sets up m to apply op with the filter's value v to the
// attribute a (nil when the schema does not define it). It returns what is
// wrong, or "".
func (m *cmpMatcher) setOperation(op Op, v any, a *schema.Attribute) string {
	switch op {
	case Pr:
		return ""
	case Ne:
		m.op, m.neg = Eq, true
	default:
		if op < Eq || op > Pr {
			return "invalid operator " + op.String()
		}
	}

	// the filter's value
	var lit valueKind
	switch x := v.(type) {
	case nil:
		// eq null: not present; ne null: present
		if m.op != Eq {
			return `null can only be compared with "eq" or "ne"`
		}
		m.op, m.neg = Pr, !m.neg
		return ""
	case string:
		lit, m.str = kindString, x
	case bool:
		lit, m.boolean = kindBool, x
	default:
		f, ok := toFloat(x)
		if !ok || math.IsNaN(f) {
			return fmt.Sprintf("invalid value %v (%T)", x, x)
		}
		lit, m.num = kindNumber, f
		m.integer, m.isInt = toInt(x)
	}

	// the attribute's type: a complex attribute compares its "value"
	t, exact := schema.Type(""), false
	if a != nil {
		t, exact = a.Type, a.CaseExact
		if t == schema.TypeComplex {
			sub := a.Sub("value")
			if sub == nil {
				return `a complex attribute without a "value" sub-attribute cannot be compared; name a sub-attribute`
			}
			t, exact = sub.Type, sub.CaseExact
		}
	}
	m.valueSub = a == nil || a.Type == schema.TypeComplex
	ordering := m.op == Gt || m.op == Ge || m.op == Lt || m.op == Le
	substring := m.op == Co || m.op == Sw || m.op == Ew
	notFor := func(what string) string { return `"` + op.String() + `" does not apply to a ` + what }
	mismatch := func(k valueKind) bool { return lit != k }
	takes := func(what string) string {
		return fmt.Sprintf("this %s attribute takes %s, not %s", t, what, litString(v))
	}
	switch t {
	case schema.TypeString, schema.TypeReference, schema.TypeBinary:
		switch {
		case mismatch(kindString):
			return takes("a string")
		case t == schema.TypeBinary && ordering:
			return notFor("binary attribute")
		}
		m.kind, m.exact = kindString, exact
	case schema.TypeDateTime:
		if mismatch(kindString) {
			return takes("a dateTime string")
		}
		m.kind = kindDateTime
		if !substring {
			when, ok := parseDateTime(m.str)
			if !ok {
				return strconv.Quote(m.str) + " is not a dateTime (RFC 7643 §2.3.5)"
			}
			m.when = when
		}
	case schema.TypeBoolean:
		switch {
		case mismatch(kindBool):
			return takes("true or false")
		case m.op != Eq:
			return notFor("boolean attribute")
		}
		m.kind = kindBool
	case schema.TypeInteger, schema.TypeDecimal:
		switch {
		case mismatch(kindNumber):
			return takes("a number")
		case substring:
			return notFor("number attribute")
		}
		m.kind = kindNumber
	default: // not defined by the schema: by the JSON type of the value
		switch {
		case lit == kindBool && m.op != Eq:
			return notFor("boolean value")
		case lit == kindNumber && substring:
			return notFor("number value")
		}
		m.kind = lit
	}
	if m.op == Co && !m.exact && (m.kind == kindString || m.kind == kindDateTime) {
		m.needle = newFoldNeedle(m.str)
	}
	return ""
}

// litString returns v as written in a filter, for messages.
func litString(v any) string {
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}
