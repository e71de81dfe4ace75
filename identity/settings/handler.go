package settings

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
)

// Authorizer reports whether r comes from an owner of group g, the only
// people the page serves: the host reads its own session from r (a cookie)
// and its own record of who owns g. A false answer gets 403 Forbidden and
// nothing else; an error gets 500 and is logged. It runs outside any store
// transaction, so it may read the store.
type Authorizer func(r *http.Request, g *store.Group) (bool, error)

// Handler serves the group owner's SAML SSO settings page. It is safe for
// concurrent use. Create it with [New].
type Handler struct {
	prov      *identity.Provisioner
	st        store.Store
	authorize Authorizer
	cfg       config
	mux       *http.ServeMux
	csrf      *http.CrossOriginProtection
	log       *slog.Logger
	page      *template.Template
	csp       string
}

// New returns the settings page handler of the groups of st, acting through
// prov (which must work on st) for token resets. authorize decides who may
// see and change a group's settings. Options set the mount point, the SCIM
// URL shown, the event log, trusted origins and the logger; every option is
// validated here.
func New(prov *identity.Provisioner, st store.Store, authorize Authorizer, opts ...Option) (*Handler, error) {
	switch {
	case prov == nil:
		return nil, fmt.Errorf("settings: nil provisioner")
	case st == nil:
		return nil, fmt.Errorf("settings: nil store")
	case authorize == nil:
		return nil, fmt.Errorf("settings: nil authorizer")
	}
	cfg := config{prefix: DefaultPrefix, scimURL: DefaultSCIMURL, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	page, csp, err := parsePage()
	if err != nil {
		return nil, err
	}
	h := &Handler{prov: prov, st: st, authorize: authorize, cfg: cfg, csrf: http.NewCrossOriginProtection(), log: cfg.logger, page: page, csp: csp}
	for _, o := range cfg.origins {
		if err := h.csrf.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("settings: trusted origin: %w", err)
		}
	}
	mux, err := newMux(cfg.prefix, h.routes())
	if err != nil {
		return nil, err
	}
	h.mux = mux
	return h, nil
}

// route is one page or form of the handler, below the prefix.
type route struct {
	method, path string
	serve        func(w http.ResponseWriter, r *http.Request, g *store.Group)
}

// routes is the table of the handler's pages and forms. Each is served only
// to an owner of the group, and each POST passes the cross-origin check
// first.
func (h *Handler) routes() []route {
	rts := []route{
		{http.MethodGet, "", h.servePage},
		{http.MethodPost, "/token", h.serveToken},
	}
	if h.cfg.samlURLs != nil {
		rts = append(rts, route{http.MethodPost, "", h.serveSAML})
	}
	if h.groupLinksShown() {
		rts = append(rts, route{http.MethodPost, "/group_links", h.serveLinkAdd},
			route{http.MethodPost, "/group_links/remove", h.serveLinkRemove})
	}
	return rts
}

// newMux registers the routes under prefix. http.ServeMux panics on a
// pattern it cannot parse; the prefix was checked, and a panic left is
// turned into an error here.
func newMux(prefix string, routes []route) (mux *http.ServeMux, err error) {
	defer func() {
		if p := recover(); p != nil {
			mux, err = nil, fmt.Errorf("settings: prefix %q: %v", prefix, p)
		}
	}()
	mux = http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.method+" "+prefix+rt.path, rt.handler())
	}
	return mux, nil
}

// groupKey is the context key of the authorized group, set by ServeHTTP's
// route wrapper.
type groupKey struct{}

func (rt route) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g, _ := r.Context().Value(groupKey{}).(*store.Group)
		rt.serve(w, r, g)
	})
}

// ServeHTTP serves the page and its forms. Before any route runs, every
// response gets the security headers; a POST must pass the cross-origin
// check and come from a browser; the group named in the path must exist and
// authorize must accept the request. Anything else is 403 Forbidden.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header(), h.csp)
	_, pattern := h.mux.Handler(r)
	if pattern == "" {
		// Not one of our routes: the mux's own 404, 405 or redirect.
		h.mux.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodPost {
		if err := h.checkOrigin(r); err != nil {
			forbidden(w)
			return
		}
	}
	path, ok := groupPath(h.cfg.prefix, r.URL.EscapedPath())
	if !ok {
		forbidden(w)
		return
	}
	ctx := r.Context()
	g, err := h.lookupGroup(ctx, path)
	if err != nil {
		h.internalError(ctx, w, "read the group", err)
		return
	}
	if g == nil {
		// Nobody owns a group that does not exist; answering 404 would
		// tell strangers which groups do.
		forbidden(w)
		return
	}
	owner, err := h.authorize(r, g)
	if err != nil {
		h.internalError(ctx, w, "authorize", err)
		return
	}
	if !owner {
		forbidden(w)
		return
	}
	h.mux.ServeHTTP(w, r.WithContext(context.WithValue(ctx, groupKey{}, g)))
}

