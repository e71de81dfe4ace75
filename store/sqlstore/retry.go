package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// retryPolicy bounds how long a unit of work is run again after transient
// conflicts between transactions.
type retryPolicy struct {
	budget time.Duration // total time from the first run after which no run starts
	base   time.Duration // first backoff; doubles up to max
	max    time.Duration
}

func defaultRetry() retryPolicy {
	return retryPolicy{budget: 2 * time.Second, base: 500 * time.Microsecond, max: 50 * time.Millisecond}
}

// gaveUpError is the error of a unit that was still colliding when its
// retry budget (or its context's deadline) ran out.
type gaveUpError struct {
	attempts int
	err      error
}

func (e *gaveUpError) Error() string {
	return fmt.Sprintf("gave up after %d attempts: %v", e.attempts, e.err)
}

func (e *gaveUpError) Unwrap() error { return e.err }

// run calls fn(attempt), attempt counting from 1, until fn returns nil or
// an error d does not class as retryable. Between runs it waits a random
// time up to a backoff that doubles from p.base to p.max (full jitter, so
// that two replicas that collided do not collide again). When the next run
// would start after p.budget from the first or after ctx's deadline, run
// returns a *gaveUpError; when ctx ends while waiting, ctx's error joined
// with the last one.
func (p retryPolicy) run(ctx context.Context, d dialect, fn func(attempt int) error) error {
	start := time.Now()
	backoff := p.base
	for attempt := 1; ; attempt++ {
		err := fn(attempt)
		if err == nil || d.classify(err) != classRetry {
			return err
		}
		wait := time.Duration(rand.Int64N(int64(backoff) + 1))
		next := time.Now().Add(wait)
		if dl, ok := ctx.Deadline(); next.Sub(start) > p.budget || ok && !next.Before(dl) {
			return &gaveUpError{attempts: attempt, err: err}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
		backoff = min(backoff*2, p.max)
	}
}

// errConcurrentWrite is the serialization failure of a write that clashed
// with a row committed after the transaction's snapshot.
const errConcurrentWrite = retryable("concurrent write to the same unique key")

type retryable string

func (e retryable) Error() string { return string(e) }
