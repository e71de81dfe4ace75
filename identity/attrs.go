package identity

import (
	"strings"
	"unicode/utf8"
)

// Limits on what an identity provider may send. Longer values are refused
// with KindInvalid rather than truncated.
const (
	maxExternUIDLen = 255 // GitLab's extern_uid column
	maxUserNameLen  = 255 // before sanitising
	maxEmailLen     = 254 // RFC 5321 §4.5.3.1.3 path minus the brackets
	maxEmailLocal   = 64  // RFC 5321 §4.5.3.1.1
	maxNameLen      = 255 // GitLab's users.name
)

// Attributes are the fields of a SCIM User document the provisioning rules
// read (docs/design.md §Provisioning rules). The document itself is kept whole on
// the SCIM identity.
type Attributes struct {
	// ExternUID is externalId (also id in the GitLab profile): the SAML
	// NameID of the same person.
	ExternUID string
	// UserName is userName as sent, before sanitising.
	UserName string
	// Email is the first of emails with type "work" or primary true.
	Email string
	// Name is name.formatted, else givenName and familyName joined by a
	// space, else displayName, else UserName.
	Name string
}

// ParseUser reads the Attributes out of a SCIM User document as decoded by
// encoding/json. Attribute names match case-insensitively (RFC 7643 §2.1).
// It returns a *Error of KindInvalid naming the attribute when externalId,
// userName or a usable email is missing or blank, when a value has the wrong
// JSON type, is too long or contains control characters.
//
// With the profile's ExternUIDFromUserName set, a document without
// externalId uses userName as extern_uid; with IDIsExternUID set, "id" is
// read when "externalId" is absent.
func ParseUser(doc map[string]any, prof Profile) (Attributes, error) {
	var a Attributes
	var err error
	if a.UserName, err = stringAttr(doc, "userName", maxUserNameLen, true); err != nil {
		return a, err
	}
	if _, ok := lookup(doc, "externalId"); ok {
		a.ExternUID, err = stringAttr(doc, "externalId", maxExternUIDLen, true)
	} else if _, ok := lookup(doc, "id"); ok && prof.IDIsExternUID {
		a.ExternUID, err = stringAttr(doc, "id", maxExternUIDLen, true)
	} else if prof.ExternUIDFromUserName {
		if len(a.UserName) > maxExternUIDLen {
			return a, invalidf("userName", "is longer than %d bytes and cannot serve as externalId", maxExternUIDLen)
		}
		a.ExternUID = a.UserName
	} else {
		return a, invalidf("externalId", "is required")
	}
	if err != nil {
		return a, err
	}
	err = a.readEmailAndName(doc)
	return a, err
}

// readEmailAndName reads doc's work or primary email and its name into a,
// whose UserName stands in for a missing name.
func (a *Attributes) readEmailAndName(doc map[string]any) error {
	var err error
	if a.Email, err = workEmail(doc); err != nil {
		return err
	}
	if a.Name, err = fullName(doc); err != nil {
		return err
	}
	if a.Name == "" {
		a.Name = a.UserName
	}
	return nil
}

// lookup finds key in m, case-insensitively, preferring an exact match.
// Attribute names are ASCII (RFC 7643 §2.1), so a name of another length
// cannot match.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, v != nil
	}
	for k, v := range m {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return v, v != nil
		}
	}
	return nil, false
}

// stringAttr reads a string attribute; required says whether absent or
// blank is an error. A present value is checked with checkText.
func stringAttr(m map[string]any, key string, max int, required bool) (string, error) {
	v, ok := lookup(m, key)
	if !ok {
		if required {
			return "", invalidf(key, "is required")
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalidf(key, "must be a string")
	}
	if err := checkText(key, s, max); err != nil {
		return "", err
	}
	if required && strings.TrimSpace(s) == "" {
		return "", invalidf(key, "can't be blank")
	}
	return s, nil
}

// checkText refuses values longer than max bytes, invalid UTF-8 and control
// characters (C0, DEL, C1).
func checkText(field, s string, max int) error {
	if len(s) > max {
		return invalidf(field, "is too long (maximum is %d bytes)", max)
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return invalidf(field, "is not valid UTF-8")
			}
		}
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return invalidf(field, "contains a control character")
		}
	}
	return nil
}

