package scim

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// glEnv is a handler of one profile over a memstore with groups "acme"
// and "other" (each with an owner account, "boss"), mounted under GitLab's
// URL layout.
type glEnv struct {
	h    *Handler
	st   store.Store
	prov *identity.Provisioner
}

const (
	glToken      = "acme-token-0123456789"
	glOtherToken = "other-token-0123456789"
	glBase       = "/api/scim/v2/groups/acme"
)

func newGLEnv(t testing.TB, prof Profile) *glEnv {
	t.Helper()
	st := memstore.New()
	var n atomic.Int64
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	prov, err := identity.New(st,
		identity.WithProfile(prof.Rules()),
		identity.WithClock(func() time.Time { return now }),
		identity.WithIDGenerator(func() (string, error) {
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)), nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, g := range []identity.GroupSpec{
		{ID: "1001", Path: "acme", Name: "Acme", Token: glToken, DefaultRole: store.RoleDeveloper},
		{ID: "g-other", Path: "other", Token: glOtherToken},
	} {
		if _, _, err := prov.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		withSAML(t, st, g.ID)
		if err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			u := &store.User{ID: "boss-" + g.ID, Username: "boss-" + g.Path, Name: "Big Boss", Email: "boss@" + g.Path + ".example", State: store.UserActive, Confirmed: true}
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
			return tx.PutMembership(ctx, &store.Membership{GroupID: g.ID, UserID: u.ID, Role: store.RoleOwner})
		}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := New(prov, WithProfile(prof), WithStore(st), WithPrefix("/api/scim/v2/groups/{group}"),
		WithRequestID(func() string { return "req" }))
	if err != nil {
		t.Fatal(err)
	}
	return &glEnv{h: h, st: st, prov: prov}
}

// withSAML gives group groupID a SAML SSO configuration, which the GitLab
// profile requires before it serves the group's SCIM API.
func withSAML(t testing.TB, st store.Store, groupID string) {
	t.Helper()
	_, err := sso.Configure(context.Background(), st, groupID, store.SAMLConfig{Enabled: true,
		SSOURL: "https://idp.example/sso", Fingerprint: "0B:4F:9C:33:6B:2A:D8:11:90:7A:55:1E:C3:AF:02:64:98:DD:7E:41"})
	if err != nil {
		t.Fatal(err)
	}
}

// do sends a request; the token goes in the Authorization header unless
// the target already carries access_token or token is "".
func (e *glEnv) do(t testing.TB, method, target, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// addAccount stores an account that provisioning did not create.
func (e *glEnv) addAccount(t testing.TB, u *store.User, member store.Role) {
	t.Helper()
	u.State, u.Confirmed = store.UserActive, true
	if err := e.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		if member == store.RoleNone {
			return nil
		}
		return tx.PutMembership(ctx, &store.Membership{GroupID: "1001", UserID: u.ID, Role: member})
	}); err != nil {
		t.Fatal(err)
	}
}

// member returns the role of userID in acme (RoleNone when not a member).
func (e *glEnv) member(t testing.TB, userID string) store.Role {
	t.Helper()
	var role store.Role
	if err := e.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		m, err := tx.Membership(ctx, "1001", userID)
		if err == nil {
			role = m.Role
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return role
}

// check asserts a response's status, exact body and, with a body, the
// content type.
func check(t *testing.T, w *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("status = %d, want %d (body %s)", w.Code, status, w.Body)
	}
	if diff := cmp.Diff(body, w.Body.String()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	ct := w.Header().Get("Content-Type")
	if body == "" && ct != "" {
		t.Errorf("Content-Type %q on an empty body", ct)
	}
	if body != "" && ct != "application/scim+json" {
		t.Errorf("Content-Type = %q, want application/scim+json", ct)
	}
}

func glUserJSON(id string, active bool, email, name, given, family, userName string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":%q,"active":%t,`+
		`"emails":[{"type":"work","value":%q,"primary":true}],"name":{"formatted":%q,"givenName":%q,"familyName":%q},`+
		`"meta":{"resourceType":"User"},"userName":%q}`, id, active, email, name, given, family, userName)
}

func glErrJSON(status int, detail string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"` + detail + `","status":` + fmt.Sprint(status) + `}`
}

func glListJSON(total, perPage int, start string, users ...string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":%d,"itemsPerPage":%d,"startIndex":%s,"Resources":[%s]}`,
		total, perPage, start, strings.Join(users, ","))
}

