package scimtest

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Person is someone an IdP provisions, as its directory holds them. The
// clients turn a Person into each IdP's request bodies.
type Person struct {
	// ExternalID is the IdP's immutable id of the person, sent as
	// externalId (Entra ID's objectId, Okta's user id, the email in
	// OneLogin's template). scimkit's SAML linking needs the SAML NameID
	// to be the same value.
	ExternalID string
	// UserName is sent as userName.
	UserName string
	// GivenName and FamilyName are sent in name (and, joined, as
	// displayName and name.formatted).
	GivenName, FamilyName string
	// Email is sent as the primary email of type "work".
	Email string
}

// displayName is the person's full name.
func (p Person) displayName() string {
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}

// suffix returns n random lower-case hexadecimal digits, which keep the
// people of one run apart from those of another in a store that outlives
// a test.
func suffix(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return fmt.Sprintf("%x", b)[:n]
}

// guid returns a random GUID in Entra ID's form.
func guid() string {
	s := suffix(32)
	return s[:8] + "-" + s[8:12] + "-4" + s[13:16] + "-a" + s[17:20] + "-" + s[20:]
}

// renamed returns p with another family name and email, as after a name
// change in the IdP's directory.
func renamed(p Person, family string) Person {
	local, domain, _ := strings.Cut(p.Email, "@")
	p.FamilyName = family
	p.Email = local + "." + strings.ToLower(family) + "@" + domain
	return p
}
