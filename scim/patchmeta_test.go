package scim

import (
	"testing"

	"github.com/scimkit/scimkit/patch"
)

// TestPatchMayReachMeta pins which PATCH operations are evaluated against
// the resource with "meta": those without a path and those whose path
// mentions meta in any spelling.
func TestPatchMayReachMeta(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		want  bool
	}{
		{"active", []string{"active"}, false},
		{"value filter", []string{`emails[type eq "work"].value`, "name.givenName"}, false},
		{"no operations", nil, false},
		{"no path", []string{"active", ""}, true},
		{"meta", []string{"meta"}, true},
		{"meta sub-attribute", []string{"META.lastModified"}, true},
		{"qualified", []string{"urn:ietf:params:scim:schemas:core:2.0:User:Meta.created"}, true},
		{"in a filter", []string{`emails[value eq "meta"]`}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ops := make([]patch.Operation, len(tc.paths))
			for i, p := range tc.paths {
				ops[i] = patch.Operation{Op: "replace", Path: p}
			}
			if got := patchMayReachMeta(ops); got != tc.want {
				t.Errorf("patchMayReachMeta(%q) = %v, want %v", tc.paths, got, tc.want)
			}
		})
	}
}
