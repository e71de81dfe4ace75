package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// TestUpgradeFromVersion1 opens a database that an older build left at
// schema version 1, with a group, a user and their identities in it: the
// open upgrades it in place through every later version, the rows
// survive, the group reads back without SAML configuration, and the SAML
// columns and key table (version 4) and the IdP group tables (version 5)
// work.
func TestUpgradeFromVersion1(t *testing.T) {
	ctx := context.Background()
	type db struct {
		dialect sqlstore.Dialect
		driver  string
		dsn     string
		open    func(t *testing.T) *sqlstore.Store
	}
	file := filepath.Join(t.TempDir(), "v1.db")
	dbs := map[string]db{
		"sqlite": {dialect: sqlstore.SQLite, driver: "sqlite", dsn: file, open: func(t *testing.T) *sqlstore.Store {
			st, err := sqlite.Open(ctx, file)
			if err != nil {
				t.Fatalf("sqlite.Open: %v", err)
			}
			return st
		}},
	}
	if os.Getenv("SCIMKIT_POSTGRES_DSN") != "" || os.Getenv("CI") == "true" {
		dsn := sqltest.FreshSchema(t)
		dbs["postgres"] = db{dialect: sqlstore.PostgreSQL, driver: "pgx", dsn: dsn, open: func(t *testing.T) *sqlstore.Store {
			st, err := postgres.Open(ctx, dsn)
			if err != nil {
				t.Fatalf("postgres.Open: %v", err)
			}
			return st
		}}
	}
	for name, d := range dbs {
		t.Run(name, func(t *testing.T) {
			v1, versions, err := sqlstore.FirstMigration(d.dialect)
			if err != nil {
				t.Fatal(err)
			}
			if versions < 2 {
				t.Fatalf("%d migrations: nothing to upgrade", versions)
			}
			// The database as version 1 left it, with rows written through
			// version 1's columns only.
			raw, err := sql.Open(d.driver, d.dsn)
			if err != nil {
				t.Fatal(err)
			}
			emails, err := sqlstore.EncodeEmails(nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{"CREATE TABLE scimkit_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL)", nil},
				{v1, nil},
				{"INSERT INTO scimkit_schema (version, name) VALUES (1, '0001_init.sql')", nil},
				{"INSERT INTO scimkit_groups (id, path, path_key, name, token_digest, default_role, enforce_sso, version) VALUES (?, ?, ?, ?, ?, 30, ?, 4)",
					[]any{[]byte("g1"), []byte("Acme"), sqlstore.FoldedKey("Acme"), []byte("Acme Inc"), []byte{1, 2}, true}},
				{"INSERT INTO scimkit_users (id, username, username_key, name, email, secondary_emails, provisioned_by_group, confirmed, state, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
					[]any{[]byte("u1"), []byte("ada"), sqlstore.FoldedKey("ada"), []byte("Ada"), []byte("ada@example.com"), emails, []byte("g1"), true, []byte("active")}},
				{"INSERT INTO scimkit_saml_identities (group_id, user_id, extern_uid, extern_uid_key, version) VALUES (?, ?, ?, ?, 1)",
					[]any{[]byte("g1"), []byte("u1"), []byte("Ada-1"), sqlstore.FoldedKey("Ada-1")}},
			} {
				if _, err := raw.ExecContext(ctx, sqlstore.Rebind(d.dialect, q.sql), q.args...); err != nil {
					t.Fatalf("%s: %v", strings.SplitN(q.sql, "\n", 2)[0], err)
				}
			}
			raw.Close()

			st := d.open(t)
			defer st.Close()
			var version int
			if err := st.DB().QueryRowContext(ctx, "SELECT MAX(version) FROM scimkit_schema").Scan(&version); err != nil || version != versions {
				t.Fatalf("schema version after open = %d, %v; want %d", version, err, versions)
			}
			want := &store.Group{ID: "g1", Path: "Acme", Name: "Acme Inc", TokenDigest: []byte{1, 2},
				DefaultRole: store.RoleDeveloper, EnforceSSO: true, Version: 4}
			var g *store.Group
			err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				var err error
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

			// Version 5's IdP groups, members and links work on the
			// upgraded database, with the rows version 1 left.
			ig := &store.IdPGroup{ID: "ig1", GroupID: "g1", DisplayName: "Developers", ExternalID: "e1",
				Document: map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}}}
			link := &store.IdPGroupLink{GroupID: "g1", Attribute: store.LinkDisplayName, Value: "developers", Role: store.RoleMaintainer}
			err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				if err := tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{ID: "s1", GroupID: "g1", UserID: "u1", ExternUID: "Ada-1", Active: true}); err != nil {
					return err
				}
				if err := tx.PutIdPGroup(ctx, ig); err != nil {
					return err
				}
				if _, err := tx.AddIdPGroupMembers(ctx, "g1", "ig1", []string{"s1"}); err != nil {
					return err
				}
				return tx.PutIdPGroupLink(ctx, link)
			})
			if err != nil {
				t.Fatalf("writing IdP groups after the upgrade: %v", err)
			}
			err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				gs, err := tx.IdPGroupsOfMember(ctx, "g1", "s1")
				if err != nil {
					return err
				}
				if d := cmp.Diff([]*store.IdPGroup{ig}, gs); d != "" {
					t.Errorf("IdP groups of the member (-want +got):\n%s", d)
				}
				ls, err := tx.IdPGroupLinks(ctx, "g1")
				if err != nil {
					return err
				}
				if d := cmp.Diff([]*store.IdPGroupLink{link}, ls); d != "" {
					t.Errorf("links (-want +got):\n%s", d)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
