package settings_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crewjam/saml"
	"golang.org/x/net/html"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/internal/idptest"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// The test host's paths: GitLab's, as in the example server.
const (
	scimPrefix = "/api/scim/v2/groups/{group}"
	ownerToken = "owner-session-of-acme"
)

// host is a host app as a test sees it: a store, the provisioner, the SCIM
// handler and the settings page on one real HTTP server, with a session
// cookie that makes the bearer an owner of group "acme" (id g1) and of no
// other group.
type host struct {
	st     store.Store
	prov   *identity.Provisioner
	page   *settings.Handler
	sp     *sso.Handler
	srv    *httptest.Server
	events *settings.EventBuffer
	logs   *syncBuffer
	// authorized records the paths of the groups the authorizer was asked
	// about.
	mu         sync.Mutex
	authorized []string
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the
// test.
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

// newHost starts a host over st (a fresh memstore when nil) with groups
// "acme" (g1, owned by the session) and "beta" (g2), neither with a SCIM
// token or SAML configuration yet, as a host's groups are before their
// owners visit the page. It serves the SCIM handler, the groups' SAML
// routes and the settings page with its SAML section, on one server whose
// URL is the SAML handler's base URL.
func newHost(t testing.TB, st store.Store, opts ...settings.Option) *host {
	t.Helper()
	if st == nil {
		st = memstore.New()
	}
	h := &host{st: st, events: settings.NewEventBuffer(50), logs: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	h.prov, err = identity.New(st, identity.WithEventSink(h.events), identity.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	addGroups(t, st)
	sh, err := scim.New(h.prov, scim.WithPrefix(scimPrefix), scim.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.srv = httptest.NewUnstartedServer(mux)
	linker, err := identity.NewLinker(st, identity.WithEventSink(h.events))
	if err != nil {
		t.Fatal(err)
	}
	h.sp, err = sso.New("http://"+h.srv.Listener.Addr().String(), st, linker, noSessions{}, sso.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]settings.Option{settings.WithEventLog(h.events), settings.WithLogger(logger), settings.WithSAML(h.sp.URLs)}, opts...)
	h.page, err = settings.New(h.prov, st, h.authorize, opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/api/scim/v2/groups/", sh)
	mux.Handle("/groups/", h.page)
	// The SAML routes below the page's path are the SAML handler's.
	for _, route := range []string{"metadata", "sso", "callback", "authorize"} {
		mux.Handle("/groups/{group}/-/saml/"+route, h.sp)
	}
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	return h
}

// noSessions are the sessions of a host where nobody is signed in: the
// settings tests start no SAML sign-in.
type noSessions struct{}

func (noSessions) Current(*http.Request) (string, error) { return "", nil }

func (noSessions) Start(http.ResponseWriter, *http.Request, *sso.SignIn) error {
	return errors.New("no sign-in in these tests")
}

func (noSessions) HasSAML(*http.Request, string) (bool, error) { return false, nil }

// addGroups stores the groups the host had before SCIM, without tokens.
func addGroups(t testing.TB, st store.Store) {
	t.Helper()
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for _, g := range []*store.Group{
			{ID: "g1", Path: "acme", Name: "Acme Corp", DefaultRole: store.RoleDeveloper},
			{ID: "g2", Path: "beta", Name: "Beta", DefaultRole: store.RoleGuest},
		} {
			if err := tx.PutGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// authorize is the host's Authorizer: the owner's session cookie owns g1.
func (h *host) authorize(r *http.Request, g *store.Group) (bool, error) {
	h.mu.Lock()
	h.authorized = append(h.authorized, g.Path)
	h.mu.Unlock()
	c, err := r.Cookie("session")
	if err != nil {
		return false, nil
	}
	return c.Value == ownerToken && g.ID == "g1", nil
}

func (h *host) pageURL(group string) string { return h.srv.URL + "/groups/" + group + "/-/saml" }

func (h *host) scimURL(group string) string { return h.srv.URL + "/api/scim/v2/groups/" + group }

// request is an HTTP request the tests send, as a browser would: with the
// owner's session cookie unless anonymous, and, for a form post, the
// headers given (Sec-Fetch-Site, Origin). A SCIM request has a body
// instead of a form.
type request struct {
	method, url string
	form        url.Values
	body        string
	anonymous   bool
	headers     map[string]string
}

type response struct {
	status int
	header http.Header
	body   string
}

func (h *host) do(t testing.TB, rq request) response {
	t.Helper()
	var body io.Reader
	switch {
	case rq.form != nil:
		body = strings.NewReader(rq.form.Encode())
	case rq.body != "":
		body = strings.NewReader(rq.body)
	}
	req, err := http.NewRequest(rq.method, rq.url, body)
	if err != nil {
		t.Fatal(err)
	}
	if rq.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if !rq.anonymous {
		req.AddCookie(&http.Cookie{Name: "session", Value: ownerToken})
	}
	for k, v := range rq.headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// get fetches a page as the owner and fails the test unless it is a
// well-formed 200.
func (h *host) get(t testing.TB, u string) string {
	t.Helper()
	r := h.do(t, request{method: http.MethodGet, url: u})
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, r.status, r.body)
	}
	if err := checkWellFormed(r.body); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return r.body
}

// sameOrigin are the headers a browser sends with a form posted from the
// page itself.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

// generateToken posts the token form as the owner's browser and returns
// the token the answer shows.
func (h *host) generateToken(t testing.TB, group string) string {
	t.Helper()
	r := h.do(t, request{method: http.MethodPost, url: h.pageURL(group) + "/token", form: url.Values{}, headers: sameOrigin})
	if r.status != http.StatusOK {
		t.Fatalf("POST token: %d %s", r.status, r.body)
	}
	tok := tokenIn(r.body)
	if tok == "" {
		t.Fatalf("POST token: no token on the page:\n%s", r.body)
	}
	return tok
}

var tokenPattern = regexp.MustCompile(`scimkit_[A-Za-z0-9_-]{43}`)

// tokenIn returns the token shown in a page's token field, or "".
func tokenIn(page string) string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return ""
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "id") == "scim-token" {
			return attr(n, "value")
		}
	}
	return ""
}

// scimUser is a SCIM User as Microsoft Entra ID sends it.
func scimUser(externalID, userName, email, given, family string) string {
	b, _ := json.Marshal(map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"externalId": externalID,
		"userName":   userName,
		"active":     true,
		"emails":     []any{map[string]any{"primary": true, "type": "work", "value": email}},
		"meta":       map[string]any{"resourceType": "User"},
		"name":       map[string]any{"formatted": given + " " + family, "familyName": family, "givenName": given},
		"roles":      []any{},
	})
	return string(b)
}

// scimCall sends a SCIM request with a bearer token and returns the status
// and the decoded body (nil when empty).
func (h *host) scimCall(t testing.TB, method, u, token, body string) (int, map[string]any) {
	t.Helper()
	hd := map[string]string{"Authorization": "Bearer " + token}
	if body != "" {
		hd["Content-Type"] = "application/scim+json"
	}
	r := h.do(t, request{method: method, url: u, body: body, anonymous: true, headers: hd})
	var m map[string]any
	if r.body != "" {
		if err := json.Unmarshal([]byte(r.body), &m); err != nil {
			t.Fatalf("%s %s: %q: %v", method, u, r.body, err)
		}
	}
	return r.status, m
}

// provision POSTs a user with the token and returns its SCIM id.
func (h *host) provision(t testing.TB, token, body string) string {
	t.Helper()
	code, m := h.scimCall(t, http.MethodPost, h.scimURL("acme")+"/Users", token, body)
	if code != http.StatusCreated {
		t.Fatalf("POST /Users: %d %v", code, m)
	}
	id, _ := m["id"].(string)
	return id
}

// patch sends a PatchOp with one operation to a user.
func (h *host) patch(t testing.TB, token, id, op string) {
	t.Helper()
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + op + `]}`
	code, m := h.scimCall(t, http.MethodPatch, h.scimURL("acme")+"/Users/"+id, token, body)
	if code != http.StatusOK && code != http.StatusNoContent {
		t.Fatalf("PATCH /Users/%s: %d %v", id, code, m)
	}
}

// tableRow is one row of the identities table, as text.
type tableRow struct {
	User, ExternalID, Status, Role, SignIn string
}

// rows reads the identities table of a page.
func rows(t testing.TB, page string) []tableRow {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []tableRow
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "tr" || n.Parent == nil || n.Parent.Data != "tbody" || section(n) != "identities" {
			continue
		}
		var cells []string
		for c := range n.ChildNodes() {
			if c.Type == html.ElementNode && c.Data == "td" {
				cells = append(cells, text(c))
			}
		}
		if len(cells) != 5 {
			t.Fatalf("a row with %d cells: %q", len(cells), cells)
		}
		out = append(out, tableRow{cells[0], cells[1], cells[2], cells[3], cells[4]})
	}
	return out
}

