package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

func TestIdPGroupResource(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	g := &store.IdPGroup{
		ID: "ig1", GroupID: "g1", DisplayName: "Developers", ExternalID: "e1",
		Document: map[string]any{
			"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"},
			"ID":      "spoofed", "DisplayName": "spoofed", "members": []any{"x"},
			"META":        map[string]any{"version": "W/\"7\"", "resourceType": "User"},
			"urn:example": map[string]any{"team": "core"},
		},
		Created: at, Updated: at.Add(time.Second),
	}
	want := map[string]any{
		"schemas":     []any{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"urn:example": map[string]any{"team": "core"},
		"id":          "ig1", "externalId": "e1", "displayName": "Developers",
		"meta": map[string]any{"resourceType": "Group", "version": "W/\"7\"",
			"created": "2024-05-01T12:00:00Z", "lastModified": "2024-05-01T12:00:01Z"},
	}
	if d := cmp.Diff(want, g.Resource()); d != "" {
		t.Errorf("Resource (-want +got):\n%s", d)
	}
	g.ExternalID = ""
	if _, ok := g.Resource()["externalId"]; ok {
		t.Error("Resource of a group without externalId has one")
	}
}

func TestIdPGroupLinkMatches(t *testing.T) {
	g := &store.IdPGroup{ID: "ig1", GroupID: "g1", DisplayName: "Développeurs", ExternalID: "E-1"}
	for _, tc := range []struct {
		link store.IdPGroupLink
		want bool
	}{
		{store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkDisplayName, Value: "DÉVELOPPEURS"}, true},
		{store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkDisplayName, Value: "E-1"}, false},
		{store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkExternalID, Value: "e-1"}, true},
		{store.IdPGroupLink{GroupID: "g2", Attribute: store.LinkExternalID, Value: "e-1"}, false},
		{store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkExternalID, Value: ""}, false},
		{store.IdPGroupLink{GroupID: "g1", Value: "Développeurs"}, false},
	} {
		if got := tc.link.Matches(g); got != tc.want {
			t.Errorf("%+v matches = %v, want %v", tc.link, got, tc.want)
		}
	}
	noExt := &store.IdPGroup{GroupID: "g1", DisplayName: "x"}
	if (&store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkExternalID, Value: ""}).Matches(noExt) {
		t.Error("an externalId link matches a group without externalId")
	}
	if got := store.LinkExternalID.String() + " " + store.LinkDisplayName.String() + " " + store.LinkAttribute(9).String(); got != "externalId displayName LinkAttribute(9)" {
		t.Errorf("String = %q", got)
	}
}
