package scimtest

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/stretchr/testify/require"
)

// Okta is Okta's SCIM 2.0 provisioning as a scripted client: each method
// sends the requests Okta sends for one provisioning action, with Okta's
// headers (User-Agent "Okta SCIM Client 1.0.0", application/scim+json),
// and fails the test when an answer is one Okta treats as an error. Okta
// keeps the id the server returned at creation and uses it afterwards, so
// the methods after CreateUser take the id.
//
// The requests are those of Okta's SCIM 2.0 protocol reference: the "Test
// API Credentials" probe, the userName lookup before a create, profile
// pushes with PUT, deactivation and reactivation with a PATCH without
// path, and Group Push. Okta never deletes a user. With
// WithProfile(scim.ProfileGitLab) it sends what Okta's GitLab catalog app
// sends: PATCH instead of PUT, answered 204, and no Group Push.
//
// An Okta is not safe for concurrent use.
type Okta struct{ c *client }

// NewOkta returns Okta's client for the SCIM base URL and token. It reads
// the options [WithProfile], [WithHTTPClient] and [WithGroupProvisioning].
func NewOkta(t require.TestingT, baseURL, token string, opts ...Option) *Okta {
	helper(t)
	c := newClient(t, "Okta", "NewOkta", baseURL, token, opts)
	c.bodyType = "application/scim+json; charset=utf-8"
	c.header.Set("Accept", "application/scim+json")
	c.header.Set("Accept-Charset", "utf-8")
	c.header.Set("User-Agent", "Okta SCIM Client 1.0.0")
	return &Okta{c: c}
}

// TestAPICredentials sends the probe of Okta's "Test API Credentials":
// GET /Users?startIndex=1&count=2, which must answer 200 with a
// ListResponse, "Resources" an array even when empty, and integer paging
// numbers (GitLab's quoted startIndex passes in the GitLab profile, as
// Okta's GitLab app works with it).
func (o *Okta) TestAPICredentials() *Response {
	helper(o.c.t)
	return o.c.do(call{step: "Test API Credentials", method: http.MethodGet, path: "/Users?startIndex=1&count=2",
		status: []int{http.StatusOK}, rules: []rule{jsonBody, listResponse(-1), o.paging()}})
}

// paging: totalResults, itemsPerPage and startIndex are integers, and
// Resources is present.
func (o *Okta) paging() rule {
	gitlab := o.c.gitlab()
	want := `"totalResults", "itemsPerPage" and "startIndex" integers, "Resources" present`
	return rule{want: want, check: func(r *Response) string {
		if r.JSON == nil {
			return ""
		}
		for _, k := range []string{"totalResults", "itemsPerPage", "startIndex"} {
			v := r.JSON[k]
			if s, ok := v.(string); ok && gitlab && k == "startIndex" {
				if _, err := strconv.Atoi(s); err == nil {
					continue
				}
			}
			if f, ok := v.(float64); !ok || f != float64(int64(f)) {
				return fmt.Sprintf("%q is %s, not an integer", k, js(v))
			}
		}
		if _, ok := r.JSON["Resources"].([]any); !ok {
			return `"Resources" is missing (Okta reports "No results for users returned")`
		}
		return ""
	}}
}

// lookup is Okta's userName lookup: 200 with a ListResponse of at most one
// user, or 404, which Okta also takes as "no such user".
func (o *Okta) lookup(step, userName string, rules ...rule) []map[string]any {
	helper(o.c.t)
	r := o.c.do(call{step: step + ": lookup by userName", method: http.MethodGet,
		path:   filterPath("/Users", "userName", userName, "startIndex=1&count=100"),
		status: []int{http.StatusOK, http.StatusNotFound}, rules: append([]rule{when(http.StatusOK, jsonBody), listResponse(1)}, rules...)})
	return resources(r)
}