// glPost is GitLab's spec user: externalId test_uid, work@example.com.
const glPost = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"test_uid","active":null,"userName":"username",` +
	`"emails":[{"primary":true,"type":"work","value":"work@example.com"}],"name":{"formatted":"Test Name","familyName":"Name","givenName":"Test"}}`

var glTestUser = glUserJSON("test_uid", true, "work@example.com", "Test Name", "Test", "Name", "username")

func TestGitLabRoutesAndAuth(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, glTestUser)
	notFound := `{"error":"404 Not Found"}`
	unauthorized := `{"message":"401 Unauthorized"}`
	tests := []struct {
		name, method, target, token string
		status                      int
		body                        string
	}{
		// Only GitLab's five routes exist.
		{"no PUT", "PUT", glBase + "/Users/test_uid", glToken, 404, notFound},
		{"no .search", "POST", glBase + "/Users/.search", glToken, 404, notFound},
		{"no discovery", "GET", glBase + "/ServiceProviderConfig", glToken, 404, notFound},
		{"no Schemas", "GET", glBase + "/Schemas", glToken, 404, notFound},
		{"no Groups", "GET", glBase + "/Groups", glToken, 404, notFound},
		{"outside the prefix", "GET", "/api/v4/users", glToken, 404, notFound},
		{"path with ..", "GET", glBase + "/Users/../Users", glToken, 404, notFound},
		// Check order: the group first (404, whatever the token), then the token.
		{"unknown group, no token", "GET", "/api/scim/v2/groups/nope/Users", "", 404, glErrJSON(404, "Group nope not found")},
		{"unknown group, a valid token", "GET", "/api/scim/v2/groups/nope/Users/test_uid", glToken, 404, glErrJSON(404, "Group nope not found")},
		{"no token", "GET", glBase + "/Users", "", 401, unauthorized},
		{"wrong token", "GET", glBase + "/Users/test_uid", "nope-nope-nope-nope", 401, unauthorized},
		{"another group's token", "DELETE", glBase + "/Users/test_uid", glOtherToken, 401, unauthorized},
		{"another group's token in access_token", "GET", glBase + "/Users?access_token=" + glOtherToken, "", 401, unauthorized},
		// The token may be the access_token query parameter, as in GitLab's spec.
		{"access_token parameter", "GET", glBase + "/Users/test_uid?access_token=" + glToken, "", 200, glTestUser},
		{"access_token wins over the header", "GET", glBase + "/Users/test_uid?access_token=" + glToken, glOtherToken, 200, glTestUser},
		{"group by numeric id", "GET", "/api/scim/v2/groups/1001/Users/test_uid", glToken, 200, glTestUser},
		{"unknown numeric id", "GET", "/api/scim/v2/groups/1002/Users/test_uid", glToken, 404, glErrJSON(404, "Group 1002 not found")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, e.do(t, tc.method, tc.target, tc.token, ""), tc.status, tc.body)
		})
	}
	if got := e.do(t, "GET", glBase+"/Users", "", "").Header().Get("WWW-Authenticate"); got != "" {
		t.Errorf("WWW-Authenticate = %q; GitLab sends none", got)
	}
}

func TestGitLabCreate(t *testing.T) {
	t.Parallel()
	t.Run("new account, then the same POST again", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, glTestUser)
		// GitLab's POST is idempotent on extern_uid: 201 with the existing identity.
		check(t, e.do(t, "POST", glBase+"/Users", glToken, strings.Replace(glPost, "work@example.com", "else@example.com", 1)), 201, glTestUser)
	})
	t.Run("query-string parameters, as GitLab's spec sends them", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		q := "externalId=test_uid&userName=username&emails%5Btype+eq+%22work%22%5D.value=work%40example.com&displayName=Test+Name"
		check(t, e.do(t, "POST", glBase+"/Users?"+q, glToken, ""), 201, glTestUser)
	})
	t.Run("Okta's GitLab app: given and family name, id from externalId", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},` +
			`"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US",` +
			`"externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`
		w := e.do(t, "POST", glBase+"/Users", glToken, body)
		check(t, w, 201, glUserJSON("00ujl29u0le5T6Aj10h7", true, "test.user@okta.local", "Test User", "Test", "User", "test.user"))
	})
	t.Run("the userName of another identity gets a de-duplicated username", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, glTestUser)
		body := strings.NewReplacer("test_uid", "uid2", "work@example.com", "two@example.com").Replace(glPost)
		check(t, e.do(t, "POST", glBase+"/Users", glToken, body), 201,
			glUserJSON("uid2", true, "two@example.com", "Test Name", "Test", "Name", "username1"))
	})
	t.Run("missing params, secrets filtered in the dump", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		w := e.do(t, "POST", glBase+"/Users?access_token="+glToken, "",
			`{"externalId":"x","password":"hunter2","emails":[{"type":"home","value":"h@x.y"}]}`)
		check(t, w, 412, glErrJSON(412, `Error saving user with {\"access_token\"=\u003e\"[FILTERED]\", \"externalId\"=\u003e\"x\", `+
			`\"password\"=\u003e\"[FILTERED]\", \"emails\"=\u003e[{\"type\"=\u003e\"home\", \"value\"=\u003e\"h@x.y\"}], \"group\"=\u003e\"acme\"}: `+
			`Missing params: [:email, :username]`))
	})
	t.Run("blank email", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		w := e.do(t, "POST", glBase+"/Users", glToken, `{"externalId":"x","userName":"u","emails":[{"type":"work","value":""}],"name":{"formatted":"N"}}`)
		check(t, w, 412, glErrJSON(412, `Error saving user with {\"externalId\"=\u003e\"x\", \"userName\"=\u003e\"u\", `+
			`\"emails\"=\u003e[{\"type\"=\u003e\"work\", \"value\"=\u003e\"\"}], \"name\"=\u003e{\"formatted\"=\u003e\"N\"}, \"group\"=\u003e\"acme\"}: Email can't be blank`))
	})
	t.Run("an account already linked under another extern_uid: 409", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, glTestUser)
		body := strings.Replace(glPost, "test_uid", "other_uid", 1)
		w := e.do(t, "POST", glBase+"/Users", glToken, body)
		check(t, w, 409, glErrJSON(409, `Error saving user with {\"schemas\"=\u003e[\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"externalId\"=\u003e\"other_uid\", `+
			`\"active\"=\u003enil, \"userName\"=\u003e\"username\", \"emails\"=\u003e[{\"primary\"=\u003etrue, \"type\"=\u003e\"work\", \"value\"=\u003e\"work@example.com\"}], `+
			`\"name\"=\u003e{\"formatted\"=\u003e\"Test Name\", \"familyName\"=\u003e\"Name\", \"givenName\"=\u003e\"Test\"}, \"group\"=\u003e\"acme\"}: User has already been taken`))
	})
	t.Run("an existing account is linked and shown with its own primary email", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		e.addAccount(t, &store.User{ID: "u-jane", Username: "jane", Name: "Jane Q Doe", Email: "jane@home.example",
			SecondaryEmails: []store.Email{{Address: "work@example.com", Verified: true}}}, store.RoleNone)
		check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201,
			glUserJSON("test_uid", true, "jane@home.example", "Jane Q Doe", "Jane", "Q Doe", "jane"))
		if got := e.member(t, "u-jane"); got != store.RoleDeveloper {
			t.Errorf("membership role = %v, want the default role Developer", got)
		}
	})
}

