package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Run runs the conformance suite against the stores newStore returns. Each
// subtest calls newStore once and expects an empty store; newStore may
// register cleanups with t.Cleanup. Subtests do not call t.Parallel, so
// newStore need not be safe for concurrent use.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	suites := []struct {
		name string
		fn   func(t *testing.T, st store.Store)
	}{
		{"Groups", testGroups},
		{"Users", testUsers},
		{"UserEmailUniqueness", testUserEmailUniqueness},
		{"Memberships", testMemberships},
		{"SCIMIdentities", testSCIMIdentities},
		{"SCIMIdentityUniqueness", testSCIMIdentityUniqueness},
		{"DocumentValues", testDocumentValues},
		{"SAMLIdentities", testSAMLIdentities},
		{"GroupSAML", testGroupSAML},
		{"SAMLKey", testSAMLKey},
		{"References", testReferences},
		{"InvalidEntities", testInvalid},
		{"NotFound", testNotFound},
		{"Versions", testVersions},
		{"CopySemantics", testCopySemantics},
		{"Rollback", testRollback},
		{"RollbackIndexes", testRollbackIndexes},
		{"ReadOnlyView", testReadOnlyView},
		{"TxDone", testTxDone},
		{"ConcurrentProvisioning", testConcurrentProvisioning},
		{"NoLostUpdates", testNoLostUpdates},
		{"NoWriteSkew", testNoWriteSkew},
		{"ListPaging", testListPaging},
		{"ListSort", testListSort},
		{"ListFilter", testListFilter},
		{"ListFilterErrors", testListFilterErrors},
		{"ListFilterFolding", testListFilterFolding},
		{"ListFilterOddDocuments", testListFilterOddDocuments},
		{"ListFilterEveryAttribute", testListFilterEveryAttribute},
		{"IdPGroups", testIdPGroups},
		{"IdPGroupMembers", testIdPGroupMembers},
		{"IdPGroupLinks", testIdPGroupLinks},
		{"IdPGroupCopies", testIdPGroupCopies},
		{"IdPGroupReadOnly", testIdPGroupReadOnly},
		{"LargeIdPGroup", testLargeIdPGroup},
		{"ConcurrentIdPGroupMembers", testConcurrentIdPGroupMembers},
		{"ListIdPGroups", testListIdPGroups},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			s.fn(t, newStore(t))
		})
	}
}

// base is the instant the suite's timestamps count from.
var base = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// update runs fn in st.Update and fails the test on an error.
func update(t *testing.T, st store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := st.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in st.View and fails the test on an error.
func view(t *testing.T, st store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := st.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// tryUpdate runs fn in st.Update and returns its error.
func tryUpdate(t *testing.T, st store.Store, fn func(ctx context.Context, tx store.Tx) error) error {
	t.Helper()
	return st.Update(t.Context(), fn)
}

// put stores each entity in one Update, failing the test on an error.
func put(t *testing.T, st store.Store, entities ...any) {
	t.Helper()
	update(t, st, func(ctx context.Context, tx store.Tx) error {
		for _, e := range entities {
			if err := putAny(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// putAny dispatches to the Put method for e's type.
func putAny(ctx context.Context, tx store.Tx, e any) error {
	switch e := e.(type) {
	case *store.Group:
		return tx.PutGroup(ctx, e)
	case *store.User:
		return tx.PutUser(ctx, e)
	case *store.Membership:
		return tx.PutMembership(ctx, e)
	case *store.SCIMIdentity:
		return tx.PutSCIMIdentity(ctx, e)
	case *store.SAMLIdentity:
		return tx.PutSAMLIdentity(ctx, e)
	}
	return fmt.Errorf("storetest: cannot put %T", e)
}

// tryPut stores e in its own Update and returns the error.
func tryPut(t *testing.T, st store.Store, e any) error {
	t.Helper()
	return tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		return putAny(ctx, tx, e)
	})
}

func newGroup(id string) *store.Group {
	return &store.Group{ID: id, Path: id, Name: "Group " + id, DefaultRole: store.RoleGuest}
}

func newUser(id string) *store.User {
	return &store.User{ID: id, Username: id, Name: "User " + id, Email: id + "@example.com", State: store.UserActive}
}

func newSCIM(id, groupID, userID, externUID string, n int) *store.SCIMIdentity {
	at := base.Add(time.Duration(n) * time.Minute)
	return &store.SCIMIdentity{
		ID: id, GroupID: groupID, UserID: userID, ExternUID: externUID, Active: true,
		Document: map[string]any{
			"schemas":  []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"userName": userID,
		},
		Created: at, Updated: at,
	}
}

// wantConflict checks that err is a *store.ConflictError on key that
// matches store.ErrConflict.
func wantConflict(t *testing.T, err error, key string) {
	t.Helper()
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("got error %v, want a *store.ConflictError on %q", err, key)
	}
	if ce.Key != key {
		t.Errorf("ConflictError.Key = %q, want %q (error %v)", ce.Key, key, err)
	}
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("errors.Is(%v, store.ErrConflict) = false", err)
	}
}

// wantIs checks that errors.Is(err, target).
func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want one matching %v", err, target)
	}
}
