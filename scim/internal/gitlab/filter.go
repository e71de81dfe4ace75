package gitlab

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxFilterLen bounds the length of a filter in bytes; a longer one is
// unsupported.
const MaxFilterLen = 4096

// Attr is an attribute a GitLab filter may compare.
type Attr uint8

// The attributes GitLab searches on, spelled as GitLab spells them
// (case-sensitive).
const (
	// AttrID is "id": the identity's extern_uid.
	AttrID Attr = iota + 1
	// AttrExternalID is "externalId": the identity's extern_uid.
	AttrExternalID
	// AttrUserName is "userName": extern_uid first, then accounts (see
	// [Filter.Lookups]).
	AttrUserName
)

// String returns the attribute's name as written in a filter.
func (a Attr) String() string {
	switch a {
	case AttrID:
		return "id"
	case AttrExternalID:
		return "externalId"
	case AttrUserName:
		return "userName"
	}
	return "Attr(" + strconv.Itoa(int(a)) + ")"
}

// Filter is a parsed GitLab filter: Attr eq Value. The zero Filter means
// no filter (every identity of the group).
type Filter struct {
	Attr  Attr
	Value string
}

// IsZero reports whether f is "no filter".
func (f Filter) IsZero() bool { return f.Attr == 0 }

// String returns the filter in canonical form, `attr eq "value"`, which
// [ParseFilter] reads back to f; "" for the zero Filter.
func (f Filter) String() string {
	if f.IsZero() {
		return ""
	}
	return f.Attr.String() + " eq " + quote(f.Value)
}

// quote writes v as a filter string literal: JSON string syntax.
func quote(v string) string {
	return string(appendString(nil, v))
}

// UnsupportedFilterError reports a filter GitLab's profile does not
// answer. Its detail on the wire is always [DetailUnsupportedFilter]
// (status 412); Reason is for logs and tests.
type UnsupportedFilterError struct {
	Reason string
}

// Error returns "gitlab: unsupported filter: <reason>".
func (e *UnsupportedFilterError) Error() string { return "gitlab: unsupported filter: " + e.Reason }

func unsupported(reason string) error { return &UnsupportedFilterError{Reason: reason} }

// ParseFilter reads a filter of GitLab's profile (docs/gitlab.md §5.2).
//
// A blank filter gives the zero Filter. Otherwise the filter must be
// exactly three whitespace-separated parts: one of the attribute names id,
// externalId or userName (case-sensitive, as GitLab compares them), the
// operator eq (lower case only), and a value. The value is either a
// double-quoted string in JSON syntax (which may contain spaces and
// escapes) or a bare word without double quotes; it must not be blank,
// nor the bare or quoted word true or false in any case (GitLab turns those
// into booleans and does not search on them).
//
// Everything else is an *[UnsupportedFilterError]: other attributes and
// operators, and/or/not, grouping, value paths, and anything after the
// value. GitLab ignores the tokens after the third; scimkit refuses them,
// since silently answering a different question than the one asked (for
// example dropping the second half of an "and") is worse than a 412.
func ParseFilter(s string) (Filter, error) {
	if len(s) > MaxFilterLen {
		return Filter{}, unsupported("longer than " + strconv.Itoa(MaxFilterLen) + " bytes")
	}
	if !utf8.ValidString(s) {
		return Filter{}, unsupported("not valid UTF-8")
	}
	rest := strings.TrimLeft(s, asciiSpace)
	if rest == "" {
		return Filter{}, nil
	}
	attrName, rest := word(rest)
	var f Filter
	switch attrName {
	case "id":
		f.Attr = AttrID
	case "externalId":
		f.Attr = AttrExternalID
	case "userName":
		f.Attr = AttrUserName
	default:
		return Filter{}, unsupported("attribute " + strconv.Quote(attrName) + " is not id, externalId or userName")
	}
	op, rest := word(rest)
	if op != "eq" {
		return Filter{}, unsupported("operator " + strconv.Quote(op) + " is not eq")
	}
	if rest == "" {
		return Filter{}, unsupported("no value after eq")
	}
	var err error
	if rest[0] == '"' {
		f.Value, rest, err = quoted(rest)
		if err != nil {
			return Filter{}, err
		}
	} else {
		var bare string
		bare, rest = word(rest)
		if strings.ContainsRune(bare, '"') {
			return Filter{}, unsupported("stray double quote in value")
		}
		f.Value = bare
	}
	if strings.TrimLeft(rest, asciiSpace) != "" {
		return Filter{}, unsupported("unexpected text after the value")
	}
	if strings.TrimSpace(f.Value) == "" {
		return Filter{}, unsupported("blank value")
	}
	if strings.EqualFold(f.Value, "true") || strings.EqualFold(f.Value, "false") {
		return Filter{}, unsupported("boolean value")
	}
	return f, nil
}

// asciiSpace is the whitespace GitLab splits a filter on (Ruby's
// String#split with " ").
const asciiSpace = " \t\n\v\f\r"

// word splits off the leading run of non-space characters and the spaces
// after it.
func word(s string) (w, rest string) {
	i := strings.IndexAny(s, asciiSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i:], asciiSpace)
}

// quoted reads a JSON string literal at the start of s.
func quoted(s string) (v, rest string, err error) {
	esc := false
	for i := 1; i < len(s); i++ {
		switch {
		case esc:
			esc = false
		case s[i] == '\\':
			esc = true
		case s[i] == '"':
			var out string
			if err := jsonUnquote(s[:i+1], &out); err != nil {
				return "", "", unsupported("malformed string value")
			}
			return out, s[i+1:], nil
		}
	}
	return "", "", unsupported("unterminated string value")
}

// Lookup is one step of the search a filter asks for.
type Lookup struct {
	Kind  LookupKind
	Value string
}

// LookupKind says what a [Lookup] searches.
type LookupKind uint8

// The lookups of GitLab's group SCIM finder.
const (
	// ByExternUID finds the group's identity whose extern_uid equals Value,
	// case-insensitively.
	ByExternUID LookupKind = iota + 1
	// ByUsername finds the account whose username equals Value
	// (case-insensitively, as GitLab's username lookup is); the result is
	// that account's identity in the group, if any.
	ByUsername
	// ByEmail finds the account that has Value as its primary or a
	// secondary email, case-insensitively; the result is that account's
	// identity in the group, if any.
	ByEmail
)

// Lookups returns the searches f stands for, in order. The first lookup
// that finds an identity or an account decides the result, which may then
// be empty (an account with no identity in the group): the later lookups
// are not tried.
//
// id and externalId: the extern_uid. userName: the extern_uid; then the
// username; then, when Value is an email address, the account owning that
// email, or else the account whose username is the address's local part.
func (f Filter) Lookups() []Lookup {
	switch f.Attr {
	case AttrID, AttrExternalID:
		return []Lookup{{ByExternUID, f.Value}}
	case AttrUserName:
		ls := []Lookup{{ByExternUID, f.Value}, {ByUsername, f.Value}}
		if local, ok := emailLocalPart(f.Value); ok {
			ls = append(ls, Lookup{ByEmail, f.Value}, Lookup{ByUsername, local})
		}
		return ls
	}
	return nil
}

// emailLocalPart reports whether v is a plain email address (no display
// name, a dotted domain) and returns its local part.
func emailLocalPart(v string) (string, bool) {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return "", false
	}
	at := strings.LastIndexByte(v, '@')
	if at <= 0 {
		return "", false
	}
	domain := v[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	return v[:at], true
}
