package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

func TestResourceTypeOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		res      map[string]any
		wantID   string
		wantExts []string
	}{
		{"no schemas", map[string]any{"userName": "x"}, "User", []string{schema.EnterpriseUserURN}},
		{"core user", map[string]any{"schemas": []any{schema.UserURN}}, "User", []string{schema.EnterpriseUserURN}},
		{"enterprise user", map[string]any{"schemas": []any{schema.UserURN, schema.EnterpriseUserURN}}, "User", []string{schema.EnterpriseUserURN}},
		{"enterprise only", map[string]any{"schemas": []any{schema.EnterpriseUserURN}}, "User", []string{schema.EnterpriseUserURN}},
		{"group", map[string]any{"schemas": []any{schema.GroupURN}}, "Group", nil},
		{"group any case", map[string]any{"SCHEMAS": []any{"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP"}}, "Group", nil},
		{"unknown schema", map[string]any{"schemas": []any{"urn:example:Thing"}}, "User", []string{schema.EnterpriseUserURN}},
		{"schemas not an array", map[string]any{"schemas": schema.GroupURN}, "User", []string{schema.EnterpriseUserURN}},
		{"odd elements", map[string]any{"schemas": []any{nil, 1.0, schema.GroupURN}}, "Group", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := resourceTypeOf(tc.res)
			var exts []string
			for _, e := range rt.Extensions {
				exts = append(exts, e.Schema.ID)
			}
			if diff := cmp.Diff([]any{tc.wantID, tc.wantExts}, []any{rt.ID, exts}); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
