package gitlab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Params is a request's parameter set as GitLab's API sees it: the
// query-string parameters in the order sent, then the JSON body's members
// (a body member replaces a query parameter of the same name in place),
// then the route's parameters added with [Params.AddRoute]. Query
// parameters are flat: Rack's nested forms (emails[][type]=work) are kept
// as literal names.
type Params struct {
	obj  object
	body object // the body's members, when the body is an object
}

// BodyError reports a request body that is not JSON. GitLab's API
// framework answers it with a 400 (see [DetailInvalidBody]).
type BodyError struct {
	Err error
}

// Error returns "gitlab: <cause>".
func (e *BodyError) Error() string { return "gitlab: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *BodyError) Unwrap() error { return e.Err }

// ParseParams merges a raw query string and a JSON body (empty or blank
// for none). A body that is a JSON value other than an object is kept
// under "_json", as GitLab's framework does. A pair with a malformed
// escape is an error, not skipped (the scim handler has refused such a
// query string already; this catches a form body). Errors are
// *[BodyError].
func ParseParams(rawQuery string, body []byte) (*Params, error) {
	p := &Params{}
	var b objectBuilder
	for pair := range strings.SplitSeq(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, &BodyError{Err: errors.New("a parameter has a malformed %-escape")}
		}
		if k == "" {
			continue
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, &BodyError{Err: fmt.Errorf("%w: query parameter not valid UTF-8", errBody)}
		}
		b.set(k, v)
	}
	if len(bytes.TrimSpace(body)) != 0 {
		v, err := decodeJSON(body)
		if err != nil {
			return nil, &BodyError{Err: err}
		}
		if o, ok := v.(object); ok {
			p.body = o
			for _, m := range o {
				b.set(m.key, m.val)
			}
		} else {
			b.set("_json", v)
		}
	}
	p.obj = b.obj
	return p, nil
}

// AddRoute adds a route parameter (GitLab's are "group", then "id"), which
// comes last in the set, or replaces a parameter of the same name in place.
func (p *Params) AddRoute(key, value string) { p.obj.set(key, value) }

// Document returns the JSON body's members as encoding/json decodes an
// object (numbers as json.Number), without the query and route
// parameters; an empty map when the body was not an object. The map is
// the caller's.
func (p *Params) Document() map[string]any {
	m, _ := plain(p.body).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// plain converts an ordered value to encoding/json's representation.
func plain(v any) any {
	switch v := v.(type) {
	case object:
		m := make(map[string]any, len(v))
		for _, e := range v {
			m[e.key] = plain(e.val)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = plain(e)
		}
		return a
	}
	return v
}

// Get returns the value of a top-level parameter as a string, for a string
// or number; ok is false when it is absent or of another type.
func (p *Params) Get(key string) (value string, ok bool) {
	v, _ := p.obj.get(key)
	return scalarString(v)
}

// scalarString returns the text of a string or number.
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	}
	return "", false
}

// field is an internal attribute of GitLab's key map (docs/gitlab.md
// §4.1).
type field uint8

const (
	fieldNone field = iota
	fieldExternUID
	fieldUsername
	fieldName
	fieldEmail
	fieldActive
)

// mapKey maps a SCIM key, exact and case-sensitive, to its field.
func mapKey(k string) field {
	switch k {
	case "id", "externalId":
		return fieldExternUID
	case "userName":
		return fieldUsername
	case "displayName", "name.formatted":
		return fieldName
	case `emails[type eq "work"].value`:
		return fieldEmail
	case "active":
		return fieldActive
	}
	return fieldNone
}

// castString is GitLab's value cast for a string field: double quotes are
// removed. Numbers and booleans keep their text. ok is false for null,
// objects and arrays.
func castString(v any) (string, bool) {
	if s, ok := v.(string); ok {
		return strings.ReplaceAll(s, `"`, ""), true
	}
	return plainString(v)
}

// castBool is GitLab's value cast for active: true and false, and the
// strings "true" and "false" in any case (double quotes removed). ok is
// false for anything else.
func castBool(v any) (value, ok bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		switch strings.ToLower(strings.ReplaceAll(v, `"`, "")) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}
