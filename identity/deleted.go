package identity

import (
	"context"
	"fmt"

	"github.com/scimkit/scimkit/store"
)

// A deleted resource stays deleted (RFC 7644 §3.6): in a profile with
// HideDeleted, a DELETE leaves the SCIM identity in the store marked
// Deleted, which every read treats as absent, until the person comes back.
// A POST for them (the same externalId, or the email of the account) then
// removes it and provisions a new identity with a new id for the same
// account; the old id stays unknown forever, as ids are never given twice.
// Keeping the deleted identity until then keeps its account out of the
// group at SAML sign-in ([Linker.SignIn] refuses a user whose SCIM
// identity is inactive) and shows it on the owner's settings page.

// leaveIdPGroups removes the SCIM identity s from every IdP group of g it
// is a member of, bumping each group's Version. s leaves the group's
// membership beforehand, so no role is recomputed.
func leaveIdPGroups(ctx context.Context, tx store.Tx, o *op, g *store.Group, s *store.SCIMIdentity) error {
	gs, err := tx.IdPGroupsOfMember(ctx, g.ID, s.ID)
	if err != nil {
		return err
	}
	for _, ig := range gs {
		if _, err := tx.RemoveIdPGroupMembers(ctx, g.ID, ig.ID, []string{s.ID}); err != nil {
			return err
		}
		ig.Updated = o.now
		if err := tx.PutIdPGroup(ctx, ig); err != nil {
			return err
		}
		o.emit(Event{Type: EventIdPGroupMemberRemoved, GroupID: g.ID, IdPGroupID: ig.ID, UserID: s.UserID,
			IdentityID: s.ID, ExternUID: s.ExternUID})
	}
	return nil
}

// replaceDeleted answers a POST for the person of s, an identity a DELETE
// removed (HideDeleted): s goes, and a new identity of a new id takes the
// account over with doc, reprovisioned as an inactive identity is (the
// membership restored at the role its groups give, which is the default
// role, as the deleted identity left every IdP group).
func (p *Provisioner) replaceDeleted(ctx context.Context, tx store.Tx, o *op, g *store.Group, s *store.SCIMIdentity, doc map[string]any) (*Result, error) {
	if err := tx.DeleteSCIMIdentity(ctx, g.ID, s.ID); err != nil {
		return nil, err
	}
	id, err := p.c.newID()
	if err != nil {
		return nil, fmt.Errorf("identity: new identity id: %w", err)
	}
	n := &store.SCIMIdentity{ID: id, GroupID: g.ID, UserID: s.UserID, ExternUID: s.ExternUID, Document: s.Document, Created: o.now}
	ch, u, err := p.applyDocument(ctx, tx, o, g, n, doc, true)
	if err != nil {
		return nil, err
	}
	return result(ctx, tx, n, u, ch)
}
