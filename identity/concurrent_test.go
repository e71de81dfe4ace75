package identity

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

func TestConcurrentProvisioningOfOnePersonGivesOneAccount(t *testing.T) {
	t.Parallel()
	for _, prof := range []struct {
		name string
		p    Profile
	}{{"rfc", RFCProfile()}, {"gitlab", GitLabProfile()}} {
		t.Run(prof.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, prof.p)
			const n = 64
			var wg sync.WaitGroup
			results := make([]*Result, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					results[i], errs[i] = f.p.Provision(context.Background(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test"))
				})
			}
			wg.Wait()
			created, repeats := 0, 0
			for i := range n {
				switch {
				case errs[i] == nil && results[i].Changes == Created:
					created++
				case errs[i] == nil && results[i].Changes == 0 && prof.p.ReturnExistingOnRepeat:
					repeats++
				case KindOf(errs[i]) == KindConflict && !prof.p.ReturnExistingOnRepeat:
					repeats++
				default:
					t.Errorf("goroutine %d: %v, %+v", i, errs[i], results[i])
				}
			}
			if created != 1 || repeats != n-1 {
				t.Errorf("created %d, repeats %d; want 1 and %d", created, repeats, n-1)
			}
			s := f.snapshot(t)
			if len(s.SCIM) != 1 || len(s.Users) != 2 || len(s.SAML) != 1 || len(s.Members) != 2 {
				t.Errorf("stored %d identities, %d users (owner included), %d SAML, %d members; want 1, 2, 1, 2",
					len(s.SCIM), len(s.Users), len(s.SAML), len(s.Members))
			}
			if ev := f.events.take(); len(ev) != 1 {
				t.Errorf("events %v, want one provisioned", ev)
			}
		})
	}
}

func TestConcurrentProvisioningOfDifferentPeopleDeduplicatesUsernames(t *testing.T) {
	t.Parallel()
	f := newFixture(t, GitLabProfile())
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = f.p.Provision(context.Background(), "g", userDoc(fmt.Sprintf("ext-%d", i), "sam", fmt.Sprintf("sam%d@acme.test", i)))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
	page, err := f.p.List(t.Context(), "g", store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range page.Results {
		if seen[store.Fold(r.User.Username)] {
			t.Errorf("username %q given twice", r.User.Username)
		}
		seen[store.Fold(r.User.Username)] = true
	}
	if len(seen) != n {
		t.Errorf("%d accounts, want %d", len(seen), n)
	}
}

// conflictStore makes the first `times` Updates fail with a unique-key
// conflict after running fn (and undoing it), as a store that detects races
// at commit would.
type conflictStore struct {
	store.Store
	mu    sync.Mutex
	times int
	key   string
}

func (s *conflictStore) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	return s.Store.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.times > 0 {
			s.times--
			return fmt.Errorf("commit: %w", &store.ConflictError{Entity: "user", Key: s.key})
		}
		return nil
	})
}

func TestStoreConflictIsRetriedThenMapped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		times      int
		key        string
		wantKind   Kind
		wantDetail string
	}{
		{"one conflict is retried", 1, store.KeyEmail, 0, ""},
		{"persistent email conflict", 100, store.KeyEmail, KindConflict, "Email has already been taken"},
		{"persistent username conflict", 100, store.KeyUsername, KindConflict, "Username has already been taken"},
		{"persistent extern_uid conflict", 100, store.KeyExternUID, KindConflict, "Extern UID has already been taken"},
		{"persistent one-identity-per-user conflict", 100, store.KeySCIMIdentityUser, KindConflict, "User has already been taken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cs := &conflictStore{Store: memstore.New(), key: tc.key}
			f := newFixtureOn(t, cs, RFCProfile())
			cs.mu.Lock()
			cs.times = tc.times
			cs.mu.Unlock()
			_, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test"))
			wantErr(t, err, tc.wantKind, tc.wantDetail)
			wantEvents := 1
			if err != nil {
				wantEvents = 0
			}
			if ev := f.events.take(); len(ev) != wantEvents {
				t.Errorf("events %v, want %d", ev, wantEvents)
			}
		})
	}
}
