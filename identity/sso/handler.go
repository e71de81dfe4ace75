package sso

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
)

// Handler is the SAML service provider of every group in a store: an
// http.Handler serving, under its prefix, each group's SP metadata, SSO
// start, assertion consumer service (ACS) and Authorize confirmation. It
// is safe for concurrent use. Create it with [New].
type Handler struct {
	st     store.Store
	linker *identity.Linker
	sess   Sessions
	cfg    config
	base   *url.URL
	// secure is set when the base URL is https: cookies are Secure, and
	// the tracking cookie SameSite=None.
	secure bool
	clock  *dsig.Clock
	mux    *http.ServeMux
	keys   keyring
	idps   idpCache
	cop    *http.CrossOriginProtection
}

// New returns the SAML service provider of the groups in st. baseURL is
// the externally visible URL the prefix is served under, as browsers and
// IdPs reach it ("https://app.example.com"); the groups' entity IDs and ACS
// URLs are made from it, and an assertion is accepted only when addressed
// to them, so it is required rather than guessed from the request's Host
// header. linker applies the linking rules over the same store; sessions
// is the host's sign-in. Every option is validated here.
func New(baseURL string, st store.Store, linker *identity.Linker, sessions Sessions, opts ...Option) (*Handler, error) {
	if st == nil || linker == nil || sessions == nil {
		return nil, errors.New("sso: New needs a store, a linker and the host's sessions")
	}
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" ||
		base.RawQuery != "" || base.Fragment != "" || base.User != nil {
		return nil, fmt.Errorf("sso: base URL %q: want an absolute http(s) URL without query", baseURL)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawPath = ""
	cfg := config{
		prefix:  DefaultPrefix,
		log:     slog.New(slog.DiscardHandler),
		now:     time.Now,
		maxBody: DefaultMaxResponseBytes,
		landing: "/",
	}
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.render == nil {
		d, err := newDefaultPages()
		if err != nil {
			return nil, fmt.Errorf("sso: pages: %w", err)
		}
		cfg.render = d
	}
	if cfg.replay == nil {
		cfg.replay = newMemoryReplay(cfg.now, maxReplayEntries)
	}
	h := &Handler{
		st: st, linker: linker, sess: sessions, cfg: cfg, base: base,
		secure: base.Scheme == "https",
		clock:  dsigClock(cfg.now),
		mux:    http.NewServeMux(),
		keys:   keyring{st: st, now: cfg.now},
		cop:    http.NewCrossOriginProtection(),
	}
	if cfg.key != nil {
		k, err := newSPKey(cfg.key, cfg.cert)
		if err != nil {
			return nil, err
		}
		h.keys.key = k
	}
	h.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, &Page{Outcome: OutcomeBadRequest, Status: http.StatusForbidden, Title: "Request refused",
			Message: "This confirmation did not come from this site's own page, so it was refused.",
			Next:    "Sign in with single sign-on again from the group's page."})
	}))
	for _, rt := range h.routes() {
		h.mux.Handle(rt.method+" "+cfg.prefix+rt.path, rt.handler)
	}
	return h, nil
}

// route is one of the handler's routes.
type route struct {
	method, path string
	handler      http.Handler
}

// routes is the routing table, under the prefix.
func (h *Handler) routes() []route {
	return []route{
		{http.MethodGet, "/metadata", http.HandlerFunc(h.serveMetadata)},
		{http.MethodGet, "/sso", http.HandlerFunc(h.serveSSO)},
		{http.MethodPost, "/callback", http.HandlerFunc(h.serveACS)},
		{http.MethodPost, "/authorize", h.cop.Handler(http.HandlerFunc(h.serveAuthorize))},
	}
}

// ServeHTTP serves the routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

// URLs are a group's service-provider addresses, what an IdP
// administrator copies into the IdP (see the package documentation for
// where each goes in Entra ID, Okta and OneLogin).
type URLs struct {
	// EntityID is the service provider's entity ID (Entra ID's
	// "Identifier", Okta's "Audience URI", OneLogin's "Audience"),
	// "https://HOST/groups/GROUP" with the default prefix.
	EntityID string
	// Metadata is the URL of the SP metadata.
	Metadata string
	// SSO is the URL that starts a sign-in (GitLab's "GitLab single
	// sign-on URL"); append "?redirect=/local/path" to return there.
	SSO string
	// ACS is the assertion consumer service URL (Entra ID's "Reply URL",
	// Okta's "Single sign-on URL", OneLogin's "ACS (Consumer) URL").
	ACS string
}

// URLs returns the service-provider addresses of the group at path
// groupPath.
func (h *Handler) URLs(groupPath string) URLs {
	root := h.base.Scheme + "://" + h.base.Host + h.base.Path
	esc := url.PathEscape(groupPath)
	i := strings.Index(h.cfg.prefix, "{group}") + len("{group}")
	routes := root + strings.Replace(h.cfg.prefix, "{group}", esc, 1)
	return URLs{
		EntityID: root + strings.Replace(h.cfg.prefix[:i], "{group}", esc, 1),
		Metadata: routes + "/metadata",
		SSO:      routes + "/sso",
		ACS:      routes + "/callback",
	}
}

// authorizeURL is the route the Authorize form posts to.
func (h *Handler) authorizeURL(groupPath string) string {
	return strings.TrimSuffix(h.URLs(groupPath).ACS, "/callback") + "/authorize"
}

