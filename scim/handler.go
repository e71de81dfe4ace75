package scim

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/schema"
)

// Handler is the SCIM 2.0 service provider: an http.Handler serving the
// routes of routes.go under a prefix, for one group or many. It is safe for
// concurrent use. Create it with [New].
type Handler struct {
	prov      *identity.Provisioner
	cfg       config
	prof      profile
	mux       *http.ServeMux
	catchAll  string // pattern of the SCIM 404 fallback
	discovery *discovery
	rt        *schema.ResourceType // the User resource type, built once
	bufs      bufferPool           // response buffers
	// lastBase is the tenant base computed last, reused while requests
	// come with the same scheme, host and mount point (a handler for one
	// group; see tenantBase).
	lastBase atomic.Pointer[tenantBaseParts]
}

// tenantBaseParts is a tenant base URL and the parts it was made of.
type tenantBaseParts struct {
	scheme, host, pre, mount string
	base                     string
}

// tenant is the group a request is served for, after authentication.
type tenant struct {
	// id is the store's group id; path its path.
	id, path string
	// base is the absolute URL of the group's SCIM root, without a trailing
	// slash, for meta.location and Location.
	base string
}

// ctxKey is the type of this package's context keys.
type ctxKey struct{ name string }

var requestIDKey = &ctxKey{"request id"}

// RequestID returns the id the handler gave the request whose context is
// ctx, or "" outside a request. Middleware and store code can log it.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// New returns a Handler that provisions through prov. The provisioner's
// rules must be those of the wire profile (identity.RFCProfile for
// [ProfileRFC], the default); the groups served are named by a {group}
// segment in [WithPrefix] or by [WithGroup]. Every option is validated
// here; New returns an error rather than a handler that fails later.
func New(prov *identity.Provisioner, opts ...Option) (*Handler, error) {
	if prov == nil {
		return nil, fmt.Errorf("scim: nil provisioner")
	}
	cfg := config{
		logger:       slog.New(slog.DiscardHandler),
		maxBody:      DefaultMaxBodyBytes,
		maxDepth:     maxJSONDepth,
		maxFilter:    defaultMaxFilterLen,
		maxCount:     DefaultMaxCount,
		defaultCount: DefaultCount,
		profile:      ProfileRFC,
	}
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.requestID == nil {
		cfg.requestID = newRequestIDs()
	}
	if cfg.group == "" && !strings.Contains(cfg.prefix, "{group}") {
		return nil, fmt.Errorf("scim: no group to serve: use WithPrefix with a {group} segment or WithGroup")
	}
	if cfg.group != "" && strings.Contains(cfg.prefix, "{group}") {
		return nil, fmt.Errorf("scim: WithGroup and a {group} segment in the prefix exclude each other")
	}
	prof, _ := profileFor(cfg.profile)
	if got, want := prov.Profile(), prof.rules(); got != want {
		return nil, fmt.Errorf("scim: the provisioner's rules %+v do not match profile %q (%+v); create it with identity.WithProfile", got, cfg.profile, want)
	}
	h := &Handler{prov: prov, cfg: cfg, prof: prof, mux: http.NewServeMux(), rt: schema.User()}
	d, err := newDiscovery(&h.cfg, h.rt)
	if err != nil {
		return nil, err
	}
	h.discovery = d
	// A profile with routes of its own installs them; the others serve
	// their part of routes.go's table.
	if m, ok := prof.(interface{ mount(*Handler) error }); ok {
		if err := m.mount(h); err != nil {
			return nil, err
		}
		return h, nil
	}
	for _, rt := range routes() {
		if !prof.serves(rt.name) {
			continue
		}
		h.mux.Handle(rt.method+" "+cfg.prefix+rt.path, h.wrap(rt))
	}
	h.catchAll = cfg.prefix + "/"
	h.mux.HandleFunc(h.catchAll, h.notFound)
	if cfg.prefix != "" {
		h.mux.HandleFunc("/", h.notFound)
		// The prefix itself, without its slash, is no endpoint either: a
		// SCIM 404, not ServeMux's redirect to the catch-all.
		h.mux.HandleFunc(cfg.prefix, h.notFound)
	}
	return h, nil
}

// ServeHTTP serves one SCIM request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{ResponseWriter: w, ctx: requestCtx{Context: r.Context(), id: h.cfg.requestID()}}
	setHeader(x, headerRequestID, x.ctx.id)
	defer h.recoverPanic(x, r)
	// http.ServeMux would answer a path with "..", "//" or NUL with a
	// redirect to the cleaned path; refuse such paths with a SCIM error.
	if !cleanPath(r.URL.Path) {
		h.writeError(x, r, errorf(http.StatusNotFound, "", "invalid request path"))
		return
	}
	h.mux.ServeHTTP(x, r)
}

