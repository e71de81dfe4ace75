package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
)

// TestYoungTablesAnalyzed: a store on a new PostgreSQL database analyzes
// its tables itself once it inserted its first identities, so that
// lookups get plans for a table that holds rows.
func TestYoungTablesAnalyzed(t *testing.T) {
	st := sqltest.OpenPostgres(t)
	ctx := context.Background()
	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "g"}); err != nil {
			return err
		}
		for i := range 100 {
			id := fmt.Sprint("u", i)
			if err := tx.PutUser(ctx, &store.User{ID: id, Username: id, Email: id + "@example.com"}); err != nil {
				return err
			}
			err := tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{ID: id, GroupID: "g", UserID: id, ExternUID: id,
				Document: map[string]any{"userName": id}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var last sql.NullTime
		err := st.DB().QueryRow(`SELECT last_analyze FROM pg_stat_user_tables
			WHERE relid = 'scimkit_scim_identities'::regclass`).Scan(&last)
		if err != nil {
			t.Fatal(err)
		}
		if last.Valid {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the identities table was not analyzed after 100 inserts")
		}
	}
}
