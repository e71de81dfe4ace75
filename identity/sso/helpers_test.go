package sso

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/internal/idptest"
	"github.com/scimkit/scimkit/internal/sqltest"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// testClock is the one clock of a test: the host, scimkit and the IdPs
// read it, and a test moves it to expire a response.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// keyPair is an RSA key and a self-signed certificate for it.
type keyPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// Keys are generated once per test binary: RSA generation is the slow
// part of a test.
var (
	keysMu sync.Mutex
	keys   = map[string]keyPair{}
)

func testKey(t testing.TB, name string) keyPair {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	if k, ok := keys[name]; ok {
		return k
	}
	key, cert := idptest.NewKey(t, name)
	keys[name] = keyPair{key: key, cert: cert}
	return keys[name]
}

// testIdP is the group's identity provider (internal/idptest) on the
// test's clock.
type testIdP struct {
	*idptest.IdP
	t *testing.T
}

// newTestIdP starts an IdP signing with key name. issuer, when not empty,
// is its entity ID (for a rogue IdP posing as another).
func newTestIdP(t *testing.T, clk *testClock, keyName, issuer string) *testIdP {
	t.Helper()
	k := testKey(t, keyName)
	return &testIdP{IdP: idptest.New(t, k.key, k.cert, dsigClock(clk.now), issuer), t: t}
}

// asUser makes the IdP sign in the person with this NameID (persistent
// format) and email.
func (ti *testIdP) asUser(nameID, email string) {
	now := ti.IdP.IdP.Clock.Now()
	ti.SignIn(saml.Session{ID: "idp-session", CreateTime: now, ExpireTime: now.Add(time.Hour), Index: "1",
		NameID: nameID, NameIDFormat: string(saml.PersistentNameIDFormat), UserEmail: email})
}

// metadataXML is the IdP's metadata document.
func (ti *testIdP) metadataXML() string { return ti.MetadataXML(ti.t) }

// register reads the SP metadata at metadataURL with c and registers it,
// under its own entity ID or under as when set.
func (ti *testIdP) register(c *http.Client, metadataURL, as string) {
	ti.Register(ti.t, c, metadataURL, as)
}

// sessions is a host's sign-in for the tests: sessions in memory behind a
// cookie, each with the groups it holds a SAML sign-in to.
type sessions struct {
	mu      sync.Mutex
	next    int
	byToken map[string]*session
	starts  []SignIn
	fail    error // Start fails with it when set
}

type session struct {
	user string
	saml map[string]bool
}

const sessionCookie = "host_session"

func newSessions() *sessions { return &sessions{byToken: map[string]*session{}} }

func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byToken[c.Value]
}

// Current implements Sessions.
func (s *sessions) Current(r *http.Request) (string, error) {
	if ss := s.get(r); ss != nil {
		return ss.user, nil
	}
	return "", nil
}

// Start implements Sessions.
func (s *sessions) Start(w http.ResponseWriter, r *http.Request, in *SignIn) error {
	if s.fail != nil {
		return s.fail
	}
	cur := s.get(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starts = append(s.starts, *in)
	if cur == nil || cur.user != in.User.ID {
		s.next++
		tok := fmt.Sprintf("session-%d", s.next)
		cur = &session{user: in.User.ID, saml: map[string]bool{}}
		s.byToken[tok] = cur
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true})
	}
	cur.saml[in.Group.ID] = true
	return nil
}

// HasSAML implements Sessions.
func (s *sessions) HasSAML(r *http.Request, groupID string) (bool, error) {
	ss := s.get(r)
	if ss == nil {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return ss.saml[groupID], nil
}

// login is the host's own sign-in (a password form, in a real host):
// a session without any SAML sign-in.
func (s *sessions) login(w http.ResponseWriter, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	tok := fmt.Sprintf("session-%d", s.next)
	s.byToken[tok] = &session{user: userID, saml: map[string]bool{}}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true})
}

// host is a host app: the SCIM handler and the SAML handler over one
// store, the host's sessions, a page that says who is signed in and group
// pages behind RequireSSO.
type host struct {
	t     *testing.T
	st    store.Store
	clk   *testClock
	prov  *identity.Provisioner
	sp    *Handler
	sess  *sessions
	srv   *httptest.Server
	base  string
	token map[string]string // group path -> SCIM token
	ids   map[string]string // group path -> group ID
}

