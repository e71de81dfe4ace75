package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/scimkit/scimkit/filter"
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
	writers chan struct{}
	// user is filter.User(), built once: every list compiles its query
	// against it.
	user *filter.ResourceType
}

var _ store.Store = (*Store)(nil)

// Option configures a Store. Options are created by the With functions of
// this package only.
type Option interface{ apply(*config) }

type config struct {
	log      *slog.Logger
	attempts int
	maxConns int
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithLogger sets the logger for retries and migrations. The default
// discards logs.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.log = l
		}
	})
}

// WithAttempts sets how many times an Update runs its function before giving
// up on a serialization failure, deadlock or busy database (default 50).
func WithAttempts(n int) Option {
	return optionFunc(func(c *config) { c.attempts = n })
}

// WithMaxConns caps the connection pool (default: 20 on PostgreSQL, 8 on
// SQLite).
func WithMaxConns(n int) Option {
	return optionFunc(func(c *config) { c.maxConns = n })
}

func newConfig(opts []Option) (config, error) {
	c := config{log: slog.New(slog.DiscardHandler), attempts: defaultRetry().attempts}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.attempts < 1 {
		return c, fmt.Errorf("sqlstore: attempts must be at least 1, got %d", c.attempts)
	}
	if c.maxConns < 0 {
		return c, fmt.Errorf("sqlstore: max conns must not be negative, got %d", c.maxConns)
	}
	return c, nil
}

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
// same settings: on SQLite, WAL journal, synchronous=FULL, foreign keys on
// and transactions that begin IMMEDIATE (what sqlite.Open asks of
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
	return open(ctx, db, spec, c)
}

func open(ctx context.Context, db *sql.DB, d dialect, c config) (*Store, error) {
	db.SetMaxOpenConns(c.maxConns)
	db.SetMaxIdleConns(c.maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, d: d, retry: defaultRetry(), log: c.log, user: filter.User()}
	s.retry.attempts = c.attempts
	if !d.postgres {
		s.writers = make(chan struct{}, 1)
	}
	n, err := migrate(ctx, db, d)
	if err != nil {
		db.Close()
		return nil, d.wrap(err)
	}
	if n > 0 {
		s.log.InfoContext(ctx, "sqlstore: schema migrated", slog.String("dialect", d.name), slog.Int("steps", n))
	}
	return s, nil
}

// Close closes the database. Updates and Views that start later fail with
// an error that matches [ErrUnavailable].
func (s *Store) Close() error {
	return s.db.Close()
}

// DB returns the underlying database handle, for health checks and
// benchmarks. Writing to scimkit's tables through it bypasses the store's
// rules.
func (s *Store) DB() *sql.DB { return s.db }

// Update implements [store.Store.Update]. fn runs in one database
// transaction (SERIALIZABLE on PostgreSQL, BEGIN IMMEDIATE on SQLite). A
// serialization failure, deadlock or busy database anywhere in it (fn's
// statements or the commit) rolls it back and runs fn again, up to the
// configured attempts, with jittered backoff.
//
// An error from the database being gone (connection refused, server shut
// down, store closed), or conflicts that outlast every attempt, match
// [ErrUnavailable]; nothing fn wrote is kept
// unless the commit itself was cut off, in which case the outcome is
// unknown, as with any database. When ctx ends first the error matches
// ctx's error (context.Canceled or context.DeadlineExceeded), not
// ErrUnavailable: the database is not known to be gone.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.writers != nil {
		select {
		case s.writers <- struct{}{}:
			defer func() { <-s.writers }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.run(ctx, false, fn)
}

// View implements [store.Store.View]: fn runs in a read-only transaction
// (REPEATABLE READ on PostgreSQL: one snapshot for all its reads). Errors
// are those of [Store.Update].
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.run(ctx, true, fn)
}

// run runs fn in a transaction until it is not to be retried.
func (s *Store) run(ctx context.Context, readOnly bool, fn func(ctx context.Context, tx store.Tx) error) error {
	var fnErr error
	err := s.retry.run(ctx, s.d, func() error {
		fnErr = nil
		retry, err := s.runTx(ctx, readOnly, fn)
		if retry != nil {
			s.log.DebugContext(ctx, "sqlstore: retrying transaction", slog.Any("err", retry))
			return retry
		}
		fnErr = err
		return nil
	})
	if err != nil {
		if s.d.classify(err) == classRetry {
			// Still colliding after every attempt: the database is
			// overloaded with conflicting writes; worth a later retry.
			return &UnavailableError{Err: fmt.Errorf("gave up after %d attempts: %w", s.retry.attempts, err)}
		}
		return s.d.wrap(err)
	}
	return fnErr
}

// runTx runs fn in one transaction. It returns a non-nil retry error when
// the whole unit should run again, else fn's error (or a commit error).
func (s *Store) runTx(ctx context.Context, readOnly bool, fn func(ctx context.Context, tx store.Tx) error) (retry, err error) {
	opts := &sql.TxOptions{Isolation: s.d.writeIsolation}
	if readOnly {
		opts = &sql.TxOptions{Isolation: s.d.readIsolation, ReadOnly: true}
	}
	sqlTx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		if s.d.classify(err) == classRetry {
			return err, nil
		}
		return nil, s.d.wrap(err)
	}
	t := &tx{s: s, sql: sqlTx, readOnly: readOnly}
	committed := false
	defer func() {
		t.done = true
		if !committed {
			sqlTx.Rollback()
		}
	}()
	ferr := fn(ctx, t)
	t.done = true
	if t.retry != nil {
		return t.retry, nil
	}
	if ferr != nil {
		return nil, ferr
	}
	if readOnly {
		committed = true
		return nil, s.d.wrap(sqlTx.Commit())
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		if s.d.classify(err) == classRetry {
			return err, nil
		}
		return nil, s.d.wrap(err)
	}
	return nil, nil
}
