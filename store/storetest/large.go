package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// testLargeDocumentUpdate stores a SCIM identity with 40,000 emails (issue
// 17's reproduction had such a user) and replaces it with one email fewer:
// a store must take the update (SQLite refuses statements of more than
// 32,766 arguments) and keep its email index exact.
func testLargeDocumentUpdate(t *testing.T, st store.Store) {
	const n = 40_000
	emails := make([]any, n)
	for i := range emails {
		emails[i] = map[string]any{"value": fmt.Sprintf("big.%d@a-corp.example", i), "type": "work"}
	}
	s := newSCIM("s1", "g1", "u1", "ext-1", 0)
	s.Document["emails"] = emails
	put(t, st, newGroup("g1"), newUser("u1"), s)

	update(t, st, func(ctx context.Context, tx store.Tx) error {
		cur, err := tx.SCIMIdentity(ctx, "g1", "s1")
		if err != nil {
			return err
		}
		list := cur.Document["emails"].([]any)
		cur.Document["emails"] = list[1:]
		cur.Document["title"] = "updated"
		return tx.PutSCIMIdentity(ctx, cur)
	})
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`emails.value eq "big.0@a-corp.example"`, nil},
		{`emails.value eq "big.1@a-corp.example"`, []string{"s1"}},
		{`emails.value eq "big.39999@a-corp.example"`, []string{"s1"}},
	} {
		got, _, err := list(t, st, store.Query{Filter: mustParse(t, tc.filter)})
		if err != nil {
			t.Fatalf("filter %s: %v", tc.filter, err)
		}
		if d := diff(tc.want, got); d != "" {
			t.Errorf("filter %s (-want +got):\n%s", tc.filter, d)
		}
	}
}
