package main

import (
	"cmp"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// pageClient is a browser as the settings pages see it: it keeps cookies,
// does not follow redirects, and sends Origin with a form.
type pageClient struct {
	t      *testing.T
	origin string
	c      *http.Client
}

func newPageClient(t *testing.T, s *server) *pageClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &pageClient{t: t, origin: "http://" + s.addr, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a GET (form nil) or a form POST from origin ("" for the page's
// own) and returns the status, the Location header and the body.
func (p *pageClient) do(path string, form url.Values, origin string) (int, string, string) {
	p.t.Helper()
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(p.t.Context(), method, p.origin+path, body)
	if err != nil {
		p.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", cmp.Or(origin, p.origin))
	}
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(data)
}

var pageToken = regexp.MustCompile(`value="(scimkit_[A-Za-z0-9_-]{43})"`)

// TestServerSettingsPage walks the demo owner through the settings page:
// redirected to the sign-in, signed in with the admin token, the page, a
// token reset that makes the printed token fail at once.
func TestServerSettingsPage(t *testing.T) {
	const admin = "demo-admin-token-0123"
	s := start(t, "-store", "memory", "-group", "acme", "-admin-token", admin)
	origin := "http://" + s.addr
	out := s.out.String()
	for _, want := range []string{
		"settings pages (demo owner sign-in at " + origin + "/-/sign-in)",
		"  " + origin + "/groups/acme/-/saml\n",
		"admin token: the one given with -admin-token",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	printed := s.tokens()[0]
	p := newPageClient(t, s)

	steps := []struct {
		name     string
		path     string
		form     url.Values
		origin   string
		status   int
		location string
		body     string
	}{
		{"not signed in", "/groups/acme/-/saml", nil, "", http.StatusSeeOther, "/-/sign-in?next=/groups/acme/-/saml", ""},
		{"token form, not signed in", "/groups/acme/-/saml/token", url.Values{}, "", http.StatusForbidden, "", "403 Forbidden"},
		{"sign-in form", "/-/sign-in?next=/groups/acme/-/saml", nil, "", http.StatusOK, "", `name="next" value="/groups/acme/-/saml"`},
		{"wrong admin token", "/-/sign-in", url.Values{"token": {"guess"}, "next": {"/groups/acme/-/saml"}}, "", http.StatusUnauthorized, "", "That is not the admin token."},
		{"sign-in from another site", "/-/sign-in", url.Values{"token": {admin}}, "https://evil.example", http.StatusForbidden, "", ""},
		{"next leaves the pages", "/-/sign-in", url.Values{"token": {admin}, "next": {"//evil.example/"}}, "", http.StatusSeeOther, "/groups/acme/-/saml", ""},
		{"sign in", "/-/sign-in", url.Values{"token": {admin}, "next": {"/groups/acme/-/saml"}}, "", http.StatusSeeOther, "/groups/acme/-/saml", ""},
		{"the page", "/groups/acme/-/saml", nil, "", http.StatusOK, "", `value="` + s.url("acme", "") + `"`},
		{"a group the server does not serve", "/groups/nope/-/saml", nil, "", http.StatusForbidden, "", "403 Forbidden"},
		{"token form from another site", "/groups/acme/-/saml/token", url.Values{}, "https://evil.example", http.StatusForbidden, "", "403 Forbidden"},
		{"SAML paths are not the page's", "/groups/acme/-/saml/metadata", nil, "", http.StatusNotFound, "", "There is no group with SAML single sign-on"},
		{"group link form", "/groups/acme/-/saml/group_links", url.Values{"attribute": {"displayName"}, "value": {"Engineering"}, "role": {"40"}}, "", http.StatusSeeOther, "/groups/acme/-/saml?links=saved#group-links", ""},
		{"the page with the link", "/groups/acme/-/saml", nil, "", http.StatusOK, "", `<span class="mono extern">Engineering</span>`},
		{"group link removal", "/groups/acme/-/saml/group_links/remove", url.Values{"attribute": {"displayName"}, "value": {"Engineering"}}, "", http.StatusSeeOther, "/groups/acme/-/saml?links=removed#group-links", ""},
		{"group link form from another site", "/groups/acme/-/saml/group_links", url.Values{"attribute": {"displayName"}, "value": {"x"}, "role": {"40"}}, "https://evil.example", http.StatusForbidden, "", "403 Forbidden"},
	}
	for _, st := range steps {
		code, loc, body := p.do(st.path, st.form, st.origin)
		if code != st.status || loc != st.location || !strings.Contains(body, st.body) {
			t.Errorf("%s: %d %q %q, want %d %q and %q", st.name, code, loc, body, st.status, st.location, st.body)
		}
	}

	code, _, body := p.do("/groups/acme/-/saml/token", url.Values{}, "")
	m := pageToken.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		t.Fatalf("reset: %d, no token in\n%s", code, body)
	}
	if code, _, _ := call(t, "GET", s.url("acme", "/Users"), printed, ""); code != http.StatusUnauthorized {
		t.Errorf("the printed token after the reset: %d, want 401", code)
	}
	if code, _, _ := call(t, "GET", s.url("acme", "/Users"), m[1], ""); code != http.StatusOK {
		t.Errorf("the new token: %d, want 200", code)
	}
	if _, _, body := p.do("/groups/acme/-/saml", nil, ""); strings.Contains(body, m[1]) || !strings.Contains(body, "SCIM token reset") {
		t.Errorf("the page after the reset shows the token, or not the reset event:\n%s", body)
	}
	if strings.Contains(s.log.String(), m[1]) || strings.Contains(s.log.String(), admin) {
		t.Errorf("the log holds a secret:\n%s", s.log)
	}
}

// TestServerAdminTokenGenerated: without -admin-token the server prints a
// generated one, which signs in.
func TestServerAdminTokenGenerated(t *testing.T) {
	s := start(t, "-store", "memory")
	m := regexp.MustCompile(`(?m)^  admin token: (\S+)$`).FindStringSubmatch(s.out.String())
	if m == nil || len(m[1]) < 20 {
		t.Fatalf("no generated admin token printed:\n%s", s.out)
	}
	p := newPageClient(t, s)
	code, loc, _ := p.do("/-/sign-in", url.Values{"token": {m[1]}}, "")
	if code != http.StatusSeeOther || loc != "/groups/demo/-/saml" {
		t.Fatalf("sign in: %d %q, want 303 to the demo group's page", code, loc)
	}
	if code, _, body := p.do(loc, nil, ""); code != http.StatusOK || !strings.Contains(body, "Provisioned identities") {
		t.Errorf("the page: %d", code)
	}
}
