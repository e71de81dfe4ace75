package identity

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// maxUsernameAttempts bounds the search for a free username: the base, four
// counters, then random suffixes.
const maxUsernameAttempts = usernameTries + 8

// Provision applies a SCIM create (POST /Users) of doc, the User resource as
// decoded by encoding/json, in group groupID (docs/gitlab.md §4), in
// one atomic store operation. Provision takes ownership of doc: it may keep
// doc as the identity's document and change it (removing "id",
// "externalId", "active", "meta" and "password", which the identity's own
// fields supply or which are never stored), so the caller must not use doc
// after the call, whatever its outcome. The steps:
//
//  1. An identity with doc's extern_uid (case-insensitive) that is active,
//     visible and whose user is a member: a repeat. With the profile's
//     ReturnExistingOnRepeat the existing identity is returned unchanged
//     (Changes == 0); otherwise a KindConflict "Extern UID has already been
//     taken". If the user is no longer a member it is added again (Linked).
//  2. Such an identity that is inactive is reprovisioned: active,
//     membership restored (at the role its linked IdP groups give, else the
//     default role), doc stored (Reprovisioned). One that a DELETE removed
//     in the RFC profile (Deleted) is replaced: it goes, and an identity
//     with a new id takes its account over, reprovisioned the same way, so
//     that the deleted resource's id stays unknown (RFC 7644 §3.6).
//  3. An account owning doc's email (primary or secondary, case-insensitive)
//     is linked: a new SCIM identity and, if it is not a member, a
//     membership at the default role (Linked). (In the RFC profile an
//     identity of that account that a DELETE removed goes first, so the
//     account is linked with a new identity under the new extern_uid.) The
//     account is not marked provisioned
//     and gets no SAML identity. If it already has a SCIM identity in the
//     group: KindConflict "User has already been taken". Under enforced SSO
//     an account that is not a member and has no SAML identity in the group
//     is refused (KindRefused), nothing written.
//  4. Otherwise a new account is created (Created): username sanitised and
//     de-duplicated (name, name1 ... name4, then a random suffix), marked provisioned by the group, unconfirmed, with a
//     SCIM identity, a SAML identity of the same extern_uid and a membership
//     at the default role.
//
// In the RFC profile (DedupeHeldUserName unset) a userName that another
// visible identity of the group holds in its document, compared
// case-insensitively (RFC 7643 §4.1: userName is unique), is a KindConflict
// "Username has already been taken" before steps 3 and 4. The account's
// username is another matter: in both profiles it is made unique as GitLab
// does, so john.doe@a-corp.com and john.doe@b-corp.com become the accounts
// john.doe and john.doe1.
//
// In a profile with ExternUIDFromUserName (RFC), a POST without externalId
// keeps its userName as the extern_uid, but its resource shows no
// externalId until a PUT or PATCH sets one (RFC 7643 §3.1: the client's,
// never the service provider's to make up).
//
// Invalid input ([ParseUser], and any value that does not fit its type
// in the User schema, [schema.ResourceType.Check]) is a KindInvalid error
// naming the attribute, and nothing is written.
// Events: EventProvisioned, EventLinked or EventReprovisioned.
func (p *Provisioner) Provision(ctx context.Context, groupID string, doc map[string]any) (*Result, error) {
	a, err := ParseUser(doc, p.c.prof)
	if err != nil {
		return nil, err
	}
	if err := checkTypes(p.c.user, doc); err != nil {
		return nil, err
	}
	return p.c.update(ctx, p.st, func(ctx context.Context, tx store.Tx, o *op) error {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		o.res, err = p.provision(ctx, tx, o, g, a, doc)
		return err
	})
}

