package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// maxConflictRetries bounds how often an operation is re-run after the store
// reported a unique-key conflict the rules did not foresee (a concurrent
// writer got there first, in a store that detects rather than prevents
// races). The re-run sees the other write and decides again.
const maxConflictRetries = 2

// Provisioner applies the provisioning rules to a store. It is safe for
// concurrent use.
type Provisioner struct {
	st store.Store
	c  *config
}

// New returns a Provisioner over st. Options set the clock, id generator,
// random source, event sink, logger and wire profile (default
// [RFCProfile]); an invalid option is an error here, never later.
func New(st store.Store, opts ...Option) (*Provisioner, error) {
	if st == nil {
		return nil, errors.New("identity: New: nil store")
	}
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Provisioner{st: st, c: c}, nil
}

// Profile returns the wire-profile rules in force.
func (p *Provisioner) Profile() Profile { return p.c.prof }

// Change is a set of things an operation did. The zero Change means nothing
// changed (a read, a repeated POST answered with the existing identity, a
// PATCH that changed nothing).
type Change uint16

// The changes an operation can report.
const (
	// Created: a new account was created (POST).
	Created Change = 1 << iota
	// Linked: an existing account got a SCIM identity, or an existing
	// identity's user was made a member again.
	Linked
	// Reprovisioned: an inactive identity became active, membership
	// restored.
	Reprovisioned
	// Deprovisioned: the identity became inactive, membership removed.
	Deprovisioned
	// Hidden: a DELETE hid the identity (RFC profile).
	Hidden
	// ExternUIDChanged: the identity's extern_uid changed.
	ExternUIDChanged
	// AccountUpdated: the account's username, name or email changed.
	AccountUpdated
	// DocumentUpdated: the stored SCIM document changed.
	DocumentUpdated
	// SAMLLinked: a SAML identity was linked ([Linker]).
	SAMLLinked
	// NameIDChanged: a SAML identity's NameID changed ([Linker]).
	NameIDChanged
	// MemberAdded: a SAML sign-in made the user a member ([Linker]).
	MemberAdded
)

// Has reports whether c includes every change in x.
func (c Change) Has(x Change) bool { return c&x == x }

// changeNames are the names of the Change bits, in bit order, separated by
// spaces (a constant, so no package state).
const changeNames = "created linked reprovisioned deprovisioned hidden " +
	"extern_uid_changed account_updated document_updated saml_linked name_id_changed member_added"

