package identity

import (
	"context"
	"fmt"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// BenchmarkProvision measures a POST of a new person on memstore (the
// Created path: username, identities, membership and the Provisioned
// event), with an event sink, as a host that reads events runs it.
func BenchmarkProvision(b *testing.B) {
	f := newFixture(b, RFCProfile())
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		doc := userDoc(fmt.Sprintf("ext-%d", i), fmt.Sprintf("user%d", i), fmt.Sprintf("user%d@acme.test", i))
		res, err := f.p.Provision(ctx, "g", doc)
		if err != nil {
			b.Fatal(err)
		}
		if res.Changes != Created {
			b.Fatalf("changes %v, want Created", res.Changes)
		}
		if i%1024 == 0 {
			f.events.take()
		}
	}
}

// BenchmarkModify measures a PATCH of one identity on memstore: Entra ID's
// deprovision and reprovision (active false, then true; the membership goes
// and comes back) and a change of an attribute (the document is compared,
// typed and stored).
func BenchmarkModify(b *testing.B) {
	ctx := context.Background()
	set := func(k string, v func(i int) any) func(i int) func(map[string]any) (map[string]any, error) {
		return func(i int) func(map[string]any) (map[string]any, error) {
			return func(cur map[string]any) (map[string]any, error) {
				cur[k] = v(i)
				return cur, nil
			}
		}
	}
	for _, bc := range []struct {
		name   string
		mutate func(i int) func(map[string]any) (map[string]any, error)
	}{
		{"active", set("active", func(i int) any { return i%2 == 1 })},
		{"title", set("title", func(i int) any { return fmt.Sprintf("Engineer %d", i) })},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b, RFCProfile())
			id, _ := f.person(b, "alice")
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := f.p.Modify(ctx, "g", id, 0, bc.mutate(i)); err != nil {
					b.Fatal(err)
				}
				if i%1024 == 0 {
					f.events.take()
				}
			}
		})
	}
}

// BenchmarkIdPGroupMemberLinked measures Entra ID's add and remove of one
// member of a linked IdP group of 10,000 members on memstore: each one
// recomputes the member's role (role_changed) besides the membership row.
func BenchmarkIdPGroupMemberLinked(b *testing.B) {
	g := newBenchGroup(b, memstore.New(), 10_000)
	if _, err := g.p.SetIdPGroupLink(context.Background(), "g", store.LinkDisplayName, "Everyone", store.RoleDeveloper); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		id := g.pool[i%benchPool]
		g.one(b, true, id)
		g.one(b, false, id)
	}
}
