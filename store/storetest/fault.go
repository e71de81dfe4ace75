package storetest

import (
	"context"
	"sync"

	"github.com/scimkit/scimkit/store"
)

// ErrInjected is the error a [FaultyStore] returns from the write it fails.
const ErrInjected = injected("storetest: injected write failure")

type injected string

func (e injected) Error() string { return string(e) }

// FaultyStore wraps a [store.Store] and fails one chosen write, to prove that
// a failure midway through a transaction leaves nothing half-written:
//
//	for k := 1; ; k++ {
//		st := storetest.NewFaultyStore(memstore.New(), k)
//		err := rules.Provision(ctx, st, req) // must fail and write nothing
//		if st.Writes() < k { break }         // k is past the last write
//		...
//	}
//
// Writes are the Put, Delete, Add and Remove methods of the [store.Tx] inside Update,
// counted from 1 across all Updates since NewFaultyStore or the last
// [FaultyStore.Arm]. The failing write returns [ErrInjected] without reaching
// the wrapped store; what the transaction function does with it is up to
// the code under test. A FaultyStore is safe for concurrent use.
type FaultyStore struct {
	st store.Store

	mu     sync.Mutex
	failAt int
	writes int
}

// NewFaultyStore returns st wrapped so that its k-th write fails; k < 1
// never fails and only counts writes.
func NewFaultyStore(st store.Store, k int) *FaultyStore {
	return &FaultyStore{st: st, failAt: k}
}

// Arm resets the write count and fails the k-th write from now (k < 1:
// none).
func (f *FaultyStore) Arm(k int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt, f.writes = k, 0
}

// Writes returns the number of writes attempted since NewFaultyStore or the
// last Arm, the failed one included.
func (f *FaultyStore) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// write counts a write and reports whether it is the one to fail.
func (f *FaultyStore) write() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if f.writes == f.failAt {
		return ErrInjected
	}
	return nil
}

// Update implements [store.Store.Update], counting the writes of fn.
func (f *FaultyStore) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return f.st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return fn(ctx, &faultyTx{Tx: tx, f: f})
	})
}

// View implements [store.Store.View].
func (f *FaultyStore) View(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return f.st.View(ctx, fn)
}

// faultyTx counts and fails writes; reads pass through, and lists keep the
// wrapped Tx's pushdown through store.ListSCIMIdentities.
type faultyTx struct {
	store.Tx
	f *FaultyStore
}

var _ store.SCIMIdentityLister = (*faultyTx)(nil)

func (t *faultyTx) PutGroup(ctx context.Context, g *store.Group) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.PutGroup(ctx, g)
}

func (t *faultyTx) PutUser(ctx context.Context, u *store.User) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.PutUser(ctx, u)
}

func (t *faultyTx) PutMembership(ctx context.Context, m *store.Membership) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.PutMembership(ctx, m)
}

func (t *faultyTx) DeleteMembership(ctx context.Context, groupID, userID string) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.DeleteMembership(ctx, groupID, userID)
}

func (t *faultyTx) PutSCIMIdentity(ctx context.Context, s *store.SCIMIdentity) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.PutSCIMIdentity(ctx, s)
}

func (t *faultyTx) PutSAMLIdentity(ctx context.Context, s *store.SAMLIdentity) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.PutSAMLIdentity(ctx, s)
}

func (t *faultyTx) DeleteSAMLIdentity(ctx context.Context, groupID, userID string) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.DeleteSAMLIdentity(ctx, groupID, userID)
}

func (t *faultyTx) PutSAMLKey(ctx context.Context, k *store.SAMLKey) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.PutSAMLKey(ctx, k)
}

func (t *faultyTx) ListSCIMIdentities(ctx context.Context, groupID string, q store.Query) ([]*store.SCIMIdentity, int, error) {
	return store.ListSCIMIdentities(ctx, t.Tx, groupID, q)
}

func (t *faultyTx) DeleteSCIMIdentity(ctx context.Context, groupID, id string) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.DeleteSCIMIdentity(ctx, groupID, id)
}

func (t *faultyTx) PutIdPGroup(ctx context.Context, g *store.IdPGroup) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.PutIdPGroup(ctx, g)
}

func (t *faultyTx) DeleteIdPGroup(ctx context.Context, groupID, id string) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.DeleteIdPGroup(ctx, groupID, id)
}

func (t *faultyTx) AddIdPGroupMembers(ctx context.Context, groupID, idpGroupID string, ids []string) ([]string, error) {
	if err := t.f.write(); err != nil {
		return nil, err
	}
	return t.Tx.AddIdPGroupMembers(ctx, groupID, idpGroupID, ids)
}

func (t *faultyTx) RemoveIdPGroupMembers(ctx context.Context, groupID, idpGroupID string, ids []string) ([]string, error) {
	if err := t.f.write(); err != nil {
		return nil, err
	}
	return t.Tx.RemoveIdPGroupMembers(ctx, groupID, idpGroupID, ids)
}

func (t *faultyTx) PutIdPGroupLink(ctx context.Context, l *store.IdPGroupLink) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.PutIdPGroupLink(ctx, l)
}

func (t *faultyTx) DeleteIdPGroupLink(ctx context.Context, groupID string, attr store.LinkAttribute, value string) error {
	if err := t.f.write(); err != nil {
		return err
	}
	return t.Tx.DeleteIdPGroupLink(ctx, groupID, attr, value)
}