func (p *Provisioner) provision(ctx context.Context, tx store.Tx, o *op, g *store.Group, a Attributes, doc map[string]any) (*Result, error) {
	s, found, err := optional(tx.SCIMIdentityByExternUID(ctx, g.ID, a.ExternUID))
	if err != nil {
		return nil, err
	}
	if found {
		return p.provisionExisting(ctx, tx, o, g, s, doc)
	}
	if !o.prof.DedupeHeldUserName {
		if err := checkUserNameFree(ctx, tx, o, g.ID, a.UserName, ""); err != nil {
			return nil, err
		}
	}
	u, found, err := optional(tx.UserByEmail(ctx, a.Email))
	if err != nil {
		return nil, err
	}
	if found {
		return p.link(ctx, tx, o, g, u, a, doc)
	}
	return p.create(ctx, tx, o, g, a, doc)
}

// provisionExisting handles a POST whose extern_uid names an identity.
func (p *Provisioner) provisionExisting(ctx context.Context, tx store.Tx, o *op, g *store.Group, s *store.SCIMIdentity, doc map[string]any) (*Result, error) {
	if s.Deleted && o.prof.HideDeleted {
		return p.replaceDeleted(ctx, tx, o, g, s, doc)
	}
	if !s.Active || s.Deleted {
		c, err := p.prepare(doc, s, true)
		if err != nil {
			return nil, err
		}
		ch, u, err := p.applyDocument(ctx, tx, o, g, s, c)
		if err != nil {
			return nil, err
		}
		return result(ctx, tx, s, u, ch)
	}
	added, err := ensureMember(ctx, tx, g, s.UserID, true)
	if err != nil {
		return nil, err
	}
	if added {
		o.emit(Event{Type: EventLinked, GroupID: g.ID, UserID: s.UserID, IdentityID: s.ID, ExternUID: s.ExternUID})
		return result(ctx, tx, s, nil, Linked)
	}
	if !o.prof.ReturnExistingOnRepeat {
		return nil, conflict("externalId", msgExternUIDTaken)
	}
	return result(ctx, tx, s, nil, 0)
}

// link gives an existing account a SCIM identity in the group.
func (p *Provisioner) link(ctx context.Context, tx store.Tx, o *op, g *store.Group, u *store.User, a Attributes, doc map[string]any) (*Result, error) {
	prev, has, err := optional(tx.SCIMIdentityByUser(ctx, g.ID, u.ID))
	if err != nil {
		return nil, err
	}
	if has && prev.Deleted && o.prof.HideDeleted {
		// The person's identity was deleted and comes back under another
		// extern_uid: the deleted one goes, and the account is linked
		// with a new one.
		if err := tx.DeleteSCIMIdentity(ctx, g.ID, prev.ID); err != nil {
			return nil, err
		}
		has = false
	}
	if has {
		return nil, conflict("emails", msgUserTaken)
	}
	if _, err := ensureMember(ctx, tx, g, u.ID, true); err != nil {
		return nil, err
	}
	s, err := p.putIdentity(ctx, tx, o, g, u, a, doc)
	if err != nil {
		return nil, err
	}
	o.emit(Event{Type: EventLinked, GroupID: g.ID, UserID: u.ID, IdentityID: s.ID, ExternUID: s.ExternUID})
	return result(ctx, tx, s, u, Linked)
}

// create makes a new account with its identities and membership.
func (p *Provisioner) create(ctx context.Context, tx store.Tx, o *op, g *store.Group, a Attributes, doc map[string]any) (*Result, error) {
	username, err := p.freeUsername(ctx, tx, a.UserName, "")
	if err != nil {
		return nil, err
	}
	if _, taken, err := optional(tx.SAMLIdentityByExternUID(ctx, g.ID, a.ExternUID)); err != nil {
		return nil, err
	} else if taken {
		return nil, conflict("externalId", msgExternUIDTaken)
	}
	id, err := p.c.newID()
	if err != nil {
		return nil, fmt.Errorf("identity: new user id: %w", err)
	}
	// The account and the Result share one allocation: a POST makes both.
	c := &struct {
		res Result
		u   store.User
	}{u: store.User{
		ID:                 id,
		Username:           username,
		Name:               a.Name,
		Email:              a.Email,
		ProvisionedByGroup: g.ID,
		State:              store.UserActive,
	}}
	u := &c.u
	if err := tx.PutUser(ctx, u); err != nil {
		return nil, err
	}
	s, err := p.putIdentity(ctx, tx, o, g, u, a, doc)
	if err != nil {
		return nil, err
	}
	if err := tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: g.ID, UserID: u.ID, ExternUID: a.ExternUID}); err != nil {
		return nil, err
	}
	if err := tx.PutMembership(ctx, &store.Membership{GroupID: g.ID, UserID: u.ID, Role: g.MemberRole()}); err != nil {
		return nil, err
	}
	e := Event{Type: EventProvisioned, GroupID: g.ID, UserID: u.ID, IdentityID: s.ID, ExternUID: s.ExternUID}
	if o.detail {
		e.Detail = map[string]string{"username": u.Username, "email": u.Email}
	}
	o.emit(e)
	c.res = Result{Identity: s, User: u, Member: true, Changes: Created}
	return &c.res, nil
}