func TestGitLabList(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, glTestUser)
	e.addAccount(t, &store.User{ID: "u-jane", Username: "jane.doe", Name: "Jane Doe", Email: "jane@corp.example"}, store.RoleGuest)
	body := `{"externalId":"JaneUID","userName":"ignored","emails":[{"type":"work","value":"jane@corp.example"}]}`
	jane := glUserJSON("JaneUID", true, "jane@corp.example", "Jane Doe", "Jane", "Doe", "jane.doe")
	check(t, e.do(t, "POST", glBase+"/Users", glToken, body), 201, jane)
	tests := []struct {
		name, query string
		status      int
		body        string
	}{
		{"all", "", 200, glListJSON(2, 20, "1", glTestUser, jane)},
		{"paged, startIndex echoed as sent", "?startIndex=2&count=1", 200, glListJSON(2, 1, `"2"`, jane)},
		{"count 0 means 20", "?count=0", 200, glListJSON(2, 20, "1", glTestUser, jane)},
		{"count capped at 100", "?count=1000&startIndex=1", 200, glListJSON(2, 100, `"1"`, glTestUser, jane)},
		{"past the end", "?startIndex=5", 200, glListJSON(2, 20, `"5"`)},
		{"id eq", `?filter=id+eq+%22test_uid%22`, 200, glListJSON(1, 20, "1", glTestUser)},
		{"externalId eq, case-insensitive", `?filter=externalId+eq+%22janeuid%22`, 200, glListJSON(1, 20, "1", jane)},
		{"no match", `?filter=id+eq+%22nonexistent%22`, 200, glListJSON(0, 20, "1")},
		{"userName: extern_uid first", `?filter=userName+eq+%22test_uid%22`, 200, glListJSON(1, 20, "1", glTestUser)},
		{"userName: the account's username", `?filter=userName+eq+jane.doe`, 200, glListJSON(1, 20, "1", jane)},
		{"userName: an email of the account", `?filter=userName+eq+%22JANE@corp.example%22`, 200, glListJSON(1, 20, "1", jane)},
		{"userName: the local part of an email", `?filter=userName+eq+%22jane.doe@elsewhere.example%22`, 200, glListJSON(1, 20, "1", jane)},
		{"userName: an account outside the group", `?filter=userName+eq+boss-other`, 200, glListJSON(0, 20, "1")},
		{"Okta's probe", `?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100`, 200, glListJSON(0, 100, `"1"`)},
		{"filtered and paged past the match", `?filter=id+eq+test_uid&startIndex=2`, 200, glListJSON(1, 20, `"2"`)},
		{"unsupported: ne", `?filter=id+ne+%22test_uid%22`, 412, glErrJSON(412, "Unsupported Filter")},
		{"unsupported: displayName", `?filter=displayName+eq+%22x%22`, 412, glErrJSON(412, "Unsupported Filter")},
		{"unsupported: and", `?filter=userName+eq+%22a%22+and+active+eq+false`, 412, glErrJSON(412, "Unsupported Filter")},
		{"unsupported: trailing token", `?filter=id+eq+test_uid+x`, 412, glErrJSON(412, "Unsupported Filter")},
		{"unsupported: empty value", `?filter=id+eq+%22%22`, 412, glErrJSON(412, "Unsupported Filter")},
		{"unsupported: value path", `?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22a%22`, 412, glErrJSON(412, "Unsupported Filter")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, e.do(t, "GET", glBase+"/Users"+tc.query, glToken, ""), tc.status, tc.body)
		})
	}
}

