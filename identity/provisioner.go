package identity

import (
	"context"
	"errors"
	"strings"

	"github.com/scimkit/scimkit/internal/scimjson"
	"github.com/scimkit/scimkit/store"
)

// Provisioner applies the provisioning rules to a store. It is safe for
// concurrent use.
type Provisioner struct {
	st store.Store
	c  *config
}

// New returns a Provisioner over st. Options set the clock, id generator,
// random source, event sink, logger and wire profile (default
// [RFCProfile]); an invalid option is an error here, never later.
func New(st store.Store, opts ...Option) (*Provisioner, error) {
	if st == nil {
		return nil, errors.New("identity: New: nil store")
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Provisioner{st: st, c: c}, nil
}

// Profile returns the wire-profile rules in force.
func (p *Provisioner) Profile() Profile { return p.c.prof }

// Change is a set of things an operation did. The zero Change means nothing
// changed (a read, a repeated POST answered with the existing identity, a
// PATCH that changed nothing).
type Change uint16

// The changes an operation can report.
const (
	// Created: a new account was created (POST).
	Created Change = 1 << iota
	// Linked: an existing account got a SCIM identity, or an existing
	// identity's user was made a member again.
	Linked
	// Reprovisioned: an inactive identity became active, membership
	// restored.
	Reprovisioned
	// Deprovisioned: the identity became inactive, membership removed.
	Deprovisioned
	// Hidden: a DELETE hid the identity (RFC profile).
	Hidden
	// ExternUIDChanged: the identity's extern_uid changed.
	ExternUIDChanged
	// AccountUpdated: the account's username, name or email changed.
	AccountUpdated
	// DocumentUpdated: the stored SCIM document changed.
	DocumentUpdated
	// SAMLLinked: a SAML identity was linked ([Linker]).
	SAMLLinked
	// NameIDChanged: a SAML identity's NameID changed ([Linker]).
	NameIDChanged
	// MemberAdded: a SAML sign-in made the user a member ([Linker]).
	MemberAdded
)

// Has reports whether c includes every change in x.
func (c Change) Has(x Change) bool { return c&x == x }

// changeNames are the names of the Change bits, in bit order, separated by
// spaces (a constant, so no package state).
const changeNames = "created linked reprovisioned deprovisioned hidden " +
	"extern_uid_changed account_updated document_updated saml_linked name_id_changed member_added"

// String lists the changes, such as "created|document_updated", or "none".
func (c Change) String() string {
	var parts []string
	for i, n := range strings.Fields(changeNames) {
		if c&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// Result is what an operation returns about one SCIM identity: fresh copies
// the caller owns.
type Result struct {
	// Identity is the SCIM identity as stored after the operation; its
	// Resource method gives the document to render in the RFC profile.
	Identity *store.SCIMIdentity
	// User is the identity's account; the GitLab profile renders it
	// (username, name, primary email).
	User *store.User
	// Member reports whether the user is a member of the group.
	Member bool
	// Changes says what the operation did.
	Changes Change
}

// result loads the account and membership of s into a Result. s and u are
// values the caller owns (read from tx, which returns fresh copies, or built
// and then stored, which stores a copy), so they are returned as they are.
func result(ctx context.Context, tx store.Tx, s *store.SCIMIdentity, u *store.User, ch Change) (*Result, error) {
	if u == nil {
		var err error
		if u, err = tx.User(ctx, s.UserID); err != nil {
			return nil, err
		}
	}
	_, member, err := optional(tx.Membership(ctx, s.GroupID, s.UserID))
	if err != nil {
		return nil, err
	}
	return &Result{Identity: s, User: u, Member: member, Changes: ch}, nil
}

// storedDocument is the document kept on the identity: doc, which the
// operation owns, without "id", "externalId", "active" and "meta", which
// the identity's own fields supply ([store.SCIMIdentity.Resource] puts them
// back), and without "password" (writeOnly, returned never: RFC 7643
// §4.1.1; never stored). The keys are removed from doc itself. With
// hideExternalID the document records, as a null "externalId", that the
// client has set none, so that the resource shows none
// (resource.HasExternalID).
func storedDocument(doc map[string]any, hideExternalID bool) map[string]any {
	for k := range doc {
		if serverKey(k) {
			delete(doc, k)
		}
	}
	if hideExternalID {
		doc["externalId"] = nil
	}
	return doc
}

// serverKey reports whether k is one of the attributes storedDocument
// drops, case-insensitively.
func serverKey(k string) bool {
	return scimjson.NameIs(k, "id", "externalId", "active", "meta", "password")
}
