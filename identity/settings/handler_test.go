package settings_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// TestTokenShownOnce: the token form's answer shows the new token, which
// the SCIM handler takes at once; no later page shows it; a reset makes
// the old token fail at once and shows the new one once.
func TestTokenShownOnce(t *testing.T) {
	h := newHost(t, nil)
	page := h.get(t, h.pageURL("acme"))
	if !strings.Contains(page, "Generate a SCIM token") || strings.Contains(page, "Reset SCIM token") {
		t.Fatalf("a group without a token: want the Generate button only:\n%s", page)
	}
	if tokenPattern.MatchString(page) {
		t.Fatal("the page shows a token before one was generated")
	}

	r := h.do(t, request{method: http.MethodPost, url: h.pageURL("acme") + "/token", form: url.Values{}, headers: sameOrigin})
	if r.status != http.StatusOK {
		t.Fatalf("POST token: %d, want 200 (the token is in the answer, never behind a redirect)", r.status)
	}
	if err := checkWellFormed(r.body); err != nil {
		t.Fatal(err)
	}
	first := tokenIn(r.body)
	if !tokenPattern.MatchString(first) {
		t.Fatalf("the answer shows no token in its token field:\n%s", r.body)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control of the answer with the token = %q, want no-store", got)
	}
	if strings.Contains(r.body, "previous token stopped working") {
		t.Error("a first token says it replaced one")
	}
	if code, _ := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users", first, ""); code != http.StatusOK {
		t.Fatalf("SCIM with the new token: %d, want 200", code)
	}

	later := h.get(t, h.pageURL("acme"))
	if strings.Contains(later, first) || tokenPattern.MatchString(later) {
		t.Fatal("a later page shows the token")
	}
	if !strings.Contains(later, "Reset SCIM token") || strings.Contains(later, "Generate a SCIM token") {
		t.Fatal("a group with a token: want the Reset button only")
	}
	if !strings.Contains(later, "stop working at once") {
		t.Error("the Reset button has no warning that the old token stops working")
	}

	second := h.generateToken(t, "acme")
	if second == first {
		t.Fatal("a reset gave the same token")
	}
	reset := h.do(t, request{method: http.MethodGet, url: h.pageURL("acme")})
	if strings.Contains(reset.body, second) {
		t.Fatal("a page after the reset shows the token")
	}
	if code, _ := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users", first, ""); code != http.StatusUnauthorized {
		t.Errorf("SCIM with the old token after a reset: %d, want 401", code)
	}
	if code, _ := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users", second, ""); code != http.StatusOK {
		t.Errorf("SCIM with the new token: %d, want 200", code)
	}
	for _, tok := range []string{first, second} {
		if strings.Contains(h.logs.String(), tok) {
			t.Errorf("the log holds a token:\n%s", h.logs)
		}
	}
}

// TestConcurrentTokenResets: owners who press Reset at the same moment
// each get a token of their own, shown once; the group keeps exactly one of
// them, which works, and every other is refused at once. Run it with
// -race.
func TestConcurrentTokenResets(t *testing.T) {
	h := newHost(t, nil)
	old := h.generateToken(t, "acme")
	const owners = 8
	tokens := make([]string, owners)
	var wg sync.WaitGroup
	for i := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest(http.MethodPost, h.pageURL("acme")+"/token", strings.NewReader(""))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.AddCookie(&http.Cookie{Name: "session", Value: ownerToken})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("reset %d: %d %v", i, resp.StatusCode, err)
				return
			}
			tokens[i] = tokenIn(string(b))
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	working := 0
	seen := map[string]bool{}
	for _, tok := range tokens {
		if !tokenPattern.MatchString(tok) || seen[tok] {
			t.Fatalf("the answers show tokens %q: want %d different ones", tokens, owners)
		}
		seen[tok] = true
		switch code, _ := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users", tok, ""); code {
		case http.StatusOK:
			working++
		case http.StatusUnauthorized:
		default:
			t.Errorf("SCIM with a reset's token: %d", code)
		}
	}
	if working != 1 {
		t.Errorf("%d of the %d tokens work, want exactly 1", working, owners)
	}
	if code, _ := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users", old, ""); code != http.StatusUnauthorized {
		t.Errorf("SCIM with the token from before the resets: %d, want 401", code)
	}
	resets := 0
	for _, e := range recent(t, h.events, "g1") {
		if e.Type == identity.EventTokenRotated {
			resets++
		}
	}
	if resets != owners+1 {
		t.Errorf("%d token reset events, want %d", resets, owners+1)
	}
}

