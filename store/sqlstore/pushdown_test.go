package sqlstore

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
)

func TestPushdown(t *testing.T) {
	tests := []struct {
		filter string
		sql    string
		args   []any
		exact  bool
		sel    bool
		names  [][]byte // the userName keys an Update listing under it claims
		byID   bool     // found by id through the emails index
	}{
		{`id eq "a"`, "s.id = ?", []any{b("a")}, true, true, nil, false},
		// Not exact: an identity whose client set no externalId shows none.
		{`externalId eq "AbC"`, "(s.extern_uid_key = ? AND s.extern_uid = ?)", []any{b("abc"), b("AbC")}, false, true, nil, false},
		{`urn:ietf:params:scim:schemas:core:2.0:User:externalId eq "x"`, "(s.extern_uid_key = ? AND s.extern_uid = ?)", []any{b("x"), b("x")}, false, true, nil, false},
		{`active eq false`, "s.active = ?", []any{false}, true, false, nil, false},
		{`userName eq "Ada"`, "s.user_name_key IN (?, ?)", []any{b("ada"), b(oddKey)}, false, true, [][]byte{b("ada")}, false},
		{`userName eq "a" or userName eq "B"`, "(s.user_name_key IN (?, ?) OR s.user_name_key IN (?, ?))", []any{b("a"), b(oddKey), b("b"), b(oddKey)}, false, true, [][]byte{b("a"), b("b")}, false},
		{`userName eq "a" or id eq "b"`, "(s.user_name_key IN (?, ?) OR s.id = ?)", []any{b("a"), b(oddKey), b("b")}, false, true, nil, false},
		{`userName sw "Ad"`, "((s.user_name_key >= ? AND s.user_name_key < ?) OR s.user_name_key = ?)", []any{b("ad"), b("ad\xff"), b(oddKey)}, false, true, nil, false},
		{`emails eq "A@x.org"`, "s.id IN (SELECT e.identity_id FROM scimkit_scim_emails e WHERE e.group_id = ? AND e.value_key IN (?, ?))", []any{groupArg{}, b("a@x.org"), b(oddKey)}, false, true, nil, true},
		{`emails.value eq "A@x.org"`, "s.id IN (SELECT e.identity_id FROM scimkit_scim_emails e WHERE e.group_id = ? AND e.value_key IN (?, ?))", []any{groupArg{}, b("a@x.org"), b(oddKey)}, false, true, nil, true},
		{`emails[type eq "work" and value eq "A@x.org"]`, "s.id IN (SELECT e.identity_id FROM scimkit_scim_emails e WHERE e.group_id = ? AND e.value_key IN (?, ?))", []any{groupArg{}, b("a@x.org"), b(oddKey)}, false, true, nil, true},
		{`emails[type eq "work" or value eq "A@x.org"]`, "", nil, false, false, nil, false},
		{`userName eq "a" and title eq "b"`, "s.user_name_key IN (?, ?)", []any{b("a"), b(oddKey)}, false, true, [][]byte{b("a")}, false},
		{`id eq "a" and active eq true`, "(s.id = ? AND s.active = ?)", []any{b("a"), true}, true, true, nil, false},
		{`id eq "a" or externalId eq "b"`, "(s.id = ? OR (s.extern_uid_key = ? AND s.extern_uid = ?))", []any{b("a"), b("b"), b("b")}, false, true, nil, false},
		{`id eq "a" or title eq "b"`, "", nil, false, false, nil, false},
		{`not (id eq "a")`, "NOT s.id = ?", []any{b("a")}, true, false, nil, false},
		{`not (userName eq "a")`, "", nil, false, false, nil, false},
		{`title eq "x"`, "", nil, false, false, nil, false},
		{`userName gt "x"`, "", nil, false, false, nil, false},
		{`externalId eq 1`, "", nil, false, false, nil, false},
		{`userName eq "\u212Aelvin"`, "s.user_name_key IN (?, ?)", []any{b("kelvin"), b(oddKey)}, false, true, [][]byte{b("kelvin")}, false},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			e, err := filter.Parse(tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			got := pushdown(e)
			got.depth = 0 // the bound on it: TestListMatchesSelect's long filters
			want := cond{sql: tc.sql, args: tc.args, exact: tc.exact, selective: tc.sel, names: tc.names, byID: tc.byID}
			if d := cmp.Diff(want, got, cmp.AllowUnexported(cond{})); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