// putIdentity stores a new, active SCIM identity of u with doc.
func (p *Provisioner) putIdentity(ctx context.Context, tx store.Tx, o *op, g *store.Group, u *store.User, a Attributes, doc map[string]any) (*store.SCIMIdentity, error) {
	id, err := p.c.newID()
	if err != nil {
		return nil, fmt.Errorf("identity: new identity id: %w", err)
	}
	s := &store.SCIMIdentity{
		ID:        id,
		GroupID:   g.ID,
		UserID:    u.ID,
		ExternUID: a.ExternUID,
		Active:    true,
		Document:  storedDocument(doc, p.hidesExternalID(doc, true)),
		Created:   o.now,
		Updated:   o.now,
	}
	if err := tx.PutSCIMIdentity(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// freeUsername sanitises userName and finds a free, unreserved username for
// the account self ("" for a new one): name, name1 ... name4, then name plus
// a random suffix, the first that no other account holds (docs/gitlab.md
// §4.4), in both profiles: two SCIM userNames that sanitise alike
// (john.doe@a-corp.com and john.doe@b-corp.com) are different users.
func (p *Provisioner) freeUsername(ctx context.Context, tx store.Tx, userName, self string) (string, error) {
	base := SanitizeUsername(userName)
	var rndErr error
	rnd := func() string {
		var b [3]byte
		if _, err := io.ReadFull(p.c.rand, b[:]); err != nil {
			rndErr = err
		}
		return "_" + hex.EncodeToString(b[:])
	}
	for i := 0; i < maxUsernameAttempts; i++ {
		cand := usernameCandidate(base, i, rnd)
		if rndErr != nil {
			return "", fmt.Errorf("identity: username suffix: %w", rndErr)
		}
		if p.c.reserved[store.Fold(cand)] {
			continue
		}
		holder, taken, err := optional(tx.UserByUsername(ctx, cand))
		if err != nil {
			return "", err
		}
		if !taken || holder.ID == self {
			return cand, nil
		}
	}
	return "", fmt.Errorf("identity: no free username for %q after %d attempts", base, maxUsernameAttempts)
}

// checkUserNameFree refuses, with "Username has already been taken", a
// userName that the document of another visible identity of the group
// (other than exceptID) holds, case-insensitively: RFC 7643 §4.1 makes
// userName unique. The query goes through store.ListSCIMIdentities, which
// stores answer from an index.
func checkUserNameFree(ctx context.Context, tx store.Tx, o *op, groupID, userName, exceptID string) error {
	o.userNameEq = filter.Compare{Attr: filter.AttrPath{Name: "userName"}, Op: filter.Eq, Value: userName}
	q := store.Query{
		Filter:      &o.userNameEq,
		SkipDeleted: true,
		Count:       2,
	}
	held, _, err := store.ListSCIMIdentities(ctx, tx, groupID, q)
	if err != nil {
		return err
	}
	for _, s := range held {
		if s.ID != exceptID {
			return conflict("userName", msgUsernameTaken)
		}
	}
	return nil
}
