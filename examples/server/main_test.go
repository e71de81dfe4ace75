package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is the example server running in-process on a loopback port.
type server struct {
	addr   string
	out    *syncBuffer
	log    *syncBuffer // stderr: the server's slog lines
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{out: &syncBuffer{}, log: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	readyc := make(chan string, 1)
	go func() {
		s.done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), s.out, s.log, func(a string) { readyc <- a })
	}()
	select {
	case s.addr = <-readyc:
	case err := <-s.done:
		cancel()
		t.Fatalf("run: %v; output %s", err, s.out)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the server down and checks that it stopped cleanly.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	if err := <-s.done; err != nil {
		t.Errorf("run returned %v after shutdown", err)
	}
}

var tokenLine = regexp.MustCompile(`(?m)^  token: (scimkit_\S+)$`)

// tokens returns the generated tokens printed, in order.
func (s *server) tokens() []string {
	var out []string
	for _, m := range tokenLine.FindAllStringSubmatch(s.out.String(), -1) {
		out = append(out, m[1])
	}
	return out
}

func (s *server) url(group, path string) string {
	return "http://" + s.addr + "/api/scim/v2/groups/" + group + path
}

func call(t *testing.T, method, url, token string, body string, headers ...string) (int, map[string]any, http.Header) {
	t.Helper()
	code, data, hdr := rawCall(t, method, url, token, body, headers...)
	var m map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, url, data, err)
		}
	}
	return code, m, hdr
}

// rawCall sends a request with a JSON body (when not empty) and headers
// given as name, value pairs, and returns the status, the body as bytes
// on the wire, and the headers.
func rawCall(t *testing.T, method, url, token, body string, headers ...string) (int, string, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data), resp.Header
}

