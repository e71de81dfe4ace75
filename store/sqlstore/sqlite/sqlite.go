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
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"modernc.org/sqlite"

	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/internal/pipeline"
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
	c, err := sqlite.NewConnector("file:" + path + "?" + q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	return sqlstore.New(ctx, sql.OpenDB(connector{c}), sqlstore.SQLite, opts...)
}

// connector opens connections that keep their statements prepared
// ([pipeline.Conn]).
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc}, nil
}

// conn is a connection of modernc.org/sqlite (every method database/sql
// calls is passed on to it) that also runs the statements of the store's
// Views. It keeps them prepared: SQLite parses a statement every time it
// is not, which costs about as much as running a short one.
type conn struct {
	driver.Conn
	stmts map[string]driver.Stmt
}

// maxStmts bounds the statements a connection keeps prepared: the text of
// some depends on a list filter, which clients choose.
const maxStmts = 128

var _ pipeline.Conn = (*conn)(nil)

// Send implements [pipeline.Conn]: SQLite is in the process, so the
// statements simply run one after the other.
func (c *conn) Send(ctx context.Context, stmts []pipeline.Stmt) error {
	for i := range stmts {
		if err := c.run(ctx, &stmts[i]); err != nil {
			return &pipeline.Error{Index: i, Err: err}
		}
	}
	return nil
}

func (c *conn) run(ctx context.Context, st *pipeline.Stmt) error {
	ps, keep := c.stmts[st.SQL]
	if !keep {
		var err error
		if ps, err = c.PrepareContext(ctx, st.SQL); err != nil {
			return err
		}
		if len(c.stmts) < maxStmts {
			if c.stmts == nil {
				c.stmts = make(map[string]driver.Stmt)
			}
			c.stmts[st.SQL], keep = ps, true
		} else {
			defer ps.Close()
		}
	}
	args := make([]driver.NamedValue, len(st.Args))
	for i, a := range st.Args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return err
		}
		args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	q, ok := ps.(driver.StmtQueryContext)
	if !ok {
		return errors.New("sqlite: the driver's statements take no context")
	}
	rows, err := q.QueryContext(ctx, args)
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	st.Rows, st.Tag = nil, ""
	for {
		err := rows.Next(dest)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		row := make([]any, len(dest))
		for i, v := range dest {
			if b, ok := v.([]byte); ok {
				v = bytes.Clone(b) // the driver may reuse it
			}
			row[i] = v
		}
		st.Rows = append(st.Rows, row)
	}
}

// Close closes the prepared statements, then the connection.
func (c *conn) Close() error {
	for _, ps := range c.stmts {
		ps.Close()
	}
	c.stmts = nil
	return c.Conn.Close()
}

// The optional interfaces of the driver's connections that database/sql
// uses, passed on.

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Prepare(query)
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return nil, errors.New("sqlite: the driver's connections take no transaction options")
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := c.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}
