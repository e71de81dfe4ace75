package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
)

func putGroup(t *testing.T, st store.Store, id string) {
	t.Helper()
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return tx.PutGroup(ctx, &store.Group{ID: id, Path: id})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countRows(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestClosedStoreUnavailable: a store whose database is gone answers
// sqlstore.ErrUnavailable, for writes and reads.
func TestClosedStoreUnavailable(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		st.Close()
		ctx := context.Background()
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error { return nil })
		if !errors.Is(err, sqlstore.ErrUnavailable) {
			t.Errorf("Update on closed store: %v, want sqlstore.ErrUnavailable", err)
		}
		var u interface{ Unavailable() bool }
		if !errors.As(err, &u) || !u.Unavailable() {
			t.Errorf("Update on closed store: %v has no Unavailable() true", err)
		}
		err = st.View(ctx, func(ctx context.Context, tx store.Tx) error { return nil })
		if !errors.Is(err, sqlstore.ErrUnavailable) {
			t.Errorf("View on closed store: %v, want sqlstore.ErrUnavailable", err)
		}
	})
}

// TestConnectionKilledMidUpdate cuts the PostgreSQL connection in the middle
// of an Update (as a server restart or failover does): the Update fails
// with sqlstore.ErrUnavailable, none of its writes is kept, and the store works
// again at once.
func TestConnectionKilledMidUpdate(t *testing.T) {
	st := sqltest.OpenPostgres(t)
	putGroup(t, st, "g")
	ctx := context.Background()
	admin, err := sql.Open("pgx", sqltest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	err = st.Update(ctx, func(ctx context.Context, stx store.Tx) error {
		if err := stx.PutUser(ctx, &store.User{ID: "u1", Username: "u1", Email: "u1@example.com"}); err != nil {
			return err
		}
		// Find our own backend and kill it from outside.
		var pid int
		if err := sqlstore.QueryRow(ctx, stx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			return err
		}
		if _, err := admin.ExecContext(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatalf("terminate: %v", err)
		}
		return stx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: "u1"})
	})
	if !errors.Is(err, sqlstore.ErrUnavailable) {
		t.Fatalf("Update with killed connection: %v, want sqlstore.ErrUnavailable", err)
	}
	if n := countRows(t, st.DB(), "scimkit_users"); n != 0 {
		t.Errorf("%d users stored by the failed Update, want 0", n)
	}
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutUser(ctx, &store.User{ID: "u1", Username: "u1", Email: "u1@example.com"})
	})
	if err != nil {
		t.Errorf("Update after reconnect: %v", err)
	}
}

// TestFailedUpdateKeepsNothing: an Update whose function fails after
// writing stores none of it, and a failed Put inside a successful Update
// changes nothing.
func TestFailedUpdateKeepsNothing(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		putGroup(t, st, "g")
		ctx := context.Background()
		boom := errors.New("boom")
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: "u1", Email: "u1@example.com"}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Errorf("Update: %v, want fn's error unchanged", err)
		}
		if n := countRows(t, st.DB(), "scimkit_users"); n != 0 {
			t.Errorf("%d users after a failed Update, want 0", n)
		}
		err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: "u1", Email: "u1@example.com"}); err != nil {
				return err
			}
			// The second user's row would go in before its email clashes:
			// the Put must leave no trace of it.
			err := tx.PutUser(ctx, &store.User{ID: "u2", Username: "u2", Email: "u2@example.com",
				SecondaryEmails: []store.Email{{Address: "U1@example.com"}}})
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("PutUser with taken secondary email: %v", err)
			}
			_, err = tx.User(ctx, "u2")
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("user of failed Put: %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, st.DB(), "scimkit_user_emails"); n != 1 {
			t.Errorf("%d email rows, want 1", n)
		}
	})
}