func TestServerEndToEnd(t *testing.T) {
	s := start(t, "-store", "memory", "-group", "acme", "-group", "beta=beta-token-0123456789")
	out := s.out.String()
	for _, want := range []string{
		"SCIM base URL: " + s.url("acme", ""),
		"SCIM base URL: " + s.url("beta", ""),
		"token: the one given with -group",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	toks := s.tokens()
	if len(toks) != 1 {
		t.Fatalf("generated tokens printed: %v\n%s", toks, out)
	}
	acme := toks[0]

	code, body, hdr := call(t, "POST", s.url("acme", "/Users"), acme,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e1","userName":"jane","name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"value":"jane@example.com","type":"work","primary":true}],"active":true}`)
	if code != http.StatusCreated {
		t.Fatalf("POST: %d %v", code, body)
	}
	id := body["id"].(string)
	if want := s.url("acme", "/Users/"+id); hdr.Get("Location") != want {
		t.Errorf("Location = %q, want %q", hdr.Get("Location"), want)
	}
	// The event sink logs the provisioning once; identity's logger keeps
	// to warnings.
	if n := strings.Count(s.log.String(), "provisioned"); n != 1 {
		t.Errorf("the log mentions the provisioning %d times, want once:\n%s", n, s.log)
	}
	steps := []struct {
		name, method, path, token, body string
		headers                         []string
		status                          int
	}{
		{name: "get", method: "GET", path: "/Users/" + id, token: acme, status: 200},
		{name: "filter", method: "GET", path: "/Users?filter=userName%20eq%20%22jane%22", token: acme, status: 200},
		{name: "other group's token", method: "GET", path: "/Users/" + id, token: "beta-token-0123456789", status: 401},
		{name: "no token", method: "GET", path: "/Users", status: 401},
		{name: "10 MB body", method: "POST", path: "/Users", token: acme, body: `{"userName":"` + strings.Repeat("x", 10<<20) + `"}`, status: 413},
		{name: "deep JSON", method: "POST", path: "/Users", token: acme, body: strings.Repeat("[", 100000) + strings.Repeat("]", 100000), status: 400},
		{name: "wrong content type", method: "POST", path: "/Users", token: acme, body: `{}`, headers: []string{"Content-Type", "text/xml"}, status: 415},
		{name: "bad count", method: "GET", path: "/Users?count=-x", token: acme, status: 400},
		{name: "dot-dot id", method: "GET", path: "/Users/..%2F..%2Fetc", token: acme, status: 404},
		{name: "405", method: "DELETE", path: "/Users", token: acme, status: 405},
		{name: "patch", method: "PATCH", path: "/Users/" + id, token: acme, body: `{"Operations":[{"op":"replace","path":"active","value":false}]}`, status: 200},
		{name: "schemas", method: "GET", path: "/Schemas", token: acme, status: 200},
		{name: "delete", method: "DELETE", path: "/Users/" + id, token: acme, status: 204},
		{name: "gone", method: "GET", path: "/Users/" + id, token: acme, status: 404},
	}
	for _, st := range steps {
		code, body, _ := call(t, st.method, s.url("acme", st.path), st.token, st.body, st.headers...)
		if code != st.status {
			t.Errorf("%s: %d, want %d (%v)", st.name, code, st.status, body)
		}
		if code >= 400 && body["status"] != fmt.Sprint(code) {
			t.Errorf("%s: body %v is not a SCIM error", st.name, body)
		}
	}
	s.stop(t)
	// After a graceful shutdown nothing listens any more.
	if _, err := http.Get(s.url("acme", "/Users")); err == nil {
		t.Errorf("server still answers after shutdown")
	}
}

func TestServerPersistentToken(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "scimkit.db")
	s := start(t, "-store", db)
	toks := s.tokens()
	if len(toks) != 1 {
		t.Fatalf("first start printed tokens %v", toks)
	}
	first := toks[0]
	if code, _, _ := call(t, "GET", s.url("demo", "/Users"), first, ""); code != 200 {
		t.Fatalf("first token: %d", code)
	}
	s.stop(t)

	s = start(t, "-store", db)
	if toks := s.tokens(); len(toks) != 0 || !strings.Contains(s.out.String(), "token: unchanged") {
		t.Errorf("restart printed %v:\n%s", toks, s.out)
	}
	if code, _, _ := call(t, "GET", s.url("demo", "/Users"), first, ""); code != 200 {
		t.Errorf("token after restart: %d", code)
	}
	s.stop(t)

	s = start(t, "-store", db, "-rotate-token")
	toks = s.tokens()
	if len(toks) != 1 || toks[0] == first {
		t.Fatalf("rotation printed %v", toks)
	}
	if code, _, _ := call(t, "GET", s.url("demo", "/Users"), first, ""); code != 401 {
		t.Errorf("old token after rotation: %d, want 401", code)
	}
	if code, _, _ := call(t, "GET", s.url("demo", "/Users"), toks[0], ""); code != 200 {
		t.Errorf("new token: %d", code)
	}
}

func TestServerFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{name: "unknown profile", args: []string{"-store", "memory", "-profile", "soap"}},
		{name: "bad group", args: []string{"-store", "memory", "-group", "a/b"}},
		{name: "short token", args: []string{"-store", "memory", "-group", "a=short"}},
		{name: "bad store", args: []string{"-store", "mongo:x"}},
		{name: "extra argument", args: []string{"-store", "memory", "extra"}},
		{name: "unknown flag", args: []string{"-nope"}},
		{name: "SAML IdP of a group not served", args: []string{"-store", "memory", "-saml-idp", "other=x.xml"}},
		{name: "SAML IdP without metadata", args: []string{"-store", "memory", "-saml-idp", "demo="}},
		{name: "SAML IdP metadata missing", args: []string{"-store", "memory", "-saml-idp", "demo=" + filepath.Join(t.TempDir(), "none.xml")}},
		{name: "SAML IdP metadata not metadata", args: []string{"-store", "memory", "-saml-idp", "demo=main.go"}},
		{name: "bad base URL", args: []string{"-store", "memory", "-base-url", "ftp://x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out bytes.Buffer
			if err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, tc.args...), &out, io.Discard, func(string) {
				t.Errorf("server started")
				cancel()
			}); err == nil {
				t.Errorf("run succeeded")
			}
		})
	}
}

func TestServerGitLabProfile(t *testing.T) {
	s := start(t, "-store", "memory", "-profile", "gitlab", "-group", "acme=acme-token-0123456789")
	// Like GitLab, no SCIM for a group without SAML SSO configured.
	if code, body, _ := rawCall(t, "GET", s.url("acme", "/Users"), "acme-token-0123456789", ""); code != http.StatusNotFound ||
		body != `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Group acme does not have SAML SSO configured","status":404}` {
		t.Errorf("GET /Users of a group without SAML: %d %s", code, body)
	}
	s.stop(t)
	s = start(t, "-store", "memory", "-profile", "gitlab", "-group", "acme=acme-token-0123456789", "-saml-idp", "acme="+idpMetadataFile(t))
	code, body, _ := call(t, "POST", s.url("acme", "/Users"), "acme-token-0123456789",
		`{"externalId":"e1","userName":"jane","name":{"formatted":"Jane Doe"},"emails":[{"value":"jane@example.com","type":"work","primary":true}]}`)
	if code != http.StatusCreated || body["id"] != "e1" {
		t.Fatalf("POST: %d %v", code, body)
	}
	if code, _, _ := call(t, "PATCH", s.url("acme", "/Users/e1"), "acme-token-0123456789", `{"Operations":[{"op":"replace","path":"active","value":false}]}`); code != http.StatusNoContent {
		t.Errorf("PATCH: %d, want 204", code)
	}
	if code, _, _ := call(t, "GET", s.url("acme", "/Schemas"), "acme-token-0123456789", ""); code != http.StatusNotFound {
		t.Errorf("GET /Schemas in the GitLab profile: %d, want 404", code)
	}
}

