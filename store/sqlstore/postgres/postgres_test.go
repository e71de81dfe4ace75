package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/storetest"
)

func TestConformance(t *testing.T) {
	sqltest.PostgresDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store { return sqltest.OpenPostgres(t) })
}

// TestConformanceDatabaseSQL runs the conformance suite on a store over a
// *sql.DB the program opened itself with pgx's stdlib package, as
// sqlstore.New documents: its connections send no batches, so every
// statement goes on its own, with the same results.
func TestConformanceDatabaseSQL(t *testing.T) {
	sqltest.PostgresDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := sql.Open("pgx", sqltest.FreshSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		st, err := sqlstore.New(context.Background(), db, sqlstore.PostgreSQL)
		if err != nil {
			t.Fatalf("sqlstore.New: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

// TestLinksOnlyPgx: a program that opens PostgreSQL stores does not link
// the SQLite driver.
func TestLinksOnlyPgx(t *testing.T) {
	deps := sqltest.Deps(t, "github.com/scimkit/scimkit/store/sqlstore/postgres")
	if !slices.Contains(deps, "github.com/jackc/pgx/v5") {
		t.Errorf("pgx is not linked: %v", deps)
	}
	for _, d := range deps {
		if d == "modernc.org/sqlite" || d == "modernc.org/libc" {
			t.Errorf("links %s", d)
		}
	}
}

// TestUnreachable: opening a database nobody listens on fails with
// ErrUnavailable.
func TestUnreachable(t *testing.T) {
	sqltest.PostgresDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := postgres.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5")
	if !errors.Is(err, sqlstore.ErrUnavailable) {
		t.Errorf("Open(port 1): %v, want ErrUnavailable", err)
	}
}