// TestBytesRoundTrip stores odd Unicode, NUL bytes, invalid UTF-8 and a
// large document, and reads every byte back.
func TestBytesRoundTrip(t *testing.T) {
	odd := []string{
		"nul\x00inside",
		"\xff\xfe invalid utf-8 \xc3",
		"e\u0301 combining, \u202eRTL override\u202c, \u200dzwj\U0001F468\u200d\U0001F469\u200d\U0001F467",
		"\U0010FFFF max rune, \uFEFF bom, \u0130 dotted I, \u017F long s, \u212A kelvin",
		"'; DROP TABLE scimkit_users; -- ? $1",
	}
	big := strings.Repeat("\U0001F600x", 1<<18) // 1.25 MiB
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		putGroup(t, st, "g")
		ctx := context.Background()
		for i, s := range odd {
			u := &store.User{ID: "id-" + s, Username: s, Name: s, Email: s + "@example.com", State: store.UserState(s),
				SecondaryEmails: []store.Email{{Address: "2" + s}}}
			doc := map[string]any{"userName": s, "title": big, "nested": map[string]any{"k" + s: []any{s, true, nil}}}
			if i == 1 {
				doc = map[string]any{"userName": "valid utf-8 only in documents", "title": big}
			}
			si := &store.SCIMIdentity{ID: "s-" + s, GroupID: "g", UserID: u.ID, ExternUID: s, Document: doc}
			err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				if err := tx.PutUser(ctx, u); err != nil {
					return err
				}
				return tx.PutSCIMIdentity(ctx, si)
			})
			if err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.UserByEmail(ctx, s+"@EXAMPLE.com")
				if err != nil {
					return err
				}
				if d := cmp.Diff(u, got); d != "" {
					t.Errorf("user %q (-want +got)\n%s", s, d)
				}
				gs, err := tx.SCIMIdentityByExternUID(ctx, "g", s)
				if err != nil {
					return err
				}
				if d := cmp.Diff(si, gs); d != "" {
					t.Errorf("identity %q (-want +got)\n%.2000s", s, d)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%q: %v", s, err)
			}
		}
	})
}

// TestRetryRunsAgain: a unit whose statements met a serialization failure
// runs again, in Update and View alike, whatever fn made of the error, and
// is counted; one that keeps failing ends as ErrUnavailable once the retry
// timeout has passed.
func TestRetryRunsAgain(t *testing.T) {
	st := sqltest.OpenSQLite(t, sqlstore.WithRetryTimeout(100*time.Millisecond))
	ctx := context.Background()
	for name, run := range map[string]func(context.Context, func(context.Context, store.Tx) error) error{
		"Update": st.Update, "View": st.View,
	} {
		before := st.Stats()
		calls := 0
		err := run(ctx, func(ctx context.Context, stx store.Tx) error {
			calls++
			if calls == 1 {
				sqlstore.FailRetryable(stx)
				return nil
			}
			return nil
		})
		if err != nil || calls != 2 {
			t.Errorf("%s: %v after %d calls, want nil after 2", name, err, calls)
		}
		calls = 0
		start := time.Now()
		err = run(ctx, func(ctx context.Context, stx store.Tx) error {
			calls++
			return sqlstore.FailRetryable(stx)
		})
		if !errors.Is(err, sqlstore.ErrUnavailable) || calls < 2 {
			t.Errorf("%s: %v after %d calls, want ErrUnavailable after several", name, err, calls)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: gave up after %v, want about the retry timeout of 100ms", name, d)
		}
		got := st.Stats()
		want := sqlstore.Stats{Retries: before.Retries + 1 + uint64(calls-1), GaveUp: before.GaveUp + 1}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: stats (-want +got)\n%s", name, d)
		}
	}
}

// TestRetryStopsAtDeadline: an Update that keeps colliding stops at its
// context's deadline, well before its retry timeout, and commits nothing.
func TestRetryStopsAtDeadline(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		calls := 0
		err := st.Update(ctx, func(ctx context.Context, stx store.Tx) error {
			calls++
			if err := stx.PutUser(ctx, &store.User{ID: fmt.Sprint("u", calls), Username: fmt.Sprint("u", calls),
				Email: fmt.Sprint("u", calls, "@example.com")}); err != nil {
				return err
			}
			return sqlstore.FailRetryable(stx)
		})
		if !errors.Is(err, sqlstore.ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Update: %v, want ErrUnavailable or the deadline", err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("Update returned after %v, want at its 50ms deadline", d)
		}
		if n := countRows(t, st.DB(), "scimkit_users"); n != 0 {
			t.Errorf("%d users stored after %d runs, want 0", n, calls)
		}
	})
}