// rawGet sends a GET with the request target exactly as given (no client
// cleaning or escaping) and returns the status and body.
func rawGet(t *testing.T, addr, target, token string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n", target, addr, token)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %q: %v", target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

// TestServerRawPaths checks that paths a ServeMux would redirect to their
// cleaned form ("..", "//", NUL) and paths outside the groups' roots get
// the profile's 404 body, never a redirect or a plain-text page.
func TestServerRawPaths(t *testing.T) {
	const token = "acme-token-0123456789"
	targets := []string{
		"/api/scim/v2/groups/acme/Users/..",
		"/api/scim/v2/groups/acme/Users/../Users",
		"/api/scim/v2/groups/acme//Users",
		"/api/scim/v2/groups/acme/Users/%2e%2e",
		"/api/scim/v2/groups/acme/Users/a%00b",
		"/api/scim/v2/groups/acme/./Users",
		"/api/",
		"/groups/acme/-/saml/../saml/sso",
		"//groups/acme",
	}
	for _, tc := range []struct {
		profile, want string
	}{
		{"rfc", `"status":"404"`},
		{"gitlab", `{"error":"404 Not Found"}`},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			s := start(t, "-store", "memory", "-profile", tc.profile, "-group", "acme="+token, "-saml-idp", "acme="+idpMetadataFile(t))
			for _, target := range targets {
				code, body := rawGet(t, s.addr, target, token)
				if code != http.StatusNotFound || !strings.Contains(body, tc.want) {
					t.Errorf("GET %s: %d %q, want 404 with %s", target, code, body, tc.want)
				}
			}
		})
	}
}

