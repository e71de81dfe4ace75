package identity

import (
	"context"

	"github.com/scimkit/scimkit/store"
)

// Roles from group links (docs/design.md §Groups). A link ties the IdP
// group of a tenant with a displayName (or externalId) to a role; a member's
// role is the highest role among the linked IdP groups that contain their
// SCIM identity, else the tenant's default role, as GitLab's SAML group
// links decide it when a member is in several linked groups. The role is
// recomputed, in the operation that makes the change, for the members whose
// linked groups a change touches: a membership of a linked IdP group, a
// link, the rename or deletion of a linked IdP group. Members of IdP groups
// no link names keep the role they have, so that in a group without links
// IdP groups never change a role. Deprovisioned and deleted identities have
// no membership and so no role, whatever their groups; reprovisioning one
// gives it the role its groups give ([ensureMember]).

// roleOf returns the highest role links give groups gs, and whether any
// link names one of them.
func roleOf(links []*store.IdPGroupLink, gs []*store.IdPGroup) (store.Role, bool) {
	var best store.Role
	found := false
	for _, ig := range gs {
		for _, l := range links {
			if l.Matches(ig) && (!found || l.Role > best) {
				best, found = l.Role, true
			}
		}
	}
	return best, found
}

// linked reports whether a link names ig.
func linked(links []*store.IdPGroupLink, ig *store.IdPGroup) bool {
	for _, l := range links {
		if l.Matches(ig) {
			return true
		}
	}
	return false
}

// memberRole returns the role user userID gets on joining group g: the
// role its SCIM identity's linked IdP groups give, else the default role.
func memberRole(ctx context.Context, tx store.Tx, g *store.Group, userID string) (store.Role, error) {
	links, err := tx.IdPGroupLinks(ctx, g.ID)
	if err != nil || len(links) == 0 {
		return g.MemberRole(), err
	}
	s, ok, err := optional(tx.SCIMIdentityByUser(ctx, g.ID, userID))
	if err != nil || !ok {
		return g.MemberRole(), err
	}
	return linkedRole(ctx, tx, g, links, s.ID)
}

// linkedRole returns the role the SCIM identity identityID of group g has
// under links: the highest role among its linked IdP groups, else the
// default role.
func linkedRole(ctx context.Context, tx store.Tx, g *store.Group, links []*store.IdPGroupLink, identityID string) (store.Role, error) {
	gs, err := tx.IdPGroupsOfMember(ctx, g.ID, identityID)
	if err != nil {
		return 0, err
	}
	if r, ok := roleOf(links, gs); ok {
		return r, nil
	}
	return g.MemberRole(), nil
}

// roles recomputes members' roles inside one operation and keeps the
// last-owner rule over all of them.
type roles struct {
	g     *store.Group
	links []*store.IdPGroupLink
	// demoted is the first owner this operation took the owner role from.
	demoted *store.User
}

// newRoles loads the links of group g.
func newRoles(ctx context.Context, tx store.Tx, g *store.Group) (*roles, error) {
	links, err := tx.IdPGroupLinks(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	return &roles{g: g, links: links}, nil
}

// update recomputes the role of the member of SCIM identity s: nothing
// for an inactive or deleted identity, or a user that is not a member.
func (r *roles) update(ctx context.Context, tx store.Tx, o *op, s *store.SCIMIdentity) error {
	if !s.Active || s.Deleted {
		return nil
	}
	m, ok, err := optional(tx.Membership(ctx, r.g.ID, s.UserID))
	if err != nil || !ok {
		return err
	}
	role, err := linkedRole(ctx, tx, r.g, r.links, s.ID)
	if err != nil {
		return err
	}
	if role == m.Role {
		return nil
	}
	if m.Role == store.RoleOwner && r.demoted == nil {
		u, err := tx.User(ctx, s.UserID)
		if err != nil {
			return err
		}
		r.demoted = u
	}
	from := m.Role
	m.Role = role
	if err := tx.PutMembership(ctx, m); err != nil {
		return err
	}
	e := Event{Type: EventRoleChanged, GroupID: r.g.ID, UserID: s.UserID, IdentityID: s.ID, ExternUID: s.ExternUID}
	if o.detail {
		e.Detail = map[string]string{"from": from.String(), "to": role.String()}
	}
	o.emit(e)
	return nil
}

// updateIDs recomputes the roles of the members of SCIM identities ids,
// read through known.
func (r *roles) updateIDs(ctx context.Context, tx store.Tx, o *op, ids []string, known identities) error {
	for _, id := range ids {
		s, err := known.get(ctx, tx, r.g.ID, id)
		if err != nil {
			return err
		}
		if s == nil {
			continue
		}
		if err := r.update(ctx, tx, o, s); err != nil {
			return err
		}
	}
	return nil
}

// updateGroup recomputes the roles of every member of IdP group ig.
func (r *roles) updateGroup(ctx context.Context, tx store.Tx, o *op, ig *store.IdPGroup) error {
	ids, err := memberIDs(ctx, tx, ig)
	if err != nil {
		return err
	}
	return r.updateIDs(ctx, tx, o, ids, identities{})
}

// finish refuses the operation when it took the owner role from the
// group's last owner: the group would be left without one.
func (r *roles) finish(ctx context.Context, tx store.Tx) error {
	if r.demoted == nil {
		return nil
	}
	n, err := tx.CountMembers(ctx, r.g.ID, store.RoleOwner)
	if err != nil {
		return err
	}
	if n == 0 {
		return refused("Could not change the role of " + displayName(r.demoted) + " in " + groupName(r.g) + ". " + msgLastOwner + ".")
	}
	return nil
}

// memberIDs returns the member ids of IdP group ig.
func memberIDs(ctx context.Context, tx store.Tx, ig *store.IdPGroup) ([]string, error) {
	var ids []string
	for m, err := range tx.IdPGroupMembers(ctx, ig.GroupID, ig.ID) {
		if err != nil {
			return nil, err
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}
