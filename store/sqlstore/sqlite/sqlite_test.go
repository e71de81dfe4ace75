package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
	"github.com/scimkit/scimkit/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return sqltest.OpenSQLite(t) })
}

// TestLinksOnlySQLite: a program that opens SQLite stores does not link
// the PostgreSQL driver.
func TestLinksOnlySQLite(t *testing.T) {
	deps := sqltest.Deps(t, "github.com/scimkit/scimkit/store/sqlstore/sqlite")
	if !slices.Contains(deps, "modernc.org/sqlite") {
		t.Errorf("modernc.org/sqlite is not linked: %v", deps)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/jackc/") {
			t.Errorf("links %s", d)
		}
	}
}

func TestOpenBadName(t *testing.T) {
	for _, name := range []string{"", ":memory:", "file:x.db", "nul\x00.db"} {
		if _, err := sqlite.Open(context.Background(), name); err == nil {
			t.Errorf("Open(%q) succeeded", name)
		}
	}
}

// TestDurabilitySettings pins the settings that keep acknowledged writes:
// WAL, synchronous=FULL (2), foreign keys on, a busy timeout; and the
// journals of savepoints in memory (temp_store 2).
func TestDurabilitySettings(t *testing.T) {
	st := sqltest.OpenSQLite(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000", "temp_store": "2"} {
		var got string
		if err := st.DB().QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

// TestOpenOddName: a file name with URI syntax in it is a plain name.
func TestOpenOddName(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a?b%20c#d é.db")
	st, err := sqlite.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(name); err != nil {
		t.Errorf("database not at %q: %v", name, err)
	}
}
