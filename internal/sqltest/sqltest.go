// Package sqltest opens the databases the module's tests run on (sqlstore,
// its driver packages, and the packages above them that test on every
// store): a SQLite file in the test's directory, and a fresh schema in the
// PostgreSQL database named by SCIMKIT_POSTGRES_DSN (e.g.
// postgres://scimkit@127.0.0.1:5432/scimkit?sslmode=disable). Without that
// variable the PostgreSQL tests are skipped, except under CI=true, where
// they fail: CI must never pass by skipping the database tests.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// PostgresDSN returns SCIMKIT_POSTGRES_DSN, or skips (fails under CI=true)
// the test when it is unset.
func PostgresDSN(t testing.TB) string {
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

// FreshSchema creates an empty PostgreSQL schema for one test, dropped at
// the end, and returns a DSN whose search_path points at it.
func FreshSchema(t testing.TB) string {
	t.Helper()
	dsn := PostgresDSN(t)
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
	return WithParam(dsn, "search_path", schema)
}

// WithParam adds a run-time parameter to a URL or key=value DSN.
func WithParam(dsn, key, value string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " " + key + "=" + value
}

// OpenPostgres opens a store in a fresh schema, closed at the end of the
// test.
func OpenPostgres(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), FreshSchema(t), opts...)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// OpenSQLite opens a store in a new file, closed at the end of the test.
func OpenSQLite(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scimkit.db"), opts...)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Dialects runs f once per database, as subtests "sqlite" and "postgres".
func Dialects(t *testing.T, f func(t *testing.T, open func(testing.TB) *sqlstore.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		f(t, func(tb testing.TB) *sqlstore.Store { return OpenSQLite(tb) })
	})
	t.Run("postgres", func(t *testing.T) {
		f(t, func(tb testing.TB) *sqlstore.Store { return OpenPostgres(tb) })
	})
}

// Deps returns the import paths a build of package pkg links (go list
// -deps), without the standard library.
func Deps(t testing.TB, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}
