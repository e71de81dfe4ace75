package scimtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/scim"
)

// Response is a server's answer to one request of a scripted client.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header is the response header.
	Header http.Header
	// Body is the response body as received.
	Body []byte
	// JSON is Body decoded, when it is a JSON object; nil otherwise.
	JSON map[string]any
	// ID is the "id" of JSON when it is a non-empty string.
	ID string
}

// Schema URNs the clients send and look for.
const (
	userURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	groupURN      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	patchOpURN    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	listURN       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
)

// client is what the scripted clients share: it sends one IdP's requests
// and fails the test, through testify, when an answer is one the IdP
// would treat as an error.
type client struct {
	t      require.TestingT
	idp    string // "Entra ID", "Okta", "OneLogin"
	base   string // SCIM base URL, without a trailing slash
	token  string
	cfg    config
	hc     *http.Client
	header http.Header // sent with every request
	// bodyType is the Content-Type of request bodies.
	bodyType string
	// groups caches the answer of groupsOn.
	groups *bool
}

// newClient configures a client; a bad option or base URL fails t.
func newClient(t require.TestingT, idp, fn, baseURL, token string, opts []Option) *client {
	helper(t)
	cfg, err := configure(fn, false, opts)
	require.NoError(t, err)
	u, err := url.Parse(baseURL)
	if err == nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
		err = fmt.Errorf("not an absolute http(s) URL")
	}
	require.NoErrorf(t, err, "scimtest: %s: base URL %q", fn, baseURL)
	hc := cfg.httpClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &client{t: t, idp: idp, base: strings.TrimSuffix(baseURL, "/"), token: token, cfg: cfg, hc: hc, header: http.Header{}}
}

// gitlab reports whether the client sends the GitLab catalog apps' shapes.
func (c *client) gitlab() bool { return c.cfg.profile == scim.ProfileGitLab }

// helper marks the caller as a test helper when t can.
func helper(t any) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// call is one request of a step and what the IdP needs of its answer.
type call struct {
	step   string // what the IdP is doing, as in the failure message
	method string
	path   string // below the base URL, query escaped
	body   string // JSON, or empty
	// status lists the statuses the IdP accepts.
	status []int
	// rules are the further checks; a rule's problem fails the step.
	rules []rule
}

// rule is one thing an IdP needs of a response.
type rule struct {
	// want says what is needed, for the failure message.
	want string
	// check returns what is wrong with r, or "".
	check func(r *Response) string
}

// do sends c's request and checks the answer; it fails the test (and
// stops it) when the answer breaks a rule.
func (c *client) do(k call) *Response {
	helper(c.t)
	req, err := c.request(k)
	if err != nil {
		require.NoErrorf(c.t, err, "scimtest: %s, %s: building %s %s", c.idp, k.step, k.method, k.path)
		return &Response{}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		require.Fail(c.t, fmt.Sprintf("scimtest: %s, %s: no response: %v", c.idp, k.step, err),
			"request:\n%s", dumpRequest(req, k.body))
		return &Response{} // for a TestingT whose FailNow returns
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		require.Fail(c.t, fmt.Sprintf("scimtest: %s, %s: reading the response: %v", c.idp, k.step, err),
			"request:\n%s", dumpRequest(req, k.body))
		return &Response{}
	}
	r := &Response{Status: res.StatusCode, Header: res.Header, Body: body}
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &r.JSON) == nil {
		if id, ok := r.JSON["id"].(string); ok {
			r.ID = id
		}
	}
	var problems []string
	if !slices.Contains(k.status, r.Status) {
		problems = append(problems, fmt.Sprintf("status %d, want %s", r.Status, statuses(k.status)))
	} else {
		for _, ru := range k.rules {
			if p := ru.check(r); p != "" {
				problems = append(problems, p)
			}
		}
	}
	if len(problems) > 0 {
		want := []string{"status " + statuses(k.status)}
		for _, ru := range k.rules {
			want = append(want, ru.want)
		}
		require.Fail(c.t, fmt.Sprintf("scimtest: %s, %s: %s", c.idp, k.step, strings.Join(problems, "; ")),
			"request:\n%s\nexpected:\n  %s\nactual:\n%s",
			dumpRequest(req, k.body), strings.Join(want, "\n  "), dumpResponse(res, body))
	}
	return r
}

