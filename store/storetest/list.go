package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

const enterprise = schema.EnterpriseUserURN

// listFixture stores group g1 with six SCIM identities whose documents
// cover the User schema, the Enterprise extension, a custom attribute and
// an empty document, plus a group g2 whose identity must never show up in
// g1's lists. It returns nothing: the tests name identities s1..s6.
//
// Default order is s1, s2, s3, s4, s5, s6 (s4 and s5 share Created).
func listFixture(t *testing.T, st store.Store) {
	t.Helper()
	type row struct {
		id      string
		minute  int
		active  bool
		deleted bool
		extern  string
		doc     map[string]any
	}
	rows := []row{
		{"s6", 4, true, false, "ext-erin", map[string]any{
			"userName":      "erin",
			"name":          map[string]any{"givenName": "Erin"},
			"emails":        []any{},
			enterprise:      map[string]any{"employeeNumber": "1006"},
			"favoriteColor": "cc-2",
		}},
		{"s3", 2, false, true, "ext-carol", map[string]any{
			"userName": "carol",
			"name":     map[string]any{"givenName": "Carol", "familyName": "Clark"},
			"title":    "Director",
			"emails":   []any{map[string]any{"value": "carol@work.example", "type": "work", "primary": true}},
			enterprise: map[string]any{"department": "Sales"},
		}},
		{"s1", 0, true, false, "ext-alice", map[string]any{
			"schemas":     []any{schema.UserURN, enterprise},
			"userName":    "alice",
			"name":        map[string]any{"givenName": "Alice", "familyName": "Archer", "formatted": "Alice Archer"},
			"displayName": "Alice A",
			"title":       "Engineer",
			"emails": []any{
				map[string]any{"value": "alice@work.example", "type": "work", "primary": true},
				map[string]any{"value": "alice@home.example", "type": "home"},
			},
			"phoneNumbers":      []any{map[string]any{"value": "+1 555 0100", "type": "mobile"}},
			"nickName":          "ally",
			"userType":          "Employee",
			"preferredLanguage": "en-GB",
			"timezone":          "Europe/London",
			"addresses":         []any{map[string]any{"type": "work", "locality": "London", "country": "GB"}},
			"roles":             []any{map[string]any{"value": "admin"}},
			"level":             3.0,
			enterprise: map[string]any{
				"employeeNumber": "1001",
				"costCenter":     "cc-1",
				"organization":   "Acme",
				"department":     "Engineering",
				"manager":        map[string]any{"value": "s3", "displayName": "Carol"},
			},
			"favoriteColor": "cc-1",
		}},
		{"s5", 3, true, false, "ext-empty", map[string]any{}},
		{"s2", 1, false, false, "ext-bob", map[string]any{
			"userName":  "Bob",
			"name":      map[string]any{"givenName": "Bob", "familyName": "Baker"},
			"emails":    []any{map[string]any{"value": "bob@work.example", "type": "work"}},
			"userType":  "Contractor",
			"addresses": []any{map[string]any{"type": "home", "locality": "Paris", "country": "FR"}},
			"level":     json.Number("7"),
			enterprise:  map[string]any{"department": "Sales", "manager": map[string]any{"value": "s3"}},
		}},
		{"s4", 3, true, false, "ext-dave", map[string]any{
			"userName":    "dave",
			"displayName": "Dave",
			"emails":      []any{map[string]any{"value": "DAVE@Work.Example", "type": "other"}},
		}},
	}
	entities := []any{newGroup("g1"), newGroup("g2")}
	for _, r := range rows {
		uid := "u" + r.id[1:]
		at := base.Add(time.Duration(r.minute) * time.Minute)
		entities = append(entities, newUser(uid), &store.SCIMIdentity{
			ID: r.id, GroupID: "g1", UserID: uid, ExternUID: r.extern, Active: r.active, Deleted: r.deleted,
			Document: r.doc, Created: at, Updated: at,
		})
	}
	other := newSCIM("other", "g2", "u1", "ext-alice", 0)
	other.Document["emails"] = []any{map[string]any{"value": "alice@work.example"}}
	other.Document["userName"] = "alice"
	entities = append(entities, other)
	put(t, st, entities...)
}

