package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const people = `[
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
   "userName": "bjensen", "loginCount": 10, "active": true,
   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations"}},
  {"userName": "jsmith", "active": false, "score": 1.50},
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Tour Guides",
   "members": [{"value": "u1", "display": "Babs Jensen"}]}
]`

func TestRunFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string // exact, or the SCIM error's scimType when wantCode is exitInvalid
		wantStderr string // substring
	}{
		{"resources", []string{`userName eq "BJENSEN"`}, people, exitOK, `[
  {
    "schemas": [
      "urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    ],
    "userName": "bjensen",
    "loginCount": 10,
    "active": true,
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
      "department": "Tour Operations"
    }
  }
]
`, ""},
		{"numbers kept as written", []string{`score gt 1`}, people, exitOK, `[
  {
    "userName": "jsmith",
    "active": false,
    "score": 1.50
  }
]
`, ""},
		{"index", []string{"-index", `active eq false or displayName sw "tour"`}, people, exitOK, "[\n  1,\n  2\n]\n", ""},
		{"no match", []string{"-index", `userName eq "nobody"`}, people, exitOK, "[]\n", ""},
		{"no match resources", []string{`userName eq "nobody"`}, people, exitOK, "[]\n", ""},
		{"group schema", []string{"-index", `members[display co "babs"]`}, people, exitOK, "[\n  2\n]\n", ""},
		{"enterprise without urn", []string{"-index", `department pr`}, people, exitOK, "[\n  0\n]\n", ""},
		{"empty array", []string{"-index", `a pr`}, `[]`, exitOK, "[]\n", ""},
		{"strict", []string{"-strict", `loginCount gt 1`}, people, exitInvalid, "invalidFilter", ""},
		{"syntax error", []string{`userName eq`}, people, exitInvalid, "invalidFilter", ""},
		{"schema error", []string{`active gt true`}, people, exitInvalid, "invalidFilter", ""},
		{"schema error without resources", []string{"-index", `active gt true`}, `[]`, exitInvalid, "invalidFilter", ""},
		{"strict without resources", []string{"-strict", `loginCount gt 1`}, `[]`, exitInvalid, "invalidFilter", ""},
		{"invalid JSON", []string{`a pr`}, `[{`, exitInvalid, "invalidSyntax", ""},
		{"not an array", []string{`a pr`}, `{"userName": "x"}`, exitInvalid, "invalidSyntax", ""},
		{"empty stdin", []string{`a pr`}, ``, exitInvalid, "invalidSyntax", ""},
		{"element not an object", []string{`a pr`}, `[{}, 1]`, exitInvalid, "invalidSyntax", ""},
		{"null element", []string{`a pr`}, `[null]`, exitInvalid, "invalidSyntax", ""},
		{"no expression", nil, people, exitUsage, "", "usage: scimctl filter"},
		{"two expressions", []string{"a pr", "b pr"}, people, exitUsage, "", "usage: scimctl filter"},
		{"unknown flag", []string{"-x", "a pr"}, people, exitUsage, "", "flag provided but not defined: -x"},
		{"help flag", []string{"-h"}, people, exitOK, "", "-index"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := runFilter(tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit code = %d, want %d (stdout %q, stderr %q)", code, tc.wantCode, stdout.String(), stderr.String())
			}
			if tc.wantCode == exitInvalid {
				checkSCIMError(t, stdout.Bytes(), tc.wantStdout)
			} else if diff := cmp.Diff(tc.wantStdout, stdout.String()); diff != "" {
				t.Errorf("stdout mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.wantStderr)
			}
		})
	}
}

// checkSCIMError checks that out is a SCIM error (RFC 7644 §3.12) with
// status 400 and the given scimType.
func checkSCIMError(t *testing.T, out []byte, scimType string) {
	t.Helper()
	var got scimError
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("stdout is not a SCIM error: %v\n%s", err, out)
	}
	if got.Detail == "" {
		t.Errorf("SCIM error without detail: %s", out)
	}
	got.Detail = ""
	want := scimError{Schemas: []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, Status: "400", ScimType: scimType}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SCIM error mismatch (-want +got):\n%s", diff)
	}
}

// TestRunFilterSharedCases runs the filter package's shared cases through
// the command: each case's resources on stdin, -index, and the expected
// positions or a SCIM error. The cases whose answer the RFC leaves open
// are skipped here; the filter package pins those.
func TestRunFilterSharedCases(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../filter/testdata/filter-cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		ID        string            `json:"id"`
		Filter    string            `json:"filter"`
		Resources []json.RawMessage `json:"resources"`
		Expected  json.RawMessage   `json:"expected"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, tc := range cases {
		if len(tc.Expected) == 0 || string(tc.Expected) == "null" {
			continue
		}
		ran++
		t.Run(tc.ID, func(t *testing.T) {
			t.Parallel()
			stdin, err := json.Marshal(tc.Resources)
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := runFilter([]string{"-index", tc.Filter}, bytes.NewReader(stdin), &stdout, &stderr)
			if string(tc.Expected) == `"error"` {
				if code != exitInvalid {
					t.Fatalf("exit code = %d, want %d", code, exitInvalid)
				}
				checkSCIMError(t, stdout.Bytes(), "invalidFilter")
				return
			}
			if code != exitOK {
				t.Fatalf("exit code = %d, want 0; stdout %s", code, stdout.String())
			}
			var want, got []int
			if err := json.Unmarshal(tc.Expected, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("stdout is not a JSON array of positions: %v\n%s", err, stdout.String())
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q mismatch (-want +got):\n%s", tc.Filter, diff)
			}
		})
	}
	if ran == 0 {
		t.Fatal("no shared cases ran")
	}
}

// TestReadResourcesLimit checks that stdin beyond the limit is refused with
// errInputTooLarge, and that input of exactly the limit is read.
func TestReadResourcesLimit(t *testing.T) {
	t.Parallel()
	const in = `[{"userName": "bjensen"}]`
	if _, res, err := readResources(strings.NewReader(in), int64(len(in))); err != nil || len(res) != 1 {
		t.Fatalf("at the limit: %d resources, %v", len(res), err)
	}
	_, _, err := readResources(strings.NewReader(in), int64(len(in))-1)
	if !errors.Is(err, errInputTooLarge) {
		t.Fatalf("over the limit: err = %v, want errInputTooLarge", err)
	}
}