// section returns the id of the section n is in, or "".
func section(n *html.Node) string {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "section" {
			return attr(p, "id")
		}
	}
	return ""
}

// externalIDs returns the externalId column of a page's table.
func externalIDs(t testing.TB, page string) []string {
	t.Helper()
	var out []string
	for _, r := range rows(t, page) {
		out = append(out, r.ExternalID)
	}
	return out
}

// text returns the text of n with runs of white space made one space, and
// a space between elements' texts.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		switch {
		case d.Type == html.TextNode:
			b.WriteString(d.Data)
		case d.Type == html.ElementNode && (d.Data == "br" || d.Data == "span" || d.Data == "li" || d.Data == "p"):
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// elements returns the elements of a page with this tag name.
func elements(t testing.TB, page, tag string) []*html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	}
	return out
}

// voidElements have no end tag (HTML Living Standard §13.1.2).
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// checkWellFormed reports the first unclosed, misnested or stray tag of an
// HTML page, and an error of the tokenizer. It is stricter than HTML, which
// lets a parser close <p>, <li> or <tr> implicitly: the page closes every
// element it opens, so that a template that loses an end tag is caught.
func checkWellFormed(page string) error {
	z := html.NewTokenizer(strings.NewReader(page))
	type open struct {
		tag  string
		line int
	}
	var stack []open
	line := 1
	for {
		tt := z.Next()
		raw := z.Raw()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return fmt.Errorf("line %d: %v", line, err)
			}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				return fmt.Errorf("<%s> opened on line %d is never closed", top.tag, top.line)
			}
			return nil
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				stack = append(stack, open{string(name), line})
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if voidElements[tag] {
				return fmt.Errorf("line %d: end tag </%s> of a void element", line, tag)
			}
			if len(stack) == 0 {
				return fmt.Errorf("line %d: </%s> closes nothing", line, tag)
			}
			if top := stack[len(stack)-1]; top.tag != tag {
				return fmt.Errorf("line %d: </%s> closes <%s> opened on line %d", line, tag, top.tag, top.line)
			}
			stack = stack[:len(stack)-1]
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				return fmt.Errorf("line %d: <%s/> is not a void element", line, name)
			}
		}
		line += bytes.Count(raw, []byte("\n"))
	}
}