// TestTokenResetWarns: the answer to a reset says the old token stopped
// working.
func TestTokenResetWarns(t *testing.T) {
	h := newHost(t, nil)
	h.generateToken(t, "acme")
	r := h.do(t, request{method: http.MethodPost, url: h.pageURL("acme") + "/token", form: url.Values{}, headers: sameOrigin})
	if !strings.Contains(r.body, "The previous token stopped working the moment this one was created.") {
		t.Fatalf("the answer to a reset has no warning:\n%s", r.body)
	}
}

// TestForbidden: everyone but an owner of the group gets 403 and nothing
// else, and a refused post changes nothing.
func TestForbidden(t *testing.T) {
	h := newHost(t, nil)
	tests := []struct {
		name string
		rq   request
	}{
		{"anonymous page", request{method: http.MethodGet, url: h.pageURL("acme"), anonymous: true}},
		{"anonymous search", request{method: http.MethodGet, url: h.pageURL("acme") + "?q=x", anonymous: true}},
		{"anonymous post", request{method: http.MethodPost, url: h.pageURL("acme") + "/token", form: url.Values{}, anonymous: true, headers: sameOrigin}},
		{"wrong session", request{method: http.MethodGet, url: h.pageURL("acme"), anonymous: true, headers: map[string]string{"Cookie": "session=guess"}}},
		{"owner of another group", request{method: http.MethodGet, url: h.pageURL("beta")}},
		{"post to another group", request{method: http.MethodPost, url: h.pageURL("beta") + "/token", form: url.Values{}, headers: sameOrigin}},
		{"group that does not exist", request{method: http.MethodGet, url: h.pageURL("nope")}},
		{"escaped path of another group", request{method: http.MethodGet, url: h.srv.URL + "/groups/%62eta/-/saml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(t, tc.rq)
			if r.status != http.StatusForbidden || r.body != "403 Forbidden\n" {
				t.Fatalf("got %d %q, want 403 and nothing else", r.status, r.body)
			}
		})
	}
	err := h.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for _, id := range []string{"g1", "g2"} {
			g, err := tx.Group(ctx, id)
			if err != nil {
				return err
			}
			if len(g.TokenDigest) != 0 {
				t.Errorf("group %s got a token from a refused post", g.Path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(0, len(recent(t, h.events, "g2"))); diff != "" {
		t.Errorf("events of beta (-want +got):\n%s", diff)
	}
}

// recent reads a group's recent events.
func recent(t *testing.T, b *settings.EventBuffer, groupID string) []identity.Event {
	t.Helper()
	list, err := b.RecentEvents(context.Background(), groupID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestAuthorizerSeesGroup: the authorizer is asked about the group of the
// path, and an error of it is a 500 that tells nothing.
func TestAuthorizerSeesGroup(t *testing.T) {
	st, prov := bare(t)
	var asked []string
	page, err := settings.New(prov, st, func(r *http.Request, g *store.Group) (bool, error) {
		asked = append(asked, g.ID+" "+g.Path)
		if g.Path == "beta" {
			return false, errors.New("session store down: secret detail")
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/groups/acme/-/saml", "/groups/beta/-/saml", "/groups/nope/-/saml"} {
		page.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	if diff := cmp.Diff([]string{"g1 acme", "g2 beta"}, asked); diff != "" {
		t.Errorf("authorizer asked about (-want +got):\n%s", diff)
	}
	w := httptest.NewRecorder()
	page.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/groups/beta/-/saml", nil))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "secret") {
		t.Errorf("an authorizer error: %d %q, want 500 without its text", w.Code, w.Body)
	}
}

// TestCrossOriginPost: a form post from another origin, or without the
// headers every browser sends, is refused and changes nothing.
func TestCrossOriginPost(t *testing.T) {
	h := newHost(t, nil)
	self := h.srv.URL
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"same origin by Sec-Fetch-Site", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"same origin by Origin", map[string]string{"Origin": self}, http.StatusOK},
		{"typed into the address bar", map[string]string{"Sec-Fetch-Site": "none"}, http.StatusOK},
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"same site, other origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://other.127.0.0.1.nip.io"}, http.StatusForbidden},
		{"other Origin only", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"null Origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"neither header", nil, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(recent(t, h.events, "g1"))
			r := h.do(t, request{method: http.MethodPost, url: h.pageURL("acme") + "/token", form: url.Values{}, headers: tc.headers})
			if r.status != tc.want {
				t.Fatalf("got %d, want %d", r.status, tc.want)
			}
			after := len(recent(t, h.events, "g1"))
			if rotated := after > before; rotated != (tc.want == http.StatusOK) {
				t.Errorf("token rotated: %v, want %v", rotated, tc.want == http.StatusOK)
			}
			if tc.want == http.StatusForbidden && (r.body != "403 Forbidden\n" || tokenPattern.MatchString(r.body)) {
				t.Errorf("a refused post answered %q", r.body)
			}
		})
	}
}

// TestTrustedOrigin: a host behind a proxy that changes Host names its
// public origin.
func TestTrustedOrigin(t *testing.T) {
	h := newHost(t, nil, settings.WithTrustedOrigin("https://admin.example.com"))
	r := h.do(t, request{method: http.MethodPost, url: h.pageURL("acme") + "/token", form: url.Values{},
		headers: map[string]string{"Origin": "https://admin.example.com"}})
	if r.status != http.StatusOK {
		t.Fatalf("post from the trusted origin: %d", r.status)
	}
}

// TestMethodsAndPaths: the routes answer only their methods; other paths
// under the prefix are not found, for owner and stranger alike.
func TestMethodsAndPaths(t *testing.T) {
	h := newHost(t, nil)
	tests := []struct {
		method, path string
		anonymous    bool
		want         int
	}{
		{http.MethodGet, "/groups/acme/-/saml/token", false, http.StatusMethodNotAllowed},
		{http.MethodPut, "/groups/acme/-/saml", false, http.StatusMethodNotAllowed},
		{http.MethodGet, "/groups/acme/-/saml/metadata", true, http.StatusNotFound},
		{http.MethodGet, "/groups/acme/-/saml/", false, http.StatusNotFound},
		{http.MethodHead, "/groups/acme/-/saml", true, http.StatusForbidden},
		{http.MethodHead, "/groups/acme/-/saml", false, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := h.do(t, request{method: tc.method, url: h.srv.URL + tc.path, anonymous: tc.anonymous, headers: sameOrigin})
			if r.status != tc.want {
				t.Fatalf("got %d, want %d", r.status, tc.want)
			}
		})
	}
}

// TestSecurityHeaders: every answer carries the headers, and the CSP allows
// exactly the page's inline stylesheet and script.
func TestSecurityHeaders(t *testing.T) {
	h := newHost(t, nil)
	want := map[string]string{
		"Cache-Control":          "no-store",
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
	}
	for _, rq := range []request{
		{method: http.MethodGet, url: h.pageURL("acme")},
		{method: http.MethodGet, url: h.pageURL("acme"), anonymous: true},
		{method: http.MethodPost, url: h.pageURL("acme") + "/token", form: url.Values{}, headers: sameOrigin},
	} {
		r := h.do(t, rq)
		got := map[string]string{}
		for k := range want {
			got[k] = r.header.Get(k)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s %s (anonymous %v): headers (-want +got):\n%s", rq.method, rq.url, rq.anonymous, diff)
		}
		csp := r.header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("CSP %q lacks %q", csp, d)
			}
		}
		if r.status != http.StatusOK {
			continue
		}
		for _, tag := range []string{"style", "script"} {
			els := elements(t, r.body, tag)
			if len(els) != 1 {
				t.Fatalf("%d <%s> elements, want 1", len(els), tag)
			}
			d := sha256.Sum256([]byte(els[0].FirstChild.Data))
			src := tag + "-src 'sha256-" + base64.StdEncoding.EncodeToString(d[:]) + "'"
			if !strings.Contains(csp, src) {
				t.Errorf("CSP %q does not allow the page's <%s> (%s)", csp, tag, src)
			}
		}
	}
}