// TestDatabaseGoneAndBack runs a store through a TCP proxy to PostgreSQL and
// cuts it in the middle of an Update: the Update fails with sqlstore.ErrUnavailable
// and keeps nothing, so do later Updates and Views while the database is
// away, and the store works again once it is back.
func TestDatabaseGoneAndBack(t *testing.T) {
	dsn := sqltest.FreshSchema(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	var mu sync.Mutex
	var conns []net.Conn
	serve := func(ln net.Listener) {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", u.Host)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, d)
			mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}
	cut := func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		conns = nil
		mu.Unlock()
	}
	go serve(ln)
	t.Cleanup(cut)
	via := *u
	via.Host = addr
	st, err := postgres.Open(context.Background(), via.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	putGroup(t, st, "g")
	ctx := context.Background()

	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: "u1", Email: "u1@example.com"}); err != nil {
			return err
		}
		cut()
		return tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: "u1"})
	})
	if !errors.Is(err, sqlstore.ErrUnavailable) {
		t.Fatalf("Update cut off: %v, want sqlstore.ErrUnavailable", err)
	}
	// (An Update that reads and writes nothing needs no database.)
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Group(ctx, "g")
		return err
	})
	if !errors.Is(err, sqlstore.ErrUnavailable) {
		t.Errorf("Update while away: %v, want sqlstore.ErrUnavailable", err)
	}
	err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.User(ctx, "u1")
		return err
	})
	if !errors.Is(err, sqlstore.ErrUnavailable) {
		t.Errorf("View while away: %v, want sqlstore.ErrUnavailable", err)
	}

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go serve(ln)
	err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.User(ctx, "u1")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("user of the cut-off Update after recovery: %v, want ErrNotFound", err)
	}
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutUser(ctx, &store.User{ID: "u1", Username: "u1", Email: "u1@example.com"})
	})
	if err != nil {
		t.Errorf("Update after recovery: %v", err)
	}
}

// TestLongKeys stores unique keys far beyond PostgreSQL's B-tree entry limit
// and finds them again, exactly and case-insensitively, with uniqueness
// still enforced and filters still pushed down.
func TestLongKeys(t *testing.T) {
	long := func(c string) string { return strings.Repeat("Ab"+c+"é", 3000) } // 15 kB
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		ctx := context.Background()
		name, email, ext, path := long("n"), long("m")+"@example.com", long("x"), long("p")
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: path}); err != nil {
				return err
			}
			if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: name, Email: email}); err != nil {
				return err
			}
			return tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{ID: "s1", GroupID: "g", UserID: "u1", ExternUID: ext,
				Document: map[string]any{"userName": name, "emails": []any{map[string]any{"value": email}}}})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if g, err := tx.GroupByPath(ctx, strings.ToUpper(path)); err != nil || g.Path != path {
				t.Errorf("GroupByPath: %v", err)
			}
			if u, err := tx.UserByUsername(ctx, strings.ToLower(name)); err != nil || u.Username != name {
				t.Errorf("UserByUsername: %v", err)
			}
			if u, err := tx.UserByEmail(ctx, strings.ToUpper(email)); err != nil || u.ID != "u1" {
				t.Errorf("UserByEmail: %v", err)
			}
			if s, err := tx.SCIMIdentityByExternUID(ctx, "g", strings.ToUpper(ext)); err != nil || s.ExternUID != ext {
				t.Errorf("SCIMIdentityByExternUID: %v", err)
			}
			err := tx.PutUser(ctx, &store.User{ID: "u2", Username: strings.ToUpper(name), Email: "other@example.com"})
			var ce *store.ConflictError
			if !errors.As(err, &ce) || ce.Key != store.KeyUsername {
				t.Errorf("second user with the long username: %v", err)
			}
			// Same first kilobytes, different end: not a conflict.
			if err := tx.PutUser(ctx, &store.User{ID: "u3", Username: name + "!", Email: email + ".org"}); err != nil {
				t.Errorf("user with a longer username: %v", err)
			}
			for _, f := range []string{
				fmt.Sprintf("userName eq %q", strings.ToUpper(name)),
				fmt.Sprintf("userName sw %q", name[:2000]),
				fmt.Sprintf("emails.value eq %q", email),
				fmt.Sprintf("externalId eq %q", ext),
			} {
				e, err := filter.Parse(f)
				if err != nil {
					t.Fatal(err)
				}
				page, total, err := store.ListSCIMIdentities(ctx, tx, "g", store.Query{Filter: e})
				if err != nil || total != 1 || len(page) != 1 {
					t.Errorf("%.40s...: %d results, %v", f, total, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestCallerContextIsNotUnavailable: a request whose own context ends
// during an Update or View gets its context's error back, not
// sqlstore.ErrUnavailable: the database is still there, and a server must not
// answer or log it as gone.
func TestCallerContextIsNotUnavailable(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		putGroup(t, st, "g")
		for name, run := range map[string]func(context.Context, func(context.Context, store.Tx) error) error{
			"Update": st.Update, "View": st.View,
		} {
			for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
				ctx, cancel := context.WithCancelCause(context.Background())
				err := run(ctx, func(ctx context.Context, tx store.Tx) error {
					if cause == context.Canceled {
						cancel(nil)
					} else {
						var c context.CancelFunc
						ctx, c = context.WithDeadline(ctx, time.Now().Add(-time.Second))
						defer c()
					}
					_, err := tx.Group(ctx, "g")
					return err
				})
				cancel(nil)
				if !errors.Is(err, cause) || errors.Is(err, sqlstore.ErrUnavailable) {
					t.Errorf("%s with %v: got %v (unavailable %v), want the context's error only",
						name, cause, err, errors.Is(err, sqlstore.ErrUnavailable))
				}
			}
		}
		// The store is still usable.
		putGroup(t, st, "h")
	})
}

