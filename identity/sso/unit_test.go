package sso

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

func TestLocalPath(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"/", true},
		{"/groups/acme/-/issues?state=open#top", true},
		{"/a%2Fb", true},
		{"", false},
		{"groups/acme", false},
		{"//evil.example/", false},
		{"/\\evil.example", false},
		{"/a\\b", false},
		{"https://evil.example/", false},
		{"javascript:alert(1)", false},
		{"/a\nb", false},
		{"/a\x00b", false},
		{"/a\x7fb", false},
		{"/%zz", false},
		{"/" + strings.Repeat("a", maxRelayState), false},
	}
	for _, tc := range tests {
		got, ok := localPath(tc.in)
		if ok != tc.ok || (ok && got != tc.in) {
			t.Errorf("localPath(%q) = %q, %v; want ok %v", tc.in, got, ok, tc.ok)
		}
	}
}

// FuzzLocalPath: a RelayState localPath accepts keeps the browser on this
// site, however it is encoded: as it is (SignIn.ReturnTo, which a host may
// link to) and as the Location of the ACS's redirect. Browsers read a
// backslash as a slash and drop tabs and line breaks, so neither may be in
// it.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/groups/acme?x=1#y", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example",
		"/%5C%5Cevil.example", "/.//evil.example", "/..//evil.example", "/\t/evil.example", "https://evil.example", "/a/../../evil"} {
		f.Add(s)
	}
	site, err := url.Parse("https://app.example/groups/acme/-/saml/callback")
	if err != nil {
		f.Fatal(err)
	}
	stays := func(t *testing.T, s, target string) {
		t.Helper()
		if strings.HasPrefix(target, "//") || strings.IndexFunc(target, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f }) >= 0 {
			t.Fatalf("localPath(%q) accepted, a browser may leave the site for %q", s, target)
		}
		u, err := url.Parse(target)
		if err != nil {
			t.Fatalf("localPath(%q) accepted, %q does not parse: %v", s, target, err)
		}
		if to := site.ResolveReference(u); to.Scheme != site.Scheme || to.Host != site.Host || to.User != nil {
			t.Fatalf("localPath(%q) accepted, %q leaves the site for %s", s, target, to)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := localPath(s)
		if !ok {
			return
		}
		if got != s {
			t.Fatalf("localPath(%q) = %q, want it unchanged", s, got)
		}
		stays(t, s, got)
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest(http.MethodPost, site.String(), nil), got, http.StatusSeeOther)
		stays(t, s, w.Header().Get("Location"))
	})
}

func TestPeek(t *testing.T) {
	der := []byte{1, 2, 3, 4}
	b64 := base64.StdEncoding.EncodeToString(der)
	tests := []struct {
		name   string
		doc    string
		issuer string
		certs  [][]byte
	}{
		{"assertion issuer wins", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` +
			`<saml:Issuer> https://resp.example/ </saml:Issuer><saml:Assertion><saml:Issuer>https://idp.example/</saml:Issuer>` +
			`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + b64[:4] + "\n " + b64[4:] +
			`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature></saml:Assertion></samlp:Response>`, "https://idp.example/", [][]byte{der}},
		{"response issuer when the assertion is encrypted", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` +
			`<saml:Issuer>https://resp.example/</saml:Issuer><saml:EncryptedAssertion/></samlp:Response>`, "https://resp.example/", nil},
		{"an Issuer of another namespace is not one", `<Response><Issuer>x</Issuer></Response>`, "", nil},
		{"a certificate that is not base64 is skipped", `<r xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Certificate>!!</ds:X509Certificate></r>`, "", nil},
		{"not XML", `<<<`, "", nil},
		{"empty", ``, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			issuer, certs := peek([]byte(tc.doc))
			if issuer != tc.issuer || !cmp.Equal(tc.certs, certs) {
				t.Errorf("peek = %q, %v; want %q, %v", issuer, certs, tc.issuer, tc.certs)
			}
		})
	}
}

