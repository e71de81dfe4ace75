package filter_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// bigUser is a user with n emails, as issue 17's reproduction had (40,000).
func bigUser(n int) map[string]any {
	emails := make([]any, n)
	for i := range emails {
		emails[i] = map[string]any{"value": fmt.Sprintf("u%d@example.com", i), "type": "work"}
	}
	return map[string]any{"userName": "big", "emails": emails}
}

// orClauses is a value filter of n `value co` clauses joined by or, the
// shape of the reproduction's PATCH paths.
func orClauses(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`value co "zq%d"`, i)
	}
	return "emails[" + strings.Join(parts, " or ") + "]"
}

// TestBudget checks that a filter compiled with a budget stops once the
// work its matches need exceeds it, and says so, while the same filter
// within its budget answers as without one.
func TestBudget(t *testing.T) {
	rt := schema.User()
	user := bigUser(1000)
	cases := []struct {
		name   string
		filter string
		budget int
		over   bool
	}{
		{"45 clauses over 1,000 emails, within", orClauses(45), 1_000 * 47, false},
		{"45 clauses over 1,000 emails, beyond", orClauses(45), 1_000 * 40, true},
		{"one clause over every email, beyond", `emails.value eq "nobody@example.com"`, 500, true},
		{"pr on a long array of empties", `title pr or emails.display pr`, 100, true},
		{"a top-level comparison", `userName eq "big"`, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := filter.Parse(tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			free, err := filter.Compile(e, rt)
			if err != nil {
				t.Fatal(err)
			}
			b := filter.NewBudget(tc.budget)
			f, err := filter.Compile(e, rt, filter.WithBudget(b))
			if err != nil {
				t.Fatal(err)
			}
			got := f.Match(user)
			err = b.Err()
			if !tc.over {
				if err != nil {
					t.Fatalf("within its budget: %v", err)
				}
				if want := free.Match(user); got != want {
					t.Errorf("Match = %v within the budget, %v without one", got, want)
				}
				return
			}
			var be *filter.BudgetError
			if !errors.As(err, &be) || be.Limit != tc.budget {
				t.Fatalf("Err() = %v, want a *filter.BudgetError with Limit %d", err, tc.budget)
			}
			if f.Match(user) {
				t.Error("Match after the budget is spent answered true")
			}
		})
	}
}

// TestBudgetCharge checks Charge, which a caller uses for its own work.
func TestBudgetCharge(t *testing.T) {
	b := filter.NewBudget(10)
	if err := b.Charge(10); err != nil {
		t.Fatalf("Charge(10) of 10: %v", err)
	}
	if err := b.Charge(1); err == nil {
		t.Fatal("Charge past the budget: no error")
	}
	var nilBudget *filter.Budget
	if err := nilBudget.Err(); err != nil {
		t.Fatalf("nil Budget: %v", err)
	}
}

// BenchmarkMatchBudget measures what charging a budget costs a match over
// a large resource (compare with the same filter compiled without one).
func BenchmarkMatchBudget(b *testing.B) {
	rt := schema.User()
	user := bigUser(1000)
	e, err := filter.Parse(`emails[type eq "home" and value co "zq"]`)
	if err != nil {
		b.Fatal(err)
	}
	for _, budget := range []bool{false, true} {
		b.Run(fmt.Sprintf("budget=%v", budget), func(b *testing.B) {
			var opts []filter.CompileOption
			var bud *filter.Budget
			if budget {
				bud = filter.NewBudget(1 << 62)
				opts = append(opts, filter.WithBudget(bud))
			}
			f, err := filter.Compile(e, rt, opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if f.Match(user) {
					b.Fatal("matched")
				}
			}
		})
	}
}
