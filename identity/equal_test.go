package identity

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// TestSameDocument checks that sameDocument answers as reflect.DeepEqual,
// which it replaces, on pairs of documents that differ in one way each.
func TestSameDocument(t *testing.T) {
	doc := func() map[string]any {
		return map[string]any{
			"userName": "jane",
			"name":     map[string]any{"givenName": "Jane", "familyName": "Doe"},
			"emails":   []any{map[string]any{"value": "jane@example.com", "primary": true}},
			"count":    json.Number("3"),
			"score":    1.5,
			"nothing":  nil,
		}
	}
	edit := func(f func(m map[string]any)) map[string]any {
		m := doc()
		f(m)
		return m
	}
	nan := edit(func(m map[string]any) { m["score"] = math.NaN() })
	nanNested := doc()
	nanNested["name"].(map[string]any)["score"] = math.NaN()
	nanNested["emails"] = []any{math.NaN()}
	shared := make(map[string]any, len(nanNested))
	for k, v := range nanNested {
		shared[k] = v // the same objects and arrays as nanNested's
	}
	longer := append(make([]any, 0, 4), "a", "b")
	tests := []struct {
		name string
		a, b map[string]any
	}{
		{"equal", doc(), doc()},
		{"the same map, holding NaN", nan, nan},
		{"equal maps holding NaN", nan, edit(func(m map[string]any) { m["score"] = math.NaN() })},
		{"shared object and array holding NaN", nanNested, shared},
		{"arrays sharing storage, lengths differ", map[string]any{"x": longer}, map[string]any{"x": longer[:1]}},
		{"arrays sharing storage, same length", map[string]any{"x": longer}, map[string]any{"x": longer[:2:2]}},
		{"both nil", nil, nil},
		{"nil and empty", nil, map[string]any{}},
		{"empty and empty", map[string]any{}, map[string]any{}},
		{"string changed", doc(), edit(func(m map[string]any) { m["userName"] = "john" })},
		{"key added", doc(), edit(func(m map[string]any) { m["title"] = "x" })},
		{"key removed", doc(), edit(func(m map[string]any) { delete(m, "nothing") })},
		{"key renamed", doc(), edit(func(m map[string]any) { delete(m, "nothing"); m["Nothing"] = nil })},
		{"nested changed", doc(), edit(func(m map[string]any) { m["name"].(map[string]any)["givenName"] = "J" })},
		{"array element changed", doc(), edit(func(m map[string]any) {
			m["emails"].([]any)[0].(map[string]any)["primary"] = false
		})},
		{"array longer", doc(), edit(func(m map[string]any) { m["emails"] = append(m["emails"].([]any), "x") })},
		{"nil and empty array", edit(func(m map[string]any) { m["emails"] = []any(nil) }), edit(func(m map[string]any) { m["emails"] = []any{} })},
		{"number types differ", doc(), edit(func(m map[string]any) { m["count"] = 3.0 })},
		{"number changed", doc(), edit(func(m map[string]any) { m["count"] = json.Number("4") })},
		{"float changed", doc(), edit(func(m map[string]any) { m["score"] = 2.5 })},
		{"bool and string", edit(func(m map[string]any) { m["active"] = true }), edit(func(m map[string]any) { m["active"] = "true" })},
		{"nil and value", doc(), edit(func(m map[string]any) { m["nothing"] = "" })},
		{"object and array", doc(), edit(func(m map[string]any) { m["name"] = []any{} })},
		{"other types equal", edit(func(m map[string]any) { m["x"] = []string{"a"} }), edit(func(m map[string]any) { m["x"] = []string{"a"} })},
		{"other types differ", edit(func(m map[string]any) { m["x"] = []string{"a"} }), edit(func(m map[string]any) { m["x"] = []string{"b"} })},
		{"int and float", edit(func(m map[string]any) { m["x"] = 1 }), edit(func(m map[string]any) { m["x"] = 1.0 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := reflect.DeepEqual(tc.a, tc.b)
			if got := sameDocument(tc.a, tc.b); got != want {
				t.Errorf("sameDocument(a, b) = %v, reflect.DeepEqual says %v", got, want)
			}
			if got := sameDocument(tc.b, tc.a); got != want {
				t.Errorf("sameDocument(b, a) = %v, reflect.DeepEqual says %v", got, want)
			}
		})
	}
}