// CreateUser provisions p as Okta does when a person is assigned to the
// app: the userName lookup, without a match, then POST /Users, which must
// answer 201 with the user and its id (Okta's body includes a password,
// as with password sync on).
func (o *Okta) CreateUser(p Person) *Response {
	helper(o.c.t)
	const step = "create user"
	o.lookup(step, p.UserName, matches(0, "Okta would link that user instead of creating one"))
	return o.c.do(call{step: step + ": POST /Users", method: http.MethodPost, path: "/Users", body: o.user(p, "", true),
		status: []int{http.StatusCreated}, rules: []rule{jsonBody, hasID}})
}

// user is Okta's user document; id is set in a PUT.
func (o *Okta) user(p Person, id string, on bool) string {
	name := `"name":{"givenName":` + js(p.GivenName) + `,"familyName":` + js(p.FamilyName) + `}`
	emails := `"emails":[{"primary":true,"value":` + js(p.Email) + `,"type":"work"}]`
	if o.c.gitlab() {
		return `{"schemas":[` + js(userURN) + `],"userName":` + js(p.UserName) + `,` + name + `,` + emails +
			`,"displayName":` + js(p.displayName()) + `,"externalId":` + js(p.ExternalID) + `,"active":` + js(on) + `}`
	}
	head := `{"schemas":[` + js(userURN) + `],`
	tail := `,"password":` + js("P"+suffix(12)+"!") + `,"active":` + js(on) + `}`
	if id != "" {
		head += `"id":` + js(id) + `,`
		tail = `,"active":` + js(on) + `,"meta":{"resourceType":"User"}}`
	}
	return head + `"userName":` + js(p.UserName) + `,` + name + `,` + emails + `,"displayName":` + js(p.displayName()) +
		`,"locale":"en-US","externalId":` + js(p.ExternalID) + `,"groups":[]` + tail
}

// GetUser reads the user of id, as Okta does before a profile push and
// in imports: 200 with that user.
func (o *Okta) GetUser(id string) *Response {
	helper(o.c.t)
	return o.c.getUser("get user", id)
}

// UpdateUser pushes p's profile to the user of id. In the RFC profile,
// as Okta does: GET the user, then PUT the whole user, which must answer
// 200 with the updated user (Okta keeps what it returns as the app
// user's profile, so its names must be the ones sent). Okta's GitLab app
// sends a PATCH replacing name.formatted without a path instead, answered
// 204.
func (o *Okta) UpdateUser(id string, p Person) *Response {
	helper(o.c.t)
	const step = "push profile"
	if o.c.gitlab() {
		return o.c.patch(step, "/Users/"+escape(id), `{"op":"replace","value":{"name.formatted":`+js(p.displayName())+`}}`)
	}
	o.GetUser(id)
	return o.c.do(call{step: step + ": PUT", method: http.MethodPut, path: "/Users/" + escape(id), body: o.user(p, id, true),
		status: []int{http.StatusOK}, rules: []rule{jsonBody, sameID(id),
			reads("name.givenName", p.GivenName), reads("name.familyName", p.FamilyName)}})
}

// DeactivateUser sends Okta's deactivation (the person unassigned or
// deactivated): a PATCH replacing active with false, without a path. It
// must answer 200 with the user, active false, or 204; after a 204 the
// user is read back (as Okta's next import would) and must be inactive.
func (o *Okta) DeactivateUser(id string) *Response {
	helper(o.c.t)
	return o.setActive("deactivate user", id, false)
}

// ReactivateUser sends Okta's reactivation: as DeactivateUser, with
// active true.
func (o *Okta) ReactivateUser(id string) *Response {
	helper(o.c.t)
	return o.setActive("reactivate user", id, true)
}

// setActive is DeactivateUser and ReactivateUser.
func (o *Okta) setActive(step, id string, on bool) *Response {
	helper(o.c.t)
	r := o.c.patch(step, "/Users/"+escape(id), `{"op":"replace","value":{"active":`+js(on)+`}}`, active(on))
	o.c.confirmActive(step, id, r, on)
	return r
}

// Group Push.

