package patch

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// heavyUser is the user of issue 17's reproduction: n emails.
func heavyUser(n int) map[string]any {
	emails := make([]any, n)
	for i := range emails {
		emails[i] = map[string]any{"value": fmt.Sprintf("u%d@a-corp.com", i), "type": "work"}
	}
	return map[string]any{"schemas": []any{schema.UserURN}, "userName": "heavy", "emails": emails}
}

// heavyOps are n operations `remove emails[value co "zq0" or … ]` of clauses
// clauses each, none of which matches, as the reproduction sent.
func heavyOps(n, clauses int) []Operation {
	parts := make([]string, clauses)
	for i := range parts {
		parts[i] = fmt.Sprintf(`value co "zq%d"`, i)
	}
	path := "emails[" + strings.Join(parts, " or ") + "]"
	ops := make([]Operation, n)
	for i := range ops {
		ops[i] = Operation{Op: "remove", Path: path}
	}
	return ops
}

// TestApplyCostBudget replays issue 17's reproduction: 1,000 operations
// `remove emails[value co "zq0" or … (45 clauses)]` against a user with
// 40,000 emails took 56 s of CPU, because MaxComparisons counted only the
// comparisons of values added or removed by value, not what value filters
// do. Now every operation pays for the values it walks and every filter
// for what it compares, and the request is refused with invalidValue at
// the operation that runs out, naming the limit. Smaller requests of the
// same shape still apply.
func TestApplyCostBudget(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		emails    int
		ops       []Operation
		wantIndex int // -1: applies
	}{
		{"the reproduction", 40_000, heavyOps(1000, 45), 2},
		{"one operation per email over 40,000 emails", 40_000, plainOps(200), 104},
		{"a few filtered removes on a small user", 10, heavyOps(20, 45), -1},
		{"many operations over a few values", 3, plainOps(1000), -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, _, err := Apply(heavyUser(tc.emails), tc.ops, schema.User())
			if tc.wantIndex < 0 {
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				if got == nil {
					t.Fatal("Apply returned no resource")
				}
				return
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Apply = %v; want a *patch.Error", err)
			}
			if perr.Type != TypeInvalidValue || perr.Index != tc.wantIndex {
				t.Errorf("Apply error: type %s at operation %d; want %s at %d (%v)", perr.Type, perr.Index, TypeInvalidValue, tc.wantIndex, err)
			}
			if !strings.Contains(perr.Error(), "MaxComparisons") {
				t.Errorf("the error does not name the limit: %v", err)
			}
			var be *filter.BudgetError
			if !errors.As(err, &be) || be.Limit != MaxComparisons {
				t.Errorf("the error does not wrap the *filter.BudgetError of MaxComparisons: %v", err)
			}
		})
	}
}

// plainOps are n operations that each name emails without a filter.
func plainOps(n int) []Operation {
	ops := make([]Operation, n)
	for i := range ops {
		ops[i] = Operation{Op: "replace", Path: "emails.display", Value: fmt.Sprintf("d%d", i)}
	}
	return ops
}

// BenchmarkApplyOverBudget measures how long Apply takes to refuse the
// reproduction of issue 17 (a minute of CPU before the budget): the goal is
// a fraction of a second. Each iteration patches a fresh copy of the user,
// made outside the timer.
func BenchmarkApplyOverBudget(b *testing.B) {
	ops := heavyOps(1000, 45)
	user := heavyUser(40_000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		res := clone(user)
		b.StartTimer()
		if _, _, err := Apply(res, ops, schema.User()); err == nil {
			b.Fatal("the reproduction applied")
		}
	}
}
