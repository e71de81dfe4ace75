package store

import (
	"strconv"
	"time"

	"github.com/scimkit/scimkit/internal/resource"
	"github.com/scimkit/scimkit/internal/scimjson"
)

// IdPGroup is a group of the identity provider (an "IdP group") inside a
// tenant: the SCIM Group resource (RFC 7643 §4.2) that Entra ID's group
// provisioning and Okta's Group Push create. It is not a [Group], which is
// the tenant itself; an IdP group lives in one tenant and its members are
// SCIM identities of that tenant.
//
// Its members are kept apart from it, one row per member
// ([Tx.AddIdPGroupMembers], [Tx.IdPGroupMembers]): reading an IdP group
// never reads its members, and adding or removing k members costs O(k)
// whatever the size of the group.
//
// Stores keep a deep copy of an IdPGroup (Document included) on Put and
// return fresh deep copies from every read.
type IdPGroup struct {
	// ID is the server-assigned resource id, chosen by the caller,
	// immutable and unique across the host. Required.
	ID string
	// GroupID is the tenant the IdP group belongs to; it cannot change.
	// Required.
	GroupID string
	// DisplayName is the group's name at the IdP, unique per tenant,
	// case-insensitively. Required.
	DisplayName string
	// ExternalID is the IdP's key for the group (Entra ID sends its object
	// id), or "". When set it is unique per tenant, case-insensitively.
	ExternalID string
	// Document is the rest of the SCIM Group document the IdP last sent
	// (schemas, extension attributes), as decoded by encoding/json,
	// without "id", "externalId", "displayName", "members" and "meta",
	// which the fields and the member rows supply. Stores keep it as
	// [SCIMIdentity.Document] is kept.
	Document map[string]any
	// Version is the stored version: 0 for an IdP group not stored yet,
	// then 1, 2, ... bumped by the store on every Put. Adding or removing
	// members does not bump it; a caller that wants the version to follow
	// the members (an ETag does) puts the group in the same Update, as
	// package identity does.
	Version int64
	// Created and Updated are set by the caller (stores keep them as
	// given, at microsecond precision or better). The default list order is
	// Created, then ID.
	Created time.Time
	Updated time.Time
}

// Clone returns a deep copy of g, Document included.
func (g *IdPGroup) Clone() *IdPGroup {
	if g == nil {
		return nil
	}
	c := *g
	c.Document = CloneDocument(g.Document)
	return &c
}

// Resource returns the document that filters and sorting of IdP groups are
// evaluated against: a shallow copy of Document (without any "id",
// "externalId", "displayName", "members" or "meta" it holds) in which "id"
// is ID, "externalId" is ExternalID (absent when empty), "displayName" is
// DisplayName, and "meta" carries "resourceType" ("Group"), "created" and
// "lastModified" (RFC 3339 with nanoseconds, UTC) over whatever the
// document's meta held. It has no "members": [ListIdPGroups] adds them
// when a filter reads them. The result shares nested values with Document;
// do not modify it.
func (g *IdPGroup) Resource() map[string]any {
	r := make(map[string]any, len(g.Document)+4)
	var docMeta any
	exactMeta := false
	for k, v := range g.Document {
		if !scimjson.NameIs(k, "id", "externalId", "displayName", "members", "meta") {
			r[k] = v
			continue
		}
		if !exactMeta && scimjson.NameIs(k, "meta") {
			exactMeta = k == "meta"
			if exactMeta || docMeta == nil {
				docMeta = v
			}
		}
	}
	r["id"] = g.ID
	if g.ExternalID != "" {
		r["externalId"] = g.ExternalID
	}
	r["displayName"] = g.DisplayName
	meta := map[string]any{"resourceType": "Group"}
	resource.Meta(docMeta, func(k string, v any) { meta[k] = v })
	created, modified := resource.Times(g.Created, g.Updated)
	if created != "" {
		meta["created"] = created
	}
	if modified != "" {
		meta["lastModified"] = modified
	}
	r["meta"] = meta
	return r
}

// IdPGroupMember is a member of an IdP group, as [Tx.IdPGroupMembers]
// lists it.
type IdPGroupMember struct {
	// ID is the member's SCIM identity id: the id of the User resource
	// (members[].value).
	ID string
	// Display is the Name of the member's account ([User.Name]), a
	// human-readable name for members[].display; "" when the account has
	// none.
	Display string
}

// LinkAttribute names the attribute of an IdP group that an
// [IdPGroupLink] matches.
type LinkAttribute uint8

// The attributes a link can match.
const (
	// LinkDisplayName matches the IdP group's displayName.
	LinkDisplayName LinkAttribute = iota + 1
	// LinkExternalID matches the IdP group's externalId.
	LinkExternalID
)

// String returns "displayName" or "externalId", the SCIM attribute names.
func (a LinkAttribute) String() string {
	switch a {
	case LinkDisplayName:
		return "displayName"
	case LinkExternalID:
		return "externalId"
	}
	return "LinkAttribute(" + strconv.Itoa(int(a)) + ")"
}

// IdPGroupLink ties, in one tenant, the IdP group whose displayName (or
// externalId) is Value, case-insensitively, to a role: GitLab's SAML group
// link. Package identity gives each member the highest role among the
// linked IdP groups that contain them. Its key is (GroupID, Attribute,
// Fold(Value)); a link may name an IdP group that does not exist (yet).
type IdPGroupLink struct {
	// GroupID is the tenant. Required.
	GroupID string
	// Attribute is what Value is compared with. Required.
	Attribute LinkAttribute
	// Value is the displayName or externalId linked. Required.
	Value string
	// Role is the role the link gives.
	Role Role
	// Version is the stored version: 0 for a link not stored yet, then
	// 1, 2, ... bumped by the store on every write.
	Version int64
}

// Matches reports whether the link names IdP group g: same tenant, and
// g's displayName (or externalId, when set) equal to Value under [Fold].
func (l *IdPGroupLink) Matches(g *IdPGroup) bool {
	if l.GroupID != g.GroupID {
		return false
	}
	switch l.Attribute {
	case LinkDisplayName:
		return Fold(g.DisplayName) == Fold(l.Value)
	case LinkExternalID:
		return g.ExternalID != "" && Fold(g.ExternalID) == Fold(l.Value)
	}
	return false
}
