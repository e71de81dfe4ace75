package filter

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// filterCase is one case of testdata/filter-cases.json (the RFC 7644
// filter cases with the answers the RFC decides; testdata/README.md).
type filterCase struct {
	ID        string           `json:"id"`
	Source    string           `json:"source"`
	Filter    string           `json:"filter"`
	Resources []map[string]any `json:"resources"`
	Expected  json.RawMessage  `json:"expected"`
	Note      string           `json:"note"`
}

// openCases holds the answers chosen where the shared cases leave
// "expected" null because the RFC leaves the answer open. doc.go explains
// each choice.
var openCases = map[string][]int{
	"f029": {1, 2, 3}, // ne is "not eq": an absent title is not equal
	"f067": {0},       // a complex attribute without sub-attribute compares its "value"
	"f069": {},        // loginCount is not in the schema: a number never equals a string
	"f117": {4},       // dateTime eq compares instants: .000Z is the same instant
	"f161": {0},       // spaces around the filter are allowed
	"f179": {0},       // same as f067
	"f195": {1},       // "" is not present
}

func loadCases(t testing.TB) []filterCase {
	t.Helper()
	data, err := os.ReadFile("testdata/filter-cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []filterCase
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// resourceTypeFor picks the resource type a shared case's resource is
// evaluated under: Group when its schemas name the Group schema, else User
// with the Enterprise extension.
func resourceTypeFor(res map[string]any) *schema.ResourceType {
	if schemas, ok := res["schemas"].([]any); ok {
		for _, s := range schemas {
			if s, ok := s.(string); ok && s == schema.GroupURN {
				return schema.Group()
			}
		}
	}
	return schema.User()
}

func TestSharedCases(t *testing.T) {
	t.Parallel()
	cases := loadCases(t)
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, tc := range cases {
		t.Run(tc.ID, func(t *testing.T) {
			t.Parallel()
			var want []int
			wantErr := false
			switch {
			case len(tc.Expected) == 0 || string(tc.Expected) == "null":
				w, ok := openCases[tc.ID]
				if !ok {
					t.Fatalf("case %s has no expected answer and no documented choice", tc.ID)
				}
				want = w
			case string(tc.Expected) == `"error"`:
				wantErr = true
			default:
				if err := json.Unmarshal(tc.Expected, &want); err != nil {
					t.Fatal(err)
				}
			}

			e, err := Parse(tc.Filter)
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("Parse(%q) error %T, want *SyntaxError", tc.Filter, err)
				}
				if !wantErr {
					t.Fatalf("Parse(%q): %v", tc.Filter, err)
				}
				return
			}
			got := []int{}
			for i, res := range tc.Resources {
				f, err := Compile(e, resourceTypeFor(res))
				if err != nil {
					var se *SchemaError
					if !errors.As(err, &se) {
						t.Fatalf("Compile(%q) error %T, want *SchemaError", tc.Filter, err)
					}
					if !wantErr {
						t.Fatalf("Compile(%q): %v", tc.Filter, err)
					}
					return
				}
				if f.Match(res) {
					got = append(got, i)
				}
			}
			if wantErr {
				t.Fatalf("%q: matched %v, want an error (%s)", tc.Filter, got, tc.Note)
			}
			if want == nil {
				want = []int{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q (%s) mismatch (-want +got):\n%s", tc.Filter, tc.Note, diff)
			}
		})
	}
}

// TestOpenCasesAreOpen keeps openCases in step with the shared file: every
// documented choice belongs to a case whose expected answer is null.
func TestOpenCasesAreOpen(t *testing.T) {
	t.Parallel()
	var open []string
	for _, tc := range loadCases(t) {
		if len(tc.Expected) == 0 || string(tc.Expected) == "null" {
			open = append(open, tc.ID)
		}
	}
	var chosen []string
	for id := range openCases {
		chosen = append(chosen, id)
	}
	slices.Sort(open)
	slices.Sort(chosen)
	if diff := cmp.Diff(open, chosen); diff != "" {
		t.Errorf("open cases mismatch (-want +got):\n%s", diff)
	}
}
