package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/internal/gitlab"
	"github.com/scimkit/scimkit/store"
)

// ErrorURN is the schema of a SCIM error response (RFC 7644 §3.12).
const ErrorURN = "urn:ietf:params:scim:api:messages:2.0:Error"

// scimType values of RFC 7644 §3.12, Table 9.
const (
	TypeInvalidFilter = "invalidFilter"
	TypeTooMany       = "tooMany"
	TypeUniqueness    = "uniqueness"
	TypeMutability    = "mutability"
	TypeInvalidSyntax = "invalidSyntax"
	TypeInvalidPath   = "invalidPath"
	TypeNoTarget      = "noTarget"
	TypeInvalidValue  = "invalidValue"
	TypeInvalidVers   = "invalidVers"
	TypeSensitive     = "sensitive"
)

// internalDetail is the only detail a client sees for an unexpected error;
// the real error is logged with the request id.
const internalDetail = "internal server error"

// unavailableDetail is the detail of a 503: the store is unreachable and
// nothing was written, so the client may retry. The store's own error is
// logged, never sent.
const unavailableDetail = "the service is temporarily unavailable; nothing was changed, retry later"

// retryAfterSeconds is the Retry-After of a 503: the store gave up on
// conflicting writes or lost its database for a moment.
const retryAfterSeconds = "1"

// Error is a SCIM error: an HTTP status, an optional scimType (RFC 7644
// §3.12) and a human-readable detail. Handlers return it; the mapper in
// this file turns every other error into one.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Type is the scimType, empty when none applies.
	Type string
	// Detail is the message shown to the client.
	Detail string
	// Err is the underlying error, if any. It is never shown to the client.
	Err error
	// allow is the Allow header of a 405.
	allow string
	// form is the body's shape in the GitLab profile.
	form form
}

// Error returns "scim: STATUS [TYPE]: DETAIL".
func (e *Error) Error() string {
	s := "scim: " + strconv.Itoa(e.Status)
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// errorf builds an *Error with a formatted detail.
func errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, Type: scimType, Detail: fmt.Sprintf(format, args...)}
}

// form is the shape of an error body in the GitLab profile, whose API
// answers some errors outside SCIM's error schema. The RFC profile writes
// every error in RFC 7644 §3.12's shape.
type form uint8

const (
	// formByStatus is the shape GitLab gives the status:
	// {"message":"401 Unauthorized"} for 401, 413 and 5xx, a SCIM error
	// with a numeric status and no scimType otherwise.
	formByStatus form = iota
	// formRoute is {"error":"404 Not Found"}, GitLab's answer to a path
	// or method it does not route.
	formRoute
	// formAPI is {"error":Detail}, an error of GitLab's API framework (a
	// body it cannot parse, a media type it does not take).
	formAPI
)

// noRoute is the 404 of a path no route serves.
func noRoute(detail string) *Error {
	return &Error{Status: http.StatusNotFound, Detail: detail, form: formRoute}
}

// toError maps any error to the *Error sent to the client, in wire profile
// w. It is the one place where errors of the other packages become HTTP
// statuses; the table is in the package documentation. internal reports
// whether the error was unexpected (the caller logs it; the client gets a
// fixed detail).
func toError(err error, w wire) (e *Error, internal bool) {
	var se *Error
	if errors.As(err, &se) {
		return se, se.Status >= 500
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errorf(http.StatusRequestEntityTooLarge, "", "request body larger than %d bytes", mbe.Limit), false
	}
	if e, ok := mapDomain(err, w); ok {
		return e, e.Status >= 500
	}
	return &Error{Status: http.StatusInternalServerError, Detail: internalDetail, Err: err}, true
}

// mapDomain maps the errors of the filter, patch, store and identity
// packages, and of the GitLab profile's request parsing:
//
//	                                           RFC                GitLab
//	*patch.Error                               400 with its Type  -
//	*filter.SyntaxError, *filter.SchemaError   400 invalidFilter  -
//	*filter.BudgetError (a list's filter)      400 tooMany        -
//	*gitlab.UnsupportedFilterError             -                  412 Unsupported Filter
//	identity KindInvalid                       400 invalidValue   412 "<Attribute> <problem>"
//	identity KindRefused                       400                412
//	identity KindMutability                    400 mutability     412 "<Attribute> <problem>"
//	identity KindUnauthorized                  401                401
//	identity KindNotFound, store.ErrNotFound   404                404
//	identity KindConflict, store.ErrConflict   409 uniqueness     409
//	identity KindVersionMismatch,
//	store.ErrVersionMismatch                   412                412
//	store.ErrUnavailable,
//	context.DeadlineExceeded (WithRequestTimeout),
//	context.Canceled                           503 Retry-After (logged; fixed detail)
func mapDomain(err error, w wire) (*Error, bool) {
	var fse *filter.SyntaxError
	var fsc *filter.SchemaError
	var fbe *filter.BudgetError
	var pe *patch.Error
	var ie *identity.Error
	var gfe *gitlab.UnsupportedFilterError
	// A *patch.Error may wrap a *filter.SyntaxError (a bad path): the
	// patch error's scimType wins.
	switch {
	case errors.As(err, &pe):
		t := pe.Type
		if t == "" {
			t = TypeInvalidSyntax
		}
		return &Error{Status: http.StatusBadRequest, Type: t, Detail: truncate(pe.Error(), 256), Err: err}, true
	case errors.As(err, &fse):
		return &Error{Status: http.StatusBadRequest, Type: TypeInvalidFilter, Detail: truncate(fse.Error(), 256), Err: err}, true
	case errors.As(err, &fsc):
		return &Error{Status: http.StatusBadRequest, Type: TypeInvalidFilter, Detail: truncate(fsc.Error(), 256), Err: err}, true
	case errors.As(err, &fbe):
		return &Error{Status: http.StatusBadRequest, Type: TypeTooMany, Detail: fmt.Sprintf(
			"the filter needs more than %d comparisons of values over this group's users (store.MaxFilterWork); narrow it", fbe.Limit), Err: err}, true
	case errors.As(err, &gfe):
		return &Error{Status: http.StatusPreconditionFailed, Detail: gitlab.DetailUnsupportedFilter, Err: err}, true
	case errors.As(err, &ie):
		return identityError(ie, w)
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Detail: "resource not found", Err: err}, true
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Type: TypeUniqueness, Detail: "a unique attribute is already taken", Err: err}, true
	case errors.Is(err, store.ErrVersionMismatch):
		return &Error{Status: http.StatusPreconditionFailed, Detail: "the resource was changed concurrently", Err: err}, true
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// The request's deadline (WithRequestTimeout) or the client's
		// going away ended it, or the store could not be reached:
		// nothing was written, the client may try again.
		return &Error{Status: http.StatusServiceUnavailable, Detail: unavailableDetail, Err: err}, true
	}
	return nil, false
}

