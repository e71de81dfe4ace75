package identity

import (
	"encoding/json"
	"testing"
)

// FuzzProvisionReplace provisions one decoded document and replaces it with
// another: no panic, every refusal is a typed *Error, and a refusal writes
// nothing.
func FuzzProvisionReplace(f *testing.F) {
	f.Add(`{"externalId":"e","userName":"u","emails":[{"value":"a@b.c","type":"work"}]}`,
		`{"externalId":"e2","userName":"v","active":"False","emails":[{"value":"b@b.c","primary":true}],"name":{"formatted":"V"}}`)
	f.Add(`{"userName":"boss","emails":{"value":"BOSS@acme.test","type":"work"}}`, `{"active":true}`)
	f.Add(`{"externalId":"e","userName":"\u0000","emails":[]}`, `{"userName":"x","emails":[{"value":"x@y","type":"work"}],"externalId":""}`)
	f.Fuzz(func(t *testing.T, first, second string) {
		var d1, d2 map[string]any
		if json.Unmarshal([]byte(first), &d1) != nil || json.Unmarshal([]byte(second), &d2) != nil {
			return
		}
		fx := newFixture(t, RFCProfile())
		before := fx.snapshot(t)
		res, err := fx.p.Provision(t.Context(), "g", d1)
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("Provision: untyped error %v", err)
			}
			if d := diff(before, fx.snapshot(t)); d != "" {
				t.Fatalf("refused Provision wrote:\n%s", d)
			}
			return
		}
		before = fx.snapshot(t)
		if _, err := fx.p.Replace(t.Context(), "g", res.Identity.ID, 0, d2); err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("Replace: untyped error %v", err)
			}
			if d := diff(before, fx.snapshot(t)); d != "" {
				t.Fatalf("refused Replace wrote:\n%s", d)
			}
		}
	})
}
