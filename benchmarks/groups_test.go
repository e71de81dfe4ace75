package benchmarks

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// The Groups benchmarks serve, in process, the requests Entra ID sends for
// a group of 10,000 and of 100,000 members: a PATCH that adds one member
// ({"op":"Add","path":"members","value":[{"value":"id"}]}), one that
// removes one ({"op":"Remove","path":"members","value":[...]}), a GET
// of the group with excludedAttributes=members, and the lists that find it
// by displayName (Entra ID's lookup before a create) and by a member. None
// of them reads the members, so the time and the allocations per request
// stay flat from 10k to 100k members. Each reports cpu-ns/op, the process CPU time per request,
// beside the wall time, which a shared machine's load swings (SQLite's
// commits wait on the disk):
//
//	cd benchmarks
//	go test -run '^$' -bench 'SCIMGroup' -benchmem -count 3

// groupPool is how many Users outside the group the add and remove
// benchmarks add and remove, one per request, before starting over.
const groupPool = 512

// groupFixture is a tenant "bench" with an IdP group of n members and
// groupPool Users that are not members, served by the scim handler.
type groupFixture struct {
	h    http.Handler
	prov *identity.Provisioner
	path string   // /Groups/{id}
	id   string   // the IdP group
	pool []string // Users outside it
}

// loadGroupFixture fills st, bypassing the rules for speed, with n +
// groupPool accounts and their SCIM identities in tenant "g" (path
// "bench"), and an IdP group of the first n.
func loadGroupFixture(b *testing.B, st store.Store, n int) *groupFixture {
	b.Helper()
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, n+groupPool)
	const batch = 5000
	for lo := 0; lo < len(ids); lo += batch {
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if lo == 0 {
				g := &store.Group{ID: "g", Path: "bench", DefaultRole: store.RoleGuest, TokenDigest: identity.TokenDigest(identityToken)}
				if err := tx.PutGroup(ctx, g); err != nil {
					return err
				}
			}
			for i := lo; i < min(lo+batch, len(ids)); i++ {
				ids[i] = "s" + strconv.Itoa(i)
				u := &store.User{ID: "u" + strconv.Itoa(i), Username: "person" + strconv.Itoa(i), Name: "Person " + strconv.Itoa(i),
					Email: "person" + strconv.Itoa(i) + "@example.com", State: store.UserActive}
				s := &store.SCIMIdentity{ID: ids[i], GroupID: "g", UserID: u.ID, ExternUID: "ext-" + strconv.Itoa(i), Active: true,
					Document: map[string]any{"userName": u.Username}, Created: at, Updated: at}
				for _, err := range []error{
					tx.PutUser(ctx, u),
					tx.PutSCIMIdentity(ctx, s),
					tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: u.ID, Role: store.RoleGuest}),
				} {
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	prov := identityProvisioner(b, st, identity.RFCProfile())
	res, err := prov.CreateIdPGroup(ctx, "g", map[string]any{"displayName": "Everyone", "externalId": "e-all"}, identity.OmitMembers)
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
	h, err := scim.New(prov, scim.WithGroup("bench"))
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC() // do not charge the first benchmark with the loading's garbage
	return &groupFixture{h: h, prov: prov, path: "/Groups/" + res.Group.ID, id: res.Group.ID, pool: ids[n:]}
}

// members adds (or removes) the pool's Users straight through the
// provisioner, between the measured requests.
func (f *groupFixture) members(b *testing.B, add bool) {
	var ch identity.IdPGroupPatch
	if add {
		ch.Members.Add(f.pool...)
	} else {
		ch.Members.Remove(f.pool...)
	}
	if _, err := f.prov.PatchIdPGroup(context.Background(), "g", f.id, 0, ch, identity.OmitMembers); err != nil {
		b.Fatal(err)
	}
}

// entraMembers is Entra ID's PATCH of a group's members, op "Add" or
// "Remove", with one member.
func entraMembers(op, id string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"` + op +
		`","path":"members","value":[{"$ref":null,"value":"` + id + `"}]}]}`
}

// BenchmarkSCIMGroup measures Entra ID's requests on a group of 10k and
// 100k members, on memstore and SQLite (a file in the benchmark's
// temporary directory). Goal: flat from 10k to 100k, in time and in
// allocations per request.
func BenchmarkSCIMGroup(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"memstore", func(*testing.B) store.Store { return memstore.New() }},
		{"sqlite", func(b *testing.B) store.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "groups.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			return st
		}},
	}
	for _, s := range stores {
		for _, n := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%dk", s.name, n/1000), func(b *testing.B) {
				f := loadGroupFixture(b, s.open(b), n)
				b.Run("add", func(b *testing.B) {
					b.ReportAllocs()
					c := startCPU()
					for i := 0; b.Loop(); i++ {
						scimbServe(b, f.h, http.MethodPatch, f.path, entraMembers("Add", f.pool[i%groupPool]), http.StatusNoContent)
						if i%groupPool == groupPool-1 {
							b.StopTimer()
							c.pause()
							f.members(b, false)
							c.resume()
							b.StartTimer()
						}
					}
					b.StopTimer()
					c.report(b)
					f.members(b, false) // back to n members
				})
				b.Run("remove", func(b *testing.B) {
					f.members(b, true)
					b.ReportAllocs()
					b.ResetTimer()
					c := startCPU()
					for i := 0; b.Loop(); i++ {
						scimbServe(b, f.h, http.MethodPatch, f.path, entraMembers("Remove", f.pool[i%groupPool]), http.StatusNoContent)
						if i%groupPool == groupPool-1 {
							b.StopTimer()
							c.pause()
							f.members(b, true)
							c.resume()
							b.StartTimer()
						}
					}
					b.StopTimer()
					c.report(b)
					f.members(b, false)
				})
				b.Run("get-excluding-members", func(b *testing.B) {
					b.ReportAllocs()
					c := startCPU()
					for b.Loop() {
						scimbServe(b, f.h, http.MethodGet, f.path+"?excludedAttributes=members", "", http.StatusOK)
					}
					c.report(b)
				})
				// Entra ID looks a group up by displayName before it
				// creates it; a member's groups are found by its value.
				for _, l := range []struct{ name, filter string }{
					{"find-by-displayName", `displayName eq "Everyone"`},
					{"find-by-member", `members[value eq "s5"]`},
				} {
					b.Run(l.name, func(b *testing.B) {
						path := "/Groups?excludedAttributes=members&filter=" + url.QueryEscape(l.filter)
						b.ReportAllocs()
						c := startCPU()
						for b.Loop() {
							scimbServe(b, f.h, http.MethodGet, path, "", http.StatusOK)
						}
						c.report(b)
					})
				}
			})
		}
	}
}