func TestGitLabGet(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	email := strings.NewReplacer(`"test_uid"`, `"Jane.Doe@Example.com"`).Replace(glPost)
	check(t, e.do(t, "POST", glBase+"/Users", glToken, email), 201,
		glUserJSON("Jane.Doe@Example.com", true, "work@example.com", "Test Name", "Test", "Name", "username"))
	check(t, e.do(t, "GET", glBase+"/Users/jane.doe@example.com", glToken, ""), 200,
		glUserJSON("Jane.Doe@Example.com", true, "work@example.com", "Test Name", "Test", "Name", "username"))
	check(t, e.do(t, "GET", glBase+"/Users/123", glToken, ""), 404, glErrJSON(404, "Resource 123 not found"))
	check(t, e.do(t, "GET", glBase+"/Users/a%01b", glToken, ""), 404, glErrJSON(404, `Resource a\u0001b not found`))
}

func TestGitLabPatch(t *testing.T) {
	t.Parallel()
	patch := func(ops string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
	}
	get := func(e *glEnv, t *testing.T, id string) string {
		t.Helper()
		return e.do(t, "GET", glBase+"/Users/"+id, glToken, "").Body.String()
	}
	setup := func(t *testing.T) *glEnv {
		e := newGLEnv(t, ProfileGitLab)
		check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, glTestUser)
		return e
	}
	t.Run("extern_uid", func(t *testing.T) {
		e := setup(t)
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, patch(`{"op":"Replace","path":"id","value":"new_uid"}`)), 204, "")
		if diff := cmp.Diff(strings.Replace(glTestUser, "test_uid", "new_uid", 1), get(e, t, "new_uid")); diff != "" {
			t.Errorf("after the change (-want +got):\n%s", diff)
		}
		check(t, e.do(t, "GET", glBase+"/Users/test_uid", glToken, ""), 404, glErrJSON(404, "Resource test_uid not found"))
	})
	t.Run("attributes of a linked account: 204, not applied", func(t *testing.T) {
		e := newGLEnv(t, ProfileGitLab)
		e.addAccount(t, &store.User{ID: "u-jane", Username: "jane", Name: "Jane Doe", Email: "work@example.com"}, store.RoleGuest)
		before := glUserJSON("test_uid", true, "work@example.com", "Jane Doe", "Jane", "Doe", "jane")
		check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, before)
		for _, op := range []string{
			`{"op":"Replace","path":"name.formatted","value":"new_name"}`,
			`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@mail.com"}`,
			`{"op":"Replace","path":"userName","value":"new_username"}`,
			`{"op":"replace","value":{"displayName":"Other"}}`,
			`{"op":"Replace","path":"active","value":"True"}`,
			`{"op":"remove","path":"active"}`,
			`{"op":"Replace","path":"test","value":"x"}`,
		} {
			check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, patch(op)), 204, "")
		}
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, ""), 204, "")
		if diff := cmp.Diff(before, get(e, t, "test_uid")); diff != "" {
			t.Errorf("after the PATCHes (-want +got):\n%s", diff)
		}
	})
	t.Run("attributes of an account the group provisioned are applied", func(t *testing.T) {
		e := setup(t)
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, patch(`{"op":"Replace","path":"name.formatted","value":"New Name"}`)), 204, "")
		if diff := cmp.Diff(strings.Replace(glTestUser, `"formatted":"Test Name","givenName":"Test","familyName":"Name"`,
			`"formatted":"New Name","givenName":"New","familyName":"Name"`, 1), get(e, t, "test_uid")); diff != "" {
			t.Errorf("after the rename (-want +got):\n%s", diff)
		}
	})
	t.Run("deprovision, no reactivation without active true, reprovision", func(t *testing.T) {
		e := setup(t)
		inactive := strings.Replace(glTestUser, `"active":true`, `"active":false`, 1)
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, patch(`{"op":"Replace","path":"active","value":"False"}`)), 204, "")
		if diff := cmp.Diff(inactive, get(e, t, "test_uid")); diff != "" {
			t.Errorf("after deprovisioning (-want +got):\n%s", diff)
		}
		// GitLab reactivates on any PATCH; scimkit does not.
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, patch(`{"op":"Replace","path":"name.formatted","value":"x"}`)), 204, "")
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, patch(``)), 204, "")
		if diff := cmp.Diff(inactive, strings.Replace(get(e, t, "test_uid"), `"formatted":"x","givenName":"x","familyName":""`,
			`"formatted":"Test Name","givenName":"Test","familyName":"Name"`, 1)); diff != "" {
			t.Errorf("an inactive identity was reactivated (-want +got):\n%s", diff)
		}
		// Okta's path-less form.
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, patch(`{"op":"replace","value":{"active":true}}`)), 204, "")
		if !strings.Contains(get(e, t, "test_uid"), `"active":true`) {
			t.Error("active true did not reprovision")
		}
	})
	t.Run("last owner", func(t *testing.T) {
		e := setup(t)
		var uid string
		if err := e.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
			s, err := tx.SCIMIdentityByExternUID(ctx, "1001", "test_uid")
			uid = s.UserID
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := e.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if err := tx.DeleteMembership(ctx, "1001", "boss-1001"); err != nil {
				return err
			}
			m, err := tx.Membership(ctx, "1001", uid)
			if err != nil {
				return err
			}
			m.Role = store.RoleOwner
			return tx.PutMembership(ctx, m)
		}); err != nil {
			t.Fatal(err)
		}
		w := e.do(t, "PATCH", glBase+"/Users/test_uid?access_token="+glToken, "", patch(`{"op":"Replace","path":"active","value":"False"}`))
		check(t, w, 412, glErrJSON(412, `Error updating Test Name with {\"access_token\"=\u003e\"[FILTERED]\", `+
			`\"schemas\"=\u003e[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"], `+
			`\"Operations\"=\u003e[{\"op\"=\u003e\"Replace\", \"path\"=\u003e\"active\", \"value\"=\u003e\"False\"}], \"group\"=\u003e\"acme\", \"id\"=\u003e\"test_uid\"}`))
		check(t, e.do(t, "DELETE", glBase+"/Users/test_uid", glToken, ""), 412,
			glErrJSON(412, "Could not remove Test Name from Acme. Cannot remove last group owner."))
		if !strings.Contains(get(e, t, "test_uid"), `"active":true`) {
			t.Error("the last owner was deprovisioned")
		}
	})
	t.Run("errors", func(t *testing.T) {
		e := setup(t)
		check(t, e.do(t, "PATCH", glBase+"/Users/123", glToken, patch(`{"op":"Replace","path":"id","value":"new_uid"}`)), 404, glErrJSON(404, "Resource 123 not found"))
		check(t, e.do(t, "PATCH", glBase+"/Users/123", glToken, `{"Operations":"x"}`), 404, glErrJSON(404, "Resource 123 not found"))
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, `{"Operations":[{"path":"active","value":false}]}`), 412,
			glErrJSON(412, `Error updating Test Name with {\"Operations\"=\u003e[{\"path\"=\u003e\"active\", \"value\"=\u003efalse}], \"group\"=\u003e\"acme\", \"id\"=\u003e\"test_uid\"}`))
		check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, patch(`{"op":"replace","path":"externalId","value":""}`)), 412,
			glErrJSON(412, `Error updating Test Name with {\"schemas\"=\u003e[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"], `+
				`\"Operations\"=\u003e[{\"op\"=\u003e\"replace\", \"path\"=\u003e\"externalId\", \"value\"=\u003e\"\"}], \"group\"=\u003e\"acme\", \"id\"=\u003e\"test_uid\"}`))
	})
}

