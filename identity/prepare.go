package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/internal/resource"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// A write's heavy part is the work on its document: patching it, checking
// every value's type, comparing it with the stored one. A PATCH or PUT does
// that work before it takes the store's write lock or opens its
// transaction, on the identity as a View read it, and then writes only if
// the identity is still at the version it read (optimistic concurrency,
// retried a few times when another write came first). So one tenant's
// large request never holds the lock, or SQLite's one writer, that another
// tenant's write waits for (docs/design.md §Request flow).

// maxStaleRetries bounds how often Modify and Replace work their change out
// again because another write changed the identity meanwhile. Past it the
// request fails with store.ErrUnavailable (503, to be retried).
const maxStaleRetries = 4

// docChange is what a new document asks of an identity, worked out from the
// document and the identity as read, without the store (prepare).
type docChange struct {
	next   next
	old    Attributes     // attributes of the stored document; empty when same
	stored map[string]any // the document to keep
	same   bool           // stored equals the identity's document
}

// prepare works out the change doc asks of s: its control members (active,
// externalId), the document to store and, when it differs from s's, its
// attributes. post says doc comes with a POST that names s (reprovisioning
// s whatever doc's active says, keeping its extern_uid). prepare takes
// ownership of doc. It reads s only.
func (p *Provisioner) prepare(doc map[string]any, s *store.SCIMIdentity, post bool) (*docChange, error) {
	prof := p.c.prof
	// active and externalId are read before storedDocument removes them;
	// an error about them waits for the attributes' (reported first).
	next, ctlErr := parseControl(doc, s, prof, post)
	hide := p.hidesExternalID(doc, post)
	if !post && !hasExternalID(doc) && !resource.HasExternalID(s.Document) {
		// A PUT or PATCH that does not set an externalId keeps the
		// identity without one.
		hide = true
	}
	c := &docChange{next: next, stored: storedDocument(doc, hide)}
	// A document whose stored form is unchanged has the attributes the
	// stored one has (they are read from keys storedDocument keeps), and
	// the stored one was validated when written: the common PATCH of
	// "active" alone derives none, and old and next.attrs stay equal
	// (empty), which changes nothing.
	c.same = sameDocument(c.stored, s.Document)
	if !c.same {
		var err error
		if c.next.attrs, err = parseAttrs(c.stored); err != nil {
			return nil, err
		}
		c.old = attrsOf(s.Document)
	}
	if ctlErr != nil {
		return nil, ctlErr
	}
	return c, nil
}

// hidesExternalID reports whether doc, a document a POST brings (post) or
// one a client writes, is stored with no externalId to show: in a profile
// where userName stands in for a missing externalId, a POST without one
// (RFC 7643 §3.1: externalId is the client's; the service provider must not
// set it). The extern_uid, the SAML NameID link, is the userName all the
// same.
func (p *Provisioner) hidesExternalID(doc map[string]any, post bool) bool {
	return post && p.c.prof.ExternUIDFromUserName && !hasExternalID(doc)
}

// hasExternalID reports whether doc sets an externalId (a null one is
// none).
func hasExternalID(doc map[string]any) bool {
	_, ok := lookup(doc, "externalId")
	return ok
}

// checkTypes checks every value of doc against the User schema's types
// (schema.ResourceType.Check: a string is a string, a boolean a boolean or
// Entra ID's "True"/"False", numbers finite and in range), the one check of
// every write path: POST, PUT and the result of a PATCH. A value that does
// not fit is KindInvalid naming the attribute.
func (p *Provisioner) checkTypes(doc map[string]any) error {
	return checkTypes(p.c.user, doc)
}

// checkTypes checks every value of doc, a resource of type rt, as
// Provisioner.checkTypes does for a User; IdP groups are checked against
// the Group schema with it (parseIdPGroup).
func checkTypes(rt *schema.ResourceType, doc map[string]any) error {
	err := rt.Check(doc)
	if err == nil {
		return nil
	}
	var ve *schema.ValueError
	if errors.As(err, &ve) {
		return &Error{Kind: KindInvalid, Field: ve.Path, Detail: ve.Msg, Err: err}
	}
	return err
}

