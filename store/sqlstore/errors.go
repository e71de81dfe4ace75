package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/scimkit/scimkit/store"
)

// errClass says what a database error means to the store.
type errClass uint8

const (
	classOther       errClass = iota
	classRetry                // serialization failure, deadlock, SQLITE_BUSY: run the unit again
	classUnique               // a unique index refused the write
	classForeignKey           // a foreign key refused the write
	classUnavailable          // the database is gone or unreachable
)

// The drivers' errors are read through these methods, so that this package
// links no driver: pgx's and lib/pq's errors have SQLState, those of
// modernc.org/sqlite Code.
type (
	sqlStater   interface{ SQLState() string }
	sqliteCoder interface{ Code() int }
	// safeToRetrier is an error of pgx that happened before anything was
	// sent to the server: the connection is unusable.
	safeToRetrier interface{ SafeToRetry() bool }
)

// SQLite result codes (https://www.sqlite.org/rescode.html), primary and
// extended.
const (
	sqliteReadOnly             = 8
	sqliteBusy                 = 5
	sqliteLocked               = 6
	sqliteIOErr                = 10
	sqliteCorrupt              = 11
	sqliteFull                 = 13
	sqliteCantOpen             = 14
	sqliteConstraint           = 19
	sqliteNotADB               = 26
	sqliteConstraintForeignKey = sqliteConstraint | 3<<8
	sqliteConstraintPrimaryKey = sqliteConstraint | 6<<8
	sqliteConstraintUnique     = sqliteConstraint | 8<<8
)

// classify sorts a database error into one of the classes above.
func (d dialect) classify(err error) errClass {
	if err == nil {
		return classOther
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return classUnavailable
	}
	var r retryable
	if errors.As(err, &r) {
		return classRetry
	}
	var ss sqlStater
	var sc sqliteCoder
	switch {
	case d.postgres && errors.As(err, &ss):
		code := ss.SQLState()
		switch {
		case code == "40001", code == "40P01": // serialization_failure, deadlock_detected
			return classRetry
		case code == "23505": // unique_violation
			// Writes check every key their snapshot shows (see put.go):
			// the holder is a transaction the snapshot cannot see.
			return classRetry
		case code == "23503": // foreign_key_violation
			return classForeignKey
		case len(code) == 5 && code[:2] == "08", // connection exception
			code == "57P01", code == "57P02", code == "57P03", // shutdown, crash, cannot connect now
			code == "53300": // too_many_connections
			return classUnavailable
		}
		return classOther
	case !d.postgres && errors.As(err, &sc):
		code := sc.Code()
		switch code & 0xff {
		case sqliteBusy, sqliteLocked:
			return classRetry
		case sqliteConstraint:
			switch code {
			case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
				return classUnique
			case sqliteConstraintForeignKey:
				return classForeignKey
			}
			return classOther
		case sqliteIOErr, sqliteCantOpen, sqliteFull, sqliteReadOnly, sqliteNotADB, sqliteCorrupt:
			return classUnavailable
		}
		return classOther
	}
	var ne net.Error
	var str safeToRetrier
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The caller's own context ended (context.DeadlineExceeded is a
		// net.Error too): the database is not known to be gone.
		return classOther
	case errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne):
		return classUnavailable
	case errors.As(err, &str) && str.SafeToRetry():
		return classUnavailable
	}
	if err.Error() == "sql: database is closed" {
		return classUnavailable
	}
	return classOther
}

// ErrUnavailable matches (under errors.Is) the errors of a database that is
// gone or unreachable: connection refused or reset, server shut down, disk
// I/O failure, a closed Store. It is [store.ErrUnavailable], so a server
// that knows only the store package maps it to 503 Service Unavailable;
// the request can be retried once the database is back.
const ErrUnavailable = store.ErrUnavailable

// UnavailableError is the error of a database that went away. It matches
// [ErrUnavailable] and unwraps to the driver's error.
type UnavailableError struct {
	Err error
}

// Error returns "sqlstore: database unavailable: " and the cause.
func (e *UnavailableError) Error() string { return "sqlstore: database unavailable: " + e.Err.Error() }

// Unwrap returns the driver's error.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrUnavailable].
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unavailable reports true. Callers that must not import sqlstore (a
// protocol layer over any store) can test for it with
// errors.As(err, &x) where x is an interface{ Unavailable() bool }.
func (e *UnavailableError) Unavailable() bool { return true }

// wrap turns a driver error that means the database is gone into an
// *UnavailableError; other errors are returned as they are.
func (d dialect) wrap(err error) error {
	var ue *UnavailableError
	if err == nil || errors.As(err, &ue) || d.classify(err) != classUnavailable {
		return err
	}
	return &UnavailableError{Err: err}
}
