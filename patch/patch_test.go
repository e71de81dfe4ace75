package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// patchCase is one case of testdata/patch-cases.json (the RFC 7644
// PATCH cases with the answers the RFC or the identity providers decide; testdata/README.md).
type patchCase struct {
	ID             string          `json:"id"`
	Source         string          `json:"source"`
	Resource       map[string]any  `json:"resource"`
	Operations     json.RawMessage `json:"operations"`
	Expected       any             `json:"expected"`
	CompatExpected any             `json:"compatExpected"`
	Note           string          `json:"note"`
}

// decided holds the answers for the cases where the RFC is silent and the
// corpus gives none: "error" or "unchanged". The package doc explains them.
var decided = map[string]string{
	"p036": "unchanged", // removing an unassigned attribute succeeds and changes nothing
	"p156": "error",     // two values with primary true in one request (RFC 7643 §2.4)
}

// wantType is the SCIM error type of the cases that must fail.
var wantType = map[string]string{
	"p019": TypeInvalidValue,
	"p037": TypeInvalidPath,
	"p038": TypeInvalidPath,
	"p055": TypeNoTarget,
	"p058": TypeMutability,
	"p069": TypeInvalidSyntax,
	"p070": TypeInvalidSyntax,
	"p071": TypeInvalidPath,
	"p115": TypeInvalidPath,
	"p116": TypeInvalidPath,
	"p117": TypeInvalidPath,
	"p118": TypeInvalidPath,
	"p121": TypeMutability,
	"p145": TypeInvalidValue,
	"p156": TypeInvalidValue,
	"p159": TypeNoTarget,
	"p168": TypeInvalidSyntax,
	"p169": TypeInvalidPath,
}

func decodeJSON(t testing.TB, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func loadCases(t *testing.T) []patchCase {
	t.Helper()
	data, err := os.ReadFile("testdata/patch-cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []patchCase
	decodeJSON(t, data, &cases)
	return cases
}

// resourceType picks the resource type the resource's "schemas" names: Group,
// or User with the Enterprise extension.
func resourceType(res map[string]any) *schema.ResourceType {
	schemas, _ := get(res, "schemas")
	list, _ := schemas.([]any)
	for _, s := range list {
		if s, ok := s.(string); ok && strings.EqualFold(s, schema.GroupURN) {
			return schema.Group()
		}
	}
	return schema.User()
}

// normalize returns v without "meta" at the top and with every member name
// lower-cased: the corpus compares names case-insensitively and ignores meta.
func normalize(v any, top bool) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if top && strings.EqualFold(k, "meta") {
				continue
			}
			out[strings.ToLower(k)] = normalize(e, false)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalize(e, false)
		}
		return out
	}
	return v
}

func request(ops json.RawMessage) []byte {
	return []byte(`{"schemas":["` + PatchOpURN + `"],"Operations":` + string(ops) + `}`)
}

// TestCases runs every case of the shared corpus.
func TestCases(t *testing.T) {
	t.Parallel()
	for _, tc := range loadCases(t) {
		t.Run(tc.ID, func(t *testing.T) {
			t.Parallel()
			want := tc.Expected
			if tc.CompatExpected != nil {
				want = tc.CompatExpected
			}
			if d, ok := decided[tc.ID]; ok {
				if want != nil {
					t.Fatalf("case %s has an answer in the corpus now; drop it from decided", tc.ID)
				}
				want = d
				if d == "unchanged" {
					want = tc.Resource
				}
			}
			if want == nil {
				t.Fatalf("case %s (%s) has no answer: decide one and add it to decided", tc.ID, tc.Note)
			}
			rt := resourceType(tc.Resource)
			var got map[string]any
			req, err := Decode(request(tc.Operations))
			if err == nil {
				// Apply takes the resource; the case keeps its own.
				got, _, err = Apply(clone(tc.Resource), req.Operations, rt)
			}
			if want == "error" {
				var perr *Error
				if !errors.As(err, &perr) {
					t.Fatalf("got %v, %v; want a *patch.Error (%s)", got, err, tc.Note)
				}
				if wt := wantType[tc.ID]; wt != "" && perr.Type != wt {
					t.Errorf("error type = %s, want %s (%v)", perr.Type, wt, err)
				}
				if got != nil {
					t.Errorf("Apply returned a resource with its error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v (%s)", err, tc.Note)
			}
			if d := cmp.Diff(normalize(want, true), normalize(got, true)); d != "" {
				t.Errorf("%s %s (-want +got):\n%s", tc.Source, tc.Note, d)
			}
		})
	}
}

// TestWantTypeCovered keeps wantType in step with the corpus.
func TestWantTypeCovered(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	for _, tc := range loadCases(t) {
		want := tc.Expected
		if tc.CompatExpected != nil {
			want = tc.CompatExpected
		}
		if want == "error" || decided[tc.ID] == "error" {
			ids[tc.ID] = true
			if wantType[tc.ID] == "" {
				t.Errorf("error case %s has no entry in wantType", tc.ID)
			}
		}
	}
	for id := range wantType {
		if !ids[id] {
			t.Errorf("wantType has %s, which is not an error case", id)
		}
	}
}
