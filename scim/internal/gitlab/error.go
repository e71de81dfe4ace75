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

// DetailLastOwner is the detail of the 412 for a DELETE of the group's last
// owner.
func DetailLastOwner(user, group string) string {
	return "Could not remove " + user + " from " + group + ". Cannot remove last group owner."
}

// ConflictStatus returns the status GitLab gives a failed POST: 409 when
// the message contains "has already been taken", 412 otherwise.
func ConflictStatus(message string) int {
	if strings.Contains(message, "has already been taken") {
		return http.StatusConflict
	}
	return http.StatusPreconditionFailed
}

// Sentence joins messages the way Rails' Array#to_sentence does: "a",
// "a and b", "a, b, and c".
func Sentence(msgs []string) string {
	switch len(msgs) {
	case 0:
		return ""
	case 1:
		return msgs[0]
	case 2:
		return msgs[0] + " and " + msgs[1]
	}
	return strings.Join(msgs[:len(msgs)-1], ", ") + ", and " + msgs[len(msgs)-1]
}

// MarshalError returns GitLab's SCIM error body: schemas, detail, and the
// status as a JSON number; never a scimType.
func MarshalError(status int, detail string) []byte {
	var w jsonWriter
	w.begin(errorURN)
	w.key("detail")
	w.str(detail)
	w.key("status")
	w.int(status)
	w.close('}')
	return w.bytes()
}

// MarshalMessage returns the body of GitLab's generic API errors, which
// are not SCIM-shaped: {"message":"401 Unauthorized"}, or with a reason
// {"message":"403 Forbidden - reason"}.
func MarshalMessage(status int, reason string) []byte {
	s := strconv.Itoa(status) + " " + http.StatusText(status)
	if reason != "" {
		s += " - " + reason
	}
	var w jsonWriter
	w.open('{')
	w.key("message")
	w.str(s)
	w.close('}')
	return w.bytes()
}

// MarshalRouteNotFound returns the body of the 404 GitLab's API gives a
// path or method it does not route: {"error":"404 Not Found"}.
func MarshalRouteNotFound() []byte { return []byte(`{"error":"404 Not Found"}`) }

// MarshalUnsupportedContentType returns the body of the 415 GitLab's API
// framework gives a request body of a media type it does not parse:
// {"error":"The provided content-type 'text/plain' is not supported."}.
func MarshalUnsupportedContentType(mediaType string) []byte {
	var w jsonWriter
	w.open('{')
	w.key("error")
	w.str("The provided content-type '" + mediaType + "' is not supported.")
	w.close('}')
	return w.bytes()
}

// MarshalInvalidBody returns the body of the 400 GitLab's API framework
// gives a request body that is not valid in its declared format;
// mediaType is the request's media type ("application/json" when none).
func MarshalInvalidBody(mediaType string) []byte {
	if mediaType == "" {
		mediaType = "application/json"
	}
	var w jsonWriter
	w.open('{')
	w.key("error")
	w.str("\nProblem:\n  message body does not match declared format\nResolution:\n  when specifying " +
		mediaType + " as content-type, you must pass valid " + mediaType + " in the request's 'body' ")
	w.close('}')
	return w.bytes()
}
