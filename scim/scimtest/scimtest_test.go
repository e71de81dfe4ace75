package scimtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/scimtest"
	"github.com/scimkit/scimkit/store"
)

var profiles = []identity.Profile{identity.RFCProfile(), identity.GitLabProfile()}

// profileName names a profile of profiles in test names.
func profileName(p identity.Profile) string {
	if p == identity.GitLabProfile() {
		return "gitlab"
	}
	return "rfc"
}

// eventTypes lists the types of events, in order.
func eventTypes(evs []identity.Event) []identity.EventType {
	var out []identity.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// The three IdPs' syncs pass against scimkit in both profiles, and do to
// the accounts what each IdP means: every deactivation and reactivation
// shows as an event. In the RFC profile, which has Groups, Entra ID's group
// provisioning and Okta's Group Push run too, and leave no group behind.
func TestCheck(t *testing.T) {
	const (
		prov   = identity.EventProvisioned
		upd    = identity.EventUpdated
		deprov = identity.EventDeprovisioned
		del    = identity.EventDeleted
		reprov = identity.EventReprovisioned
		gNew   = identity.EventIdPGroupCreated
		gUpd   = identity.EventIdPGroupUpdated
		gAdd   = identity.EventIdPGroupMemberAdded
		gRem   = identity.EventIdPGroupMemberRemoved
		gDel   = identity.EventIdPGroupDeleted
	)
	wants := map[identity.Profile][]identity.EventType{
		identity.RFCProfile(): {
			identity.EventGroupCreated,
			prov, upd, upd, // Entra ID: create, the two updates,
			gNew, gUpd, gAdd, gRem, gDel, // group created, renamed, member added and removed, deleted,
			deprov, reprov, deprov, del, // disable, enable, soft delete, DELETE of the soft-deleted user
			prov, upd, // Okta: create, profile push,
			gNew, gAdd, gUpd, gRem, gAdd, gDel, // Group Push: pushed, member added, renamed, removed, PUT with it, deleted,
			deprov, reprov, deprov,
			prov, upd, deprov, reprov, deprov, del, reprov, // OneLogin: suspend, re-assign, delete, re-assign
		},
		identity.GitLabProfile(): {
			identity.EventGroupCreated,
			prov, upd, upd, deprov, reprov, deprov, // Entra ID
			prov, upd, deprov, reprov, deprov, // Okta
			prov, upd, deprov, reprov, deprov, reprov, // OneLogin
		},
	}
	for _, p := range profiles {
		t.Run(profileName(p), func(t *testing.T) {
			t.Parallel()
			srv := scimtest.NewServer(t, scimtest.WithProfile(p))
			scimtest.Check(t, srv.URL, srv.Token, scimtest.WithProfile(p))
			if diff := cmp.Diff(wants[p], eventTypes(srv.Events())); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			groups, err := srv.Provisioner.ListIdPGroups(t.Context(), srv.Groups[0].ID, store.Query{}, identity.OmitMembers)
			require.NoError(t, err)
			if groups.Total != 0 {
				t.Errorf("%d IdP groups left behind", groups.Total)
			}
			// Each IdP's person ends as it left them: Entra ID's deleted,
			// Okta's deactivated, OneLogin's active again.
			page, err := srv.Provisioner.List(t.Context(), srv.Groups[0].ID, store.Query{})
			require.NoError(t, err)
			got := map[string]bool{}
			for _, r := range page.Results {
				idp := "Entra"
				switch uid := r.Identity.ExternUID; {
				case strings.HasPrefix(uid, "00u"):
					idp = "Okta"
				case strings.Contains(uid, "@"):
					idp = "OneLogin"
				}
				got[idp] = r.Identity.Active
			}
			wantActive := map[string]bool{"Okta": false, "OneLogin": true}
			if p == identity.GitLabProfile() { // a deleted identity stays, inactive
				wantActive["Entra"] = false
			}
			if diff := cmp.Diff(wantActive, got); diff != "" {
				t.Errorf("identities' active (-want +got):\n%s", diff)
			}
		})
	}
}

// With a Groups resource (a fake that logs what is done to its groups, in
// front of scimkit) the clients find it through /ResourceTypes and run
// Entra ID's group provisioning and Okta's Group Push, in their order.
// TestCheck runs them against scimkit's own Groups.
func TestSyncGroups(t *testing.T) {
	for _, tc := range []struct {
		name string
		sync func(t require.TestingT, base, token string)
		want []string
	}{
		{"Entra", func(t require.TestingT, base, token string) { scimtest.NewEntra(t, base, token).Sync() },
			[]string{"create Engineering", "patch Analytical Engines []", "patch Analytical Engines [U]", "patch Analytical Engines []", "delete Analytical Engines"}},
		{"Okta", func(t require.TestingT, base, token string) { scimtest.NewOkta(t, base, token).Sync() },
			[]string{"create Test SCIMv2", "patch Test SCIMv2 [U]", "patch Renamed [U]", "patch Renamed []", "replace Renamed [U]", "delete Renamed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := scimtest.NewServer(t)
			fake := newGroupsFake()
			base := front(t, srv, fake.middleware)
			r := observe(func(rt require.TestingT) { tc.sync(rt, base, srv.Token) })
			require.False(t, r.failed, r.message())
			// The log without the random suffixes and user ids.
			var got []string
			for _, l := range fake.log {
				words := strings.Fields(l)
				for i, w := range words {
					if strings.HasPrefix(w, "[") {
						if w != "[]" {
							words[i] = "[U]"
						}
						words = words[:i+1]
						break
					}
				}
				var kept []string
				for _, w := range words {
					if len(w) != 8 || strings.Trim(w, "0123456789abcdef") != "" {
						kept = append(kept, w)
					}
				}
				got = append(got, strings.Join(kept, " "))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("group changes (-want +got):\n%s", diff)
			}
		})
	}
}

// WithGroupProvisioning decides over discovery: off, the fake's groups
// are left alone; on, a server without Groups (scimkit behind a host that
// does not route /Groups) fails the first group step.
func TestWithGroupProvisioning(t *testing.T) {
	t.Parallel()
	srv := scimtest.NewServer(t)
	fake := newGroupsFake()
	base := front(t, srv, fake.middleware)
	r := observe(func(rt require.TestingT) {
		scimtest.NewOkta(rt, base, srv.Token, scimtest.WithGroupProvisioning(false)).Sync()
	})
	require.False(t, r.failed, r.message())
	if len(fake.log) != 0 {
		t.Errorf("groups touched with group provisioning off: %q", fake.log)
	}

	noGroups := front(t, srv, withoutGroups)
	r = observe(func(rt require.TestingT) {
		scimtest.NewEntra(rt, noGroups, srv.Token, scimtest.WithGroupProvisioning(true)).Sync()
	})
	require.True(t, r.failed, "Entra ID's group steps passed against a server without Groups")
	require.Contains(t, r.message(), "scimtest: Entra ID, create group: query by displayName: status 404, want 200")
}

// Each broken server makes the step that meets the breakage fail, with
// the request, what the IdP needs and what the server answered; a
// breakage an IdP does not meet leaves it passing.
func TestBrokenServers(t *testing.T) {
	type want struct{ entra, okta, onelogin string } // "" = passes
	cases := []struct {
		broken string
		rfc    want
		gitlab want // zero: same as rfc
	}{
		{broken: "200 for a create", rfc: want{
			`scimtest: Entra ID, create user: POST /Users: status 200, want 201`,
			`scimtest: Okta, create user: POST /Users: status 200, want 201`,
			`scimtest: OneLogin, create user: POST /Users: status 200, want 201`}},
		{broken: "no id", rfc: want{
			`scimtest: Entra ID, create user: POST /Users: the resource has no "id"`,
			`scimtest: Okta, create user: POST /Users: the resource has no "id"`,
			`scimtest: OneLogin, create user: POST /Users: the resource has no "id"`}},
		{broken: "HTML page", rfc: want{
			`scimtest: Entra ID, Test Connection: Content-Type "text/html; charset=utf-8" is not application/scim+json or application/json`,
			`scimtest: Okta, Test API Credentials: Content-Type "text/html; charset=utf-8" is not application/scim+json or application/json`,
			`scimtest: OneLogin, connection check: lookup by userName: Content-Type "text/html; charset=utf-8" is not application/scim+json or application/json`}},
		{broken: "HTML as JSON", rfc: want{
			`scimtest: Entra ID, Test Connection: the body is not a JSON object`,
			`scimtest: Okta, Test API Credentials: the body is not a JSON object`,
			`scimtest: OneLogin, connection check: lookup by userName: the body is not a JSON object`}},
		{broken: `refuses "False"`, rfc: want{
			entra: `scimtest: Entra ID, disable user: PATCH active "False": status 400, want 200 or 204`}},
		{broken: "ignores deactivation", rfc: want{
			`scimtest: Entra ID, disable user: PATCH active "False": "active" is true, want false`,
			`scimtest: Okta, deactivate user: PATCH: "active" is true, want false`,
			`scimtest: OneLogin, suspend user: PUT: "active" is true, want false`,
		}, gitlab: want{ // PATCH answers 204: the user read back tells
			`scimtest: Entra ID, disable user, next cycle: query by externalId: the match: "active" is true, want false`,
			`scimtest: Okta, deactivate user, read back: "active" is true, want false`,
			`scimtest: OneLogin, suspend user, read back: "active" is true, want false`,
		}},
	}
	for _, tc := range cases {
		for _, p := range profiles {
			w := tc.rfc
			if p == identity.GitLabProfile() && tc.gitlab != (want{}) {
				w = tc.gitlab
			}
			for _, c := range []struct {
				idp  string
				want string
				sync func(rt require.TestingT, base, token string)
			}{
				{"Entra", w.entra, func(rt require.TestingT, base, token string) {
					scimtest.NewEntra(rt, base, token, scimtest.WithProfile(p)).Sync()
				}},
				{"Okta", w.okta, func(rt require.TestingT, base, token string) {
					scimtest.NewOkta(rt, base, token, scimtest.WithProfile(p)).Sync()
				}},
				{"OneLogin", w.onelogin, func(rt require.TestingT, base, token string) {
					scimtest.NewOneLogin(rt, base, token, scimtest.WithProfile(p)).Sync()
				}},
			} {
				t.Run(tc.broken+"/"+profileName(p)+"/"+c.idp, func(t *testing.T) {
					t.Parallel()
					srv := scimtest.NewServer(t, scimtest.WithProfile(p))
					base := front(t, srv, broken[tc.broken])
					r := observe(func(rt require.TestingT) { c.sync(rt, base, srv.Token) })
					msg := r.message()
					if c.want == "" {
						require.False(t, r.failed, msg)
						return
					}
					require.True(t, r.failed, "the sync passed against a server that %s", tc.broken)
					require.Contains(t, msg, "Error:      \t"+c.want+"\n")
					for _, part := range []string{"Messages:   \trequest:\n", "\texpected:\n", "\tactual:\n", "Authorization: Bearer [token]"} {
						require.Contains(t, msg, part)
					}
					require.NotContains(t, msg, srv.Token, "the token is shown")
				})
			}
		}
	}
}

// A failure shows the request as sent, what the IdP needs and the answer,
// in that order, in testify's layout.
func TestFailureMessage(t *testing.T) {
	t.Parallel()
	srv := scimtest.NewServer(t)
	base := front(t, srv, broken["200 for a create"])
	r := observe(func(rt require.TestingT) {
		scimtest.NewOneLogin(rt, base, srv.Token).CreateUser(scimtest.Person{
			ExternalID: "ann@example.com", UserName: "ann@example.com", Email: "ann@example.com", GivenName: "Ann", FamilyName: "Ko"})
	})
	require.True(t, r.failed)
	msg := r.message()
	start := strings.Index(msg, "Error:")
	require.GreaterOrEqual(t, start, 0, msg)
	got := msg[start:]
	// The answer's varying parts: address, id, times, version.
	got = strings.ReplaceAll(got, strings.TrimSuffix(base, "/api/scim/v2/groups/acme"), "http://HOST")
	lines := strings.Split(got, "\n")
	for i, l := range lines {
		for _, k := range []string{`"id": `, `"created": `, `"lastModified": `, `"location": `, `Location: `} {
			if j := strings.Index(l, k); j >= 0 {
				lines[i] = l[:j+len(k)] + "…"
			}
		}
	}
	got = strings.Join(lines, "\n")
	want := "Error:      \tscimtest: OneLogin, create user: POST /Users: status 200, want 201\n" +
		"\tMessages:   \trequest:\n" +
		"\t            \t  POST http://HOST/api/scim/v2/groups/acme/Users\n" +
		"\t            \t  Accept: application/json\n" +
		"\t            \t  Authorization: Bearer [token]\n" +
		"\t            \t  Content-Type: application/json\n" +
		`	            	  {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"ann@example.com","externalId":"ann@example.com","name":{"givenName":"Ann","familyName":"Ko","formatted":"Ann Ko"},"emails":[{"value":"ann@example.com","type":"work","primary":true}],"title":"","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"","organization":"","manager":{"value":"","displayName":""}}}` + "\n" +
		"\t            \texpected:\n" +
		"\t            \t  status 201\n" +
		"\t            \t  Content-Type application/scim+json or application/json, a JSON object body\n" +
		"\t            \t  a non-empty \"id\"\n" +
		"\t            \tactual:\n" +
		"\t            \t  HTTP/1.1 200 OK\n" +
		"\t            \t  Content-Type: application/json; charset=utf-8\n" +
		"\t            \t  Etag: W/\"1\"\n" +
		"\t            \t  Location: …\n"
	if !strings.HasPrefix(got, want) {
		t.Errorf("message starts (-want +got):\n%s", cmp.Diff(want, got[:min(len(got), len(want)+200)]))
	}
}

// A step whose precondition the server's state breaks says so.
func TestCreateExisting(t *testing.T) {
	t.Parallel()
	srv := scimtest.NewServer(t)
	p := scimtest.Person{ExternalID: "7d2c0a1e-0000-4000-8000-000000000001", UserName: "bo@contoso.example",
		Email: "bo@contoso.example", GivenName: "Bo", FamilyName: "Li"}
	r := observe(func(rt require.TestingT) {
		e := scimtest.NewEntra(rt, srv.URL, srv.Token)
		created := e.CreateUser(p)
		require.Equal(t, http.StatusCreated, created.Status)
		require.NotEmpty(t, created.ID)
		e.CreateUser(p)
	})
	require.True(t, r.failed)
	require.Contains(t, r.message(), `scimtest: Entra ID, create user: query by externalId: 1 resource matches, want 0: Entra ID would update that user instead of creating one`)
}

// The step methods return the parsed answers.
func TestStepResponses(t *testing.T) {
	t.Parallel()
	srv := scimtest.NewServer(t)
	o := scimtest.NewOkta(t, srv.URL, srv.Token)
	probe := o.TestAPICredentials()
	require.Equal(t, http.StatusOK, probe.Status)
	require.Equal(t, float64(0), probe.JSON["totalResults"])
	p := scimtest.Person{ExternalID: "00uabc", UserName: "cy@example.com", Email: "cy@example.com", GivenName: "Cy", FamilyName: "Ng"}
	u := o.CreateUser(p)
	require.Equal(t, http.StatusCreated, u.Status)
	require.Equal(t, "cy@example.com", u.JSON["userName"])
	off := o.DeactivateUser(u.ID)
	require.Equal(t, false, off.JSON["active"])
	got, err := srv.Provisioner.Get(t.Context(), srv.Groups[0].ID, u.ID)
	require.NoError(t, err)
	require.False(t, got.Identity.Active)
	require.Contains(t, string(u.Body), `"externalId":"00uabc"`)
}

// Check reports each IdP as a subtest that fails on its own. (Check needs
// a *testing.T, so the failing run happens in a child process.)
func TestCheckFailure(t *testing.T) {
	if os.Getenv("SCIMTEST_CHECK_CHILD") == "1" {
		srv := scimtest.NewServer(t)
		scimtest.Check(t, front(t, srv, broken["200 for a create"]), srv.Token)
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckFailure$", "-test.v")
	cmd.Env = append(os.Environ(), "SCIMTEST_CHECK_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the child passed:\n%s", out)
	for _, want := range []string{
		"--- FAIL: TestCheckFailure/Entra",
		"scimtest: Entra ID, create user: POST /Users: status 200, want 201",
		"--- FAIL: TestCheckFailure/Okta",
		"scimtest: Okta, create user: POST /Users: status 200, want 201",
		"--- FAIL: TestCheckFailure/OneLogin",
		"scimtest: OneLogin, create user: POST /Users: status 200, want 201",
	} {
		require.Contains(t, string(out), want)
	}
}

// Groups have their own URL and token; a token of one group is refused by
// another (and the client says so).
func TestServerGroups(t *testing.T) {
	t.Parallel()
	srv := scimtest.NewServer(t, scimtest.WithGroup("north", ""), scimtest.WithGroup("south", "south-token-0123456789"))
	require.Len(t, srv.Groups, 2)
	require.Equal(t, srv.Groups[0].URL, srv.URL)
	require.Equal(t, srv.Groups[0].Token, srv.Token)
	require.Equal(t, "scimtest-token-north", srv.Token)
	require.Equal(t, srv.HTTP.URL+"/api/scim/v2/groups/south", srv.Groups[1].URL)
	require.Equal(t, "south-token-0123456789", srv.Groups[1].Token)

	scimtest.Check(t, srv.Groups[1].URL, srv.Groups[1].Token)
	north, err := srv.Provisioner.List(t.Context(), srv.Groups[0].ID, store.Query{})
	require.NoError(t, err)
	require.Empty(t, north.Results, "south's sync reached north")

	r := observe(func(rt require.TestingT) { scimtest.NewOkta(rt, srv.Groups[1].URL, srv.Token).TestAPICredentials() })
	require.True(t, r.failed)
	require.Contains(t, r.message(), "scimtest: Okta, Test API Credentials: status 401, want 200")
}

// NewServer runs over the store a test passes: here SQLite, as a host's
// own store.Store would be.
func TestServerWithStore(t *testing.T) {
	t.Parallel()
	st := sqltest.OpenSQLite(t)
	for _, p := range profiles {
		srv := scimtest.NewServer(t, scimtest.WithStore(st), scimtest.WithProfile(p), scimtest.WithGroup("g-"+profileName(p), ""))
		require.Same(t, store.Store(st), srv.Store)
		scimtest.Check(t, srv.URL, srv.Token, scimtest.WithProfile(p))
	}
	// A group that exists already is a clear failure.
	ft := &fakeTB{real: t}
	observe(func(require.TestingT) {
		scimtest.NewServer(ft, scimtest.WithStore(st), scimtest.WithGroup("g-rfc", ""))
	})
	require.True(t, ft.rec.failed)
	require.Contains(t, ft.rec.message(), `scimtest: NewServer: group "g-rfc"`)
}

// The clients run against a host's own wiring: scimkit mounted in the
// host's mux under a prefix of its own, with the host's event sink.
func TestHostHandler(t *testing.T) {
	t.Parallel()
	for _, p := range profiles {
		t.Run(profileName(p), func(t *testing.T) {
			t.Parallel()
			st := sqlstoreMemory(t)
			var mu sync.Mutex
			var events int
			sink := identity.EventSinkFunc(func(context.Context, identity.Event) { mu.Lock(); events++; mu.Unlock() })
			prov, err := identity.New(st, identity.WithProfile(p), identity.WithEventSink(sink))
			require.NoError(t, err)
			g, tok, err := prov.CreateGroup(t.Context(), identity.GroupSpec{Path: "team"})
			require.NoError(t, err)
			if p == identity.GitLabProfile() { // GitLab serves SCIM to groups with SAML SSO only
				_, err = sso.Configure(t.Context(), st, g.ID, store.SAMLConfig{Enabled: true,
					SSOURL: "https://idp.example/sso", Fingerprint: "00112233445566778899AABBCCDDEEFF00112233"})
				require.NoError(t, err)
			}
			h, err := scim.New(prov, scim.WithGroup("team"))
			require.NoError(t, err)
			mux := http.NewServeMux()
			mux.Handle("/internal/scim/", http.StripPrefix("/internal/scim", h))
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "app", http.StatusTeapot) })
			ts := httptest.NewServer(mux)
			t.Cleanup(ts.Close)
			scimtest.Check(t, ts.URL+"/internal/scim", string(tok), scimtest.WithProfile(p), scimtest.WithHTTPClient(ts.Client()))
			mu.Lock()
			defer mu.Unlock()
			require.Greater(t, events, 10)
		})
	}
}

