package benchmarks

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// memstoreSizes are the numbers of accounts (each with a SCIM identity in
// one group) the memstore benchmarks run at. Lookups should stay flat from
// the first to the last.
var memstoreSizes = sizesFromEnv()

// memstoreFixtures caches one loaded store per size across benchmarks: a
// million identities take seconds to load.
var memstoreFixtures = map[int]*memstore.Store{}

// memstoreCreated counts the accounts BenchmarkMemstoreCreate added to each
// fixture, so that repeated runs (-count) create fresh keys.
var memstoreCreated = map[int]int{}

var benchBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func benchUser(i int) (*store.User, *store.SCIMIdentity) {
	uid := fmt.Sprintf("u%07d", i)
	u := &store.User{ID: uid, Username: fmt.Sprintf("user.%d", i), Name: fmt.Sprintf("User %d", i),
		Email: fmt.Sprintf("user.%d@example.com", i), State: store.UserActive}
	at := benchBase.Add(time.Duration(i) * time.Second)
	s := &store.SCIMIdentity{
		ID: fmt.Sprintf("s%07d", i), GroupID: "g", UserID: uid, ExternUID: fmt.Sprintf("Ext-%d", i), Active: true,
		Document: map[string]any{
			"schemas":  []any{schema.UserURN},
			"userName": u.Username,
			"name":     map[string]any{"givenName": fmt.Sprintf("Given%d", i%1000), "familyName": fmt.Sprintf("Family%d", i)},
			"emails":   []any{map[string]any{"value": u.Email, "type": "work", "primary": true}},
			"title":    []string{"Engineer", "Manager", "Director"}[i%3],
		},
		Created: at, Updated: at,
	}
	return u, s
}

func loadMemstore(b *testing.B, n int) *memstore.Store {
	b.Helper()
	if st := memstoreFixtures[n]; st != nil {
		return st
	}
	st := memstore.New()
	ctx := context.Background()
	const batch = 10_000
	for lo := 0; lo < n; lo += batch {
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if lo == 0 {
				if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "g", DefaultRole: store.RoleGuest}); err != nil {
					return err
				}
			}
			for i := lo; i < min(lo+batch, n); i++ {
				u, s := benchUser(i)
				if err := tx.PutUser(ctx, u); err != nil {
					return err
				}
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
	memstoreFixtures[n] = st
	runtime.GC() // do not charge the first benchmark with the loading's garbage
	return st
}

// BenchmarkMemstoreLookup measures the Tx lookups identity makes per
// request, inside a View, on stores of 10k and 1M accounts.
func BenchmarkMemstoreLookup(b *testing.B) {
	for _, n := range memstoreSizes {
		st := loadMemstore(b, n)
		lookups := []struct {
			name string
			fn   func(ctx context.Context, tx store.Tx, i int) error
		}{
			{"userName", func(ctx context.Context, tx store.Tx, i int) error {
				_, err := tx.UserByUsername(ctx, fmt.Sprintf("USER.%d", i))
				return err
			}},
			{"externalId", func(ctx context.Context, tx store.Tx, i int) error {
				_, err := tx.SCIMIdentityByExternUID(ctx, "g", fmt.Sprintf("ext-%d", i))
				return err
			}},
			{"email", func(ctx context.Context, tx store.Tx, i int) error {
				_, err := tx.UserByEmail(ctx, fmt.Sprintf("User.%d@Example.com", i))
				return err
			}},
			{"scimID", func(ctx context.Context, tx store.Tx, i int) error {
				_, err := tx.SCIMIdentity(ctx, "g", fmt.Sprintf("s%07d", i))
				return err
			}},
		}
		for _, l := range lookups {
			b.Run(fmt.Sprintf("%s/n=%d", l.name, n), func(b *testing.B) {
				b.ReportAllocs()
				ctx := context.Background()
				i := 0
				for b.Loop() {
					i = (i + 7919) % n
					err := st.View(ctx, func(ctx context.Context, tx store.Tx) error { return l.fn(ctx, tx, i) })
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkMemstoreList measures filtered lists (page of 20) through
// store.ListSCIMIdentities: indexed equality filters, which must stay flat,
// and a filter that scans every identity of the group.
func BenchmarkMemstoreList(b *testing.B) {
	for _, n := range memstoreSizes {
		st := loadMemstore(b, n)
		filters := []struct {
			name string
			expr func(i int) string
		}{
			{"userName_eq", func(i int) string { return fmt.Sprintf(`userName eq "user.%d"`, i) }},
			{"externalId_eq", func(i int) string { return fmt.Sprintf(`externalId eq "Ext-%d"`, i) }},
			{"emails.value_eq", func(i int) string { return fmt.Sprintf(`emails.value eq "user.%d@example.com"`, i) }},
			{"emails_valuepath", func(i int) string {
				return fmt.Sprintf(`emails[type eq "work" and value eq "user.%d@example.com"]`, i)
			}},
			{"scan_familyName_eq", func(i int) string { return fmt.Sprintf(`name.familyName eq "Family%d"`, i) }},
		}
		for _, f := range filters {
			b.Run(fmt.Sprintf("%s/n=%d", f.name, n), func(b *testing.B) {
				b.ReportAllocs()
				ctx := context.Background()
				i := 0
				for b.Loop() {
					i = (i + 7919) % n
					e, err := filter.Parse(f.expr(i))
					if err != nil {
						b.Fatal(err)
					}
					err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
						items, total, err := store.ListSCIMIdentities(ctx, tx, "g", store.Query{Filter: e, Count: 20})
						if err == nil && (total != 1 || len(items) != 1) {
							err = fmt.Errorf("%s: %d items, total %d", e, len(items), total)
						}
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("unfiltered_page/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
					_, _, err := store.ListSCIMIdentities(ctx, tx, "g", store.Query{StartIndex: n / 2, Count: 20})
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMemstoreCreate measures one provisioning write set (account,
// SCIM identity, membership) in one Update, on top of 10k and 1M accounts.
func BenchmarkMemstoreCreate(b *testing.B) {
	for _, n := range memstoreSizes {
		st := loadMemstore(b, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				memstoreCreated[n]++
				i := 10_000_000 + memstoreCreated[n]
				u, s := benchUser(i)
				err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
					if _, err := tx.UserByEmail(ctx, u.Email); err == nil {
						return fmt.Errorf("user %d exists", i)
					}
					if err := tx.PutUser(ctx, u); err != nil {
						return err
					}
					if err := tx.PutSCIMIdentity(ctx, s); err != nil {
						return err
					}
					return tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: u.ID, Role: store.RoleGuest})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sizesFromEnv returns the benchmark sizes; SCIMKIT_BENCH_SMALL=1 keeps only
// 10k, for quick runs.
func sizesFromEnv() []int {
	if os.Getenv("SCIMKIT_BENCH_SMALL") != "" {
		return []int{10_000}
	}
	return []int{10_000, 1_000_000}
}
