package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// Store is a [store.Store] in a SQL database. It is safe for concurrent use,
// also by several processes sharing one database.
type Store struct {
	db    *sql.DB
	d     dialect
	retry retryPolicy
	log   *slog.Logger
	// writers admits one Update at a time on SQLite, which has one writer
	// anyway: waiting here is cheaper and fairer than SQLite's busy
	// handler. Other processes are still kept out by SQLite's own lock.
	// Holding it gives the right to use writer and stmts.
	writers chan struct{}
	// writer is the connection SQLite Updates run on, and stmts the
	// statements prepared on it by query text: SQLite parses a statement
	// every time it is not prepared, which costs as much as running it.
	writer *sql.Conn
	stmts  map[string]*sql.Stmt
	// open is the transaction Updates share (see batch.go), and queued
	// counts the Updates waiting for the writer to run in it.
	open   *batch
	queued atomic.Int64
	// user is schema.User(), built once: every list compiles its query
	// against it.
	user *schema.ResourceType

	retries, gaveUp, replays atomic.Uint64
	// trips counts the round trips of sessions, for tests.
	trips atomic.Uint64
	// binds are the PostgreSQL texts of statements (session.go).
	binds  binds
	closed atomic.Bool

	// young, inserted and the background work of analyze.go; bgCtx ends
	// when the store closes.
	young    atomic.Bool
	inserted atomic.Int64
	bgMu     sync.Mutex // guards bg.Go against Close
	bg       sync.WaitGroup
	bgCtx    context.Context
	bgCancel context.CancelFunc
}

var _ store.Store = (*Store)(nil)

// New returns a Store over db, a database that speaks dialect d, after
// bringing its schema up to date. The Store takes ownership of db: Close
// closes it (so does a failing New), and New sets its pool size
// ([WithMaxConns]).
//
// The packages [github.com/scimkit/scimkit/store/sqlstore/sqlite] and
// [github.com/scimkit/scimkit/store/sqlstore/postgres] open a database
// with the settings the store relies on and call New; a program links only
// the driver of the package it imports. Call New yourself for a *sql.DB
// you set up (a pgx pool with your own TLS configuration, say), with the
// same settings: on SQLite, WAL journal, synchronous=FULL and foreign keys
// on, and for speed temp_store=MEMORY (what sqlite.Open asks of
// modernc.org/sqlite); on PostgreSQL nothing beyond a working connection.
// The driver's errors must be readable as [Dialect] describes.
func New(ctx context.Context, db *sql.DB, d Dialect, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil database")
	}
	spec, ok := d.spec()
	if !ok {
		db.Close()
		return nil, fmt.Errorf("sqlstore: unknown dialect %v", d)
	}
	c, err := newConfig(opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	if c.maxConns == 0 {
		c.maxConns = 8
		if spec.postgres {
			c.maxConns = 20
		}
	}
	db.SetMaxOpenConns(c.maxConns)
	db.SetMaxIdleConns(c.maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, d: spec, retry: defaultRetry(), log: c.log, user: schema.User()}
	s.retry.budget = c.retryFor
	s.bgCtx, s.bgCancel = context.WithCancel(context.WithoutCancel(ctx))
	if !spec.postgres {
		s.writers = make(chan struct{}, 1)
	}
	n, err := migrate(ctx, db, spec)
	if err == nil {
		err = s.checkYoung(ctx)
	}
	if err != nil {
		s.bgCancel()
		db.Close()
		return nil, spec.wrap(err)
	}
	if n > 0 {
		s.log.InfoContext(ctx, "sqlstore: schema migrated", slog.String("dialect", spec.name), slog.Int("steps", n))
	}
	return s, nil
}

