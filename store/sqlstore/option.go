package sqlstore

import (
	"fmt"
	"log/slog"
	"time"
)

// Option configures a Store. Options are created by the With functions of
// this package only.
type Option interface{ apply(*config) }

type config struct {
	log      *slog.Logger
	retryFor time.Duration
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

// WithRetryTimeout bounds the time an Update or View spends running its
// function again after serialization failures, deadlocks or a busy
// database (default 2s; the context's deadline, when sooner, ends it
// sooner). An Update that is still colliding then fails with
// [ErrUnavailable]. Zero runs every function once.
func WithRetryTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.retryFor = d })
}

// WithMaxConns caps the connection pool (default: 20 on PostgreSQL, 8 on
// SQLite).
func WithMaxConns(n int) Option {
	return optionFunc(func(c *config) { c.maxConns = n })
}

func newConfig(opts []Option) (config, error) {
	c := config{log: slog.New(slog.DiscardHandler), retryFor: defaultRetry().budget}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.retryFor < 0 {
		return c, fmt.Errorf("sqlstore: retry timeout must not be negative, got %v", c.retryFor)
	}
	if c.maxConns < 0 {
		return c, fmt.Errorf("sqlstore: max conns must not be negative, got %d", c.maxConns)
	}
	return c, nil
}
