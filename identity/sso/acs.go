package sso

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
)

// serveACS serves POST {prefix}/callback, the assertion consumer service:
// it verifies the SAMLResponse with crewjam/saml and applies the
// sign-in. See the package documentation for the checks and outcomes.
func (h *Handler) serveACS(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	raw, relayRaw, page := h.readForm(w, r)
	if page != nil {
		h.render(w, r, page)
		return
	}
	doc, page := decodeResponse(raw)
	if page != nil {
		h.render(w, r, page)
		return
	}
	g, p, key, ok := h.begin(w, r, true)
	if !ok {
		return
	}
	sp := h.serviceProvider(g, p, key)
	if page := h.trust(sp, p, g, doc); page != nil {
		h.render(w, r, page)
		return
	}
	ids, stale := h.trackedIDs(r, key, g)
	for _, c := range stale {
		http.SetCookie(w, c)
	}
	// crewjam/saml reads the form of the request it is given: only the
	// SAMLResponse goes in, so that a SAMLart or SimpleSign field in the
	// query cannot select another binding.
	form := url.Values{"SAMLResponse": {raw}}
	cr := r.WithContext(ctx)
	cr.Form, cr.PostForm = form, form
	assertion, err := sp.ParseResponse(cr, ids)
	if err != nil {
		h.render(w, r, invalidResponse(g, err))
		return
	}
	h.forgetRequest(w, r, g, assertion)
	nameID, email, page := h.subject(g, assertion)
	if page != nil {
		h.render(w, r, page)
		return
	}
	relay, ok := localPath(relayRaw)
	if !ok {
		relay = h.cfg.landing
	}
	s := &SignIn{Group: g, NameID: nameID, SessionNotOnOrAfter: sessionEnd(assertion), ReturnTo: relay}
	current, err := h.sess.Current(r)
	if err != nil {
		h.render(w, r, internal(g, err))
		return
	}
	if current == "" {
		res, err := h.linker.SignIn(ctx, g.ID, identity.Assertion{NameID: nameID, Email: email})
		if identity.KindOf(err) == identity.KindNotFound {
			u := h.URLs(g.Path)
			h.render(w, r, &Page{Outcome: OutcomeNotLinked, Status: http.StatusForbidden, Group: g, Title: "Account not linked",
				Message: "SAML authentication failed: User is not linked to a SAML account",
				Next: "Sign in to your account on this site first, then sign in with " + groupName(g) +
					"'s single sign-on again: you will be asked to authorize the link.",
				Link: u.SSO + "?redirect=" + url.QueryEscape(relay), Err: err})
			return
		}
		h.finish(w, r, s, res, err)
		return
	}
	h.signedIn(w, r, s, current, email, key)
}

// readForm limits and parses the ACS form and returns its SAMLResponse and
// RelayState, or the page refusing it.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request) (raw, relay string, page *Page) {
	tooLarge := &Page{Outcome: OutcomeBadRequest, Status: http.StatusRequestEntityTooLarge, Title: "Response too large",
		Message: "SAML authentication failed: the SAML response is larger than this site accepts"}
	if r.ContentLength > h.cfg.maxBody {
		return "", "", tooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.maxBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", "", tooLarge
		}
		return "", "", badRequest("the request is not a SAML response form", err)
	}
	for _, f := range []string{"SAMLart", "SigAlg", "Signature"} {
		if r.Form.Has(f) {
			return "", "", badRequest("only the HTTP-POST binding is accepted here", nil)
		}
	}
	raw = r.PostForm.Get("SAMLResponse")
	if raw == "" || len(r.PostForm["SAMLResponse"]) > 1 {
		return "", "", badRequest("the request carries no SAML response", nil)
	}
	return raw, r.PostForm.Get("RelayState"), nil
}

// decodeResponse returns the XML of a SAMLResponse form value, or the page
// refusing it.
func decodeResponse(raw string) ([]byte, *Page) {
	doc, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, badRequest("the SAML response is not base64", err)
	}
	return doc, nil
}

func badRequest(what string, err error) *Page {
	return &Page{Outcome: OutcomeBadRequest, Status: http.StatusBadRequest, Title: "Bad request",
		Message: "SAML authentication failed: " + what, Err: err}
}

