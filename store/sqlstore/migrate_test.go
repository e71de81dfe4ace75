package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
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

// TestUpgradeFromVersion1 opens a database that an older build left at
// schema version 1, with a group, a user and their identities in it: the
// open upgrades it in place, the rows survive, the group reads back without
// SAML configuration, and the new SAML columns and key table work.
func TestUpgradeFromVersion1(t *testing.T) {
	ctx := context.Background()
	type db struct {
		raw  func(t *testing.T) *sql.DB
		open func(t *testing.T) *Store
	}
	file := filepath.Join(t.TempDir(), "v1.db")
	dbs := map[string]db{
		"sqlite": {
			raw: func(t *testing.T) *sql.DB {
				d, err := sql.Open("sqlite", file)
				if err != nil {
					t.Fatal(err)
				}
				return d
			},
			open: func(t *testing.T) *Store {
				st, err := OpenSQLite(ctx, file)
				if err != nil {
					t.Fatalf("OpenSQLite: %v", err)
				}
				return st
			},
		},
	}
	if os.Getenv("SCIMKIT_POSTGRES_DSN") != "" || os.Getenv("CI") == "true" {
		dsn := freshSchema(t)
		dbs["postgres"] = db{
			raw: func(t *testing.T) *sql.DB {
				d, err := sql.Open("pgx", dsn)
				if err != nil {
					t.Fatal(err)
				}
				return d
			},
			open: func(t *testing.T) *Store {
				st, err := OpenPostgres(ctx, dsn)
				if err != nil {
					t.Fatalf("OpenPostgres: %v", err)
				}
				return st
			},
		}
	}
	for name, d := range dbs {
		t.Run(name, func(t *testing.T) {
			dialect := sqliteDialect()
			if name == "postgres" {
				dialect = postgresDialect()
			}
			ms, err := migrations(dialect.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) < 2 || ms[0].name != "0001_init.sql" {
				t.Fatalf("migrations %v: want 0001_init.sql and later ones", ms)
			}
			// The database as version 1 left it, with rows written through
			// version 1's columns only.
			raw := d.raw(t)
			for _, q := range []string{
				"CREATE TABLE scimkit_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL)",
				ms[0].sql,
				"INSERT INTO scimkit_schema (version, name) VALUES (1, '0001_init.sql')",
				"INSERT INTO scimkit_groups (id, path, path_key, name, token_digest, default_role, enforce_sso, version) VALUES (?, ?, ?, ?, ?, 30, ?, 4)",
				"INSERT INTO scimkit_users (id, username, username_key, name, email, secondary_emails, provisioned_by_group, confirmed, state, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
				"INSERT INTO scimkit_saml_identities (group_id, user_id, extern_uid, extern_uid_key, version) VALUES (?, ?, ?, ?, 1)",
			} {
				var args []any
				switch {
				case strings.HasPrefix(q, "INSERT INTO scimkit_groups"):
					args = []any{[]byte("g1"), []byte("Acme"), foldedKey("Acme"), []byte("Acme Inc"), []byte{1, 2}, true}
				case strings.HasPrefix(q, "INSERT INTO scimkit_users"):
					emails, err := encodeEmails(nil)
					if err != nil {
						t.Fatal(err)
					}
					args = []any{[]byte("u1"), []byte("ada"), foldedKey("ada"), []byte("Ada"), []byte("ada@example.com"), emails, []byte("g1"), true, []byte("active")}
				case strings.HasPrefix(q, "INSERT INTO scimkit_saml_identities"):
					args = []any{[]byte("g1"), []byte("u1"), []byte("Ada-1"), foldedKey("Ada-1")}
				}
				if _, err := raw.ExecContext(ctx, dialect.rebind(q), args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			raw.Close()

			st := d.open(t)
			defer st.Close()
			var version int
			if err := st.DB().QueryRowContext(ctx, "SELECT MAX(version) FROM scimkit_schema").Scan(&version); err != nil || version != len(ms) {
				t.Fatalf("schema version after open = %d, %v; want %d", version, err, len(ms))
			}
			want := &store.Group{ID: "g1", Path: "Acme", Name: "Acme Inc", TokenDigest: []byte{1, 2},
				DefaultRole: store.RoleDeveloper, EnforceSSO: true, Version: 4}
			var g *store.Group
			err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				if g, err = tx.GroupByPath(ctx, "acme"); err != nil {
					return err
				}
				s, err := tx.SAMLIdentityByExternUID(ctx, "g1", "ada-1")
				if err != nil || s.UserID != "u1" {
					t.Errorf("SAML identity after the upgrade: %+v, %v", s, err)
				}
				if _, err := tx.SAMLKey(ctx); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("SAMLKey after the upgrade: %v, want store.ErrNotFound", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, g); d != "" {
				t.Errorf("group after the upgrade (-want +got):\n%s", d)
			}
			g.SAML = &store.SAMLConfig{Enabled: true, SSOURL: "https://idp.example/sso", Fingerprint: "AA:BB"}
			err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				if err := tx.PutGroup(ctx, g); err != nil {
					return err
				}
				return tx.PutSAMLKey(ctx, &store.SAMLKey{PrivateKey: []byte{1}, Certificate: []byte{2}})
			})
			if err != nil {
				t.Fatalf("writing SAML configuration and key after the upgrade: %v", err)
			}
			err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.Group(ctx, "g1")
				if err != nil {
					return err
				}
				if d := cmp.Diff(g, got); d != "" {
					t.Errorf("group with SAML configuration (-want +got):\n%s", d)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
