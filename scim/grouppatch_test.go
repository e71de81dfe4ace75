package scim

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// patchOp is the PatchOp schema.
const patchOp = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`

// TestGroupPatchShapes sends the PATCH shapes the identity providers send
// (docs in grouppatch.go) to a group with members A and B, whose name is
// "Engineering": each gives its members and name; "other" is a User of
// another group, "gone" no User at all.
func TestGroupPatchShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ops     string // the Operations, with A, B, C, OTHER for user ids
		members []string
		display string
	}{
		{"Entra ID add", `[{"op":"Add","path":"members","value":[{"$ref":null,"value":"C"}]}]`, []string{"A", "B", "C"}, ""},
		{"Entra ID remove with a value list", `[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"A"}]}]`, []string{"B"}, ""},
		{"Okta add with display", `[{"op":"add","path":"members","value":[{"value":"C","display":"c@example.com"}]}]`, []string{"A", "B", "C"}, ""},
		{"remove by value filter", `[{"op":"remove","path":"members[value eq \"B\"]"}]`, []string{"A"}, ""},
		{"remove by value filters joined by or", `[{"op":"remove","path":"members[value eq \"A\" or value eq \"B\"]"}]`, []string{}, ""},
		{"remove members without value: all", `[{"op":"remove","path":"members"}]`, []string{}, ""},
		{"Okta replace members", `[{"op":"replace","path":"members","value":[{"value":"C"},{"value":"A"}]}]`, []string{"A", "C"}, ""},
		{"replace members with an empty list", `[{"op":"replace","path":"members","value":[]}]`, []string{}, ""},
		{"replace displayName", `[{"op":"Replace","path":"displayName","value":"Analytical Engines"}]`, []string{"A", "B"}, "Analytical Engines"},
		{"Okta replace without path, with id", `[{"op":"replace","value":{"id":"GROUP","displayName":"Renamed"}}]`, []string{"A", "B"}, "Renamed"},
		{"add without path, members and name", `[{"op":"add","value":{"members":[{"value":"C"}],"displayName":"Renamed"}}]`, []string{"A", "B", "C"}, "Renamed"},
		{"replace without path, URN-qualified members", `[{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:Group:members":[{"value":"C"}]}}]`, []string{"C"}, ""},
		{"replace without path, members spelt several ways: the last in byte order wins, as patch applies them",
			`[{"op":"replace","value":{"MEMBERS":[],"Members":[{"value":"A"}],"mEMBERS":[],"meMBERS":[{"value":"B"}],"memBERS":[],"membERS":[],"members":[{"value":"C"}]}}]`, []string{"C"}, ""},
		{"add without path, members spelt two ways: both added", `[{"op":"add","value":{"Members":[{"value":"C"}],"members":[]}}]`, []string{"A", "B", "C"}, ""},
		{"replace without path, members null", `[{"op":"replace","value":{"members":null}}]`, []string{}, ""},
		{"URN-qualified path", `[{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:Group:members","value":[{"value":"C"}]}]`, []string{"A", "B", "C"}, ""},
		{"one member object for the list", `[{"op":"add","path":"members","value":{"value":"C"}}]`, []string{"A", "B", "C"}, ""},
		{"op and path in other case", `[{"op":"ADD","path":"Members","value":[{"value":"C"}]}]`, []string{"A", "B", "C"}, ""},
		{"several operations, in order", `[{"op":"Add","path":"members","value":[{"value":"C"}]},{"op":"Remove","path":"members","value":[{"value":"A"},{"value":"C"}]},{"op":"Replace","path":"displayName","value":"Two"},{"op":"add","path":"members","value":[{"value":"A"}]}]`, []string{"A", "B"}, "Two"},
		{"replace then add", `[{"op":"replace","path":"members","value":[]},{"op":"add","path":"members","value":[{"value":"C"}]}]`, []string{"C"}, ""},
		{"add a member already there", `[{"op":"add","path":"members","value":[{"value":"A"}]}]`, []string{"A", "B"}, ""},
		{"remove one that is not a member", `[{"op":"Remove","path":"members","value":[{"value":"C"}]}]`, []string{"A", "B"}, ""},
		{"remove an id that names no User (Entra ID retrying)", `[{"op":"Remove","path":"members","value":[{"value":"gone"}]},{"op":"remove","path":"members[value eq \"gone\"]"}]`, []string{"A", "B"}, ""},
		{"externalId and a custom attribute", `[{"op":"add","path":"externalId","value":"e-1"},{"op":"add","path":"costCenter","value":"42"}]`, []string{"A", "B"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			ids := map[string]string{
				"A": e.createUser(t, "ext-a", "a", "a@example.com"),
				"B": e.createUser(t, "ext-b", "b", "b@example.com"),
				"C": e.createUser(t, "ext-c", "c", "c@example.com"),
			}
			id := e.createGroup(t, "Engineering", ids["A"], ids["B"])
			ops := strings.NewReplacer(`"A"`, `"`+ids["A"]+`"`, `"B"`, `"`+ids["B"]+`"`, `"C"`, `"`+ids["C"]+`"`,
				`\"A\"`, `\"`+ids["A"]+`\"`, `\"B\"`, `\"`+ids["B"]+`\"`, "GROUP", id).Replace(tc.ops)
			rec := e.do(t, http.MethodPatch, "/Groups/"+id, `{`+patchOp+`,"Operations":`+ops+`}`)
			if rec.Code != http.StatusNoContent {
				t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
			}
			want := []string{}
			for _, m := range tc.members {
				want = append(want, ids[m])
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, e.members(t, id)); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			display := tc.display
			if display == "" {
				display = "Engineering"
			}
			got := decode(t, e.do(t, http.MethodGet, "/Groups/"+id+"?attributes=displayName", nil))
			if got["displayName"] != display {
				t.Errorf("displayName = %v, want %q", got["displayName"], display)
			}
		})
	}
}

