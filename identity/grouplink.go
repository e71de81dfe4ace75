package identity

import (
	"context"

	"github.com/scimkit/scimkit/store"
)

// IdPGroupLinks returns the group links of group groupID (GitLab's SAML
// group links): which IdP group, by displayName or externalId, gives which
// role. See docs/design.md §Groups for how roles follow from them.
func (p *Provisioner) IdPGroupLinks(ctx context.Context, groupID string) ([]*store.IdPGroupLink, error) {
	var links []*store.IdPGroupLink
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		if _, err := loadGroup(ctx, tx, groupID); err != nil {
			return err
		}
		var err error
		links, err = tx.IdPGroupLinks(ctx, groupID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return links, nil
}

// SetIdPGroupLink links the IdP group of group groupID whose attr
// (displayName or externalId) is value, case-insensitively, to role, or
// changes the role of that link, in one atomic store operation. The IdP
// group need not exist yet. The members of the IdP group it names get
// their roles recomputed in the same operation: a change that would take
// the owner role from the group's last owner is KindRefused and nothing is
// written. role is one of the roles from store.RoleMinimalAccess to
// store.RoleOwner (KindInvalid otherwise). The IdP group's Version is
// bumped, so that a concurrent change of its members, computed under the
// old link, runs again. Setting a link as it is (same value, same role)
// writes nothing and emits nothing. Events: EventIdPGroupLinkSet,
// EventRoleChanged.
func (p *Provisioner) SetIdPGroupLink(ctx context.Context, groupID string, attr store.LinkAttribute, value string, role store.Role) (*store.IdPGroupLink, error) {
	if err := checkLink(attr, value); err != nil {
		return nil, err
	}
	if !validRole(role) {
		return nil, invalidf("role", "%v is not a membership role", role)
	}
	var link *store.IdPGroupLink
	_, err := p.c.update(ctx, p.st, func(ctx context.Context, tx store.Tx, o *op) error {
		return p.relink(ctx, tx, o, groupID, attr, value, func(links []*store.IdPGroupLink) ([]*store.IdPGroupLink, error) {
			link = nil
			for _, l := range links {
				if l.Attribute == attr && store.Fold(l.Value) == store.Fold(value) {
					link = l
				}
			}
			if link != nil && link.Value == value && link.Role == role {
				return nil, nil
			}
			if link == nil {
				link = &store.IdPGroupLink{GroupID: groupID, Attribute: attr}
				links = append(links, link)
			}
			link.Value, link.Role = value, role
			if err := tx.PutIdPGroupLink(ctx, link); err != nil {
				return nil, err
			}
			e := Event{Type: EventIdPGroupLinkSet, GroupID: groupID}
			if o.detail {
				e.Detail = map[string]string{"attribute": attr.String(), "value": value, "role": role.String()}
			}
			o.emit(e)
			return links, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// RemoveIdPGroupLink removes the link of group groupID on the IdP group
// whose attr is value (KindNotFound when there is none), in one atomic
// store operation, recomputing the roles of the members of the IdP group
// it named, as [Provisioner.SetIdPGroupLink] does. Events:
// EventIdPGroupLinkRemoved, EventRoleChanged.
func (p *Provisioner) RemoveIdPGroupLink(ctx context.Context, groupID string, attr store.LinkAttribute, value string) error {
	if err := checkLink(attr, value); err != nil {
		return err
	}
	_, err := p.c.update(ctx, p.st, func(ctx context.Context, tx store.Tx, o *op) error {
		return p.relink(ctx, tx, o, groupID, attr, value, func(links []*store.IdPGroupLink) ([]*store.IdPGroupLink, error) {
			kept := make([]*store.IdPGroupLink, 0, len(links))
			found := false
			for _, l := range links {
				if l.Attribute == attr && store.Fold(l.Value) == store.Fold(value) {
					found = true
					continue
				}
				kept = append(kept, l)
			}
			if !found {
				return nil, notFound("group link not found")
			}
			if err := tx.DeleteIdPGroupLink(ctx, groupID, attr, value); err != nil {
				return nil, err
			}
			e := Event{Type: EventIdPGroupLinkRemoved, GroupID: groupID}
			if o.detail {
				e.Detail = map[string]string{"attribute": attr.String(), "value": value}
			}
			o.emit(e)
			return kept, nil
		})
	})
	return err
}

// relink runs change, which writes a link of group groupID on attr and
// value and returns the links after it (nil: it changed nothing), then
// recomputes the roles of the members of the IdP group the link names.
func (p *Provisioner) relink(ctx context.Context, tx store.Tx, o *op, groupID string, attr store.LinkAttribute, value string,
	change func(links []*store.IdPGroupLink) ([]*store.IdPGroupLink, error)) error {
	g, err := loadGroup(ctx, tx, groupID)
	if err != nil {
		return err
	}
	r, err := newRoles(ctx, tx, g)
	if err != nil {
		return err
	}
	if r.links, err = change(r.links); err != nil || r.links == nil {
		return err
	}
	var ig *store.IdPGroup
	var ok bool
	if attr == store.LinkDisplayName {
		ig, ok, err = optional(tx.IdPGroupByDisplayName(ctx, g.ID, value))
	} else {
		ig, ok, err = optional(tx.IdPGroupByExternalID(ctx, g.ID, value))
	}
	if err != nil || !ok {
		return err
	}
	if err := tx.PutIdPGroup(ctx, ig); err != nil {
		return err
	}
	if err := r.updateGroup(ctx, tx, o, ig); err != nil {
		return err
	}
	return r.finish(ctx, tx)
}

// checkLink checks the attribute and value of a link.
func checkLink(attr store.LinkAttribute, value string) error {
	if attr != store.LinkDisplayName && attr != store.LinkExternalID {
		return invalidf("attribute", "must be displayName or externalId")
	}
	if value == "" || len(value) > maxNameLen {
		return invalidf("value", "must have 1 to %d bytes", maxNameLen)
	}
	return checkText("value", value, maxNameLen)
}

// validRole reports whether r is a role a membership can have.
func validRole(r store.Role) bool {
	switch r {
	case store.RoleMinimalAccess, store.RoleGuest, store.RolePlanner, store.RoleReporter,
		store.RoleDeveloper, store.RoleMaintainer, store.RoleOwner:
		return true
	}
	return false
}
