package benchmarks

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// identitySizes are the numbers of provisioned accounts the identity
// benchmarks run at: creates should stay within 5µs and lookups flat from
// the first to the last.
var identitySizes = []int{10_000, 1_000_000}

// identityToken is the SCIM token of the benchmark group.
const identityToken = "benchmark-scim-token-0123456789"

// identityFixture is a memstore loaded with n provisioned accounts, shared
// by the benchmarks of one size (loading a million takes seconds).
type identityFixture struct {
	st   *memstore.Store
	n    int
	next int // next person index BenchmarkIdentityProvision may use, for fresh keys across -count runs
}

var identityFixtures = map[int]*identityFixture{}

// idbDoc is the SCIM document of person i, as an IdP would POST it.
func idbDoc(i int) map[string]any {
	return map[string]any{
		"schemas":    []any{schema.UserURN},
		"externalId": "ext-" + strconv.Itoa(i),
		"userName":   "person." + strconv.Itoa(i),
		"name":       map[string]any{"givenName": "Given", "familyName": "Family" + strconv.Itoa(i)},
		"emails":     []any{map[string]any{"value": "person." + strconv.Itoa(i) + "@example.com", "type": "work", "primary": true}},
		"active":     true,
	}
}

// loadIdentity returns the fixture with n accounts, each with a SCIM
// identity, a SAML identity and a membership in group "g", written straight
// to the store as Provision would have.
func loadIdentity(b *testing.B, n int) *identityFixture {
	b.Helper()
	if f := identityFixtures[n]; f != nil {
		return f
	}
	st := memstore.New()
	ctx := context.Background()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 10_000
	for lo := 0; lo < n; lo += batch {
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if lo == 0 {
				g := &store.Group{ID: "g", Path: "bench", DefaultRole: store.RoleGuest, TokenDigest: identity.TokenDigest(identityToken)}
				if err := tx.PutGroup(ctx, g); err != nil {
					return err
				}
			}
			for i := lo; i < min(lo+batch, n); i++ {
				doc := idbDoc(i)
				uid := "u" + strconv.Itoa(i)
				u := &store.User{ID: uid, Username: doc["userName"].(string), Name: "Given Family" + strconv.Itoa(i),
					Email: "person." + strconv.Itoa(i) + "@example.com", ProvisionedByGroup: "g", State: store.UserActive}
				ext := doc["externalId"].(string)
				delete(doc, "externalId")
				delete(doc, "active")
				at := base.Add(time.Duration(i) * time.Millisecond)
				s := &store.SCIMIdentity{ID: "s" + strconv.Itoa(i), GroupID: "g", UserID: uid, ExternUID: ext, Active: true,
					Document: doc, Created: at, Updated: at}
				for _, err := range []error{
					tx.PutUser(ctx, u),
					tx.PutSCIMIdentity(ctx, s),
					tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: "g", UserID: uid, ExternUID: ext}),
					tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: uid, Role: store.RoleGuest}),
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
	f := &identityFixture{st: st, n: n, next: 2 * n}
	identityFixtures[n] = f
	runtime.GC() // do not charge the first benchmark with the loading's garbage
	return f
}

// identityProvisioners counts the provisioners made, so that each one's
// generated ids ("bench-<k>-<n>") differ from the others' across -count runs.
var identityProvisioners int

// identityProvisioner returns a Provisioner over st with a cheap
// deterministic id generator. It is used by the scim benchmarks too.
func identityProvisioner(b *testing.B, st store.Store, prof identity.Profile) *identity.Provisioner {
	b.Helper()
	identityProvisioners++
	prefix := "bench-" + strconv.Itoa(identityProvisioners) + "-"
	var n int
	p, err := identity.New(st, identity.WithProfile(prof),
		identity.WithIDGenerator(func() (string, error) { n++; return prefix + strconv.Itoa(n), nil }))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkIdentityProvision creates one new account per iteration (account,
// SCIM and SAML identities, membership, all in one Update) in a store that
// already holds n accounts. Goal: at most 5µs per create.
func BenchmarkIdentityProvision(b *testing.B) {
	for _, n := range identitySizes {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			f := loadIdentity(b, n)
			p := identityProvisioner(b, f.st, identity.RFCProfile())
			ctx := context.Background()
			docs := make([]map[string]any, 0, 1024)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for b.Loop() {
				if len(docs) == 0 {
					b.StopTimer()
					cpu.pause()
					for range cap(docs) {
						docs = append(docs, idbDoc(f.next))
						f.next++
					}
					cpu.resume()
					b.StartTimer()
				}
				doc := docs[len(docs)-1]
				docs = docs[:len(docs)-1]
				res, err := p.Provision(ctx, "g", doc)
				if err != nil || res.Changes != identity.Created {
					b.Fatalf("Provision: %v %v", res, err)
				}
			}
			cpu.report(b)
		})
	}
}