// trust completes sp's trust in the IdP for this response when the group
// gave no metadata: the issuer stands in for an entity ID not given, and
// with a fingerprint the certificate the response names is trusted if its
// fingerprint is the configured one (crewjam/saml then verifies the
// signatures with it, and refuses a response it does not sign).
func (h *Handler) trust(sp *saml.ServiceProvider, p *idp, g *store.Group, doc []byte) *Page {
	if !p.anyIssuer && p.fingerprint == nil {
		return nil
	}
	issuer, certs := peek(doc)
	if p.anyIssuer {
		m := *p.meta
		m.EntityID = issuer
		sp.IDPMetadata = &m
	}
	if p.fingerprint == nil {
		return nil
	}
	for _, der := range certs {
		if matchesFingerprint(der, p.fingerprint) {
			c := base64.StdEncoding.EncodeToString(der)
			sp.IDPCertificate = &c
			return nil
		}
	}
	return &Page{Outcome: OutcomeInvalidResponse, Status: http.StatusForbidden, Group: g, Title: "Sign-in refused",
		Message: "SAML authentication failed: Fingerprint mismatch",
		Next:    "The response is not signed with the certificate whose fingerprint the group's SAML settings name. Ask the group's administrator to check them.",
		Err:     errors.New("sso: no certificate in the response matches the configured fingerprint")}
}

// trackedIDs returns the AuthnRequest IDs this browser's tracking cookies
// hold for group g, and deletions of the cookies that are expired or not
// ours.
func (h *Handler) trackedIDs(r *http.Request, key *spKey, g *store.Group) (ids []string, stale []*http.Cookie) {
	path := pathOf(h.URLs(g.Path).ACS)
	now := h.cfg.now().Unix()
	n := 0
	for _, c := range r.Cookies() {
		if !strings.HasPrefix(c.Name, trackingPrefix) {
			continue
		}
		if n++; n > maxTrackingCookies {
			break
		}
		var t tracked
		if err := open(key.mac, trackingPrefix, c.Value, &t); err != nil || t.Expires <= now {
			stale = append(stale, h.cookie(c.Name, "", path, -1, true))
			continue
		}
		if t.Group == g.ID && t.ID != "" {
			ids = append(ids, t.ID)
		}
	}
	return ids, stale
}

// forgetRequest deletes the tracking cookie of the request the assertion
// answers: a request is answered once.
func (h *Handler) forgetRequest(w http.ResponseWriter, r *http.Request, g *store.Group, a *saml.Assertion) {
	if a.Subject == nil {
		return
	}
	for _, sc := range a.Subject.SubjectConfirmations {
		if sc.SubjectConfirmationData == nil || sc.SubjectConfirmationData.InResponseTo == "" {
			continue
		}
		for _, c := range r.Cookies() {
			if c.Name == trackingName(sc.SubjectConfirmationData.InResponseTo) {
				http.SetCookie(w, h.cookie(c.Name, "", pathOf(h.URLs(g.Path).ACS), -1, true))
			}
		}
	}
}

// subject returns the assertion's NameID and email, or the page refusing
// its NameID: missing, transient, or not of the group's format.
func (h *Handler) subject(g *store.Group, a *saml.Assertion) (nameID, email string, page *Page) {
	refuse := func(msg string) *Page {
		return &Page{Outcome: OutcomeInvalidResponse, Status: http.StatusForbidden, Group: g, Title: "Sign-in refused",
			Message: "SAML authentication failed: " + msg,
			Next:    "Ask the group's administrator to make the IdP send the NameID the group expects (the value sent as SCIM externalId)."}
	}
	if a.Subject == nil || a.Subject.NameID == nil || strings.TrimSpace(a.Subject.NameID.Value) == "" {
		return "", "", refuse("the response has no NameID")
	}
	n := a.Subject.NameID
	format := n.Format
	if format == "" {
		format = string(saml.UnspecifiedNameIDFormat)
	}
	if format == string(saml.TransientNameIDFormat) {
		return "", "", refuse("a transient NameID cannot identify an account")
	}
	if want := g.SAML.NameIDFormat; want != "" && want != string(saml.UnspecifiedNameIDFormat) && format != want {
		return "", "", refuse("the NameID format is " + format + ", the group expects " + want)
	}
	return n.Value, assertedEmail(a, format), nil
}