func TestGitLabDelete(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, glTestUser)
	check(t, e.do(t, "DELETE", glBase+"/Users/TEST_UID", glToken, ""), 204, "")
	inactive := strings.Replace(glTestUser, `"active":true`, `"active":false`, 1)
	check(t, e.do(t, "GET", glBase+"/Users/test_uid", glToken, ""), 200, inactive)
	check(t, e.do(t, "GET", glBase+"/Users", glToken, ""), 200, glListJSON(1, 20, "1", inactive))
	check(t, e.do(t, "DELETE", glBase+"/Users/test_uid", glToken, ""), 204, "")
	check(t, e.do(t, "DELETE", glBase+"/Users/nope", glToken, ""), 404, glErrJSON(404, "Resource nope not found"))
}

// TestGitLabBadInput: malformed and hostile input gets GitLab's shapes,
// never a 500.
func TestGitLabBadInput(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	check(t, e.do(t, "POST", glBase+"/Users", glToken, glPost), 201, glTestUser)
	invalid := `{"error":"\nProblem:\n  message body does not match declared format\nResolution:\n  when specifying application/scim+json as content-type, ` +
		`you must pass valid application/scim+json in the request's 'body' "}`
	check(t, e.do(t, "POST", glBase+"/Users", glToken, `{"externalId":`), 400, invalid)
	check(t, e.do(t, "PATCH", glBase+"/Users/test_uid", glToken, `{"Operations":[}`), 400, invalid)
	check(t, e.do(t, "POST", glBase+"/Users", glToken, "\xff"), 400, invalid)
	check(t, e.do(t, "POST", glBase+"/Users", glToken, `{"a":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`), 400, invalid)
	check(t, e.do(t, "POST", glBase+"/Users", glToken, `{"x":"`+strings.Repeat("a", DefaultMaxBodyBytes)+`"}`), 413, `{"message":"413 Request Entity Too Large"}`)

	odd := []struct{ method, target, body string }{
		{"POST", "/Users", `[]`},
		{"POST", "/Users", `"x"`},
		{"POST", "/Users", `{"externalId":{"a":1},"userName":["u"],"emails":"e","name":"n"}`},
		{"POST", "/Users", `{"externalId":"` + strings.Repeat("x", 5000) + `","userName":"u","emails":[{"primary":true,"value":"a@b.c"}]}`},
		{"POST", "/Users", `{"externalId":"a\u0000b","userName":"u\u0007","emails":[{"primary":"yes","value":"not an email"}]}`},
		{"POST", "/Users", `{"externalId":1e999,"userName":true,"emails":[{"primary":1,"value":2}],"name":{"givenName":3}}`},
		{"PATCH", "/Users/test_uid", `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"` + strings.Repeat("e", 3000) + `"}]}`},
		{"PATCH", "/Users/test_uid", `{"Operations":[{"op":"replace","path":"userName","value":{"x":1}}]}`},
		{"PATCH", "/Users/test_uid", `{"Operations":[{"op":"add","value":"x"}]}`},
		{"PATCH", "/Users/test_uid", `{"Operations":[{"op":"replace","path":"externalId","value":"a\u0001"}]}`},
		{"GET", "/Users?filter=" + strings.Repeat("%22", 5000), ""},
		{"GET", "/Users?count=99999999999999999999999&startIndex=-99999999999999999999", ""},
		{"GET", "/Users/" + strings.Repeat("x", 300), ""},
		{"DELETE", "/Users/%ff", ""},
	}
	for _, o := range odd {
		w := e.do(t, o.method, glBase+o.target, glToken, o.body)
		if w.Code >= 500 || w.Code < 200 {
			t.Errorf("%s %s %.60s: status %d, body %s", o.method, o.target, o.body, w.Code, w.Body)
		}
		if w.Code >= 400 && !strings.Contains(w.Body.String(), `"status":`+fmt.Sprint(w.Code)) && !strings.HasPrefix(w.Body.String(), `{"error"`) {
			t.Errorf("%s %s %.60s: %d without GitLab's body: %s", o.method, o.target, o.body, w.Code, w.Body)
		}
	}
}

