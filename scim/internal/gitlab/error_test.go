package gitlab

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarshalError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		detail string
		want   string
	}{
		{"unsupported filter", 412, DetailUnsupportedFilter,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Unsupported Filter","status":412}`},
		{"resource not found", 404, DetailResourceNotFound("123"),
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Resource 123 not found","status":404}`},
		{"group not found", 404, DetailGroupNotFound("acme/sub"),
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Group acme/sub not found","status":404}`},
		{"last owner", 412, "Could not remove Jane Doe from Acme. Cannot remove last group owner.",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Could not remove Jane Doe from Acme. Cannot remove last group owner.","status":412}`},
		{"conflict with a dump", 409, `Error saving user with {"externalId"=>"x"}: User has already been taken`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Error saving user with {\"externalId\"=\u003e\"x\"}: User has already been taken","status":409}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, string(MarshalError(tc.status, tc.detail))); diff != "" {
				t.Errorf("MarshalError (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		reason string
		want   string
	}{
		{401, "", `{"message":"401 Unauthorized"}`},
		{403, "Group SAML not enabled.", `{"message":"403 Forbidden - Group SAML not enabled."}`},
		{500, "", `{"message":"500 Internal Server Error"}`},
		{413, "", `{"message":"413 Request Entity Too Large"}`},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, string(MarshalMessage(tc.status, tc.reason))); diff != "" {
			t.Errorf("MarshalMessage(%d, %q) (-want +got):\n%s", tc.status, tc.reason, diff)
		}
	}
	for text, want := range map[string]string{
		RouteNotFound: `{"error":"404 Not Found"}`,
		DetailInvalidBody("application/scim+json"): `{"error":"\nProblem:\n  message body does not match declared format\nResolution:\n  when specifying application/scim+json as content-type, you must pass valid application/scim+json in the request's 'body' "}`,
		DetailInvalidBody(""):                      `{"error":"\nProblem:\n  message body does not match declared format\nResolution:\n  when specifying application/json as content-type, you must pass valid application/json in the request's 'body' "}`,
		DetailUnsupportedContentType("text/plain"): `{"error":"The provided content-type 'text/plain' is not supported."}`,
	} {
		if diff := cmp.Diff(want, string(MarshalAPIError(text))); diff != "" {
			t.Errorf("MarshalAPIError(%q) (-want +got):\n%s", text, diff)
		}
	}
}

func TestConflictStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg  string
		want int
	}{
		{"User has already been taken", http.StatusConflict},
		{"Email can't be blank and Extern uid has already been taken", http.StatusConflict},
		{"Email can't be blank", http.StatusPreconditionFailed},
		{"", http.StatusPreconditionFailed},
	}
	for _, tc := range tests {
		if got := ConflictStatus(tc.msg); got != tc.want {
			t.Errorf("ConflictStatus(%q) = %d, want %d", tc.msg, got, tc.want)
		}
	}
}
