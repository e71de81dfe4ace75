package patch

import (
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/scimjson"
)

// Bounds on what Decode and Apply accept. A request body nested too deep is
// refused before it is read, with an *Error of type invalidSyntax; too many
// operations are refused before any is applied, and a value nested too deep
// or past MaxComparisons fails its operation, with type invalidValue.
const (
	// MaxOperations is the largest number of operations in one request.
	MaxOperations = 1000
	// MaxDepth is the deepest nesting of JSON arrays and objects in a request
	// body (the request object itself is depth 1, so an operation's value may
	// be nested MaxDepth-3 levels deep), in an operation's value given to
	// Apply, and in an attribute of the resource an operation writes (the
	// resource itself being depth 1).
	MaxDepth = 32
	// MaxComparisons is the most work one Apply does on the values of
	// multi-valued attributes, in units: each operation costs one unit per
	// value of the attribute it names (it may walk them all), a value
	// filter one more per value it looks at and per comparison it makes
	// there (filter.Budget), and finding the values an add duplicates or
	// a remove lists one per value-by-value comparison, for values without
	// a string "value" to look them up by (an index finds those). A
	// request that needs more is refused with invalidValue before it is
	// done: otherwise operations × values × filter clauses is unbounded
	// (a thousand operations with a 45-clause filter each, over 40,000
	// emails, took a minute).
	MaxComparisons = 1 << 22
)

func tooManyOperations(n int) *Error {
	return &Error{Index: -1, Type: TypeInvalidValue, Msg: fmt.Sprintf("%d operations, at most %d are allowed", n, MaxOperations)}
}

// compare accounts for n value-by-value comparisons (see walk).
func (a *applier) compare(n int) *opError { return a.walk(n) }

// walk spends n units of the request's budget, and refuses the request once
// it has needed more than MaxComparisons.
func (a *applier) walk(n int) *opError {
	if n == 0 {
		return nil
	}
	return a.overBudget(a.work().Charge(n))
}

// work returns the request's budget, made on first use.
func (a *applier) work() *filter.Budget {
	if a.budget == nil {
		a.budget = filter.NewBudget(MaxComparisons)
	}
	return a.budget
}

// overBudget turns the budget's error, once spent, into the operation's.
func (a *applier) overBudget(err error) *opError {
	if err == nil {
		return nil
	}
	return &opError{typ: TypeInvalidValue, msg: fmt.Sprintf("the request needs more than %d units of work on the values of multi-valued attributes (patch.MaxComparisons: one per value an operation or a filter clause looks at); send fewer operations, narrower filters, or split the request", MaxComparisons), err: err}
}

// values returns how many values the attribute t names holds now (0 for a
// single value or none), without touching it.
func (a *applier) values(t *target) int {
	m := a.res
	if t.ext {
		em, _ := get(a.res, t.schema.ID)
		m, _ = em.(map[string]any)
	}
	v, _ := current(m, t)
	list, _ := v.([]any)
	return len(list)
}

// The nesting of JSON is bounded for each input: Decode scans the request
// body's text (checkDepth) before encoding/json decodes it, so that a
// hostile body costs one linear scan; Apply checks each attribute of the
// resource an operation is about to write (touch calls checkNesting), and
// copyValue and coerce count the depth of the operations' values they copy,
// so that no recursion over a value goes deeper than MaxDepth.

// checkDepth refuses JSON text nested deeper than MaxDepth: invalidSyntax,
// since the body's structure is refused before it is read, as a too-deep
// body of any other SCIM request is.
func checkDepth(data []byte) *Error {
	if scimjson.Deeper(data, MaxDepth) {
		return &Error{Index: -1, Type: TypeInvalidSyntax, Msg: fmt.Sprintf("request body is nested deeper than %d levels", MaxDepth)}
	}
	return nil
}

// tooDeep is the error for a value nested deeper than MaxDepth.
func tooDeep() *opError {
	return errorf(TypeInvalidValue, "value nested deeper than %d levels", MaxDepth)
}

// checkNesting returns the error copyValue(v, depth) would return, without
// copying.
func checkNesting(v any, depth int) *opError {
	switch v := v.(type) {
	case map[string]any:
		if depth > MaxDepth {
			return tooDeep()
		}
		for _, e := range v {
			if err := checkNesting(e, depth+1); err != nil {
				return err
			}
		}
	case []any:
		return checkList(v, depth)
	case []string:
		if depth > MaxDepth {
			return tooDeep()
		}
	case []map[string]any:
		return checkList(v, depth)
	}
	return nil
}

// checkList is checkNesting for an array.
func checkList[T any](list []T, depth int) *opError {
	if depth > MaxDepth {
		return tooDeep()
	}
	for _, e := range list {
		if err := checkNesting(e, depth+1); err != nil {
			return err
		}
	}
	return nil
}