// A PATCH answers 204 with the new ETag; asked for the resource (by
// attributes, excludedAttributes or Prefer: return=representation), 200
// with it.
func TestGroupPatchAnswer(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ada := e.createUser(t, "ext-ada", "ada", "ada@example.com")
	id := e.createGroup(t, "Engineering")
	rename := func(name string) string {
		return `{"Operations":[{"op":"replace","path":"displayName","value":"` + name + `"}]}`
	}
	rec := e.do(t, http.MethodPatch, "/Groups/"+id, rename("One"))
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 || rec.Header().Get("ETag") != `W/"2"` || rec.Header().Get("Content-Type") != "" {
		t.Errorf("default: %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
	rec = e.do(t, http.MethodPatch, "/Groups/"+id+"?excludedAttributes=members", rename("Two"))
	if got := decode(t, rec); rec.Code != http.StatusOK || got["displayName"] != "Two" || got["members"] != nil {
		t.Errorf("excludedAttributes=members: %d %s", rec.Code, rec.Body)
	}
	rec = e.do(t, http.MethodPatch, "/Groups/"+id, `{"Operations":[{"op":"add","path":"members","value":[{"value":"`+ada+`"}]}]}`, "Prefer", "return=representation")
	if got := decode(t, rec); rec.Code != http.StatusOK || len(got["members"].([]any)) != 1 {
		t.Errorf("Prefer return=representation: %d %s", rec.Code, rec.Body)
	}
}

// TestGroupsBadInput sends malformed and refused requests to /Groups: each
// gets its SCIM error, and the store (users, groups, members, links) stays
// exactly as it was.
func TestGroupsBadInput(t *testing.T) {
	t.Parallel()
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			groupsBadInput(t, newTestEnvOn(t, st.open(t)))
		})
	}
}

