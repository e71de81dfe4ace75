package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/store"
)

// Review tests of the RFC profile: what the discovery documents advertise
// is what the handler does, and the corners of routing, projection and
// sorting that the main tests do not reach. A test that meets a known,
// reported defect skips with "known: ..." and the defect; it fails on any
// other wrong answer, and passes once the defect is fixed.

// TestReviewDiscoveryMatchesBehaviour checks each capability
// /ServiceProviderConfig advertises against a request that uses it, and
// that /Schemas/{id} and /ResourceTypes/{name} serve the documents the
// collections list.
func TestReviewDiscoveryMatchesBehaviour(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, WithMaxCount(3, 2))
	for i := range 4 {
		e.createUser(t, fmt.Sprintf("ext-%d", i), fmt.Sprintf("user%d", 3-i), fmt.Sprintf("u%d@example.com", i))
	}

	rec := e.do(t, http.MethodGet, "/ServiceProviderConfig", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /ServiceProviderConfig: %d %s", rec.Code, rec.Body)
	}
	sp := decode(t, rec)
	want := map[string]any{
		"patch":          map[string]any{"supported": true},
		"filter":         map[string]any{"supported": true, "maxResults": float64(3)},
		"sort":           map[string]any{"supported": true},
		"etag":           map[string]any{"supported": true},
		"changePassword": map[string]any{"supported": false},
		"bulk":           map[string]any{"supported": false, "maxOperations": float64(0), "maxPayloadSize": float64(0)},
	}
	got := map[string]any{}
	for k := range want {
		got[k] = sp[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ServiceProviderConfig capabilities (-want +got):\n%s", diff)
	}
	if schemes, _ := sp["authenticationSchemes"].([]any); len(schemes) != 1 || schemes[0].(map[string]any)["type"] != "oauthbearertoken" {
		t.Errorf("authenticationSchemes = %v, want one oauthbearertoken", sp["authenticationSchemes"])
	}

	// filter.maxResults: a larger count is cut to it.
	list := decode(t, e.do(t, http.MethodGet, "/Users?count=1000", nil))
	if n := len(list["Resources"].([]any)); n != 3 || list["itemsPerPage"] != float64(3) || list["totalResults"] != float64(4) {
		t.Errorf("count=1000 with maxResults 3: %d resources, itemsPerPage %v, totalResults %v", n, list["itemsPerPage"], list["totalResults"])
	}
	// sort: sortBy and sortOrder order the page.
	var names []string
	for _, r := range decode(t, e.do(t, http.MethodGet, "/Users?sortBy=userName&sortOrder=ascending&count=3", nil))["Resources"].([]any) {
		names = append(names, r.(map[string]any)["userName"].(string))
	}
	if diff := cmp.Diff([]string{"user0", "user1", "user2"}, names); diff != "" {
		t.Errorf("sortBy=userName (-want +got):\n%s", diff)
	}
	// etag: GET gives an ETag equal to meta.version, and If-None-Match
	// with it answers 304.
	id := decode(t, e.do(t, http.MethodGet, "/Users?filter="+q(`userName eq "user0"`), nil))["Resources"].([]any)[0].(map[string]any)["id"].(string)
	rec = e.do(t, http.MethodGet, "/Users/"+id, nil)
	tag := rec.Header().Get("ETag")
	if v := decode(t, rec)["meta"].(map[string]any)["version"]; tag == "" || v != tag {
		t.Errorf("ETag %q, meta.version %v", tag, v)
	}
	if rec := e.do(t, http.MethodGet, "/Users/"+id, nil, "If-None-Match", tag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the current ETag: %d, want 304", rec.Code)
	}
	// patch: a PatchOp is applied.
	if rec := e.do(t, http.MethodPatch, "/Users/"+id, `{"Operations":[{"op":"add","path":"title","value":"Boss"}]}`); rec.Code != http.StatusOK || decode(t, rec)["title"] != "Boss" {
		t.Errorf("PATCH: %d %s", rec.Code, rec.Body)
	}
	// bulk: not supported, so there is no /Bulk.
	if rec := e.do(t, http.MethodPost, "/Bulk", `{}`); rec.Code != http.StatusNotFound {
		t.Errorf("POST /Bulk: %d, want 404", rec.Code)
	}

	// Every listed schema and resource type is served by its id.
	for _, coll := range []struct{ path, key string }{{"/Schemas", "id"}, {"/ResourceTypes", "id"}} {
		rec := e.do(t, http.MethodGet, coll.path, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", coll.path, rec.Code)
		}
		items := decode(t, rec)["Resources"].([]any)
		if len(items) == 0 {
			t.Errorf("GET %s: no resources", coll.path)
		}
		for _, it := range items {
			doc := it.(map[string]any)
			id, _ := doc[coll.key].(string)
			one := e.do(t, http.MethodGet, coll.path+"/"+id, nil)
			if one.Code != http.StatusOK {
				t.Errorf("GET %s/%s: %d", coll.path, id, one.Code)
				continue
			}
			if diff := cmp.Diff(doc, decode(t, one)); diff != "" {
				t.Errorf("GET %s/%s differs from its entry in %s (-list +one):\n%s", coll.path, id, coll.path, diff)
			}
		}
	}
	if rec := e.do(t, http.MethodGet, "/ResourceTypes/User", nil); rec.Code != http.StatusOK || decode(t, rec)["endpoint"] != "/Users" {
		t.Errorf("GET /ResourceTypes/User: %d %s", rec.Code, rec.Body)
	}
}