// recoverPanic turns a panic of a route (a bug: no input may cause one)
// into a logged internal error and a SCIM 500, so that one bad request
// neither reaches the client as a reset connection nor leaks a stack.
// http.ErrAbortHandler keeps its meaning.
func (h *Handler) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.writeError(w, r, fmt.Errorf("scim: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack()))
}

// newRequestIDs returns the default request id generator: a random
// prefix drawn once (a UUID's worth of randomness is not needed per
// request) and a counter, such as "3f9a0c1b7d2e4a65-42".
func newRequestIDs() func() string {
	prefix := strings.ReplaceAll(uuid.NewString(), "-", "")[:16] + "-"
	var n atomic.Uint64
	return func() string {
		// One allocation: the id is built on the stack.
		var buf [48]byte
		return string(strconv.AppendUint(append(buf[:0], prefix...), n.Add(1), 10))
	}
}

// cleanPath reports whether p is absolute and has no empty, "." or ".."
// segment, no NUL and is valid UTF-8.
func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.IndexByte(p, 0) >= 0 || !utf8.ValidString(p) {
		return false
	}
	for rest := p[1:]; ; {
		seg, tail, more := strings.Cut(rest, "/")
		if seg == "." || seg == ".." || seg == "" && more {
			return false
		}
		if !more {
			return true
		}
		rest = tail
	}
}

// wrap turns a route into an http.Handler: authentication, body checks,
// the route, and error rendering.
func (h *Handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, t := contextOf(w, r), tenantOf(w)
		err := h.authenticate(ctx, r, t)
		if err == nil && rt.body {
			err = h.checkBody(w, r)
		}
		if err == nil {
			err = rt.handle(h, ctx, w, r, t)
		}
		if err != nil {
			h.writeError(w, r, err)
		}
	})
}

// notFound answers requests no route matches: 405 with Allow when another
// method is served at the path, 404 otherwise.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pat := h.mux.Handler(probe); pat != "" && pat != h.catchAll && pat != "/" && pat != h.cfg.prefix {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.writeError(w, r, errorf(http.StatusMethodNotAllowed, "", "method %s not allowed", r.Method))
		return
	}
	h.writeError(w, r, errorf(http.StatusNotFound, "", "no such endpoint"))
}

// tenantOf returns the exchange's tenant to fill, or a new one when w is
// no exchange.
func tenantOf(w http.ResponseWriter) *tenant {
	if x, ok := w.(*exchange); ok {
		return &x.t
	}
	return &tenant{}
}

// authenticate checks the bearer token and resolves the group served into
// t.
func (h *Handler) authenticate(ctx context.Context, r *http.Request, t *tenant) error {
	group := h.cfg.group
	if strings.Contains(h.cfg.prefix, "{group}") {
		group = r.PathValue("group")
	}
	token, ok := h.prof.token(r)
	if !ok {
		return errorf(http.StatusUnauthorized, "", "missing or malformed bearer token")
	}
	g, err := h.prov.Authenticate(ctx, group, token)
	if err != nil {
		if identity.KindOf(err) != identity.KindUnauthorized {
			return err
		}
		h.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "scim: authentication refused",
			slog.String("request_id", RequestID(ctx)), slog.String("group", truncate(group, 64)))
		return errorf(http.StatusUnauthorized, "", "invalid bearer token")
	}
	*t = tenant{id: g.ID, path: g.Path, base: h.tenantBase(r, group)}
	return nil
}

// tenantBase computes the absolute URL of the group's SCIM root as the
// client sees it, also when a host strips a prefix before calling us: the
// route part of the path (below the prefix) is the same in the URI the
// client sent, and what precedes it there is the mount point.
func (h *Handler) tenantBase(r *http.Request, group string) string {
	mount := strings.Replace(h.cfg.prefix, "{group}", url.PathEscape(group), 1)
	esc := r.URL.EscapedPath()
	n := strings.Count(h.cfg.prefix, "/")
	i := 0
	for ; n > 0 && i < len(esc); n-- {
		j := strings.IndexByte(esc[i+1:], '/')
		if j < 0 {
			i = len(esc)
			break
		}
		i += j + 1
	}
	tail := esc[i:]
	orig, _, _ := strings.Cut(r.RequestURI, "?")
	if !strings.HasPrefix(orig, "/") && orig != "" {
		// An absolute-form request target ("http://host/path").
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			orig = u.EscapedPath()
		}
	}
	if orig != "" && strings.HasSuffix(orig, tail) {
		mount = strings.TrimSuffix(orig, tail)
	}
	scheme, host, pre := "http", r.Host, ""
	if r.TLS != nil {
		scheme = "https"
	}
	if b := h.cfg.baseURL; b != nil {
		scheme, host, pre = b.Scheme, b.Host, b.EscapedPath()
	}
	if h.cfg.group == "" {
		// Many groups: the mount point changes from one request to the
		// next.
		return scheme + "://" + host + pre + mount
	}
	if c := h.lastBase.Load(); c != nil && c.scheme == scheme && c.host == host && c.pre == pre && c.mount == mount {
		return c.base
	}
	c := &tenantBaseParts{scheme: scheme, host: host, pre: pre, mount: mount, base: scheme + "://" + host + pre + mount}
	h.lastBase.Store(c)
	return c.base
}
