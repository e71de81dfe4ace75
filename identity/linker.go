package identity

import (
	"context"
	"errors"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// Linker applies GitLab's SAML sign-in linking rules (docs/gitlab.md
// §9): the SAML NameID is the extern_uid of the group's SAML identity and
// equals the SCIM externalId of the same person. It is safe for concurrent
// use. The host verifies the SAML response (package identity/sso does);
// Linker decides what a verified assertion means for the accounts and
// memberships. An account that is not active (blocked, or pending an
// administrator's approval) is refused, with nothing written.
type Linker struct {
	st store.Store
	c  *config
}

// NewLinker returns a Linker over st; it takes the same options as [New]
// (clock, event sink, logger).
func NewLinker(st store.Store, opts ...Option) (*Linker, error) {
	if st == nil {
		return nil, errors.New("identity: NewLinker: nil store")
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Linker{st: st, c: c}, nil
}

// Assertion is what a verified SAML response asserts.
type Assertion struct {
	// NameID is the subject's NameID. Required.
	NameID string
	// Email is the asserted email address, or empty.
	Email string
}

// SignInResult is the outcome of a sign-in or link: fresh copies.
type SignInResult struct {
	// User is the account signed in.
	User *store.User
	// SAML is the user's SAML identity in the group.
	SAML *store.SAMLIdentity
	// Changes is a combination of SAMLLinked, NameIDChanged and
	// MemberAdded, or 0.
	Changes Change
}

// Lookup returns the account whose SAML identity in group groupID has this
// NameID, case-insensitively, or a KindNotFound error.
func (l *Linker) Lookup(ctx context.Context, groupID, nameID string) (*store.User, error) {
	if err := checkNameID(nameID); err != nil {
		return nil, err
	}
	var u *store.User
	err := l.c.view(ctx, l.st, func(ctx context.Context, tx store.Tx) error {
		s, ok, err := optional(tx.SAMLIdentityByExternUID(ctx, groupID, nameID))
		if err != nil {
			return err
		}
		if !ok {
			return notFound("no account is linked to this SAML NameID")
		}
		u, err = tx.User(ctx, s.UserID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SignIn applies a SAML sign-in to group groupID, in one atomic store
// operation:
//
//   - The NameID names a SAML identity: its account signs in.
//   - Otherwise, when the asserted email belongs to an account that has a
//     SAML identity in the group under another NameID, the NameID changed at
//     the IdP: it is updated only if the email is one of the account's
//     verified emails (NameIDChanged, EventNameIDChanged); otherwise
//     KindRefused "SAML Name ID and email address do not match your user
//     account", nothing written.
//   - Otherwise KindNotFound: the person must sign in to the host and link
//     explicitly ([Linker.Link]).
//
// A signed-in account that is not a member of the group is added at the
// role its SCIM identity's linked IdP groups give, else the default role
// (MemberAdded, EventMemberAdded), unless its SCIM identity in
// the group is inactive: a deprovisioned user does not regain access by
// signing in (KindRefused).
func (l *Linker) SignIn(ctx context.Context, groupID string, a Assertion) (*SignInResult, error) {
	if err := checkNameID(a.NameID); err != nil {
		return nil, err
	}
	if a.Email != "" {
		if err := checkText("email", a.Email, maxEmailLen); err != nil {
			return nil, err
		}
	}
	return l.inGroup(ctx, groupID, func(ctx context.Context, tx store.Tx, o *op, g *store.Group, res *SignInResult) error {
		s, ok, err := optional(tx.SAMLIdentityByExternUID(ctx, g.ID, a.NameID))
		if err != nil {
			return err
		}
		if !ok {
			if s, err = l.changeNameID(ctx, tx, o, g, a); err != nil {
				return err
			}
			res.Changes |= NameIDChanged
		}
		return l.finish(ctx, tx, o, g, s, res)
	})
}

// inGroup runs fn in one atomic store operation on group groupID, with a
// fresh result for each run.
func (l *Linker) inGroup(ctx context.Context, groupID string,
	fn func(ctx context.Context, tx store.Tx, o *op, g *store.Group, res *SignInResult) error) (*SignInResult, error) {
	var res *SignInResult
	_, err := l.c.update(ctx, l.st, func(ctx context.Context, tx store.Tx, o *op) error {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		res = &SignInResult{}
		return fn(ctx, tx, o, g, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// changeNameID finds the SAML identity of the account owning the asserted
// email and moves it to the asserted NameID if the email is verified.
func (l *Linker) changeNameID(ctx context.Context, tx store.Tx, o *op, g *store.Group, a Assertion) (*store.SAMLIdentity, error) {
	notLinked := notFound("no account is linked to this SAML NameID")
	if a.Email == "" {
		return nil, notLinked
	}
	u, ok, err := optional(tx.UserByEmail(ctx, a.Email))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notLinked
	}
	s, ok, err := optional(tx.SAMLIdentityByUser(ctx, g.ID, u.ID))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notLinked
	}
	if !u.HasVerifiedEmail(a.Email) {
		return nil, refused(msgNameIDMismatch + ". Contact an administrator.")
	}
	from := s.ExternUID
	s.ExternUID = a.NameID
	if err := tx.PutSAMLIdentity(ctx, s); err != nil {
		return nil, err
	}
	o.emit(Event{Type: EventNameIDChanged, GroupID: g.ID, UserID: u.ID, ExternUID: a.NameID,
		Detail: map[string]string{"from": from, "to": a.NameID}})
	return s, nil
}

// Link links the SAML NameID to account userID, who is signed in to the host
// and confirmed the link (GitLab's "Authorize" step), in one atomic store
// operation. A NameID linked to another account is a KindConflict "Extern
// UID has already been taken"; an account already linked under another
// NameID is a KindConflict "User has already been taken" (both, joined, when
// both hold). Linking again under the same NameID changes nothing, and a
// NameID differing only in letter case replaces the stored spelling. The
// account is added to the group as in [Linker.SignIn]. Event:
// EventSignInLinked.
func (l *Linker) Link(ctx context.Context, groupID, userID, nameID string) (*SignInResult, error) {
	if err := checkNameID(nameID); err != nil {
		return nil, err
	}
	return l.inGroup(ctx, groupID, func(ctx context.Context, tx store.Tx, o *op, g *store.Group, res *SignInResult) error {
		u, ok, err := optional(tx.User(ctx, userID))
		if err != nil {
			return err
		}
		if !ok {
			return notFound("user not found")
		}
		byName, nameTaken, err := optional(tx.SAMLIdentityByExternUID(ctx, g.ID, nameID))
		if err != nil {
			return err
		}
		mine, linked, err := optional(tx.SAMLIdentityByUser(ctx, g.ID, u.ID))
		if err != nil {
			return err
		}
		var msgs []string
		if nameTaken && byName.UserID != u.ID {
			msgs = append(msgs, msgExternUIDTaken)
		}
		if linked && !strings.EqualFold(mine.ExternUID, nameID) {
			msgs = append(msgs, msgUserTaken)
		}
		if len(msgs) > 0 {
			return conflict("", strings.Join(msgs, " and "))
		}
		switch {
		case !linked:
			mine = &store.SAMLIdentity{GroupID: g.ID, UserID: u.ID, ExternUID: nameID}
			if err := tx.PutSAMLIdentity(ctx, mine); err != nil {
				return err
			}
			o.emit(Event{Type: EventSignInLinked, GroupID: g.ID, UserID: u.ID, ExternUID: nameID})
			res.Changes |= SAMLLinked
		case mine.ExternUID != nameID:
			mine.ExternUID = nameID
			if err := tx.PutSAMLIdentity(ctx, mine); err != nil {
				return err
			}
			o.emit(Event{Type: EventSignInLinked, GroupID: g.ID, UserID: u.ID, ExternUID: nameID})
			res.Changes |= SAMLLinked
		}
		return l.finish(ctx, tx, o, g, mine, res)
	})
}

// finish loads the account of s, adds it to the group if needed and fills
// res.
func (l *Linker) finish(ctx context.Context, tx store.Tx, o *op, g *store.Group, s *store.SAMLIdentity, res *SignInResult) error {
	u, err := tx.User(ctx, s.UserID)
	if err != nil {
		return err
	}
	switch u.State {
	case store.UserActive, "":
	case store.UserPendingApproval:
		return refused(msgPendingApproval)
	default:
		return refused(msgBlocked)
	}
	if _, member, err := optional(tx.Membership(ctx, g.ID, u.ID)); err != nil {
		return err
	} else if !member {
		scim, has, err := optional(tx.SCIMIdentityByUser(ctx, g.ID, u.ID))
		if err != nil {
			return err
		}
		if has && !scim.Active {
			return refused("User has an inactive SCIM identity in this group")
		}
		if _, err := ensureMember(ctx, tx, g, u.ID, false); err != nil {
			return err
		}
		o.emit(Event{Type: EventMemberAdded, GroupID: g.ID, UserID: u.ID, ExternUID: s.ExternUID})
		res.Changes |= MemberAdded
	}
	res.User, res.SAML = u, s
	return nil
}

func checkNameID(nameID string) error {
	if strings.TrimSpace(nameID) == "" {
		return invalidf("nameID", "can't be blank")
	}
	return checkText("nameID", nameID, maxExternUIDLen)
}
