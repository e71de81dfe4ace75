package filter

import "strconv"

// Budget bounds the work of matching filters, so that a filter over large
// resources (a user with tens of thousands of emails, a filter of many
// clauses, many resources) is refused instead of evaluated for minutes. Each
// value a comparison tests, and each element of a multi-valued attribute a
// path walks through, costs one unit.
//
// The filters compiled with [WithBudget] charge their Match to it. Once more
// units were needed than the budget holds, Match answers false without
// further work and [Budget.Err] returns a *[BudgetError]: the caller then
// discards what those matches answered and reports the error. A Budget is
// not safe for concurrent use, and neither are the filters compiled with
// it; give each request its own.
type Budget struct {
	limit int
	left  int
}

// NewBudget returns a Budget of n units.
func NewBudget(n int) *Budget {
	return &Budget{limit: n, left: n}
}

// Charge spends n units of b on work done outside a filter (a caller may
// share one budget between its filters and its own comparisons), and
// returns b's error once more than its units were needed.
func (b *Budget) Charge(n int) error {
	b.spend(n)
	return b.Err()
}

// Err returns a *[BudgetError] when more units were needed than b holds,
// and nil otherwise.
func (b *Budget) Err() error {
	if b == nil || b.left >= 0 {
		return nil
	}
	return &BudgetError{Limit: b.limit}
}

// spend takes n units from b and reports whether it still had them. A nil
// Budget is unlimited.
func (b *Budget) spend(n int) bool {
	if b == nil {
		return true
	}
	if b.left < 0 {
		return false
	}
	b.left -= n
	return b.left >= 0
}

// spent reports whether b has run out.
func (b *Budget) spent() bool { return b != nil && b.left < 0 }

// BudgetError reports a filter evaluation that needed more work than its
// [Budget] allows. The scim package answers it with 400 and scimType
// "tooMany" (RFC 7644 §3.12: more than the server is willing to process).
type BudgetError struct {
	// Limit is the budget's size in units.
	Limit int
}

// Error returns "filter: the filter needs more than LIMIT comparisons".
func (e *BudgetError) Error() string {
	return "filter: the filter needs more than " + strconv.Itoa(e.Limit) + " comparisons of values; narrow it or the resources it is applied to"
}

type budgetOption struct{ b *Budget }

func (o budgetOption) apply(c *compileConfig) { c.budget = o.b }

// WithBudget makes the compiled filter charge its work to b (see [Budget]).
// A nil b is no limit.
func WithBudget(b *Budget) CompileOption { return budgetOption{b} }
