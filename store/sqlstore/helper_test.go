package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// postgresDSN returns the DSN of the test PostgreSQL server from
// SCIMKIT_POSTGRES_DSN. Without it the test is skipped, or fails under
// CI=true: CI must never pass by skipping the database tests.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("SCIMKIT_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SCIMKIT_POSTGRES_DSN is not set; CI needs PostgreSQL (see .ci/run)")
		}
		t.Skip("SCIMKIT_POSTGRES_DSN is not set")
	}
	return dsn
}

// freshSchema creates an empty PostgreSQL schema for one test, dropped at
// the end, and returns a DSN whose search_path points at it.
func freshSchema(t testing.TB) string {
	t.Helper()
	dsn := postgresDSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "scimkit_test_" + hex.EncodeToString(rnd[:])
	if _, err := db.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer db.Close()
		db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	return withParam(dsn, "search_path", schema)
}

// withParam adds a run-time parameter to a URL or key=value DSN.
func withParam(dsn, key, value string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " " + key + "=" + value
}

func openPostgres(t testing.TB, opts ...Option) *Store {
	t.Helper()
	st, err := OpenPostgres(context.Background(), freshSchema(t), opts...)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openSQLite(t testing.TB, opts ...Option) *Store {
	t.Helper()
	st, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "scimkit.db"), opts...)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// dialects runs f once per database.
func dialects(t *testing.T, f func(t *testing.T, open func(testing.TB) *Store)) {
	t.Run("sqlite", func(t *testing.T) { f(t, func(tb testing.TB) *Store { return openSQLite(tb) }) })
	t.Run("postgres", func(t *testing.T) { f(t, func(tb testing.TB) *Store { return openPostgres(tb) }) })
}