// hostOptions adjust a host.
type hostOptions struct {
	profile identity.Profile // the zero Profile: identity.RFCProfile()
	tls     bool
	opts    []Option // more options for the SAML handler
}

// stores are the stores the end-to-end tests run on.
func stores(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"memstore": func(t *testing.T) store.Store { return memstore.New() },
		"sqlite":   func(t *testing.T) store.Store { return sqltest.OpenSQLite(t) },
		"postgres": func(t *testing.T) store.Store { return sqltest.OpenPostgres(t) },
	}
}

func newHost(t *testing.T, st store.Store, clk *testClock, ho hostOptions) *host {
	t.Helper()
	if ho.profile == (identity.Profile{}) {
		ho.profile = identity.RFCProfile()
	}
	var n atomic.Int64
	prov, err := identity.New(st, identity.WithProfile(ho.profile), identity.WithClock(clk.now),
		identity.WithIDGenerator(func() (string, error) { return fmt.Sprintf("id-%d", n.Add(1)), nil }))
	if err != nil {
		t.Fatal(err)
	}
	linker, err := identity.NewLinker(st, identity.WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	h := &host{t: t, st: st, clk: clk, prov: prov, sess: newSessions(), token: map[string]string{}, ids: map[string]string{}}
	mux := http.NewServeMux()
	if ho.tls {
		h.srv = httptest.NewUnstartedServer(mux)
		h.srv.StartTLS()
	} else {
		h.srv = httptest.NewServer(mux)
	}
	t.Cleanup(h.srv.Close)
	h.base = h.srv.URL
	sk := testKey(t, "sp")
	opts := append([]Option{WithClock(clk.now), WithServiceProviderKey(sk.key, sk.cert)}, ho.opts...)
	h.sp, err = New(h.base, st, linker, h.sess, opts...)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := scim.New(prov, scim.WithPrefix("/api/scim/v2/groups/{group}"))
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/api/scim/v2/groups/", sh)
	mux.Handle("/groups/{group}/-/saml/", h.sp)
	// The group's pages, behind enforced SSO.
	mux.Handle("/groups/{group}/page", h.sp.RequireSSO(func(r *http.Request) string { return r.PathValue("group") })(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "page of %s, %s %s", r.PathValue("group"), r.Method, r.URL.RequestURI())
		})))
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		u, _ := h.sess.Current(r)
		fmt.Fprint(w, u)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		h.sess.login(w, r.URL.Query().Get("user"))
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "home") })
	return h
}

// addGroup creates a group with a SCIM token and, when idp is not nil,
// SAML SSO configured with that IdP's metadata and enabled; the IdP learns
// the group's SP metadata.
func (h *host) addGroup(path string, ti *testIdP, spec identity.GroupSpec) *store.Group {
	h.t.Helper()
	spec.Path = path
	spec.Token = path + "-token-0123456789"
	g, tok, err := h.prov.CreateGroup(h.t.Context(), spec)
	if err != nil {
		h.t.Fatal(err)
	}
	h.token[path], h.ids[path] = string(tok), g.ID
	if ti != nil {
		h.configure(path, store.SAMLConfig{Enabled: true, IdPMetadata: ti.metadataXML(),
			NameIDFormat: string(saml.PersistentNameIDFormat)})
		ti.register(h.srv.Client(), h.sp.URLs(path).Metadata, "")
	}
	return g
}

func (h *host) configure(path string, c store.SAMLConfig) *store.Group {
	h.t.Helper()
	g, err := Configure(h.t.Context(), h.st, h.ids[path], c)
	if err != nil {
		h.t.Fatalf("Configure %s: %v", path, err)
	}
	return g
}

// newSignIn starts an IdP and a host on st whose group "acme" (spec)
// signs in through that IdP.
func newSignIn(t *testing.T, st store.Store, spec identity.GroupSpec) (*host, *testIdP, *testClock) {
	t.Helper()
	clk := newClock()
	ti := newTestIdP(t, clk, "idp-a", "")
	h := newHost(t, st, clk, hostOptions{})
	h.addGroup("acme", ti, spec)
	return h, ti, clk
}

