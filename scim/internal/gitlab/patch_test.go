package gitlab

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want Update
		bad  bool
	}{
		{name: "no body", want: Update{}},
		{name: "null Operations", body: `{"Operations":null}`, want: Update{}},
		{name: "empty Operations", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`, want: Update{}},
		{name: "Entra disable, string False", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
			want: Update{Active: ptr(false)}},
		{name: "Entra disable, boolean", body: `{"Operations":[{"op":"replace","path":"active","value":false}]}`, want: Update{Active: ptr(false)}},
		{name: "Okta disable without path", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			want: Update{Active: ptr(false)}},
		{name: "reactivate with quoted string", body: `{"Operations":[{"op":"Add","path":"active","value":"\"TRUE\""}]}`, want: Update{Active: ptr(true)}},
		{name: "extern_uid by id", body: `{"Operations":[{"op":"Replace","path":"id","value":"new_uid"}]}`, want: Update{ExternUID: ptr("new_uid")}},
		{name: "extern_uid by externalId, later op wins", body: `{"Operations":[{"op":"replace","path":"id","value":"a"},{"op":"replace","path":"externalId","value":"b"}]}`,
			want: Update{ExternUID: ptr("b")}},
		{name: "attributes GitLab maps", body: `{"Operations":[{"op":"Replace","path":"name.formatted","value":"new_name"},` +
			`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@mail.com"},{"op":"Replace","path":"userName","value":"new_username"}]}`,
			want: Update{Name: ptr("new_name"), Email: ptr("new@mail.com"), UserName: ptr("new_username")}},
		{name: "unknown paths and remove ignored", body: `{"Operations":[{"op":"Replace","path":"test","value":"x"},{"op":"remove","path":"active"},` +
			`{"op":"replace","path":"name.givenName","value":"g"},{"op":"Replace","path":"Active","value":false},{"op":"copy","path":"active","value":false}]}`,
			want: Update{}},
		{name: "path-less: only the first member", body: `{"Operations":[{"op":"replace","value":{"displayName":"D","active":false}}]}`,
			want: Update{Name: ptr("D")}},
		{name: "path-less empty object", body: `{"Operations":[{"op":"replace","value":{}}]}`, want: Update{}},
		{name: "null path is path-less", body: `{"Operations":[{"op":"replace","path":null,"value":{"externalId":"e"}}]}`, want: Update{ExternUID: ptr("e")}},
		{name: "non-string path ignored", body: `{"Operations":[{"op":"replace","path":3,"value":false}]}`, want: Update{}},
		{name: "a later non-boolean active clears", body: `{"Operations":[{"op":"replace","path":"active","value":false},{"op":"replace","path":"active","value":"yes"}]}`,
			want: Update{}},
		{name: "a later null clears", body: `{"Operations":[{"op":"replace","path":"id","value":"a"},{"op":"replace","path":"id","value":null}]}`, want: Update{}},
		{name: "blank extern_uid kept for the rules to refuse", body: `{"Operations":[{"op":"replace","path":"externalId","value":""}]}`, want: Update{ExternUID: ptr("")}},

		{name: "Operations not an array", body: `{"Operations":{"op":"replace"}}`, bad: true},
		{name: "operation not an object", body: `{"Operations":["replace"]}`, bad: true},
		{name: "missing op", body: `{"Operations":[{"path":"active","value":false}]}`, bad: true},
		{name: "op not a string", body: `{"Operations":[{"op":1,"path":"active","value":false}]}`, bad: true},
		{name: "path-less value not an object", body: `{"Operations":[{"op":"replace","value":false}]}`, bad: true},
		{name: "object for a mapped field", body: `{"Operations":[{"op":"replace","path":"userName","value":{"a":1}}]}`, bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustParams(t, "", tc.body, "group", "g", "id", "u")
			got, err := p.Patch()
			if tc.bad {
				var pe *PatchError
				if !errors.As(err, &pe) {
					t.Fatalf("Patch = %+v, %v; want *PatchError", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Patch: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Patch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatchErrorText(t *testing.T) {
	t.Parallel()
	if got, want := (&PatchError{Index: -1, Reason: "r"}).Error(), "gitlab: r"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (&PatchError{Index: 2, Reason: "r"}).Error(), "gitlab: operation 2: r"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		u      Update
		active bool
		want   Action
	}{
		{"deprovision wins over everything", Update{Active: ptr(false), ExternUID: ptr("x"), Name: ptr("n")}, true, ActionDeprovision},
		{"deprovision an inactive identity again", Update{Active: ptr(false)}, false, ActionDeprovision},
		{"reprovision wins over an extern_uid change", Update{Active: ptr(true), ExternUID: ptr("x")}, false, ActionReprovision},
		{"active true on an active identity does nothing", Update{Active: ptr(true)}, true, ActionNone},
		{"extern_uid change", Update{ExternUID: ptr("x"), Name: ptr("n")}, true, ActionExternUID},
		{"attributes", Update{Email: ptr("e")}, true, ActionAttributes},
		{"nothing", Update{}, true, ActionNone},
		// GitLab reactivates here; scimkit does not.
		{"rename of an inactive identity does not reactivate", Update{Name: ptr("n")}, false, ActionAttributes},
		{"empty PATCH of an inactive identity does not reactivate", Update{}, false, ActionNone},
		{"extern_uid change of an inactive identity", Update{ExternUID: ptr("x")}, false, ActionExternUID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.u.Action(tc.active); got != tc.want {
				t.Errorf("Action(%v) = %v, want %v", tc.active, got, tc.want)
			}
		})
	}
	for a, want := range map[Action]string{ActionNone: "none", ActionDeprovision: "deprovision", ActionReprovision: "reprovision",
		ActionExternUID: "externUID", ActionAttributes: "attributes", 42: "Action(42)"} {
		if got := a.String(); got != want {
			t.Errorf("Action(%d).String() = %q, want %q", a, got, want)
		}
	}
}