// emailAttribute reports whether an attribute name (its Name or
// FriendlyName) is one IdPs assert the email address under, compared
// case-insensitively: "email", "mail", "emailaddress", Entra ID's and
// ADFS's claim URIs, the LDAP mail OID.
func emailAttribute(name string) bool {
	switch strings.ToLower(name) {
	case "email", "mail", "emailaddress", "email address", "user.email",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
		"http://schemas.xmlsoap.org/claims/emailaddress",
		"urn:oid:0.9.2342.19200300.100.1.3":
		return true
	}
	return false
}

// assertedEmail returns the first value of an email attribute, or the
// NameID itself when its format is emailAddress, or "".
func assertedEmail(a *saml.Assertion, format string) string {
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			if (emailAttribute(at.Name) || emailAttribute(at.FriendlyName)) && len(at.Values) > 0 {
				if v := strings.TrimSpace(at.Values[0].Value); v != "" && len(v) <= maxEmail {
					return v
				}
			}
		}
	}
	if v := a.Subject.NameID.Value; format == string(saml.EmailAddressNameIDFormat) && len(v) <= maxEmail {
		return v
	}
	return ""
}

// maxEmail bounds an asserted email address taken from the assertion
// (RFC 5321's 254 characters, with room).
const maxEmail = 320

// sessionEnd is the earliest SessionNotOnOrAfter of the assertion's
// AuthnStatements, or the zero time.
func sessionEnd(a *saml.Assertion) time.Time {
	var end time.Time
	for _, s := range a.AuthnStatements {
		if s.SessionNotOnOrAfter != nil && (end.IsZero() || s.SessionNotOnOrAfter.Before(end)) {
			end = *s.SessionNotOnOrAfter
		}
	}
	return end
}

// signedIn applies a verified assertion while account current is signed
// in: the NameID linked to current signs in (Link, which also adds the
// membership); linked to another account it is GitLab's "Extern UID has
// already been taken"; linked to nobody, the Authorize page asks the
// person to confirm, unless current is already linked under another
// NameID ("User has already been taken"). Nothing is written before the
// confirmation.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request, s *SignIn, current, email string, key *spKey) {
	ctx := r.Context()
	g := s.Group
	// Lookup also checks the NameID as the Linker takes it (length,
	// control characters) before it goes into a page or a cookie.
	_, err := h.linker.Lookup(ctx, g.ID, s.NameID)
	linked := err == nil
	if err != nil && identity.KindOf(err) != identity.KindNotFound {
		h.render(w, r, linkerPage(g, err))
		return
	}
	var (
		mine *store.SAMLIdentity
		user *store.User
	)
	err = h.st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if mine, err = optional(tx.SAMLIdentityByUser(ctx, g.ID, current)); err != nil {
			return err
		}
		user, err = optional(tx.User(ctx, current))
		return err
	})
	if err != nil {
		h.render(w, r, internal(g, err))
		return
	}
	if user == nil {
		h.render(w, r, internal(g, errors.New("sso: the signed-in account "+current+" is not in the store")))
		return
	}
	if linked || (mine != nil && !strings.EqualFold(mine.ExternUID, s.NameID)) {
		// Link decides both: the same account signs in, conflicts are
		// refused with nothing written.
		res, err := h.linker.Link(ctx, g.ID, current, s.NameID)
		h.finish(w, r, s, res, err)
		return
	}
	v, err := seal(key.mac, linkCookie, pendingLink{Group: g.ID, User: current, NameID: s.NameID, Email: email,
		ReturnTo: s.ReturnTo, SessionEnd: unixOrZero(s.SessionNotOnOrAfter), Expires: h.cfg.now().Add(requestLifetime).Unix()})
	if err != nil {
		h.render(w, r, internal(g, err))
		return
	}
	action := h.authorizeURL(g.Path)
	http.SetCookie(w, h.cookie(linkCookie, v, pathOf(action), requestLifetime, false))
	h.render(w, r, &Page{Outcome: OutcomeAuthorize, Status: http.StatusOK, Group: g, User: user, NameID: s.NameID, Email: email,
		Action: action, Title: "Authorize " + groupName(g),
		Message: "Allow " + groupName(g) + " to sign you in with its SAML identity provider? Your account " + user.Username +
			" will be linked to the SAML identity below, and you will become a member of the group.",
		Next: "If you did not start this sign-in, close this page."})
}