// TestProfilesShareRules runs one provisioning scenario under both
// profiles: the accounts, memberships and identities it leaves are the
// same; only the wire differs.
func TestProfilesShareRules(t *testing.T) {
	t.Parallel()
	type state struct {
		Accounts    []string // username, name, email, provisioned by
		Members     []string // username:role
		Identities  []string // extern_uid, active
		Statuses    []int
		ActiveAfter []bool
	}
	run := func(t *testing.T, prof Profile) state {
		e := newGLEnv(t, prof)
		e.addAccount(t, &store.User{ID: "u-jane", Username: "jane", Name: "Jane Doe", Email: "jane@corp.example"}, store.RoleNone)
		var st state
		id := map[string]string{}
		do := func(method, path, body string) *httptest.ResponseRecorder {
			w := e.do(t, method, glBase+path, glToken, body)
			st.Statuses = append(st.Statuses, w.Code)
			return w
		}
		// The RFC profile's id is the server's; read it from the response.
		idOf := func(w *httptest.ResponseRecorder) string {
			s := w.Body.String()
			i := strings.Index(s, `"id":"`)
			if i < 0 {
				t.Fatalf("no id in %s", s)
			}
			s = s[i+6:]
			return s[:strings.IndexByte(s, '"')]
		}
		id["new"] = idOf(do("POST", "/Users", glPost))
		id["jane"] = idOf(do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"jane_uid","userName":"jdoe","emails":[{"type":"work","value":"JANE@corp.example"}]}`))
		patchOp := func(v string) string {
			return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":` + v + `}]}`
		}
		do("PATCH", "/Users/"+id["new"], patchOp(`"False"`))
		do("PATCH", "/Users/"+id["jane"], patchOp(`false`))
		do("PATCH", "/Users/"+id["jane"], patchOp(`true`))
		do("DELETE", "/Users/"+id["jane"], "")
		if err := e.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
			for _, uid := range []string{"u-jane", "boss-1001"} {
				u, err := tx.User(ctx, uid)
				if err != nil {
					return err
				}
				st.Accounts = append(st.Accounts, strings.Join([]string{u.Username, u.Name, u.Email, u.ProvisionedByGroup}, "|"))
			}
			u, err := tx.UserByEmail(ctx, "work@example.com")
			if err != nil {
				return err
			}
			st.Accounts = append(st.Accounts, strings.Join([]string{u.Username, u.Name, u.Email, u.ProvisionedByGroup}, "|"))
			for _, uid := range []string{"u-jane", "boss-1001", u.ID} {
				if m, err := tx.Membership(ctx, "1001", uid); err == nil {
					st.Members = append(st.Members, fmt.Sprintf("%t:%v", uid == u.ID, m.Role))
				}
			}
			for s, err := range tx.SCIMIdentities(ctx, "1001") {
				if err != nil {
					return err
				}
				st.Identities = append(st.Identities, fmt.Sprintf("%s:%t", s.ExternUID, s.Active))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return st
	}
	rfc, gl := run(t, ProfileRFC), run(t, ProfileGitLab)
	want := state{
		Accounts:   []string{"jane|Jane Doe|jane@corp.example|", "boss-acme|Big Boss|boss@acme.example|", "username|Test Name|work@example.com|1001"},
		Members:    []string{"false:owner"},
		Identities: []string{"test_uid:false", "jane_uid:false"},
	}
	for name, got := range map[string]state{"rfc": rfc, "gitlab": gl} {
		got.Statuses = nil
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s profile state (-want +got):\n%s", name, diff)
		}
	}
	// The wire differs: 200 with the resource (RFC) or 204 (GitLab) for PATCH.
	if diff := cmp.Diff([]int{201, 201, 200, 200, 200, 204}, rfc.Statuses); diff != "" {
		t.Errorf("RFC statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{201, 201, 204, 204, 204, 204}, gl.Statuses); diff != "" {
		t.Errorf("GitLab statuses (-want +got):\n%s", diff)
	}
}