// identityError maps an identity refusal by its Kind (see mapDomain); ok
// is false for a Kind it does not know.
func identityError(ie *identity.Error, w wire) (e *Error, ok bool) {
	e = &Error{Detail: ie.Detail, Err: ie}
	switch ie.Kind {
	case identity.KindInvalid:
		e.Status, e.Type = http.StatusBadRequest, TypeInvalidValue
		if ie.Field != "" {
			e.Detail = ie.Field + ": " + ie.Detail
		}
	case identity.KindRefused:
		e.Status = http.StatusBadRequest
	case identity.KindUnauthorized:
		e.Status = http.StatusUnauthorized
	case identity.KindNotFound:
		e.Status = http.StatusNotFound
	case identity.KindConflict:
		e.Status, e.Type = http.StatusConflict, TypeUniqueness
	case identity.KindVersionMismatch:
		e.Status = http.StatusPreconditionFailed
	case identity.KindMutability:
		e.Status, e.Type = http.StatusBadRequest, TypeMutability
		if ie.Field != "" {
			e.Detail = ie.Field + ": " + ie.Detail
		}
	default:
		return nil, false
	}
	if w == wireGitLab {
		e.Type = ""
		switch ie.Kind {
		case identity.KindInvalid:
			e.Status, e.Detail = http.StatusPreconditionFailed, gitlabMessage(ie)
		case identity.KindRefused:
			e.Status = http.StatusPreconditionFailed
		case identity.KindMutability:
			e.Status, e.Detail = http.StatusPreconditionFailed, gitlabMessage(ie)
		}
	}
	return e, true
}

// gitlabFields are GitLab's names for the attributes an identity error
// names, as they start GitLab's validation messages ("Email can't be
// blank").
var gitlabFields = map[string]string{
	"externalId":   "Extern uid",
	"id":           "Extern uid",
	"userName":     "Username",
	"emails":       "Email",
	"emails.value": "Email",
	"name":         "Name",
	"active":       "Active",
}

// gitlabMessage is the message of an invalid-input error in GitLab's
// style, "<Attribute> <problem>".
func gitlabMessage(ie *identity.Error) string {
	if ie.Field == "" {
		return ie.Detail
	}
	name, ok := gitlabFields[ie.Field]
	if !ok {
		name = strings.ToUpper(ie.Field[:1]) + ie.Field[1:]
	}
	return name + " " + ie.Detail
}

// writeError maps err and writes it in the handler's wire profile.
// Internal errors are logged with the request id; the client sees a fixed
// detail.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, internal := toError(err, h.wire)
	if internal {
		ctx := contextOf(w, r)
		h.cfg.logger.LogAttrs(ctx, slog.LevelError, "scim: internal error",
			slog.String("request_id", RequestID(ctx)),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", e.Status),
			slog.Any("error", err))
		if e.Status == http.StatusServiceUnavailable {
			e = &Error{Status: http.StatusServiceUnavailable, Detail: unavailableDetail}
		} else {
			e = &Error{Status: http.StatusInternalServerError, Detail: internalDetail}
		}
	}
	if e.Status == http.StatusServiceUnavailable {
		// Nothing was written: the client may send the request again
		// (RFC 9110 §10.2.3).
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	var body []byte
	var ct string
	switch h.wire {
	case wireGitLab:
		body, ct = gitlabErrorBody(e), gitlabContentType
	default:
		if e.allow != "" {
			w.Header().Set("Allow", e.allow)
		}
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		}
		body, ct = rfcErrorBody(e), "application/scim+json; charset=utf-8"
	}
	setHeader(w, headerContentType, ct)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// errorResponse is the RFC 7644 §3.12 error document. status is a string,
// as the RFC's examples and Okta's and Entra ID's tests want.
type errorResponse struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// rfcErrorBody is e as RFC 7644 §3.12 prescribes: the Error schema,
// status as a string, scimType when there is one.
func rfcErrorBody(e *Error) []byte {
	b, _ := json.Marshal(errorResponse{
		Schemas:  []string{ErrorURN},
		Status:   strconv.Itoa(e.Status),
		ScimType: e.Type,
		Detail:   e.Detail,
	})
	return b
}

// gitlabErrorBody is e in GitLab's shapes (see form).
func gitlabErrorBody(e *Error) []byte {
	switch {
	case e.form == formRoute:
		return gitlab.MarshalAPIError(gitlab.RouteNotFound)
	case e.form == formAPI:
		return gitlab.MarshalAPIError(e.Detail)
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusRequestEntityTooLarge || e.Status >= 500:
		return gitlab.MarshalMessage(e.Status, "")
	}
	return gitlab.MarshalError(e.Status, e.Detail)
}