// workEmail returns the value of the first element of emails whose type is
// "work" or whose primary is true (docs/gitlab.md §4.1). A single
// object instead of an array (OneLogin's legacy template) is accepted.
func workEmail(doc map[string]any) (string, error) {
	v, ok := lookup(doc, "emails")
	if !ok {
		return "", invalidf("emails", "is required: a work or primary email address")
	}
	var list []any
	switch v := v.(type) {
	case []any:
		list = v
	case map[string]any:
		list = []any{v}
	default:
		return "", invalidf("emails", "must be an array of email objects")
	}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return "", invalidf("emails", "must be an array of email objects")
		}
		if !isWork(m) && !isPrimary(m) {
			continue
		}
		s, err := stringAttr(m, "value", maxEmailLen, true)
		if err != nil {
			err.(*Error).Field = "emails.value"
			return "", err
		}
		if err := checkEmail(s); err != nil {
			return "", err
		}
		return s, nil
	}
	return "", invalidf("emails", "has no work or primary email address")
}

func isWork(m map[string]any) bool {
	t, _ := lookup(m, "type")
	s, _ := t.(string)
	return strings.EqualFold(s, "work")
}

func isPrimary(m map[string]any) bool {
	p, _ := lookup(m, "primary")
	switch p := p.(type) {
	case bool:
		return p
	case string:
		return strings.EqualFold(p, "true")
	}
	return false
}

// checkEmail accepts local@domain with no spaces, brackets or quotes, a
// local part of at most 64 bytes and a domain of dot-separated non-empty
// labels. It is deliberately narrower than RFC 5322.
func checkEmail(s string) error {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.IndexByte(s[at+1:], '@') >= 0 {
		return invalidf("emails.value", "is not a valid email address")
	}
	if at > maxEmailLocal {
		return invalidf("emails.value", "is not a valid email address (local part longer than %d bytes)", maxEmailLocal)
	}
	if strings.ContainsAny(s, " \t\"<>()[],;:\\") {
		return invalidf("emails.value", "is not a valid email address")
	}
	// Every dot-separated label of the domain is non-empty: no leading,
	// trailing or doubled dot (checked without splitting, which allocates).
	domain := s[at+1:]
	if domain[0] == '.' || domain[len(domain)-1] == '.' || strings.Contains(domain, "..") {
		return invalidf("emails.value", "is not a valid email address")
	}
	return nil
}

// fullName applies GitLab's name rule: name.formatted, else givenName and
// familyName joined by one space, else displayName.
func fullName(doc map[string]any) (string, error) {
	d, err := stringAttr(doc, "displayName", maxNameLen, false)
	if err != nil {
		return "", err
	}
	if v, ok := lookup(doc, "name"); ok {
		m, ok := v.(map[string]any)
		if !ok {
			return "", invalidf("name", "must be an object")
		}
		f, err := stringAttr(m, "formatted", maxNameLen, false)
		if err != nil {
			return "", withField(err, "name.formatted")
		}
		if strings.TrimSpace(f) != "" {
			return f, nil
		}
		g, err := stringAttr(m, "givenName", maxNameLen, false)
		if err != nil {
			return "", withField(err, "name.givenName")
		}
		fam, err := stringAttr(m, "familyName", maxNameLen, false)
		if err != nil {
			return "", withField(err, "name.familyName")
		}
		n := strings.TrimSpace(strings.TrimSpace(g) + " " + strings.TrimSpace(fam))
		if len(n) > maxNameLen {
			return "", invalidf("name", "is too long (maximum is %d bytes)", maxNameLen)
		}
		if n != "" {
			return n, nil
		}
	}
	return strings.TrimSpace(d), nil
}

func withField(err error, field string) error {
	if e, ok := err.(*Error); ok {
		e.Field = field
	}
	return err
}
