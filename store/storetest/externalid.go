package storetest

import (
	"testing"

	"github.com/scimkit/scimkit/store"
)

// testListFilterUnsetExternalID stores an identity whose document records
// that its client set no externalId (a null "externalId": the RFC profile's
// POST without one, whose userName became the extern_uid) beside one with
// an externalId, and checks that lists and filters treat the first as
// having none, as its Resource does, whatever index the store keeps on the
// extern_uid.
func testListFilterUnsetExternalID(t *testing.T, st store.Store) {
	hidden := newSCIM("s1", "g1", "u1", "okta.user", 0)
	hidden.Document["externalId"] = nil
	shown := newSCIM("s2", "g1", "u2", "ext-2", 1)
	put(t, st, newGroup("g1"), newUser("u1"), newUser("u2"), hidden, shown)

	if _, ok := hidden.Resource()["externalId"]; ok {
		t.Fatal("the Resource of a document with a null externalId has an externalId")
	}
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`externalId eq "okta.user"`, nil},
		{`externalId eq "ext-2"`, []string{"s2"}},
		{`externalId pr`, []string{"s2"}},
		{`not (externalId eq "okta.user")`, []string{"s1", "s2"}},
		{`not (externalId pr)`, []string{"s1"}},
		{`externalId eq "okta.user" or userName eq "u1"`, []string{"s1"}},
	} {
		got, _, err := list(t, st, store.Query{Filter: mustParse(t, tc.filter)})
		if err != nil {
			t.Fatalf("filter %s: %v", tc.filter, err)
		}
		if d := diff(tc.want, got); d != "" {
			t.Errorf("filter %s (-want +got):\n%s", tc.filter, d)
		}
	}
}
