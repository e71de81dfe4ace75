package scimtest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/stretchr/testify/require"
)

// Entra is Microsoft Entra ID's provisioning service as a scripted SCIM
// client: each method sends the requests Entra ID sends for one change in
// its directory, in its order, and fails the test when an answer is one
// Entra ID treats as an error. Entra ID finds a user by its matching
// attribute (externalId, the objectId) before every change, so the user
// methods take the [Person] and look the user up.
//
// The requests are those of Microsoft's SCIM guide and of its list of
// SCIM compliance known issues: PATCH ops "Replace" and "Add", active as
// the string "False" or "True" (Entra ID without the aadOptscim062020
// flag), and the flag's form, lower-case ops with a path-less value
// object. With WithProfile(scim.ProfileGitLab), Entra ID sends the
// attributes GitLab's set-up guide maps (externalId, userName, the work
// email, name.formatted, active) and accepts 204 without a body.
//
// An Entra is not safe for concurrent use.
type Entra struct{ c *client }

// NewEntra returns Entra ID's client for the SCIM base URL and token. It
// reads the options [WithProfile], [WithHTTPClient] and
// [WithGroupProvisioning].
func NewEntra(t require.TestingT, baseURL, token string, opts ...Option) *Entra {
	helper(t)
	c := newClient(t, "Entra ID", "NewEntra", baseURL, token, opts)
	c.bodyType = "application/scim+json"
	return &Entra{c: c}
}

// entraGroupURN is the schema Entra ID adds to the groups it creates.
const entraGroupURN = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"

// TestConnection sends what Entra ID's Test Connection sends: a query for
// a random userName, which must answer 200 with a ListResponse.
func (e *Entra) TestConnection() *Response {
	helper(e.c.t)
	return e.c.do(call{step: "Test Connection", method: http.MethodGet,
		path:   filterPath("/Users", "userName", guid(), ""),
		status: []int{http.StatusOK}, rules: []rule{jsonBody, listResponse(-1)}})
}

// lookup queries the users by a matching attribute, as Entra ID does
// before a change; it takes at most one match.
func (e *Entra) lookup(step, attr, value string, rules ...rule) []map[string]any {
	helper(e.c.t)
	r := e.c.do(call{step: step, method: http.MethodGet, path: filterPath("/Users", attr, value, ""),
		status: []int{http.StatusOK}, rules: append([]rule{jsonBody, listResponse(1)}, rules...)})
	return resources(r)
}

// find looks the person up by externalId, which must match one user with
// an id and the rules; it returns the user.
func (e *Entra) find(step string, p Person, rules ...rule) map[string]any {
	helper(e.c.t)
	found := e.lookup(step+": query by externalId", "externalId", p.ExternalID,
		append([]rule{matches(1, "Entra ID would create the user"), first(hasID)}, rules...)...)
	if len(found) == 0 {
		return map[string]any{}
	}
	return found[0]
}

// CreateUser provisions p: a query by externalId and one by userName,
// both without a match, then POST /Users, which must answer 201 with the
// user and its id.
func (e *Entra) CreateUser(p Person) *Response {
	helper(e.c.t)
	const step = "create user"
	for _, attr := range []string{"externalId", "userName"} {
		value := p.ExternalID
		if attr == "userName" {
			value = p.UserName
		}
		e.lookup(step+": query by "+attr, attr, value, matches(0, "Entra ID would update that user instead of creating one"))
	}
	name := `{"formatted":` + js(p.displayName()) + `,"familyName":` + js(p.FamilyName) + `,"givenName":` + js(p.GivenName) + `}`
	roles := `,"roles":[]`
	if e.c.gitlab() {
		name, roles = `{"formatted":`+js(p.displayName())+`}`, ""
	}
	body := `{"schemas":[` + js(userURN) + `,` + js(enterpriseURN) + `],` +
		`"externalId":` + js(p.ExternalID) + `,"userName":` + js(p.UserName) + `,"active":true,` +
		`"emails":[{"primary":true,"type":"work","value":` + js(p.Email) + `}],` +
		`"meta":{"resourceType":"User"},"name":` + name + roles + `}`
	return e.c.do(call{step: step + ": POST /Users", method: http.MethodPost, path: "/Users", body: body,
		status: []int{http.StatusCreated}, rules: []rule{jsonBody, hasID}})
}

