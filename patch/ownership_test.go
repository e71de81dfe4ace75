package patch

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// TestApplyOwnership checks Apply's side of its contract, for every kind of
// operation: Apply takes the resource, but the caller keeps its operations,
// so the result must share no object or array with the operations' values
// (each value taken from them is a copy), nor hold one object or array in
// two places (a write to one would show in the other). Apply must leave the
// operations as they were, changing the result must not reach them, and
// changing them must not reach the result. A failed Apply returns no
// resource and no Result.
func TestApplyOwnership(t *testing.T) {
	t.Parallel()
	ext := schema.EnterpriseUserURN
	tests := []struct {
		name string
		ops  string
		fail bool
	}{
		{"add attribute", `[{"op":"add","path":"nickName","value":"Babs"}]`, false},
		{"add to multi-valued", `[{"op":"add","path":"emails","value":[{"value":"n@example.com","primary":true}]}]`, false},
		{"add sub-attribute", `[{"op":"add","path":"name.middleName","value":"J"}]`, false},
		{"add through a filter", `[{"op":"add","path":"emails[type eq \"other\"].value","value":"o@example.com"}]`, false},
		{"add a whole value through a filter", `[{"op":"add","path":"emails[type eq \"work\"]","value":{"display":"W","extra":{"a":["b"]}}}]`, false},
		{"add without path", `[{"op":"add","value":{"name":{"honorificPrefix":"Ms."},"custom":{"a":["b"]}}}]`, false},
		{"add extension", `[{"op":"add","path":"` + ext + `","value":{"manager":{"value":"m1"}}}]`, false},
		{"add extension attribute", `[{"op":"add","path":"` + ext + `:costCenter","value":"4130"}]`, false},
		{"add to an undefined list", `[{"op":"add","path":"tags","value":[{"a":["b"]}]},{"op":"add","path":"tags","value":[{"c":{"d":1}}]}]`, false},
		{"replace scalar", `[{"op":"replace","path":"active","value":false}]`, false},
		{"replace complex", `[{"op":"replace","path":"name","value":{"givenName":"B"}}]`, false},
		{"replace sub-attribute", `[{"op":"replace","path":"name.familyName","value":"J"}]`, false},
		{"replace through a filter", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"}]`, false},
		{"replace a whole filtered value", `[{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"h@example.com","type":"home","primary":true}}]`, false},
		{"replace sub-attribute of every value", `[{"op":"replace","path":"emails.display","value":"mail"}]`, false},
		{"one object for every value", `[{"op":"replace","path":"emails.extra","value":{"a":["b"]}}]`, false},
		{"one object through a filter", `[{"op":"add","path":"emails[type eq \"other\"].extra","value":{"a":["b"]}},{"op":"add","path":"emails[type eq \"home\"].extra","value":{"a":["b"]}}]`, false},
		{"replace without path", `[{"op":"replace","value":{"displayName":"B","emails":[{"value":"r@example.com"}]}}]`, false},
		{"replace multi-valued", `[{"op":"replace","path":"phoneNumbers","value":[{"value":"1","type":"work"},{"value":"2","type":"home"}]}]`, false},
		{"replace undefined", `[{"op":"replace","path":"custom","value":{"a":[{"b":"c"}]}}]`, false},
		{"remove attribute", `[{"op":"remove","path":"title"}]`, false},
		{"remove multi-valued", `[{"op":"remove","path":"emails"}]`, false},
		{"remove through a filter", `[{"op":"remove","path":"emails[type eq \"work\"]"}]`, false},
		{"remove sub-attribute through a filter", `[{"op":"remove","path":"emails[type eq \"work\"].primary"}]`, false},
		{"remove sub-attribute", `[{"op":"remove","path":"name.givenName"}]`, false},
		{"remove listed values", `[{"op":"remove","path":"emails","value":[{"value":"babs@jensen.org"}]}]`, false},
		{"remove extension", `[{"op":"remove","path":"` + ext + `"}]`, false},
		{"remove extension sub-attribute", `[{"op":"remove","path":"` + ext + `:manager.value"}]`, false},
		{"failed after writes", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"},{"op":"add","path":"name.givenName","value":"B"},{"op":"replace","path":"id","value":"x"}]`, true},
		{"failed filter", `[{"op":"add","path":"emails[type eq \"work\"].value","value":"y@example.com"},{"op":"replace","path":"phoneNumbers[type eq \"fax\"].value","value":"1"}]`, true},
		{"failed primary", `[{"op":"add","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}]`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := ops(t, tc.ops)
			got, r, err := Apply(user(), o, schema.User())
			if d := cmp.Diff(ops(t, tc.ops), o); d != "" {
				t.Fatalf("Apply changed the operations (-want +got):\n%s", d)
			}
			if tc.fail {
				if err == nil || got != nil || r != nil {
					t.Fatalf("Apply = %v, %v, %v; want only an error", got, r, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Where the result holds each object and array, and where the
			// operations hold theirs: no place may be shared.
			places := map[uintptr]string{}
			containers(t, got, "result", places)
			for i, op := range o {
				containers(t, op.Value, fmt.Sprintf("operation %d", i), places)
			}
			// The same, by behaviour: changing the operations leaves the
			// result as it was, and changing the result (or patching it
			// again, which its owner may) leaves the operations.
			want := clone(got)
			scribble(opValues(o))
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("changing the operations changed the result (-want +got):\n%s", d)
			}
			o = ops(t, tc.ops)
			got, _, err = Apply(user(), o, schema.User())
			if err != nil {
				t.Fatal(err)
			}
			if again, _, err := Apply(got, o, schema.User()); err == nil {
				got = again
			} // some operations cannot repeat; the ones that can write through the result again
			scribble(got)
			if d := cmp.Diff(ops(t, tc.ops), o); d != "" {
				t.Errorf("changing the result changed the operations (-want +got):\n%s", d)
			}
		})
	}
}

// containers records in places where v holds each map and each non-empty
// slice (at path), and fails when one is already there under another path.
func containers(t *testing.T, v any, path string, places map[uintptr]string) {
	t.Helper()
	var p uintptr
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		p = rv.Pointer()
		for _, k := range rv.MapKeys() {
			containers(t, rv.MapIndex(k).Interface(), path+"."+k.String(), places)
		}
	case reflect.Slice:
		if rv.Len() > 0 {
			p = rv.Pointer()
		}
		for i := range rv.Len() {
			containers(t, rv.Index(i).Interface(), fmt.Sprintf("%s[%d]", path, i), places)
		}
	}
	if p == 0 {
		return
	}
	if other, ok := places[p]; ok {
		t.Errorf("%s and %s are the same %T", other, path, v)
		return
	}
	places[p] = path
}

// opValues returns the values of ops, for scribble.
func opValues(ops []Operation) []any {
	vs := make([]any, len(ops))
	for i, op := range ops {
		vs[i] = op.Value
	}
	return vs
}

// scribble overwrites every member and element of v.
func scribble(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			scribble(e)
			if _, ok := e.(string); ok {
				v[k] = "scribbled"
			}
		}
		v["scribbled"] = true
	case []any:
		for i, e := range v {
			scribble(e)
			if _, ok := e.(string); ok {
				v[i] = "scribbled"
			}
		}
	}
}

// clone deep-copies a JSON value however deep it is (copyValue stops at
// MaxDepth), so that a test keeps a resource Apply then takes.
func clone[T any](v T) T {
	c, _ := cloneAny(v).(T)
	return c
}

func cloneAny(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return v
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = cloneAny(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneAny(e)
		}
		return out
	}
	return v
}