// Close closes the database. Updates and Views that start later fail with
// an error that matches [ErrUnavailable].
func (s *Store) Close() error {
	s.closed.Store(true)
	s.bgMu.Lock()
	s.bgCancel()
	s.bgMu.Unlock()
	s.bg.Wait()
	if s.writers != nil {
		// Let an open batch end, then take the writer for good.
		for {
			s.writers <- struct{}{}
			b := s.open
			if b == nil {
				break
			}
			<-s.writers
			<-b.done
		}
		s.dropWriter()
		defer func() { <-s.writers }()
	}
	return s.db.Close()
}

// DB returns the underlying database handle, for health checks and
// benchmarks. Writing to scimkit's tables through it bypasses the store's
// rules.
func (s *Store) DB() *sql.DB { return s.db }

// Stats counts what the store's transactions met since it was opened.
type Stats struct {
	// Retries is how many times an Update or View ran its function again
	// after a serialization failure, deadlock or busy database.
	Retries uint64
	// GaveUp is how many Updates and Views failed with [ErrUnavailable]
	// because they were still colliding when their retry time (see
	// [WithRetryTimeout]) or their context's deadline ran out.
	GaveUp uint64
	// Replays is how many Updates on PostgreSQL ran their function again
	// at once because a write it held back for the commit wrote nothing
	// (a key taken, a version moved): the run again gives the function
	// the Put's error. Each is an extra transaction; a Replays close to
	// the number of Updates means the callers' writes keep colliding.
	Replays uint64
}

// Stats returns the store's counters, for a host's metrics.
func (s *Store) Stats() Stats {
	return Stats{Retries: s.retries.Load(), GaveUp: s.gaveUp.Load(), Replays: s.replays.Load()}
}

// Update implements [store.Store.Update]. fn runs in one database
// transaction: REPEATABLE READ on PostgreSQL (one snapshot for all its
// reads; see the package documentation for what keeps its decisions
// race-free), BEGIN IMMEDIATE on SQLite. A serialization failure, deadlock
// or busy database anywhere in it (fn's statements or the commit) rolls it
// back and runs fn again, after a jittered backoff, for up to the retry
// timeout ([WithRetryTimeout]). On PostgreSQL fn may also run again at
// once when a write it made was held for the commit and wrote nothing
// (see Round trips in the package documentation); an Update whose fn
// reads and writes nothing does not reach the database.
//
// An error from the database being gone (connection refused, server shut
// down, store closed), or conflicts that outlast the retry timeout or
// ctx's deadline, match [ErrUnavailable]; nothing fn wrote is kept unless
// the commit itself was cut off, in which case the outcome is unknown, as
// with any database. When ctx ends first the error matches ctx's error
// (context.Canceled or context.DeadlineExceeded), not ErrUnavailable: the
// database is not known to be gone. Update never commits once ctx is done.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.d.postgres {
		return s.run(ctx, func() (retry, err error) { return s.runInBatch(ctx, fn) })
	}
	return s.run(ctx, func() (retry, err error) { return s.runTx(ctx, fn) })
}

// View implements [store.Store.View]: fn sees one consistent state
// (REPEATABLE READ on PostgreSQL: one snapshot for all its reads). Its
// first lookup of one row runs on its own, without BEGIN and COMMIT; only a
// second statement begins the transaction, which reads that row again and
// runs fn again from the start if it changed meanwhile. So, as an Update's,
// fn may run more than once and must have no effects beyond its result.
// Errors are those of [Store.Update].
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.run(ctx, func() (retry, err error) { return s.runView(ctx, fn) })
}

