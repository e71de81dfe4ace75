// Command server is a runnable host app for scimkit: it serves SCIM 2.0
// for one or more groups so that Microsoft Entra ID, Okta or OneLogin can
// provision users into it, and each group's SAML single sign-on so that
// those users sign in through the same IdP.
//
//	go run ./examples/server                       # group "demo", SQLite file scimkit.db
//	go run ./examples/server -store memory -group acme -group beta=my-own-token-123456
//	go run ./examples/server -group acme -saml-idp acme=idp-metadata.xml
//
// Flags:
//
//	-addr ADDR             listen address (default 127.0.0.1:8080)
//	-base-url URL          the URL browsers and IdPs reach the server at (default
//	                       http://ADDR); SCIM's Location and meta.location, SAML
//	                       entity IDs and ACS URLs are made from it, never from a
//	                       request's Host header
//	-group PATH[=TOKEN]    a group to serve, repeatable (default demo); a TOKEN of 16+
//	                       characters is used as is, without one a token is generated
//	                       and printed once
//	-saml-idp GROUP=SRC    the SAML metadata of GROUP's IdP, a file or an http(s) URL
//	                       (repeatable); it configures and enables the group's SSO
//	-store SPEC            memory, sqlite:FILE or postgres:DSN (default sqlite:scimkit.db)
//	-profile rfc|gitlab    wire profile (default rfc); like GitLab, the gitlab profile
//	                       serves SCIM only for a group with SAML configured
//	-rotate-token          give every named group a new generated token
//	-admin-token TOKEN     the demo owner's sign-in token for the groups' settings
//	                       pages (default: generated and printed at start)
//
// With a persistent store a group, its token and its SAML configuration
// survive restarts: only the token's digest is stored, so a token is
// printed only when it is created or rotated. The base URL of a group is
// http://ADDR/api/scim/v2/groups/PATH. For each group the server prints
// what its IdP needs: the SAML entity ID, the ACS URL and the SP metadata
// URL. A person the IdP provisioned signs in at
// http://ADDR/groups/PATH/-/saml/sso (or from the IdP's tile) and lands on
// http://ADDR/, which says who is signed in; http://ADDR/groups/PATH is
// the group's page (behind enforced SSO when the group enforces it).
// Sessions live in memory. SIGINT or SIGTERM shut the server down
// gracefully.
//
// Every SCIM request runs under a 20 s deadline (scim.WithRequestTimeout):
// one that has not finished by then is rolled back and answered 503 with
// Retry-After. The server's WriteTimeout is 10 s longer, so that the answer
// reaches the client: a request the server stopped waiting for never
// commits behind the client's back.
//
// Each group's owner settings page is at http://ADDR/groups/PATH/-/saml,
// GitLab's path: the SCIM URL and the SAML service provider's addresses
// (the ones printed at start, under -base-url), Generate/Reset SCIM token,
// the SAML settings form (the IdP's metadata XML, or its SSO URL and
// certificate fingerprint; enabled, enforced SSO, default role, NameID
// format), which configures the group's SSO without a restart, and the
// provisioned identities. Its sign-in is a demo: whoever gives the admin token at
// http://ADDR/-/sign-in owns every group until the server stops.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// scimPrefix is where the groups' SCIM roots live.
const scimPrefix = "/api/scim/v2/groups/{group}"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// groupFlag collects -group values.
type groupFlag []groupArg

type groupArg struct{ path, token string }

func (g *groupFlag) String() string {
	var parts []string
	for _, a := range *g {
		parts = append(parts, a.path)
	}
	return strings.Join(parts, ",")
}

// has reports whether path is one of the groups.
func (g groupFlag) has(path string) bool {
	for _, a := range g {
		if a.path == path {
			return true
		}
	}
	return false
}

func (g *groupFlag) Set(v string) error {
	path, token, _ := strings.Cut(v, "=")
	if path == "" || strings.ContainsAny(path, "/?#% ") {
		return fmt.Errorf("group path %q: want a non-empty path segment", path)
	}
	*g = append(*g, groupArg{path: path, token: token})
	return nil
}

// requestTimeout is the deadline of every SCIM request.
const requestTimeout = scim.DefaultRequestTimeout

