// Command mux shows scimkit's handler mounted under a prefix on the
// standard library's http.ServeMux and on a third-party router
// (github.com/go-chi/chi/v5). It is its own module, so that the router
// does not become a dependency of scimkit.
//
//	cd examples/mux && go run .
//
// It serves group "acme" three ways and prints the base URLs and token:
//
//	http://ADDR/stdlib/scim/v2              ServeMux + http.StripPrefix, one group
//	http://ADDR/stdlib/groups/acme          ServeMux, a {group} prefix for many groups
//	http://ADDR/chi/groups/acme             chi.Router.Mount, a {group} prefix
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memstore"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h, token, err := newApp(ctx, "acme")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mux:", err)
		os.Exit(1)
	}
	if err := serve(ctx, *addr, h, token, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mux:", err)
		os.Exit(1)
	}
}

// newApp builds the host app: an in-memory store, one group, and the
// routers with scimkit mounted.
func newApp(ctx context.Context, group string) (http.Handler, string, error) {
	st := memstore.New()
	prov, err := identity.New(st)
	if err != nil {
		return nil, "", err
	}
	_, token, err := prov.CreateGroup(ctx, identity.GroupSpec{Path: group})
	if err != nil {
		return nil, "", err
	}

	// 1. The standard library, one group, the prefix stripped before
	// scimkit sees the path (the handler's own prefix is empty).
	single, err := scim.New(prov, scim.WithGroup(group))
	if err != nil {
		return nil, "", err
	}
	// 2. The standard library, many groups: the {group} segment names the
	// tenant; the handler matches the full path.
	multi, err := scim.New(prov, scim.WithPrefix("/stdlib/groups/{group}"))
	if err != nil {
		return nil, "", err
	}
	std := http.NewServeMux()
	std.Handle("/stdlib/scim/v2/", http.StripPrefix("/stdlib/scim/v2", single))
	std.Handle("/stdlib/groups/", multi)

	// 3. chi: Mount hands the full path to the handler, so the handler's
	// prefix is the mount point plus {group}. chi's middleware wraps it
	// like any http.Handler.
	viaChi, err := scim.New(prov, scim.WithPrefix("/chi/groups/{group}"))
	if err != nil {
		return nil, "", err
	}
	r := chi.NewRouter()
	r.Use(middleware.RequestSize(2 << 20))
	r.Mount("/chi/groups", viaChi)
	r.Mount("/stdlib", std)
	return r, string(token), nil
}

// serve listens on addr, prints the base URLs and the token, and serves
// until ctx is done.
func serve(ctx context.Context, addr string, h http.Handler, token string, out io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "ServeMux + StripPrefix: %s/stdlib/scim/v2\nServeMux, {group}:     %s/stdlib/groups/acme\nchi, {group}:           %s/chi/groups/acme\ntoken: %s\n", base, base, base, token)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
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
