package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/filter"
)

func TestResourceTypeOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		res      map[string]any
		wantID   string
		wantExts []string
	}{
		{"no schemas", map[string]any{"userName": "x"}, "User", []string{filter.EnterpriseUserURN}},
		{"core user", map[string]any{"schemas": []any{filter.UserURN}}, "User", []string{filter.EnterpriseUserURN}},
		{"enterprise user", map[string]any{"schemas": []any{filter.UserURN, filter.EnterpriseUserURN}}, "User", []string{filter.EnterpriseUserURN}},
		{"enterprise only", map[string]any{"schemas": []any{filter.EnterpriseUserURN}}, "User", []string{filter.EnterpriseUserURN}},
		{"group", map[string]any{"schemas": []any{filter.GroupURN}}, "Group", nil},
		{"group any case", map[string]any{"SCHEMAS": []any{"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP"}}, "Group", nil},
		{"unknown schema", map[string]any{"schemas": []any{"urn:example:Thing"}}, "User", []string{filter.EnterpriseUserURN}},
		{"schemas not an array", map[string]any{"schemas": filter.GroupURN}, "User", []string{filter.EnterpriseUserURN}},
		{"odd elements", map[string]any{"schemas": []any{nil, 1.0, filter.GroupURN}}, "Group", nil},
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