// FuzzGitLabRequest sends arbitrary queries and bodies to GitLab's routes:
// the answer is never a 500 and an error always has one of GitLab's shapes.
func FuzzGitLabRequest(f *testing.F) {
	e := newGLEnv(f, ProfileGitLab)
	if w := e.do(f, "POST", glBase+"/Users", glToken, glPost); w.Code != 201 {
		f.Fatalf("setup POST: %d %s", w.Code, w.Body)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, query, body string) {
		routes := []struct{ method, path string }{
			{"GET", "/Users"}, {"POST", "/Users"}, {"GET", "/Users/"}, {"PATCH", "/Users/"}, {"DELETE", "/Users/"},
		}
		rt := routes[int(route)%len(routes)]
		target := glBase + rt.path
		if strings.HasSuffix(rt.path, "/") {
			target += url.PathEscape(id)
		}
		if query != "" {
			target += "?" + url.PathEscape(query)
		}
		r := httptest.NewRequest(rt.method, "/", strings.NewReader(body))
		if i := strings.IndexByte(target, '?'); i >= 0 {
			r.URL.Path, r.URL.RawQuery = target[:i], target[i+1:]
		} else {
			r.URL.Path, r.URL.RawQuery = target, ""
		}
		r.URL.RawPath = ""
		r.Header.Set("Authorization", "Bearer "+glToken)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		got := w.Body.String()
		switch {
		case w.Code >= 500:
			t.Fatalf("%s %s %q: %d %s", rt.method, target, body, w.Code, got)
		case w.Code < 400:
		case strings.HasPrefix(got, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":`) && strings.HasSuffix(got, fmt.Sprintf(`"status":%d}`, w.Code)):
		case strings.HasPrefix(got, `{"error":`), strings.HasPrefix(got, `{"message":"`+fmt.Sprint(w.Code)):
		default:
			t.Fatalf("%s %s %q: %d without one of GitLab's shapes: %s", rt.method, target, body, w.Code, got)
		}
	})
}

