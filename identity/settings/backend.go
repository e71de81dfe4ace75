package settings

// This file holds every call the page makes into package identity and into
// the store, so that the rest of the package deals in entries and views.

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
)

// entry is one SCIM identity of the group with what the table shows about
// it. user is nil when the account cannot be read (a store that lost it);
// member and saml are nil when the user has none in the group.
type entry struct {
	ident  *store.SCIMIdentity
	user   *store.User
	member *store.Membership
	saml   *store.SAMLIdentity
}

// maxSearchResults bounds the identities one search shows. Every search is
// an exact-value lookup, which finds one identity or a few.
const maxSearchResults = 200

// lookupGroup returns the group at path, or nil when there is none.
func (h *Handler) lookupGroup(ctx context.Context, path string) (*store.Group, error) {
	var g *store.Group
	err := h.st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		g, err = tx.GroupByPath(ctx, path)
		if errors.Is(err, store.ErrNotFound) {
			g, err = nil, nil
		}
		return err
	})
	return g, err
}

// rotateToken gives the group a new generated SCIM token; the old one stops
// working at once. It returns the token and the group as stored with it,
// whose version the page's SAML form then carries.
func (h *Handler) rotateToken(ctx context.Context, groupID string) (identity.Token, *store.Group, error) {
	tok, err := h.prov.RotateToken(ctx, groupID, "")
	if err != nil {
		return "", nil, err
	}
	var g *store.Group
	err = h.st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		g, err = tx.Group(ctx, groupID)
		return err
	})
	return tok, g, err
}

// saveSAML stores the group's SAML settings through sso.Configure, the one
// place that checks a configuration: the IdP configuration c, enforced
// SSO and the default role, in one store update, and only while the group
// is at version, the version the form was filled in from. A refused
// configuration is sso's *ConfigError per field; a group changed since is
// store.ErrVersionMismatch; nothing is written in either case.
func (h *Handler) saveSAML(ctx context.Context, groupID string, version int64, c store.SAMLConfig, enforce bool, role store.Role) (*store.Group, error) {
	return sso.Configure(ctx, h.st, groupID, c, sso.IfVersion(version), sso.EnforceSSO(enforce), sso.DefaultRole(role))
}

// listPage returns page page (1-based) of the group's SCIM identities in the
// default order (creation, then id), deleted ones included, and how many
// identities the group has. Stores answer a query without a filter or a sort
// from their default order, so a page costs the same at any depth of the
// list.
func (h *Handler) listPage(ctx context.Context, groupID string, page int) ([]entry, int, error) {
	var out []entry
	var total int
	err := h.st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		list, n, err := store.ListSCIMIdentities(ctx, tx, groupID, store.Query{StartIndex: (page-1)*pageSize + 1, Count: pageSize})
		if err != nil {
			return err
		}
		total = n
		out, err = entries(ctx, tx, groupID, list)
		return err
	})
	return out, total, err
}

// search returns the group's SCIM identities that q names exactly, each
// once, in the default order: by externalId (the extern_uid index,
// case-insensitively), by the userName or, for a value with an "@", an
// email the IdP sent (userName eq and emails.value eq queries, answered by
// the stores from their indexes), and by the username or an email of the
// account behind the identity (the account indexes). No search reads the
// whole group.
func (h *Handler) search(ctx context.Context, groupID, q string) ([]entry, error) {
	var out []entry
	err := h.st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		var found []*store.SCIMIdentity
		add := func(s *store.SCIMIdentity) {
			if !slices.ContainsFunc(found, func(f *store.SCIMIdentity) bool { return f.ID == s.ID }) {
				found = append(found, s)
			}
		}
		s, err := tx.SCIMIdentityByExternUID(ctx, groupID, q)
		switch {
		case err == nil:
			add(s)
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		attrs := []filter.AttrPath{{Name: "userName"}}
		if strings.Contains(q, "@") {
			// Only an address can be an email the IdP sent.
			attrs = append(attrs, filter.AttrPath{Name: "emails", Sub: "value"})
		}
		for _, attr := range attrs {
			list, _, err := store.ListSCIMIdentities(ctx, tx, groupID, store.Query{
				Filter: &filter.Compare{Attr: attr, Op: filter.Eq, Value: q},
				Count:  maxSearchResults,
			})
			if err != nil {
				return err
			}
			for _, s := range list {
				add(s)
			}
		}
		for _, byAccount := range []func(context.Context, string) (*store.User, error){tx.UserByUsername, tx.UserByEmail} {
			u, err := byAccount(ctx, q)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			s, err := tx.SCIMIdentityByUser(ctx, groupID, u.ID)
			switch {
			case err == nil:
				add(s)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		slices.SortFunc(found, store.CompareDefault)
		if len(found) > maxSearchResults {
			found = found[:maxSearchResults]
		}
		out, err = entries(ctx, tx, groupID, found)
		return err
	})
	return out, err
}

// entries reads the account, membership and SAML identity of each identity.
func entries(ctx context.Context, tx store.Tx, groupID string, list []*store.SCIMIdentity) ([]entry, error) {
	out := make([]entry, len(list))
	for i, s := range list {
		e := entry{ident: s}
		var err error
		if e.user, err = optional(tx.User(ctx, s.UserID)); err != nil {
			return nil, err
		}
		if e.member, err = optional(tx.Membership(ctx, groupID, s.UserID)); err != nil {
			return nil, err
		}
		if e.saml, err = optional(tx.SAMLIdentityByUser(ctx, groupID, s.UserID)); err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// optional turns store.ErrNotFound into a nil value without error.
func optional[T any](v *T, err error) (*T, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// groupLinks returns the group links of group groupID, the first
// maxIdPGroups of its IdP groups by displayName, without their members,
// and how many IdP groups it has. Their member counts are not read: a count
// reads every member of a group.
func (h *Handler) groupLinks(ctx context.Context, groupID string) ([]*store.IdPGroupLink, []*store.IdPGroup, int, error) {
	links, err := h.prov.IdPGroupLinks(ctx, groupID)
	if err != nil {
		return nil, nil, 0, err
	}
	page, err := h.prov.ListIdPGroups(ctx, groupID, store.Query{SortBy: "displayName", Count: maxIdPGroups}, identity.OmitMembers)
	if err != nil {
		return nil, nil, 0, err
	}
	groups := make([]*store.IdPGroup, len(page.Results))
	for i, res := range page.Results {
		groups[i] = res.Group
	}
	return links, groups, page.Total, nil
}

// recentEvents reads the group's recent events, when the host keeps them.
func (h *Handler) recentEvents(ctx context.Context, groupID string) ([]identity.Event, error) {
	return h.cfg.events.RecentEvents(ctx, groupID, recentEvents)
}
