package sso

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/scimkit/scimkit/store"
)

// Outcome classifies a page: every way a sign-in can end other than a
// redirect to where the person was going.
type Outcome uint8

// The outcomes, each with the status its page is answered with.
const (
	// OutcomeNotFound: no group at this path, or the group has no SAML
	// SSO configured. 404, the same for both, so that the routes do not
	// tell which groups exist.
	OutcomeNotFound Outcome = iota + 1
	// OutcomeDisabled: the group's SAML SSO is configured but not
	// enabled. 403.
	OutcomeDisabled
	// OutcomeBadRequest: the request is not one the route takes: no
	// SAMLResponse, not base64, a binding other than HTTP-POST, a
	// missing or expired Authorize confirmation. 400 (413 for a body
	// over the limit).
	OutcomeBadRequest
	// OutcomeInvalidResponse: the SAML response failed verification
	// (signature, certificate, audience, destination, issuer, time
	// window, InResponseTo, replay, NameID format, IdP status). 403.
	OutcomeInvalidResponse
	// OutcomeNotLinked: nobody is signed in and no account is linked to
	// the NameID: "SAML authentication failed: User is not linked to a
	// SAML account". 403.
	OutcomeNotLinked
	// OutcomeAuthorize: an account is signed in and the NameID is linked
	// to no account: the page asks the person to confirm the link (a form
	// that posts to the authorize route). 200.
	OutcomeAuthorize
	// OutcomeConflict: linking failed: "Extern UID has already been
	// taken" (the NameID is another account's), "User has already been
	// taken" (the account is linked under another NameID), or both. 409.
	OutcomeConflict
	// OutcomeRefused: a rule refused the sign-in, nothing written: an
	// inactive (deprovisioned) SCIM identity, a blocked account, a NameID
	// change whose email is not verified. 403.
	OutcomeRefused
	// OutcomeSSORequired: [Handler.RequireSSO] refused a request other
	// than GET or HEAD of a member without a SAML session. 403.
	OutcomeSSORequired
	// OutcomeError: an internal error (the store, the host's Sessions);
	// the cause is logged, the page says only that something went wrong.
	// 500.
	OutcomeError
)

// Page is what a refusal or the Authorize step shows.
type Page struct {
	// Outcome says which page this is.
	Outcome Outcome
	// Status is the HTTP status to answer with.
	Status int
	// Title is a short heading.
	Title string
	// Message is what happened, in GitLab's wording where GitLab has one
	// ("SAML authentication failed: User is not linked to a SAML
	// account").
	Message string
	// Next says what the person can do now, or is empty.
	Next string
	// Link is a URL for the next step (the group's SSO URL), or empty.
	Link string
	// Group is the group, or nil when there is none at the path.
	Group *store.Group
	// User is the account signed in (OutcomeAuthorize), or nil.
	User *store.User
	// NameID and Email are what the IdP asserted (OutcomeAuthorize).
	NameID, Email string
	// Action is the URL the Authorize form posts to (OutcomeAuthorize).
	Action string
	// Err is the cause, for the host's logs; the default pages never show
	// it.
	Err error
}

// Renderer writes pages. Render must write the status (p.Status) and a
// body; the handler has already set the headers that keep the page out of
// caches and frames. A host replaces the default pages with
// [WithRenderer], for example to render them in its own layout.
type Renderer interface {
	Render(w http.ResponseWriter, r *http.Request, p *Page)
}

// RendererFunc adapts a function to [Renderer].
type RendererFunc func(w http.ResponseWriter, r *http.Request, p *Page)

// Render calls f(w, r, p).
func (f RendererFunc) Render(w http.ResponseWriter, r *http.Request, p *Page) { f(w, r, p) }

//go:embed page.html.tmpl
var pageFS embed.FS

// defaultPages is the default Renderer: one small HTML page.
type defaultPages struct{ t *template.Template }

func newDefaultPages() (*defaultPages, error) {
	t, err := template.ParseFS(pageFS, "page.html.tmpl")
	if err != nil {
		return nil, err
	}
	return &defaultPages{t: t}, nil
}

// Render implements Renderer.
func (d *defaultPages) Render(w http.ResponseWriter, r *http.Request, p *Page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(p.Status)
	_ = d.t.Execute(w, p)
}
