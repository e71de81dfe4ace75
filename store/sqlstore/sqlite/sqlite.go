// Package sqlite opens a [sqlstore.Store] in a SQLite file, through the
// pure-Go driver modernc.org/sqlite (no cgo). Importing it links that
// driver and no other.
//
//	st, err := sqlite.Open(ctx, "scimkit.db")
//	if err != nil { ... }
//	defer st.Close()
//
// The database runs in WAL mode with synchronous=FULL: an Update returns
// only once its commit is on disk, so a crash, a kill or a power loss never
// loses an acknowledged write. Concurrent Updates of one process share
// commits (see the sqlstore package); writers in other processes queue on
// SQLite's own lock, waiting up to 5 seconds (busy_timeout). Readers never
// wait for writers.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/scimkit/scimkit/store/sqlstore"
)

// busyTimeoutMillis is how long a connection waits for another process's
// write lock before failing with SQLITE_BUSY (which the store retries).
const busyTimeoutMillis = 5000

// Open opens (creating it if needed) the SQLite database in file and
// brings its schema up to date. file is a path; a URI ("file:...") or
// ":memory:" is refused, since the store needs a file others can open.
//
// Transactions that write begin with BEGIN IMMEDIATE, so two processes on
// one file queue instead of failing halfway.
func Open(ctx context.Context, file string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	if file == "" || file == ":memory:" || strings.HasPrefix(file, "file:") || strings.ContainsRune(file, 0) {
		return nil, fmt.Errorf("sqlite: bad file name %q: want a file path", file)
	}
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// The journals of savepoints and statements (which an Update's
	// writes use, see the store's group commit) only undo within a
	// transaction: in memory they cost no file writes. Crash safety comes
	// from the WAL, untouched.
	q.Add("_pragma", "temp_store(MEMORY)")
	// A larger page cache and memory-mapped reads keep index lookups in
	// large groups off the read() path.
	q.Add("_pragma", "cache_size(-16384)")
	q.Add("_pragma", "mmap_size(268435456)")
	// The DSN is a SQLite URI: escape what a URI would read as syntax.
	path := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(file)
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	return sqlstore.New(ctx, db, sqlstore.SQLite, opts...)
}
