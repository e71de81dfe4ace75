package sqlstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

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
func (p retryPolicy) run(ctx context.Context, d dialect, fn func() error) error {
	backoff := p.base
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || d.classify(err) != classRetry || attempt >= p.attempts {
			return err
		}
		// Full jitter keeps two replicas that collided from colliding again.
		wait := time.Duration(rand.Int64N(int64(backoff) + 1))
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
// on a unique key with a row committed after the transaction's snapshot.
const errConcurrentWrite = retryable("concurrent write to the same unique key")

type retryable string

func (e retryable) Error() string { return string(e) }
