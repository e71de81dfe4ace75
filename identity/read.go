package identity

import (
	"context"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// Get returns the SCIM identity id of group groupID with its account
// (GET /Users/{id}). In the GitLab profile id is an extern_uid, matched
// case-insensitively; in the RFC profile a hidden (deleted) identity is
// KindNotFound. Inactive identities are returned.
func (p *Provisioner) Get(ctx context.Context, groupID, id string) (*Result, error) {
	var res *Result
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		s, err := getIdentity(ctx, tx, p.c.prof, groupID, id)
		if err != nil {
			return err
		}
		res, err = result(ctx, tx, s, nil, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// GetIdentity is [Provisioner.Get] without the account and the membership:
// it returns the SCIM identity alone, with the same errors, for a caller
// that needs no more (rendering a resource in the RFC profile, reading its
// version for If-Match), sparing the two reads. The identity is a copy the
// caller owns.
func (p *Provisioner) GetIdentity(ctx context.Context, groupID, id string) (*store.SCIMIdentity, error) {
	var s *store.SCIMIdentity
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		var err error
		s, err = getIdentity(ctx, tx, p.c.prof, groupID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// getIdentity reads the SCIM identity id of group groupID in tx (see
// findIdentity); a missing group is loadGroup's error. An identity is
// stored only in a group that exists, and groups are never deleted
// ([store.Tx.PutSCIMIdentity]), so the group is read only when no
// identity is found, to tell the two errors apart.
func getIdentity(ctx context.Context, tx store.Tx, prof Profile, groupID, id string) (*store.SCIMIdentity, error) {
	s, err := findIdentity(ctx, tx, prof, groupID, id)
	if err != nil && KindOf(err) == KindNotFound {
		if _, gerr := loadGroup(ctx, tx, groupID); gerr != nil {
			return nil, gerr
		}
	}
	return s, err
}

// Page is one page of a list.
type Page struct {
	// Results are the identities of the page, with their accounts.
	Results []*Result
	// Total is the number of identities matching the filter on all pages.
	Total int
}

// List returns the page of group groupID's SCIM identities that q selects
// (GET /Users), through [store.ListSCIMIdentities] so a store's filter
// pushdown is used. In a profile with HideDeleted, hidden identities are
// left out. Errors compiling q's filter or sort path wrap a
// *filter.SchemaError or *filter.SyntaxError (find them with errors.As).
func (p *Provisioner) List(ctx context.Context, groupID string, q store.Query) (*Page, error) {
	if p.c.prof.HideDeleted {
		q.SkipDeleted = true
	}
	var page *Page
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		if _, err := loadGroup(ctx, tx, groupID); err != nil {
			return err
		}
		list, total, err := store.ListSCIMIdentities(ctx, tx, groupID, q)
		if err != nil {
			return err
		}
		page = &Page{Results: make([]*Result, 0, len(list)), Total: total}
		for _, s := range list {
			r, err := result(ctx, tx, s, nil, 0)
			if err != nil {
				return err
			}
			page.Results = append(page.Results, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// FindByUserName answers GitLab's `userName eq "v"` search (docs/gitlab.md
// §5.2) in group groupID: the identity whose extern_uid is v; else the
// identity of the account whose username is v; else, when v looks like an
// email address, the identity of the account owning that address, or else
// of the account whose username is the address's local part. All matches
// are case-insensitive. It returns no result, or one. In a profile with
// HideDeleted, hidden identities are not returned.
func (p *Provisioner) FindByUserName(ctx context.Context, groupID, v string) ([]*Result, error) {
	if v == "" || checkText("userName", v, maxEmailLen) != nil {
		return nil, nil
	}
	var out []*Result
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		s, ok, err := optional(tx.SCIMIdentityByExternUID(ctx, g.ID, v))
		if err != nil {
			return err
		}
		if !ok {
			if s, ok, err = identityOfUser(ctx, tx, g.ID, tx.UserByUsername, v); err != nil {
				return err
			}
		}
		if !ok && checkEmail(v) == nil {
			if s, ok, err = identityOfUser(ctx, tx, g.ID, tx.UserByEmail, v); err != nil {
				return err
			}
			if !ok {
				local := v[:strings.IndexByte(v, '@')]
				if s, ok, err = identityOfUser(ctx, tx, g.ID, tx.UserByUsername, local); err != nil {
					return err
				}
			}
		}
		if !ok || (p.c.prof.HideDeleted && s.Deleted) {
			return nil
		}
		r, err := result(ctx, tx, s, nil, 0)
		if err != nil {
			return err
		}
		out = []*Result{r}
		return nil
	})
	return out, err
}

// identityOfUser finds an account with find(key) and returns its SCIM
// identity in the group, if both exist.
func identityOfUser(ctx context.Context, tx store.Tx, groupID string,
	find func(context.Context, string) (*store.User, error), key string) (*store.SCIMIdentity, bool, error) {
	u, ok, err := optional(find(ctx, key))
	if err != nil || !ok {
		return nil, false, err
	}
	return optional(tx.SCIMIdentityByUser(ctx, groupID, u.ID))
}

// LookupGroup returns the group at path, case-insensitively, or a
// KindNotFound error with GitLab's detail "Group <path> not found". The
// GitLab profile answers it before authenticating (docs/gitlab.md §1);
// the RFC profile uses [Provisioner.Authenticate] alone, which does not
// disclose which groups exist.
func (p *Provisioner) LookupGroup(ctx context.Context, path string) (*store.Group, error) {
	if path == "" || checkText("path", path, maxGroupPathLen) != nil {
		return nil, notFound("Group not found")
	}
	var g *store.Group
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		var ok bool
		var err error
		if g, ok, err = optional(tx.GroupByPath(ctx, path)); err != nil {
			return err
		}
		if !ok {
			return notFound("Group " + path + " not found")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}
