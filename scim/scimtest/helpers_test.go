package scimtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scimkit/scimkit/scim/scimtest"
)

// recorder is a require.TestingT that records failures instead of failing
// the test; FailNow ends the goroutine, as testing.T's does.
type recorder struct {
	mu     sync.Mutex
	msgs   []string
	failed bool
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) FailNow() {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Helper() {}

// message returns everything recorded.
func (r *recorder) message() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

// observe runs fn with a recorder on its own goroutine, so that a FailNow
// ends fn only, and returns the recorder.
func observe(fn func(t require.TestingT)) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

// fakeTB is a testing.TB for NewServer that records Fatal instead of
// failing the test. Methods NewServer does not call are not implemented
// (the embedded nil interface would panic).
type fakeTB struct {
	testing.TB
	real *testing.T
	rec  recorder
}

func (f *fakeTB) Helper()                   {}
func (f *fakeTB) Cleanup(fn func())         { f.real.Cleanup(fn) }
func (f *fakeTB) Fatal(args ...any)         { f.rec.Errorf("%s", fmt.Sprint(args...)); f.rec.FailNow() }
func (f *fakeTB) Fatalf(s string, a ...any) { f.rec.Errorf(s, a...); f.rec.FailNow() }
func (f *fakeTB) Context() context.Context  { return f.real.Context() }

// front starts a server in front of srv's that passes every request
// through mw to srv, and returns the SCIM base URL of srv's first group
// on it.
func front(t *testing.T, srv *scimtest.Server, mw func(http.Handler) http.Handler) string {
	t.Helper()
	target, err := url.Parse(srv.HTTP.URL)
	require.NoError(t, err)
	ts := httptest.NewServer(mw(httputil.NewSingleHostReverseProxy(target)))
	t.Cleanup(ts.Close)
	return ts.URL + strings.TrimPrefix(srv.URL, srv.HTTP.URL)
}

// rewrite is a middleware that lets fn change a request's body before
// next serves it, and change the recorded response (status, header,
// body) before it is sent.
func rewrite(req func(r *http.Request, body string) string, res func(r *http.Request, w *httptest.ResponseRecorder)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			b := string(body)
			if req != nil {
				b = req(r, b)
			}
			r.Body = io.NopCloser(strings.NewReader(b))
			r.ContentLength = int64(len(b))
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if res != nil {
				res(r, rec)
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
}

// broken lists handlers that break one thing an IdP relies on.
var broken = map[string]func(http.Handler) http.Handler{
	// 200 instead of 201 for a created user.
	"200 for a create": rewrite(nil, func(r *http.Request, w *httptest.ResponseRecorder) {
		if r.Method == http.MethodPost && w.Code == http.StatusCreated {
			w.Code = http.StatusOK
		}
	}),
	// The created user without its id.
	"no id": rewrite(nil, func(r *http.Request, w *httptest.ResponseRecorder) {
		if r.Method == http.MethodPost {
			b := bytes.Replace(w.Body.Bytes(), []byte(`"id":`), []byte(`"_id":`), 1)
			w.Body = bytes.NewBuffer(b)
		}
	}),
	// A sign-in page in front of the API, as a misrouted proxy answers.
	"HTML page": rewrite(nil, func(r *http.Request, w *httptest.ResponseRecorder) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Code, w.Body = http.StatusOK, bytes.NewBufferString("<!doctype html><html><body><form>Sign in</form></body></html>")
	}),
	// HTML sent as application/json.
	"HTML as JSON": rewrite(nil, func(r *http.Request, w *httptest.ResponseRecorder) {
		if w.Body.Len() > 0 {
			w.Header().Set("Content-Type", "application/json")
			w.Body = bytes.NewBufferString("<html><body>Internal error</body></html>")
		}
	}),
	// active as the string "False" refused, as a strict RFC reading does.
	`refuses "False"`: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if r.Method == http.MethodPatch && bytes.Contains(body, []byte(`"value":"False"`)) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"active: not a boolean"}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		})
	},
	// Deactivation acknowledged but not applied.
	"ignores deactivation": rewrite(func(r *http.Request, body string) string {
		return strings.NewReplacer(
			`"active":false`, `"active":true`,
			`"path":"active","value":"False"`, `"path":"active","value":"True"`,
			`"path":"active","value":false`, `"path":"active","value":true`,
		).Replace(body)
	}, nil),
}

