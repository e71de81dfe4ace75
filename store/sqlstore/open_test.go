package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// TestReopenAndNewerSchema: reopening applies nothing, and a database
// migrated by a newer build is refused rather than misused.
func TestReopenAndNewerSchema(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "m.db")
	st, err := sqlite.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	n, err := sqlstore.Migrate(ctx, st)
	if err != nil || n != 0 {
		t.Errorf("second migrate: %d steps, %v; want 0, nil", n, err)
	}
	if _, err := st.DB().Exec("INSERT INTO scimkit_schema (version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = sqlite.Open(ctx, file)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("open newer schema: %v, want a refusal", err)
	}
}

// TestConcurrentOpen opens one fresh database from several goroutines at
// once, as replicas starting together do: every open migrates or finds the
// schema migrated, none fails.
func TestConcurrentOpen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "scimkit.db")
	opens := map[string]func() (*sqlstore.Store, error){
		"sqlite": func() (*sqlstore.Store, error) { return sqlite.Open(context.Background(), file) },
	}
	if os.Getenv("SCIMKIT_POSTGRES_DSN") != "" || os.Getenv("CI") == "true" {
		dsn := sqltest.FreshSchema(t)
		opens["postgres"] = func() (*sqlstore.Store, error) { return postgres.Open(context.Background(), dsn) }
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
