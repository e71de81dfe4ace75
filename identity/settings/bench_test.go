package settings_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// benchIdentities is the size of the group the page is measured on.
const benchIdentities = 100_000

// BenchmarkPage measures the server time of the page for a group of 100,000
// identities with SAML configured from an IdP's metadata (so that the SAML
// section reads the configuration's certificate): the first, a middle and
// the last page of the list, and searches by externalId, userName, the
// IdP's email and the account's username, on memstore, SQLite and, when
// SCIMKIT_POSTGRES_DSN is set, PostgreSQL. The goal is 50 ms or less for
// each. Each store's page is first checked to be well-formed HTML with the
// identities it should list and the saved SAML configuration.
//
//	go test -run '^$' -bench BenchmarkPage -benchtime 20x ./identity/settings
func BenchmarkPage(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"memstore", func(*testing.B) store.Store { return memstore.New() }},
		{"sqlite", func(b *testing.B) store.Store { return sqltest.OpenSQLite(b) }},
		{"postgres", func(b *testing.B) store.Store { return sqltest.OpenPostgres(b) }},
	}
	last := (benchIdentities + 49) / 50
	pages := []struct {
		name, query string
		want        string // an externalId the page lists
	}{
		{"list/first", "", "ext-0"},
		{"list/middle", "?page=" + strconv.Itoa(last/2), "ext-" + strconv.Itoa((last/2-1)*50)},
		{"list/last", "?page=" + strconv.Itoa(last), "ext-" + strconv.Itoa(benchIdentities-1)},
		{"search/externalId", "?q=EXT-54321", "ext-54321"},
		{"search/userName", "?q=person.54321", "ext-54321"},
		{"search/email", "?q=person.54321@example.com", "ext-54321"},
		{"search/account", "?q=account54321", "ext-54321"},
	}
	for _, sc := range stores {
		b.Run("store="+sc.name, func(b *testing.B) {
			st := sc.open(b)
			fillGroup(b, st, benchIdentities)
			idp := newIdP(b, "72f988bf-86f1-41af-91ab-2d7cd011db47")
			if _, err := sso.Configure(context.Background(), st, "g", store.SAMLConfig{Enabled: true, IdPMetadata: idp.metadata}); err != nil {
				b.Fatal(err)
			}
			prov, err := identity.New(st)
			if err != nil {
				b.Fatal(err)
			}
			linker, err := identity.NewLinker(st)
			if err != nil {
				b.Fatal(err)
			}
			sp, err := sso.New("https://app.example", st, linker, noSessions{})
			if err != nil {
				b.Fatal(err)
			}
			events := settings.NewEventBuffer(20)
			for i := range 20 {
				events.Emit(context.Background(), identity.Event{Type: identity.EventProvisioned, GroupID: "g", ExternUID: "ext-" + strconv.Itoa(i)})
			}
			page, err := settings.New(prov, st, func(*http.Request, *store.Group) (bool, error) { return true, nil },
				settings.WithEventLog(events), settings.WithSAML(sp.URLs))
			if err != nil {
				b.Fatal(err)
			}
			for _, pc := range pages {
				target := "/groups/bench/-/saml" + pc.query
				w := httptest.NewRecorder()
				page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", target, w.Code, w.Body)
				}
				if err := checkWellFormed(w.Body.String()); err != nil {
					b.Fatalf("%s: %v", target, err)
				}
				if ids := externalIDs(b, w.Body.String()); !strings.Contains(strings.Join(ids, " ")+" ", pc.want+" ") {
					b.Fatalf("%s lists %v, not %s", target, ids, pc.want)
				}
				if !strings.Contains(w.Body.String(), idp.sha1) {
					b.Fatalf("%s does not show the IdP certificate's fingerprint", target)
				}
				b.Run(pc.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						w := httptest.NewRecorder()
						page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
						if w.Code != http.StatusOK {
							b.Fatal(w.Code)
						}
					}
				})
			}
		})
	}
}

// fillGroup writes group "bench" (id g) with n accounts, each with a SCIM
// identity, a SAML identity and a membership, straight to the store as
// provisioning would have.
func fillGroup(b *testing.B, st store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 5_000
	for lo := 0; lo < n; lo += batch {
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			if lo == 0 {
				if err := tx.PutGroup(ctx, &store.Group{ID: "g", Path: "bench", Name: "Bench", DefaultRole: store.RoleDeveloper}); err != nil {
					return err
				}
			}
			for i := lo; i < min(lo+batch, n); i++ {
				k := strconv.Itoa(i)
				uid, ext := "u"+k, "ext-"+k
				doc := map[string]any{
					"schemas":  []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
					"userName": "person." + k,
					"name":     map[string]any{"formatted": "Given Family" + k, "givenName": "Given", "familyName": "Family" + k},
					"emails":   []any{map[string]any{"value": "person." + k + "@example.com", "type": "work", "primary": true}},
				}
				at := base.Add(time.Duration(i) * time.Millisecond)
				for _, err := range []error{
					tx.PutUser(ctx, &store.User{ID: uid, Username: "account" + k, Name: "Given Family" + k,
						Email: "person." + k + "@example.com", ProvisionedByGroup: "g", Confirmed: true, State: store.UserActive}),
					tx.PutSCIMIdentity(ctx, &store.SCIMIdentity{ID: "s" + k, GroupID: "g", UserID: uid, ExternUID: ext, Active: true,
						Document: doc, Created: at, Updated: at}),
					tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: "g", UserID: uid, ExternUID: ext}),
					tx.PutMembership(ctx, &store.Membership{GroupID: "g", UserID: uid, Role: store.RoleDeveloper}),
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
	runtime.GC()
}