// addAccount stores an account the host had before provisioning.
func (h *host) addAccount(t testing.TB, u *store.User) {
	t.Helper()
	if err := h.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error { return tx.PutUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
}

// block blocks the account of SCIM identity id of group acme, as an
// administrator of the host does.
func (h *host) block(t testing.TB, id string) {
	t.Helper()
	err := h.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		s, err := tx.SCIMIdentity(ctx, "g1", id)
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, s.UserID)
		if err != nil {
			return err
		}
		u.State = store.UserBlocked
		return tx.PutUser(ctx, u)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testIdP is an identity provider as its administrator sees it: a signing
// certificate, its fingerprints, its entity ID and SSO URL, and its SAML
// metadata document.
type testIdP struct {
	cert                           *x509.Certificate
	entityID, ssoURL, metadata     string
	sha1, sha256, sha1Hex, subject string
}

// newIdP makes an IdP in Microsoft Entra ID's shape: entity ID
// https://sts.windows.net/TENANT/, SSO URL
// https://login.microsoftonline.com/TENANT/saml2, and a signing
// certificate named as Entra ID names it.
func newIdP(t testing.TB, tenant string) *testIdP {
	t.Helper()
	_, cert := idptest.NewKey(t, "Microsoft Azure Federated SSO Certificate")
	i := &testIdP{
		cert:     cert,
		entityID: "https://sts.windows.net/" + tenant + "/",
		ssoURL:   "https://login.microsoftonline.com/" + tenant + "/saml2",
		subject:  cert.Subject.String(),
	}
	s1, s256 := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw)
	i.sha1, i.sha256, i.sha1Hex = colonHex(s1[:]), colonHex(s256[:]), hex.EncodeToString(s1[:])
	ed := saml.EntityDescriptor{EntityID: i.entityID, IDPSSODescriptors: []saml.IDPSSODescriptor{{
		SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
			ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
			KeyDescriptors: []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
				X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(cert.Raw)}}}}}},
		}},
		SingleSignOnServices: []saml.Endpoint{
			{Binding: saml.HTTPRedirectBinding, Location: i.ssoURL},
			{Binding: saml.HTTPPostBinding, Location: i.ssoURL},
		},
	}}}
	b, err := xml.MarshalIndent(ed, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	i.metadata = string(b)
	return i
}

