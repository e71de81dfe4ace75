package identity

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

var errInjected = errors.New("injected write failure")

// failStore is a store whose k-th write (counted across Updates once armed)
// fails, to prove that a failure midway leaves nothing half-written.
type failStore struct {
	store.Store
	mu     sync.Mutex
	armed  bool
	failAt int
	writes int
}

func (s *failStore) arm(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed, s.failAt, s.writes = true, k, 0
}

func (s *failStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func (s *failStore) write() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.armed {
		return nil
	}
	s.writes++
	if s.writes == s.failAt {
		return fmt.Errorf("write %d: %w", s.writes, errInjected)
	}
	return nil
}

func (s *failStore) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return s.Store.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return fn(ctx, &failTx{Tx: tx, s: s})
	})
}

type failTx struct {
	store.Tx
	s *failStore
}

func (t *failTx) PutGroup(ctx context.Context, g *store.Group) error {
	if err := t.s.write(); err != nil {
		return err
	}
	return t.Tx.PutGroup(ctx, g)
}

func (t *failTx) PutUser(ctx context.Context, u *store.User) error {
	if err := t.s.write(); err != nil {
		return err
	}
	return t.Tx.PutUser(ctx, u)
}

func (t *failTx) PutMembership(ctx context.Context, m *store.Membership) error {
	if err := t.s.write(); err != nil {
		return err
	}
	return t.Tx.PutMembership(ctx, m)
}

func (t *failTx) DeleteMembership(ctx context.Context, groupID, userID string) error {
	if err := t.s.write(); err != nil {
		return err
	}
	return t.Tx.DeleteMembership(ctx, groupID, userID)
}

func (t *failTx) PutSCIMIdentity(ctx context.Context, s *store.SCIMIdentity) error {
	if err := t.s.write(); err != nil {
		return err
	}
	return t.Tx.PutSCIMIdentity(ctx, s)
}

func (t *failTx) PutSAMLIdentity(ctx context.Context, s *store.SAMLIdentity) error {
	if err := t.s.write(); err != nil {
		return err
	}
	return t.Tx.PutSAMLIdentity(ctx, s)
}

func (t *failTx) DeleteSAMLIdentity(ctx context.Context, groupID, userID string) error {
	if err := t.s.write(); err != nil {
		return err
	}
	return t.Tx.DeleteSAMLIdentity(ctx, groupID, userID)
}

func TestFailureAtEveryWriteLeavesNothingHalfWritten(t *testing.T) {
	t.Parallel()
	provisionJdoe := func(t *testing.T, f *fixture) {
		if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		prof      Profile
		setup     func(t *testing.T, f *fixture)
		op        func(t *testing.T, f *fixture) error
		minWrites int
	}{
		{name: "provision a new account", prof: RFCProfile(), minWrites: 4,
			op: func(t *testing.T, f *fixture) error {
				_, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test"))
				return err
			}},
		{name: "link an existing account", prof: RFCProfile(), minWrites: 2,
			setup: func(t *testing.T, f *fixture) { f.put(t, alice()) },
			op: func(t *testing.T, f *fixture) error {
				_, err := f.p.Provision(t.Context(), "g", userDoc("ext-a", "alice", "alice@home.test"))
				return err
			}},
		{name: "POST reprovisions a deleted identity with new attributes", prof: RFCProfile(), minWrites: 3,
			setup: func(t *testing.T, f *fixture) {
				provisionJdoe(t, f)
				if _, err := f.p.Delete(t.Context(), "g", "id-2", 0); err != nil {
					t.Fatal(err)
				}
			},
			op: func(t *testing.T, f *fixture) error {
				d := userDoc("ext-1", "jane", "jane@acme.test")
				_, err := f.p.Provision(t.Context(), "g", d)
				return err
			}},
		{name: "PATCH deprovisions, changes extern_uid and account", prof: RFCProfile(), minWrites: 3, setup: provisionJdoe,
			op: func(t *testing.T, f *fixture) error {
				_, err := f.p.Modify(t.Context(), "g", "id-2", 0, set("active", false, "externalId", "ext-9", "userName", "jane"))
				return err
			}},
		{name: "DELETE", prof: GitLabProfile(), minWrites: 2, setup: provisionJdoe,
			op: func(t *testing.T, f *fixture) error {
				_, err := f.p.Delete(t.Context(), "g", "ext-1", 0)
				return err
			}},
		{name: "SAML sign-in with a changed NameID", prof: RFCProfile(), minWrites: 2,
			setup: func(t *testing.T, f *fixture) {
				f.put(t, alice(), &store.SAMLIdentity{GroupID: "g", UserID: "alice", ExternUID: "old"})
			},
			op: func(t *testing.T, f *fixture) error {
				_, err := f.l.SignIn(t.Context(), "g", Assertion{NameID: "new", Email: "alice@home.test"})
				return err
			}},
		{name: "explicit SAML link", prof: RFCProfile(), minWrites: 2,
			setup: func(t *testing.T, f *fixture) { f.put(t, alice()) },
			op: func(t *testing.T, f *fixture) error {
				_, err := f.l.Link(t.Context(), "g", "alice", "nameid")
				return err
			}},
		{name: "token rotation", prof: RFCProfile(), minWrites: 1,
			op: func(t *testing.T, f *fixture) error {
				_, err := f.p.RotateToken(t.Context(), "g", "")
				return err
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			setup := func() (*fixture, *failStore) {
				fs := &failStore{Store: memstore.New()}
				f := newFixtureOn(t, fs, tc.prof)
				if tc.setup != nil {
					tc.setup(t, f)
				}
				f.events.take()
				return f, fs
			}
			// A clean run counts the writes.
			f, fs := setup()
			fs.arm(-1)
			if err := tc.op(t, f); err != nil {
				t.Fatalf("clean run: %v", err)
			}
			n := fs.count()
			if n < tc.minWrites {
				t.Fatalf("clean run made %d writes, want at least %d", n, tc.minWrites)
			}
			for k := 1; k <= n; k++ {
				f, fs := setup()
				before := f.snapshot(t)
				fs.arm(k)
				err := tc.op(t, f)
				if !errors.Is(err, errInjected) {
					t.Fatalf("failing write %d of %d: err = %v, want the injected failure", k, n, err)
				}
				if KindOf(err) != 0 {
					t.Errorf("failing write %d: an internal failure became kind %v", k, KindOf(err))
				}
				fs.arm(-1)
				if d := diff(before, f.snapshot(t)); d != "" {
					t.Errorf("failing write %d of %d left a half-written state (-before +after):\n%s", k, n, d)
				}
				if ev := f.events.take(); len(ev) != 0 {
					t.Errorf("failing write %d emitted %v", k, ev)
				}
			}
		})
	}
}
