package identity

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// Modify applies a change to the SCIM identity id of group groupID
// (PATCH). mutate receives the identity's current resource
// ([store.SCIMIdentity.Resource]; in the GitLab profile "id" is the
// extern_uid) as a map of its own: mutate may change it and anything in
// it, and return it. Modify takes ownership of the document mutate
// returns: it keeps it as the identity's document, removing the keys the
// identity's own fields supply, so mutate must return a map nothing else
// uses. The scim handler runs patch.Apply there. An error from mutate is
// returned wrapped and nothing is written.
//
// mutate runs outside the store's transaction, on the identity as read, so
// that a heavy PATCH holds no lock another write waits for: the result is
// written in one atomic store operation only if the identity is still at
// the version mutate saw, so the PATCH is still evaluated against the state
// it changes. When another write came first, Modify reads the identity
// again and calls mutate again, a few times at most (then the error
// matches store.ErrUnavailable: retry later); mutate must therefore have
// no side effects beyond its result.
//
// ifMatch, when not 0, must equal the identity's Version (If-Match), else
// KindVersionMismatch; the write checks the version in its atomic
// operation, so of two writes carrying the same version one fails.
//
// The result is checked against the User schema's types
// ([schema.ResourceType.Check]; KindInvalid naming the attribute). A result
// without the externalId the resource had is KindMutability: the
// extern_uid is the link to the person's SAML identity, which a PATCH may
// change but not remove.
//
// The old and new documents are compared:
//   - active true→false deprovisions (see [Provisioner.Deprovision]; last
//     owner refused); false→true reprovisions (refused, KindRefused, under
//     enforced SSO for a non-member without a SAML identity in the group).
//     Without an active change an inactive identity stays inactive.
//     "active" may be a boolean or the strings "true"/"false" in any case
//     (Entra ID sends "False").
//   - a changed externalId (in the GitLab profile also "id") changes the
//     extern_uid; one held by another identity of the group is a KindConflict
//     "Extern UID has already been taken". An absent externalId keeps it.
//   - a changed userName, name or work/primary email is applied to the
//     account when the group provisioned it (conflicts: "Username has
//     already been taken", "Email has already been taken"); for a linked
//     pre-existing account it is acknowledged (kept in the document) but the
//     account is not changed.
//
// The new document must still carry a userName and a work or primary email
// (KindInvalid otherwise). It is stored without "id", "meta" and "password".
// A change that leaves the stored document, the extern_uid and the state as
// they were writes nothing and keeps the Version.
func (p *Provisioner) Modify(ctx context.Context, groupID, id string, ifMatch int64, mutate func(cur map[string]any) (map[string]any, error)) (*Result, error) {
	if mutate == nil {
		return nil, fmt.Errorf("identity: Modify: nil mutate function")
	}
	return p.modifyOptimistic(ctx, groupID, id, ifMatch, mutate, true)
}

// withIdentity runs fn in one atomic store operation on the SCIM identity
// id of group groupID (see findIdentity), after checking ifMatch (0: no
// check) against its Version.
func (p *Provisioner) withIdentity(ctx context.Context, groupID, id string, ifMatch int64,
	fn func(ctx context.Context, tx store.Tx, o *op, g *store.Group, s *store.SCIMIdentity) (*Result, error)) (*Result, error) {
	return p.c.update(ctx, p.st, func(ctx context.Context, tx store.Tx, o *op) error {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		s, err := findIdentity(ctx, tx, o.prof, g.ID, id)
		if err != nil {
			return err
		}
		if ifMatch != 0 && s.Version != ifMatch {
			return versionMismatch()
		}
		o.res, err = fn(ctx, tx, o, g, s)
		return err
	})
}

// Replace applies a PUT: doc replaces the identity's document, with the
// rules of [Provisioner.Modify], ifMatch included. An absent "active" or
// "externalId" keeps the current value. Replace takes ownership of doc: the
// identity may keep doc's values, so the caller must not use doc after the
// call.
func (p *Provisioner) Replace(ctx context.Context, groupID, id string, ifMatch int64, doc map[string]any) (*Result, error) {
	if doc == nil {
		return nil, invalidf("", "the resource is empty")
	}
	// Each working out of the change gets its own top level: the keys the
	// identity's fields supply are removed from what it stores, and one
	// started again must still read them.
	return p.modifyOptimistic(ctx, groupID, id, ifMatch, func(map[string]any) (map[string]any, error) { return maps.Clone(doc), nil }, false)
}