// PushGroup pushes a new group: a lookup by displayName without a match,
// then POST /Groups without members, which must answer 201 with the group
// and its id.
func (o *Okta) PushGroup(displayName string) *Response {
	helper(o.c.t)
	const step = "push group"
	o.c.do(call{step: step + ": lookup by displayName", method: http.MethodGet,
		path:   filterPath("/Groups", "displayName", displayName, "startIndex=1&count=100"),
		status: []int{http.StatusOK}, rules: []rule{jsonBody, listResponse(1), matches(0, "Okta would link that group instead of creating one")}})
	return o.c.do(call{step: step + ": POST /Groups", method: http.MethodPost, path: "/Groups",
		body:   `{"schemas":[` + js(groupURN) + `],"displayName":` + js(displayName) + `,"members":[]}`,
		status: []int{http.StatusCreated}, rules: []rule{jsonBody, hasID}})
}

// RenameGroup renames a pushed group: a PATCH without a path whose value
// holds the id and the new displayName.
func (o *Okta) RenameGroup(id, displayName string) *Response {
	helper(o.c.t)
	return o.c.patch("rename group", "/Groups/"+escape(id), `{"op":"replace","value":{"id":`+js(id)+`,"displayName":`+js(displayName)+`}}`)
}

// AddMember adds the user of userID, shown as display, to a group.
func (o *Okta) AddMember(groupID, userID, display string) *Response {
	helper(o.c.t)
	return o.c.patch("add group member", "/Groups/"+escape(groupID), `{"op":"add","path":"members","value":[{"value":`+js(userID)+`,"display":`+js(display)+`}]}`)
}

// RemoveMember removes the user of userID from a group, by a value
// filter on members.
func (o *Okta) RemoveMember(groupID, userID string) *Response {
	helper(o.c.t)
	return o.c.patch("remove group member", "/Groups/"+escape(groupID), `{"op":"remove","path":`+js(`members[value eq `+js(userID)+`]`)+`}`)
}

// ReplaceGroup replaces a group with PUT: its displayName and members.
// It must answer 200 with the group.
func (o *Okta) ReplaceGroup(id, displayName string, memberIDs ...string) *Response {
	helper(o.c.t)
	members := ""
	for i, m := range memberIDs {
		if i > 0 {
			members += ","
		}
		members += `{"value":` + js(m) + `}`
	}
	return o.c.do(call{step: "replace group: PUT", method: http.MethodPut, path: "/Groups/" + escape(id),
		body:   `{"schemas":[` + js(groupURN) + `],"id":` + js(id) + `,"displayName":` + js(displayName) + `,"members":[` + members + `]}`,
		status: []int{http.StatusOK}, rules: []rule{jsonBody, sameID(id)}})
}

// DeleteGroup deletes a pushed group; it must answer 204 (or 200).
func (o *Okta) DeleteGroup(id string) *Response {
	helper(o.c.t)
	return o.c.delete("delete group", "/Groups/"+escape(id))
}

// Sync runs Okta's whole script for one new person: Test API Credentials;
// create; read; profile push; when groups are pushed (see
// [WithGroupProvisioning]) a group pushed, given the user as member,
// renamed, the member removed, replaced with the member, and deleted;
// deactivate; reactivate; deactivate (the person unassigned). It returns
// the person provisioned.
func (o *Okta) Sync() Person {
	helper(o.c.t)
	o.TestAPICredentials()
	s := suffix(8)
	p := Person{ExternalID: "00u" + suffix(17), GivenName: "Grace", FamilyName: "Hopper",
		UserName: "grace.hopper." + s + "@example.com", Email: "grace.hopper." + s + "@example.com"}
	u := o.CreateUser(p)
	o.GetUser(u.ID)
	p.GivenName, p.FamilyName = "Grace Brewster", "Murray Hopper"
	o.UpdateUser(u.ID, p)
	if o.c.groupsOn() {
		g := o.PushGroup("Test SCIMv2 " + s)
		o.AddMember(g.ID, u.ID, p.UserName)
		o.RenameGroup(g.ID, "Renamed "+s)
		o.RemoveMember(g.ID, u.ID)
		o.ReplaceGroup(g.ID, "Renamed "+s, u.ID)
		o.DeleteGroup(g.ID)
	}
	o.DeactivateUser(u.ID)
	o.ReactivateUser(u.ID)
	o.DeactivateUser(u.ID)
	return p
}
