package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestMigrationsNumbered(t *testing.T) {
	for _, d := range []string{"sqlite", "postgres"} {
		ms, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			t.Fatalf("%s: no migrations", d)
		}
	}
	sq, _ := migrations("sqlite")
	pg, _ := migrations("postgres")
	if len(sq) != len(pg) {
		t.Errorf("%d SQLite migrations, %d PostgreSQL ones: each version must exist for both", len(sq), len(pg))
	}
}

// TestReopenAndNewerSchema: reopening applies nothing, and a database
// migrated by a newer build is refused rather than misused.
func TestReopenAndNewerSchema(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "m.db")
	st, err := OpenSQLite(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	n, err := migrate(ctx, st.DB(), st.d)
	if err != nil || n != 0 {
		t.Errorf("second migrate: %d steps, %v; want 0, nil", n, err)
	}
	if _, err := st.DB().Exec("INSERT INTO scimkit_schema (version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = OpenSQLite(ctx, file)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("open newer schema: %v, want a refusal", err)
	}
}

func TestOpenSQLiteBadName(t *testing.T) {
	for _, name := range []string{"", ":memory:", "file:x.db", "nul\x00.db"} {
		if _, err := OpenSQLite(context.Background(), name); err == nil {
			t.Errorf("OpenSQLite(%q) succeeded", name)
		}
	}
}

// TestSQLiteDurabilitySettings pins the settings that keep acknowledged
// writes: WAL, synchronous=FULL (2), foreign keys on, a busy timeout.
func TestSQLiteDurabilitySettings(t *testing.T) {
	st := openSQLite(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000"} {
		var got string
		if err := st.DB().QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

// TestOpenSQLiteOddName: a file name with URI syntax in it is a plain name.
func TestOpenSQLiteOddName(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a?b%20c#d é.db")
	st, err := OpenSQLite(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(name); err != nil {
		t.Errorf("database not at %q: %v", name, err)
	}
}

// TestConcurrentOpen opens one fresh database from several goroutines at
// once, as replicas starting together do: every open migrates or finds the
// schema migrated, none fails.
func TestConcurrentOpen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "scimkit.db")
	opens := map[string]func() (*Store, error){
		"sqlite": func() (*Store, error) { return OpenSQLite(context.Background(), file) },
	}
	if os.Getenv("SCIMKIT_POSTGRES_DSN") != "" || os.Getenv("CI") == "true" {
		dsn := freshSchema(t)
		opens["postgres"] = func() (*Store, error) { return OpenPostgres(context.Background(), dsn) }
	}
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			for range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st, err := open()
					if err != nil {
						t.Errorf("open: %v", err)
						return
					}
					st.Close()
				}()
			}
			wg.Wait()
		})
	}
}