// list runs q on group g1 and returns the IDs and total. It also checks
// that the store's answer equals store.Select over SCIMIdentities, the
// reference semantics, so that a store's pushdown cannot drift.
func list(t *testing.T, st store.Store, q store.Query) ([]string, int, error) {
	t.Helper()
	var ids []string
	var total int
	err := st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		items, n, err := store.ListSCIMIdentities(ctx, tx, "g1", q)
		if err != nil {
			return err
		}
		for _, s := range items {
			ids = append(ids, s.ID)
		}
		total = n
		ref, refTotal, err := store.Select(tx.SCIMIdentities(ctx, "g1"), q)
		if err != nil {
			t.Errorf("store.Select: %v", err)
			return nil
		}
		var refIDs []string
		for _, s := range ref {
			refIDs = append(refIDs, s.ID)
		}
		if d := diff(refIDs, ids); d != "" || refTotal != total {
			t.Errorf("ListSCIMIdentities differs from store.Select: total %d, want %d; (-select +store):\n%s", total, refTotal, d)
		}
		return nil
	})
	return ids, total, err
}

func mustParse(t *testing.T, s string) filter.Expr {
	t.Helper()
	e, err := filter.Parse(s)
	if err != nil {
		t.Fatalf("filter.Parse(%q): %v", s, err)
	}
	return e
}

func testListPaging(t *testing.T, st store.Store) {
	listFixture(t, st)
	all := []string{"s1", "s2", "s3", "s4", "s5", "s6"}
	tests := []struct {
		name   string
		q      store.Query
		filter string
		want   []string
		total  int
	}{
		{name: "zero query lists all in default order", want: all, total: 6},
		{name: "first page", q: store.Query{StartIndex: 1, Count: 2}, want: []string{"s1", "s2"}, total: 6},
		{name: "middle page", q: store.Query{StartIndex: 3, Count: 2}, want: []string{"s3", "s4"}, total: 6},
		{name: "last partial page", q: store.Query{StartIndex: 5, Count: 4}, want: []string{"s5", "s6"}, total: 6},
		{name: "start index below 1 means 1", q: store.Query{StartIndex: -3, Count: 1}, want: []string{"s1"}, total: 6},
		{name: "start index past the end", q: store.Query{StartIndex: 7, Count: 2}, want: nil, total: 6},
		{name: "count 0 means no limit", q: store.Query{StartIndex: 4}, want: []string{"s4", "s5", "s6"}, total: 6},
		{name: "negative count means no limit", q: store.Query{Count: -1}, want: all, total: 6},
		{name: "filtered page", filter: "active eq true", q: store.Query{StartIndex: 2, Count: 2}, want: []string{"s4", "s5"}, total: 4},
		{name: "skip deleted", q: store.Query{SkipDeleted: true}, want: []string{"s1", "s2", "s4", "s5", "s6"}, total: 5},
		{name: "skip deleted, paged", q: store.Query{SkipDeleted: true, StartIndex: 3, Count: 1}, want: []string{"s4"}, total: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			if tc.filter != "" {
				q.Filter = mustParse(t, tc.filter)
			}
			got, total, err := list(t, st, q)
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(tc.want, got); d != "" || total != tc.total {
				t.Errorf("total %d, want %d; page (-want +got):\n%s", total, tc.total, d)
			}
		})
	}
	// Pages over a stable order cover every identity exactly once.
	var seen []string
	for start := 1; start <= 6; start += 4 {
		got, _, err := list(t, st, store.Query{StartIndex: start, Count: 4, SortBy: "userName"})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, got...)
	}
	if d := diff([]string{"s1", "s2", "s3", "s4", "s6", "s5"}, seen); d != "" {
		t.Errorf("pages sorted by userName (-want +got):\n%s", d)
	}
}