// TestReviewSortByValuePath: a sortBy that parses as a path but names a
// value filter (RFC 7644 §3.4.2.3 wants a plain attribute) is the
// client's mistake, a 400, never a 500, on GET and on /.search.
func TestReviewSortByValuePath(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createUser(t, "ext-1", "alice", "alice@example.com")
	before := e.snapshot(t)
	for _, tc := range []struct{ name, method, path, body string }{
		{"GET", http.MethodGet, "/Users?sortBy=" + q(`emails[type eq "work"].value`), ""},
		{"search", http.MethodPost, "/Users/.search", `{"sortBy":"emails[type eq \"work\"].value"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			rec := e.do(t, tc.method, tc.path, body)
			if rec.Code != http.StatusBadRequest || decode(t, rec)["scimType"] != TypeInvalidValue {
				t.Errorf("%d %s, want 400 invalidValue", rec.Code, rec.Body)
			}
		})
	}
	if diff := cmp.Diff(before, e.snapshot(t)); diff != "" {
		t.Errorf("store changed (-before +after):\n%s", diff)
	}
}

// TestReviewProjectionKeepsAlwaysReturned: id and schemas are returned
// whatever attributes or excludedAttributes ask (RFC 7643 §7 "always";
// RFC 7644 §3.4.2.5), on GET one and in lists.
func TestReviewProjectionKeepsAlwaysReturned(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	for _, query := range []string{
		"excludedAttributes=id",
		"excludedAttributes=schemas",
		"excludedAttributes=id,schemas,userName",
		"attributes=title",
		"attributes=userName&excludedAttributes=schemas",
	} {
		t.Run(query, func(t *testing.T) {
			for _, path := range []string{"/Users/" + id + "?" + query, "/Users?" + query} {
				rec := e.do(t, http.MethodGet, path, nil)
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
				}
				doc := decode(t, rec)
				if res, ok := doc["Resources"].([]any); ok {
					doc = res[0].(map[string]any)
				}
				if doc["id"] != id {
					t.Errorf("GET %s: id missing: %v", path, doc)
				}
				if _, ok := doc["schemas"]; !ok {
					t.Errorf("GET %s: schemas missing: %v", path, doc)
				}
			}
		})
	}
}

// TestReviewRoutingCorners: the routes' neighbours get SCIM answers.
func TestReviewRoutingCorners(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")

	// Every route of routes.go, with its method, is served (not 404/405).
	for _, rt := range []struct{ method, path, body string }{
		{http.MethodGet, "/Users", ""},
		{http.MethodHead, "/Users", ""},
		{http.MethodPost, "/Users/.search", `{}`},
		{http.MethodGet, "/Users/" + id, ""},
		{http.MethodHead, "/Users/" + id, ""},
		{http.MethodPut, "/Users/" + id, `{"externalId":"ext-1","userName":"alice","emails":[{"value":"alice@example.com","type":"work"}]}`},
		{http.MethodPatch, "/Users/" + id, `{"Operations":[{"op":"add","path":"title","value":"x"}]}`},
		{http.MethodGet, "/ServiceProviderConfig", ""},
		{http.MethodGet, "/ResourceTypes", ""},
		{http.MethodGet, "/ResourceTypes/User", ""},
		{http.MethodGet, "/Schemas", ""},
		{http.MethodGet, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", ""},
		{http.MethodDelete, "/Users/" + id, ""},
		{http.MethodPost, "/Users", `{"externalId":"ext-2","userName":"bob","emails":[{"value":"bob@example.com","type":"work"}]}`},
	} {
		var body any
		if rt.body != "" {
			body = rt.body
		}
		rec := e.do(t, rt.method, rt.path, body)
		if rec.Code >= 300 {
			t.Errorf("%s %s: %d %s", rt.method, rt.path, rec.Code, rec.Body)
		}
	}

	// /Users/.search is POST only: another method is a 405, not a GET of
	// a user called ".search".
	rec := e.do(t, http.MethodGet, "/Users/.search", nil)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET /Users/.search: %d Allow %q %s, want 405 Allow: POST", rec.Code, rec.Header().Get("Allow"), rec.Body)
	}

	// The group's root itself, without a trailing slash, is no endpoint:
	// a SCIM 404, not a redirect.
	rec = e.do(t, http.MethodGet, "/api/scim/v2/groups/acme", nil)
	if rec.Code != http.StatusNotFound || decode(t, rec)["status"] != "404" {
		t.Errorf("GET the group root: %d %s, want a SCIM 404", rec.Code, rec.Body)
	}
}

// TestReviewConcurrentLifecycle races deprovisioning, reprovisioning,
// replacement, deletion and re-creation of one person. Whatever order
// the store serialises them in, no request fails with a 5xx, and the
// state left is consistent: the person's identity (the first one, or the
// one a POST after the DELETE made) is active exactly when the account is
// a member of the group, and the document shows the same active.
func TestReviewConcurrentLifecycle(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.createUser(t, "ext-1", "alice", "alice@example.com")
	post := `{"externalId":"ext-1","userName":"alice","emails":[{"value":"alice@example.com","type":"work"}]}`
	reqs := []struct{ method, path, body string }{
		{http.MethodPatch, "/Users/" + id, `{"Operations":[{"op":"replace","path":"active","value":false}]}`},
		{http.MethodPatch, "/Users/" + id, `{"Operations":[{"op":"replace","value":{"active":true}}]}`},
		{http.MethodPut, "/Users/" + id, strings.Replace(post, `"userName"`, `"active":false,"userName"`, 1)},
		{http.MethodPut, "/Users/" + id, strings.Replace(post, `"userName"`, `"active":true,"userName"`, 1)},
		{http.MethodDelete, "/Users/" + id, ""},
		{http.MethodPost, "/Users", post},
	}
	const rounds = 8
	codes := make(chan string, rounds*len(reqs))
	var wg sync.WaitGroup
	for range rounds {
		for _, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var body any
				if r.body != "" {
					body = r.body
				}
				rec := e.do(t, r.method, r.path, body)
				if rec.Code >= 500 {
					codes <- fmt.Sprintf("%s %s: %d %s", r.method, r.path, rec.Code, rec.Body)
				}
			}()
		}
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		t.Error(c)
	}
	err := e.st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		// A POST after the DELETE gives the person a new identity (and
		// id): find it by its extern_uid.
		s, err := tx.SCIMIdentityByExternUID(ctx, "g-acme", "ext-1")
		if err != nil {
			return err
		}
		_, merr := tx.Membership(ctx, "g-acme", s.UserID)
		member := merr == nil
		if merr != nil && !errors.Is(merr, store.ErrNotFound) {
			return merr
		}
		if s.Active != member {
			t.Errorf("identity active=%v deleted=%v but member=%v", s.Active, s.Deleted, member)
		}
		if doc, ok := s.Document["active"].(bool); ok && doc != s.Active {
			t.Errorf("document active=%v, identity active=%v", doc, s.Active)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
