package scim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// /Schemas states the uniqueness the server enforces (uniqueness.go), and
// lists no common attribute.
func TestSchemasUniqueness(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	attrs := func(urn string) map[string]map[string]any {
		rec := e.do(t, http.MethodGet, "/Schemas/"+urn, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", urn, rec.Code, rec.Body)
		}
		out := map[string]map[string]any{}
		var walk func(prefix string, list []any)
		walk = func(prefix string, list []any) {
			for _, a := range list {
				m := a.(map[string]any)
				out[prefix+m["name"].(string)] = m
				if subs, ok := m["subAttributes"].([]any); ok {
					walk(m["name"].(string)+".", subs)
				}
			}
		}
		walk("", decode(t, rec)["attributes"].([]any))
		return out
	}
	type rule struct {
		Uniqueness any
		CaseExact  any
		Canonical  any
		Says       bool
	}
	got := map[string]rule{}
	for _, s := range []struct{ urn, prefix string }{{"urn:ietf:params:scim:schemas:core:2.0:User", "User "}, {groupURN, "Group "}} {
		all := attrs(s.urn)
		for _, name := range []string{"id", "externalId", "meta"} {
			if _, ok := all[name]; ok {
				t.Errorf("%s lists the common attribute %s", s.urn, name)
			}
		}
		for name, a := range all {
			switch s.prefix + name {
			case "User userName", "User emails.value", "Group displayName", "Group members.value", "Group members.type":
				d, _ := a["description"].(string)
				got[s.prefix+name] = rule{a["uniqueness"], a["caseExact"], a["canonicalValues"],
					strings.Contains(d, "ignoring case") || strings.Contains(d, "exactly") || strings.Contains(d, "Nested groups")}
			}
		}
	}
	want := map[string]rule{
		"User userName":       {"server", false, nil, true},
		"User emails.value":   {"global", false, nil, true},
		"Group displayName":   {"server", false, nil, true},
		"Group members.value": {"none", true, nil, true},
		"Group members.type":  {"none", false, []any{"User"}, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
}
