package gitlab

import (
	"encoding/json"
	"strings"
)

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
	return marshal(u.wire())
}

// userJSON is GitLab's User entity; the fields are in GitLab's key order.
type userJSON struct {
	Schemas  []string    `json:"schemas"`
	ID       string      `json:"id"`
	Active   bool        `json:"active"`
	Emails   []emailJSON `json:"emails"`
	Name     nameJSON    `json:"name"`
	Meta     metaJSON    `json:"meta"`
	UserName string      `json:"userName"`
}

type emailJSON struct {
	Type    string `json:"type"`
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

type nameJSON struct {
	Formatted  string `json:"formatted"`
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

type metaJSON struct {
	ResourceType string `json:"resourceType"`
}

// wire returns u as GitLab's User entity.
func (u *User) wire() userJSON {
	given, family := u.names()
	return userJSON{
		Schemas:  []string{userURN},
		ID:       u.ExternUID,
		Active:   u.Active,
		Emails:   []emailJSON{{Type: "work", Value: u.Email, Primary: true}},
		Name:     nameJSON{Formatted: u.Name, GivenName: given, FamilyName: family},
		Meta:     metaJSON{ResourceType: "User"},
		UserName: u.UserName,
	}
}

// marshal encodes v with encoding/json, whose escaping (<, >, & and
// U+2028/U+2029 escaped, invalid UTF-8 as U+FFFD) is the one Rails' JSON
// encoder applies. The wire types of this package hold only strings,
// booleans, numbers and slices of them, which always encode.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("gitlab: encoding " + err.Error()) // cannot happen: see marshal's doc
	}
	return b
}