// pathOf returns the path of an absolute URL of ours, for a cookie's Path.
func pathOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "/"
	}
	return p.EscapedPath()
}

// maxGroupPathLen bounds a group path looked up in the store.
const maxGroupPathLen = 255

// lookup returns the group the request's path names, with SAML SSO
// configured, or the page to answer with: OutcomeNotFound for an unknown
// group and for one without configuration alike, OutcomeDisabled when
// enabled is asked and the configuration is off.
func (h *Handler) lookup(ctx context.Context, r *http.Request, enabled bool) (*store.Group, *Page) {
	name := r.PathValue("group")
	notFound := &Page{Outcome: OutcomeNotFound, Status: http.StatusNotFound, Title: "Not found",
		Message: "There is no group with SAML single sign-on at this address."}
	if name == "" || len(name) > maxGroupPathLen {
		return nil, notFound
	}
	var g *store.Group
	err := h.st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		g, err = tx.GroupByPath(ctx, name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, internal(nil, err)
	}
	if g.SAML == nil {
		return nil, notFound
	}
	if enabled && !g.SAML.Enabled {
		return nil, disabled(g)
	}
	return g, nil
}

// disabled is the page of group g whose SAML SSO is not enabled.
func disabled(g *store.Group) *Page {
	return &Page{Outcome: OutcomeDisabled, Status: http.StatusForbidden, Group: g, Title: "Single sign-on is off",
		Message: "SAML single sign-on is not enabled for " + groupName(g) + ".",
		Next:    "Ask the group's administrator to enable it."}
}

// begin starts a route: the group of the path (with SAML SSO enabled when
// sso is set), its parsed IdP when sso is set, and the SP key; or it
// answers the page that ends the request and returns false.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, sso bool) (*store.Group, *idp, *spKey, bool) {
	g, page := h.lookup(r.Context(), r, sso)
	if page != nil {
		h.render(w, r, page)
		return nil, nil, nil, false
	}
	var p *idp
	if sso {
		var err error
		if p, err = h.idps.get(g.SAML); err != nil {
			h.render(w, r, internal(g, err))
			return nil, nil, nil, false
		}
	}
	key, err := h.keys.get(r.Context())
	if err != nil {
		h.render(w, r, internal(g, err))
		return nil, nil, nil, false
	}
	return g, p, key, true
}

// groupName is the name a page shows for g.
func groupName(g *store.Group) string {
	if g.Name != "" {
		return g.Name
	}
	return g.Path
}

// serviceProvider returns group g's service provider over the IdP p (nil
// for the metadata, which needs none).
func (h *Handler) serviceProvider(g *store.Group, p *idp, key *spKey) *saml.ServiceProvider {
	u := h.URLs(g.Path)
	md, _ := url.Parse(u.Metadata)
	acs, _ := url.Parse(u.ACS)
	format := saml.NameIDFormat(g.SAML.NameIDFormat)
	if format == "" {
		format = saml.UnspecifiedNameIDFormat
	}
	sp := &saml.ServiceProvider{
		EntityID:                         u.EntityID,
		Key:                              key.key,
		Certificate:                      key.cert,
		MetadataURL:                      *md,
		AcsURL:                           *acs,
		AuthnNameIDFormat:                format,
		AllowIDPInitiated:                true,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		Clock:                            h.clock,
		ReplayCache:                      groupReplay{rc: h.cfg.replay, group: g.ID},
	}
	if p != nil {
		sp.IDPMetadata = p.meta
		if p.cert != "" {
			c := p.cert
			sp.IDPCertificate = &c
		}
	}
	return sp
}

// internal is the page of an internal error in group g (nil when not
// known yet).
func internal(g *store.Group, err error) *Page {
	return &Page{Outcome: OutcomeError, Status: http.StatusInternalServerError, Group: g, Title: "Something went wrong",
		Message: "Single sign-on failed because of an error on this site.", Next: "Try again later.", Err: err}
}

// render answers with page p, logging why.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, p *Page) {
	attrs := []slog.Attr{slog.Int("status", p.Status), slog.String("outcome", p.Outcome.String())}
	if p.Group != nil {
		attrs = append(attrs, slog.String("group", p.Group.ID))
	}
	if p.Err != nil {
		attrs = append(attrs, slog.String("error", p.Err.Error()))
	}
	level := slog.LevelInfo
	if p.Outcome == OutcomeError {
		level = slog.LevelError
	}
	h.cfg.log.LogAttrs(r.Context(), level, "sso: "+p.Title, attrs...)
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	h.cfg.render.Render(w, r, p)
}

// String returns the outcome's name, such as "not_linked".
func (o Outcome) String() string {
	switch o {
	case OutcomeNotFound:
		return "not_found"
	case OutcomeDisabled:
		return "disabled"
	case OutcomeBadRequest:
		return "bad_request"
	case OutcomeInvalidResponse:
		return "invalid_response"
	case OutcomeNotLinked:
		return "not_linked"
	case OutcomeAuthorize:
		return "authorize"
	case OutcomeConflict:
		return "conflict"
	case OutcomeRefused:
		return "refused"
	case OutcomeSSORequired:
		return "sso_required"
	case OutcomeError:
		return "error"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}