// BenchmarkIdentityLookup measures the reads the scim handler makes on every
// request, at n accounts: authentication, GET by server id (RFC), GET by
// extern_uid (GitLab), a list filtered by userName, and a repeated POST
// (GitLab profile: answered with the existing identity).
func BenchmarkIdentityLookup(b *testing.B) {
	for _, n := range identitySizes {
		f := loadIdentity(b, n)
		rfc := identityProvisioner(b, f.st, identity.RFCProfile())
		gitlab := identityProvisioner(b, f.st, identity.GitLabProfile())
		ctx := context.Background()
		pick := func(i int) int { return (i * 7919) % n }
		ops := []struct {
			name string
			fn   func(i int) error // i: the iteration, from 1
		}{
			{"authenticate", func(int) error {
				_, err := rfc.Authenticate(ctx, "bench", identityToken)
				return err
			}},
			{"get-by-id", func(i int) error {
				_, err := rfc.Get(ctx, "g", "s"+strconv.Itoa(pick(i)))
				return err
			}},
			{"get-by-extern-uid", func(i int) error {
				_, err := gitlab.Get(ctx, "g", "EXT-"+strconv.Itoa(pick(i)))
				return err
			}},
			{"list-username-eq", func(i int) error {
				e := &filter.Compare{Attr: filter.AttrPath{Name: "userName"}, Op: filter.Eq, Value: "person." + strconv.Itoa(pick(i))}
				page, err := rfc.List(ctx, "g", store.Query{Filter: e})
				if err == nil && page.Total != 1 {
					err = fmt.Errorf("List: total %d, want 1", page.Total)
				}
				return err
			}},
			{"repeat-post", func(i int) error {
				res, err := gitlab.Provision(ctx, "g", idbDoc(pick(i)))
				if err == nil && res.Changes != 0 {
					err = fmt.Errorf("Provision: changes %v, want none", res.Changes)
				}
				return err
			}},
		}
		for _, op := range ops {
			b.Run(fmt.Sprintf("op=%s/accounts=%d", op.name, n), func(b *testing.B) {
				b.ReportAllocs()
				cpu := startCPU()
				defer cpu.report(b)
				i := 0
				for b.Loop() {
					i++
					if err := op.fn(i); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// cpuClock measures the CPU time the process spends in a benchmark loop.
// The machine running the benchmarks is shared, so ns/op (wall time) swings
// with the load; cpu-ns/op does much less.
type cpuClock struct {
	start, paused time.Duration
	stopped       time.Duration
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() *cpuClock { return &cpuClock{start: processCPU()} }

func (c *cpuClock) pause()  { c.paused = processCPU() }
func (c *cpuClock) resume() { c.stopped += processCPU() - c.paused }

// report adds the metric cpu-ns/op.
func (c *cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start-c.stopped)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkIdentityFloor measures the part of a create no store in Go
// maps can avoid: one account has five unique keys (user id, username,
// email, SCIM identity id and extern_uid), each probed (it must be free)
// and inserted into a map already holding n keys of the same shape. With
// records=true each insert also stores a record the size of memstore's
// (about 1 KB in 10 objects per account), which the garbage collector then
// has to mark. Compare with BenchmarkIdentityProvision at the same n.
func BenchmarkIdentityFloor(b *testing.B) {
	type rec struct {
		a, b, c, d string
		p, q       *rec
		n          [6]int64
	}
	for _, n := range identitySizes {
		for _, records := range []bool{false, true} {
			b.Run(fmt.Sprintf("accounts=%d/records=%v", n, records), func(b *testing.B) {
				prefixes := []string{"bench-u-", "person.", "person.@example.com", "bench-s-", "ext-"}
				key := func(m, i int) string {
					if m == 2 {
						return "person." + strconv.Itoa(i) + "@example.com"
					}
					return prefixes[m] + strconv.Itoa(i)
				}
				var maps [5]map[string]*rec
				for m := range maps {
					maps[m] = make(map[string]*rec)
					for i := range n {
						maps[m][key(m, i)] = &rec{}
					}
				}
				runtime.GC()
				next := n
				keys := make([]string, 0, 5*1024)
				b.ReportAllocs()
				b.ResetTimer()
				cpu := startCPU()
				for b.Loop() {
					if len(keys) == 0 {
						b.StopTimer()
						cpu.pause()
						for range 1024 {
							for m := range maps {
								keys = append(keys, key(m, next))
							}
							next++
						}
						cpu.resume()
						b.StartTimer()
					}
					var r *rec
					if records {
						r = &rec{}
						for range 9 {
							r = &rec{p: r}
						}
					}
					for m := len(maps) - 1; m >= 0; m-- {
						k := keys[len(keys)-1]
						keys = keys[:len(keys)-1]
						if maps[m][k] != nil {
							b.Fatal("key taken")
						}
						maps[m][k] = r
					}
				}
				cpu.report(b)
			})
		}
	}
}
