package scim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

func TestListPagingSortProjection(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	for i, n := range []string{"carol", "alice", "bob", "dave"} {
		e.createUser(t, fmt.Sprintf("ext-%d", i), n, n+"@example.com")
	}
	names := func(body map[string]any) []string {
		var out []string
		for _, r := range body["Resources"].([]any) {
			out = append(out, r.(map[string]any)["userName"].(string))
		}
		return out
	}
	tests := []struct {
		name      string
		query     string
		wantNames []string
		wantTotal float64
		wantStart float64
	}{
		{name: "all in creation order", query: "", wantNames: []string{"carol", "alice", "bob", "dave"}, wantTotal: 4, wantStart: 1},
		{name: "page", query: "startIndex=2&count=2", wantNames: []string{"alice", "bob"}, wantTotal: 4, wantStart: 2},
		{name: "startIndex 0 is 1", query: "startIndex=0&count=1", wantNames: []string{"carol"}, wantTotal: 4, wantStart: 1},
		{name: "past the end", query: "startIndex=10", wantNames: nil, wantTotal: 4, wantStart: 10},
		{name: "count 0", query: "count=0", wantNames: nil, wantTotal: 4, wantStart: 1},
		{name: "sorted", query: "sortBy=userName", wantNames: []string{"alice", "bob", "carol", "dave"}, wantTotal: 4, wantStart: 1},
		{name: "sorted descending", query: "sortBy=userName&sortOrder=descending&count=2", wantNames: []string{"dave", "carol"}, wantTotal: 4, wantStart: 1},
		{name: "filter eq", query: "filter=" + q(`userName eq "BOB"`), wantNames: []string{"bob"}, wantTotal: 1, wantStart: 1},
		{name: "filter or", query: "filter=" + q(`userName eq "bob" or externalId eq "ext-3"`), wantNames: []string{"bob", "dave"}, wantTotal: 2, wantStart: 1},
		{name: "filter value path", query: "filter=" + q(`emails[type eq "work" and value sw "a"]`), wantNames: []string{"alice"}, wantTotal: 1, wantStart: 1},
		{name: "filter sub-attribute", query: "filter=" + q(`emails.value eq "dave@example.com"`), wantNames: []string{"dave"}, wantTotal: 1, wantStart: 1},
		{name: "filter no match", query: "filter=" + q(`userName eq "nobody"`), wantNames: nil, wantTotal: 0, wantStart: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := e.do(t, http.MethodGet, "/Users?"+tc.query, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			body := decode(t, rec)
			if diff := cmp.Diff(tc.wantNames, names(body)); diff != "" {
				t.Errorf("userNames (-want +got):\n%s", diff)
			}
			got := []any{body["totalResults"], body["startIndex"], body["itemsPerPage"], body["schemas"]}
			want := []any{tc.wantTotal, tc.wantStart, float64(len(tc.wantNames)), []any{ListResponseURN}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("totalResults, startIndex, itemsPerPage, schemas (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("search", func(t *testing.T) {
		rec := e.do(t, http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"c\" or userName sw \"d\"","sortBy":"userName","sortOrder":"descending","attributes":["userName"]}`)
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		body := decode(t, rec)
		if diff := cmp.Diff([]string{"dave", "carol"}, names(body)); diff != "" {
			t.Errorf("userNames (-want +got):\n%s", diff)
		}
		r0 := body["Resources"].([]any)[0].(map[string]any)
		var keys []string
		for k := range r0 {
			keys = append(keys, k)
		}
		if diff := cmp.Diff([]string{"id", "schemas", "userName"}, sortStrings(keys)); diff != "" {
			t.Errorf("projected keys (-want +got):\n%s", diff)
		}
	})
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestProjection(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	rec := e.do(t, http.MethodPost, "/Users", `{"externalId":"x1","userName":"pat","name":{"givenName":"Pat","familyName":"Lee"},
		"emails":[{"value":"pat@example.com","type":"work","primary":true},{"value":"p@home.example","type":"home"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7","department":"R&D"}}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	id := decode(t, rec)["id"].(string)
	tests := []struct {
		name  string
		query string
		want  map[string]any
	}{
		{name: "attributes", query: "attributes=userName,name.givenName,emails.value", want: map[string]any{
			"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}, "id": id, "userName": "pat",
			"name":   map[string]any{"givenName": "Pat"},
			"emails": []any{map[string]any{"value": "pat@example.com"}, map[string]any{"value": "p@home.example"}},
		}},
		{name: "extension attribute by URN", query: "attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", want: map[string]any{
			"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}, "id": id,
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "R&D"},
		}},
		{name: "id cannot be excluded", query: "excludedAttributes=id,emails,name,meta,externalId,active,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", want: map[string]any{
			"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}, "id": id, "userName": "pat",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := e.do(t, http.MethodGet, "/Users/"+id+"?"+tc.query, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if diff := cmp.Diff(tc.want, decode(t, rec)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The stored document is not changed by a projection.
	rec = e.do(t, http.MethodGet, "/Users/"+id, nil)
	if got := decode(t, rec)["emails"].([]any)[0].(map[string]any)["type"]; got != "work" {
		t.Errorf("emails[0].type after projections = %v", got)
	}
}

func TestETags(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	rec := e.do(t, http.MethodGet, "/Users/"+id, nil)
	tag := rec.Header().Get("ETag")
	if tag != `W/"1"` {
		t.Fatalf("ETag = %q", tag)
	}
	if got := decode(t, rec)["meta"].(map[string]any)["version"]; got != tag {
		t.Errorf("meta.version = %v, want %s", got, tag)
	}
	if rec := e.do(t, http.MethodGet, "/Users/"+id, nil, "If-None-Match", tag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match current: %d %q, want 304 empty", rec.Code, rec.Body)
	}
	patchTitle := `{"Operations":[{"op":"add","path":"title","value":"Boss"}]}`
	rec = e.do(t, http.MethodPatch, "/Users/"+id, patchTitle, "If-Match", tag)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH with current If-Match: %d %s", rec.Code, rec.Body)
	}
	newTag := rec.Header().Get("ETag")
	if newTag == tag {
		t.Errorf("ETag unchanged after PATCH: %s", newTag)
	}
	if rec := e.do(t, http.MethodPatch, "/Users/"+id, patchTitle, "If-Match", tag); rec.Code != http.StatusPreconditionFailed {
		t.Errorf("PATCH with stale If-Match: %d, want 412", rec.Code)
	}
	if rec := e.do(t, http.MethodPatch, "/Users/"+id, patchTitle, "If-Match", "*"); rec.Code != http.StatusOK {
		t.Errorf("PATCH with If-Match *: %d, want 200", rec.Code)
	}
	if rec := e.do(t, http.MethodGet, "/Users/"+id, nil, "If-None-Match", tag); rec.Code != http.StatusOK {
		t.Errorf("If-None-Match stale: %d, want 200", rec.Code)
	}
	cur := e.do(t, http.MethodGet, "/Users/"+id, nil).Header().Get("ETag")
	if rec := e.do(t, http.MethodDelete, "/Users/"+id, nil, "If-Match", `W/"1", `+cur); rec.Code != http.StatusNoContent {
		t.Errorf("DELETE with matching tag in list: %d %s", rec.Code, rec.Body)
	}
}

func TestPatchAndDeleteLifecycle(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	steps := []struct {
		name   string
		method string
		body   string
		status int
		check  func(t *testing.T, body map[string]any)
	}{
		{name: "entra disable with string False", method: "PATCH", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, status: 200,
			check: func(t *testing.T, b map[string]any) { wantField(t, b, "active", false) }},
		{name: "PATCH without active keeps it inactive", method: "PATCH", body: `{"Operations":[{"op":"add","path":"title","value":"x"}]}`, status: 200,
			check: func(t *testing.T, b map[string]any) { wantField(t, b, "active", false) }},
		{name: "okta enable without path", method: "PATCH", body: `{"Operations":[{"op":"replace","value":{"active":true}}]}`, status: 200,
			check: func(t *testing.T, b map[string]any) { wantField(t, b, "active", true) }},
		{name: "externalId change", method: "PATCH", body: `{"Operations":[{"op":"replace","path":"externalId","value":"ext-new"}]}`, status: 200,
			check: func(t *testing.T, b map[string]any) { wantField(t, b, "externalId", "ext-new") }},
		{name: "delete", method: "DELETE", status: 204},
		{name: "get after delete", method: "GET", status: 404},
		{name: "delete again", method: "DELETE", status: 404},
	}
	for _, s := range steps {
		rec := e.do(t, s.method, "/Users/"+id, s.body)
		if rec.Code != s.status {
			t.Fatalf("%s: %d %s", s.name, rec.Code, rec.Body)
		}
		if s.status == http.StatusNoContent {
			if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
				t.Errorf("%s: 204 with body %q / Content-Type %q", s.name, rec.Body, rec.Header().Get("Content-Type"))
			}
		}
		if s.check != nil {
			s.check(t, decode(t, rec))
		}
	}
	// A later POST for the person reprovisions the hidden identity.
	rec := e.do(t, http.MethodPost, "/Users", `{"externalId":"ext-new","userName":"alice","emails":[{"value":"alice@example.com","type":"work"}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("re-POST: %d %s", rec.Code, rec.Body)
	}
	wantField(t, decode(t, rec), "active", true)
}

func wantField(t *testing.T, body map[string]any, key string, want any) {
	t.Helper()
	if got := body[key]; got != want {
		t.Errorf("%s = %#v, want %#v (body %v)", key, got, want, body)
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, WithMaxCount(50, 20))
	rec := e.do(t, http.MethodGet, "/ServiceProviderConfig", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	sp := decode(t, rec)
	if diff := cmp.Diff(map[string]any{"supported": true, "maxResults": float64(50)}, sp["filter"]); diff != "" {
		t.Errorf("filter (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("http://example.com/api/scim/v2/groups/acme/ServiceProviderConfig", sp["meta"].(map[string]any)["location"]); diff != "" {
		t.Errorf("location (-want +got):\n%s", diff)
	}
	rec = e.do(t, http.MethodGet, "/ResourceTypes", nil)
	rts := decode(t, rec)
	var names []string
	for _, r := range rts["Resources"].([]any) {
		names = append(names, r.(map[string]any)["name"].(string)+" "+r.(map[string]any)["endpoint"].(string))
	}
	if diff := cmp.Diff([]string{"User /Users", "Group /Groups"}, names); diff != "" || rts["totalResults"] != float64(2) {
		t.Errorf("ResourceTypes (-want +got):\n%s\ntotalResults %v", diff, rts["totalResults"])
	}
	rec = e.do(t, http.MethodGet, "/ResourceTypes/User", nil)
	if got := decode(t, rec)["schemaExtensions"]; !cmp.Equal(got, []any{map[string]any{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}}) {
		t.Errorf("schemaExtensions = %v", got)
	}
	rec = e.do(t, http.MethodGet, "/Schemas", nil)
	var ids []string
	for _, r := range decode(t, rec)["Resources"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	if diff := cmp.Diff([]string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:Group"}, ids); diff != "" {
		t.Errorf("schema ids (-want +got):\n%s", diff)
	}
	rec = e.do(t, http.MethodGet, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil)
	sch := decode(t, rec)
	var userName map[string]any
	for _, a := range sch["attributes"].([]any) {
		if a.(map[string]any)["name"] == "userName" {
			userName = a.(map[string]any)
		}
	}
	if userName == nil || userName["uniqueness"] != "server" || userName["required"] != true {
		t.Errorf("userName attribute = %v", userName)
	}
	// Discovery needs the token too.
	if rec := e.do(t, http.MethodGet, "/Schemas", nil, "Authorization", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("Schemas without token: %d", rec.Code)
	}
	// HEAD is served where GET is.
	if rec := e.do(t, http.MethodHead, "/Schemas", nil); rec.Code != http.StatusOK {
		t.Errorf("HEAD /Schemas: %d", rec.Code)
	}
}

func TestContentNegotiation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	body := `{"externalId":"x","userName":"json","emails":[{"value":"json@example.com","type":"work"}]}`
	rec := e.do(t, http.MethodPost, "/Users", body, "Content-Type", "application/json; charset=utf-8", "Accept", "application/json")
	if rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type for Accept: application/json = %q", ct)
	}
	rec = e.do(t, http.MethodGet, "/Users", nil, "Accept", "application/scim+json, application/json")
	if ct := rec.Header().Get("Content-Type"); ct != "application/scim+json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestMounting(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	prov, err := identity.New(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := prov.CreateGroup(context.Background(), identity.GroupSpec{Path: "solo", Token: "solo-token-0123456789"}); err != nil {
		t.Fatal(err)
	}
	h, err := New(prov, WithGroup("solo"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	req := httptest.NewRequest(http.MethodPost, "/scim/v2/Users", strings.NewReader(`{"externalId":"x","userName":"u","emails":[{"value":"u@example.com","type":"work"}]}`))
	req.Header.Set("Authorization", "Bearer solo-token-0123456789")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	id := decode(t, rec)["id"].(string)
	if diff := cmp.Diff("http://example.com/scim/v2/Users/"+id, rec.Header().Get("Location")); diff != "" {
		t.Errorf("Location under StripPrefix (-want +got):\n%s", diff)
	}
	h2, err := New(prov, WithGroup("solo"), WithPrefix("/scim"), WithBaseURL("https://idp-facing.example/proxy"))
	if err != nil {
		t.Fatal(err)
	}
	req = httptest.NewRequest(http.MethodGet, "/scim/Users/"+id, nil)
	req.Header.Set("Authorization", "Bearer solo-token-0123456789")
	rec = httptest.NewRecorder()
	h2.ServeHTTP(rec, req)
	if got := decode(t, rec)["meta"].(map[string]any)["location"]; got != "https://idp-facing.example/proxy/scim/Users/"+id {
		t.Errorf("meta.location with WithBaseURL = %v", got)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	prov, err := identity.New(memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	// The wire profile is the provisioner's: rules that are neither
	// identity.RFCProfile() nor identity.GitLabProfile() have none.
	custom := identity.RFCProfile()
	custom.DedupeHeldUserName = true
	customRules, err := identity.New(memstore.New(), identity.WithProfile(custom))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		prov *identity.Provisioner
		opts []Option
	}{
		{name: "nil provisioner", opts: []Option{WithGroup("g")}},
		{name: "no group", prov: prov},
		{name: "relative prefix", prov: prov, opts: []Option{WithPrefix("scim/{group}")}},
		{name: "other wildcard", prov: prov, opts: []Option{WithPrefix("/scim/{tenant}")}},
		{name: "two group wildcards", prov: prov, opts: []Option{WithPrefix("/{group}/{group}")}},
		{name: "relative base URL", prov: prov, opts: []Option{WithGroup("g"), WithBaseURL("/x")}},
		{name: "tiny body limit", prov: prov, opts: []Option{WithGroup("g"), WithMaxBodyBytes(10)}},
		{name: "zero count", prov: prov, opts: []Option{WithGroup("g"), WithMaxCount(0, 0)}},
		{name: "nil logger", prov: prov, opts: []Option{WithGroup("g"), WithLogger(nil)}},
		{name: "group and {group}", prov: prov, opts: []Option{WithGroup("g"), WithPrefix("/x/{group}")}},
		{name: "rules of no wire profile", prov: customRules, opts: []Option{WithGroup("g")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := New(tc.prov, tc.opts...); err == nil || !strings.HasPrefix(err.Error(), "scim: ") {
				t.Errorf("New error = %v, want a scim: error", err)
			}
		})
	}
}

// failingStore fails every operation once armed, like a database gone away.
// With err set it fails with that error, else with a driver-like one.
type failingStore struct {
	store.Store
	fail bool
	err  error
}

func (f *failingStore) failure() error {
	if f.err != nil {
		return f.err
	}
	return errors.New("pq: connection refused to 10.0.0.5 password=hunter2")
}

func (f *failingStore) View(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	if f.fail {
		return f.failure()
	}
	return f.Store.View(ctx, fn)
}

func (f *failingStore) Update(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	if f.fail {
		return f.failure()
	}
	return f.Store.Update(ctx, fn)
}

func TestInternalErrorIsHidden(t *testing.T) {
	t.Parallel()
	fs := &failingStore{Store: memstore.New()}
	prov, err := identity.New(fs)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := prov.CreateGroup(context.Background(), identity.GroupSpec{Path: "acme", Token: "acme-token-0123456789"}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h, err := New(prov, WithPrefix(testPrefix), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), WithRequestID(func() string { return "req-42" }))
	if err != nil {
		t.Fatal(err)
	}
	fs.fail = true
	req := httptest.NewRequest(http.MethodGet, "/api/scim/v2/groups/acme/Users", nil)
	req.Header.Set("Authorization", "Bearer acme-token-0123456789")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"internal server error"}`
	if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if rec.Header().Get("X-Request-Id") != "req-42" {
		t.Errorf("X-Request-Id = %q", rec.Header().Get("X-Request-Id"))
	}
	if l := logs.String(); !strings.Contains(l, "request_id=req-42") || !strings.Contains(l, "connection refused") {
		t.Errorf("log does not hold the request id and the error: %s", l)
	}
}

// TestUnavailableStoreIs503 checks that a store reporting
// store.ErrUnavailable gives 503 with a fixed detail and Retry-After, the
// store's own error going only to the log.
func TestUnavailableStoreIs503(t *testing.T) {
	t.Parallel()
	fs := &failingStore{Store: memstore.New(), err: fmt.Errorf("sqlstore: dial 10.0.0.5 password=hunter2: %w", store.ErrUnavailable)}
	prov, err := identity.New(fs)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := prov.CreateGroup(context.Background(), identity.GroupSpec{Path: "acme", Token: "acme-token-0123456789"}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h, err := New(prov, WithPrefix(testPrefix), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	fs.fail = true
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req := httptest.NewRequest(method, "/api/scim/v2/groups/acme/Users", strings.NewReader(`{"userName":"a","externalId":"a","emails":[{"value":"a@example.com","primary":true}]}`))
		req.Header.Set("Authorization", "Bearer acme-token-0123456789")
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"503","detail":"` + unavailableDetail + `"}`
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", method, rec.Code)
		}
		if got := rec.Header().Get("Retry-After"); got != "1" {
			t.Errorf("%s: Retry-After %q, want 1", method, got)
		}
		if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", method, diff)
		}
	}
	if l := logs.String(); !strings.Contains(l, "hunter2") {
		t.Errorf("log does not hold the store's error: %s", l)
	}
}

func TestPatchPreferMinimalAndProjection(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	rec := e.do(t, http.MethodPatch, "/Users/"+id, `{"Operations":[{"op":"add","path":"title","value":"x"}]}`, "Prefer", "return=minimal")
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 || rec.Header().Get("ETag") != `W/"2"` {
		t.Errorf("Prefer: return=minimal: %d %q ETag %q", rec.Code, rec.Body, rec.Header().Get("ETag"))
	}
	rec = e.do(t, http.MethodPatch, "/Users/"+id+"?attributes=title", `{"Operations":[{"op":"add","path":"nickName","value":"al"}]}`)
	if diff := cmp.Diff(map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": id, "title": "x"}, decode(t, rec)); diff != "" {
		t.Errorf("PATCH ?attributes=title (-want +got):\n%s", diff)
	}
	// A malformed projection is refused before anything is written.
	before := e.snapshot(t)
	rec = e.do(t, http.MethodPatch, "/Users/"+id+"?attributes=a[b", `{"Operations":[{"op":"add","path":"title","value":"y"}]}`)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("bad attributes: %d", rec.Code)
	}
	rec = e.do(t, http.MethodPost, "/Users?excludedAttributes=a%20b", `{"externalId":"e2","userName":"bob","emails":[{"value":"bob@example.com","type":"work"}]}`)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("bad excludedAttributes on POST: %d", rec.Code)
	}
	if diff := cmp.Diff(before, e.snapshot(t)); diff != "" {
		t.Errorf("store changed (-before +after):\n%s", diff)
	}
}

// panicStore panics inside a read, standing in for a bug below the handler.
type panicStore struct{ store.Store }

func (p panicStore) View(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	panic("boom")
}

func TestPanicIsAnInternalError(t *testing.T) {
	t.Parallel()
	prov, err := identity.New(panicStore{memstore.New()})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h, err := New(prov, WithGroup("acme"), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/Users", nil)
	req.Header.Set("Authorization", "Bearer acme-token-0123456789")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"detail":"internal server error"`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

// TestChunkedBodyLimit sends bodies without Content-Length: the limit still
// holds while reading.
func TestChunkedBodyLimit(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, WithMaxBodyBytes(4096))
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	before := e.snapshot(t)
	for _, rq := range []struct{ method, path, body string }{
		{http.MethodPost, "/Users", `{"userName":"` + strings.Repeat("a", 5000) + `"}`},
		{http.MethodPatch, "/Users/" + id, `{"Operations":[{"op":"add","path":"title","value":"` + strings.Repeat("a", 5000) + `"}]}`},
		{http.MethodPost, "/Users/.search", `{"filter":"` + strings.Repeat("a", 5000) + `"}`},
	} {
		req := httptest.NewRequest(rq.method, e.base+rq.path, strings.NewReader(rq.body))
		req.ContentLength = -1
		req.Header.Set("Authorization", "Bearer "+e.token)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"status":"413"`) {
			t.Errorf("%s %s: %d %s", rq.method, rq.path, rec.Code, rec.Body)
		}
	}
	if diff := cmp.Diff(before, e.snapshot(t)); diff != "" {
		t.Errorf("store changed (-before +after):\n%s", diff)
	}
}

func TestStrictFilters(t *testing.T) {
	t.Parallel()
	const target = `/Users?filter=favoriteColor%20eq%20%22x%22`
	lenient := newTestEnv(t)
	if rec := lenient.do(t, http.MethodGet, target, nil); rec.Code != http.StatusOK {
		t.Errorf("lenient: %d %s", rec.Code, rec.Body)
	}
	strict := newTestEnv(t, WithStrictFilters())
	rec := strict.do(t, http.MethodGet, target, nil)
	if rec.Code != http.StatusBadRequest || decode(t, rec)["scimType"] != TypeInvalidFilter {
		t.Errorf("strict: %d %s", rec.Code, rec.Body)
	}
}
