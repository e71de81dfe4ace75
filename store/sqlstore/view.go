package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"reflect"
)

// Views begin their transaction late. Most Views make one lookup (every
// request authenticates with one), and a statement on its own sees one
// consistent state: it needs no BEGIN and COMMIT, two round trips to
// PostgreSQL. So a View runs its first lookup of one row on its own. Only
// when it makes a second statement does it begin its transaction, and
// there it reads that first row again: if the row is as it was, what the
// View saw so far is what it would have seen in the transaction, and it
// goes on; if it changed meanwhile, the View runs again from the start.

// lateView is the state of a View that began no transaction yet.
type lateView struct {
	first *firstRead // the lookup made without a transaction, if any
	begun bool
}

// firstRead is a lookup of one row made without a transaction: its query,
// and what it gave.
type firstRead struct {
	q     string
	args  []any
	err   error
	vals  []any
	types []reflect.Type
}

// errViewMoved ends a View whose first lookup gave another row inside its
// transaction than without: it runs again.
const errViewMoved = retryable("the row a View read first changed before its transaction began")

// lateRow returns the row of a lookup in a View without a transaction, or
// nil when the View must begin its transaction first.
func (t *tx) lateRow(ctx context.Context, q string, args []any) scanner {
	if t.late == nil || t.late.begun || t.late.first != nil {
		return nil
	}
	f := &firstRead{q: q, args: args}
	t.late.first = f
	return capture{t.s.db.QueryRowContext(ctx, q, args...), f}
}

// beginLate begins the transaction of a View that made its first lookup
// without one, and checks that lookup in it. It returns errViewMoved when
// the row changed.
func (t *tx) beginLate(ctx context.Context) error {
	if t.late == nil || t.late.begun {
		return nil
	}
	t.late.begun = true
	x, err := t.s.begin(ctx, true)
	if err != nil {
		return err
	}
	t.x, t.q = &x, x.q
	f := t.late.first
	if f == nil || f.types == nil && f.err == nil {
		return nil // no lookup, or one that failed: nothing to check
	}
	dest := make([]any, len(f.types))
	for i, typ := range f.types {
		dest[i] = reflect.New(typ).Interface()
	}
	err = x.q.QueryRowContext(ctx, f.q, f.args...).Scan(dest...)
	switch {
	case errors.Is(f.err, sql.ErrNoRows) && errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	case err == nil && f.err == nil && sameValues(f.vals, copied(dest)):
		return nil
	}
	t.retry = errViewMoved
	return errViewMoved
}

// capture is the row of a View's first lookup: Scan fills dest and keeps a
// copy of what it stored.
type capture struct {
	r *sql.Row
	f *firstRead
}

func (c capture) Scan(dest ...any) error {
	err := c.r.Scan(dest...)
	c.f.err = err
	if err == nil {
		c.f.vals = copied(dest)
		c.f.types = make([]reflect.Type, len(dest))
		for i, d := range dest {
			c.f.types[i] = reflect.TypeOf(d).Elem()
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		c.f.err = nil
		c.f.types = nil // a failed lookup checks nothing
	}
	return err
}

// copied copies what the pointers in dest point to.
func copied(dest []any) []any {
	out := make([]any, len(dest))
	for i, d := range dest {
		v := reflect.ValueOf(d).Elem().Interface()
		if b, ok := v.([]byte); ok {
			v = bytes.Clone(b)
		}
		out[i] = v
	}
	return out
}

func sameValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if ab, ok := a[i].([]byte); ok {
			if bb, ok := b[i].([]byte); !ok || !bytes.Equal(ab, bb) {
				return false
			}
			continue
		}
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