// modifyOptimistic runs Modify and Replace: it reads the identity, works
// the change out outside the store (mutate, the type check, prepare), then
// writes it in one Update, provided the identity is still at the version
// read; otherwise it starts again, at most maxStaleRetries times (then the
// error matches store.ErrUnavailable). withCurrent
// says whether mutate reads the current resource (Replace's does not, and
// is given nil).
func (p *Provisioner) modifyOptimistic(ctx context.Context, groupID, id string, ifMatch int64, mutate func(cur map[string]any) (map[string]any, error), withCurrent bool) (*Result, error) {
	for attempt := 1; ; attempt++ {
		var s *store.SCIMIdentity
		err := p.c.view(ctx, p.st, func(ctx context.Context, tx store.Tx) error {
			var err error
			s, err = getIdentity(ctx, tx, p.c.prof, groupID, id)
			return err
		})
		if err != nil {
			return nil, err
		}
		if ifMatch != 0 && s.Version != ifMatch {
			return nil, versionMismatch()
		}
		c, err := p.change(s, mutate, withCurrent)
		if err != nil {
			return nil, err
		}
		// The write starts from the identity as read, not from a read
		// of its own: storing it checks its version (store.Tx's
		// optimistic Put), so a write that came between fails the Put
		// with ErrVersionMismatch, the Update rolls back, and the change
		// is worked out again. A change that writes nothing needs no
		// check: it happened before the other write.
		res, err := p.c.update(ctx, p.st, func(ctx context.Context, tx store.Tx, o *op) error {
			g, err := loadGroup(ctx, tx, groupID)
			if err != nil {
				return err
			}
			cur := *s // each run of the function starts from the identity as read
			ch, u, err := p.applyDocument(ctx, tx, o, g, &cur, c)
			if err != nil {
				return err
			}
			o.res, err = result(ctx, tx, &cur, u, ch)
			return err
		})
		if !errors.Is(err, store.ErrVersionMismatch) || KindOf(err) != 0 {
			return res, err
		}
		if attempt > maxStaleRetries {
			return nil, fmt.Errorf("identity: %s changed %d times while a change to it was worked out: %w", id, attempt, store.ErrUnavailable)
		}
	}
}

// change runs mutate on a copy of s's resource (or on nil without
// withCurrent) and works out the change its result asks of s.
func (p *Provisioner) change(s *store.SCIMIdentity, mutate func(cur map[string]any) (map[string]any, error), withCurrent bool) (*docChange, error) {
	var cur map[string]any
	shown := false
	if withCurrent {
		// s stays as read, to compare the new document with; mutate
		// gets a copy of its own.
		c := *s
		c.Document = store.CloneDocument(s.Document)
		cur = c.Resource()
		if p.c.prof.IDIsExternUID {
			cur["id"] = s.ExternUID
		}
		_, shown = cur["externalId"]
	}
	doc, err := mutate(cur)
	if err != nil {
		return nil, fmt.Errorf("identity: modify: %w", err)
	}
	if doc == nil {
		return nil, invalidf("", "the modified resource is empty")
	}
	if shown && !hasExternalID(doc) {
		// docs/design.md §Provisioning rules: the extern_uid is the
		// SAML NameID link; a PATCH removing it is refused, not
		// acknowledged and ignored.
		return nil, &Error{Kind: KindMutability, Field: "externalId",
			Detail: "cannot be removed: it links the user to their SAML identity; replace it with the new value instead"}
	}
	if err := p.checkTypes(doc); err != nil {
		return nil, err
	}
	return p.prepare(doc, s, false)
}

// versionMismatch is the error of a stale If-Match.
func versionMismatch() error {
	return &Error{Kind: KindVersionMismatch, Detail: "resource version does not match If-Match"}
}
