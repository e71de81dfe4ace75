package scim

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

func testHandlerConfig(t *testing.T) *Handler {
	t.Helper()
	return &Handler{cfg: config{maxCount: 200, defaultCount: 100, maxFilter: 4096}, rt: schema.User()}
}

func TestListParamsFromQuery(t *testing.T) {
	t.Parallel()
	h := testHandlerConfig(t)
	tests := []struct {
		name      string
		query     string
		wantStart int
		wantCount int
		wantDesc  bool
		wantType  string
	}{
		{name: "defaults", query: "", wantStart: 1, wantCount: 100},
		{name: "given", query: "startIndex=3&count=7", wantStart: 3, wantCount: 7},
		{name: "case-insensitive names", query: "startindex=3&COUNT=7", wantStart: 3, wantCount: 7},
		{name: "startIndex zero is 1", query: "startIndex=0", wantStart: 1, wantCount: 100},
		{name: "startIndex negative is 1", query: "startIndex=-5", wantStart: 1, wantCount: 100},
		{name: "count negative is 0", query: "count=-1", wantStart: 1, wantCount: 0},
		{name: "count capped", query: "count=100000", wantStart: 1, wantCount: 200},
		{name: "huge count capped", query: "count=99999999999999999999999", wantStart: 1, wantCount: 200},
		{name: "huge negative startIndex", query: "startIndex=-99999999999999999999999", wantStart: 1, wantCount: 100},
		{name: "descending", query: "sortBy=userName&sortOrder=DESCENDING", wantStart: 1, wantCount: 100, wantDesc: true},
		{name: "non-numeric count", query: "count=ten", wantType: TypeInvalidValue},
		{name: "non-numeric startIndex", query: "startIndex=1e3", wantType: TypeInvalidValue},
		{name: "empty count", query: "count=", wantType: TypeInvalidValue},
		{name: "bad sortOrder", query: "sortOrder=up", wantType: TypeInvalidValue},
		{name: "bad attributes", query: "attributes=name[x]", wantType: TypeInvalidPath},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			p, err := h.listParamsFromQuery(q, h.rt)
			if tc.wantType != "" {
				var se *Error
				if !errors.As(err, &se) || se.Status != 400 || se.Type != tc.wantType {
					t.Fatalf("error = %v, want 400 %s", err, tc.wantType)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]any{tc.wantStart, tc.wantCount, tc.wantDesc}, []any{p.startIndex, p.count, p.descending}); diff != "" {
				t.Errorf("startIndex, count, descending (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListParamsFromSearch(t *testing.T) {
	t.Parallel()
	h := testHandlerConfig(t)
	tests := []struct {
		name      string
		body      string
		wantStart int
		wantCount int
		wantType  string
	}{
		{name: "search request", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"a\"","startIndex":2,"count":5,"attributes":["userName"]}`, wantStart: 2, wantCount: 5},
		{name: "no schemas", body: `{"count":5}`, wantStart: 1, wantCount: 5},
		{name: "wrong schemas", body: `{"schemas":["urn:x"]}`, wantType: TypeInvalidSyntax},
		{name: "fractional count", body: `{"count":1.5}`, wantType: TypeInvalidValue},
		{name: "numeric string count", body: `{"count":"5"}`, wantStart: 1, wantCount: 5},
		{name: "string count", body: `{"count":"five"}`, wantType: TypeInvalidSyntax},
		{name: "filter not a string", body: `{"filter":5}`, wantType: TypeInvalidSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sr searchRequest
			var p *listParams
			err := decodeBody([]byte(tc.body), maxJSONDepth, &sr)
			if err != nil {
				err = searchError(err)
			} else {
				p, err = h.listParamsFromSearch(&sr, h.rt)
			}
			if tc.wantType != "" {
				var se *Error
				if !errors.As(err, &se) || se.Status != 400 || se.Type != tc.wantType {
					t.Fatalf("error = %v, want 400 %s", err, tc.wantType)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]int{tc.wantStart, tc.wantCount}, []int{p.startIndex, p.count}); diff != "" {
				t.Errorf("startIndex, count (-want +got):\n%s", diff)
			}
		})
	}
}
