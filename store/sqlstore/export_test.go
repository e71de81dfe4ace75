package sqlstore

import (
	"context"
	"database/sql"

	"github.com/scimkit/scimkit/store"
)

// TxSQL returns the database transaction under a Tx of Update or View.
func TxSQL(t store.Tx) *sql.Tx { return t.(*tx).sql }

// FailRetryable dooms the transaction under t as a serialization failure
// does: the unit runs again.
func FailRetryable(t store.Tx) error { return t.(*tx).fail("test", errConcurrentWrite) }

// Migrate runs the migrations on st's database again.
func Migrate(ctx context.Context, st *Store) (int, error) { return migrate(ctx, st.db, st.d) }
