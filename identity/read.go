package identity

import (
	"context"

	"github.com/scimkit/scimkit/store"
)

// Get returns the SCIM identity id of group groupID with its account
// (GET /Users/{id}). In the GitLab profile id is an extern_uid, matched
// case-insensitively; in the RFC profile a hidden (deleted) identity is
// KindNotFound. Inactive identities are returned.
func (p *Provisioner) Get(ctx context.Context, groupID, id string) (*Result, error) {
	var res *Result
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		s, err := findIdentity(ctx, tx, p.c.prof, g.ID, id)
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