// colonHex writes a digest as IdP consoles show fingerprints: "AB:CD:...".
func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

// group reads a group as stored.
func (h *host) group(t testing.TB, id string) *store.Group {
	t.Helper()
	var g *store.Group
	err := h.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		g, err = tx.Group(ctx, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// samlForm is the SAML form as the page shows it for group g, filled in
// from what it stores: what a browser posts when the owner changes
// nothing.
func (h *host) samlForm(t testing.TB, group string) url.Values {
	t.Helper()
	return formValues(t, h.get(t, h.pageURL(group)), "saml-form")
}

// formValues reads the values a browser would post from the form with
// this id: inputs (checked boxes and radio buttons only), textareas and
// selects, without files.
func formValues(t testing.TB, page, id string) url.Values {
	t.Helper()
	var form *html.Node
	for _, f := range elements(t, page, "form") {
		if attr(f, "id") == id {
			form = f
		}
	}
	if form == nil {
		t.Fatalf("no form %q on the page", id)
	}
	v := url.Values{}
	for n := range form.Descendants() {
		if n.Type != html.ElementNode || attr(n, "name") == "" {
			continue
		}
		name := attr(n, "name")
		switch n.Data {
		case "input":
			switch attr(n, "type") {
			case "checkbox", "radio":
				if hasAttr(n, "checked") {
					v.Add(name, attr(n, "value"))
				}
			case "file":
			default:
				v.Add(name, attr(n, "value"))
			}
		case "textarea":
			var b strings.Builder
			for c := range n.ChildNodes() {
				b.WriteString(c.Data)
			}
			v.Add(name, b.String())
		case "select":
			for o := range n.Descendants() {
				if o.Type == html.ElementNode && o.Data == "option" && hasAttr(o, "selected") {
					v.Add(name, attr(o, "value"))
				}
			}
		}
	}
	return v
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// postSAML posts the SAML form of group acme from the page, URL-encoded.
func (h *host) postSAML(t testing.TB, form url.Values) response {
	t.Helper()
	return h.do(t, request{method: http.MethodPost, url: h.pageURL("acme"), form: form, headers: sameOrigin})
}

// fieldError returns the error shown beside the form field whose input,
// textarea or select has this id: the error element the field names in
// its aria-describedby, within the same div.field. It fails the test when
// the field is missing, and returns "" when it shows no error.
func fieldError(t testing.TB, page, id string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var field *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			field = n
		}
	}
	if field == nil {
		t.Fatalf("no field %q on the page", id)
	}
	for c := range field.Parent.ChildNodes() {
		if c.Type == html.ElementNode && attr(c, "class") == "field-error" {
			if !slices.Contains(strings.Fields(attr(field, "aria-describedby")), attr(c, "id")) || attr(field, "aria-invalid") != "true" {
				t.Errorf("field %q: its error %q is not tied to it (aria-describedby %q, aria-invalid %q)",
					id, attr(c, "id"), attr(field, "aria-describedby"), attr(field, "aria-invalid"))
			}
			return text(c)
		}
	}
	return ""
}

// fieldErrors returns every error shown beside a field of a page, by the
// id of the field's error element.
func fieldErrors(t testing.TB, page string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range elements(t, page, "p") {
		if attr(p, "class") == "field-error" {
			out[attr(p, "id")] = text(p)
		}
	}
	return out
}

// valueOf returns the value of the input with this id, or the text of the
// textarea with it.
func valueOf(t testing.TB, page, id string) string {
	t.Helper()
	for _, tag := range []string{"input", "textarea"} {
		for _, n := range elements(t, page, tag) {
			if attr(n, "id") != id {
				continue
			}
			if tag == "input" {
				return attr(n, "value")
			}
			var b strings.Builder
			for c := range n.ChildNodes() {
				b.WriteString(c.Data)
			}
			return b.String()
		}
	}
	t.Fatalf("no input or textarea %q", id)
	return ""
}

// facts returns the current configuration list of the SAML section: each
// dt's text with its dd's.
func facts(t testing.TB, page string) [][2]string {
	t.Helper()
	var out [][2]string
	for _, dl := range elements(t, page, "dl") {
		if attr(dl, "class") != "facts" {
			continue
		}
		for c := range dl.ChildNodes() {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.Data {
			case "dt":
				out = append(out, [2]string{text(c), ""})
			case "dd":
				out[len(out)-1][1] = text(c)
			}
		}
	}
	return out
}
