package identity

import (
	"encoding/json"
	"testing"
)

// FuzzIdPGroupCreateReplace creates an IdP group from one decoded
// document, with a member, and replaces it with another: no panic, every
// refusal is a typed *Error and writes nothing.
func FuzzIdPGroupCreateReplace(f *testing.F) {
	f.Add(`{"displayName":"Devs","externalId":"e","members":[{"value":"id-2"}]}`,
		`{"displayName":"Ops","members":[{"value":"id-2","type":"User"},{"value":"id-2"}]}`)
	f.Add(`{"displayName":"Devs","members":[{"$ref":null,"value":"id-2"}]}`, `{"displayName":"devs","externalId":null,"members":[]}`)
	f.Add(`{"DISPLAYNAME":"\u0000","members":{"value":"id-2"}}`, `{"displayName":"x","members":[{"value":5}],"id":"other"}`)
	f.Fuzz(func(t *testing.T, first, second string) {
		var d1, d2 map[string]any
		if json.Unmarshal([]byte(first), &d1) != nil || json.Unmarshal([]byte(second), &d2) != nil {
			return
		}
		fx := newFixture(t, RFCProfile())
		fx.person(t, "alice") // identity id-2
		before, beforeIdP := fx.snapshot(t), fx.idpSnapshot(t)
		res, err := fx.p.CreateIdPGroup(t.Context(), "g", d1, IncludeMembers)
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("CreateIdPGroup: untyped error %v", err)
			}
			if d := diff(before, fx.snapshot(t)) + diff(beforeIdP, fx.idpSnapshot(t)); d != "" {
				t.Fatalf("refused CreateIdPGroup wrote:\n%s", d)
			}
			return
		}
		before, beforeIdP = fx.snapshot(t), fx.idpSnapshot(t)
		if _, err := fx.p.ReplaceIdPGroup(t.Context(), "g", res.Group.ID, 0, d2, IncludeMembers); err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("ReplaceIdPGroup: untyped error %v", err)
			}
			if d := diff(before, fx.snapshot(t)) + diff(beforeIdP, fx.idpSnapshot(t)); d != "" {
				t.Fatalf("refused ReplaceIdPGroup wrote:\n%s", d)
			}
		}
	})
}
