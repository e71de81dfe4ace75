package identity

import (
	"context"

	"github.com/scimkit/scimkit/store"
)

// ensureMember adds u to g unless u is a member, at the role its SCIM
// identity's linked IdP groups give, else the default role (roles.go).
// With checkSSO and enforced SSO on the group, a user without a SAML
// identity in the group is refused (docs/gitlab.md §4.3 step 4, §9).
func ensureMember(ctx context.Context, tx store.Tx, g *store.Group, userID string, checkSSO bool) (added bool, err error) {
	_, ok, err := optional(tx.Membership(ctx, g.ID, userID))
	if err != nil || ok {
		return false, err
	}
	if checkSSO && g.EnforceSSO {
		_, linked, err := optional(tx.SAMLIdentityByUser(ctx, g.ID, userID))
		if err != nil {
			return false, err
		}
		if !linked {
			return false, refused(msgNotSAMLLinked)
		}
	}
	role, err := memberRole(ctx, tx, g, userID)
	if err != nil {
		return false, err
	}
	if err := tx.PutMembership(ctx, &store.Membership{GroupID: g.ID, UserID: userID, Role: role}); err != nil {
		return false, err
	}
	return true, nil
}
