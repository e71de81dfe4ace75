package sqlstore

import (
	"context"

	"github.com/scimkit/scimkit/store"
)

// QueryRow runs a query in the database transaction under a Tx of Update
// or View.
func QueryRow(ctx context.Context, t store.Tx, q string, args ...any) interface{ Scan(...any) error } {
	return t.(*tx).queryRow(ctx, q, args...)
}

// FailRetryable dooms the transaction under t as a serialization failure
// does: the unit runs again.
func FailRetryable(t store.Tx) error { return t.(*tx).fail("test", errConcurrentWrite) }

// Migrate runs the migrations on st's database again.
func Migrate(ctx context.Context, st *Store) (int, error) { return migrate(ctx, st.db, st.d) }

// Queued returns how many SQLite Updates wait for the writer.
func Queued(st *Store) int64 { return st.queued.Load() }

// FirstMigration returns the SQL of schema version 1 of dialect d, and how
// many versions there are.
func FirstMigration(d Dialect) (string, int, error) {
	spec, _ := d.spec()
	ms, err := migrations(spec.name)
	if err != nil {
		return "", 0, err
	}
	return ms[0].sql, len(ms), nil
}

// Rebind writes q's ? placeholders as dialect d wants them.
func Rebind(d Dialect, q string) string {
	spec, _ := d.spec()
	return spec.rebind(q)
}

// FoldedKey is the stored form of a case-insensitive key.
func FoldedKey(s string) []byte { return foldedKey(s) }

// EncodeEmails is the stored form of a user's secondary emails.
func EncodeEmails(es []store.Email) ([]byte, error) { return encodeEmails(es) }

// RoundTrips returns how many round trips to the database the Updates and
// Views of st made so far.
func RoundTrips(st *Store) uint64 { return st.trips.Load() }
