package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/internal/scimjson"
	"github.com/scimkit/scimkit/store"
)

// IdP groups: the SCIM Group resource (RFC 7643 §4.2) that Entra ID's group
// provisioning and Okta's Group Push create inside a tenant, kept as a
// store.IdPGroup with its members as rows. Members are SCIM identities of
// the same tenant, named by their ids (the ids of the User resources); IdP
// groups are a feature of the RFC profile, and in every profile their
// members are named by those ids. Group links (grouplink.go) turn
// memberships into roles (roles.go).

// Conflicts of IdP group keys.
const (
	msgDisplayNameTaken = "Display name has already been taken"
	msgExternalIDTaken  = "External ID has already been taken"
)

// MemberView says whether a result lists an IdP group's members. Listing them
// reads every member (O(n)); leave them out where the answer does not show
// them (Entra ID reads groups with excludedAttributes=members).
type MemberView uint8

// The choices of MemberView.
const (
	// OmitMembers leaves IdPGroupResult.Members nil.
	OmitMembers MemberView = iota
	// IncludeMembers reads the members into IdPGroupResult.Members.
	IncludeMembers
)

// IdPGroupResult is what an operation returns about one IdP group: fresh
// copies the caller owns.
type IdPGroupResult struct {
	// Group is the IdP group as stored after the operation, without its
	// members; its Resource method gives the document to render, to which
	// the caller adds "members".
	Group *store.IdPGroup
	// Members are the group's members in the byte order of their ids, each
	// with a display name, when the call asked for IncludeMembers (not nil
	// then, even when empty); nil otherwise.
	Members []store.IdPGroupMember
	// Added and Removed are the ids of the members the operation added
	// and removed, in the order the request gave them.
	Added, Removed []string
}

// IdPGroupPage is one page of a list of IdP groups.
type IdPGroupPage struct {
	// Results are the IdP groups of the page.
	Results []*IdPGroupResult
	// Total is the number of IdP groups matching the filter on all pages.
	Total int
}

// IdPGroupPatch is a PATCH of an IdP group (RFC 7644 §3.5.2), split in two
// so that it never needs the group's members in memory: the changes of the
// members, and a change of the other attributes.
type IdPGroupPatch struct {
	// Members are the changes of the member set.
	Members MemberChanges
	// Mutate, when not nil, changes the other attributes: it receives the
	// group's resource ([store.IdPGroup.Resource], without members) as a
	// map of its own and returns the new one, whose displayName,
	// externalId (absent: removed) and other attributes replace the
	// group's; "id" and "meta" are the server's and ignored. The result
	// must not hold "members" (those go through Members). As Modify's
	// mutate, it may run more than once and must have no side effects.
	Mutate func(cur map[string]any) (map[string]any, error)
}

// CreateIdPGroup creates an IdP group in group groupID from doc, the POSTed
// SCIM Group resource as decoded by encoding/json (POST /Groups), in one
// atomic store operation, and takes ownership of doc. displayName is
// required and unique in the group, case-insensitively (KindConflict
// "Display name has already been taken"); externalId, when present, is
// unique too ("External ID has already been taken"); members[].value name
// SCIM identities of the group, and one that names none is KindInvalid
// naming it. Members are added with the roles their linked groups give.
// Events: EventIdPGroupCreated, EventIdPGroupMemberAdded for each member,
// EventRoleChanged.
func (p *Provisioner) CreateIdPGroup(ctx context.Context, groupID string, doc map[string]any, m MemberView) (*IdPGroupResult, error) {
	d, err := p.parseIdPGroup(doc)
	if err != nil {
		return nil, err
	}
	return p.idpUpdate(ctx, func(ctx context.Context, tx store.Tx, o *op) (*IdPGroupResult, error) {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return nil, err
		}
		if err := checkIdPGroupKeys(ctx, tx, g.ID, "", d.displayName, d.externalID); err != nil {
			return nil, err
		}
		id, err := p.c.newID()
		if err != nil {
			return nil, fmt.Errorf("identity: new IdP group id: %w", err)
		}
		ig := &store.IdPGroup{ID: id, GroupID: g.ID, DisplayName: d.displayName, ExternalID: d.externalID,
			Document: d.stored, Created: o.now, Updated: o.now}
		if err := tx.PutIdPGroup(ctx, ig); err != nil {
			return nil, err
		}
		e := Event{Type: EventIdPGroupCreated, GroupID: g.ID, IdPGroupID: ig.ID}
		if o.detail {
			e.Detail = map[string]string{"displayName": ig.DisplayName}
		}
		o.emit(e)
		res := &IdPGroupResult{Group: ig}
		c := change{g: g, ig: ig, old: ig.Clone(), created: true}
		c.members.Add(d.members...)
		if err := p.applyMembers(ctx, tx, o, &c, res); err != nil {
			return nil, err
		}
		return res, readMembersInto(ctx, tx, m, res)
	})
}