func testListSort(t *testing.T, st store.Store) {
	listFixture(t, st)
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"userName, case-insensitive, missing last", store.Query{SortBy: "userName"}, []string{"s1", "s2", "s3", "s4", "s6", "s5"}},
		{"userName descending, missing still last", store.Query{SortBy: "userName", SortOrder: store.Descending}, []string{"s6", "s4", "s3", "s2", "s1", "s5"}},
		{"attribute names are case-insensitive", store.Query{SortBy: "USERNAME"}, []string{"s1", "s2", "s3", "s4", "s6", "s5"}},
		{"qualified name", store.Query{SortBy: schema.UserURN + ":userName"}, []string{"s1", "s2", "s3", "s4", "s6", "s5"}},
		{"ties keep the default order", store.Query{SortBy: enterprise + ":department"}, []string{"s1", "s2", "s3", "s4", "s5", "s6"}},
		{"ties keep the default order descending", store.Query{SortBy: enterprise + ":department", SortOrder: store.Descending}, []string{"s2", "s3", "s1", "s4", "s5", "s6"}},
		{"sub-attribute", store.Query{SortBy: "name.givenName"}, []string{"s1", "s2", "s3", "s6", "s4", "s5"}},
		{"sub-attribute, paged", store.Query{SortBy: "name.givenName", StartIndex: 3, Count: 2}, []string{"s3", "s6"}},
		{"multi-valued sorts by primary or first value", store.Query{SortBy: "emails.value", SortOrder: store.Descending}, []string{"s4", "s3", "s2", "s1", "s5", "s6"}},
		{"multi-valued without sub-attribute sorts by value", store.Query{SortBy: "emails"}, []string{"s1", "s2", "s3", "s4", "s5", "s6"}},
		{"dateTime", store.Query{SortBy: "meta.created", SortOrder: store.Descending}, []string{"s6", "s4", "s5", "s3", "s2", "s1"}},
		{"boolean", store.Query{SortBy: "active"}, []string{"s2", "s3", "s1", "s4", "s5", "s6"}},
		{"identity field id", store.Query{SortBy: "id", SortOrder: store.Descending}, []string{"s6", "s5", "s4", "s3", "s2", "s1"}},
		{"externalId", store.Query{SortBy: "externalId"}, []string{"s1", "s2", "s3", "s4", "s5", "s6"}},
		{"custom attribute", store.Query{SortBy: "favoriteColor", SortOrder: store.Descending}, []string{"s6", "s1", "s2", "s3", "s4", "s5"}},
		{"with filter and skip deleted", store.Query{SortBy: "userName", SortOrder: store.Descending, SkipDeleted: true, Filter: mustParse(t, "emails pr")}, []string{"s4", "s2", "s1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := list(t, st, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(tc.want, got); d != "" {
				t.Errorf("order (-want +got):\n%s", d)
			}
			if tc.q.Count == 0 && total != len(tc.want) {
				t.Errorf("total = %d, want %d", total, len(tc.want))
			}
		})
	}
}

