package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errClass says what a database error means to the store.
type errClass uint8

const (
	classOther       errClass = iota
	classRetry                // serialization failure, deadlock, SQLITE_BUSY: run the unit again
	classUnique               // a unique index refused the write
	classUnavailable          // the database is gone or unreachable
)

// classify sorts a database error into one of the classes above.
func classify(err error) errClass {
	if err == nil {
		return classOther
	}
	if errors.Is(err, errConcurrentWrite) {
		return classRetry
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "40001", pe.Code == "40P01": // serialization_failure, deadlock_detected
			return classRetry
		case pe.Code == "23505": // unique_violation
			return classUnique
		case len(pe.Code) == 5 && pe.Code[:2] == "08", // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, cannot connect now
			pe.Code == "53300": // too_many_connections
			return classUnavailable
		}
		return classOther
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return classRetry
		case sqlite3.SQLITE_CONSTRAINT:
			if se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
				return classUnique
			}
			return classOther
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL,
			sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return classUnavailable
		}
		return classOther
	}
	var ne net.Error
	var pgce *pgconn.ConnectError
	switch {
	case errors.As(err, &pgce):
		// Connecting failed, even if the caller's deadline cut it short.
		return classUnavailable
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The caller's own context ended (context.DeadlineExceeded is a
		// net.Error too): the database is not known to be gone.
		return classOther
	case errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne):
		return classUnavailable
	}
	if err.Error() == "sql: database is closed" || pgconn.SafeToRetry(err) {
		return classUnavailable
	}
	return classOther
}

// retryPolicy bounds how often a unit of work is run again after a
// transient conflict between transactions.
type retryPolicy struct {
	attempts int           // total runs, at least 1
	base     time.Duration // first backoff; doubles up to max
	max      time.Duration
}

func defaultRetry() retryPolicy {
	return retryPolicy{attempts: 50, base: time.Millisecond, max: 200 * time.Millisecond}
}

// run calls fn until it succeeds, fails with an error that is not
// retryable, the attempts are used up or ctx is done.
func (p retryPolicy) run(ctx context.Context, fn func() error) error {
	backoff := p.base
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || classify(err) != classRetry || attempt >= p.attempts {
			return err
		}
		// Full jitter keeps two replicas that collided from colliding again.
		d := time.Duration(rand.Int64N(int64(backoff) + 1))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
		backoff = min(backoff*2, p.max)
	}
}

// isSQLiteForeignKey reports a SQLite foreign key violation.
func isSQLiteForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// errConcurrentWrite is the serialization failure of a write that clashed
// on a unique key with a row committed after the transaction's snapshot.
const errConcurrentWrite = retryable("concurrent write to the same unique key")

type retryable string

func (e retryable) Error() string { return string(e) }
