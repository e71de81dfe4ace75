package sqlstore

import (
	"context"
	"database/sql"

	"github.com/scimkit/scimkit/store"
)

// QueryRow runs a query in the database transaction under a Tx of Update
// or View.
func QueryRow(ctx context.Context, t store.Tx, q string, args ...any) *sql.Row {
	return t.(*tx).q.QueryRowContext(ctx, q, args...)
}

// FailRetryable dooms the transaction under t as a serialization failure
// does: the unit runs again.
func FailRetryable(t store.Tx) error { return t.(*tx).fail("test", errConcurrentWrite) }

// Migrate runs the migrations on st's database again.
func Migrate(ctx context.Context, st *Store) (int, error) { return migrate(ctx, st.db, st.d) }

// Queued returns how many SQLite Updates wait for the writer.
func Queued(st *Store) int64 { return st.queued.Load() }
