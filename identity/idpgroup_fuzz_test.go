package identity

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// FuzzIdPGroupCreateReplace creates an IdP group from one document,
// decoded as the scim handler decodes it (numbers as json.Number), with a
// member, and replaces it with another, in a group where links name "Devs"
// and the externalId "e", so that roles are recomputed: no panic, every
// refusal is a typed *Error and writes nothing.
func FuzzIdPGroupCreateReplace(f *testing.F) {
	f.Add(`{"displayName":"Devs","externalId":"e","members":[{"value":"id-2"}]}`,
		`{"displayName":"Ops","members":[{"value":"id-2","type":"User"},{"value":"id-2"}]}`)
	f.Add(`{"displayName":"Devs","members":[{"$ref":null,"value":"id-2"}]}`, `{"displayName":"devs","externalId":null,"members":[]}`)
	f.Add(`{"DISPLAYNAME":"\u0000","members":{"value":"id-2"}}`, `{"displayName":"x","members":[{"value":5}],"id":"other"}`)
	f.Add(`{"displayName":"Ops","members":[{"value":"id-2"}],"n":1e400}`, `{"displayName":"Devs","externalId":"E","members":[{"value":"id-2"}],"x":{"y":-0}}`)
	f.Fuzz(func(t *testing.T, first, second string) {
		decode := func(s string) (map[string]any, bool) {
			var m map[string]any
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			return m, dec.Decode(&m) == nil
		}
		d1, ok1 := decode(first)
		d2, ok2 := decode(second)
		if !ok1 || !ok2 {
			return
		}
		fx := newFixture(t, RFCProfile())
		fx.person(t, "alice") // identity id-2
		for _, l := range []struct {
			attr  store.LinkAttribute
			value string
			role  store.Role
		}{{store.LinkDisplayName, "devs", store.RoleMaintainer}, {store.LinkExternalID, "e", store.RoleReporter}} {
			if _, err := fx.p.SetIdPGroupLink(t.Context(), "g", l.attr, l.value, l.role); err != nil {
				t.Fatal(err)
			}
		}
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
		readable(t, res.Group)
		before, beforeIdP = fx.snapshot(t), fx.idpSnapshot(t)
		res, err = fx.p.ReplaceIdPGroup(t.Context(), "g", res.Group.ID, 0, d2, IncludeMembers)
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("ReplaceIdPGroup: untyped error %v", err)
			}
			if d := diff(before, fx.snapshot(t)) + diff(beforeIdP, fx.idpSnapshot(t)); d != "" {
				t.Fatalf("refused ReplaceIdPGroup wrote:\n%s", d)
			}
			return
		}
		readable(t, res.Group)
	})
}

// readable fails t unless ig's resource encodes as JSON that any client
// decodes back (issue 17 item 6: a number beyond float64 was stored).
func readable(t *testing.T, ig *store.IdPGroup) {
	t.Helper()
	b, err := json.Marshal(ig.Resource())
	if err != nil {
		t.Fatalf("stored IdP group does not encode: %v", err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("stored IdP group %s cannot be decoded: %v", b, err)
	}
}
