package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/scimkit/scimkit/store/sqlstore/internal/pipeline"
)

// Round trips. A PostgreSQL transaction costs a round trip per statement,
// BEGIN and COMMIT included, and on a busy server the round trips (a write
// and a read on each side, a wake-up of each process), not the statements,
// are most of the work. So a session, which runs the statements of one
// unit (an Update on PostgreSQL, a View on either database) on one
// connection, holds back what needs no answer yet and sends it with the
// next statement that needs one:
//
//   - BEGIN goes with the unit's first statement that needs an answer.
//   - In an Update on PostgreSQL a Put checks what it can locally (required
//     fields, encodings) and holds its one statement: the writes go with
//     the next read (which must see them) or with COMMIT. A held write
//     that writes nothing, because a key it checks is taken or the
//     version moved, fails its statement (1 / 0): the transaction rolls
//     back before the COMMIT behind it, and the Update runs its function
//     again with writes that run at once, so that fn sees the error the
//     Put gives (see tx.put).
//
// On a connection that sends batches (pipeline.Conn: the postgres package's)
// what is held goes out in the same round trip as the statement after it;
// on another it goes out just before it, one statement at a time, with the
// same outcome. A create thus takes its reads plus one round trip on
// PostgreSQL: the writes and COMMIT go together.

// session is the connection of one unit and what it holds back.
type session struct {
	s    *Store
	conn *sql.Conn
	pipe bool // conn is a pipeline.Conn
	// begin is the statement that begins the unit's transaction.
	begin string
	// pending are the statements held back, held what each one is.
	pending []pipeline.Stmt
	held    []held
	// open: BEGIN is sent or pending; sent: a statement of the
	// transaction reached the server, so it must end with COMMIT or
	// ROLLBACK. bad: the connection is in an unknown state.
	open, sent, bad bool
	// failed is the first error of a statement of the open transaction:
	// the server rolled it back, and the unit must not report a commit.
	failed error
}

// held is what a held statement is: BEGIN, a write of entity, or a check
// of its results.
type held struct {
	entity string
	check  func(st *pipeline.Stmt) error
}

// heldError is the error of a held write's statement.
type heldError struct {
	entity string
	err    error
}

func (e *heldError) Error() string {
	if e.wroteNothing() {
		return fmt.Sprintf("sqlstore: %s: the write held for later wrote nothing", e.entity)
	}
	return fmt.Sprintf("sqlstore: write %s: %v", e.entity, e.err)
}

func (e *heldError) Unwrap() error { return e.err }

// wroteNothing reports whether the write's guard found the write in the
// way of a key or version (division_by_zero, see heldTail).
func (e *heldError) wroteNothing() bool {
	var ss sqlStater
	return errors.As(e.err, &ss) && ss.SQLState() == "22012"
}

// PostgreSQL statements that begin and end transactions.
const (
	beginUpdate = "BEGIN ISOLATION LEVEL REPEATABLE READ"
	beginView   = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
)

// newSession returns a session whose transaction begins with begin; it
// takes a connection at its first statement.
func (s *Store) newSession(begin string) *session {
	return &session{s: s, begin: begin}
}

// connect takes a connection from the pool, once.
func (ss *session) connect(ctx context.Context) error {
	if ss.conn != nil {
		return nil
	}
	c, err := ss.s.db.Conn(ctx)
	if err != nil {
		return err
	}
	ss.conn = c
	c.Raw(func(dc any) error {
		_, ss.pipe = dc.(pipeline.Conn)
		return nil
	})
	return nil
}

// beginTx holds the transaction's BEGIN back for the next statement.
func (ss *session) beginTx() {
	if ss.open {
		return
	}
	ss.open = true
	ss.hold(held{}, ss.begin, nil)
}

// hold holds statement q back for the next round trip.
func (ss *session) hold(h held, q string, args []any) {
	ss.pending = append(ss.pending, pipeline.Stmt{SQL: q, Args: args})
	ss.held = append(ss.held, h)
}