// TestHostileValues: values from the IdP are escaped wherever the page
// writes them, and the page stays well-formed.
func TestHostileValues(t *testing.T) {
	h := newHost(t, nil)
	tok := h.generateToken(t, "acme")
	const (
		userName = `<script>alert("userName")</script>`
		extern   = `"><img src=x onerror=alert(1)>' x="`
		given    = `</td></tr><b>Mallory`
	)
	h.provision(t, tok, scimUser(extern, userName, "mallory@example.com", given, `"Family"&amp;`))
	for _, u := range []string{h.pageURL("acme"), h.pageURL("acme") + "?q=" + url.QueryEscape(extern)} {
		page := h.get(t, u)
		for _, raw := range []string{userName, extern, given, "<img", "<b>"} {
			if strings.Contains(page, raw) {
				t.Errorf("%s: the page holds %q unescaped", u, raw)
			}
		}
		if n := len(elements(t, page, "script")); n != 1 {
			t.Errorf("%s: %d <script> elements, want the page's own 1", u, n)
		}
		if n := len(elements(t, page, "img")) + len(elements(t, page, "b")); n != 0 {
			t.Errorf("%s: %d injected elements", u, n)
		}
		got := rows(t, page)
		if len(got) != 1 {
			t.Fatalf("%s: %d rows, want 1", u, len(got))
		}
		want := tableRow{
			User:       given + ` "Family"&amp; Enterprise ` + userName + " · account @scriptalertuserNamescript mallory@example.com",
			ExternalID: extern,
		}
		got[0].Status, got[0].Role, got[0].SignIn = "", "", ""
		if diff := cmp.Diff(want, got[0]); diff != "" {
			t.Errorf("%s: row (-want +got):\n%s", u, diff)
		}
	}
	// The search box gives the value back, escaped in its attribute.
	page := h.get(t, h.pageURL("acme")+"?q="+url.QueryEscape(extern))
	for _, in := range elements(t, page, "input") {
		if attr(in, "name") == "q" && attr(in, "value") != extern {
			t.Errorf("search box value = %q, want %q", attr(in, "value"), extern)
		}
	}
}

