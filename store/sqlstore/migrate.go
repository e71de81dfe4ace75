package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrationFiles holds the schema, one directory per dialect, one file per
// version: NNNN_what.sql. A version once released is never edited; a change
// is a new file.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one versioned schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the steps of a dialect in version order.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("sqlstore: bad migration file name %q", name)
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlstore: migration %s out of sequence", m.name)
		}
	}
	return ms, nil
}

// migrationLockKey is the PostgreSQL advisory lock that serialises schema
// changes between replicas starting at the same moment ("scimkit" in ASCII).
const migrationLockKey = 0x7363696d6b6974

// migrate brings the schema up to the newest embedded version in one
// transaction. Two processes opening the same database at once are
// serialised: on PostgreSQL by a transaction-scoped advisory lock, on SQLite
// by BEGIN IMMEDIATE (the store's DSN sets _txlock=immediate), so the second
// finds the work done. A database newer than this code is refused.
func migrate(ctx context.Context, db *sql.DB, d dialect) (int, error) {
	ms, err := migrations(d.name)
	if err != nil {
		return 0, err
	}
	var applied int
	err = defaultRetry().run(ctx, d, func(int) error {
		applied = 0
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if d.postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLockKey)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS scimkit_schema (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL
		)`); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM scimkit_schema").Scan(&current); err != nil {
			return err
		}
		if current > len(ms) {
			return fmt.Errorf("sqlstore: database schema version %d is newer than this build knows (%d)", current, len(ms))
		}
		for _, m := range ms[current:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, d.rebind("INSERT INTO scimkit_schema (version, name) VALUES (?, ?)"), m.version, m.name); err != nil {
				return err
			}
			applied++
		}
		return tx.Commit()
	})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return applied, nil
}