// holding reports whether held writes wait to be sent.
func (ss *session) holding() bool {
	for _, h := range ss.held {
		if h.entity != "" {
			return true
		}
	}
	return false
}

// run sends what is held and q, and returns q's results. The error of a
// held statement is a *heldError (q did not run then).
func (ss *session) run(ctx context.Context, q string, args []any) (*pipeline.Stmt, error) {
	if err := ss.connect(ctx); err != nil {
		return nil, err
	}
	batch := make([]pipeline.Stmt, len(ss.pending)+1)
	copy(batch, ss.pending)
	batch[len(ss.pending)] = pipeline.Stmt{SQL: q, Args: args}
	hs := ss.held
	ss.pending, ss.held = ss.pending[:0], nil
	if ss.open {
		ss.sent = true
	}
	err := ss.send(ctx, batch)
	if err != nil {
		return nil, ss.failure(err, hs)
	}
	for i, h := range hs {
		if h.check != nil {
			if err := h.check(&batch[i]); err != nil {
				return nil, err
			}
		}
	}
	return &batch[len(batch)-1], nil
}

// failure notes a failed batch whose held statements were hs, and
// returns its error.
func (ss *session) failure(err error, hs []held) error {
	var pe *pipeline.Error
	if !errors.As(err, &pe) {
		ss.bad = true // which statements ran is unknown
		return err
	}
	if pe.Index < len(hs) && hs[pe.Index].entity != "" {
		err = &heldError{entity: hs[pe.Index].entity, err: pe.Err}
	} else {
		err = pe.Err
	}
	if ss.open && ss.failed == nil {
		ss.failed = err
	}
	return err
}

// send sends stmts, in one round trip on a pipeline.Conn.
func (ss *session) send(ctx context.Context, stmts []pipeline.Stmt) error {
	if ss.pipe {
		ss.s.trips.Add(1)
		return ss.conn.Raw(func(dc any) error { return dc.(pipeline.Conn).Send(ctx, stmts) })
	}
	ss.s.trips.Add(uint64(len(stmts)))
	for i := range stmts {
		if err := ss.sendOne(ctx, &stmts[i]); err != nil {
			return &pipeline.Error{Index: i, Err: err}
		}
	}
	return nil
}

// sendOne runs st through database/sql.
func (ss *session) sendOne(ctx context.Context, st *pipeline.Stmt) error {
	rows, err := ss.conn.QueryContext(ctx, st.SQL, st.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	st.Rows, st.Tag = nil, ""
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		st.Rows = append(st.Rows, vals)
	}
	return rows.Err()
}

// commit sends what is held and COMMIT. An Update that sent nothing has
// nothing to commit.
func (ss *session) commit(ctx context.Context) error {
	if !ss.open {
		return nil
	}
	if !ss.sent && !ss.holding() {
		ss.pending, ss.held, ss.open = ss.pending[:0], nil, false
		return nil
	}
	if ss.failed != nil {
		return fmt.Errorf("sqlstore: commit: the transaction was rolled back after a statement failed: %w", ss.failed)
	}
	st, err := ss.run(ctx, "COMMIT", nil)
	if err != nil {
		return err
	}
	ss.open = false
	if st.Tag != "" && st.Tag != "COMMIT" {
		return fmt.Errorf("sqlstore: commit: the database answered %s", st.Tag)
	}
	return nil
}

// settle sends the held writes and ROLLBACK: it tells whether a held
// write would have failed, for an Update whose function failed after
// holding writes. The error is a held write's, or nil.
func (ss *session) settle(ctx context.Context) error {
	if !ss.holding() || ss.failed != nil {
		return nil
	}
	_, err := ss.run(ctx, "ROLLBACK", nil)
	if err == nil {
		ss.open = false
	}
	return err
}