func testListFilter(t *testing.T, st store.Store) {
	listFixture(t, st)
	tests := []filterCase{
		{`userName eq "alice"`, []string{"s1"}},
		{`userName eq "ALICE"`, []string{"s1"}},
		{`userName eq "bob"`, []string{"s2"}},
		{`userName sw "c"`, []string{"s3"}},
		{`userName co "a"`, []string{"s1", "s3", "s4"}},
		{`userName ew "E"`, []string{"s1", "s4"}},
		{`userName pr`, []string{"s1", "s2", "s3", "s4", "s6"}},
		{`not (userName pr)`, []string{"s5"}},
		{`userName eq "nobody"`, nil},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "dave"`, []string{"s4"}},
		{`name.givenName eq "Bob"`, []string{"s2"}},
		{`name.familyName sw "b"`, []string{"s2"}},
		{`name.formatted pr`, []string{"s1"}},
		{`name.givenName gt "B"`, []string{"s2", "s3", "s6"}},
		{`displayName eq "dave"`, []string{"s4"}},
		{`title pr`, []string{"s1", "s3"}},
		{`title eq "director"`, []string{"s3"}},
		{`emails[type eq "work"]`, []string{"s1", "s2", "s3"}},
		{`emails[type eq "work" and value eq "bob@work.example"]`, []string{"s2"}},
		{`emails[value eq "alice@home.example"]`, []string{"s1"}},
		{`emails[primary eq true]`, []string{"s1", "s3"}},
		{`emails.value eq "alice@home.example"`, []string{"s1"}},
		{`emails.value eq "dave@work.example"`, []string{"s4"}},
		{`emails.value eq "nobody@example.com"`, nil},
		{`emails.type eq "home"`, []string{"s1"}},
		{`emails pr`, []string{"s1", "s2", "s3", "s4"}},
		{`phoneNumbers[type eq "mobile"]`, []string{"s1"}},
		{enterprise + `:department eq "Sales"`, []string{"s2", "s3"}},
		{enterprise + `:manager.value eq "s3"`, []string{"s1", "s2"}},
		{enterprise + `:employeeNumber pr`, []string{"s1", "s6"}},
		{`active eq true`, []string{"s1", "s4", "s5", "s6"}},
		{`active eq false`, []string{"s2", "s3"}},
		{`not (active eq true)`, []string{"s2", "s3"}},
		{`externalId eq "ext-alice"`, []string{"s1"}},
		{`externalId eq "EXT-ALICE"`, nil},
		{`id eq "s2"`, []string{"s2"}},
		{`id eq "S2"`, nil},
		{`id eq "other"`, nil},
		{`meta.created gt "2024-05-01T12:02:00Z"`, []string{"s4", "s5", "s6"}},
		{`meta.resourceType eq "User"`, []string{"s1", "s2", "s3", "s4", "s5", "s6"}},
		{`favoriteColor eq "CC-2"`, []string{"s6"}},
		{`nickName eq "ally"`, []string{"s1"}},
		{`userType eq "contractor"`, []string{"s2"}},
		{`preferredLanguage sw "en"`, []string{"s1"}},
		{`timezone pr`, []string{"s1"}},
		{`addresses[type eq "work" and locality eq "london"]`, []string{"s1"}},
		{`addresses.country eq "FR"`, []string{"s2"}},
		{`roles.value eq "admin"`, []string{"s1"}},
		{`meta.lastModified ge "2024-05-01T12:04:00Z"`, []string{"s6"}},
		{`level gt 2`, []string{"s1", "s2"}},
		{`level lt 5`, []string{"s1"}},
		{`level eq 7`, []string{"s2"}},
		{enterprise + `:organization eq "acme"`, []string{"s1"}},
		{enterprise + `:costCenter eq "CC-1"`, []string{"s1"}},
		{`costCenter eq "cc-1"`, []string{"s1"}},
		{enterprise + `:manager.displayName eq "carol"`, []string{"s1"}},
		{`userName eq "alice" or userName eq "dave"`, []string{"s1", "s4"}},
		{`userName eq "dave" or externalId eq "ext-alice" or emails.value eq "DAVE@work.example"`, []string{"s1", "s4"}},
		{`userName eq "dave" or title pr`, []string{"s1", "s3", "s4"}},
		{`(userName eq "alice" or userName eq "bob") and active eq true`, []string{"s1"}},
		{`userName eq "alice" and active eq false`, nil},
		{`active eq true and userName eq "dave"`, []string{"s4"}},
		{`userName ne "alice" and userName pr`, []string{"s2", "s3", "s4", "s6"}},
	}
	checkFilters(t, st, tests)
}

// filterCase is a filter and the IDs of the identities it matches, in the
// default order.
type filterCase struct {
	filter string
	want   []string
}

// checkFilters lists st's identities under each case's filter and checks
// the matches and the total.
func checkFilters(t *testing.T, st store.Store, tests []filterCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			got, total, err := list(t, st, store.Query{Filter: mustParse(t, tc.filter)})
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(tc.want, got); d != "" || total != len(tc.want) {
				t.Errorf("total %d, want %d; matches (-want +got):\n%s", total, len(tc.want), d)
			}
		})
	}
}

func testListFilterErrors(t *testing.T, st store.Store) {
	listFixture(t, st)
	var se *filter.SchemaError
	_, _, err := list(t, st, store.Query{Filter: mustParse(t, `active gt true`)})
	if !errors.As(err, &se) {
		t.Errorf("filter active gt true: got %v, want a *filter.SchemaError", err)
	}
	var syn *filter.SyntaxError
	_, _, err = list(t, st, store.Query{SortBy: "emails[type"})
	if !errors.As(err, &syn) {
		t.Errorf("sortBy emails[type: got %v, want a *filter.SyntaxError", err)
	}
}

// testListFilterFolding pins case-insensitive equality beyond ASCII, where
// an index keyed by a database's lower() and strings.EqualFold disagree.
func testListFilterFolding(t *testing.T, st store.Store) {
	put(t, st, newGroup("g1"), newUser("u1"), newUser("u2"))
	a := newSCIM("s1", "g1", "u1", "ext-1", 0)
	a.Document["userName"] = "ſtraße"
	a.Document["emails"] = []any{map[string]any{"value": "ÄDA@example.com"}}
	b := newSCIM("s2", "g1", "u2", "ext-2", 1)
	b.Document["userName"] = "Σίσυφος"
	put(t, st, a, b)
	tests := []filterCase{
		{`userName eq "STRAßE"`, []string{"s1"}},
		{`userName eq "straße"`, []string{"s1"}},
		{`userName eq "strasse"`, nil},
		{`emails.value eq "äda@EXAMPLE.com"`, []string{"s1"}},
		{`emails[value eq "äda@example.com"]`, []string{"s1"}},
		{`userName eq "σίσυφοσ"`, []string{"s2"}},
		{`userName eq "ΣΊΣΥΦΟΣ"`, []string{"s2"}},
	}
	checkFilters(t, st, tests)
}

// testListFilterOddDocuments stores documents whose userName and emails are
// not in the usual shape (arrays, a lone object, strings for objects,
// values that are themselves arrays): filters match them as the reference
// evaluation does, so an index a store keeps for pushdown must not miss
// them.
func testListFilterOddDocuments(t *testing.T, st store.Store) {
	docs := []map[string]any{
		{"userName": "Ada", "emails": map[string]any{"value": "one@x.example"}},
		{"UserName": "ada", "Emails": []any{map[string]any{"Value": "ONE@x.example"}}},
		{"userName": json.Number("5"), "emails": []any{"one@x.example"}},
		{"userName": []any{"ada", "bob"}, "emails": []any{map[string]any{"value": []any{"two@x.example", "one@x.example"}}}},
		{"userName": []any{[]any{"Ada"}}, "emails": []any{[]any{map[string]any{"value": "one@x.example"}}}},
		{"userName": map[string]any{"value": "ada"}, "emails": []any{map[string]any{"value": map[string]any{"value": "one@x.example"}}}},
		{"userName": true, "emails": []any{nil, map[string]any{"value": nil}, true}},
		{"userName": "one@x.example", "emails": "ONE@x.example"},
		{},
	}
	entities := []any{newGroup("g1")}
	for i, d := range docs {
		uid := fmt.Sprintf("u%d", i)
		s := newSCIM(fmt.Sprintf("s%d", i), "g1", uid, fmt.Sprintf("ext-%d", i), i)
		s.Document = d
		entities = append(entities, newUser(uid), s)
	}
	put(t, st, entities...)
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "ada"`, []string{"s0", "s1", "s3", "s4"}},
		{`userName eq "BOB"`, []string{"s3"}},
		{`userName sw "a"`, []string{"s0", "s1", "s3", "s4"}},
		{`userName eq "ada" and userName eq "bob"`, []string{"s3"}},
		{`emails eq "one@x.example"`, []string{"s0", "s1", "s2", "s3", "s4", "s7"}},
		{`emails.value eq "one@x.example"`, []string{"s0", "s1", "s2", "s3", "s4", "s7"}},
		{`emails[value eq "one@x.example"]`, []string{"s0", "s1", "s2", "s3", "s4", "s7"}},
		{`emails.value eq "two@x.example"`, []string{"s3"}},
		{`userName eq "one@x.example" or emails.value eq "two@x.example"`, []string{"s3", "s7"}},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			for _, q := range []store.Query{{}, {SortBy: "userName"}, {StartIndex: 2, Count: 2}} {
				q.Filter = mustParse(t, tc.filter)
				got, total, err := list(t, st, q)
				if err != nil {
					t.Fatal(err)
				}
				if q.Count == 0 && (total != len(tc.want) || len(got) != len(tc.want)) {
					t.Errorf("%+v: %d matches (total %d) %v, want %v", q, len(got), total, got, tc.want)
				}
				if q.SortBy == "" && q.Count == 0 {
					if d := diff(tc.want, got); d != "" {
						t.Errorf("matches (-want +got):\n%s", d)
					}
				}
			}
		})
	}
}

