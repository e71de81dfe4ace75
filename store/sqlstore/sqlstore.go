package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
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
	// user is schema.User(), built once: every list compiles its query
	// against it.
	user *schema.ResourceType
}

var _ store.Store = (*Store)(nil)

// Option configures a Store. Options are created by the With functions of
// this package only.
type Option interface{ apply(*config) }

type config struct {
	log      *slog.Logger
	attempts int
	maxConns int
	busy     time.Duration
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

// WithBusyTimeout sets how long a SQLite connection waits for a lock held by
// another process before failing with SQLITE_BUSY (then retried by Update).
// The default is 5s. Ignored on PostgreSQL.
func WithBusyTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.busy = d })
}

func newConfig(opts []Option) (config, error) {
	c := config{log: slog.New(slog.DiscardHandler), attempts: defaultRetry().attempts, busy: 5 * time.Second}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.attempts < 1 {
		return c, fmt.Errorf("sqlstore: attempts must be at least 1, got %d", c.attempts)
	}
	if c.maxConns < 0 {
		return c, fmt.Errorf("sqlstore: max conns must not be negative, got %d", c.maxConns)
	}
	if c.busy < 0 {
		return c, fmt.Errorf("sqlstore: busy timeout must not be negative, got %v", c.busy)
	}
	return c, nil
}

// OpenSQLite opens (creating it if needed) the SQLite database in file and
// brings its schema up to date.
//
// The database runs in WAL mode with synchronous=FULL, so a write is on disk
// before Update returns: a crash or power loss never loses an acknowledged
// write. Transactions that write begin with BEGIN IMMEDIATE, so two
// processes on one file queue instead of failing halfway.
func OpenSQLite(ctx context.Context, file string, opts ...Option) (*Store, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if file == "" || file == ":memory:" || strings.HasPrefix(file, "file:") || strings.ContainsRune(file, 0) {
		return nil, fmt.Errorf("sqlstore: bad SQLite file name %q: want a file path", file)
	}
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", c.busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// A larger page cache and memory-mapped reads keep index lookups in
	// large groups off the read() path.
	q.Add("_pragma", "cache_size(-16384)")
	q.Add("_pragma", "mmap_size(268435456)")
	// The DSN is a SQLite URI: escape what a URI would read as syntax.
	path := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(file)
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", file, err)
	}
	if c.maxConns == 0 {
		c.maxConns = 8
	}
	return open(ctx, db, sqliteDialect(), c)
}

// OpenPostgres connects to the PostgreSQL database named by dsn (a URL
// "postgres://user@host/db" or "key=value" string, as pgx accepts) and
// brings its schema up to date. Several processes may open one database at
// once; they all see one consistent store.
//
// Updates run at SERIALIZABLE isolation and are retried on serialization
// failures and deadlocks.
func OpenPostgres(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	if c.maxConns == 0 {
		c.maxConns = 20
	}
	return open(ctx, db, postgresDialect(), c)
}

func open(ctx context.Context, db *sql.DB, d dialect, c config) (*Store, error) {
	db.SetMaxOpenConns(c.maxConns)
	db.SetMaxIdleConns(c.maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, d: d, retry: defaultRetry(), log: c.log, user: schema.User()}
	s.retry.attempts = c.attempts
	if !d.postgres {
		s.writers = make(chan struct{}, 1)
	}
	n, err := migrate(ctx, db, d)
	if err != nil {
		db.Close()
		return nil, wrapDB(err)
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
	err := s.retry.run(ctx, func() error {
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
		if classify(err) == classRetry {
			// Still colliding after every attempt: the database is
			// overloaded with conflicting writes; worth a later retry.
			return &UnavailableError{Err: fmt.Errorf("gave up after %d attempts: %w", s.retry.attempts, err)}
		}
		return wrapDB(err)
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
		if classify(err) == classRetry {
			return err, nil
		}
		return nil, wrapDB(err)
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
		return nil, wrapDB(sqlTx.Commit())
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		if classify(err) == classRetry {
			return err, nil
		}
		return nil, wrapDB(err)
	}
	return nil, nil
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

// wrapDB turns a driver error that means the database is gone into an
// *UnavailableError; other errors are returned as they are.
func wrapDB(err error) error {
	if err == nil {
		return nil
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return err
	}
	if classify(err) == classUnavailable {
		return &UnavailableError{Err: err}
	}
	return err
}
