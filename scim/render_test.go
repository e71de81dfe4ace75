package scim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// TestAppendUserMatchesRender pins the fast encoder to the document path.
func TestAppendUserMatchesRender(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))
	docs := []string{
		`{}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","emails":[{"value":"a@x","type":"work"}],"title":"<&>"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a"}`,
		`{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1"},"password":"x","ID":"y","Active":false,"zz":1,"aa":[1.5,null,true]}`,
		`{"schemas":"not a list","userName":"a"}`,
		`{"schemas":[1,"urn:ietf:params:scim:schemas:core:2.0:User"],"USERNAME":"b"}`,
	}
	for _, d := range docs {
		var doc map[string]any
		if err := json.Unmarshal([]byte(d), &doc); err != nil {
			t.Fatal(err)
		}
		for i, created := range []time.Time{{}, at, at} {
			// The location is escaped piece by piece: a base with runes
			// to escape or invalid UTF-8, an id PathEscape changes.
			tn, id := &tenant{base: "http://h"}, "id-1"
			if i == 2 {
				tn, id = &tenant{base: "http://h\u2028<é>\xc3"}, "a b/é\xff"
			}
			s := &store.SCIMIdentity{ID: id, ExternUID: "ext\"1", Active: created.IsZero(), Document: doc, Version: 3, Created: created, Updated: created.Add(time.Second)}
			want, err := appendJSON(nil, renderRFC(s, tn.userLocation(id)), true)
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := rfcProfile{}.appendUser(nil, s, tn)
			if err != nil || !ok {
				t.Fatalf("appendUser(%s): ok %v, %v", d, ok, err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("doc %s (-render +fast):\n%s", d, diff)
			}
		}
	}
	s := &store.SCIMIdentity{ID: "i", Document: map[string]any{"meta": map[string]any{"x": 1}}}
	if _, ok, _ := (rfcProfile{}).appendUser(nil, s, &tenant{base: "l"}); ok {
		t.Errorf("a document with meta took the fast path")
	}
}

func TestFoldKey(t *testing.T) {
	if got := strings.ToLower(schema.EnterpriseUserURN); got != enterpriseUserURNLower {
		t.Errorf("enterpriseUserURNLower = %q, want %q", enterpriseUserURNLower, got)
	}
	var buf [64]byte
	for _, k := range []string{"", "id", "userName", "EXTERNALID", "K\u212Aelvin", "İd", strings.Repeat("Ab", 40), "ſchemas"} {
		if got, want := string(foldKey(&buf, k)), strings.ToLower(k); got != want {
			t.Errorf("foldKey(%q) = %q, want %q", k, got, want)
		}
	}
}
