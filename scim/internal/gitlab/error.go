package gitlab

import (
	"net/http"
	"strconv"
	"strings"
)

// Details GitLab sends in SCIM error bodies (docs/gitlab.md §8).
const (
	// DetailUnsupportedFilter is the detail of the 412 for any filter other
	// than id, externalId or userName eq.
	DetailUnsupportedFilter = "Unsupported Filter"
)

// DetailGroupNotFound is the detail of the 404 for an unknown group.
func DetailGroupNotFound(group string) string { return "Group " + group + " not found" }

// DetailSAMLNotConfigured is the detail of the 404 for a group without
// SAML SSO configured.
func DetailSAMLNotConfigured(group string) string {
	return "Group " + group + " does not have SAML SSO configured"
}

// DetailResourceNotFound is the detail of the 404 for an unknown identity.
func DetailResourceNotFound(id string) string { return "Resource " + id + " not found" }

// DetailSaving is the detail of a failed POST: "Error saving user with
// <params>", then ": <message>" when there is a message.
func DetailSaving(params *Params, message string) string {
	s := "Error saving user with " + params.Dump()
	if message != "" {
		s += ": " + message
	}
	return s
}

// DetailUpdating is the detail of a failed PATCH: "Error updating <name>
// with <params>", name being the account's full name.
func DetailUpdating(name string, params *Params) string {
	return "Error updating " + name + " with " + params.Dump()
}

// ConflictStatus returns the status GitLab gives a failed POST: 409 when
// the message contains "has already been taken", 412 otherwise.
func ConflictStatus(message string) int {
	if strings.Contains(message, "has already been taken") {
		return http.StatusConflict
	}
	return http.StatusPreconditionFailed
}

// MarshalError returns GitLab's SCIM error body: schemas, detail, and the
// status as a JSON number; never a scimType.
func MarshalError(status int, detail string) []byte {
	return marshal(struct {
		Schemas []string `json:"schemas"`
		Detail  string   `json:"detail"`
		Status  int      `json:"status"`
	}{[]string{errorURN}, detail, status})
}

// MarshalMessage returns the body of GitLab's generic API errors, which
// are not SCIM-shaped: {"message":"401 Unauthorized"}, or with a reason
// {"message":"403 Forbidden - reason"}.
func MarshalMessage(status int, reason string) []byte {
	s := strconv.Itoa(status) + " " + http.StatusText(status)
	if reason != "" {
		s += " - " + reason
	}
	return marshal(struct {
		Message string `json:"message"`
	}{s})
}

// MarshalAPIError returns the body of an error of GitLab's API framework,
// {"error":"..."}: [RouteNotFound], [DetailInvalidBody] or
// [DetailUnsupportedContentType].
func MarshalAPIError(text string) []byte {
	return marshal(struct {
		Error string `json:"error"`
	}{text})
}

// RouteNotFound is the text of the 404 GitLab's API gives a path or
// method it does not route: {"error":"404 Not Found"}.
const RouteNotFound = "404 Not Found"

// DetailUnsupportedContentType is the text of the 415 GitLab's API
// framework gives a request body of a media type it does not parse:
// {"error":"The provided content-type 'text/plain' is not supported."}.
func DetailUnsupportedContentType(mediaType string) string {
	return "The provided content-type '" + mediaType + "' is not supported."
}

// DetailInvalidBody is the text of the 400 GitLab's API framework gives a
// request body that is not valid in its declared format; mediaType is the
// request's media type ("application/json" when none).
func DetailInvalidBody(mediaType string) string {
	if mediaType == "" {
		mediaType = "application/json"
	}
	return "\nProblem:\n  message body does not match declared format\nResolution:\n  when specifying " +
		mediaType + " as content-type, you must pass valid " + mediaType + " in the request's 'body' "
}
