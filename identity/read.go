package identity

import (
	"context"
	"net/mail"
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
// §5.2) in group groupID: the identity whose extern_uid is v, else the
// identity in the group of the first account found by: username v; when v
// is an email address, the primary or a secondary email v, else the
// username that is v's local part. The first lookup that finds an
// identity or an account decides, so an account without an identity in
// the group gives no result. All matches are case-insensitive. It returns
// no result, or one. In a profile with HideDeleted, hidden identities are
// not returned.
func (p *Provisioner) FindByUserName(ctx context.Context, groupID, v string) ([]*Result, error) {
	if strings.TrimSpace(v) == "" || checkText("userName", v, maxExternUIDLen) != nil {
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
			u, found, err := findAccount(ctx, tx, v)
			if err != nil || !found {
				return err
			}
			if s, ok, err = optional(tx.SCIMIdentityByUser(ctx, g.ID, u.ID)); err != nil {
				return err
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

// findAccount finds the account of a userName search (see
// [Provisioner.FindByUserName]): by username v, then, when v is an email
// address, by email v, else by the username that is its local part.
func findAccount(ctx context.Context, tx store.Tx, v string) (*store.User, bool, error) {
	u, ok, err := optional(tx.UserByUsername(ctx, v))
	if err != nil || ok {
		return u, ok, err
	}
	local, isEmail := emailLocalPart(v)
	if !isEmail {
		return nil, false, nil
	}
	if u, ok, err = optional(tx.UserByEmail(ctx, v)); err != nil || ok {
		return u, ok, err
	}
	return optional(tx.UserByUsername(ctx, local))
}

// emailLocalPart reports whether v is a plain email address, as GitLab's
// search recognises one (an address alone, without display name, with a
// dotted domain), and returns its local part.
func emailLocalPart(v string) (string, bool) {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return "", false
	}
	at := strings.LastIndexByte(v, '@')
	if at <= 0 {
		return "", false
	}
	domain := v[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	return v[:at], true
}

// LookupGroup returns the group GitLab's SCIM API names by ref: the group
// at path ref, case-insensitively, or, when ref is all digits and no path
// matches, the group whose id is ref (GitLab addresses a group by either).
// An unknown group is a KindNotFound error with GitLab's detail "Group
// <ref> not found". The GitLab profile answers it before authenticating
// (docs/gitlab.md §1); the RFC profile uses [Provisioner.Authenticate]
// alone, which does not disclose which groups exist.
func (p *Provisioner) LookupGroup(ctx context.Context, ref string) (*store.Group, error) {
	missing := notFound("Group " + ref + " not found")
	if ref == "" || len(ref) > maxGroupPathLen {
		return nil, missing
	}
	var g *store.Group
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		var ok bool
		var err error
		if g, ok, err = optional(tx.GroupByPath(ctx, ref)); err != nil || ok {
			return err
		}
		if strings.Trim(ref, "0123456789") == "" {
			if g, ok, err = optional(tx.Group(ctx, ref)); err != nil || ok {
				return err
			}
		}
		return missing
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// loadGroup reads group id, or answers KindNotFound.
func loadGroup(ctx context.Context, tx store.Tx, id string) (*store.Group, error) {
	g, ok, err := optional(tx.Group(ctx, id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("group not found")
	}
	return g, nil
}

// findIdentity resolves the id of a request: a SCIM identity id, or in the
// GitLab profile an extern_uid. A hidden (deleted) identity is not found in
// the RFC profile.
func findIdentity(ctx context.Context, tx store.Tx, prof Profile, groupID, id string) (*store.SCIMIdentity, error) {
	if strings.TrimSpace(id) == "" || checkText("id", id, maxExternUIDLen) != nil {
		return nil, notFound("Resource " + id + " not found")
	}
	var s *store.SCIMIdentity
	var ok bool
	var err error
	if prof.IDIsExternUID {
		s, ok, err = optional(tx.SCIMIdentityByExternUID(ctx, groupID, id))
	} else {
		s, ok, err = optional(tx.SCIMIdentity(ctx, groupID, id))
	}
	if err != nil {
		return nil, err
	}
	if !ok || (prof.HideDeleted && s.Deleted) {
		return nil, notFound("Resource " + id + " not found")
	}
	return s, nil
}