func TestMemoryReplay(t *testing.T) {
	clk := newClock()
	m := newMemoryReplay(clk.now, 3)
	exp := clk.now().Add(time.Minute)
	for _, id := range []string{"a", "b", "c"} {
		if err := m.Consume(id, exp); err != nil {
			t.Fatalf("Consume(%s): %v", id, err)
		}
	}
	if err := m.Consume("a", exp); !errors.Is(err, saml.ErrAssertionReplayed) {
		t.Errorf("replayed: %v", err)
	}
	// Full of unexpired entries: refused rather than forgetting one.
	if err := m.Consume("d", exp); err == nil {
		t.Error("a full cache accepted a new assertion")
	}
	clk.advance(time.Minute)
	if err := m.Consume("d", exp.Add(time.Minute)); err != nil {
		t.Errorf("after expiry: %v", err)
	}
	if err := m.Consume("a", exp.Add(time.Minute)); err != nil {
		t.Errorf("an expired ID again: %v", err)
	}
	// Concurrent consumers of one ID: exactly one wins.
	m = newMemoryReplay(clk.now, 100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m.Consume("x", clk.now().Add(time.Minute)) == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d concurrent consumers of one ID accepted, want 1", wins)
	}
	// Groups are kept apart in a shared cache.
	shared := newMemoryReplay(clk.now, 100)
	if err := (groupReplay{shared, "g1"}).Consume("id", exp.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := (groupReplay{shared, "g2"}).Consume("id", exp.Add(time.Hour)); err != nil {
		t.Errorf("the same ID in another group: %v", err)
	}
}

func TestSealOpen(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	v, err := seal(key, linkCookie, pendingLink{Group: "g", User: "u", NameID: "n\x00\"é", Expires: 5})
	if err != nil {
		t.Fatal(err)
	}
	var got pendingLink
	if err := open(key, linkCookie, v, &got); err != nil || got.NameID != "n\x00\"é" || got.User != "u" {
		t.Fatalf("open = %+v, %v", got, err)
	}
	p, m, _ := strings.Cut(v, ".")
	tampered := []string{
		"", "no-dot", v + "x", "A" + v[1:], p + "." + m[:len(m)-2] + "AA",
		strings.Repeat("a", 5000) + "." + m,
	}
	for _, bad := range tampered {
		if err := open(key, linkCookie, bad, &got); err == nil {
			t.Errorf("open(%q) accepted a value that is not ours", bad)
		}
	}
	if err := open(key, trackingPrefix, v, &got); err == nil {
		t.Error("a link cookie's value opened as a tracking cookie")
	}
	if err := open([]byte("another key"), linkCookie, v, &got); err == nil {
		t.Error("a value opened under another key")
	}
}

func TestNewOptions(t *testing.T) {
	st := memstore.New()
	linker, _ := identity.NewLinker(st)
	other := testKey(t, "rogue")
	sp := testKey(t, "sp")
	tests := []struct {
		name string
		base string
		opts []Option
	}{
		{"relative base URL", "/app", nil},
		{"base URL with a query", "https://app.example/?x=1", nil},
		{"base URL of another scheme", "ftp://app.example", nil},
		{"prefix without {group}", "https://app.example", []Option{WithPrefix("/sso")}},
		{"prefix with {group} twice", "https://app.example", []Option{WithPrefix("/{group}/{group}")}},
		{"prefix with another wildcard", "https://app.example", []Option{WithPrefix("/{tenant}")}},
		{"prefix not absolute", "https://app.example", []Option{WithPrefix("sso/{group}")}},
		{"nil logger", "https://app.example", []Option{WithLogger(nil)}},
		{"nil clock", "https://app.example", []Option{WithClock(nil)}},
		{"nil renderer", "https://app.example", []Option{WithRenderer(nil)}},
		{"nil replay cache", "https://app.example", []Option{WithReplayCache(nil)}},
		{"certificate of another key", "https://app.example", []Option{WithServiceProviderKey(sp.key, other.cert)}},
		{"tiny body limit", "https://app.example", []Option{WithMaxResponseBytes(10)}},
		{"landing not local", "https://app.example", []Option{WithLanding("https://evil.example/")}},
	}
	for _, tc := range tests {
		if _, err := New(tc.base, st, linker, newSessions(), tc.opts...); err == nil {
			t.Errorf("%s: New succeeded", tc.name)
		}
	}
	if _, err := New("https://app.example", nil, linker, newSessions()); err == nil {
		t.Error("New without a store succeeded")
	}
	h, err := New("https://app.example/base/", st, linker, newSessions(), WithPrefix("/sso/{group}/saml"))
	if err != nil {
		t.Fatal(err)
	}
	want := URLs{
		EntityID: "https://app.example/base/sso/a%20b",
		Metadata: "https://app.example/base/sso/a%20b/saml/metadata",
		SSO:      "https://app.example/base/sso/a%20b/saml/sso",
		ACS:      "https://app.example/base/sso/a%20b/saml/callback",
	}
	if d := cmp.Diff(want, h.URLs("a b")); d != "" {
		t.Errorf("URLs (-want +got):\n%s", d)
	}
}

// TestSessionsFail: an error of the host's Sessions is a 500 page that
// says nothing of the error.
func TestSessionsFail(t *testing.T) {
	h, ti, _ := newSignIn(t, memstore.New(), identity.GroupSpec{})
	h.provision("acme", "ext-1", "jdoe", "jdoe@acme.example")
	h.sess.fail = errors.New("session store down: secret detail")
	ti.asUser("ext-1", "")
	b := h.browser()
	page := wantPage(t, b.post(b.startSSO("acme", "")), http.StatusInternalServerError, "Single sign-on failed because of an error on this site.")
	if strings.Contains(page, "secret detail") {
		t.Errorf("the page shows the internal error:\n%s", page)
	}
}

// TestRendererReplaced: a host's renderer gets every page with its
// outcome and status.
func TestRendererReplaced(t *testing.T) {
	st := memstore.New()
	put(t, st, &store.Group{ID: "g", Path: "acme"})
	linker, _ := identity.NewLinker(st)
	var got []Outcome
	h, err := New("https://app.example", st, linker, newSessions(), WithRenderer(RendererFunc(func(w http.ResponseWriter, r *http.Request, p *Page) {
		got = append(got, p.Outcome)
		w.WriteHeader(p.Status)
		w.Write([]byte(p.Outcome.String()))
	})))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/groups/acme/-/saml/sso", nil))
	if rec.Code != http.StatusNotFound || rec.Body.String() != "not_found" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("answer %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	if d := cmp.Diff([]Outcome{OutcomeNotFound}, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	for o := OutcomeNotFound; o <= OutcomeError; o++ {
		if s := o.String(); strings.HasPrefix(s, "outcome(") {
			t.Errorf("Outcome %d has no name", o)
		}
	}
}
