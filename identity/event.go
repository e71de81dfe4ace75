package identity

import (
	"context"
	"time"
)

// EventType says what changed.
type EventType string

// The event types. Each state change emits exactly one event.
const (
	// EventProvisioned: a new account was created by SCIM, with its SCIM and
	// SAML identities and its membership. The host sends the welcome or
	// confirmation email from it.
	EventProvisioned EventType = "provisioned"
	// EventLinked: an existing account (matched by email) got a SCIM
	// identity in the group, and a membership if it had none.
	EventLinked EventType = "linked"
	// EventDeprovisioned: the SCIM identity became inactive and the
	// membership was removed.
	EventDeprovisioned EventType = "deprovisioned"
	// EventDeleted: a DELETE removed the SCIM identity (RFC profile): it is
	// no longer served and has left every IdP group; the account and its
	// SAML identity are kept. A DELETE of an active identity deprovisions
	// it first (EventDeprovisioned, then EventDeleted).
	EventDeleted EventType = "deleted"
	// EventReprovisioned: an inactive SCIM identity became active again and
	// the membership was restored.
	EventReprovisioned EventType = "reprovisioned"
	// EventExternUIDChanged: the SCIM identity's extern_uid changed
	// (Detail["from"], Detail["to"]).
	EventExternUIDChanged EventType = "extern_uid_changed"
	// EventUpdated: attributes of an account the group provisioned were
	// changed by SCIM (Detail lists the changed fields).
	EventUpdated EventType = "updated"
	// EventSignInLinked: a SAML identity was linked to an account at sign-in
	// or explicitly by a signed-in user.
	EventSignInLinked EventType = "sign_in_linked"
	// EventNameIDChanged: a SAML identity's NameID was changed at sign-in
	// after the asserted email matched a verified email of the user.
	EventNameIDChanged EventType = "name_id_changed"
	// EventMemberAdded: a SAML sign-in added the user to the group.
	EventMemberAdded EventType = "member_added"
	// EventGroupCreated: a group (tenant) was created with a SCIM token.
	EventGroupCreated EventType = "group_created"
	// EventTokenRotated: a group's SCIM token was replaced; the old one
	// stopped working at once.
	EventTokenRotated EventType = "token_rotated"

	// EventIdPGroupCreated: the IdP created an IdP group (IdPGroupID;
	// Detail["displayName"]).
	EventIdPGroupCreated EventType = "idp_group_created"
	// EventIdPGroupUpdated: an IdP group's displayName, externalId or other
	// attributes changed (Detail["fields"] lists them, comma-separated;
	// Detail["displayName"] is the name now).
	EventIdPGroupUpdated EventType = "idp_group_updated"
	// EventIdPGroupDeleted: an IdP group was deleted, and with it all its
	// memberships (no EventIdPGroupMemberRemoved is emitted for them).
	EventIdPGroupDeleted EventType = "idp_group_deleted"
	// EventIdPGroupMemberAdded: a SCIM identity (IdentityID, UserID) became
	// a member of an IdP group (IdPGroupID). A host that maps IdP groups
	// to teams of its own adds the user to the team.
	EventIdPGroupMemberAdded EventType = "idp_group_member_added"
	// EventIdPGroupMemberRemoved: a SCIM identity left an IdP group,
	// through a change of the group or because the User was deleted.
	EventIdPGroupMemberRemoved EventType = "idp_group_member_removed"
	// EventRoleChanged: a member's role in the group changed because the
	// IdP groups they are in, or the group links, changed
	// (Detail["from"], Detail["to"]: role names such as "developer").
	EventRoleChanged EventType = "role_changed"
	// EventIdPGroupLinkSet: a group link was added or its role changed
	// (Detail["attribute"], Detail["value"], Detail["role"]).
	EventIdPGroupLinkSet EventType = "idp_group_link_set"
	// EventIdPGroupLinkRemoved: a group link was removed
	// (Detail["attribute"], Detail["value"]).
	EventIdPGroupLinkRemoved EventType = "idp_group_link_removed"
)

// Event describes one committed state change. It never holds a secret.
type Event struct {
	// Type says what changed.
	Type EventType
	// Time is when the change was decided, from the configured clock.
	Time time.Time
	// GroupID is the group (tenant) the change happened in.
	GroupID string
	// UserID is the account concerned, or empty.
	UserID string
	// IdentityID is the SCIM identity's server id, or empty.
	IdentityID string
	// ExternUID is the SCIM or SAML extern_uid concerned, or empty.
	ExternUID string
	// IdPGroupID is the IdP group concerned (the Group resource's id), or
	// empty.
	IdPGroupID string
	// Detail holds type-specific facts (for example "from" and "to" for
	// EventExternUIDChanged). It may be nil.
	Detail map[string]string
}

// EventSink receives events. Emit is called after the change was committed,
// in the order the changes happened within one call, on the caller's
// goroutine; it must be safe for concurrent use and should not block for
// long (queue the welcome email, do not send it inline). An event is never
// emitted for a change that was rolled back.
type EventSink interface {
	Emit(ctx context.Context, e Event)
}

// EventSinkFunc adapts a function to [EventSink].
type EventSinkFunc func(ctx context.Context, e Event)

// Emit calls f(ctx, e).
func (f EventSinkFunc) Emit(ctx context.Context, e Event) { f(ctx, e) }

type discardSink struct{}

func (discardSink) Emit(context.Context, Event) {}
