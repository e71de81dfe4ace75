package identity

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// benchPool is how many identities outside the group the member
// benchmarks add and remove, one at a time, before starting over.
const benchPool = 1024

// benchGroup is a group "g" with an IdP group of n members, and benchPool
// identities that are not members.
type benchGroup struct {
	p    *Provisioner
	id   string   // the IdP group
	pool []string // identities outside it
}

// newBenchGroup fills st, bypassing the rules for speed: n + benchPool
// accounts with SCIM identities, and an IdP group of the first n.
func newBenchGroup(b *testing.B, st store.Store, n int) *benchGroup {
	b.Helper()
	ctx := context.Background()
	p, err := New(st, WithClock(func() time.Time { return testNow }))
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := p.CreateGroup(ctx, GroupSpec{ID: "g", Path: "acme"}); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, n+benchPool)
	const batch = 2000
	for lo := 0; lo < len(ids); lo += batch {
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			for i := lo; i < min(lo+batch, len(ids)); i++ {
				ids[i] = fmt.Sprintf("s%07d", i)
				u := &store.User{ID: fmt.Sprintf("u%07d", i), Username: fmt.Sprintf("user%d", i), Name: fmt.Sprintf("User %d", i),
					Email: fmt.Sprintf("user%d@acme.test", i), State: store.UserActive}
				if err := tx.PutUser(ctx, u); err != nil {
					return err
				}
				s := &store.SCIMIdentity{ID: ids[i], GroupID: "g", UserID: u.ID, ExternUID: fmt.Sprintf("ext-%d", i), Active: true,
					Document: map[string]any{"userName": u.Username}, Created: testNow, Updated: testNow}
				if err := tx.PutSCIMIdentity(ctx, s); err != nil {
					return err
				}
				if err := tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: u.ID, Role: store.RoleGuest}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	res, err := p.CreateIdPGroup(ctx, "g", groupDoc("Everyone", "e-all"), OmitMembers)
	if err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < n; lo += batch {
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.AddIdPGroupMembers(ctx, "g", res.Group.ID, ids[lo:min(lo+batch, n)])
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return &benchGroup{p: p, id: res.Group.ID, pool: ids[n:]}
}

// patch adds (or removes) ids in one PatchIdPGroup and returns how many
// members it added or removed.
func (g *benchGroup) patch(b *testing.B, add bool, ids ...string) int {
	var ch IdPGroupPatch
	if add {
		ch.Members.Add(ids...)
	} else {
		ch.Members.Remove(ids...)
	}
	res, err := g.p.PatchIdPGroup(context.Background(), "g", g.id, 0, ch, OmitMembers)
	if err != nil {
		b.Fatal(err)
	}
	return len(res.Added) + len(res.Removed)
}

// one adds (or removes) the member id, which must change the group.
func (g *benchGroup) one(b *testing.B, add bool, id string) {
	if g.patch(b, add, id) != 1 {
		b.Fatalf("the patch of %s changed nothing", id)
	}
}

// BenchmarkIdPGroupMember measures a PATCH that adds or removes one member
// of an IdP group of 10,000 and 100,000 members (Entra ID's Add and Remove
// of one user), and a GET of the group without its members (Entra ID's
// excludedAttributes=members). None of them reads the members, so the
// time per operation does not grow with the group.
func BenchmarkIdPGroupMember(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"memstore", func(*testing.B) store.Store { return memstore.New() }},
		{"sqlite", func(b *testing.B) store.Store { return sqltest.OpenSQLite(b) }},
	}
	for _, s := range stores {
		for _, n := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%dk", s.name, n/1000), func(b *testing.B) {
				g := newBenchGroup(b, s.open(b), n)
				b.Run("add", func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						g.one(b, true, g.pool[i%benchPool])
						if i%benchPool == benchPool-1 {
							b.StopTimer()
							g.patch(b, false, g.pool...)
							b.StartTimer()
						}
					}
					b.StopTimer()
					g.patch(b, false, g.pool...) // back to n members
				})
				b.Run("remove", func(b *testing.B) {
					g.patch(b, true, g.pool...)
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; b.Loop(); i++ {
						g.one(b, false, g.pool[i%benchPool])
						if i%benchPool == benchPool-1 {
							b.StopTimer()
							g.patch(b, true, g.pool...)
							b.StartTimer()
						}
					}
				})
				b.Run("get", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := g.p.GetIdPGroup(context.Background(), "g", g.id, OmitMembers); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}