// end rolls back a transaction that reached the server and did not
// commit, and gives the connection back to the pool (closing it when its
// state is unknown).
func (ss *session) end() {
	if ss.conn == nil {
		return
	}
	if ss.open && ss.sent && !ss.bad {
		ss.pending, ss.held = ss.pending[:0], nil
		st := pipeline.Stmt{SQL: "ROLLBACK"}
		if err := ss.send(context.Background(), []pipeline.Stmt{st}); err != nil {
			ss.bad = true
		}
	}
	if ss.bad {
		// Raw's function failing with ErrBadConn makes database/sql
		// close the connection instead of pooling it.
		ss.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	ss.conn.Close()
	ss.conn = nil
}

// ---- results

// valueRow is the first row of a statement's results, to scan.
type valueRow struct {
	st  *pipeline.Stmt
	err error
}

func (r valueRow) Scan(dest ...any) error {
	switch {
	case r.err != nil:
		return r.err
	case len(r.st.Rows) == 0:
		return sql.ErrNoRows
	}
	return scanValues(r.st.Rows[0], dest)
}

// valueRows are a statement's rows, to scan one by one.
type valueRows struct {
	rows [][]any
	i    int
}

func (r *valueRows) Next() bool {
	if r.i >= len(r.rows) {
		return false
	}
	r.i++
	return true
}

func (r *valueRows) Scan(dest ...any) error { return scanValues(r.rows[r.i-1], dest) }
func (r *valueRows) Err() error             { return nil }
func (r *valueRows) Close() error           { return nil }

// scanValues stores the values of a row in dest, as database/sql's Scan
// does for the types this package scans into.
func scanValues(vals []any, dest []any) error {
	if len(vals) != len(dest) {
		return fmt.Errorf("sqlstore: %d columns scanned into %d values", len(vals), len(dest))
	}
	for i, v := range vals {
		if err := assign(dest[i], v); err != nil {
			return fmt.Errorf("sqlstore: column %d: %w", i+1, err)
		}
	}
	return nil
}

func assign(dest, v any) error {
	switch d := dest.(type) {
	case *string:
		switch v := v.(type) {
		case []byte:
			*d = string(v)
			return nil
		case string:
			*d = v
			return nil
		}
	case *[]byte:
		switch v := v.(type) {
		case nil:
			*d = nil
			return nil
		case []byte:
			*d = v // the values of a statement are its own
			return nil
		case string:
			*d = []byte(v)
			return nil
		}
	case *int64:
		if n, ok := integer(v); ok {
			*d = n
			return nil
		}
	case *int:
		if n, ok := integer(v); ok {
			*d = int(n)
			return nil
		}
	case *bool:
		switch v := v.(type) {
		case bool:
			*d = v
			return nil
		case int64: // SQLite
			*d = v != 0
			return nil
		}
	case *any:
		*d = v
		return nil
	case sql.Scanner:
		return d.Scan(v)
	}
	return fmt.Errorf("cannot store %T in %T", v, dest)
}

func integer(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case int16:
		return int64(v), true
	}
	return 0, false
}

// sameRows reports whether two statements' results are equal.
func sameRows(a, b [][]any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			x, y := a[i][j], b[i][j]
			if xb, ok := x.([]byte); ok {
				if yb, ok := y.([]byte); !ok || !bytes.Equal(xb, yb) {
					return false
				}
				continue
			}
			if x != y {
				return false
			}
		}
	}
	return true
}

// cloneRows copies rows, so that they stay as read whatever a caller does
// with what it scanned.
func cloneRows(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = make([]any, len(r))
		for j, v := range r {
			if b, ok := v.([]byte); ok {
				v = bytes.Clone(b)
			}
			out[i][j] = v
		}
	}
	return out
}

// ---- placeholders

// binds caches the PostgreSQL text of the statements sessions send: most
// are a few constant strings, rebound once.
type binds struct {
	m  sync.Map // query with ? -> query with $n
	n  int64    // entries, roughly; the cache stops growing at maxBinds
	mu sync.Mutex
}

const maxBinds = 1024

func (b *binds) rebind(d dialect, q string) string {
	if !d.postgres {
		return q
	}
	if v, ok := b.m.Load(q); ok {
		return v.(string)
	}
	r := d.rebind(q)
	b.mu.Lock()
	if b.n < maxBinds {
		b.n++
		b.m.Store(q, r)
	}
	b.mu.Unlock()
	return r
}