// TestGitLabDocumentedRequests replays the example requests of GitLab's
// group SCIM API documentation (doc/development/internal_api, "Group SCIM
// API"), in order. The bodies follow GitLab's code, which nests
// name.formatted (the documentation shows it flat).
func TestGitLabDocumentedRequests(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	if _, _, err := e.prov.CreateGroup(context.Background(), identity.GroupSpec{ID: "2001", Path: "test_group", Token: "test-group-token-0123"}); err != nil {
		t.Fatal(err)
	}
	withSAML(t, e.st, "2001")
	const tok = "test-group-token-0123"
	base := "/api/scim/v2/groups/test_group/Users"
	created := glUserJSON("0b1d561c-21ff-4092-beab-8154b17f82f2", true, "name@example.com", "Test User", "Test", "User", "username")
	steps := []struct {
		method, target, body string
		status               int
		want                 string
	}{
		{"POST", base, `{"externalId":"0b1d561c-21ff-4092-beab-8154b17f82f2","active":null,"userName":"username",` +
			`"emails":[{"primary":true,"type":"work","value":"name@example.com"}],"name":{"formatted":"Test User","familyName":"User","givenName":"Test"},` +
			`"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"meta":{"resourceType":"User"}}`, 201, created},
		{"GET", base + "?filter=id%20eq%20%220b1d561c-21ff-4092-beab-8154b17f82f2%22", "", 200, glListJSON(1, 20, "1", created)},
		{"GET", base + "/0b1d561c-21ff-4092-beab-8154b17f82f2", "", 200, created},
		{"PATCH", base + "/0b1d561c-21ff-4092-beab-8154b17f82f2", `{ "Operations": [{"op":"replace","path":"id","value":"1234abcd"}] }`, 204, ""},
		{"PATCH", base + "/1234abcd", `{ "Operations": [{"op":"replace","path":"active","value":"true"}] }`, 204, ""},
		{"GET", base + "/1234abcd", "", 200, strings.Replace(created, "0b1d561c-21ff-4092-beab-8154b17f82f2", "1234abcd", 1)},
		{"DELETE", base + "/1234abcd", "", 204, ""},
		{"GET", base + "/1234abcd", "", 200, strings.NewReplacer("0b1d561c-21ff-4092-beab-8154b17f82f2", "1234abcd", `"active":true`, `"active":false`).Replace(created)},
		{"GET", base + "/0b1d561c-21ff-4092-beab-8154b17f82f2", "", 404, glErrJSON(404, "Resource 0b1d561c-21ff-4092-beab-8154b17f82f2 not found")},
	}
	for i, s := range steps {
		w := e.do(t, s.method, s.target, tok, s.body)
		t.Run(fmt.Sprintf("%d %s %s", i, s.method, s.target), func(t *testing.T) { check(t, w, s.status, s.want) })
	}
}

// TestGitLabSAMLNotConfigured: a group without SAML SSO configured answers
// GitLab's 404 after the group lookup and before the token check.
func TestGitLabSAMLNotConfigured(t *testing.T) {
	t.Parallel()
	e := newGLEnv(t, ProfileGitLab)
	if _, _, err := e.prov.CreateGroup(context.Background(), identity.GroupSpec{Path: "bare", Token: "bare-token-0123456789"}); err != nil {
		t.Fatal(err)
	}
	notConfigured := glErrJSON(404, "Group bare does not have SAML SSO configured")
	check(t, e.do(t, "GET", "/api/scim/v2/groups/nope/Users", "", ""), 404, glErrJSON(404, "Group nope not found"))
	check(t, e.do(t, "GET", "/api/scim/v2/groups/bare/Users", "", ""), 404, notConfigured)
	check(t, e.do(t, "POST", "/api/scim/v2/groups/bare/Users", "bare-token-0123456789", `{"externalId":"x"}`), 404, notConfigured)
	check(t, e.do(t, "GET", "/api/scim/v2/groups/acme/Users", "", ""), 401, `{"message":"401 Unauthorized"}`)
}
