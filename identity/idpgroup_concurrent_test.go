package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// testStores are the stores the concurrency tests of IdP groups run on:
// memstore, SQLite, and PostgreSQL (sqltest skips it without
// SCIMKIT_POSTGRES_DSN, and fails under CI=true).
func testStores() map[string]func(t testing.TB) store.Store {
	return map[string]func(t testing.TB) store.Store{
		"memstore": func(testing.TB) store.Store { return memstore.New() },
		"sqlite":   func(t testing.TB) store.Store { return sqltest.OpenSQLite(t) },
		"postgres": func(t testing.TB) store.Store { return sqltest.OpenPostgres(t) },
	}
}

// TestConcurrentIdPGroupPatches has goroutines add and remove members of
// one linked IdP group at once, through PatchIdPGroup: no member is lost,
// every member's role follows, and the group's version counts every change.
func TestConcurrentIdPGroupPatches(t *testing.T) {
	t.Parallel()
	for name, open := range testStores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, open(t), RFCProfile())
			const workers, each = 6, 4
			var ids [workers][each]string
			for w := range workers {
				for i := range each {
					ids[w][i], _ = f.person(t, fmt.Sprintf("p%d_%d", w, i))
				}
			}
			shared, _ := f.person(t, "shared")
			g := f.createGroup(t, "Devs", "")
			if _, err := f.p.SetIdPGroupLink(t.Context(), "g", store.LinkDisplayName, "Devs", store.RoleMaintainer); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var writes atomic.Int64
			for w := range workers {
				wg.Go(func() {
					for i := range each {
						// Add one's own member and the shared one, remove
						// the shared one again, and drop every other own
						// member once added.
						var ch IdPGroupPatch
						ch.Members.Add(ids[w][i], shared)
						if i > 0 && i%2 == 1 {
							ch.Members.Remove(ids[w][i-1])
						}
						var rm IdPGroupPatch
						rm.Members.Remove(shared)
						for _, p := range []IdPGroupPatch{ch, rm} {
							res, err := f.p.PatchIdPGroup(context.Background(), "g", g, 0, p, OmitMembers)
							// Six writers of one row can outlast the
							// SQL store's retries on a loaded machine:
							// that is a 503, which the IdP retries, and
							// a retry must still lose no member.
							for try := 0; errors.Is(err, store.ErrUnavailable) && try < 10; try++ {
								res, err = f.p.PatchIdPGroup(context.Background(), "g", g, 0, p, OmitMembers)
							}
							if err != nil {
								t.Errorf("worker %d: %v", w, err)
								return
							}
							if len(res.Added)+len(res.Removed) > 0 {
								writes.Add(1)
							}
						}
					}
				})
			}
			wg.Wait()
			var want []string
			for w := range workers {
				for i := range each {
					if i%2 == 1 || i == each-1 {
						want = append(want, ids[w][i])
					}
				}
			}
			slices.Sort(want)
			got := f.members(t, g)
			if d := diff(want, got); d != "" {
				t.Errorf("members (-want +got):\n%s", d)
			}
			res, err := f.p.GetIdPGroup(t.Context(), "g", g, OmitMembers)
			if err != nil {
				t.Fatal(err)
			}
			// Version 1 from the create, 1 from the link, 1 per patch
			// that changed the members.
			if res.Group.Version != 2+writes.Load() {
				t.Errorf("version %d after %d writes, want %d", res.Group.Version, writes.Load(), 2+writes.Load())
			}
			in := map[string]bool{}
			for _, id := range got {
				in[id] = true
			}
			err = f.st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
				for w := range workers {
					for i := range each {
						s, err := tx.SCIMIdentity(ctx, "g", ids[w][i])
						if err != nil {
							return err
						}
						m, err := tx.Membership(ctx, "g", s.UserID)
						if err != nil {
							return err
						}
						want := store.RoleDeveloper
						if in[s.ID] {
							want = store.RoleMaintainer
						}
						if m.Role != want {
							t.Errorf("%s: role %v, want %v", strings.TrimPrefix(s.ExternUID, "ext-"), m.Role, want)
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestConcurrentDeleteAndGroupAdd deletes Users while other goroutines add
// them to an IdP group: whatever the order, a deleted User is in no group.
func TestConcurrentDeleteAndGroupAdd(t *testing.T) {
	t.Parallel()
	for name, open := range testStores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, open(t), RFCProfile())
			const n = 8
			ids := make([]string, n)
			for i := range ids {
				ids[i], _ = f.person(t, fmt.Sprintf("p%d", i))
			}
			g := f.createGroup(t, "Devs", "")
			var wg sync.WaitGroup
			for _, id := range ids {
				wg.Go(func() {
					if _, err := f.p.Delete(context.Background(), "g", id, 0); err != nil {
						t.Errorf("delete %s: %v", id, err)
					}
				})
				wg.Go(func() {
					var ch IdPGroupPatch
					ch.Members.Add(id)
					_, err := f.p.PatchIdPGroup(context.Background(), "g", g, 0, ch, OmitMembers)
					if err != nil && KindOf(err) != KindInvalid {
						t.Errorf("add %s: %v", id, err)
					}
				})
			}
			wg.Wait()
			if got := f.members(t, g); len(got) != 0 {
				t.Errorf("deleted Users still members: %v", got)
			}
		})
	}
}