// provision provisions a user in group path over SCIM and fails the test
// unless it is created.
func (h *host) provision(path, externalID, userName, email string) {
	h.t.Helper()
	if code, b := h.scimPost(path, externalID, userName, email); code != http.StatusCreated {
		h.t.Fatalf("SCIM POST: %d %s", code, b)
	}
}

// scimPost provisions a user in group path over SCIM, as an IdP does.
func (h *host) scimPost(path, externalID, userName, email string) (int, string) {
	h.t.Helper()
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":%q,"userName":%q,`+
		`"name":{"formatted":%q},"emails":[{"type":"work","primary":true,"value":%q}],"active":true}`,
		externalID, userName, userName, email)
	req, _ := http.NewRequest(http.MethodPost, h.base+"/api/scim/v2/groups/"+path+"/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.token[path])
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// user returns the account whose SCIM identity in group path has this
// externalId.
func (h *host) userOf(path, externalID string) *store.User {
	h.t.Helper()
	var u *store.User
	err := h.st.View(h.t.Context(), func(ctx context.Context, tx store.Tx) error {
		s, err := tx.SCIMIdentityByExternUID(ctx, h.ids[path], externalID)
		if err != nil {
			return err
		}
		u, err = tx.User(ctx, s.UserID)
		return err
	})
	if err != nil {
		h.t.Fatalf("user of %s/%s: %v", path, externalID, err)
	}
	return u
}

// browser is a person's browser: a cookie jar shared by the host and the
// IdPs, redirects followed except from the host's SAML routes' answers,
// which the tests read.
type browser struct {
	t *testing.T
	c *http.Client
	h *host
}

func (h *host) browser() *browser {
	h.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Transport: h.srv.Client().Transport, Timeout: 30 * time.Second}
	return &browser{t: h.t, c: c, h: h}
}

// get GETs u without following redirects.
func (b *browser) get(u string) *http.Response {
	b.t.Helper()
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp
}

