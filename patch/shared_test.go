package patch

import (
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// outcome is what one Apply or ApplyShared call gave, in comparable form.
type outcome struct {
	Resource map[string]any
	Changed  []string
	Err      string
}

// sameAsApply runs Apply, ApplyShared and ApplyOwned on copies of
// resource and fails unless all give the same resource, changes and error,
// and unless ApplyShared left its input as it was and ApplyOwned the
// values in its input.
func sameAsApply(t *testing.T, resource map[string]any, ops []Operation, rt *schema.ResourceType) {
	t.Helper()
	in, _ := cloneAny(resource).(map[string]any)
	pristine, _ := cloneAny(resource).(map[string]any)
	run := func(f func(map[string]any, []Operation, *schema.ResourceType) (map[string]any, *Result, error), res map[string]any) outcome {
		got, r, err := f(res, ops, rt)
		o := outcome{Resource: got, Changed: r.Attributes()}
		if err != nil {
			o.Err = err.Error()
		}
		return o
	}
	want := run(Apply, resource)
	got := run(ApplyShared, in)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ApplyShared differs from Apply (-Apply +ApplyShared):\n%s", d)
	}
	if d := cmp.Diff(pristine, in); d != "" {
		t.Errorf("ApplyShared changed its input (-before +after):\n%s", d)
	}
	// ApplyOwned gets a map of its own whose values are in's: it may
	// change the map, not them.
	var own map[string]any
	if in != nil {
		own = maps.Clone(in)
	}
	got = run(ApplyOwned, own)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ApplyOwned differs from Apply (-Apply +ApplyOwned):\n%s", d)
	}
	if d := cmp.Diff(pristine, in); d != "" {
		t.Errorf("ApplyOwned changed the values of its input (-before +after):\n%s", d)
	}
}

// cloneAny deep-copies a JSON value however deep it is (copyValue stops at
// MaxDepth).
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

// TestApplySharedCases checks ApplyShared against Apply on every case of
// the shared corpus and every golden file.
func TestApplySharedCases(t *testing.T) {
	t.Parallel()
	for _, tc := range loadCases(t) {
		t.Run(tc.ID, func(t *testing.T) {
			t.Parallel()
			req, err := Decode(request(tc.Operations))
			if err != nil {
				t.Skipf("Decode refuses the request: %v", err) // neither function runs
			}
			sameAsApply(t, tc.Resource, req.Operations, resourceType(tc.Resource))
		})
	}
	forEachGolden(t, func(t *testing.T, _ string, g golden, rt *schema.ResourceType, ops []Operation) {
		sameAsApply(t, g.Before, ops, rt)
	})
}

// TestApplySharedRules checks ApplyShared against Apply where sharing could
// show: writes into nested objects and arrays, several spellings of one
// attribute, failures after writes, and inputs Apply refuses.
func TestApplySharedRules(t *testing.T) {
	t.Parallel()
	ext := schema.EnterpriseUserURN
	mixed := with(user(), func(m map[string]any) {
		m["Emails"] = []any{map[string]any{"value": "other@example.com", "type": "other"}}
		m["NAME"] = map[string]any{"middleName": "J"}
	})
	tests := []struct {
		name     string
		resource map[string]any
		ops      string
	}{
		{"replace active", user(), `[{"op":"replace","path":"active","value":false}]`},
		{"add to multi-valued", user(), `[{"op":"add","path":"emails","value":[{"value":"n@example.com","primary":true}]}]`},
		{"sub-attribute", user(), `[{"op":"add","path":"name.middleName","value":"J"}]`},
		{"sub-attribute of every value", user(), `[{"op":"replace","path":"emails.display","value":"mail"}]`},
		{"through a filter", user(), `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"}]`},
		{"remove through a filter", user(), `[{"op":"remove","path":"emails[type eq \"work\"].primary"}]`},
		{"extension attribute", user(), `[{"op":"replace","path":"` + ext + `:manager.displayName","value":"J"}]`},
		{"remove extension", user(), `[{"op":"remove","path":"` + ext + `"}]`},
		{"new extension", with(user(), func(m map[string]any) { delete(m, ext) }), `[{"op":"add","path":"` + ext + `:costCenter","value":"4130"}]`},
		{"without path", user(), `[{"op":"replace","value":{"name":{"givenName":"B"},"emails":[{"value":"r@example.com"}],"` + ext + `":{"department":"D"}}}]`},
		{"two spellings", mixed, `[{"op":"add","path":"emails[type eq \"work\"].display","value":"w"},{"op":"replace","path":"name.givenName","value":"B"}]`},
		{"failed after writes", user(), `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"},{"op":"add","path":"name.givenName","value":"B"},{"op":"replace","path":"id","value":"x"}]`},
		{"nil resource", nil, `[{"op":"add","path":"nickName","value":"B"}]`},
		{"resource too deep", map[string]any{"custom": deep(MaxDepth + 1)}, `[{"op":"add","path":"nickName","value":"B"}]`},
		{"untouched at the depth limit", map[string]any{"custom": []any{deep(MaxDepth - 2)}}, `[{"op":"add","path":"nickName","value":"B"}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sameAsApply(t, tc.resource, ops(t, tc.ops), schema.User())
		})
	}
}

// TestApplySharedSchemas checks that adding an extension's URN to
// "schemas" leaves the input's array alone even when it has room to grow
// in place.
func TestApplySharedSchemas(t *testing.T) {
	t.Parallel()
	schemas := make([]any, 1, 4)
	schemas[0] = schema.UserURN
	res := map[string]any{"schemas": schemas, "userName": "b"}
	got, _, err := ApplyShared(res, ops(t, `[{"op":"add","path":"`+schema.EnterpriseUserURN+`:costCenter","value":"1"}]`), schema.User())
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]any{schema.UserURN, schema.EnterpriseUserURN}, got["schemas"]); d != "" {
		t.Errorf("schemas (-want +got):\n%s", d)
	}
	if spare := schemas[:2][1]; spare != nil {
		t.Errorf("the input's array got %v past its length", spare)
	}
}

// TestApplySharedNeedsResourceType pins the error for a missing resource
// type.
func TestApplySharedNeedsResourceType(t *testing.T) {
	t.Parallel()
	if _, _, err := ApplyShared(user(), nil, nil); err == nil || !strings.HasPrefix(err.Error(), "patch: ") {
		t.Errorf("ApplyShared without a resource type = %v, want an error", err)
	}
	if _, _, err := ApplyOwned(user(), nil, nil); err == nil || !strings.HasPrefix(err.Error(), "patch: ") {
		t.Errorf("ApplyOwned without a resource type = %v, want an error", err)
	}
}