// TestServerGitLabEndToEnd replays GitLab's wire behaviour against the
// example server on a loopback listener: exact bodies, numeric statuses,
// the check order and the access_token parameter.
func TestServerGitLabEndToEnd(t *testing.T) {
	const token = "acme-token-0123456789"
	md := idpMetadataFile(t)
	s := start(t, "-store", "memory", "-profile", "gitlab", "-group", "acme="+token, "-group", "beta=beta-token-0123456789",
		"-saml-idp", "acme="+md, "-saml-idp", "beta="+md)
	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"e1","active":%s,` +
		`"emails":[{"type":"work","value":"jane@example.com","primary":true}],"name":{"formatted":"Jane Doe","givenName":"Jane","familyName":"Doe"},` +
		`"meta":{"resourceType":"User"},"userName":"jane"}`
	active, inactive := fmt.Sprintf(user, "true"), fmt.Sprintf(user, "false")
	list := func(start string, users ...string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":` + fmt.Sprint(len(users)) +
			`,"itemsPerPage":20,"startIndex":` + start + `,"Resources":[` + strings.Join(users, ",") + `]}`
	}
	scimErr := func(status int, detail string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"` + detail + `","status":` + fmt.Sprint(status) + `}`
	}
	post := `{"externalId":"e1","userName":"jane","name":{"formatted":"Jane Doe"},"emails":[{"value":"jane@example.com","type":"work","primary":true}]}`
	steps := []struct {
		name, method, url, token, body string
		status                         int
		want                           string
	}{
		{"create", "POST", s.url("acme", "/Users"), token, post, 201, active},
		{"create again is idempotent", "POST", s.url("acme", "/Users"), token, post, 201, active},
		{"get by extern_uid, any case", "GET", s.url("acme", "/Users/E1"), token, "", 200, active},
		{"access_token parameter", "GET", s.url("acme", "/Users/e1?access_token="+token), "", "", 200, active},
		{"unknown group before the token", "GET", s.url("nope", "/Users"), "", "", 404, scimErr(404, "Group nope not found")},
		{"no token", "GET", s.url("acme", "/Users"), "", "", 401, `{"message":"401 Unauthorized"}`},
		{"another group's token", "GET", s.url("acme", "/Users/e1"), "beta-token-0123456789", "", 401, `{"message":"401 Unauthorized"}`},
		{"another group's data", "GET", s.url("beta", "/Users/e1"), "beta-token-0123456789", "", 404, scimErr(404, "Resource e1 not found")},
		{"filter by userName", "GET", s.url("acme", "/Users?filter=userName%20eq%20%22jane%22"), token, "", 200, list("1", active)},
		{"compound filter", "GET", s.url("acme", "/Users?filter=userName%20eq%20%22jane%22%20or%20id%20eq%20%22x%22"), token, "", 412, scimErr(412, "Unsupported Filter")},
		{"other attribute", "GET", s.url("acme", "/Users?filter=displayName%20eq%20%22Jane%22"), token, "", 412, scimErr(412, "Unsupported Filter")},
		{"no PUT", "PUT", s.url("acme", "/Users/e1"), token, post, 404, `{"error":"404 Not Found"}`},
		{"no discovery", "GET", s.url("acme", "/ServiceProviderConfig"), token, "", 404, `{"error":"404 Not Found"}`},
		{"10 MB body", "POST", s.url("acme", "/Users"), token, `{"userName":"` + strings.Repeat("x", 10<<20) + `"}`, 413, `{"message":"413 Request Entity Too Large"}`},
		{"deprovision", "PATCH", s.url("acme", "/Users/e1"), token, `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 204, ""},
		{"still readable", "GET", s.url("acme", "/Users/e1"), token, "", 200, inactive},
		{"reprovision", "PATCH", s.url("acme", "/Users/e1"), token, `{"Operations":[{"op":"replace","value":{"active":true}}]}`, 204, ""},
		{"delete", "DELETE", s.url("acme", "/Users/e1"), token, "", 204, ""},
		{"listed after delete", "GET", s.url("acme", "/Users"), token, "", 200, list("1", inactive)},
		{"delete unknown", "DELETE", s.url("acme", "/Users/nobody"), token, "", 404, scimErr(404, "Resource nobody not found")},
	}
	for _, st := range steps {
		code, body, hdr := rawCall(t, st.method, st.url, st.token, st.body)
		if code != st.status || body != st.want {
			t.Errorf("%s: %d %s\nwant %d %s", st.name, code, truncateForLog(body), st.status, st.want)
		}
		if ct := hdr.Get("Content-Type"); body != "" && ct != "application/scim+json" || body == "" && ct != "" {
			t.Errorf("%s: Content-Type %q with body %q", st.name, ct, truncateForLog(body))
		}
	}
}

func truncateForLog(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// TestServerBaseURL checks that Location and meta.location, and the SCIM
// base URL the settings page shows the owner, come from -base-url (or,
// without it, the listen address), never from a request's Host header,
// which a client or a proxy chooses (issue 17).
func TestServerBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want func(s *server) string
	}{
		{"with -base-url", []string{"-base-url", "https://scim.example.com/"}, func(*server) string { return "https://scim.example.com" }},
		{"without", nil, func(s *server) string { return "http://" + s.addr }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, append([]string{"-store", "memory", "-group", "acme=acme-token-0123456789", "-admin-token", "demo-admin-token-0123"}, tc.args...)...)
			body := `{"externalId":"e1","userName":"jane","emails":[{"value":"jane@example.com","type":"work"}]}`
			req, err := http.NewRequestWithContext(t.Context(), "POST", s.url("acme", "/Users"), strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "evil.example"
			req.Header.Set("Authorization", "Bearer acme-token-0123456789")
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST: %d %v %v", resp.StatusCode, got, err)
			}
			want := tc.want(s) + "/api/scim/v2/groups/acme/Users/" + got["id"].(string)
			if loc := resp.Header.Get("Location"); loc != want {
				t.Errorf("Location = %q, want %q", loc, want)
			}
			if loc := got["meta"].(map[string]any)["location"]; loc != want {
				t.Errorf("meta.location = %q, want %q", loc, want)
			}
			p := newPageClient(t, s)
			if code, _, _ := p.do("/-/sign-in", url.Values{"token": {"demo-admin-token-0123"}}, ""); code != http.StatusSeeOther {
				t.Fatalf("sign in: %d", code)
			}
			code, _, page := p.do("/groups/acme/-/saml", nil, "")
			if shown := `value="` + tc.want(s) + `/api/scim/v2/groups/acme"`; code != http.StatusOK || !strings.Contains(page, shown) {
				t.Errorf("the settings page: %d, without %s", code, shown)
			}
		})
	}
}