// request builds the http.Request of k.
func (c *client) request(k call) (*http.Request, error) {
	var rd io.Reader
	if k.body != "" {
		rd = strings.NewReader(k.body)
	}
	req, err := http.NewRequest(k.method, c.base+k.path, rd)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for name, v := range c.header {
		req.Header[name] = v
	}
	if k.body != "" {
		req.Header.Set("Content-Type", c.bodyType)
	}
	return req, nil
}

// patch sends a PATCH of ops (JSON operations, comma-separated) to the
// resource at path; the IdPs take 200 or 204.
func (c *client) patch(step, path, ops string, rules ...rule) *Response {
	helper(c.t)
	return c.do(call{step: step + ": PATCH", method: http.MethodPatch, path: path,
		body:   `{"schemas":[` + js(patchOpURN) + `],"Operations":[` + ops + `]}`,
		status: []int{http.StatusOK, http.StatusNoContent}, rules: append([]rule{optionalJSON}, rules...)})
}

// delete sends a DELETE to the resource at path; RFC 7644 §3.6 answers
// 204, and the IdPs take 200 too.
func (c *client) delete(step, path string) *Response {
	helper(c.t)
	return c.do(call{step: step, method: http.MethodDelete, path: path, status: []int{http.StatusNoContent, http.StatusOK}})
}

// getUser reads the user of id, which must answer 200 with that user and
// the rules.
func (c *client) getUser(step, id string, rules ...rule) *Response {
	helper(c.t)
	return c.do(call{step: step, method: http.MethodGet, path: "/Users/" + escape(id),
		status: []int{http.StatusOK}, rules: append([]rule{jsonBody, sameID(id)}, rules...)})
}

// confirmActive follows a state change answered by r: when r has no
// body (204), the user of id is read back, as the IdP's next read would
// see it, and must show active as on. (An answer with a body was checked
// by its own rules.)
func (c *client) confirmActive(step, id string, r *Response, on bool) {
	helper(c.t)
	if r.JSON == nil {
		c.getUser(step+", read back", id, active(on))
	}
}

// statuses renders a list of accepted statuses.
func statuses(s []int) string {
	var b strings.Builder
	for i, n := range s {
		if i > 0 {
			b.WriteString(" or ")
		}
		fmt.Fprintf(&b, "%d", n)
	}
	return b.String()
}

// maxDump bounds a body shown in a failure message.
const maxDump = 4096

// dumpRequest shows a request as the IdP sent it, without the token.
func dumpRequest(req *http.Request, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s %s\n", req.Method, req.URL)
	dumpHeader(&b, req.Header)
	if body != "" {
		b.WriteString(indent(cut(body)))
	}
	return strings.TrimRight(b.String(), "\n")
}

// dumpResponse shows a response.
func dumpResponse(res *http.Response, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s %s\n", res.Proto, res.Status)
	dumpHeader(&b, res.Header)
	if len(body) == 0 {
		b.WriteString("  (no body)\n")
	} else {
		b.WriteString(indent(prettyJSON(body)))
	}
	return strings.TrimRight(b.String(), "\n")
}

// dumpHeader writes the headers that matter to an IdP, the token hidden.
func dumpHeader(b *strings.Builder, h http.Header) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		switch name {
		case "Date", "Content-Length", "X-Request-Id", "Accept-Encoding":
			continue
		}
		for _, v := range h[name] {
			if name == "Authorization" {
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " [token]"
			}
			fmt.Fprintf(b, "  %s: %s\n", name, v)
		}
	}
}

// prettyJSON indents a JSON body, or returns it as it is when it is not
// JSON; either way cut at maxDump bytes.
func prettyJSON(body []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, body, "", "  ") == nil {
		return cut(out.String())
	}
	return cut(string(body))
}

// cut cuts s at maxDump bytes.
func cut(s string) string {
	if len(s) > maxDump {
		return s[:maxDump] + fmt.Sprintf("\n… (%d more bytes)", len(s)-maxDump)
	}
	return s
}

// indent indents every line of s by two spaces and ends it with a newline.
func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// js encodes v as JSON for a request body template.
func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only strings, bools and lists of them are passed
	}
	return string(b)
}

// filterPath returns path?filter=ATTR eq "VALUE" (with more query
// parameters appended), URL-encoded as the IdPs send it.
func filterPath(path, attr, value, more string) string {
	q := "filter=" + url.QueryEscape(attr+` eq `+js(value))
	if more != "" {
		q += "&" + more
	}
	return path + "?" + q
}

