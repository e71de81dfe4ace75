package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// listIdPFixture adds to idpFixture's groups ig3 ("QA", no members) and
// ig4 ("devops", externalId "E4"), and the members: ig1 s1 and s2, ig2 s1,
// ig4 s3.
func listIdPFixture(t *testing.T, st store.Store) {
	idpFixture(t, st)
	ig4 := newIdPGroup("ig4", "g1", "devops", 4)
	ig4.ExternalID = "E4"
	putIdP(t, st, newIdPGroup("ig3", "g1", "QA", 3), ig4)
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for g, ids := range map[string][]string{"ig1": {"s1", "s2"}, "ig2": {"s1"}, "ig4": {"s3"}} {
			if _, err := tx.AddIdPGroupMembers(ctx, "g1", g, ids); err != nil {
				return err
			}
		}
		return nil
	})
}

// listIdP runs q through store.ListIdPGroups on group g1 and returns the
// IDs and total. It checks the answer against the filter evaluated over
// every IdP group with all its members, the reference semantics.
func listIdP(t *testing.T, st store.Store, q store.Query) ([]string, int, error) {
	t.Helper()
	var ids []string
	var total int
	err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		page, n, err := store.ListIdPGroups(ctx, tx, "g1", q)
		if err != nil {
			return err
		}
		for _, g := range page {
			ids = append(ids, g.ID)
		}
		total = n
		if q.Filter == nil {
			return nil
		}
		rt := schema.Group()
		rt.Schema.Attr("members").Sub("value").CaseExact = true
		f, err := filter.Compile(q.Filter, rt)
		if err != nil {
			return err
		}
		refTotal := 0
		for g, err := range tx.IdPGroups(ctx, "g1") {
			if err != nil {
				return err
			}
			res := g.Resource()
			var ms []any
			for m, err := range tx.IdPGroupMembers(ctx, "g1", g.ID) {
				if err != nil {
					return err
				}
				ms = append(ms, map[string]any{"value": m.ID})
			}
			if ms != nil {
				res["members"] = ms
			}
			if f.Match(res) {
				refTotal++
			}
		}
		if refTotal != n {
			t.Errorf("ListIdPGroups total %d, the filter over every group %d", n, refTotal)
		}
		return nil
	})
	return ids, total, err
}

func testListIdPGroups(t *testing.T, st store.Store) {
	listIdPFixture(t, st)
	all := []string{"ig1", "ig2", "ig3", "ig4"}
	for _, tc := range []struct {
		name, filter string
		q            store.Query
		want         []string
		total        int
	}{
		{name: "all", want: all, total: 4},
		{name: "page", q: store.Query{StartIndex: 2, Count: 2}, want: []string{"ig2", "ig3"}, total: 4},
		{name: "displayName folded", filter: `displayName eq "developers"`, want: []string{"ig1"}, total: 1},
		{name: "displayName with URN", filter: `urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "QA"`, want: []string{"ig3"}, total: 1},
		{name: "externalId", filter: `externalId eq "ext-admins"`, want: []string{"ig2"}, total: 1},
		{name: "externalId is caseExact", filter: `externalId eq "EXT-ADMINS"`, total: 0},
		{name: "id", filter: `id eq "ig3"`, want: []string{"ig3"}, total: 1},
		{name: "id of nothing", filter: `id eq "nope"`, total: 0},
		{name: "member", filter: `members[value eq "s1"]`, want: []string{"ig1", "ig2"}, total: 2},
		{name: "members.value", filter: `members.value eq "s3"`, want: []string{"ig4"}, total: 1},
		{name: "members eq", filter: `members eq "s2"`, want: []string{"ig1"}, total: 1},
		{name: "member ids are exact", filter: `members[value eq "S1"]`, total: 0},
		{name: "member and name", filter: `members[value eq "s1"] and displayName sw "Dev"`, want: []string{"ig1"}, total: 1},
		{name: "either member", filter: `members[value eq "s2"] or members[value eq "s3"]`, want: []string{"ig1", "ig4"}, total: 2},
		{name: "two members", filter: `members[value eq "s1"] and members[value eq "s2"]`, want: []string{"ig1"}, total: 1},
		{name: "member or value in one filter", filter: `members[value eq "s9" or value eq "s3"]`, want: []string{"ig4"}, total: 1},
		{name: "not a member", filter: `not (members[value eq "s1"])`, want: []string{"ig3", "ig4"}, total: 2},
		{name: "members present", filter: `members pr`, want: []string{"ig1", "ig2", "ig4"}, total: 3},
		{name: "no members", filter: `not (members pr)`, want: []string{"ig3"}, total: 1},
		{name: "member prefix", filter: `members[value sw "s"]`, want: []string{"ig1", "ig2", "ig4"}, total: 3},
		{name: "not another member", filter: `members[not (value eq "s1")]`, want: []string{"ig1", "ig4"}, total: 2},
		{name: "name contains", filter: `displayName co "o"`, want: []string{"ig1", "ig4"}, total: 2},
		{name: "names or", filter: `displayName eq "Developers" or displayName eq "qa"`, want: []string{"ig1", "ig3"}, total: 2},
		{name: "name or member", filter: `displayName eq "QA" or members.value eq "s3"`, want: []string{"ig3", "ig4"}, total: 2},
		{name: "resource type", filter: `meta.resourceType eq "Group"`, want: all, total: 4},
		{name: "sorted", q: store.Query{SortBy: "displayName"}, want: []string{"ig2", "ig1", "ig4", "ig3"}, total: 4},
		{name: "sorted by URN, descending", q: store.Query{SortBy: "urn:ietf:params:scim:schemas:core:2.0:Group:displayName", SortOrder: store.Descending},
			want: []string{"ig3", "ig4", "ig1", "ig2"}, total: 4},
		{name: "sorted by members, paged", q: store.Query{SortBy: "members.value", StartIndex: 1, Count: 2}, want: []string{"ig1", "ig2"}, total: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			if tc.filter != "" {
				q.Filter = mustParse(t, tc.filter)
			}
			ids, total, err := listIdP(t, st, q)
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(tc.want, ids); d != "" || total != tc.total {
				t.Errorf("total %d, want %d; (-want +got):\n%s", total, tc.total, d)
			}
		})
	}
	var se *filter.SchemaError
	if _, _, err := listIdP(t, st, store.Query{Filter: mustParse(t, `displayName gt true`)}); !errors.As(err, &se) {
		t.Errorf("filter displayName gt true: got %v, want a *filter.SchemaError", err)
	}
}