// UpdateUser sends p's attributes as Entra ID does without the
// aadOptscim062020 flag: a query by externalId, then a PATCH with one
// "Replace" operation per attribute. In the RFC profile the user is then
// queried again, as in Entra ID's next cycle, and must read back as sent:
// Entra ID sends an attribute that reads back differently again in every
// cycle.
func (e *Entra) UpdateUser(p Person) *Response {
	helper(e.c.t)
	const step = "update user (Replace operations)"
	id := idOf(e.find(step, p))
	var ops []string
	if e.c.gitlab() {
		ops = []string{
			replaceOp("Replace", "name.formatted", js(p.displayName())),
			replaceOp("Replace", `emails[type eq "work"].value`, js(p.Email)),
		}
	} else {
		ops = []string{
			replaceOp("Replace", "displayName", js(p.displayName())),
			replaceOp("Replace", `emails[type eq "work"].value`, js(p.Email)),
			replaceOp("Replace", "name.givenName", js(p.GivenName)),
			replaceOp("Replace", "name.familyName", js(p.FamilyName)),
		}
	}
	r := e.c.patch(step, "/Users/"+escape(id), strings.Join(ops, ","))
	e.readsBack(step, p)
	return r
}

// UpdateUserWithoutPath sends p's attributes as Entra ID does with the
// aadOptscim062020 flag: a query by externalId, then a PATCH with a
// lower-case "replace" of the work email by path and one "replace"
// without a path whose value holds the other attributes by their paths.
// In the RFC profile the user must then read back as sent.
func (e *Entra) UpdateUserWithoutPath(p Person) *Response {
	helper(e.c.t)
	const step = "update user (replace without a path)"
	id := idOf(e.find(step, p))
	value := `{"displayName":` + js(p.displayName()) + `,"name.givenName":` + js(p.GivenName) + `,"name.familyName":` + js(p.FamilyName) + `}`
	if e.c.gitlab() {
		value = `{"name.formatted":` + js(p.displayName()) + `}`
	}
	ops := replaceOp("replace", `emails[type eq "work"].value`, js(p.Email)) + `,{"op":"replace","value":` + value + `}`
	r := e.c.patch(step, "/Users/"+escape(id), ops)
	e.readsBack(step, p)
	return r
}

// DisableUser sends Entra ID's "Disable User": a query by externalId, a
// PATCH replacing active with the string "False", then the query of the
// next cycle, which must still find the user, with active false. A
// soft-deleted user is disabled the same way.
func (e *Entra) DisableUser(p Person) *Response {
	helper(e.c.t)
	return e.setActive("disable user", p, false)
}

// EnableUser restores a disabled or soft-deleted user: as DisableUser,
// with the string "True".
func (e *Entra) EnableUser(p Person) *Response {
	helper(e.c.t)
	return e.setActive("enable user", p, true)
}

// setActive is DisableUser and EnableUser.
func (e *Entra) setActive(step string, p Person, on bool) *Response {
	helper(e.c.t)
	id := idOf(e.find(step, p))
	value := "False"
	if on {
		value = "True"
	}
	r := e.c.do(call{step: step + ": PATCH active " + js(value), method: http.MethodPatch, path: "/Users/" + escape(id),
		body:   `{"Operations":[{"op":"Replace","path":"active","value":` + js(value) + `}],"schemas":[` + js(patchOpURN) + `]}`,
		status: []int{http.StatusOK, http.StatusNoContent}, rules: []rule{optionalJSON, active(on)}})
	e.find(step+", next cycle", p, first(active(on)))
	return r
}

// DeleteUser sends Entra ID's hard delete, 30 days after a soft delete: a
// query by externalId, then DELETE /Users/{id}, which must answer 204 (or
// 200).
func (e *Entra) DeleteUser(p Person) *Response {
	helper(e.c.t)
	const step = "delete user"
	id := idOf(e.find(step, p))
	return e.c.delete(step+": DELETE", "/Users/"+escape(id))
}

// readsBack queries p again, as Entra ID's next cycle does, and in the RFC
// profile compares what Entra ID sent with what reads back. (The GitLab
// profile shows the account's own name and email instead.)
func (e *Entra) readsBack(step string, p Person) {
	helper(e.c.t)
	if e.c.gitlab() {
		e.find(step+", next cycle", p)
		return
	}
	e.find(step+", next cycle", p, first(rule{
		want: "the attributes as sent (Entra ID sends an attribute that reads back differently again in every cycle)",
		check: func(r *Response) string {
			var diffs []string
			for _, a := range [][2]string{{"displayName", p.displayName()}, {"name.givenName", p.GivenName}, {"name.familyName", p.FamilyName}} {
				if v, _ := attr(r.JSON, a[0]); v != a[1] {
					diffs = append(diffs, fmt.Sprintf("%s is %s, Entra ID sent %s", a[0], js(v), js(a[1])))
				}
			}
			if v := workEmail(r.JSON); !strings.EqualFold(v, p.Email) {
				diffs = append(diffs, fmt.Sprintf(`emails[type eq "work"].value is %s, Entra ID sent %s`, js(v), js(p.Email)))
			}
			return strings.Join(diffs, "; ")
		},
	}))
}