// String lists the changes, such as "created|document_updated", or "none".
func (c Change) String() string {
	var parts []string
	for i, n := range strings.Fields(changeNames) {
		if c&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// Result is what an operation returns about one SCIM identity: fresh copies
// the caller owns.
type Result struct {
	// Identity is the SCIM identity as stored after the operation; its
	// Resource method gives the document to render in the RFC profile.
	Identity *store.SCIMIdentity
	// User is the identity's account; the GitLab profile renders it
	// (username, name, primary email).
	User *store.User
	// Member reports whether the user is a member of the group.
	Member bool
	// Changes says what the operation did.
	Changes Change
}

// op is the state of one run of an operation's transaction function. The
// store may run the function more than once; each run starts a new op.
type op struct {
	now    time.Time
	events []Event
	prof   Profile
	// detail reports whether an EventSink reads the events' Detail (the
	// log does not), so that a hot path may leave it out otherwise.
	detail bool
	// keep reports whether the events are read at all: by an EventSink,
	// or by the log.
	keep bool
	// userNameEq is checkUserNameFree's filter, kept here so that it
	// costs no allocation of its own.
	userNameEq filter.Compare
	// ownsDoc reports whether the operation's document is the
	// Provisioner's own (ProvisionOwned, ModifyShared): storedDocument
	// then removes the server's keys from it in place instead of copying.
	ownsDoc bool
	// res is the operation's Result, set by a function run by
	// config.update and returned by it: a variable of the caller's that
	// the function set would cost an allocation of its own.
	res *Result
}

func (o *op) emit(e Event) {
	if !o.keep {
		return
	}
	e.Time = o.now
	o.events = append(o.events, e)
}

// update runs fn in one store.Update, retries it after an unforeseen
// unique-key conflict, maps store errors and emits the events of the run
// that committed. It returns the op's res as the committed run of fn left
// it.
func (c *config) update(ctx context.Context, st store.Store, fn func(ctx context.Context, tx store.Tx, o *op) error) (*Result, error) {
	_, discard := c.sink.(discardSink)
	logged := c.log.Enabled(ctx, slog.LevelInfo)
	var o op
	run := func(ctx context.Context, tx store.Tx) error {
		o = op{now: c.now(), prof: c.prof, detail: !discard, keep: !discard || logged}
		return fn(ctx, tx, &o)
	}
	for attempt := 0; ; attempt++ {
		err := st.Update(ctx, run)
		if err == nil {
			for _, e := range o.events {
				if logged {
					c.log.LogAttrs(ctx, slog.LevelInfo, "identity: "+string(e.Type),
						slog.String("group", e.GroupID), slog.String("user", e.UserID), slog.String("identity", e.IdentityID))
				}
				c.sink.Emit(ctx, e)
			}
			return o.res, nil
		}
		var ce *store.ConflictError
		if KindOf(err) == 0 && errors.As(err, &ce) && attempt < maxConflictRetries {
			c.log.LogAttrs(ctx, slog.LevelDebug, "identity: retrying after a store conflict", slog.String("key", ce.Key))
			continue
		}
		return nil, mapStoreErr(err)
	}
}

// view runs fn in one store.View and maps store errors.
func (c *config) view(ctx context.Context, st store.Store, fn func(ctx context.Context, tx store.Tx) error) error {
	return mapStoreErr(st.View(ctx, fn))
}

// mapStoreErr turns a unique-key conflict the rules did not catch first into
// a KindConflict *Error with GitLab's wording; other errors that are not
// *Error are internal and get the package prefix.
func mapStoreErr(err error) error {
	if err == nil || KindOf(err) != 0 {
		return err
	}
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		switch ce.Key {
		case store.KeyEmail:
			return &Error{Kind: KindConflict, Field: "emails", Detail: msgEmailTaken, Err: err}
		case store.KeyUsername:
			return &Error{Kind: KindConflict, Field: "userName", Detail: msgUsernameTaken, Err: err}
		case store.KeyExternUID:
			return &Error{Kind: KindConflict, Field: "externalId", Detail: msgExternUIDTaken, Err: err}
		case store.KeySCIMIdentityUser, store.KeySAMLIdentityUser:
			return &Error{Kind: KindConflict, Detail: msgUserTaken, Err: err}
		}
	}
	if strings.HasPrefix(err.Error(), "identity: ") {
		return err
	}
	return fmt.Errorf("identity: %w", err)
}

// optional turns ErrNotFound into ok == false.
func optional[T any](v T, err error) (T, bool, error) {
	if errors.Is(err, store.ErrNotFound) {
		var zero T
		return zero, false, nil
	}
	return v, err == nil, err
}

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

// defaultRole is the group's role for members added by provisioning; a
// group without one gives Guest, GitLab's default.
func defaultRole(g *store.Group) store.Role {
	if g.DefaultRole == store.RoleNone {
		return store.RoleGuest
	}
	return g.DefaultRole
}

// ensureMember adds u to g at the default role unless u is a member. With
// checkSSO and enforced SSO on the group, a user without a SAML identity in
// the group is refused (docs/gitlab.md §4.3 step 4, §9).
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
	if err := tx.PutMembership(ctx, &store.Membership{GroupID: g.ID, UserID: userID, Role: defaultRole(g)}); err != nil {
		return false, err
	}
	return true, nil
}

// result loads the account and membership of s into a Result. s and u are
// values the caller owns (read from tx, which returns fresh copies, or built
// and then stored, which stores a copy), so they are returned as they are.
func result(ctx context.Context, tx store.Tx, s *store.SCIMIdentity, u *store.User, ch Change) (*Result, error) {
	if u == nil {
		var err error
		if u, err = tx.User(ctx, s.UserID); err != nil {
			return nil, err
		}
	}
	_, member, err := optional(tx.Membership(ctx, s.GroupID, s.UserID))
	if err != nil {
		return nil, err
	}
	return &Result{Identity: s, User: u, Member: member, Changes: ch}, nil
}

// storedDocument is the document kept on the identity: doc without "id",
// "externalId", "active" and "meta", which the identity's own fields supply
// ([store.SCIMIdentity.Resource] puts them back), and without "password"
// (writeOnly, returned never: RFC 7643 §4.1.1; never stored). When the
// operation owns doc (o.ownsDoc) the keys are removed from doc itself;
// otherwise the copy is shallow: the store deep-copies what it keeps on
// Put, so only the Result handed back to the caller shares nested values
// with doc.
func storedDocument(o *op, doc map[string]any) map[string]any {
	if o.ownsDoc {
		for k := range doc {
			if serverKey(k) {
				delete(doc, k)
			}
		}
		return doc
	}
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if !serverKey(k) {
			out[k] = v
		}
	}
	return out
}

// serverKey reports whether k is one of the attributes storedDocument
// drops, case-insensitively, without allocating.
func serverKey(k string) bool {
	var want string
	switch len(k) {
	case 2:
		want = "id"
	case 4:
		want = "meta"
	case 6:
		want = "active"
	case 8:
		want = "password"
	case 10:
		want = "externalId"
	default:
		return false
	}
	return strings.EqualFold(k, want)
}

// findIdentity resolves the id of a request: a SCIM identity id, or in the
// GitLab profile an extern_uid. A hidden (deleted) identity is not found in
// the RFC profile.
func findIdentity(ctx context.Context, tx store.Tx, prof Profile, groupID, id string) (*store.SCIMIdentity, error) {
	if strings.TrimSpace(id) == "" || checkText("id", id, maxExternUIDLen) != nil {
		return nil, notFound("resource not found")
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
