package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// testListFilterBudget lists a group of users with tens of thousands of
// emails each through a filter of many clauses on them, the list-side shape
// of issue 17's reproduction: the store refuses it, with an error wrapping
// *filter.BudgetError, instead of evaluating it for as long as it takes (and
// holding its lock meanwhile). The same filter over a group of ordinary
// users is answered, and so is a filter the store answers from an index.
func testListFilterBudget(t *testing.T, st store.Store) {
	const (
		users   = 3
		emails  = 20_000
		clauses = 300 // 3 × 20,000 × 300 units: past store.MaxFilterWork
	)
	if users*emails*clauses <= store.MaxFilterWork {
		t.Fatalf("the fixture needs %d units, not more than store.MaxFilterWork (%d)", users*emails*clauses, store.MaxFilterWork)
	}
	entities := []any{newGroup("g1"), newGroup("g2")}
	for i := range users {
		id := fmt.Sprintf("big%d", i)
		u := newUser(id)
		s := newSCIM("s-"+id, "g1", id, "ext-"+id, i)
		list := make([]any, emails)
		for j := range list {
			list[j] = map[string]any{"value": fmt.Sprintf("%s.%d@a-corp.example", id, j), "type": "work"}
		}
		s.Document["emails"] = list
		entities = append(entities, u, s)
	}
	small := newUser("small")
	entities = append(entities, small, newSCIM("s-small", "g2", "small", "ext-small", 0))
	put(t, st, entities...)

	parts := make([]string, clauses)
	for i := range parts {
		parts[i] = fmt.Sprintf(`value co "zq%d"`, i)
	}
	heavy := mustParse(t, "emails["+strings.Join(parts, " or ")+"]")
	listIn := func(group string, e filter.Expr) ([]*store.SCIMIdentity, error) {
		var got []*store.SCIMIdentity
		err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
			var err error
			got, _, err = store.ListSCIMIdentities(ctx, tx, group, store.Query{Filter: e})
			return err
		})
		return got, err
	}

	_, err := listIn("g1", heavy)
	var be *filter.BudgetError
	if !errors.As(err, &be) || be.Limit != store.MaxFilterWork {
		t.Fatalf("listing %d users of %d emails through %d clauses: error %v, want one wrapping *filter.BudgetError of store.MaxFilterWork", users, emails, clauses, err)
	}
	if got, err := listIn("g2", heavy); err != nil || len(got) != 0 {
		t.Errorf("the same filter over a group of one ordinary user: %d results, error %v; want none, no error", len(got), err)
	}
	indexed := mustParse(t, `emails.value eq "big1.7@a-corp.example"`)
	if got, err := listIn("g1", indexed); err != nil || len(got) != 1 || got[0].ID != "s-big1" {
		ids := []string{}
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		t.Errorf("an email eq filter over the large users: %v, error %v; want [s-big1]", ids, err)
	}
}
