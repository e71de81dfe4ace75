package scim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/store"
)

// Review tests of the GitLab profile (docs/gitlab.md §1-§8): exact
// bytes for the answers the main tests do not pin, and bad input that
// must leave the store as it was.

// glListAll is the group's whole list as GitLab shows it, a stand-in for
// the store's state as far as the wire can see it.
func (e *glEnv) glListAll(t *testing.T) string {
	t.Helper()
	w := e.do(t, http.MethodGet, glBase+"/Users?count=100", glToken, "")
	if w.Code != http.StatusOK {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	return w.Body.String()
}

// TestReviewGitLabUnsupportedFilters: every filter beyond GitLab's forms
// (attribute eq value, for id, externalId and userName) is 412
// "Unsupported Filter" with a numeric status, compound ones included.
func TestReviewGitLabUnsupportedFilters(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	check(t, e.do(t, http.MethodPost, glBase+"/Users", glToken, glPost), 201, glTestUser)
	unsupported := glErrJSON(412, "Unsupported Filter")
	for _, f := range []string{
		`userName eq "username" or id eq "x"`,
		`id eq "test_uid" and userName eq "username"`,
		`userName eq "username" and`,
		`not (id eq "test_uid")`,
		`(id eq "test_uid")`,
		`id pr`,
		`userName co "user"`,
		`userName sw "user"`,
		`userName ew "name"`,
		`id gt "a"`,
		`id Eq "test_uid"`,
		`ID eq "test_uid"`,
		`externalid eq "test_uid"`,
		`emails eq "work@example.com"`,
		`emails.value eq "work@example.com"`,
		`name.formatted eq "Test Name"`,
		`meta.resourceType eq "User"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "username"`,
		`userName`,
		`userName eq`,
		`eq "x"`,
		"id eq \"\xff\"",
		`id eq "test_uid" "x"`,
	} {
		t.Run(f, func(t *testing.T) {
			check(t, e.do(t, http.MethodGet, glBase+"/Users?filter="+q(f), glToken, ""), 412, unsupported)
		})
	}
	// The supported forms with GitLab's quoting: quotes optional.
	for _, f := range []string{`id eq "test_uid"`, `id eq test_uid`, `externalId eq "TEST_UID"`, `userName eq "username"`, `userName eq "work@example.com"`} {
		t.Run("supported "+f, func(t *testing.T) {
			check(t, e.do(t, http.MethodGet, glBase+"/Users?filter="+q(f), glToken, ""), 200, glListJSON(1, 20, "1", glTestUser))
		})
	}
}

// TestReviewGitLabWireShapes pins the exact bytes of GitLab's success
// and error answers along one identity's life: 201 user, 204 PATCH and
// DELETE without a body or Content-Type, the identity still listed and
// readable with active false, and every error with a numeric status.
func TestReviewGitLabWireShapes(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	check(t, e.do(t, http.MethodPost, glBase+"/Users", glToken, glPost), 201, glTestUser)
	inactive := strings.Replace(glTestUser, `"active":true`, `"active":false`, 1)

	check(t, e.do(t, http.MethodPatch, glBase+"/Users/test_uid", glToken,
		`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`), 204, "")
	check(t, e.do(t, http.MethodGet, glBase+"/Users/test_uid", glToken, ""), 200, inactive)
	// A PATCH without active does not reactivate (deliberately unlike GitLab).
	check(t, e.do(t, http.MethodPatch, glBase+"/Users/test_uid", glToken,
		`{"Operations":[{"op":"replace","path":"nickName","value":"Ignored"}]}`), 204, "")
	check(t, e.do(t, http.MethodGet, glBase+"/Users/test_uid", glToken, ""), 200, inactive)
	// active true does.
	check(t, e.do(t, http.MethodPatch, glBase+"/Users/test_uid", glToken,
		`{"Operations":[{"op":"replace","value":{"active":true}}]}`), 204, "")
	check(t, e.do(t, http.MethodGet, glBase+"/Users/test_uid", glToken, ""), 200, glTestUser)
	// DELETE: 204, still listed and readable with active false.
	check(t, e.do(t, http.MethodDelete, glBase+"/Users/test_uid", glToken, ""), 204, "")
	check(t, e.do(t, http.MethodGet, glBase+"/Users?filter="+q(`id eq "test_uid"`), glToken, ""), 200, glListJSON(1, 20, "1", inactive))
	check(t, e.do(t, http.MethodGet, glBase+"/Users?count=-5&startIndex=1", glToken, ""), 200, glListJSON(1, 20, `"1"`, inactive))

	// Errors: SCIM shape with a numeric status, key order schemas,
	// detail, status.
	check(t, e.do(t, http.MethodPatch, glBase+"/Users/nobody", glToken, `{"Operations":[]}`), 404, glErrJSON(404, "Resource nobody not found"))
	check(t, e.do(t, http.MethodDelete, glBase+"/Users/nobody", glToken, ""), 404, glErrJSON(404, "Resource nobody not found"))
	check(t, e.do(t, http.MethodGet, "/api/scim/v2/groups/nope/Users/test_uid?access_token=x", "", ""), 404, glErrJSON(404, "Group nope not found"))
	check(t, e.do(t, http.MethodPost, "/api/scim/v2/groups/nope/Users", "", glPost), 404, glErrJSON(404, "Group nope not found"))
	// The token is looked at after the group, and in access_token first.
	check(t, e.do(t, http.MethodGet, glBase+"/Users?access_token=", "", ""), 401, `{"message":"401 Unauthorized"}`)
	check(t, e.do(t, http.MethodGet, glBase+"/Users?access_token="+glToken+"x", glToken, ""), 401, `{"message":"401 Unauthorized"}`)
}

// TestReviewGitLabBadBodies: a body GitLab's framework would refuse
// changes nothing. Invalid UTF-8 inside a JSON string is a malformed body
// (400, as for invalid JSON), and a body declared as a type that is
// neither JSON nor a form is refused (415, RFC profile's status for it);
// neither may be provisioned.
func TestReviewGitLabBadBodies(t *testing.T) {
	t.Parallel()
	post := `{"externalId":"x2","userName":"u2","emails":[{"type":"work","value":"x2@example.com"}],"name":{"formatted":"X Two"}}`
	deprovision := `{"Operations":[{"op":"replace","path":"active","value":false}]}`
	tests := []struct {
		name, method, path, body, ct string
		// status is the refusal expected; body its exact text when set.
		status  int
		body415 string
	}{
		{name: "invalid UTF-8 in a POST string", method: http.MethodPost, path: "/Users", body: strings.Replace(post, `"x2"`, "\"x\xff2\"", 1), status: http.StatusBadRequest},
		{name: "invalid UTF-8 in a PATCH key", method: http.MethodPatch, path: "/Users/test_uid", body: strings.Replace(deprovision, `"active"`, "\"active\xff\"", 1), status: http.StatusBadRequest},
		{name: "invalid UTF-8 in a new id", method: http.MethodPatch, path: "/Users/test_uid", body: `{"Operations":[{"op":"replace","path":"id","value":"a` + "\xfe" + `"}]}`, status: http.StatusBadRequest},
		{name: "text/plain POST", method: http.MethodPost, path: "/Users", body: post, ct: "text/plain", status: http.StatusUnsupportedMediaType, body415: `{"error":"The provided content-type 'text/plain' is not supported."}`},
		{name: "text/plain PATCH", method: http.MethodPatch, path: "/Users/test_uid", body: deprovision, ct: "text/plain", status: http.StatusUnsupportedMediaType, body415: `{"error":"The provided content-type 'text/plain' is not supported."}`},
		{name: "application/xml POST", method: http.MethodPost, path: "/Users", body: post, ct: "application/xml", status: http.StatusUnsupportedMediaType, body415: `{"error":"The provided content-type 'application/xml' is not supported."}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newGLEnv(t, ProfileGitLab)
			check(t, e.do(t, http.MethodPost, glBase+"/Users", glToken, glPost), 201, glTestUser)
			before := e.glListAll(t)
			r := httptest.NewRequest(tc.method, glBase+tc.path, strings.NewReader(tc.body))
			ct := tc.ct
			if ct == "" {
				ct = "application/scim+json"
			}
			r.Header.Set("Content-Type", ct)
			r.Header.Set("Authorization", "Bearer "+glToken)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if w.Code != tc.status || !strings.HasPrefix(w.Body.String(), `{"error":`) {
				t.Errorf("%d %s, want %d with GitLab's {\"error\": ...} refusal", w.Code, w.Body, tc.status)
			}
			if tc.body415 != "" && w.Body.String() != tc.body415 {
				t.Errorf("body %s, want %s", w.Body, tc.body415)
			}
			if diff := cmp.Diff(before, e.glListAll(t)); diff != "" {
				t.Errorf("the group changed (-before +after):\n%s", diff)
			}
		})
	}
}

// Known defects TestReviewGitLabBadBodies meets.

// TestReviewGitLabConcurrentLifecycle races GitLab's deprovisioning,
// reprovisioning, DELETE and repeated POST of one identity: no 5xx, and
// the identity ends active exactly when its account is a member.
func TestReviewGitLabConcurrentLifecycle(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	check(t, e.do(t, http.MethodPost, glBase+"/Users", glToken, glPost), 201, glTestUser)
	reqs := []struct{ method, path, body string }{
		{http.MethodPatch, "/Users/test_uid", `{"Operations":[{"op":"replace","path":"active","value":"False"}]}`},
		{http.MethodPatch, "/Users/TEST_UID", `{"Operations":[{"op":"replace","value":{"active":true}}]}`},
		{http.MethodDelete, "/Users/test_uid", ""},
		{http.MethodPost, "/Users", glPost},
	}
	var wg sync.WaitGroup
	for range 8 {
		for _, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if w := e.do(t, r.method, glBase+r.path, glToken, r.body); w.Code >= 500 {
					t.Errorf("%s %s: %d %s", r.method, r.path, w.Code, w.Body)
				}
			}()
		}
	}
	wg.Wait()
	w := e.do(t, http.MethodGet, glBase+"/Users/test_uid", glToken, "")
	active := strings.Contains(w.Body.String(), `"active":true`)
	if w.Code != http.StatusOK || !active && !strings.Contains(w.Body.String(), `"active":false`) {
		t.Fatalf("GET: %d %s", w.Code, w.Body)
	}
	var userID string
	if err := e.st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		s, err := tx.SCIMIdentityByExternUID(ctx, "1001", "test_uid")
		if err == nil {
			userID = s.UserID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if member := e.member(t, userID) != store.RoleNone; member != active {
		t.Errorf("active=%v but member=%v", active, member)
	}
}

// TestReviewGitLabFormBody: GitLab's framework takes form fields as
// parameters, like the query's; GitLab's key map has the literal keys
// "name.formatted" and `emails[type eq "work"].value` that a flat form
// can carry.
func TestReviewGitLabFormBody(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	form := url.Values{
		"externalId":                   {"form_uid"},
		"userName":                     {"formuser"},
		`emails[type eq "work"].value`: {"form@example.com"},
		"name.formatted":               {"Form User"},
	}
	r := httptest.NewRequest(http.MethodPost, glBase+"/Users", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "Bearer "+glToken)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	check(t, w, http.StatusCreated, glUserJSON("form_uid", true, "form@example.com", "Form User", "Form", "User", "formuser"))
}
