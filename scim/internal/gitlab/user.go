package gitlab

import "strings"

// Schema URNs GitLab emits.
const (
	userURN  = "urn:ietf:params:scim:schemas:core:2.0:User"
	listURN  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	errorURN = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// User is what GitLab shows of a group SCIM identity and its account
// (docs/gitlab.md §3.1).
type User struct {
	// ExternUID is the identity's extern_uid, shown as "id".
	ExternUID string
	// Active is the identity's active flag.
	Active bool
	// Email is the account's primary email, shown as the one work email.
	Email string
	// Name is the account's full name, shown as name.formatted.
	Name string
	// GivenName and FamilyName are the account's first and last names.
	// When both are empty they are derived from Name: the first
	// whitespace-separated word, and the other words joined by one space.
	GivenName, FamilyName string
	// UserName is the account's username.
	UserName string
}

// names returns the givenName and familyName to show.
func (u *User) names() (given, family string) {
	if u.GivenName != "" || u.FamilyName != "" {
		return u.GivenName, u.FamilyName
	}
	words := strings.Fields(u.Name)
	if len(words) == 0 {
		return "", ""
	}
	return words[0], strings.Join(words[1:], " ")
}

// MarshalUser returns u in GitLab's shape and key order: schemas, id,
// active, emails, name, meta, userName. There is no externalId.
func MarshalUser(u *User) []byte {
	var w jsonWriter
	writeUser(&w, u)
	return w.bytes()
}

func writeUser(w *jsonWriter, u *User) {
	w.begin(userURN)
	w.key("id")
	w.str(u.ExternUID)
	w.key("active")
	w.bool(u.Active)
	w.key("emails")
	w.open('[')
	w.elem()
	w.open('{')
	w.key("type")
	w.str("work")
	w.key("value")
	w.str(u.Email)
	w.key("primary")
	w.bool(true)
	w.close('}')
	w.close(']')
	given, family := u.names()
	w.key("name")
	w.open('{')
	w.key("formatted")
	w.str(u.Name)
	w.key("givenName")
	w.str(given)
	w.key("familyName")
	w.str(family)
	w.close('}')
	w.key("meta")
	w.raw(`{"resourceType":"User"}`)
	w.key("userName")
	w.str(u.UserName)
	w.close('}')
}