// applyDocument applies c, the change a document asks of s (prepare), in
// tx. It returns the changes and s's account as read and written in tx,
// for the Result. c.next.active is activeTrue for a POST naming an inactive
// or deleted identity, which is reprovisioned whatever its document says.
func (p *Provisioner) applyDocument(ctx context.Context, tx store.Tx, o *op, g *store.Group, s *store.SCIMIdentity, c *docChange) (Change, *store.User, error) {
	next, old, stored, same := c.next, c.old, c.stored, c.same
	u, err := tx.User(ctx, s.UserID)
	if err != nil {
		return 0, nil, err
	}
	var ch Change
	var events []Event
	base := Event{GroupID: g.ID, UserID: u.ID, IdentityID: s.ID}

	if !o.prof.DedupeHeldUserName && !strings.EqualFold(next.attrs.UserName, old.UserName) {
		if err := checkUserNameFree(ctx, tx, o, g.ID, next.attrs.UserName, s.ID); err != nil {
			return 0, nil, err
		}
	}

	if next.externUID != s.ExternUID {
		other, taken, err := optional(tx.SCIMIdentityByExternUID(ctx, g.ID, next.externUID))
		if err != nil {
			return 0, nil, err
		}
		if taken && other.ID != s.ID {
			return 0, nil, conflict("externalId", msgExternUIDTaken)
		}
		e := base
		e.Type, e.ExternUID, e.Detail = EventExternUIDChanged, next.externUID, map[string]string{"from": s.ExternUID, "to": next.externUID}
		events = append(events, e)
		s.ExternUID = next.externUID
		ch |= ExternUIDChanged
	}

	if u.ProvisionedByGroup == g.ID {
		fields, err := p.updateAccount(ctx, tx, u, old, next.attrs)
		if err != nil {
			return 0, nil, err
		}
		if len(fields) > 0 {
			if err := tx.PutUser(ctx, u); err != nil {
				return 0, nil, err
			}
			e := base
			e.Type, e.ExternUID, e.Detail = EventUpdated, s.ExternUID, map[string]string{"fields": strings.Join(fields, ",")}
			events = append(events, e)
			ch |= AccountUpdated
		}
	}

	switch {
	case s.Active && !s.Deleted && next.active == activeFalse:
		if err := deprovision(ctx, tx, g, s, u); err != nil {
			return 0, nil, err
		}
		e := base
		e.Type, e.ExternUID = EventDeprovisioned, s.ExternUID
		events = append(events, e)
		ch |= Deprovisioned
	case (!s.Active || s.Deleted) && next.active == activeTrue:
		if _, err := ensureMember(ctx, tx, g, u.ID, true); err != nil {
			return 0, nil, err
		}
		s.Active, s.Deleted = true, false
		e := base
		e.Type, e.ExternUID = EventReprovisioned, s.ExternUID
		events = append(events, e)
		ch |= Reprovisioned
	}

	if !same {
		s.Document = stored
		ch |= DocumentUpdated
	}
	if ch != 0 {
		s.Updated = o.now
		if err := tx.PutSCIMIdentity(ctx, s); err != nil {
			return 0, nil, err
		}
	}
	for _, e := range events {
		o.emit(e)
	}
	return ch, u, nil
}

// updateAccount applies the attribute changes between old and next (both
// derived from documents) to u, an account the group provisioned, and
// returns the names of the changed fields. A new userName gives the
// account the sanitised name, de-duplicated as at creation when another
// account holds it (docs/gitlab.md §4.4).
func (p *Provisioner) updateAccount(ctx context.Context, tx store.Tx, u *store.User, old, next Attributes) ([]string, error) {
	var fields []string
	if next.UserName != old.UserName {
		name, err := p.freeUsername(ctx, tx, next.UserName, u.ID)
		if err != nil {
			return nil, err
		}
		if name != u.Username {
			u.Username = name
			fields = append(fields, "username")
		}
	}
	if next.Email != old.Email && next.Email != u.Email {
		holder, taken, err := optional(tx.UserByEmail(ctx, next.Email))
		if err != nil {
			return nil, err
		}
		if taken && holder.ID != u.ID {
			return nil, conflict("emails", msgEmailTaken)
		}
		// The IdP's word does not verify an address: the new primary
		// email is confirmed only if the user had verified it before.
		u.Confirmed = u.HasVerifiedEmail(next.Email)
		u.Email = next.Email
		fields = append(fields, "email")
	}
	if next.Name != old.Name && next.Name != u.Name {
		u.Name = next.Name
		fields = append(fields, "name")
	}
	return fields, nil
}

// tri is an optional boolean.
type tri uint8

const (
	activeAbsent tri = iota
	activeFalse
	activeTrue
)

// next is what a new document asks for.
type next struct {
	attrs     Attributes
	externUID string
	active    tri
}

// parseAttrs validates the attributes of a modified document (userName,
// the work or primary email, the name) and reads them.
func parseAttrs(doc map[string]any) (Attributes, error) {
	var a Attributes
	var err error
	if a.UserName, err = stringAttr(doc, "userName", maxUserNameLen, true); err != nil {
		return a, err
	}
	err = a.readEmailAndName(doc)
	return a, err
}

// parseControl validates and reads what a modified document asks for
// besides its attributes: active (true for a POST) and the extern_uid.
func parseControl(doc map[string]any, s *store.SCIMIdentity, prof Profile, post bool) (next, error) {
	n := next{externUID: s.ExternUID}
	if post {
		n.active = activeTrue
		return n, nil
	}
	var err error
	if n.active, err = activeAttr(doc); err != nil {
		return n, err
	}
	for _, key := range []string{"externalId", "id"} {
		if key == "id" && !prof.IDIsExternUID {
			break
		}
		v, ok := lookup(doc, key)
		if !ok || v == s.ExternUID {
			continue
		}
		if n.externUID, err = stringAttr(doc, key, maxExternUIDLen, true); err != nil {
			return n, withField(err, "externalId")
		}
		break
	}
	return n, nil
}

// activeAttr reads "active": a boolean, or "true"/"false" in any case.
func activeAttr(doc map[string]any) (tri, error) {
	v, ok := lookup(doc, "active")
	if !ok {
		return activeAbsent, nil
	}
	switch v := v.(type) {
	case bool:
		if v {
			return activeTrue, nil
		}
		return activeFalse, nil
	case string:
		switch {
		case strings.EqualFold(v, "true"):
			return activeTrue, nil
		case strings.EqualFold(v, "false"):
			return activeFalse, nil
		}
	}
	return activeAbsent, invalidf("active", "must be a boolean")
}

// attrsOf derives the attributes of a stored document, leaving out what it
// cannot read (stored documents were validated when written).
func attrsOf(doc map[string]any) Attributes {
	var a Attributes
	a.UserName, _ = stringAttr(doc, "userName", maxUserNameLen, false)
	a.Email, _ = workEmail(doc)
	a.Name, _ = fullName(doc)
	if a.Name == "" {
		a.Name = a.UserName
	}
	return a
}