// Rules the IdPs share.

// jsonBody: a body of type application/scim+json or application/json
// holding a JSON object.
var jsonBody = rule{
	want: `Content-Type application/scim+json or application/json, a JSON object body`,
	check: func(r *Response) string {
		ct := r.Header.Get("Content-Type")
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/scim+json" && mt != "application/json" {
			return fmt.Sprintf("Content-Type %q is not application/scim+json or application/json", ct)
		}
		if r.JSON == nil {
			return "the body is not a JSON object"
		}
		return ""
	},
}

// hasID: a resource with a non-empty "id".
var hasID = rule{
	want: `a non-empty "id"`,
	check: func(r *Response) string {
		if r.JSON != nil && r.ID == "" {
			return `the resource has no "id"`
		}
		return ""
	},
}

// sameID: the resource of the id asked for.
func sameID(id string) rule {
	return rule{
		want: fmt.Sprintf(`"id" %q`, id),
		check: func(r *Response) string {
			if r.JSON != nil && r.ID != id {
				return fmt.Sprintf(`"id" is %q, want %q`, r.ID, id)
			}
			return ""
		},
	}
}

// optionalJSON: when there is a body, a JSON object; for answers that may
// be 204 without one.
var optionalJSON = rule{
	want: `no body, or a JSON object body of type application/scim+json or application/json`,
	check: func(r *Response) string {
		if len(bytes.TrimSpace(r.Body)) == 0 {
			return ""
		}
		return jsonBody.check(r)
	},
}

// active: the resource, when the answer has one, shows active as want.
// An answer without a body (204) passes.
func active(want bool) rule {
	return rule{
		want: fmt.Sprintf(`"active": %v when the answer has a body`, want),
		check: func(r *Response) string {
			if r.JSON == nil {
				return ""
			}
			return activeIs(r.JSON, want)
		},
	}
}

// activeIs checks the active attribute of a resource.
func activeIs(res map[string]any, want bool) string {
	switch v := res["active"].(type) {
	case bool:
		if v != want {
			return fmt.Sprintf(`"active" is %v, want %v`, v, want)
		}
	case nil:
		return fmt.Sprintf(`"active" is missing, want %v`, want)
	default:
		return fmt.Sprintf(`"active" is %s, want the boolean %v`, js(v), want)
	}
	return ""
}

// listResponse: a ListResponse (RFC 7644 §3.4.2) with a number
// totalResults and, when it is not zero, a Resources array. max, when not
// negative, is the most matches the IdP takes.
func listResponse(max int) rule {
	want := `a ListResponse: "schemas" with ` + listURN + `, "totalResults" a number, "Resources" an array`
	if max >= 0 {
		want += fmt.Sprintf(", at most %d match", max)
	}
	return rule{
		want: want,
		check: func(r *Response) string {
			if r.JSON == nil || r.Status != http.StatusOK {
				return ""
			}
			if !hasSchema(r.JSON, listURN) {
				return `"schemas" does not hold ` + listURN
			}
			total, ok := r.JSON["totalResults"].(float64)
			if !ok {
				return fmt.Sprintf(`"totalResults" is %s, not a number`, js(r.JSON["totalResults"]))
			}
			res, ok := r.JSON["Resources"].([]any)
			if !ok && (total > 0 || r.JSON["Resources"] != nil) {
				return fmt.Sprintf(`"Resources" is %s, not an array`, js(r.JSON["Resources"]))
			}
			for i, v := range res {
				if _, ok := v.(map[string]any); !ok {
					return fmt.Sprintf(`"Resources"[%d] is not an object`, i)
				}
			}
			if max >= 0 && len(res) > max {
				return fmt.Sprintf("%d resources match, want at most %d", len(res), max)
			}
			return ""
		},
	}
}

// when applies ru to responses of one status only.
func when(status int, ru rule) rule {
	return rule{
		want: fmt.Sprintf("with %d: %s", status, ru.want),
		check: func(r *Response) string {
			if r.Status != status {
				return ""
			}
			return ru.check(r)
		},
	}
}

// reads: the resource holds value at a dotted path.
func reads(path, value string) rule {
	return rule{
		want: fmt.Sprintf("%s %s", path, js(value)),
		check: func(r *Response) string {
			if r.JSON == nil {
				return ""
			}
			if v, _ := attr(r.JSON, path); v != value {
				return fmt.Sprintf("%s is %s, want %s", path, js(v), js(value))
			}
			return ""
		},
	}
}

