// Package pipeline is the contract between sqlstore and a driver package
// whose connections send several statements to the database in one round
// trip. It names no driver: store/sqlstore/postgres implements Conn over
// pgx batches, store/sqlstore/sqlite over statements it keeps prepared, and
// sqlstore finds it on the driver connection database/sql's Conn.Raw hands
// out (on a connection without it, it sends statements one by one through
// database/sql).
//
// Round trips, not statements, are what a short transaction on PostgreSQL
// costs most: each is a write and a read on both sides, and a wake-up of
// the server process and of the client. So sqlstore holds back what needs
// no answer yet (BEGIN, a write whose outcome it can check later) and
// sends it with the next statement that does.
package pipeline

import (
	"context"
	"fmt"
)

// Conn is a driver connection that sends statements in batches.
type Conn interface {
	// Send sends stmts in one round trip, runs them in order and fills in
	// their results. A statement that fails stops the batch: Send then
	// returns an *Error naming it, and the statements after it did not
	// run. Any other error means the connection failed, and which
	// statements ran is unknown.
	Send(ctx context.Context, stmts []Stmt) error
}

// Stmt is one statement of a batch, with its results once sent.
type Stmt struct {
	SQL  string // with $1, $2, ... placeholders
	Args []any

	// Rows are the rows the statement returned, each its column values as
	// the driver decodes them: []byte for bytea, int64 for bigint, bool,
	// string for text, nil for NULL.
	Rows [][]any
	// Tag is the command tag ("COMMIT", "ROLLBACK", "INSERT 0 1"), or ""
	// when the connection does not tell.
	Tag string
}

// Error is the error of the statement at Index of a batch.
type Error struct {
	Index int
	Err   error
}

func (e *Error) Error() string { return fmt.Sprintf("statement %d of a batch: %v", e.Index+1, e.Err) }

func (e *Error) Unwrap() error { return e.Err }