// run runs a unit (attempt: one run of a function in a transaction) until
// it is not to be retried. attempt returns a non-nil retry error when the
// unit should run again, else the function's error.
func (s *Store) run(ctx context.Context, attempt func() (retry, err error)) error {
	if s.closed.Load() {
		return &UnavailableError{Err: errors.New("sqlstore: store is closed")}
	}
	var fnErr error
	err := s.retry.run(ctx, s.d, func(n int) error {
		if n > 1 {
			s.retries.Add(1)
		}
		fnErr = nil
		retry, err := attempt()
		if retry != nil {
			s.log.DebugContext(ctx, "sqlstore: retrying transaction", slog.Int("attempt", n), slog.Any("error", retry))
			return retry
		}
		fnErr = err
		return nil
	})
	var gu *gaveUpError
	switch {
	case errors.As(err, &gu):
		// Still colliding: the database is overloaded with conflicting
		// writes; worth a later retry.
		s.gaveUp.Add(1)
		s.log.WarnContext(ctx, "sqlstore: giving up on a transaction that keeps colliding",
			slog.Int("attempts", gu.attempts), slog.Any("error", gu.err))
		return &UnavailableError{Err: gu}
	case err != nil:
		return s.d.wrap(err)
	}
	return fnErr
}

// maxStmts bounds the statements kept prepared on the SQLite writer: the
// text of some depends on the number of a user's emails, which clients
// choose.
const maxStmts = 256

// prepared returns the statement for query on the SQLite writer
// connection, preparing it the first time; nil (run the query unprepared)
// once maxStmts others are kept.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	if len(s.stmts) >= maxStmts {
		return nil, nil
	}
	st, err := s.writer.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.stmts[query] = st
	return st, nil
}

// dropWriter closes the SQLite writer connection, after it failed or when
// the store closes; the next Update takes a new one.
func (s *Store) dropWriter() {
	if s.writer == nil {
		return
	}
	for _, st := range s.stmts {
		st.Close()
	}
	s.writer.Close()
	s.writer, s.stmts = nil, nil
}

// runTx runs fn in one transaction on PostgreSQL. It returns a non-nil
// retry error when the whole unit should run again, else fn's error (or
// a commit error). When a write fn's Puts held back wrote nothing (see
// session.go) it runs fn again at once with writes that run immediately,
// so that fn sees the error the Put gives.
func (s *Store) runTx(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) (retry, err error) {
	for immediate := false; ; immediate = true {
		t := &tx{s: s, sess: s.newSession(beginUpdate)}
		if !immediate {
			t.know = newKnown()
		}
		retry, err := s.runUpdate(ctx, t, fn)
		if retry != nil || t.replay {
			t.restore()
		}
		if !t.replay || immediate {
			return retry, err
		}
		s.replays.Add(1)
	}
}

// runUpdate runs fn once in t's session, and commits unless fn failed.
func (s *Store) runUpdate(ctx context.Context, t *tx, fn func(ctx context.Context, tx store.Tx) error) (retry, err error) {
	ss := t.sess
	ss.beginTx()
	defer func() {
		t.done = true
		ss.end()
	}()
	ferr := fn(ctx, t)
	t.done = true
	switch {
	case t.replay:
		return nil, nil
	case t.retry != nil:
		return t.retry, nil
	case ferr != nil:
		// Had a held write run at once and failed, fn would have seen
		// its error and may have failed otherwise: find out.
		if err := ss.settle(ctx); err != nil {
			t.fail("write", err)
			if t.retry != nil {
				return t.retry, nil
			}
		}
		return nil, ferr
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	if err := ss.commit(ctx); err != nil {
		err = t.fail("commit", err)
		switch {
		case t.replay:
			return nil, nil
		case t.retry != nil:
			return t.retry, nil
		}
		return nil, s.d.wrap(err)
	}
	s.grew(t.inserted)
	return nil, nil
}

// runView runs fn in a View that begins its transaction late (view.go).
func (s *Store) runView(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) (retry, err error) {
	t := &tx{s: s, readOnly: true, sess: s.newSession(s.d.beginView)}
	defer func() {
		t.done = true
		t.sess.end()
	}()
	ferr := fn(ctx, t)
	t.done = true
	switch {
	case t.retry != nil:
		return t.retry, nil
	case ferr != nil:
		return nil, ferr
	}
	if err := t.sess.commit(ctx); err != nil {
		err = t.fail("commit", err)
		if t.retry != nil {
			return t.retry, nil
		}
		return nil, s.d.wrap(err)
	}
	return nil, nil
}
