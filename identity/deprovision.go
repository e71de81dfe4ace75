package identity

import (
	"context"

	"github.com/scimkit/scimkit/store"
)

// Deprovision deactivates the SCIM identity id of group groupID (PATCH
// active=false), in one atomic store operation: the identity becomes
// inactive and the user's membership is removed; the account and its SAML
// identity are kept (docs/gitlab.md §7.2). When the user is the group's
// last owner nothing changes and the error is KindRefused with GitLab's
// detail "Could not remove <user> from <group>. Cannot remove last group
// owner.". Deprovisioning an inactive identity changes nothing. Event:
// EventDeprovisioned.
func (p *Provisioner) Deprovision(ctx context.Context, groupID, id string) (*Result, error) {
	return p.setActive(ctx, groupID, id, 0, false, false)
}

// Delete answers a SCIM DELETE: [Provisioner.Deprovision], and in a profile
// with HideDeleted the resource is gone for good (RFC 7644 §3.6,
// EventDeleted, also for an identity already inactive): the identity
// leaves every IdP group it was a member of (EventIdPGroupMemberRemoved),
// and Get, List, Modify, Replace, Delete and
// the members of IdP groups treat its id as unknown from then on. It is
// kept, marked Deleted, only until the person is provisioned again, which
// replaces it with an identity of a new id (see [Provisioner.Provision]);
// meanwhile it keeps the SAML sign-in of a deleted user refused. The
// account and its SAML identity are kept. In the RFC profile deleting a
// deleted identity is KindNotFound; in the GitLab profile DELETE is
// Deprovision, the identity stays visible with active false, and a
// repeated DELETE succeeds.
//
// ifMatch, when not 0, must equal the identity's Version (If-Match), else
// KindVersionMismatch and nothing changes; it is checked in the same
// atomic operation as the delete, so a DELETE racing a PATCH that carried
// the same version fails rather than both succeeding.
func (p *Provisioner) Delete(ctx context.Context, groupID, id string, ifMatch int64) (*Result, error) {
	return p.setActive(ctx, groupID, id, ifMatch, false, p.c.prof.HideDeleted)
}

// Reprovision reactivates the SCIM identity id of group groupID: active
// again, visible again, membership restored if the user is not a member
// (docs/gitlab.md §6.2 rule 2), at the role the identity's linked IdP
// groups give, else the group's default role. Reprovisioning
// an active identity changes nothing. Under enforced SSO an account that is
// not a member and has no SAML identity in the group is refused
// (KindRefused), nothing written (docs/gitlab.md §9). Event:
// EventReprovisioned.
func (p *Provisioner) Reprovision(ctx context.Context, groupID, id string) (*Result, error) {
	return p.setActive(ctx, groupID, id, 0, true, false)
}

// setActive runs Deprovision, Reprovision and Delete; hide says whether
// the identity is hidden too.
func (p *Provisioner) setActive(ctx context.Context, groupID, id string, ifMatch int64, active, hide bool) (*Result, error) {
	return p.withIdentity(ctx, groupID, id, ifMatch, func(ctx context.Context, tx store.Tx, o *op, g *store.Group, s *store.SCIMIdentity) (*Result, error) {
		u, err := tx.User(ctx, s.UserID)
		if err != nil {
			return nil, err
		}
		var ch Change
		ev := Event{GroupID: g.ID, UserID: u.ID, IdentityID: s.ID, ExternUID: s.ExternUID}
		switch {
		case !active && s.Active:
			if err := deprovision(ctx, tx, g, s, u); err != nil {
				return nil, err
			}
			ev.Type, ch = EventDeprovisioned, Deprovisioned
		case active && (!s.Active || s.Deleted):
			if _, err := ensureMember(ctx, tx, g, u.ID, true); err != nil {
				return nil, err
			}
			s.Active, s.Deleted = true, false
			ev.Type, ch = EventReprovisioned, Reprovisioned
		}
		if hide && !s.Deleted {
			s.Deleted = true
			ch |= Hidden
		}
		if ch != 0 {
			s.Updated = o.now
			if err := tx.PutSCIMIdentity(ctx, s); err != nil {
				return nil, err
			}
		}
		if ev.Type != "" {
			o.emit(ev)
		}
		if ch.Has(Hidden) {
			ev.Type = EventDeleted
			o.emit(ev)
			if err := leaveIdPGroups(ctx, tx, o, g, s); err != nil {
				return nil, err
			}
		}
		return result(ctx, tx, s, u, ch)
	})
}

// deprovision removes u's membership of g (refusing to remove the last
// owner) and marks s inactive; the caller stores s.
func deprovision(ctx context.Context, tx store.Tx, g *store.Group, s *store.SCIMIdentity, u *store.User) error {
	m, member, err := optional(tx.Membership(ctx, g.ID, u.ID))
	if err != nil {
		return err
	}
	if member {
		if m.Role == store.RoleOwner {
			n, err := tx.CountMembers(ctx, g.ID, store.RoleOwner)
			if err != nil {
				return err
			}
			if n <= 1 {
				return refused("Could not remove " + displayName(u) + " from " + groupName(g) + ". " + msgLastOwner + ".")
			}
		}
		if err := tx.DeleteMembership(ctx, g.ID, u.ID); err != nil {
			return err
		}
	}
	s.Active = false
	return nil
}

func displayName(u *store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}

func groupName(g *store.Group) string {
	if g.Name != "" {
		return g.Name
	}
	return g.Path
}