// sqlstoreMemory opens a SQLite store in the test's directory.
func sqlstoreMemory(t *testing.T) store.Store { return sqltest.OpenSQLite(t) }

// An option given where it means nothing fails at once.
func TestMisplacedOption(t *testing.T) {
	t.Parallel()
	ft := &fakeTB{real: t}
	observe(func(require.TestingT) { scimtest.NewServer(ft, scimtest.WithHTTPClient(http.DefaultClient)) })
	require.True(t, ft.rec.failed)
	require.Contains(t, ft.rec.message(), "scimtest: NewServer does not take WithHTTPClient")

	r := observe(func(rt require.TestingT) {
		scimtest.NewOkta(rt, "http://127.0.0.1:1/scim", "t", scimtest.WithGroup("x", ""))
	})
	require.True(t, r.failed)
	require.Contains(t, r.message(), "scimtest: NewOkta does not take WithGroup")

	r = observe(func(rt require.TestingT) { scimtest.NewEntra(rt, "/scim", "t") })
	require.True(t, r.failed)
	require.Contains(t, r.message(), `scimtest: NewEntra: base URL "/scim"`)
}

// Events is safe while requests are served: syncs run side by side and
// read the events as they go (go test -race).
func TestEventsConcurrent(t *testing.T) {
	t.Parallel()
	srv := scimtest.NewServer(t)
	var wg sync.WaitGroup
	recs := make([]*recorder, 4)
	for i := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i] = observe(func(rt require.TestingT) {
				o := scimtest.NewOkta(rt, srv.URL, srv.Token)
				o.Sync()
				_ = srv.Events()
			})
		}()
	}
	for range 20 {
		_ = len(srv.Events())
	}
	wg.Wait()
	for _, r := range recs {
		require.False(t, r.failed, r.message())
	}
	n := 0
	for _, e := range srv.Events() {
		if e.Type == identity.EventProvisioned {
			n++
		}
	}
	require.Equal(t, len(recs), n)
}
