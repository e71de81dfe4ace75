package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// Every operation of a Provisioner reads and writes in one store
// transaction (config.update, config.view): a failure leaves nothing
// written, and concurrent operations are serialised by the store.

// maxConflictRetries bounds how often an operation is re-run after the store
// reported a unique-key conflict the rules did not foresee (a concurrent
// writer got there first, in a store that detects rather than prevents
// races). The re-run sees the other write and decides again.
const maxConflictRetries = 2

// op is the state of one run of an operation's transaction function. The
// store may run the function more than once; each run starts a new op.
type op struct {
	now    time.Time
	events []Event
	prof   Profile
	// detail reports whether an EventSink reads the events' Detail (the
	// log does not), so that a hot path may leave it out otherwise.
	detail bool
	// keep reports whether the events are read at all: by an EventSink,
	// or by the log.
	keep bool
	// userNameEq is checkUserNameFree's filter, kept here so that it
	// costs no allocation of its own.
	userNameEq filter.Compare
	// res is the operation's Result, set by a function run by
	// config.update and returned by it: a variable of the caller's that
	// the function set would cost an allocation of its own.
	res *Result
}

func (o *op) emit(e Event) {
	if !o.keep {
		return
	}
	e.Time = o.now
	o.events = append(o.events, e)
}

// update runs fn in one store.Update, retries it after an unforeseen
// unique-key conflict, maps store errors and emits the events of the run
// that committed. It returns the op's res as the committed run of fn left
// it.
func (c *config) update(ctx context.Context, st store.Store, fn func(ctx context.Context, tx store.Tx, o *op) error) (*Result, error) {
	_, discard := c.sink.(discardSink)
	logged := c.log.Enabled(ctx, slog.LevelInfo)
	var o op
	run := func(ctx context.Context, tx store.Tx) error {
		o = op{now: c.now(), prof: c.prof, detail: !discard, keep: !discard || logged}
		return fn(ctx, tx, &o)
	}
	for attempt := 0; ; attempt++ {
		err := st.Update(ctx, run)
		if err == nil {
			for _, e := range o.events {
				if logged {
					c.log.LogAttrs(ctx, slog.LevelInfo, "identity: "+string(e.Type),
						slog.String("group", e.GroupID), slog.String("user", e.UserID), slog.String("identity", e.IdentityID))
				}
				c.sink.Emit(ctx, e)
			}
			return o.res, nil
		}
		var ce *store.ConflictError
		if KindOf(err) == 0 && errors.As(err, &ce) && attempt < maxConflictRetries {
			c.log.LogAttrs(ctx, slog.LevelDebug, "identity: retrying after a store conflict", slog.String("key", ce.Key))
			continue
		}
		return nil, mapStoreErr(err)
	}
}

// view runs fn in one store.View and maps store errors.
func (c *config) view(ctx context.Context, st store.Store, fn func(ctx context.Context, tx store.Tx) error) error {
	return mapStoreErr(st.View(ctx, fn))
}

// mapStoreErr turns a unique-key conflict the rules did not catch first into
// a KindConflict *Error with GitLab's wording; other errors that are not
// *Error are internal and get the package prefix.
func mapStoreErr(err error) error {
	if err == nil || KindOf(err) != 0 {
		return err
	}
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		switch ce.Key {
		case store.KeyEmail:
			return &Error{Kind: KindConflict, Field: "emails", Detail: msgEmailTaken, Err: err}
		case store.KeyUsername:
			return &Error{Kind: KindConflict, Field: "userName", Detail: msgUsernameTaken, Err: err}
		case store.KeyExternUID:
			return &Error{Kind: KindConflict, Field: "externalId", Detail: msgExternUIDTaken, Err: err}
		case store.KeySCIMIdentityUser, store.KeySAMLIdentityUser:
			return &Error{Kind: KindConflict, Detail: msgUserTaken, Err: err}
		case store.KeyDisplayName:
			return &Error{Kind: KindConflict, Field: "displayName", Detail: msgDisplayNameTaken, Err: err}
		case store.KeyExternalID:
			return &Error{Kind: KindConflict, Field: "externalId", Detail: msgExternalIDTaken, Err: err}
		}
	}
	if strings.HasPrefix(err.Error(), "identity: ") {
		return err
	}
	return fmt.Errorf("identity: %w", err)
}

// optional turns ErrNotFound into ok == false.
func optional[T any](v T, err error) (T, bool, error) {
	if errors.Is(err, store.ErrNotFound) {
		var zero T
		return zero, false, nil
	}
	return v, err == nil, err
}