// finish ends an accepted sign-in (res, from Linker.SignIn or Link) by
// starting the host's session and redirecting to s.ReturnTo, or answers
// err's page.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, s *SignIn, res *identity.SignInResult, err error) {
	if err != nil {
		h.render(w, r, linkerPage(s.Group, err))
		return
	}
	s.User, s.Changes = res.User, res.Changes
	if err := h.sess.Start(w, r, s); err != nil {
		h.render(w, r, internal(s.Group, err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, s.ReturnTo, http.StatusSeeOther)
}

// linkerPage is the page of a refusal by identity.Linker.
func linkerPage(g *store.Group, err error) *Page {
	var ie *identity.Error
	if !errors.As(err, &ie) {
		return internal(g, err)
	}
	p := &Page{Status: http.StatusForbidden, Group: g, Message: "SAML authentication failed: " + ie.Detail, Err: err}
	switch ie.Kind {
	case identity.KindConflict:
		p.Outcome, p.Status, p.Title = OutcomeConflict, http.StatusConflict, "Account not linked"
		p.Next = "The SAML identity and your account are each linked elsewhere. Ask the group's administrator to fix the link."
	case identity.KindRefused:
		p.Outcome, p.Title = OutcomeRefused, "Sign-in refused"
		p.Next = "Ask the group's administrator for access."
	case identity.KindInvalid:
		p.Outcome, p.Title = OutcomeInvalidResponse, "Sign-in refused"
		if ie.Field != "" {
			p.Message = "SAML authentication failed: the asserted " + ie.Field + " " + ie.Detail
		}
	default:
		return internal(g, err)
	}
	return p
}

// invalidResponse is the page of a response crewjam/saml refused, with a
// reason for each kind of failure it reports.
func invalidResponse(g *store.Group, err error) *Page {
	// crewjam/saml does not classify a missing signature; it gets the
	// last reason.
	reason := "the SAML response is not signed by the group's identity provider, or could not be verified"
	var bad saml.ErrBadStatus
	if errors.As(err, &bad) {
		reason = "the identity provider did not sign you in (status " + bad.Status + ")"
	}
	for _, r := range []struct {
		kind   error
		reason string
	}{
		{saml.ErrAssertionReplayed, "the SAML response was already used"},
		{saml.ErrUntrustedCertificate, "the SAML response is signed with a certificate the group does not trust"},
		{saml.ErrCertificateNotValidNow, "the identity provider's signing certificate has expired or is not valid yet"},
		{saml.ErrInvalidSignature, "the SAML response's signature is missing or not valid"},
		{saml.ErrExpired, "the SAML response has expired"},
		{saml.ErrNotYetValid, "the SAML response is not valid yet (check the clocks)"},
		{saml.ErrAudienceMismatch, "the SAML response is meant for another service provider (audience)"},
		{saml.ErrDestinationMismatch, "the SAML response is addressed to another URL (destination)"},
		{saml.ErrIssuerMismatch, "the SAML response comes from another identity provider (issuer)"},
		{saml.ErrRequestIDMismatch, "the SAML response does not answer a sign-in started in this browser"},
		{saml.ErrDecryptionFailed, "the SAML response could not be decrypted"},
		{saml.ErrMalformedMessage, "the SAML response is malformed"},
		{saml.ErrMissingElement, "the SAML response is malformed"},
	} {
		if errors.Is(err, r.kind) {
			reason = r.reason
			break
		}
	}
	return &Page{Outcome: OutcomeInvalidResponse, Status: http.StatusForbidden, Group: g, Title: "Sign-in refused",
		Message: "SAML authentication failed: " + reason,
		Next:    "Sign in again with the group's single sign-on. If it keeps failing, ask the group's administrator to check the SAML settings.",
		Err:     detail(err)}
}

// detail returns crewjam/saml's private cause of err, for the log.
func detail(err error) error {
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		return ire.PrivateErr
	}
	return err
}

// optional turns store.ErrNotFound into a nil value.
func optional[T any](v *T, err error) (*T, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// unixOrZero is t in Unix seconds, 0 for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