// body reads and closes resp's body.
func body(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// samlForm is the auto-submitting form an IdP answers with.
type samlForm struct {
	action       string
	samlResponse string
	relayState   string
}

// startSSO opens the group's SSO URL (with redirect when not empty),
// follows the redirect to the IdP and returns the IdP's response form,
// without posting it.
func (b *browser) startSSO(path, redirect string) samlForm {
	b.t.Helper()
	u := b.h.sp.URLs(path).SSO
	if redirect != "" {
		u += "?redirect=" + url.QueryEscape(redirect)
	}
	resp, err := b.c.Get(u) // follows the redirect to the IdP
	if err != nil {
		b.t.Fatal(err)
	}
	return b.form(resp)
}

// idpInitiated asks the IdP for an unsolicited response to the SP with
// entity ID sp.
func (b *browser) idpInitiated(ti *testIdP, sp, relay string) samlForm {
	b.t.Helper()
	resp, err := b.c.Get(ti.Server.URL + "/initiate?sp=" + url.QueryEscape(sp) + "&RelayState=" + url.QueryEscape(relay))
	if err != nil {
		b.t.Fatal(err)
	}
	return b.form(resp)
}

// form reads an IdP's response form.
func (b *browser) form(resp *http.Response) samlForm {
	b.t.Helper()
	action, v := idptest.Form(b.t, resp)
	return samlForm{action: action, samlResponse: v.Get("SAMLResponse"), relayState: v.Get("RelayState")}
}

// post submits a form to its action (the ACS) and returns the answer,
// without following a redirect.
func (b *browser) post(f samlForm) *http.Response {
	b.t.Helper()
	return b.postTo(f.action, url.Values{"SAMLResponse": {f.samlResponse}, "RelayState": {f.relayState}})
}

func (b *browser) postTo(u string, v url.Values) *http.Response {
	b.t.Helper()
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.PostForm(u, v)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp
}

// whoami returns the account the host has signed in in this browser.
func (b *browser) whoami() string {
	b.t.Helper()
	return body(b.get(b.h.base + "/whoami"))
}

// login signs the browser in to the host directly, without SAML.
func (b *browser) login(userID string) {
	b.t.Helper()
	body(b.get(b.h.base + "/login?user=" + url.QueryEscape(userID)))
	if got := b.whoami(); got != userID {
		b.t.Fatalf("login as %s: signed in as %q", userID, got)
	}
}

// authorize posts the Authorize confirmation of the page the ACS showed.
func (b *browser) authorize(path string) *http.Response {
	b.t.Helper()
	return b.postTo(b.h.sp.authorizeURL(path), url.Values{})
}

// wantRedirect checks that resp is the 303 of an accepted sign-in to
// location.
func wantRedirect(t *testing.T, resp *http.Response, location string) {
	t.Helper()
	b := body(resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != location {
		t.Fatalf("answer %d Location %q, want 303 to %q; body:\n%s", resp.StatusCode, resp.Header.Get("Location"), location, b)
	}
}

// wantPage checks that resp is a page with this status whose message
// contains msg, and that it is well-formed HTML.
func wantPage(t *testing.T, resp *http.Response, status int, msg string) string {
	t.Helper()
	b := body(resp)
	if resp.StatusCode != status || !strings.Contains(html.UnescapeString(b), msg) {
		t.Fatalf("answer %d, want %d with %q; body:\n%s", resp.StatusCode, status, msg, b)
	}
	if _, err := html.Parse(strings.NewReader(b)); err != nil {
		t.Errorf("page is not HTML: %v", err)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("page without X-Frame-Options: DENY")
	}
	return b
}

// snapshot is everything a failed sign-in must leave as it was.
type snapshot struct {
	Groups      []*store.Group
	Users       []*store.User
	Memberships []*store.Membership
	SCIM        []*store.SCIMIdentity
	SAML        []*store.SAMLIdentity
}

// snap reads the groups at paths and every account reachable from them
// (and users), with their memberships and identities.
func (h *host) snap(users ...string) snapshot {
	h.t.Helper()
	var s snapshot
	err := h.st.View(h.t.Context(), func(ctx context.Context, tx store.Tx) error {
		seen := map[string]bool{}
		var ids []string
		for _, u := range users {
			if !seen[u] {
				seen[u] = true
				ids = append(ids, u)
			}
		}
		var groups []string
		for _, path := range sortedKeys(h.ids) {
			g, err := tx.Group(ctx, h.ids[path])
			if err != nil {
				return err
			}
			s.Groups = append(s.Groups, g)
			groups = append(groups, g.ID)
			for si, err := range tx.SCIMIdentities(ctx, g.ID) {
				if err != nil {
					return err
				}
				s.SCIM = append(s.SCIM, si)
				if !seen[si.UserID] {
					seen[si.UserID] = true
					ids = append(ids, si.UserID)
				}
			}
		}
		for _, id := range ids {
			u, err := optional(tx.User(ctx, id))
			if err != nil {
				return err
			}
			if u == nil {
				continue
			}
			s.Users = append(s.Users, u)
			for _, g := range groups {
				m, err := optional(tx.Membership(ctx, g, id))
				if err != nil {
					return err
				}
				if m != nil {
					s.Memberships = append(s.Memberships, m)
				}
				sa, err := optional(tx.SAMLIdentityByUser(ctx, g, id))
				if err != nil {
					return err
				}
				if sa != nil {
					s.SAML = append(s.SAML, sa)
				}
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

// unchanged checks that the store is as before.
func (h *host) unchanged(before snapshot, users ...string) {
	h.t.Helper()
	if d := cmp.Diff(before, h.snap(users...)); d != "" {
		h.t.Errorf("a refused sign-in changed the store (-before +after):\n%s", d)
	}
}

// decoded returns the response XML of a form.
func (f samlForm) decoded(t *testing.T) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(f.samlResponse)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// with returns f carrying this response XML instead.
func (f samlForm) with(xmlDoc string) samlForm {
	f.samlResponse = base64.StdEncoding.EncodeToString([]byte(xmlDoc))
	return f
}

// signatures matches the XML signatures of a response.
var signatures = regexp.MustCompile(`(?s)<ds:Signature\b.*?</ds:Signature>`)
