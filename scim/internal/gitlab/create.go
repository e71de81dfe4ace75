package gitlab

import (
	"strconv"
	"strings"
)

// CreateParams is what a POST /Users asks for, mapped the way GitLab maps
// it (docs/gitlab.md §4.1–§4.2).
type CreateParams struct {
	// ExternUID is from id or externalId, whichever comes later.
	ExternUID string
	// Email is the value of the first element of emails whose type is
	// "work" or whose primary is set (anything but null and false); without
	// one, the literal key `emails[type eq "work"].value`.
	Email string
	// UserName is from userName.
	UserName string
	// Name is from the name object: formatted when not blank, else
	// givenName and familyName joined by a space; without a name object,
	// from name.formatted or displayName, whichever comes later.
	Name string
	// HasName reports whether any of those gave a name (possibly "").
	HasName bool
	// Active is from active when it is a boolean or the string true or
	// false in any case; nil otherwise.
	Active *bool
}

// MissingParamsError reports a POST without some of the keys GitLab
// requires. Missing lists them in GitLab's order: extern_uid, email,
// username.
type MissingParamsError struct {
	Missing []string
}

// Message returns GitLab's text, e.g. "Missing params: [:email]".
func (e *MissingParamsError) Message() string {
	return "Missing params: [:" + strings.Join(e.Missing, ", :") + "]"
}

// Error returns "gitlab: " and the message.
func (e *MissingParamsError) Error() string { return "gitlab: " + e.Message() }

// Create maps the parameters of a POST /Users. Keys are matched exactly
// (case-sensitively) against GitLab's key map; unknown keys, and known
// keys whose value is null, an object or an array, are ignored. String
// values of mapped keys lose their double quotes, as in GitLab (the
// values taken from the emails and name objects keep them). A key that
// is required but absent after mapping is a *[MissingParamsError]; a
// blank value still counts as present, for the provisioning rules to
// refuse.
func (p *Params) Create() (CreateParams, error) {
	var c CreateParams
	var hasUID, hasEmail, hasUser bool
	for _, m := range p.obj {
		if m.val == nil {
			continue
		}
		f := mapKey(m.key)
		if f == fieldActive {
			if b, ok := castBool(m.val); ok {
				c.Active = &b
			}
			continue
		}
		s, ok := castString(m.val)
		if !ok {
			continue
		}
		switch f {
		case fieldExternUID:
			c.ExternUID, hasUID = s, true
		case fieldUsername:
			c.UserName, hasUser = s, true
		case fieldName:
			c.Name, c.HasName = s, true
		case fieldEmail:
			c.Email, hasEmail = s, true
		}
	}
	if email, ok := p.workEmail(); ok {
		c.Email, hasEmail = email, true
	}
	if name, ok := p.objectName(); ok {
		c.Name, c.HasName = name, true
	}
	var missing []string
	if !hasUID {
		missing = append(missing, "extern_uid")
	}
	if !hasEmail {
		missing = append(missing, "email")
	}
	if !hasUser {
		missing = append(missing, "username")
	}
	if missing != nil {
		return CreateParams{}, &MissingParamsError{Missing: missing}
	}
	return c, nil
}

// workEmail returns the value of the first element of emails whose type
// is "work" or whose primary is truthy.
func (p *Params) workEmail() (string, bool) {
	v, _ := p.obj.get("emails")
	arr, ok := v.([]any)
	if !ok {
		return "", false
	}
	for _, e := range arr {
		o, ok := e.(object)
		if !ok {
			continue
		}
		typ, _ := o.get("type")
		primary, _ := o.get("primary")
		if typ == "work" || primary != nil && primary != false {
			val, _ := o.get("value")
			return plainString(val)
		}
	}
	return "", false
}

// objectName returns the name the name object gives.
func (p *Params) objectName() (string, bool) {
	v, _ := p.obj.get("name")
	o, ok := v.(object)
	if !ok {
		return "", false
	}
	if f, _ := o.get("formatted"); f != nil {
		if s, ok := plainString(f); ok && strings.TrimSpace(s) != "" {
			return s, true
		}
	}
	var parts []string
	for _, k := range []string{"givenName", "familyName"} {
		if s, ok := plainString(o.getOr(k)); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " "), true
}

// plainString returns the text of a string, number or boolean, as Ruby's
// to_s would; ok is false for null, objects and arrays.
func plainString(v any) (string, bool) {
	if b, ok := v.(bool); ok {
		return strconv.FormatBool(b), true
	}
	return scalarString(v)
}