// GetIdPGroup returns the IdP group id of group groupID (GET /Groups/{id}),
// with its members when m is IncludeMembers. An unknown id is KindNotFound
// "Resource <id> not found".
func (p *Provisioner) GetIdPGroup(ctx context.Context, groupID, id string, m MemberView) (*IdPGroupResult, error) {
	var res *IdPGroupResult
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		ig, err := findIdPGroup(ctx, tx, groupID, id)
		if err != nil {
			if KindOf(err) == KindNotFound {
				if _, gerr := loadGroup(ctx, tx, groupID); gerr != nil {
					return gerr
				}
			}
			return err
		}
		res = &IdPGroupResult{Group: ig}
		return readMembersInto(ctx, tx, m, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ListIdPGroups returns the page of group groupID's IdP groups that q
// selects (GET /Groups, POST /Groups/.search), through
// [store.ListIdPGroups]: the whole filter language, with id, displayName,
// externalId and members[value eq "id"] answered from indexes, and the
// members read only when the filter or sort reads them. With
// IncludeMembers each result lists its members. Errors compiling q's
// filter or sort path wrap a *filter.SchemaError or *filter.SyntaxError.
func (p *Provisioner) ListIdPGroups(ctx context.Context, groupID string, q store.Query, m MemberView) (*IdPGroupPage, error) {
	var page *IdPGroupPage
	err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
		if _, err := loadGroup(ctx, tx, groupID); err != nil {
			return err
		}
		list, total, err := store.ListIdPGroups(ctx, tx, groupID, q)
		if err != nil {
			return err
		}
		page = &IdPGroupPage{Results: make([]*IdPGroupResult, 0, len(list)), Total: total}
		for _, ig := range list {
			res := &IdPGroupResult{Group: ig}
			if err := readMembersInto(ctx, tx, m, res); err != nil {
				return err
			}
			page.Results = append(page.Results, res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// ReplaceIdPGroup applies a PUT (RFC 7644 §3.5.1) of doc to the IdP group
// id of group groupID, in one atomic store operation, and takes ownership
// of doc: displayName and the other attributes are replaced, as the
// members are when doc has "members" (an empty array removes them all).
// An absent externalId or members keeps the current one, as an absent
// externalId or active does on a User: a PUT that only renames must not
// drop thousands of members. ifMatch, when not 0, must equal the group's
// Version (KindVersionMismatch). The rules and events are those of
// [Provisioner.PatchIdPGroup].
func (p *Provisioner) ReplaceIdPGroup(ctx context.Context, groupID, id string, ifMatch int64, doc map[string]any, m MemberView) (*IdPGroupResult, error) {
	d, err := p.parseIdPGroup(doc)
	if err != nil {
		return nil, err
	}
	var members MemberChanges
	if d.hasMembers {
		members.Replace(d.members...)
	}
	return p.changeIdPGroup(ctx, groupID, id, ifMatch, func(ig *store.IdPGroup) (idpGroupDoc, error) {
		if !d.hasExternal {
			d.externalID = ig.ExternalID
		}
		return d, nil
	}, members, m)
}

// PatchIdPGroup applies a PATCH (RFC 7644 §3.5.2) to the IdP group id of
// group groupID, in one atomic store operation: ch.Mutate's document, then
// ch.Members. All of it is applied or, on any error, none. Members are
// added and removed in O(k) for k changed members, whatever the size of
// the group; only a replacement of the members reads them all.
//
// A member to add (or to have, in a replacement) must be a SCIM identity of
// the group (one a DELETE removed is none): KindInvalid naming the first
// that is not. A member to remove that is not a member, or names no
// identity, is passed over: Entra ID retries the removal of users it has
// just deleted, and a removal of a member that is gone has the effect it
// asks for. A new displayName or externalId held by another IdP group is
// KindConflict. ifMatch, when not 0, must equal the group's Version
// (KindVersionMismatch), checked in the same atomic operation.
//
// A change of the members, or of displayName or externalId, bumps the
// group's Version and Updated; a patch that changes nothing writes
// nothing. Roles follow in the same operation (docs/design.md §Groups):
// the members added to or removed from a linked IdP group, and every
// member of a group whose displayName or externalId change makes a link
// name it or stop naming it, get the highest role their linked groups give,
// else the default role; a change that would take the owner role from the
// group's last owner is KindRefused with GitLab's "Cannot remove last group
// owner" and nothing is written. Events: EventIdPGroupUpdated,
// EventIdPGroupMemberAdded, EventIdPGroupMemberRemoved, EventRoleChanged.
func (p *Provisioner) PatchIdPGroup(ctx context.Context, groupID, id string, ifMatch int64, ch IdPGroupPatch, m MemberView) (*IdPGroupResult, error) {
	var attrs func(ig *store.IdPGroup) (idpGroupDoc, error)
	if ch.Mutate != nil {
		attrs = func(ig *store.IdPGroup) (idpGroupDoc, error) {
			doc, err := ch.Mutate(ig.Clone().Resource())
			if err != nil {
				return idpGroupDoc{}, fmt.Errorf("identity: patch IdP group: %w", err)
			}
			if doc == nil {
				return idpGroupDoc{}, invalidf("", "the modified resource is empty")
			}
			d, err := p.parseIdPGroup(doc)
			if err == nil && d.hasMembers {
				err = errors.New("identity: PatchIdPGroup: Mutate returned members; members change through IdPGroupPatch.Members")
			}
			return d, err
		}
	}
	return p.changeIdPGroup(ctx, groupID, id, ifMatch, attrs, ch.Members, m)
}

// DeleteIdPGroup deletes the IdP group id of group groupID with all its
// memberships (DELETE /Groups/{id}), in one atomic store operation; its id
// is never used again. When a link names the group, its members' roles are
// recomputed without it (last-owner rule included). ifMatch, when not 0,
// must equal the group's Version. Events: EventIdPGroupDeleted,
// EventRoleChanged.
func (p *Provisioner) DeleteIdPGroup(ctx context.Context, groupID, id string, ifMatch int64) error {
	_, err := p.idpUpdate(ctx, func(ctx context.Context, tx store.Tx, o *op) (*IdPGroupResult, error) {
		g, ig, err := loadIdPGroup(ctx, tx, groupID, id, ifMatch)
		if err != nil {
			return nil, err
		}
		r, err := newRoles(ctx, tx, g)
		if err != nil {
			return nil, err
		}
		var ids []string
		if linked(r.links, ig) {
			if ids, err = memberIDs(ctx, tx, ig); err != nil {
				return nil, err
			}
		}
		if err := tx.DeleteIdPGroup(ctx, g.ID, ig.ID); err != nil {
			return nil, err
		}
		o.emit(Event{Type: EventIdPGroupDeleted, GroupID: g.ID, IdPGroupID: ig.ID})
		if err := r.updateIDs(ctx, tx, o, ids, identities{}); err != nil {
			return nil, err
		}
		return nil, r.finish(ctx, tx)
	})
	return err
}

// idpUpdate runs fn in one atomic store operation (config.update) and
// returns its result.
func (p *Provisioner) idpUpdate(ctx context.Context, fn func(ctx context.Context, tx store.Tx, o *op) (*IdPGroupResult, error)) (*IdPGroupResult, error) {
	var res *IdPGroupResult
	_, err := p.c.update(ctx, p.st, func(ctx context.Context, tx store.Tx, o *op) error {
		var err error
		res, err = fn(ctx, tx, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// change is an IdP group being changed in one operation.
type change struct {
	g       *store.Group
	ig      *store.IdPGroup // as it will be stored
	old     *store.IdPGroup // as it was read
	members MemberChanges
	// created says that ig was just inserted: adding its first members
	// does not store it again.
	created bool
}

// changeIdPGroup runs a PUT or PATCH: attrs (nil: none) gives the new
// attributes from the group read, members the member changes.
func (p *Provisioner) changeIdPGroup(ctx context.Context, groupID, id string, ifMatch int64,
	attrs func(ig *store.IdPGroup) (idpGroupDoc, error), members MemberChanges, m MemberView) (*IdPGroupResult, error) {
	return p.idpUpdate(ctx, func(ctx context.Context, tx store.Tx, o *op) (*IdPGroupResult, error) {
		g, ig, err := loadIdPGroup(ctx, tx, groupID, id, ifMatch)
		if err != nil {
			return nil, err
		}
		c := change{g: g, ig: ig, old: ig.Clone(), members: members}
		var fields []string
		if attrs != nil {
			d, err := attrs(ig)
			if err != nil {
				return nil, err
			}
			if d.displayName != ig.DisplayName {
				fields = append(fields, "displayName")
			}
			if d.externalID != ig.ExternalID {
				fields = append(fields, "externalId")
			}
			if !sameDocument(d.stored, ig.Document) {
				fields = append(fields, "document")
			}
			if err := checkIdPGroupKeys(ctx, tx, g.ID, ig.ID, d.displayName, d.externalID); err != nil {
				return nil, err
			}
			ig.DisplayName, ig.ExternalID, ig.Document = d.displayName, d.externalID, d.stored
		}
		res := &IdPGroupResult{Group: ig}
		if err := p.applyMembers(ctx, tx, o, &c, res); err != nil {
			return nil, err
		}
		if len(fields) > 0 {
			e := Event{Type: EventIdPGroupUpdated, GroupID: g.ID, IdPGroupID: ig.ID}
			if o.detail {
				e.Detail = map[string]string{"fields": strings.Join(fields, ","), "displayName": ig.DisplayName}
			}
			o.emit(e)
		}
		if len(fields) > 0 && ig.Version == c.old.Version {
			ig.Updated = o.now
			if err := tx.PutIdPGroup(ctx, ig); err != nil {
				return nil, err
			}
		}
		return res, readMembersInto(ctx, tx, m, res)
	})
}

// applyMembers applies c's member changes, stores the group when they
// changed anything (bumping its Version and Updated) and recomputes the
// roles the changes touch. The group's own attributes are c.ig's, which
// the caller may have changed from c.old's.
func (p *Provisioner) applyMembers(ctx context.Context, tx store.Tx, o *op, c *change, res *IdPGroupResult) error {
	g, ig := c.g, c.ig
	var add, remove []string
	if c.members.replace {
		cur, err := memberIDs(ctx, tx, ig)
		if err != nil {
			return err
		}
		want := c.members.want
		have := make(map[string]bool, len(cur))
		for _, id := range cur {
			have[id] = true
			if !want.in[id] {
				remove = append(remove, id)
			}
		}
		for _, id := range want.list() {
			if !have[id] {
				add = append(add, id)
			}
		}
	} else {
		add, remove = c.members.add.list(), c.members.remove.list()
	}
	known, err := checkMembers(ctx, tx, g, add)
	if err != nil {
		return err
	}
	if len(add) > 0 {
		if res.Added, err = tx.AddIdPGroupMembers(ctx, g.ID, ig.ID, add); err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		if res.Removed, err = tx.RemoveIdPGroupMembers(ctx, g.ID, ig.ID, remove); err != nil {
			return err
		}
	}
	renamed := store.Fold(ig.DisplayName) != store.Fold(c.old.DisplayName) || store.Fold(ig.ExternalID) != store.Fold(c.old.ExternalID)
	if !c.created && (len(res.Added) > 0 || len(res.Removed) > 0 || renamed) {
		ig.Updated = o.now
		if err := tx.PutIdPGroup(ctx, ig); err != nil {
			return err
		}
	}
	for _, list := range []struct {
		ids []string
		t   EventType
	}{{res.Added, EventIdPGroupMemberAdded}, {res.Removed, EventIdPGroupMemberRemoved}} {
		for _, id := range list.ids {
			s, err := known.get(ctx, tx, g.ID, id)
			if err != nil {
				return err
			}
			e := Event{Type: list.t, GroupID: g.ID, IdPGroupID: ig.ID, IdentityID: id}
			if s != nil {
				e.UserID, e.ExternUID = s.UserID, s.ExternUID
			}
			o.emit(e)
		}
	}
	r, err := newRoles(ctx, tx, g)
	if err != nil {
		return err
	}
	changed := append(append([]string(nil), res.Added...), res.Removed...)
	was, is := linked(r.links, c.old), linked(r.links, ig)
	switch {
	case renamed && (was || is):
		// A link may name the group now, or no more, or another link
		// may: every member's role may change, and those of the members
		// it lost.
		var ids []string
		if ids, err = memberIDs(ctx, tx, ig); err == nil {
			err = r.updateIDs(ctx, tx, o, append(ids, res.Removed...), known)
		}
	case is:
		err = r.updateIDs(ctx, tx, o, changed, known)
	}
	if err != nil {
		return err
	}
	return r.finish(ctx, tx)
}

// identities caches SCIM identities read in one operation, by id.
type identities map[string]*store.SCIMIdentity

// get returns the SCIM identity id of group groupID, or nil when there is
// none.
func (c identities) get(ctx context.Context, tx store.Tx, groupID, id string) (*store.SCIMIdentity, error) {
	if s, ok := c[id]; ok {
		return s, nil
	}
	s, _, err := optional(tx.SCIMIdentity(ctx, groupID, id))
	if err != nil {
		return nil, err
	}
	c[id] = s
	return s, nil
}

// checkMembers checks that every id names a SCIM identity of group g that
// a DELETE did not remove (KindInvalid naming the first that does not),
// and returns them.
func checkMembers(ctx context.Context, tx store.Tx, g *store.Group, ids []string) (identities, error) {
	known := make(identities, len(ids))
	for _, id := range ids {
		s, err := known.get(ctx, tx, g.ID, id)
		if err != nil {
			return nil, err
		}
		if s == nil || s.Deleted {
			return nil, invalidf("members", "no User with id %q", id)
		}
	}
	return known, nil
}

// loadIdPGroup reads group groupID and its IdP group id, checking ifMatch
// (0: no check) against the IdP group's Version.
func loadIdPGroup(ctx context.Context, tx store.Tx, groupID, id string, ifMatch int64) (*store.Group, *store.IdPGroup, error) {
	g, err := loadGroup(ctx, tx, groupID)
	if err != nil {
		return nil, nil, err
	}
	ig, err := findIdPGroup(ctx, tx, g.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch != 0 && ig.Version != ifMatch {
		return nil, nil, &Error{Kind: KindVersionMismatch, Detail: "resource version does not match If-Match"}
	}
	return g, ig, nil
}

// findIdPGroup reads the IdP group id of group groupID, or answers
// KindNotFound "Resource <id> not found".
func findIdPGroup(ctx context.Context, tx store.Tx, groupID, id string) (*store.IdPGroup, error) {
	missing := notFound("Resource " + id + " not found")
	if strings.TrimSpace(id) == "" || checkText("id", id, maxExternUIDLen) != nil {
		return nil, missing
	}
	ig, ok, err := optional(tx.IdPGroup(ctx, groupID, id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, missing
	}
	return ig, nil
}

// checkIdPGroupKeys refuses a displayName or externalId that an IdP group
// of group groupID other than exceptID holds.
func checkIdPGroupKeys(ctx context.Context, tx store.Tx, groupID, exceptID, displayName, externalID string) error {
	other, taken, err := optional(tx.IdPGroupByDisplayName(ctx, groupID, displayName))
	if err != nil {
		return err
	}
	if taken && other.ID != exceptID {
		return conflict("displayName", msgDisplayNameTaken)
	}
	if externalID == "" {
		return nil
	}
	other, taken, err = optional(tx.IdPGroupByExternalID(ctx, groupID, externalID))
	if err != nil {
		return err
	}
	if taken && other.ID != exceptID {
		return conflict("externalId", msgExternalIDTaken)
	}
	return nil
}

// readMembersInto fills res.Members when m asks for them.
func readMembersInto(ctx context.Context, tx store.Tx, m MemberView, res *IdPGroupResult) error {
	if m != IncludeMembers {
		return nil
	}
	res.Members = []store.IdPGroupMember{}
	for mem, err := range tx.IdPGroupMembers(ctx, res.Group.GroupID, res.Group.ID) {
		if err != nil {
			return err
		}
		res.Members = append(res.Members, mem)
	}
	return nil
}

// idpGroupDoc is what a SCIM Group document asks for.
type idpGroupDoc struct {
	displayName string
	externalID  string
	hasExternal bool
	members     []string
	hasMembers  bool
	// stored is the document without the attributes the IdP group's
	// fields and member rows supply.
	stored map[string]any
}

// parseIdPGroup reads a Group document (attribute names matched
// case-insensitively) and removes from it what the stored document leaves
// out: "id", "externalId", "displayName", "members", "meta" and
// "password". The rest is checked against the Group schema's types
// (checkTypes): a number a JSON client cannot read back (1e400) is
// KindInvalid naming the attribute, as on a User.
func (p *Provisioner) parseIdPGroup(doc map[string]any) (idpGroupDoc, error) {
	var d idpGroupDoc
	if doc == nil {
		return d, invalidf("", "the resource is empty")
	}
	var err error
	if d.displayName, err = stringAttr(doc, "displayName", maxNameLen, true); err != nil {
		return d, err
	}
	if _, d.hasExternal = lookup(doc, "externalId"); d.hasExternal {
		if d.externalID, err = stringAttr(doc, "externalId", maxExternUIDLen, false); err != nil {
			return d, err
		}
	}
	var v any
	if v, d.hasMembers = lookup(doc, "members"); d.hasMembers {
		if d.members, err = ParseMembers(v); err != nil {
			return d, err
		}
	}
	for k := range doc {
		if scimjson.NameIs(k, "id", "externalId", "displayName", "members", "meta", "password") {
			delete(doc, k)
		}
	}
	if err := checkTypes(p.c.group, doc); err != nil {
		return d, err
	}
	d.stored = doc
	return d, nil
}

// ParseMembers reads the ids of a SCIM Group's "members" value, as decoded
// by encoding/json: an array of objects whose "value" is the id of a User,
// and whose "type", when present, is "User" (nested groups are not
// supported). "$ref" and "display" are the server's and ignored. A value
// of another shape is a KindInvalid error on the field "members". The scim
// handler reads the members of a PATCH operation with it, as
// Provisioner.CreateIdPGroup and Provisioner.ReplaceIdPGroup read those of
// a document, to build MemberChanges.
func ParseMembers(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, invalidf("members", "must be an array")
	}
	ids := make([]string, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, invalidf("members", "each member must be an object with a value")
		}
		id, err := stringAttr(m, "value", maxExternUIDLen, true)
		if err != nil {
			return nil, withField(err, "members")
		}
		if t, ok := lookup(m, "type"); ok {
			if s, _ := t.(string); !strings.EqualFold(s, "User") {
				return nil, invalidf("members", "only Users can be members (type %v)", t)
			}
		}
		ids = append(ids, id)
	}
	return ids, nil
}