// withoutGroups is a host in front of scimkit that does not route /Groups:
// a SCIM 404 for them, everything else passed on.
func withoutGroups(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, rest, _ := strings.Cut(r.URL.Path, "/api/scim/v2/groups/"); strings.Contains(rest, "/Groups") {
			status, doc := scimError(http.StatusNotFound, "no such endpoint")
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(doc)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// groupsFake is a Groups resource in front of scimkit: it serves
// /ResourceTypes with Group listed and /Groups, and passes everything else
// on. It logs what was done to the groups.
type groupsFake struct {
	mu     sync.Mutex
	next   int
	groups map[string]*fakeGroup
	log    []string
}

type fakeGroup struct {
	ID, DisplayName string
	Members         []string
}

func newGroupsFake() *groupsFake { return &groupsFake{groups: map[string]*fakeGroup{}} }

func (g *groupsFake) logf(format string, args ...any) {
	g.log = append(g.log, fmt.Sprintf(format, args...))
}

func (g *groupsFake) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base, rest, ok := strings.Cut(r.URL.Path, "/api/scim/v2/groups/")
		_, sub, _ := strings.Cut(rest, "/")
		_ = base
		if !ok || sub != "ResourceTypes" && sub != "Groups" && !strings.HasPrefix(sub, "Groups/") {
			next.ServeHTTP(w, r)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		status, doc := g.serve(r, sub)
		if doc == nil {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(doc)
	})
}

func (g *groupsFake) render(gr *fakeGroup) map[string]any {
	members := []any{}
	for _, m := range gr.Members {
		members = append(members, map[string]any{"value": m})
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"id": gr.ID, "displayName": gr.DisplayName, "members": members, "meta": map[string]any{"resourceType": "Group"}}
}

func scimError(status int, detail string) (int, map[string]any) {
	return status, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": fmt.Sprint(status), "detail": detail}
}

func (g *groupsFake) serve(r *http.Request, sub string) (int, map[string]any) {
	list := func(res []any) map[string]any {
		return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": len(res), "startIndex": 1, "itemsPerPage": len(res), "Resources": res}
	}
	if sub == "ResourceTypes" {
		return 200, list([]any{
			map[string]any{"name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User"},
			map[string]any{"name": "Group", "endpoint": "/Groups", "schema": "urn:ietf:params:scim:schemas:core:2.0:Group"},
		})
	}
	var body map[string]any
	if r.Body != nil {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	id := strings.TrimPrefix(strings.TrimPrefix(sub, "Groups"), "/")
	gr := g.groups[id]
	switch {
	case id == "" && r.Method == http.MethodGet:
		f := r.URL.Query().Get("filter")
		name, ok := strings.CutPrefix(f, `displayName eq "`)
		name = strings.TrimSuffix(name, `"`)
		res := []any{}
		for _, gr := range g.groups {
			if !ok || gr.DisplayName == name {
				res = append(res, g.render(gr))
			}
		}
		return 200, list(res)
	case id == "" && r.Method == http.MethodPost:
		g.next++
		name, _ := body["displayName"].(string)
		gr := &fakeGroup{ID: fmt.Sprintf("grp-%d", g.next), DisplayName: name}
		g.groups[gr.ID] = gr
		g.logf("create %s", name)
		return 201, g.render(gr)
	case gr == nil:
		return scimError(404, "Resource "+id+" not found")
	case r.Method == http.MethodGet:
		return 200, g.render(gr)
	case r.Method == http.MethodDelete:
		delete(g.groups, id)
		g.logf("delete %s", gr.DisplayName)
		return 204, nil
	case r.Method == http.MethodPut:
		gr.DisplayName, _ = body["displayName"].(string)
		gr.Members = nil
		ms, _ := body["members"].([]any)
		for _, m := range ms {
			v, _ := m.(map[string]any)["value"].(string)
			gr.Members = append(gr.Members, v)
		}
		g.logf("replace %s %v", gr.DisplayName, gr.Members)
		return 200, g.render(gr)
	case r.Method == http.MethodPatch:
		ops, _ := body["Operations"].([]any)
		for _, o := range ops {
			op, _ := o.(map[string]any)
			kind, _ := op["op"].(string)
			path, _ := op["path"].(string)
			switch {
			case strings.EqualFold(kind, "replace") && path == "displayName":
				gr.DisplayName, _ = op["value"].(string)
			case strings.EqualFold(kind, "replace") && path == "":
				v, _ := op["value"].(map[string]any)
				gr.DisplayName, _ = v["displayName"].(string)
			case strings.EqualFold(kind, "add") && path == "members":
				vs, _ := op["value"].([]any)
				for _, m := range vs {
					v, _ := m.(map[string]any)["value"].(string)
					gr.Members = append(gr.Members, v)
				}
			case strings.EqualFold(kind, "remove") && path == "members":
				vs, _ := op["value"].([]any)
				for _, m := range vs {
					v, _ := m.(map[string]any)["value"].(string)
					gr.Members = slices.DeleteFunc(gr.Members, func(s string) bool { return s == v })
				}
			case strings.EqualFold(kind, "remove") && strings.HasPrefix(path, `members[value eq "`):
				v := strings.TrimSuffix(strings.TrimPrefix(path, `members[value eq "`), `"]`)
				gr.Members = slices.DeleteFunc(gr.Members, func(s string) bool { return s == v })
			default:
				return scimError(400, fmt.Sprintf("unsupported operation %v", op))
			}
		}
		g.logf("patch %s %v", gr.DisplayName, gr.Members)
		return 204, nil
	}
	return scimError(405, "method not allowed")
}
