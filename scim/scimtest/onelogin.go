package scimtest

import (
	"net/http"

	"github.com/stretchr/testify/require"
)

// OneLogin is OneLogin's "SCIM Provisioner with SAML (SCIM v2
// Enterprise)" as a scripted client: each method sends the requests
// OneLogin sends for one provisioning action, as application/json, and
// fails the test when an answer is one OneLogin treats as an error.
//
// Its bodies come from OneLogin's v2 Enterprise JSON template, whose
// parameters the administrator did not set arrive as empty strings
// ("title":"", an empty manager). Updates and suspensions send the whole
// template with PUT; "Delete" sends DELETE. With
// WithProfile(scim.ProfileGitLab) it sends what OneLogin's GitLab catalog
// app sends: the core schema only, and PATCH with paths instead of PUT,
// answered 204.
//
// A OneLogin is not safe for concurrent use.
type OneLogin struct {
	c *client
	// titles holds the title last sent for a user id, which OneLogin's
	// template sends again with every update.
	titles map[string]string
}

// NewOneLogin returns OneLogin's client for the SCIM base URL and token.
// It reads the options [WithProfile] and [WithHTTPClient].
func NewOneLogin(t require.TestingT, baseURL, token string, opts ...Option) *OneLogin {
	helper(t)
	c := newClient(t, "OneLogin", "NewOneLogin", baseURL, token, opts)
	c.bodyType = "application/json"
	c.header.Set("Accept", "application/json")
	return &OneLogin{c: c, titles: map[string]string{}}
}

// TestConnection sends OneLogin's initial connection check: a userName
// lookup of a user that does not exist, which must answer 200 with a
// ListResponse or 404.
func (o *OneLogin) TestConnection() *Response {
	helper(o.c.t)
	r, _ := o.lookup("connection check", "onelogin-does-not-exist-"+suffix(8))
	return r
}

// lookup is OneLogin's userName lookup before a create: 200 with a
// ListResponse of at most one user, or 404.
func (o *OneLogin) lookup(step, userName string, rules ...rule) (*Response, []map[string]any) {
	helper(o.c.t)
	r := o.c.do(call{step: step + ": lookup by userName", method: http.MethodGet, path: filterPath("/Users", "userName", userName, ""),
		status: []int{http.StatusOK, http.StatusNotFound}, rules: append([]rule{when(http.StatusOK, jsonBody), listResponse(1)}, rules...)})
	return r, resources(r)
}

// CreateUser provisions p as OneLogin does when a person is assigned to
// the app: the userName lookup, without a match, then POST /Users with
// the template, which must answer 201 with the user and its id.
func (o *OneLogin) CreateUser(p Person) *Response {
	helper(o.c.t)
	const step = "create user"
	o.lookup(step, p.UserName, matches(0, "OneLogin would update that user instead of creating one"))
	return o.create(step, p)
}

// create is the POST of CreateUser.
func (o *OneLogin) create(step string, p Person, rules ...rule) *Response {
	helper(o.c.t)
	return o.c.do(call{step: step + ": POST /Users", method: http.MethodPost, path: "/Users", body: o.template(p, "", nil),
		status: []int{http.StatusCreated}, rules: append([]rule{jsonBody, hasID}, rules...)})
}

// template fills OneLogin's JSON template for p; title is the user's job
// title (an unset parameter: ""), and active, when not nil, is added as an
// update's state.
func (o *OneLogin) template(p Person, title string, active *bool) string {
	state := ""
	if active != nil {
		state = `,"active":` + js(*active)
	}
	name := `"name":{"givenName":` + js(p.GivenName) + `,"familyName":` + js(p.FamilyName) + `,"formatted":` + js(p.displayName()) + `}`
	emails := `"emails":[{"value":` + js(p.Email) + `,"type":"work","primary":true}]`
	if o.c.gitlab() {
		return `{"schemas":[` + js(userURN) + `],"externalId":` + js(p.ExternalID) + `,"userName":` + js(p.UserName) + `,` + name + `,` + emails + state + `}`
	}
	return `{"schemas":[` + js(userURN) + `,` + js(enterpriseURN) + `],"userName":` + js(p.UserName) + `,"externalId":` + js(p.ExternalID) +
		`,` + name + `,` + emails + `,"title":` + js(title) +
		`,` + js(enterpriseURN) + `:{"department":"","organization":"","manager":{"value":"","displayName":""}}` + state + `}`
}

