package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
)

// FuzzListMatchesSelect lists with client filters on SQLite and compares
// the result with the reference evaluation over the same rows: pushdown
// may narrow in SQL but never change what a filter finds, and a filter
// that parses never makes the store fail.
func FuzzListMatchesSelect(f *testing.F) {
	for _, s := range []string{
		`userName eq "ada1"`, `userName sw "K"`, `userName eq "STRASSE0" or userName eq "straße1"`,
		`externalId eq "E3u03"`, `id eq "s05" and active eq true`, `not (active eq true)`,
		`emails[value eq "P2@EXAMPLE.COM" and type eq "work"]`, `emails.value eq "p1@example.com"`,
		`userName sw ""`, `userName eq "\u212Aelvin2"`, `title eq "eng" or id eq "s01"`, `userName gt "b"`,
	} {
		f.Add(s, 1, 0, false)
	}
	st := sqltest.OpenSQLite(f)
	ctx := context.Background()
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "g"}); err != nil {
			return err
		}
		names := []string{"Ada", "ada", "ADAM", "bob", "\u212Aelvin", "kelvin", "Straße", "STRASSE", "ſun", "x\u0000y"}
		for i := range 30 {
			uid := fmt.Sprintf("u%02d", i)
			if err := tx.PutUser(ctx, &store.User{ID: uid, Username: uid, Email: uid + "@x.org"}); err != nil {
				return err
			}
			var userName any = names[i%len(names)] + fmt.Sprint(i%3)
			if i == 29 {
				userName = 29 // not a string
			}
			doc := map[string]any{
				"userName": userName,
				"title":    []string{"eng", "ops"}[i%2],
				"emails":   []any{map[string]any{"value": fmt.Sprintf("P%d@Example.com", i%5), "type": "work"}},
			}
			err := tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{ID: fmt.Sprintf("s%02d", i), GroupID: "g", UserID: uid,
				ExternUID: fmt.Sprintf("E%d", i%20) + uid, Active: i%3 != 0, Deleted: i%11 == 0, Document: doc,
				Created: time.Unix(int64(1000-i%4), int64(i))})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string, start, count int, skipDeleted bool) {
		e, err := filter.Parse(expr)
		if err != nil {
			return
		}
		q := store.Query{Filter: e, StartIndex: start % 40, Count: count % 40, SkipDeleted: skipDeleted}
		err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
			want, wantTotal, werr := store.Select(tx.SCIMIdentities(ctx, "g"), q)
			got, gotTotal, gerr := store.ListSCIMIdentities(ctx, tx, "g", q)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%s %+v: store.Select: %v, ListSCIMIdentities: %v", expr, q, werr, gerr)
			}
			if werr != nil {
				return nil
			}
			if gotTotal != wantTotal {
				t.Errorf("%s %+v: total %d, want %d", expr, q, gotTotal, wantTotal)
			}
			if d := cmp.Diff(ids(want), ids(got)); d != "" {
				t.Errorf("%s %+v: (-want +got)\n%s", expr, q, d)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
