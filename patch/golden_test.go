package patch

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden with the results of Apply")

// golden is a file of testdata/golden: a resource before, a request's
// operations, and the resource after with the changed attributes.
type golden struct {
	Note         string          `json:"note"`
	ResourceType string          `json:"resourceType"`
	Before       map[string]any  `json:"before"`
	Operations   json.RawMessage `json:"operations"`
	After        map[string]any  `json:"after"`
	Changed      []string        `json:"changed"`
}

// TestGolden applies each golden file's operations to its "before" and
// compares with its "after". Run with -update to rewrite "after" and
// "changed", then review the diff.
func TestGolden(t *testing.T) {
	forEachGolden(t, func(t *testing.T, file string, g golden, rt *schema.ResourceType, ops []Operation) {
		after, res, err := Apply(clone(g.Before), ops, rt) // the file keeps its "before"
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			g.After, g.Changed = after, res.Attributes()
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(g); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		if d := cmp.Diff(g.After, after); d != "" {
			t.Errorf("after (-want +got):\n%s", d)
		}
		if d := cmp.Diff(g.Changed, res.Attributes()); d != "" {
			t.Errorf("changed (-want +got):\n%s", d)
		}
	})
}

// forEachGolden runs fn, in a subtest named after the file, on each golden
// file with its resource type and decoded operations.
func forEachGolden(t *testing.T, fn func(t *testing.T, file string, g golden, rt *schema.ResourceType, ops []Operation)) {
	t.Helper()
	files, err := filepath.Glob("testdata/golden/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var g golden
			decodeJSON(t, data, &g)
			rt := schema.User()
			if g.ResourceType == "Group" {
				rt = schema.Group()
			}
			req, err := Decode(request(g.Operations))
			if err != nil {
				t.Fatal(err)
			}
			fn(t, file, g, rt, req.Operations)
		})
	}
}