// GetUser reads the user of id: 200 with that user.
func (o *OneLogin) GetUser(id string) *Response {
	helper(o.c.t)
	return o.c.getUser("get user", id)
}

// UpdateUser sends p's attributes to the user of id, with a job title: in
// the RFC profile the whole template with PUT, which must answer 200 with
// the user; in the GitLab profile a PATCH replacing name.formatted,
// answered 204.
func (o *OneLogin) UpdateUser(id string, p Person, title string) *Response {
	helper(o.c.t)
	const step = "update user"
	if o.c.gitlab() {
		return o.c.patch(step, "/Users/"+escape(id), replaceOp("replace", "name.formatted", js(p.displayName())))
	}
	on := true
	o.titles[id] = title
	return o.put(step, id, o.template(p, title, &on), reads("title", title), reads("name.familyName", p.FamilyName))
}

// SuspendUser sends OneLogin's "Suspend" (the person deleted in OneLogin
// with that action): an update with active false, by PUT in the RFC
// profile and by a PATCH of active in the GitLab profile. After an
// answer without a body the user is read back and must be inactive.
func (o *OneLogin) SuspendUser(id string, p Person) *Response {
	helper(o.c.t)
	return o.setActive("suspend user", id, p, false)
}

// setActive updates the active state of the user of id.
func (o *OneLogin) setActive(step, id string, p Person, on bool) *Response {
	helper(o.c.t)
	var r *Response
	if o.c.gitlab() {
		r = o.c.patch(step, "/Users/"+escape(id), replaceOp("replace", "active", js(on)), active(on))
	} else {
		r = o.put(step, id, o.template(p, o.titles[id], &on), active(on))
	}
	o.c.confirmActive(step, id, r, on)
	return r
}

// DeleteUser sends OneLogin's "Delete": DELETE /Users/{id}, which must
// answer 204 (or 200).
func (o *OneLogin) DeleteUser(id string) *Response {
	helper(o.c.t)
	return o.c.delete("delete user", "/Users/"+escape(id))
}

// ReassignUser sends what OneLogin sends when p is assigned to the app
// again: the userName lookup; a user found is updated with active true, a
// user not found (deleted) is created again. The user must then read as
// active. It returns the answer of the update or of the create.
func (o *OneLogin) ReassignUser(p Person) *Response {
	helper(o.c.t)
	const step = "re-assign user"
	_, found := o.lookup(step, p.UserName)
	if len(found) == 0 {
		return o.create(step, p, active(true))
	}
	return o.setActive(step, idOf(found[0]), p, true)
}

// put sends a user PUT, which OneLogin takes with 200 and the user.
func (o *OneLogin) put(step, id, body string, rules ...rule) *Response {
	helper(o.c.t)
	return o.c.do(call{step: step + ": PUT", method: http.MethodPut, path: "/Users/" + escape(id), body: body,
		status: []int{http.StatusOK}, rules: append([]rule{jsonBody, sameID(id)}, rules...)})
}

// Sync runs OneLogin's whole script for one new person: the connection
// check; create; read; update; suspend; re-assign (an update with active
// true); delete; re-assign (the lookup, then a create in the RFC profile,
// where a deleted user is gone, or an update in the GitLab profile, where
// it stays readable). It returns the person provisioned.
func (o *OneLogin) Sync() Person {
	helper(o.c.t)
	o.TestConnection()
	email := "kyle.smith." + suffix(8) + "@example.com"
	p := Person{ExternalID: email, UserName: email, Email: email, GivenName: "Kyle", FamilyName: "Smith"}
	u := o.CreateUser(p)
	o.GetUser(u.ID)
	p.FamilyName = "Smith-Jones"
	o.UpdateUser(u.ID, p, "Manager")
	o.SuspendUser(u.ID, p)
	o.ReassignUser(p)
	o.DeleteUser(u.ID)
	o.ReassignUser(p)
	return p
}
