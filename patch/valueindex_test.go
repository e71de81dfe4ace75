package patch

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// TestIndexAgreesWithScan compares the indexed add and remove with the
// value-by-value comparison they replace, on values of every shape.
func TestIndexAgreesWithScan(t *testing.T) {
	t.Parallel()
	values := []any{
		map[string]any{"value": "u1"}, map[string]any{"value": "U1", "display": "X"}, map[string]any{"Value": "u2"},
		map[string]any{"value": "\u212a"}, map[string]any{"value": "k", "type": "User"}, map[string]any{"value": 5.0},
		map[string]any{"value": nil, "display": "x"}, map[string]any{"display": "X"}, map[string]any{}, "u1", 5.0, nil,
		map[string]any{"value": "u1", "Value": "u3"},
	}
	for _, rt := range []*schema.ResourceType{schema.User(), schema.Group()} {
		for _, name := range []string{"emails", "members", "roles", "x509Certificates"} {
			attr := rt.Schema.Attr(name)
			if attr == nil {
				continue
			}
			for i, elem := range values {
				idx := newValueIndex(attr, values)
				if got, want := idx.contains(values, elem), contains(attr, values, elem); got != want {
					t.Errorf("%s: contains(%v) = %v, want %v", name, elem, got, want)
				}
				given := values[i:]
				gi := newGivenIndex(attr, given)
				for _, e := range values {
					if got, want := gi.removes(attr, e), removedBy(attr, e, given); got != want {
						t.Errorf("%s: %v removed by %v = %v, want %v", name, e, given, got, want)
					}
				}
			}
		}
	}
}

// TestManyMembers adds and removes thousands of group members in one
// operation, through the index.
func TestManyMembers(t *testing.T) {
	t.Parallel()
	const n = 5000
	members := make([]any, n)
	upper := make([]any, n)
	for i := range members {
		members[i] = map[string]any{"value": fmt.Sprintf("u%d", i)}
		upper[i] = map[string]any{"value": fmt.Sprintf("U%d", i)}
	}
	group := map[string]any{"schemas": []any{schema.GroupURN}, "displayName": "g"}
	added, _, err := Apply(group, []Operation{{Op: "add", Path: "members", Value: members}, {Op: "add", Path: "members", Value: upper}}, schema.Group())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(added["members"].([]any)); got != n {
		t.Fatalf("%d members after adding the same %d twice, want %d", got, n, n)
	}
	removed, _, err := Apply(added, []Operation{{Op: "remove", Path: "members", Value: upper[1:]}}, schema.Group())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{map[string]any{"value": "u0"}}, removed["members"]); diff != "" {
		t.Errorf("members left (-want +got):\n%s", diff)
	}
}
