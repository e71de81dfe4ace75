package scim

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/schema"
)

// Handler is the SCIM 2.0 service provider: an http.Handler serving the
// routes of its wire profile under a prefix, for one group or many. It is
// safe for concurrent use. Create it with [New].
type Handler struct {
	prov      *identity.Provisioner
	cfg       config
	wire      wire
	mux       *http.ServeMux
	catchAll  string               // pattern of the 404 fallback
	discovery *discovery           // the RFC profile's discovery documents
	rt        *schema.ResourceType // the User resource type, built once
	grt       *schema.ResourceType // the Group resource type (RFC profile)
	bufs      bufferPool           // request body buffers
	// lastBase is the tenant base computed last, reused while requests
	// come with the same scheme, host and mount point (a handler for one
	// group; see tenantBase).
	lastBase atomic.Pointer[tenantBaseParts]
}

// New returns a Handler that provisions through prov, in the wire profile
// of prov's rules: RFC 7643/7644 for identity.RFCProfile() (the default of
// identity.New), GitLab's group SCIM API for identity.GitLabProfile();
// other rules are an error. The groups served are named by a {group}
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
		timeout:      DefaultRequestTimeout,
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
	w, err := wireFor(prov.Profile())
	if err != nil {
		return nil, err
	}
	h := &Handler{prov: prov, cfg: cfg, wire: w, mux: http.NewServeMux(), rt: schema.User(), grt: schema.Group()}
	if w == wireGitLab {
		h.mountGitLab()
		return h, nil
	}
	// Discovery describes fresh copies of the resource types, adjusted to
	// what the handler enforces (uniqueness.go).
	if h.discovery, err = newDiscovery(&h.cfg, schema.User(), schema.Group()); err != nil {
		return nil, err
	}
	for _, rt := range routes() {
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

// ServeHTTP serves one SCIM request, under the deadline of
// WithRequestTimeout.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{ResponseWriter: w, ctx: requestCtx{Context: r.Context(), id: h.cfg.requestID(), deadline: time.Now().Add(h.cfg.timeout)}}
	defer x.ctx.release()
	setHeader(x, headerRequestID, x.ctx.id)
	defer h.recoverPanic(x, r)
	// http.ServeMux would answer a path with "..", "//" or NUL with a
	// redirect to the cleaned path; refuse such paths with a SCIM error.
	if !cleanPath(r.URL.Path) {
		h.writeError(x, r, noRoute("invalid request path"))
		return
	}
	if h.wire == wireRFC {
		r = h.canonicalRoute(r)
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

// wrap turns a route of the RFC profile into an http.Handler:
// authentication, body checks, the route, and error rendering.
func (h *Handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, t := contextOf(w, r), tenantOf(w)
		err := h.authenticate(ctx, r, t)
		if err == nil {
			t.query, err = parseQuery(r.URL.RawQuery)
		}
		if err == nil {
			err = onceEach(t.query)
		}
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
		h.writeError(w, r, &Error{Status: http.StatusMethodNotAllowed, Detail: "method " + r.Method + " not allowed", allow: strings.Join(allow, ", ")})
		return
	}
	h.writeError(w, r, noRoute("no such endpoint"))
}
