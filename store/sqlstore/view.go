package sqlstore

import (
	"context"

	"github.com/scimkit/scimkit/store/sqlstore/internal/pipeline"
)

// Views begin their transaction late. Most Views make one lookup (every
// request authenticates with one), and a statement on its own sees one
// consistent state: it needs no BEGIN and COMMIT. So a View runs its first
// lookup of one row on its own. Only when it makes a second statement does
// it begin its transaction, and there it reads that first row again (in
// the same round trip as the second statement, see session.go): if the row
// is as it was, what the View saw so far is what it would have seen in the
// transaction, and it goes on; if it changed meanwhile, the View runs
// again from the start.

// firstRead is a lookup a View made without a transaction: its query, and
// the rows it gave.
type firstRead struct {
	q    string
	args []any
	rows [][]any
}

// errViewMoved ends a View whose first lookup gave another row inside its
// transaction than without: it runs again.
const errViewMoved = retryable("the row a View read first changed before its transaction began")

// send runs statement q of t's session: in a View that began no
// transaction, a first lookup (one row) on its own, and otherwise after
// beginning the transaction, with the first lookup read again. A lookup
// read ahead gives its rows without a round trip.
func (t *tx) send(ctx context.Context, q string, args []any, oneRow bool) (*pipeline.Stmt, error) {
	q = t.s.binds.rebind(t.s.d, q)
	if a := t.ahead; a != nil && a.done && a.q == q && sameRows([][]any{a.args}, [][]any{args}) {
		t.ahead = nil
		return &pipeline.Stmt{SQL: q, Args: args, Rows: a.rows}, nil
	}
	ss := t.sess
	if t.readOnly && !ss.open {
		if oneRow && !t.firstDone {
			t.firstDone = true
			st, err := ss.run(ctx, q, args)
			if err == nil {
				t.first = &firstRead{q: q, args: args, rows: cloneRows(st.Rows)}
			}
			return st, err
		}
		t.firstDone = true
		ss.beginTx()
		if f := t.first; f != nil {
			ss.hold(held{check: func(st *pipeline.Stmt) error {
				if !sameRows(f.rows, st.Rows) {
					return errViewMoved
				}
				return nil
			}}, f.q, f.args)
		}
	}
	return ss.run(ctx, q, args)
}

// Reading ahead. Some lookups reliably follow others in an Update (a
// create reads the SAML identity of the extern_uid whose SCIM identity it
// looked up). Such a lookup is sent with the statement it follows, in the
// same round trip and snapshot, and its rows kept until it is asked for,
// or until a write, which could change them.

// aheadRead is a lookup read ahead: its statement, and once sent its rows.
type aheadRead struct {
	q    string
	args []any
	rows [][]any
	done bool
}

// readAhead holds lookup q back for the next round trip, keeping its rows
// for when it is asked for.
func (t *tx) readAhead(q string, args ...any) {
	a := &aheadRead{q: t.s.binds.rebind(t.s.d, q), args: args}
	t.ahead = a
	t.sess.hold(held{check: func(st *pipeline.Stmt) error {
		a.rows, a.done = st.Rows, true
		return nil
	}}, a.q, a.args)
}