// TestManyStatementShapes writes users with 1 to 300 addresses: the text of
// their statements depends on the count, more texts than the SQLite writer
// keeps prepared, and every write still works.
func TestManyStatementShapes(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		ctx := context.Background()
		for n := 1; n <= 300; n++ {
			u := &store.User{ID: fmt.Sprint("u", n), Username: fmt.Sprint("u", n), Email: fmt.Sprintf("u%d@example.com", n)}
			for i := 1; i < n; i++ {
				u.SecondaryEmails = append(u.SecondaryEmails, store.Email{Address: fmt.Sprintf("u%d-%d@example.com", n, i)})
			}
			if err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error { return tx.PutUser(ctx, u) }); err != nil {
				t.Fatalf("user with %d addresses: %v", n, err)
			}
		}
		err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
			u, err := tx.UserByEmail(ctx, "U300-299@example.com")
			if err != nil || u.ID != "u300" {
				t.Errorf("UserByEmail: %v, %v", u, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestManyDocumentEmails stores an identity whose document lists 20,000
// addresses (a 1 MiB body holds about as many), more than SQLite takes
// arguments in one statement, finds it by the last one, and drops all but
// one of them.
func TestManyDocumentEmails(t *testing.T) {
	sqltest.Dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		st := open(t)
		putGroup(t, st, "g")
		ctx := context.Background()
		var emails []any
		for i := range 20000 {
			emails = append(emails, map[string]any{"value": fmt.Sprintf("a%d@example.com", i)})
		}
		s := &store.SCIMIdentity{ID: "s1", GroupID: "g", UserID: "u1", ExternUID: "x", Document: map[string]any{"emails": emails}}
		find := func(addr string) int {
			t.Helper()
			e, err := filter.Parse(fmt.Sprintf("emails.value eq %q", addr))
			if err != nil {
				t.Fatal(err)
			}
			var total int
			err = st.View(ctx, func(ctx context.Context, tx store.Tx) (err error) {
				_, total, err = store.ListSCIMIdentities(ctx, tx, "g", store.Query{Filter: e})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return total
		}
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutUser(ctx, &store.User{ID: "u1", Username: "u1", Email: "u1@example.com"}); err != nil {
				return err
			}
			return tx.PutSCIMIdentity(ctx, s)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := find("A19999@example.com"); n != 1 {
			t.Errorf("identity found %d times by its last address, want 1", n)
		}
		s.Document = map[string]any{"emails": emails[:1]}
		if err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error { return tx.PutSCIMIdentity(ctx, s) }); err != nil {
			t.Fatal(err)
		}
		if n := find("a19999@example.com"); n != 0 {
			t.Errorf("identity found %d times by an address it dropped, want 0", n)
		}
		if n := countRows(t, st.DB(), "scimkit_scim_emails"); n != 1 {
			t.Errorf("%d address rows, want 1", n)
		}
	})
}