// TestPaging: the list pages through the group's identities in creation
// order, 50 per page.
func TestPaging(t *testing.T) {
	h := newHost(t, nil)
	tok := h.generateToken(t, "acme")
	var all []string
	for i := range 120 {
		ext := fmt.Sprintf("ext-%03d", i)
		all = append(all, ext)
		h.provision(t, tok, scimUser(ext, fmt.Sprintf("user%03d", i), fmt.Sprintf("user%03d@example.com", i), "User", fmt.Sprint(i)))
	}
	tests := []struct {
		query      string
		want       []string
		prev, next string
		pos        string
	}{
		{"", all[:50], "", "?page=2", "1–50 of 120 · page 1 of 3"},
		{"?page=1", all[:50], "", "?page=2", "1–50 of 120 · page 1 of 3"},
		{"?page=2", all[50:100], "?page=1", "?page=3", "51–100 of 120 · page 2 of 3"},
		{"?page=3", all[100:], "?page=2", "", "101–120 of 120 · page 3 of 3"},
		{"?page=9", nil, "?page=3", "", "page 9 of 3"},
		{"?page=abc", all[:50], "", "?page=2", "1–50 of 120 · page 1 of 3"},
		{"?page=-4", all[:50], "", "?page=2", "1–50 of 120 · page 1 of 3"},
		{"?page=4611686018427387904", nil, "?page=3", "", "page 16,777,216 of 3"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			page := h.get(t, h.pageURL("acme")+tc.query)
			if diff := cmp.Diff(tc.want, externalIDs(t, page)); diff != "" {
				t.Errorf("externalIds (-want +got):\n%s", diff)
			}
			var prev, next, pos string
			for _, a := range elements(t, page, "a") {
				switch attr(a, "rel") {
				case "prev":
					prev = strings.TrimPrefix(attr(a, "href"), "/groups/acme/-/saml")
				case "next":
					next = strings.TrimPrefix(attr(a, "href"), "/groups/acme/-/saml")
				}
			}
			for _, s := range elements(t, page, "span") {
				if attr(s, "class") == "pos" {
					pos = text(s)
				}
			}
			if diff := cmp.Diff([]string{tc.prev, tc.next, tc.pos}, []string{prev, next, pos}); diff != "" {
				t.Errorf("prev, next, position (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSearch: a search finds the identities that have the value as
// externalId, userName or email (the IdP's or the account's), ignoring
// case, and nothing else.
func TestSearch(t *testing.T) {
	h := newHost(t, nil)
	tok := h.generateToken(t, "acme")
	// An account that existed before provisioning, with a username other
	// than the IdP's userName and a secondary email.
	h.addAccount(t, &store.User{ID: "u-old", Username: "grace.h", Name: "Grace Hopper", Email: "grace@personal.example",
		SecondaryEmails: []store.Email{{Address: "grace@contoso.com", Verified: true}}, Confirmed: true, State: store.UserActive})
	h.provision(t, tok, scimUser("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "ada", "ada@contoso.com", "Ada", "Lovelace"))
	h.provision(t, tok, scimUser("grace-guid", "grace", "grace@contoso.com", "Grace", "Hopper"))
	// Alan's userName is Bob's externalId: a search for it finds both.
	h.provision(t, tok, scimUser("alan-guid", "turing", "alan@contoso.com", "Alan", "Turing"))
	h.provision(t, tok, scimUser("Turing", "bob", "bob@contoso.com", "Bob", "Builder"))
	// Hedy's home address is in the SCIM document only, not on the account.
	h.provision(t, tok, strings.Replace(scimUser("hedy-guid", "hedy", "hedy@contoso.com", "Hedy", "Lamarr"),
		`"emails":[`, `"emails":[{"type":"home","value":"Hedy.Home@example.net"},`, 1))
	for i := range 60 {
		h.provision(t, tok, scimUser(fmt.Sprintf("filler-%d", i), fmt.Sprintf("filler%d", i), fmt.Sprintf("filler%d@contoso.com", i), "Filler", "User"))
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF", []string{"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"}},
		{"ada", []string{"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"}},
		{"ada@contoso.com", []string{"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"}},
		{"TURING", []string{"alan-guid", "Turing"}},
		{"  alan@CONTOSO.com ", []string{"alan-guid"}},
		{"grace.h", []string{"grace-guid"}},
		{"grace@personal.example", []string{"grace-guid"}},
		{"Grace", []string{"grace-guid"}},
		{"hedy.home@EXAMPLE.net", []string{"hedy-guid"}},
		{"Lovelace", nil},
		{"ada@", nil},
		{strings.Repeat("x", 2000), nil},
	}
	for _, tc := range tests {
		t.Run(tc.q[:min(len(tc.q), 30)], func(t *testing.T) {
			page := h.get(t, h.pageURL("acme")+"?q="+url.QueryEscape(tc.q))
			if diff := cmp.Diff(tc.want, externalIDs(t, page)); diff != "" {
				t.Errorf("externalIds (-want +got):\n%s", diff)
			}
			if len(tc.want) == 0 && !strings.Contains(page, "No identity has") {
				t.Error("no message for a search without result")
			}
			if strings.Contains(page, `class="pager"`) {
				t.Error("a search's results have a pager")
			}
			for _, c := range elements(t, page, "span") {
				if attr(c, "class") == "count" {
					t.Errorf("a search counts the group: %q", text(c))
				}
			}
		})
	}
}

// TestSignInHints: each row says why its user cannot sign in with SAML.
func TestSignInHints(t *testing.T) {
	h := newHost(t, nil)
	h.configureSAML(t, true, "")
	tok := h.generateToken(t, "acme")
	h.provision(t, tok, scimUser("ok-guid", "ok", "ok@contoso.com", "Olivia", "Ok"))
	off := h.provision(t, tok, scimUser("off-guid", "off", "off@contoso.com", "Oscar", "Off"))
	h.patch(t, tok, off, `{"op":"Replace","path":"active","value":false}`)
	gone := h.provision(t, tok, scimUser("gone-guid", "gone", "gone@contoso.com", "Gina", "Gone"))
	if code, _ := h.scimCall(t, http.MethodDelete, h.scimURL("acme")+"/Users/"+gone, tok, ""); code != http.StatusNoContent {
		t.Fatalf("DELETE: %d", code)
	}
	moved := h.provision(t, tok, scimUser("old-guid", "moved", "moved@contoso.com", "Mona", "Moved"))
	h.patch(t, tok, moved, `{"op":"Replace","path":"externalId","value":"new-guid"}`)
	blocked := h.provision(t, tok, scimUser("blocked-guid", "blocked", "blocked@contoso.com", "Boris", "Blocked"))
	h.block(t, blocked)
	h.addAccount(t, &store.User{ID: "u-linked", Username: "lin", Name: "Linus Linked", Email: "linked@contoso.com", Confirmed: true, State: store.UserActive})
	h.provision(t, tok, scimUser("linked-guid", "linked", "linked@contoso.com", "Linus", "Linked"))

	page := h.get(t, h.pageURL("acme"))
	type hint struct {
		ExternalID, Status string
		Enterprise         bool
		Role, SignIn       string
	}
	var got []hint
	for _, r := range rows(t, page) {
		// The sign-in cell's summary comes first; the details follow.
		summary, _, _ := strings.Cut(r.SignIn, " Why can't this user sign in?")
		got = append(got, hint{r.ExternalID, r.Status, strings.Contains(r.User, " Enterprise "), r.Role, summary})
	}
	want := []hint{
		{"ok-guid", "Active SAML linked", true, "Developer", "Can sign in"},
		{"off-guid", "Deprovisioned SAML linked", true, "not a member", "Deprovisioned"},
		{"gone-guid", "Deleted SAML linked", true, "not a member", "Deprovisioned"},
		{"new-guid", "Active SAML linked", true, "Developer", "NameID differs"},
		{"blocked-guid", "Active SAML linked", true, "Developer", "Blocked"},
		{"linked-guid", "Active Not linked", false, "Developer", "Not linked"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if !strings.Contains(page, "linked to SAML NameID \u201cold-guid\u201d, but the identity provider provisions it with externalId \u201cnew-guid\u201d") {
		t.Error("the NameID hint does not name both values")
	}
}

// configureSAML gives group acme a SAML configuration (SSO URL and
// fingerprint), enabled or not, asking for NameID format format.
func (h *host) configureSAML(t *testing.T, enabled bool, format string) {
	t.Helper()
	_, err := sso.Configure(context.Background(), h.st, "g1", store.SAMLConfig{Enabled: enabled,
		SSOURL: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2", Fingerprint: strings.Repeat("ab", 20), NameIDFormat: format})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSignInHintsSAMLState: the group's SAML state is a reason too, for
// every row: not configured, disabled, or a NameID format the externalId
// cannot be.
func TestSignInHintsSAMLState(t *testing.T) {
	h := newHost(t, nil)
	tok := h.generateToken(t, "acme")
	h.provision(t, tok, scimUser("ok-guid", "ok", "ok@contoso.com", "Olivia", "Ok"))
	h.provision(t, tok, scimUser("mail@contoso.com", "mail", "mail@contoso.com", "Mia", "Mail"))
	summaries := func() []string {
		var out []string
		for _, r := range rows(t, h.get(t, h.pageURL("acme"))) {
			summary, _, _ := strings.Cut(r.SignIn, " Why can't this user sign in?")
			out = append(out, summary)
		}
		return out
	}
	steps := []struct {
		name    string
		enabled bool
		format  string
		want    []string
	}{
		{"not configured", false, "-", []string{"SSO not configured", "SSO not configured"}},
		{"disabled", false, "", []string{"SSO disabled", "SSO disabled"}},
		{"enabled", true, "", []string{"Can sign in", "Can sign in"}},
		{"email NameIDs", true, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", []string{"NameID format", "Can sign in"}},
		{"disabled, email NameIDs", false, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", []string{"SSO disabled · NameID format", "SSO disabled"}},
	}
	for _, st := range steps {
		if st.format != "-" {
			h.configureSAML(t, st.enabled, st.format)
		}
		if diff := cmp.Diff(st.want, summaries()); diff != "" {
			t.Errorf("%s: sign-in column (-want +got):\n%s", st.name, diff)
		}
	}
	if page := h.get(t, h.pageURL("acme")); !strings.Contains(page, "this externalId is not an email address") {
		t.Error("the NameID format hint does not say why")
	}
}

// TestEvents: the page lists the group's recent events when the host keeps
// them, says so when they cannot be read, and has no section without an
// EventLog.
func TestEvents(t *testing.T) {
	h := newHost(t, nil)
	tok := h.generateToken(t, "acme")
	id := h.provision(t, tok, scimUser("ev-guid", "ev", "ev@contoso.com", "Eve", "Events"))
	h.patch(t, tok, id, `{"op":"Replace","path":"externalId","value":"ev-guid-2"}`)
	gone := h.provision(t, tok, scimUser("del-guid", "del", "del@contoso.com", "Dee", "Deleted"))
	if status, _ := h.scimCall(t, http.MethodDelete, h.scimURL("acme")+"/Users/"+gone, tok, ""); status != http.StatusNoContent {
		t.Fatalf("DELETE: status %d, want 204", status)
	}
	page := h.get(t, h.pageURL("acme"))
	var got []string
	for _, li := range elements(t, page, "li") {
		if li.Parent != nil && attr(li.Parent, "class") == "events" {
			got = append(got, text(li)[len("2006-01-02 15:04:05 UTC "):])
		}
	}
	want := []string{
		"User deleted by the identity provider del-guid",
		"User deprovisioned del-guid",
		"User provisioned del-guid",
		"externalId changed ev-guid-2 from \u201cev-guid\u201d to \u201cev-guid-2\u201d",
		"User provisioned ev-guid",
		"SCIM token reset",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	broken := newHost(t, nil, settings.WithEventLog(failingLog{}))
	page = broken.get(t, broken.pageURL("acme"))
	if !strings.Contains(page, "The recent events cannot be read right now.") {
		t.Error("a failing event log: no notice")
	}
	if !strings.Contains(broken.logs.String(), "log down") {
		t.Error("a failing event log: not logged")
	}

	st, prov := bare(t)
	plain, err := settings.New(prov, st, func(*http.Request, *store.Group) (bool, error) { return true, nil })
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	plain.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/groups/acme/-/saml", nil))
	if strings.Contains(w.Body.String(), "Recent events") {
		t.Error("a page without an EventLog has an events section")
	}
}

type failingLog struct{}

func (failingLog) RecentEvents(context.Context, string, int) ([]identity.Event, error) {
	return nil, errors.New("log down")
}

// TestSCIMURL: the SCIM base URL shown is absolute: from the option, or
// from the request's scheme and host.
func TestSCIMURL(t *testing.T) {
	st := memstore.New()
	addGroups(t, st)
	if err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return tx.PutGroup(ctx, &store.Group{ID: "g3", Path: "a b", DefaultRole: store.RoleGuest})
	}); err != nil {
		t.Fatal(err)
	}
	prov, err := identity.New(st)
	if err != nil {
		t.Fatal(err)
	}
	owner := func(*http.Request, *store.Group) (bool, error) { return true, nil }
	tests := []struct {
		name   string
		opts   []settings.Option
		target string
		tls    bool
		want   string
	}{
		{"default", nil, "http://app.test/groups/acme/-/saml", false, "http://app.test/api/scim/v2/groups/acme"},
		{"TLS", nil, "https://app.test/groups/acme/-/saml", true, "https://app.test/api/scim/v2/groups/acme"},
		{"escaped group", nil, "http://app.test/groups/a%20b/-/saml", false, "http://app.test/api/scim/v2/groups/a%20b"},
		{"path", []settings.Option{settings.WithSCIMURL("/scim/{group}/v2/")}, "http://app.test/groups/acme/-/saml", false, "http://app.test/scim/acme/v2"},
		{"absolute", []settings.Option{settings.WithSCIMURL("https://scim.example.com/x/{group}")}, "http://internal:8080/groups/acme/-/saml", false, "https://scim.example.com/x/acme"},
		{"prefix", []settings.Option{settings.WithPrefix("/admin/{group}/sso/")}, "http://app.test/admin/acme/sso", false, "http://app.test/api/scim/v2/groups/acme"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := settings.New(prov, st, owner, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if !tc.tls {
				r.TLS = nil
			}
			page.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			var got string
			for _, in := range elements(t, w.Body.String(), "input") {
				if attr(in, "id") == "scim-url" {
					got = attr(in, "value")
				}
			}
			if got != tc.want {
				t.Errorf("SCIM URL %q, want %q", got, tc.want)
			}
		})
	}
}

// TestNewRefuses: New refuses what it cannot serve.
func TestNewRefuses(t *testing.T) {
	st, prov := bare(t)
	owner := func(*http.Request, *store.Group) (bool, error) { return true, nil }
	tests := []struct {
		name string
		prov *identity.Provisioner
		st   store.Store
		auth settings.Authorizer
		opts []settings.Option
	}{
		{"nil provisioner", nil, st, owner, nil},
		{"nil store", prov, nil, owner, nil},
		{"nil authorizer", prov, st, nil, nil},
		{"prefix without group", prov, st, owner, []settings.Option{settings.WithPrefix("/settings/saml")}},
		{"prefix with two groups", prov, st, owner, []settings.Option{settings.WithPrefix("/{group}/{group}")}},
		{"relative prefix", prov, st, owner, []settings.Option{settings.WithPrefix("groups/{group}")}},
		{"other wildcard", prov, st, owner, []settings.Option{settings.WithPrefix("/g/{group}/{id}")}},
		{"partial wildcard", prov, st, owner, []settings.Option{settings.WithPrefix("/g/x{group}")}},
		{"SCIM URL without group", prov, st, owner, []settings.Option{settings.WithSCIMURL("https://x.example/scim")}},
		{"SCIM URL with a query", prov, st, owner, []settings.Option{settings.WithSCIMURL("https://x.example/{group}?a=b")}},
		{"SCIM URL of another scheme", prov, st, owner, []settings.Option{settings.WithSCIMURL("ftp://x.example/{group}")}},
		{"relative SCIM URL", prov, st, owner, []settings.Option{settings.WithSCIMURL("scim/{group}")}},
		{"bad trusted origin", prov, st, owner, []settings.Option{settings.WithTrustedOrigin("not an origin")}},
		{"nil event log", prov, st, owner, []settings.Option{settings.WithEventLog(nil)}},
		{"nil logger", prov, st, owner, []settings.Option{settings.WithLogger(nil)}},
		{"nil SAML URLs", prov, st, owner, []settings.Option{settings.WithSAML(nil)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if h, err := settings.New(tc.prov, tc.st, tc.auth, tc.opts...); err == nil || h != nil {
				t.Fatalf("New = %v, %v; want an error", h, err)
			}
		})
	}
}

// TestCheckWellFormed: the checker the page tests rely on finds what it
// must.
func TestCheckWellFormed(t *testing.T) {
	tests := []struct {
		page string
		ok   bool
	}{
		{`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>a<br>b</p></body></html>`, true},
		{`<div><span></div></span>`, false},
		{`<div><p>text</div>`, false},
		{`<table><tr><td>x</td></table>`, false},
		{`<div>`, false},
		{`</p>`, false},
		{`<input></input>`, false},
		{`<div/>`, false},
		{`<script>if (a < b && "</div>") {}</script>`, true},
	}
	for _, tc := range tests {
		if err := checkWellFormed(tc.page); (err == nil) != tc.ok {
			t.Errorf("checkWellFormed(%q) = %v, want ok %v", tc.page, err, tc.ok)
		}
	}
}

// TestEventBuffer: the buffer keeps the last n events of each group,
// newest first, as copies.
func TestEventBuffer(t *testing.T) {
	b := settings.NewEventBuffer(3)
	ctx := context.Background()
	for i := range 5 {
		b.Emit(ctx, identity.Event{Type: identity.EventProvisioned, GroupID: "g1", ExternUID: fmt.Sprint(i), Detail: map[string]string{"n": fmt.Sprint(i)}})
	}
	b.Emit(ctx, identity.Event{Type: identity.EventLinked, GroupID: "g2", ExternUID: "other"})
	got, err := b.RecentEvents(ctx, "g1", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []identity.Event{
		{Type: identity.EventProvisioned, GroupID: "g1", ExternUID: "4", Detail: map[string]string{"n": "4"}},
		{Type: identity.EventProvisioned, GroupID: "g1", ExternUID: "3", Detail: map[string]string{"n": "3"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecentEvents(g1, 2) (-want +got):\n%s", diff)
	}
	got[0].Detail["n"] = "changed"
	all, _ := b.RecentEvents(ctx, "g1", 10)
	if diff := cmp.Diff([]string{"4", "3", "2"}, []string{all[0].Detail["n"], all[1].Detail["n"], all[2].Detail["n"]}); diff != "" {
		t.Errorf("the kept events (-want +got):\n%s", diff)
	}
	if none, _ := b.RecentEvents(ctx, "g9", 10); len(none) != 0 {
		t.Errorf("an unknown group has %d events", len(none))
	}
	for _, limit := range []int{0, -1} {
		if none, err := b.RecentEvents(ctx, "g1", limit); len(none) != 0 || err != nil {
			t.Errorf("RecentEvents(g1, %d) = %d events, %v; want none", limit, len(none), err)
		}
	}
}

// bare returns a memstore with the host's groups and a provisioner over it,
// for tests that build their own handler.
func bare(t *testing.T) (store.Store, *identity.Provisioner) {
	t.Helper()
	st := memstore.New()
	addGroups(t, st)
	prov, err := identity.New(st)
	if err != nil {
		t.Fatal(err)
	}
	return st, prov
}

// TestDeletedIdentityComesBackAsANewOne: a User the IdP deleted is listed
// as deleted until it is provisioned again, and then only as the new,
// active resource.
func TestDeletedIdentityComesBackAsANewOne(t *testing.T) {
	h := newHost(t, nil)
	tok := h.generateToken(t, "acme")
	user := scimUser("gone-guid", "gone", "gone@contoso.com", "Gina", "Gone")
	gone := h.provision(t, tok, user)
	if code, _ := h.scimCall(t, http.MethodDelete, h.scimURL("acme")+"/Users/"+gone, tok, ""); code != http.StatusNoContent {
		t.Fatalf("DELETE: %d", code)
	}
	statuses := func() []string {
		var out []string
		for _, r := range rows(t, h.get(t, h.pageURL("acme"))) {
			out = append(out, r.ExternalID+" "+r.Status)
		}
		return out
	}
	if diff := cmp.Diff([]string{"gone-guid Deleted SAML linked"}, statuses()); diff != "" {
		t.Errorf("rows after the DELETE (-want +got):\n%s", diff)
	}
	back := h.provision(t, tok, user)
	if back == gone {
		t.Errorf("the POST after the DELETE gave back the deleted id %s", gone)
	}
	if diff := cmp.Diff([]string{"gone-guid Active SAML linked"}, statuses()); diff != "" {
		t.Errorf("rows after the new POST (-want +got):\n%s", diff)
	}
}