// groupsBadInput is TestGroupsBadInput on the store of e: a refusal the
// store finds inside its transaction, after writing a member or a name,
// must leave nothing behind on SQLite and PostgreSQL too.
func groupsBadInput(t *testing.T, e *testEnv) {
	ada := e.createUser(t, "ext-ada", "ada", "ada@example.com")
	bob := e.createUser(t, "ext-bob", "bob", "bob@example.com")
	id := e.createGroup(t, "Engineering", ada)
	sales := e.createGroup(t, "Sales")
	if rec := e.do(t, http.MethodPatch, "/Groups/"+sales, `{"Operations":[{"op":"add","path":"externalId","value":"s-1"}]}`); rec.Code != http.StatusNoContent {
		t.Fatalf("set Sales' externalId: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(t, http.MethodPatch, "/Groups/"+id, `{"Operations":[{"op":"add","path":"externalId","value":"eng-1"}]}`); rec.Code != http.StatusNoContent {
		t.Fatalf("set externalId: %d %s", rec.Code, rec.Body)
	}
	// A User of the other group.
	other := e.do(t, http.MethodPost, "/api/scim/v2/groups/other/Users",
		`{"externalId":"ext-o","userName":"o","emails":[{"value":"o@example.com","type":"work"}]}`, "Authorization", "Bearer "+e.otherToken)
	if other.Code != http.StatusCreated {
		t.Fatalf("other user: %d %s", other.Code, other.Body)
	}
	otherID := decode(t, other)["id"].(string)
	patchPath := "/Groups/" + id
	ops := func(ops string) string { return `{` + patchOp + `,"Operations":[` + ops + `]}` }
	tests := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		scimType                 string
	}{
		{name: "POST without displayName", method: "POST", path: "/Groups", body: `{"schemas":["` + groupURN + `"]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST blank displayName", method: "POST", path: "/Groups", body: `{"displayName":"  "}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST displayName not a string", method: "POST", path: "/Groups", body: `{"displayName":42}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST displayName taken, other case", method: "POST", path: "/Groups", body: `{"displayName":"ENGINEERING"}`, status: 409, scimType: TypeUniqueness},
		{name: "POST externalId taken", method: "POST", path: "/Groups", body: `{"displayName":"New","externalId":"ENG-1"}`, status: 409, scimType: TypeUniqueness},
		{name: "POST User schema", method: "POST", path: "/Groups", body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"New"}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "POST schemas not an array", method: "POST", path: "/Groups", body: `{"schemas":"` + groupURN + `","displayName":"New"}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "POST members not an array", method: "POST", path: "/Groups", body: `{"displayName":"New","members":"` + ada + `"}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST member without value", method: "POST", path: "/Groups", body: `{"displayName":"New","members":[{"display":"Ada"}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST unknown member", method: "POST", path: "/Groups", body: `{"displayName":"New","members":[{"value":"` + ada + `"},{"value":"nobody"}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST member of another group", method: "POST", path: "/Groups", body: `{"displayName":"New","members":[{"value":"` + otherID + `"}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST nested group", method: "POST", path: "/Groups", body: `{"displayName":"New","members":[{"value":"` + id + `","type":"Group"}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST URN-qualified members naming no User", method: "POST", path: "/Groups", body: `{"displayName":"New","` + groupURN + `:members":[{"value":"nobody"}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "POST displayName with and without the URN", method: "POST", path: "/Groups", body: `{"displayName":"New","` + groupURN + `:displayName":"Other"}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "POST malformed JSON", method: "POST", path: "/Groups", body: `{"displayName":`, status: 400, scimType: TypeInvalidSyntax},
		{name: "POST duplicate case-folded names", method: "POST", path: "/Groups", body: `{"displayName":"a","DISPLAYNAME":"b"}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "POST wrong content type", method: "POST", path: "/Groups", body: `{"displayName":"New"}`, headers: []string{"Content-Type", "text/plain"}, status: 415},
		{name: "POST other group's token", method: "POST", path: "/Groups", body: `{"displayName":"New"}`, headers: []string{"Authorization", "Bearer " + e.otherToken}, status: 401},
		{name: "PUT rename onto another group", method: "PUT", path: "/Groups/" + id, body: `{"displayName":"sales"}`, status: 409, scimType: TypeUniqueness},
		{name: "PUT unknown member", method: "PUT", path: "/Groups/" + id, body: `{"displayName":"Eng","members":[{"value":"nobody"}]}`, status: 400, scimType: TypeInvalidValue},
		{name: "PUT unknown group", method: "PUT", path: "/Groups/nope", body: `{"displayName":"Eng"}`, status: 404},
		{name: "PUT stale If-Match", method: "PUT", path: "/Groups/" + id, body: `{"displayName":"Eng"}`, headers: []string{"If-Match", `W/"99"`}, status: 412},
		{name: "GET unknown group", method: "GET", path: "/Groups/nope", status: 404},
		{name: "GET another group's group", method: "GET", path: "/Groups/" + id, headers: []string{"Authorization", "Bearer " + e.otherToken}, status: 401},
		{name: "GET .search", method: "GET", path: "/Groups/.search", status: 405},
		{name: "GET bad filter", method: "GET", path: "/Groups?filter=" + q(`displayName eq`), status: 400, scimType: TypeInvalidFilter},
		{name: "GET filter on a boolean with gt", method: "GET", path: "/Groups?filter=" + q(`members[value gt true]`), status: 400, scimType: TypeInvalidFilter},
		{name: "GET filter on members.display, which would match nothing", method: "GET", path: "/Groups?filter=" + q(`members.display eq "Given Family"`), status: 400, scimType: TypeInvalidFilter},
		{name: "GET filter on a member's type inside or", method: "GET", path: "/Groups?filter=" + q(`displayName eq "x" or members[value eq "`+ada+`" and type eq "User"]`), status: 400, scimType: TypeInvalidFilter},
		{name: "search filter on members.$ref", method: "POST", path: "/Groups/.search", body: `{"filter":"not (members.$ref pr)"}`, status: 400, scimType: TypeInvalidFilter},
		{name: "GET sortBy value filter", method: "GET", path: "/Groups?sortBy=" + q(`members[value eq "x"]`), status: 400, scimType: TypeInvalidValue},
		{name: "GET bad count", method: "GET", path: "/Groups?count=many", status: 400, scimType: TypeInvalidValue},
		{name: "GET bad excludedAttributes", method: "GET", path: "/Groups?excludedAttributes=" + q(`members[value eq "x"]`), status: 400, scimType: TypeInvalidPath},
		{name: "GET 257 attributes", method: "GET", path: "/Groups?attributes=" + strings.Repeat("displayName,", 257), status: 400, scimType: TypeInvalidValue},
		{name: "search 50000 excludedAttributes", method: "POST", path: "/Groups/.search", body: `{"excludedAttributes":[` + strings.Repeat(`"x",`, 50000) + `"y"]}`, status: 400, scimType: TypeInvalidValue},
		{name: "PATCH with 257 attributes", method: "PATCH", path: patchPath + "?attributes=" + strings.Repeat("members,", 257), body: ops(`{"op":"add","path":"members","value":[{"value":"` + bob + `"}]}`), status: 400, scimType: TypeInvalidValue},
		{name: "search bad filter", method: "POST", path: "/Groups/.search", body: `{"filter":"displayName eq"}`, status: 400, scimType: TypeInvalidFilter},
		{name: "DELETE unknown group", method: "DELETE", path: "/Groups/nope", status: 404},
		{name: "PATCH unknown group", method: "PATCH", path: "/Groups/nope", body: ops(`{"op":"replace","path":"displayName","value":"x"}`), status: 404},
		{name: "PATCH add unknown member", method: "PATCH", path: patchPath, body: ops(`{"op":"Add","path":"members","value":[{"value":"` + bob + `"},{"value":"nobody"}]}`), status: 400, scimType: TypeInvalidValue},
		{name: "PATCH add member of another group", method: "PATCH", path: patchPath, body: ops(`{"op":"add","path":"members","value":[{"value":"` + otherID + `"}]}`), status: 400, scimType: TypeInvalidValue},
		{name: "PATCH member sub-attribute", method: "PATCH", path: patchPath, body: ops(`{"op":"replace","path":"members[value eq \"` + ada + `\"].display","value":"Ada"}`), status: 400, scimType: TypeMutability},
		{name: "PATCH members.value", method: "PATCH", path: patchPath, body: ops(`{"op":"remove","path":"members.value"}`), status: 400, scimType: TypeMutability},
		{name: "PATCH remove by display", method: "PATCH", path: patchPath, body: ops(`{"op":"remove","path":"members[display eq \"Ada\"]"}`), status: 400, scimType: TypeInvalidFilter},
		{name: "PATCH remove by value and display", method: "PATCH", path: patchPath, body: ops(`{"op":"remove","path":"members[value eq \"` + ada + `\" and display eq \"x\"]"}`), status: 400, scimType: TypeInvalidFilter},
		{name: "PATCH add through a filter", method: "PATCH", path: patchPath, body: ops(`{"op":"add","path":"members[value eq \"` + bob + `\"]","value":{"value":"` + bob + `"}}`), status: 400, scimType: TypeInvalidPath},
		{name: "PATCH add without value", method: "PATCH", path: patchPath, body: ops(`{"op":"add","path":"members"}`), status: 400, scimType: TypeInvalidValue},
		{name: "PATCH replace members with null", method: "PATCH", path: patchPath, body: ops(`{"op":"replace","path":"members","value":null}`), status: 400, scimType: TypeInvalidValue},
		{name: "PATCH members a string", method: "PATCH", path: patchPath, body: ops(`{"op":"add","path":"members","value":"` + bob + `"}`), status: 400, scimType: TypeInvalidValue},
		{name: "PATCH member id not a string", method: "PATCH", path: patchPath, body: ops(`{"op":"add","path":"members","value":[{"value":7}]}`), status: 400, scimType: TypeInvalidValue},
		{name: "PATCH nested group", method: "PATCH", path: patchPath, body: ops(`{"op":"add","path":"members","value":[{"value":"` + id + `","type":"Group"}]}`), status: 400, scimType: TypeInvalidValue},
		{name: "PATCH malformed path", method: "PATCH", path: patchPath, body: ops(`{"op":"remove","path":"members[value eq \"x\""}`), status: 400, scimType: TypeInvalidPath},
		{name: "PATCH displayName not a string", method: "PATCH", path: patchPath, body: ops(`{"op":"replace","path":"displayName","value":["x"]}`), status: 400, scimType: TypeInvalidValue},
		{name: "PATCH remove displayName", method: "PATCH", path: patchPath, body: ops(`{"op":"remove","path":"displayName"}`), status: 400, scimType: TypeMutability},
		{name: "PATCH id", method: "PATCH", path: patchPath, body: ops(`{"op":"replace","path":"id","value":"x"}`), status: 400, scimType: TypeMutability},
		{name: "PATCH rename onto another group", method: "PATCH", path: patchPath, body: ops(`{"op":"replace","path":"displayName","value":"SALES"}`), status: 409, scimType: TypeUniqueness},
		{name: "PATCH unknown op", method: "PATCH", path: patchPath, body: ops(`{"op":"merge","path":"members","value":[]}`), status: 400, scimType: TypeInvalidSyntax},
		{name: "PATCH all or nothing: valid ops, then a bad one", method: "PATCH", path: patchPath,
			body:   ops(`{"op":"Add","path":"members","value":[{"value":"` + bob + `"}]},{"op":"Remove","path":"members","value":[{"value":"` + ada + `"}]},{"op":"replace","path":"displayName","value":"Renamed"},{"op":"replace","path":"displayName","value":7}`),
			status: 400, scimType: TypeInvalidValue},
		{name: "PATCH all or nothing: a bad member after a rename", method: "PATCH", path: patchPath,
			body:   ops(`{"op":"replace","path":"displayName","value":"Renamed"},{"op":"Add","path":"members","value":[{"value":"nobody"}]}`),
			status: 400, scimType: TypeInvalidValue},
		{name: "PATCH all or nothing: members added and removed, then a rename onto another group", method: "PATCH", path: patchPath,
			body:   ops(`{"op":"add","path":"members","value":[{"value":"` + bob + `"}]},{"op":"remove","path":"members[value eq \"` + ada + `\"]"},{"op":"replace","path":"displayName","value":"Sales"}`),
			status: 409, scimType: TypeUniqueness},
		{name: "PUT all or nothing: members replaced, externalId taken", method: "PUT", path: "/Groups/" + id,
			body: `{"displayName":"Eng","externalId":"s-1","members":[{"value":"` + bob + `"}]}`, status: 409, scimType: TypeUniqueness},
		{name: "PATCH stale If-Match", method: "PATCH", path: patchPath, body: ops(`{"op":"add","path":"members","value":[{"value":"` + bob + `"}]}`), headers: []string{"If-Match", `W/"1"`}, status: 412},
		{name: "PATCH no operations", method: "PATCH", path: patchPath, body: `{"Operations":[]}`, status: 400, scimType: TypeInvalidSyntax},
		{name: "PATCH 100000-deep value", method: "PATCH", path: patchPath, body: `{"Operations":[{"op":"add","path":"members","value":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}]}`, status: 400, scimType: TypeInvalidSyntax},
	}
	before := e.groupSnapshot(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, e.do(t, tc.method, tc.path, tc.body, tc.headers...), tc.status, tc.scimType)
		})
	}
	if diff := cmp.Diff(before, e.groupSnapshot(t)); diff != "" {
		t.Errorf("store changed (-before +after):\n%s", diff)
	}
}