// testListFilterEveryAttribute gives one identity a document holding every
// attribute and sub-attribute of the User schema and the Enterprise User
// extension (taken from the filter package's schemas, so none is left out)
// and checks that "pr" and "eq" filters on each find that identity and no
// other.
func testListFilterEveryAttribute(t *testing.T, st store.Store) {
	type leaf struct {
		path  string
		value any // nil: test "pr" only
	}
	var leaves []leaf
	valueOf := func(a *schema.Attribute, path string) any {
		switch a.Type {
		case schema.TypeBoolean:
			return true
		case schema.TypeInteger:
			return json.Number("7")
		case schema.TypeDecimal:
			return json.Number("1.5")
		case schema.TypeDateTime:
			return "2023-02-03T04:05:06Z"
		}
		return "v-" + path
	}
	literal := func(v any) string {
		if s, ok := v.(string); ok {
			b, _ := json.Marshal(s)
			return string(b)
		}
		return fmt.Sprint(v)
	}
	doc := map[string]any{}
	skip := map[string]bool{"id": true, "externalId": true, "active": true, "meta": true} // identity fields, tested in ListFilter
	for _, sc := range []*schema.Schema{schema.UserSchema(), schema.EnterpriseUserSchema()} {
		into, prefix := doc, ""
		if sc.ID == enterprise {
			into = map[string]any{}
			doc[enterprise] = into
			prefix = enterprise + ":"
		}
		for _, a := range sc.Attributes {
			if skip[a.Name] {
				continue
			}
			if len(a.SubAttributes) == 0 {
				v := valueOf(a, a.Name)
				if a.MultiValued {
					into[a.Name] = []any{v}
				} else {
					into[a.Name] = v
				}
				leaves = append(leaves, leaf{prefix + a.Name, v})
				continue
			}
			obj := map[string]any{}
			for _, sub := range a.SubAttributes {
				v := valueOf(sub, a.Name+"."+sub.Name)
				obj[sub.Name] = v
				leaves = append(leaves, leaf{prefix + a.Name + "." + sub.Name, v})
			}
			if a.MultiValued {
				into[a.Name] = []any{obj}
			} else {
				into[a.Name] = obj
			}
			leaves = append(leaves, leaf{prefix + a.Name, nil})
		}
	}
	full := newSCIM("s1", "g1", "u1", "ext-1", 0)
	full.Document = doc
	empty := newSCIM("s2", "g1", "u2", "ext-2", 1)
	empty.Document = map[string]any{"userName": "other"}
	put(t, st, newGroup("g1"), newUser("u1"), newUser("u2"), full, empty)
	for _, l := range leaves {
		filters := []string{l.path + " pr"}
		if l.value != nil && !strings.HasSuffix(l.path, "$ref") {
			filters = append(filters, l.path+" eq "+literal(l.value))
		}
		for _, f := range filters {
			t.Run(f, func(t *testing.T) {
				want := []string{"s1"}
				if l.path == "userName" && strings.HasSuffix(f, " pr") {
					want = []string{"s1", "s2"}
				}
				got, total, err := list(t, st, store.Query{Filter: mustParse(t, f)})
				if err != nil {
					t.Fatal(err)
				}
				if d := diff(want, got); d != "" || total != len(want) {
					t.Errorf("total %d; matches (-want +got):\n%s", total, d)
				}
			})
		}
	}
}