// hasSchema reports whether a resource's "schemas" holds urn.
func hasSchema(res map[string]any, urn string) bool {
	list, _ := res["schemas"].([]any)
	for _, s := range list {
		if s, ok := s.(string); ok && strings.EqualFold(s, urn) {
			return true
		}
	}
	return false
}

// resources returns the resources of a ListResponse; none for a 404.
func resources(r *Response) []map[string]any {
	if r.Status != http.StatusOK || r.JSON == nil {
		return nil
	}
	list, _ := r.JSON["Resources"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// matches: a ListResponse (or a 404) with n resources; why says what the
// IdP does otherwise.
func matches(n int, why string) rule {
	return rule{
		want: fmt.Sprintf("%s (otherwise %s)", matching(n), why),
		check: func(r *Response) string {
			if got := len(resources(r)); got != n {
				return fmt.Sprintf("%s, want %d: %s", matching(got), n, why)
			}
			return ""
		},
	}
}

// matching says how many resources match.
func matching(n int) string {
	if n == 1 {
		return "1 resource matches"
	}
	return fmt.Sprintf("%d resources match", n)
}

// first applies ru to the first resource of a ListResponse; it passes
// when there is none (matches says whether one is needed).
func first(ru rule) rule {
	return rule{
		want: "the match: " + ru.want,
		check: func(r *Response) string {
			res := resources(r)
			if len(res) == 0 {
				return ""
			}
			if p := ru.check(&Response{Status: r.Status, JSON: res[0], ID: idOf(res[0]), Body: []byte(js(res[0]))}); p != "" {
				return "the match: " + p
			}
			return ""
		},
	}
}

// escape escapes a resource id for a URL path.
func escape(id string) string { return url.PathEscape(id) }

// groupsOn reports whether the client runs its group steps: as
// WithGroupProvisioning says, else never in the GitLab profile, else when
// GET /ResourceTypes lists a resource type named "Group" or served at
// "/Groups". The answer is asked for once.
func (c *client) groupsOn() bool {
	switch c.cfg.groupsMode {
	case groupsOn:
		return true
	case groupsOff:
		return false
	}
	if c.gitlab() {
		return false
	}
	if c.groups == nil {
		on := c.discoverGroups()
		c.groups = &on
	}
	return *c.groups
}

// discoverGroups asks the server whether it has a Groups resource. This
// request is scimtest's, not the IdP's; any failure means no.
func (c *client) discoverGroups() bool {
	req, err := c.request(call{method: http.MethodGet, path: "/ResourceTypes"})
	if err != nil {
		return false
	}
	req.Header.Set("Accept", "application/scim+json")
	res, err := c.hc.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	var doc any
	if res.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&doc) != nil {
		return false
	}
	// A ListResponse of resource types, or (some servers) a bare array.
	list, _ := doc.([]any)
	if m, ok := doc.(map[string]any); ok {
		list, _ = m["Resources"].([]any)
	}
	for _, v := range list {
		rt, _ := v.(map[string]any)
		name, _ := rt["name"].(string)
		endpoint, _ := rt["endpoint"].(string)
		if strings.EqualFold(name, "Group") || strings.EqualFold(strings.TrimSuffix(endpoint, "/"), "/Groups") {
			return true
		}
	}
	return false
}

// attr returns the value at a dotted path of a resource ("name.givenName")
// or of an extension ("URN:attr"), and whether it exists.
func attr(res map[string]any, path string) (any, bool) {
	var v any = res
	if i := strings.LastIndexByte(path, ':'); i >= 0 {
		ext, ok := res[path[:i]].(map[string]any)
		if !ok {
			return nil, false
		}
		v, path = ext, path[i+1:]
	}
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[p]; !ok {
			return nil, false
		}
	}
	return v, true
}

// workEmail returns the value of a resource's work (or else primary, or
// else first) email.
func workEmail(res map[string]any) string {
	list, _ := res["emails"].([]any)
	var first, primary string
	for i, v := range list {
		e, _ := v.(map[string]any)
		val, _ := e["value"].(string)
		if i == 0 {
			first = val
		}
		if t, _ := e["type"].(string); strings.EqualFold(t, "work") {
			return val
		}
		if p, _ := e["primary"].(bool); p && primary == "" {
			primary = val
		}
	}
	if primary != "" {
		return primary
	}
	return first
}