// checkOrigin refuses a cross-origin POST ([http.CrossOriginProtection]),
// and a POST that carries neither Sec-Fetch-Site nor Origin: every browser
// of the last years sends one of them with a form, so such a request comes
// from a program or a browser too old to be protected by the check.
func (h *Handler) checkOrigin(r *http.Request) error {
	if r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
		return fmt.Errorf("settings: a form post without Sec-Fetch-Site or Origin")
	}
	return h.csrf.Check(r)
}

// groupPath extracts the group's path from an escaped request path the mux
// matched to prefix (plus a route's suffix): the segment at {group}'s
// position, unescaped (a path may hold an escaped "/").
func groupPath(prefix, path string) (string, bool) {
	want := strings.Split(prefix, "/")
	got := strings.Split(path, "/")
	if len(got) < len(want) {
		return "", false
	}
	for i, seg := range want {
		if seg == "{group}" {
			p, err := url.PathUnescape(got[i])
			return p, err == nil && p != ""
		}
	}
	return "", false
}

// setSecurityHeaders sets the headers of every response. The page loads
// nothing from anywhere: its stylesheet and its one script are inline and
// allowed by their digests, forms post only to the page's origin, and no
// other site may frame it. Every response is no-store: the page shows
// personal data, and the answer to a token reset shows the token.
func setSecurityHeaders(hd http.Header, csp string) {
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
}

// forbidden answers 403 with nothing about the group.
func forbidden(w http.ResponseWriter) {
	http.Error(w, "403 Forbidden", http.StatusForbidden)
}

func (h *Handler) internalError(ctx context.Context, w http.ResponseWriter, what string, err error) {
	h.log.LogAttrs(ctx, slog.LevelError, "settings: "+what, slog.Any("error", err))
	http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
}

// servePage serves GET of the page: the SCIM section, the SAML section,
// the identities (a page of them, or a search's results) and the recent
// events.
func (h *Handler) servePage(w http.ResponseWriter, r *http.Request, g *store.Group) {
	h.render(w, r, g, pageState{})
}

// serveToken serves the token form's POST: a new token replaces the old one
// at once and is shown in this response only. It is never put in a URL,
// logged, or kept: a reload of the page does not show it again.
func (h *Handler) serveToken(w http.ResponseWriter, r *http.Request, g *store.Group) {
	ctx := r.Context()
	tok, now, err := h.rotateToken(ctx, g.ID)
	if err != nil {
		h.internalError(ctx, w, "reset the SCIM token", err)
		return
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "settings: SCIM token reset", slog.String("group", g.Path))
	h.render(w, r, now, pageState{fresh: &freshToken{token: string(tok), replaced: len(g.TokenDigest) > 0}})
}

// pageState is what a form's answer adds to the page; the zero value is
// the page as a GET shows it.
type pageState struct {
	// status is the answer's status, 200 when zero.
	status int
	// fresh is the token just generated, in the answer to the token form
	// only.
	fresh *freshToken
	// form is the SAML form as posted, refused (refused) or filled in
	// from an older version of the group (stale).
	form    *samlForm
	refused *samlErrors
	stale   bool
	// link is the group link form as posted and refused (linkErrors);
	// linkErrors alone is a refused removal.
	link       *linkForm
	linkErrors *linkErrors
}

// groupLinksShown reports whether the page has the group links section:
// in the RFC profile, whose SCIM handler serves Groups. The GitLab profile
// has no Groups (GitLab answers /Groups with 404), so no IdP group ever
// reaches a link.
func (h *Handler) groupLinksShown() bool {
	return h.prov.Profile() != identity.GitLabProfile()
}

// render writes the page of group g.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, g *store.Group, st pageState) {
	ctx := r.Context()
	v, err := h.view(ctx, r, g, st)
	if err != nil {
		h.internalError(ctx, w, "read the identities", err)
		return
	}
	var buf bytes.Buffer
	if err := h.page.ExecuteTemplate(&buf, "page", v); err != nil {
		h.internalError(ctx, w, "render the page", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	if st.status != 0 {
		w.WriteHeader(st.status)
	}
	w.Write(buf.Bytes())
}