// run is the whole server; main only adds the signal context. ready, when
// not nil, is called with the listening address once requests are
// accepted. run returns when ctx is done (after a graceful shutdown) or
// the server fails.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	baseURL := fs.String("base-url", "", "the `URL` browsers and IdPs reach the server at (default http://ADDR)")
	var groups groupFlag
	fs.Var(&groups, "group", "a group to serve as `PATH[=TOKEN]` (repeatable; default demo)")
	idps := idpFlag{}
	fs.Var(idps, "saml-idp", "`GROUP=FILE|URL`: the SAML metadata of the group's IdP (repeatable)")
	storeSpec := fs.String("store", "sqlite:scimkit.db", "store: memory, sqlite:FILE or postgres:DSN")
	profile := fs.String("profile", "rfc", "wire profile: rfc or gitlab")
	rotate := fs.Bool("rotate-token", false, "give every named group a new generated token")
	adminToken := fs.String("admin-token", "", "the demo owner's sign-in `token` for the settings pages (default: generated and printed)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	if len(groups) == 0 {
		groups = groupFlag{{path: "demo"}}
	}
	for g := range idps {
		if !groups.has(g) {
			return fmt.Errorf("%w: -saml-idp %s: no -group %s", errUsage, g, g)
		}
	}
	var rules identity.Profile
	switch strings.ToLower(*profile) {
	case "rfc":
		rules = identity.RFCProfile()
	case "gitlab":
		rules = identity.GitLabProfile()
	default:
		return fmt.Errorf("%w: -profile %q: want rfc or gitlab", errUsage, *profile)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	st, closeStore, err := openStore(ctx, *storeSpec)
	if err != nil {
		return err
	}
	defer func() {
		if err := closeStore(); err != nil {
			logger.Error("closing the store", slog.Any("error", err))
		}
	}()
	// The event sink is where a host sends welcome emails and writes its
	// audit log; this one logs each event once, so identity's own logger
	// keeps to warnings.
	identityLog := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	events := settings.NewEventBuffer(100) // the settings pages' recent events
	sink := identity.EventSinkFunc(func(ctx context.Context, e identity.Event) {
		events.Emit(ctx, e)
		attrs := []slog.Attr{slog.String("type", string(e.Type)), slog.String("group", e.GroupID)}
		for _, a := range []slog.Attr{slog.String("user", e.UserID), slog.String("identity", e.IdentityID), slog.String("extern_uid", e.ExternUID)} {
			if a.Value.String() != "" {
				attrs = append(attrs, a)
			}
		}
		logger.LogAttrs(ctx, slog.LevelInfo, "event", attrs...)
	})
	prov, err := identity.New(st, identity.WithProfile(rules), identity.WithLogger(identityLog), identity.WithEventSink(sink))
	if err != nil {
		return err
	}
	linker, err := identity.NewLinker(st, identity.WithLogger(identityLog), identity.WithEventSink(sink))
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	site := strings.TrimSuffix(*baseURL, "/")
	if site == "" {
		site = "http://" + ln.Addr().String()
	}
	// The handler answers in the wire profile of the provisioner's rules.
	// Its Location headers and meta.location are made from the site's
	// URL, not from a request's Host header, which a client (or a proxy
	// in front of the server) chooses.
	h, err := scim.New(prov, scim.WithPrefix(scimPrefix), scim.WithLogger(logger),
		scim.WithBaseURL(site), scim.WithRequestTimeout(requestTimeout))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	sess := newSessions(strings.HasPrefix(site, "https://"))
	sp, err := sso.New(site, st, linker, sess, sso.WithLogger(logger))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	base := site + "/api/scim/v2/groups/"
	var paths []string
	for _, g := range groups {
		token, err := ensureGroup(ctx, st, prov, g, *rotate)
		if err != nil {
			return fmt.Errorf("group %s: %w", g.path, err)
		}
		fmt.Fprintf(stdout, "group %s\n  SCIM base URL: %s%s\n", g.path, base, g.path)
		switch {
		case token != "":
			fmt.Fprintf(stdout, "  token: %s\n", token)
		case g.token != "":
			fmt.Fprintf(stdout, "  token: the one given with -group\n")
		default:
			fmt.Fprintf(stdout, "  token: unchanged (only its digest is stored; -rotate-token prints a new one)\n")
		}
		saml, err := samlStatus(ctx, st, g.path, idps[g.path])
		if err != nil {
			return fmt.Errorf("group %s: %w", g.path, err)
		}
		u := sp.URLs(g.path)
		fmt.Fprintf(stdout, "  SAML entity ID: %s\n  SAML ACS URL: %s\n  SAML SP metadata: %s\n  SAML sign-in: %s\n  SAML: %s\n",
			u.EntityID, u.ACS, u.Metadata, u.SSO, saml)
		paths = append(paths, g.path)
	}

	// The settings pages come first; then paths under /api/ and every path
	// the web side has no route for go to the SCIM handler, not through an http.ServeMux: a ServeMux
	// answers a path with "..", "//" or a NUL with a redirect to the
	// cleaned path, where the SCIM handler answers a SCIM 404, and it
	// answers paths outside the groups' roots with a SCIM 404 as well.
	w := newWeb(st, sp, sess, paths)
	root := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if w.serves(r) {
			w.mux.ServeHTTP(rw, r)
			return
		}
		h.ServeHTTP(rw, r)
	})
	admin := cmp.Or(*adminToken, rand.Text())
	pages, err := newSite(prov, st, sp, root, events, site, admin, settingsPage(groups[0].path))
	if err != nil {
		return err
	}
	printSettings(stdout, site, groups, admin, *adminToken == "")
	srv := &http.Server{
		Handler:           logRequests(logger, pages),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Longer than the SCIM requests' deadline, so that their answer,
		// 503 included, reaches the client.
		WriteTimeout: requestTimeout + 10*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ensureGroup creates the group if the store has none at its path and
// sets its token: the given one, a new one when asked or when the group
// has none. It returns a generated token to print, or "".
//
// Replicas started at the same moment on one database race to create the
// group: the one that loses the race sees a conflict, reads the group the
// other created and goes on with it.
func ensureGroup(ctx context.Context, st store.Store, prov *identity.Provisioner, g groupArg, rotate bool) (string, error) {
	var existing *store.Group
	for attempt := 0; existing == nil; attempt++ {
		err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
			var err error
			existing, err = tx.GroupByPath(ctx, g.path)
			if errors.Is(err, store.ErrNotFound) {
				existing, err = nil, nil
			}
			return err
		})
		if err != nil {
			return "", err
		}
		if existing != nil {
			break
		}
		_, tok, err := prov.CreateGroup(ctx, identity.GroupSpec{Path: g.path, Token: g.token})
		var ie *identity.Error
		switch {
		case errors.As(err, &ie) && ie.Kind == identity.KindConflict && attempt < 3:
			continue // another replica created it: read it again
		case err != nil:
			return "", err
		case g.token != "":
			return "", nil
		}
		return string(tok), nil
	}
	switch {
	case g.token != "":
		_, err := prov.RotateToken(ctx, existing.ID, g.token)
		return "", err
	case rotate || len(existing.TokenDigest) == 0:
		tok, err := prov.RotateToken(ctx, existing.ID, "")
		return string(tok), err
	}
	return "", nil
}

// samlStatus configures group path's SAML SSO from src when given and
// describes the group's SAML configuration for the start-up lines.
func samlStatus(ctx context.Context, st store.Store, path, src string) (string, error) {
	var g *store.Group
	err := st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		g, err = tx.GroupByPath(ctx, path)
		return err
	})
	if err != nil {
		return "", err
	}
	switch {
	case src != "":
		if err := configureSAML(ctx, st, g, src); err != nil {
			return "", err
		}
		return "enabled, IdP metadata from " + src, nil
	case g.SAML == nil:
		return "not configured (configure it on the settings page, or give the IdP's metadata with -saml-idp " + path + "=FILE|URL)", nil
	case g.SAML.Enabled:
		return "enabled (stored configuration)", nil
	}
	return "configured but disabled", nil
}

// logRequests logs one line per request (never the Authorization header).
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)),
			slog.String("request_id", w.Header().Get("X-Request-Id")))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