// Group provisioning, when groups are in scope of Entra ID's provisioning.

// CreateGroup provisions a group: a query by displayName (members
// excluded) without a match, then POST /Groups, which must answer 201 with
// the group and its id.
func (e *Entra) CreateGroup(displayName string) *Response {
	helper(e.c.t)
	const step = "create group"
	e.c.do(call{step: step + ": query by displayName", method: http.MethodGet,
		path:   filterPath("/Groups", "displayName", displayName, "excludedAttributes=members"),
		status: []int{http.StatusOK}, rules: []rule{jsonBody, listResponse(1), matches(0, "Entra ID would update that group instead of creating one")}})
	body := `{"schemas":[` + js(groupURN) + `,` + js(entraGroupURN) + `],"externalId":` + js(guid()) +
		`,"displayName":` + js(displayName) + `,"meta":{"resourceType":"Group"}}`
	return e.c.do(call{step: step + ": POST /Groups", method: http.MethodPost, path: "/Groups", body: body,
		status: []int{http.StatusCreated}, rules: []rule{jsonBody, hasID}})
}

// GetGroup reads a group with its members excluded, as Entra ID does
// before it updates one.
func (e *Entra) GetGroup(id string) *Response {
	helper(e.c.t)
	return e.c.do(call{step: "get group", method: http.MethodGet, path: "/Groups/" + escape(id) + "?excludedAttributes=members",
		status: []int{http.StatusOK}, rules: []rule{jsonBody, sameID(id)}})
}

// RenameGroup replaces a group's displayName.
func (e *Entra) RenameGroup(id, displayName string) *Response {
	helper(e.c.t)
	return e.c.patch("rename group", "/Groups/"+escape(id), replaceOp("Replace", "displayName", js(displayName)))
}

// AddMember adds the user of userID to a group: an "Add" of members.
func (e *Entra) AddMember(groupID, userID string) *Response {
	helper(e.c.t)
	return e.c.patch("add group member", "/Groups/"+escape(groupID), `{"op":"Add","path":"members","value":[{"$ref":null,"value":`+js(userID)+`}]}`)
}

// RemoveMember removes the user of userID from a group: a "Remove" of
// members with a value list, outside RFC 7644's grammar but what Entra ID
// sends without the aadOptscim062020 flag.
func (e *Entra) RemoveMember(groupID, userID string) *Response {
	helper(e.c.t)
	return e.c.patch("remove group member", "/Groups/"+escape(groupID), `{"op":"Remove","path":"members","value":[{"$ref":null,"value":`+js(userID)+`}]}`)
}

// DeleteGroup deletes a group; it must answer 204 (or 200).
func (e *Entra) DeleteGroup(id string) *Response {
	helper(e.c.t)
	return e.c.delete("delete group", "/Groups/"+escape(id))
}

// Sync runs Entra ID's whole script for one new person: Test Connection;
// create; an update without and one with the aadOptscim062020 flag; when
// groups are provisioned (see [WithGroupProvisioning]) a group created,
// renamed, given the user as member and the member removed, then deleted;
// disable; enable; soft delete (a disable); hard delete. It returns the
// person provisioned.
func (e *Entra) Sync() Person {
	helper(e.c.t)
	e.TestConnection()
	s := suffix(8)
	p := Person{ExternalID: guid(), GivenName: "Ada", FamilyName: "Lovelace",
		UserName: "ada.lovelace." + s + "@contoso.example", Email: "ada.lovelace." + s + "@contoso.example"}
	if e.c.gitlab() {
		p.UserName = "ada.lovelace." + s // GitLab maps mailNickname to userName
	}
	u := e.CreateUser(p)
	p = renamed(p, "Byron")
	e.UpdateUser(p)
	p = renamed(p, "King")
	e.UpdateUserWithoutPath(p)
	if e.c.groupsOn() {
		g := e.CreateGroup("Engineering " + s)
		e.GetGroup(g.ID)
		e.RenameGroup(g.ID, "Analytical Engines "+s)
		e.AddMember(g.ID, u.ID)
		e.RemoveMember(g.ID, u.ID)
		e.DeleteGroup(g.ID)
	}
	e.DisableUser(p)
	e.EnableUser(p)
	e.setActive("soft-delete user", p, false)
	e.DeleteUser(p)
	return p
}

// replaceOp is a PATCH operation with a path; value is JSON.
func replaceOp(op, path, value string) string {
	return `{"op":` + js(op) + `,"path":` + js(path) + `,"value":` + value + `}`
}

// idOf returns a resource's id.
func idOf(res map[string]any) string {
	id, _ := res["id"].(string)
	return id
}
